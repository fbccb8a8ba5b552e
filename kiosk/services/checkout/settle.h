/* Background settlement: what the kiosk still owes the station system once nobody waits at
 * the screen for it. A payment whose customer walked away, a cancel the station system did
 * not answer in time, an unfinished payment found at start, a sale lock to give back. One
 * job each; a pure state machine like the flows: answers and time in, state and effects
 * out, and the app runs the effects.
 *
 * Rules:
 *  - a payment is always asked about first (a query) and never acted on blind: a cancel is
 *    only sent right after a query answered that the payment is still open (or unknown to
 *    the payment system, which closes the number for good);
 *  - a paid payment is completed and recorded once; only a customer who was told "it is
 *    being cancelled" gets it reversed instead;
 *  - a closed or reversed payment has its intent settled as failed, then the sale's lock
 *    (if the job holds one) is released; a paid one keeps the sale: it is paid;
 *  - every step that waits has a deadline: an answer that does not come in time counts as
 *    no answer, and the step is tried again later; a lock release stops trying when the
 *    lock's lease is surely over. */
#ifndef KIOSK_FLOWS_SETTLE_H
#define KIOSK_FLOWS_SETTLE_H

#include <stdint.h>

#include "core/effect.h"

#define SETTLE_RETRY_MS 10000   /* after no answer, or an answer that cannot be used */
#define SETTLE_ANSWER_MS 60000  /* an answer later than this counts as none */

enum settle_state {
    SETTLE_IDLE,     /* nothing to do: a free slot, or a job that ended */
    SETTLE_QUERY,    /* asking what became of the payment */
    SETTLE_CANCEL,   /* closing it (reversing it, if the customer was told so) */
    SETTLE_COMPLETE, /* paid: completing the order at the backend */
    SETTLE_RECORD,   /* paid: the app records the sale (journal, outbox, receipt) */
    SETTLE_FAILED,   /* not paid: the app settles the payment intent as failed */
                     /* (both ask again if the app's answer does not come) */
    SETTLE_RELEASE,  /* giving the sale's lock back */
    SETTLE_LAST
};

/* The calls a job makes (EFF_CALL's i). */
enum settle_call {
    SC_NONE,
    SC_QUERY,    /* GET /v1/payments/{otn} */
    SC_CANCEL,   /* POST /v1/payments/{otn}/cancel */
    SC_COMPLETE, /* POST /v1/orders/{id}/complete */
    SC_UNLOCK,   /* POST /v1/sales/{id}/unlock */
    SC_LAST
};

/* How a job ended (for the app's records and the restart notice). */
enum settle_end { SETTLE_OPEN, SETTLE_PAID, SETTLE_NOT_PAID, SETTLE_RELEASED };

struct settle_job {
    enum settle_state state;
    int payment;             /* settles a payment (else it only releases a lock) */
    int cancel;              /* the customer was told it is cancelled: reverse if paid */
    int lock;                /* it gives the sale's lock back at the end (unless paid) */
    enum settle_call inflight; /* the call whose answer is awaited, or SC_NONE */
    int64_t answer_by_ms;    /* the awaited answer is given up on then */
    int64_t retry_ms;        /* the step is tried again then (0 = not waiting to retry) */
    int64_t give_up_ms;      /* a release stops trying then (the lease is over) */
    int asked;               /* a query answered since the last cancel: a cancel may go */
    char result[16];         /* PAID, CLOSED or REVERSED once known */
    enum settle_end end;
};

/* An answer to the job's call, as the app read it. */
struct settle_answer {
    enum settle_call call;
    int reached;             /* an HTTP answer arrived (else: none, or the connection died) */
    int status;              /* its HTTP status */
    const char *err_code;    /* the error model's code for non-2xx, "" otherwise */
    const char *pay_status;  /* a payment's status from a 2xx body, "" if none */
};

enum settle_input {
    SE_ANSWER,   /* answer */
    SE_TICK,     /* time passed */
    SE_RECORDED, /* the app recorded the paid sale (ok) or could not write it now */
    SE_WRITTEN,  /* the app settled the intent as failed (ok) or could not write it now */
};

struct settle_event {
    enum settle_input in;
    const struct settle_answer *answer;
    int ok;
};

/* Effects a job makes: EFF_CALL (i = enum settle_call); EFF_TXN (record the paid sale,
 * then answer SE_RECORDED); EFF_OUTCOME (settle the payment intent as failed, arg = the
 * final status, then answer SE_WRITTEN); EFF_RELEASE (the journaled lock is over, arg =
 * "paid", "released" or "expired"); EFF_REDRAW when the job ends. */

/* Starts settling a payment: it is asked about first. `cancel`: the customer was told it is
 * being cancelled. `lock`: the job also gives back the sale's lock (lease ends at
 * lease_end_ms, then a release stops trying). */
void settle_start_payment(struct settle_job *j, int cancel, int lock, int64_t lease_end_ms,
                          int64_t now, struct effects *out);
/* Starts giving back a sale's lock. */
void settle_start_release(struct settle_job *j, int64_t lease_end_ms, int64_t now,
                          struct effects *out);
void settle_step(struct settle_job *j, const struct settle_event *e, int64_t now,
                 struct effects *out);
/* When the job next needs an SE_TICK, or INT64_MAX (idle). */
int64_t settle_deadline(const struct settle_job *j);
const char *settle_state_name(enum settle_state s);

#endif
