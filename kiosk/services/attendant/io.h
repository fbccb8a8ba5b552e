/* Attendant mode's glue: the flow's effects run through the host (the journal's reads and
 * writes, the backend, the printer), the answers fed back, the view filled, the audit lines
 * written, and what a restart left unfinished (a shift or day close, a refund) taken up. */
#ifndef ATTENDANT_IO_H
#define ATTENDANT_IO_H

#include <stdint.h>

#include "api.h"
#include "flow.h"
#include "host/service.h"
#include "screens.h"
#include "totals.h"

struct at_options {
    int staff_refresh_s;      /* the staff list (and their verifiers) is asked for this often */
    int login_timeout_s;      /* the backend's answer to a PIN check is waited for this long */
};

#define AT_STAFF_ROWS 64
#define AT_RECOVER_MAX 8
#define AT_RETRY_MS 30000     /* a refund without an answer is asked for again after this */

/* An operation's journal and printer steps, in order. */
enum at_stage { ST_NONE, ST_INTENT, ST_WRITE, ST_CALL, ST_RECORD, ST_PRINT, ST_SETTLE };

struct attendant_io {
    struct host_svc *h;
    const struct at_options *opt;
    struct at_flow f;
    /* the operation under way (the flow's WORKING, or a recovery) */
    enum at_op op;
    enum at_stage stage;
    int recovering;           /* 1: a restart's leftover, nobody at the screen */
    uint64_t ask;             /* the host's handle of the step waiting */
    int64_t intent;
    int64_t shift_id, last_shift;
    char closer[AT_STAFF_MAX + 1];          /* who closes the shift or day under way ... */
    char closer_approver[AT_STAFF_MAX + 1]; /* ... and the supervisor who carried items */
    char ref[48];
    int printed;
    char *refund_record;      /* the refund under way: its record, the intent's payload */
    char refund_no[64];
    struct at_sale sale;
    /* a PIN check */
    uint64_t login_call, login_job;
    int login_offline;        /* the cached verifier decides (the backend did not) */
    uint64_t integrity_job;   /* the journal's integrity check for the health page */
    int journal_row;          /* its row there */
    int64_t started_ms;       /* when the kiosk started (real monotonic time) */
    struct at_login login;    /* kept for the cached verifier: wiped once decided */
    char login_name[32];
    /* the staff list */
    uint64_t staff_call;
    int64_t staff_next;
    /* what the screens show */
    struct totals totals;
    int64_t opened_ms, closed_ms;
    int shifts, day_matches, report_printed, carried;
    char mismatch[64];
    struct at_unfinished_row unfinished[AT_UNFINISHED_MAX];
    int nunfinished;
    struct at_health_row health[AT_HEALTH_ROWS];
    int nhealth;
    struct at_parked_row parked[AT_PARKED_ROWS];
    int64_t parked_seq[AT_PARKED_ROWS];
    int nparked;
    char txn_kind[24];
    int64_t txn_amount;
    char *txn_payload;        /* the transaction found, for a reprint */
    /* a restart's leftovers (closes, refunds) and refunds without an answer, taken up one
     * at a time */
    struct {
        enum at_op op;
        int64_t intent, shift_id;
        char key[64];
        char *payload;        /* a refund's record */
        char who[AT_STAFF_MAX + 1], approver[AT_STAFF_MAX + 1]; /* a close's */
        int carried;
    } todo[AT_RECOVER_MAX];
    int ntodo;
    int64_t todo_next;        /* not before then (a refund asked again) */
    int64_t audit_seq;
};

int at_io_open(struct attendant_io *io, struct host_svc *h, const struct at_options *opt);
void at_io_close(struct attendant_io *io);
void at_io_recover(struct attendant_io *io, int64_t now);
void at_io_input(struct attendant_io *io, const struct at_event *e, int64_t now);
void at_io_result(struct attendant_io *io, const struct host_result *r, int64_t now);
void at_io_tick(struct attendant_io *io, int64_t now);
int64_t at_io_deadline(const struct attendant_io *io);
void at_io_view(const struct attendant_io *io, struct at_view *v);
int at_io_idle(const struct attendant_io *io);

#endif
