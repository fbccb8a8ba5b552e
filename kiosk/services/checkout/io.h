/* Pay for fuel's glue with the host: the checkout flow's effects become backend calls,
 * journal writes and print jobs; their answers come back as flow inputs (io.c). Payments
 * nobody waits for any more (a customer who walked away, a cancel the station system did
 * not answer in time, what a crash left open) are settled by background jobs, each a
 * settle.c state machine (background.c). service.c is the descriptor the host sees. */
#ifndef CHECKOUT_IO_H
#define CHECKOUT_IO_H

#include <stdint.h>

#include "flow.h"
#include "host/service.h"
#include "record.h"
#include "screens.h"
#include "settle.h"

#define CO_BG_MAX 16      /* background jobs at once */
#define CO_PRINTS_MAX 8   /* print jobs followed at once */
#define CO_ORPHANS_MAX 4  /* writes whose flow stopped waiting */
#define CO_TOKEN_LEN 24   /* an invoice token */

/* What a restart notice may cover: a payment begun within RESTART_NOTICE_MS is told about;
 * its outcome shows for RESTART_NOTICE_SHOW_MS. */
#define RESTART_NOTICE_MS (10 * 60 * 1000)
#define RESTART_NOTICE_SHOW_MS (60 * 1000)

/* Its keys in the kiosk's config file ([checkout], and the receipt's in [receipt]). */
struct co_options {
    int reprint_s;
    int release_slip;
    char member_prefix[24], coupon_prefix[24];
    int points_max;
    char invoice_url[128];
};

/* A background job: a settle.c machine and what its requests and records need. */
struct co_bg {
    struct settle_job job;
    int64_t pay_intent;       /* the payment intent it settles (0 = a lock only) */
    int64_t lock_intent;      /* the journaled lock it gives back (0 = none) */
    char otn[40], order_id[48], txn_no[40], sale_id[24];
    char mode[12], channel[12], code_masked[32];
    int64_t amount_fen;
    int64_t created_ms;       /* when the payment intent was written (wall clock) */
    int notice;               /* the restart notice tells its outcome */
    uint64_t call;            /* its request in flight */
    uint64_t write;           /* its journal write in flight */
};

/* A print job followed until its outcome is journaled. */
struct co_print {
    uint64_t handle;
    char txn_no[40];
    int receipt;              /* the customer's receipt (not the release slip) */
    int live;                 /* the sale on screen waits for it */
};

/* A transaction number taken ahead from the journal (written on the worker). */
struct co_txn_alloc {
    char terminal_id[32];
    int64_t unix_s;
    char out[40];             /* "" until written */
};

struct checkout {
    struct host_svc *h;
    int feeding;                   /* the flow is being fed (feed() within feed() counts) */
    int handing_back;              /* a hand-back is due once the outermost feed is done */
    char hand_what[64], hand_arg[40]; /* ... to what (CO_RECHARGED) and with what */
    const struct co_options *opt;
    struct co_config cocfg;
    struct co_flow co;
    uint64_t calls[CO_CALL_LAST];  /* the sale's requests in flight, by kind (0 = none) */
    uint64_t writing;              /* the write CO_JOURNALING waits for (0 = none) */
    int writing_lock;              /* ... the lock's (else the order's and intent's) */
    char *order_body;              /* EFF_ORDER's record, until EFF_INTENT writes both */
    uint64_t orphans[CO_ORPHANS_MAX]; /* writes of what was never sent: settled on arrival */
    int orphan_lock[CO_ORPHANS_MAX];
    int64_t intent_id;             /* the payment intent of the sale on screen */
    int64_t lock_intent_id;        /* the journaled lock of its pump sale */
    uint64_t recording;            /* the sale being recorded (EFF_TXN), 0 when written */
    int print_when_recorded;       /* its receipt prints once the record is durable */
    struct sale_record rec;        /* the sale as recorded: its receipt prints from it */
    char invoice_token[CO_TOKEN_LEN + 1];
    char invoice_url[200];
    uint64_t check;                /* the printer check being waited for */
    struct co_txn_alloc alloc;     /* the next transaction number */
    uint64_t alloc_write;
    struct co_print prints[CO_PRINTS_MAX];
    struct co_bg bg[CO_BG_MAX];
    struct restart_notice notice;
};

/* io.c: the sale on screen */
void co_io_open(struct checkout *io);
void co_io_close(struct checkout *io);
/* A new sale: `kind` an enum co_start; a recharge's card and fen (else NULL, 0). */
void co_io_start(struct checkout *io, enum co_start kind, const char *card_no,
                 int64_t recharge_fen, int64_t now);
/* Hands the customer to the service that takes `what`, with `arg`; home when none can. */
void co_io_hand_back(struct checkout *io, const char *what, const char *arg, int64_t now);
void co_io_input(struct checkout *io, const struct co_event *e, int64_t now);
void co_io_leave(struct checkout *io, int64_t now);
void co_io_result(struct checkout *io, const struct host_result *r, int64_t now);
void co_io_tick(struct checkout *io, int64_t now);
int64_t co_io_deadline(const struct checkout *io);
int co_io_idle(const struct checkout *io);
/* The customer's receipt of sale record `r` (borrowed) in `lang`, as this kiosk prints it
 * (its text engine, config and invoice link); `copy` marks a reprint. Caller destroys it;
 * NULL on no memory. */
struct slip *co_io_receipt(struct checkout *io, const struct sale_record *r, int copy,
                           const char *lang);
/* The service's reprint hook: a copy of the receipt of journaled sale `payload` (kind
 * "sale"), or NULL (another kind, or a record that does not read). Caller destroys it. */
struct slip *co_io_reprint(struct checkout *io, const char *kind, const char *payload,
                           const char *lang);
/* Prints sale record `r` (and its release slip when configured and not a copy). 0, or -1
 * without a printer. `live`: the sale on screen waits for the outcome. */
int co_io_print_record(struct checkout *io, const struct sale_record *r, int copy, int live);
/* Prints the journaled sale `txn_no`. 0, -1 without a printer, -2 when the journal has no
 * readable record of it; `total_fen` (may be NULL) gets the amount paid. */
int co_io_print_txn(struct checkout *io, const char *txn_no, int copy, int live,
                    int64_t *total_fen);
/* Journals a receipt's state ("printed", "failed", "unknown", "e-receipt"). */
void co_io_print_state(struct checkout *io, const char *txn_no, const char *state);
/* Journals the end of intent `id` (a lock's or a payment's). */
void co_io_finish_intent(struct checkout *io, int64_t id, int done, const char *result);

/* background.c */
void co_bg_recover(struct checkout *io);
void co_bg_settle(struct checkout *io, const struct co_handover *ho, int cancel,
                  int64_t pay_intent, int64_t lock_intent, int64_t now);
void co_bg_release(struct checkout *io, const struct co_lock *l, int64_t lock_intent,
                   int64_t now);
/* The customer takes sale `sale_id` again: a release still trying stops. */
void co_bg_drop_release(struct checkout *io, const char *sale_id);
/* 1 if the result was a background job's. */
int co_bg_result(struct checkout *io, const struct host_result *r, int64_t now);
void co_bg_tick(struct checkout *io, int64_t now);
int64_t co_bg_deadline(const struct checkout *io);
int co_bg_settling(const struct checkout *io);
void co_bg_notice_close(struct checkout *io);
/* A print job's outcome for the restart notice's sale. */
void co_bg_notice_receipt(struct checkout *io, const char *txn_no, int ok);

#endif
