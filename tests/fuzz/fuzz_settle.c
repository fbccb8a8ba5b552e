/* Background settlement under random answers and time. Whatever comes, the money rules
 * hold:
 *  - a cancel (which reverses a payment that went through) is only sent right after a
 *    query answered that the payment is open or unknown to the payment system, or right
 *    after one said it went through for a customer who was told it is cancelled;
 *  - a sale is recorded only after an answer said the payment went through, its intent
 *    settled as failed only after one said it was closed or reversed, never both;
 *  - one call at a time, and every state but idle has a deadline. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/log.h"
#include "settle.h"


static const int statuses[] = {0, 200, 200, 200, 404, 409, 500, 503, 401, 429};
static const char *const pays[] = {"PAID", "CLOSED", "REVERSED", "CREATED", "USERPAYING", "",
                                   "NOTPAY"};
static const char *const errs[] = {"", "PAYMENT_NOT_FOUND", "SALE_LOCKED", "INJECTED_FAULT"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct settle_job j;
    struct effects fx = {.n = 0};
    log_set_quiet(1);
    if (size < 1)
        return 0;
    int cancel = data[0] & 1, lock = (data[0] >> 1) & 1, payment = !((data[0] >> 2) & 3) ? 0 : 1;
    int64_t now = 0, lease_end = 100000 + (data[0] >> 4) * 10000;
    if (payment)
        settle_start_payment(&j, cancel, lock, lease_end, now, &fx);
    else
        settle_start_release(&j, lease_end, now, &fx);
    int may_cancel = 0, paid_seen = 0, closed_seen = 0, recorded = 0, failed = 0;
    for (size_t i = 1; i < size; i++) {
        uint8_t b = data[i], arg = i + 1 < size ? data[i + 1] : 0;
        struct settle_answer a = {.call = j.inflight,
                                  .status = statuses[b % (sizeof statuses / sizeof statuses[0])],
                                  .err_code = errs[arg % (sizeof errs / sizeof errs[0])],
                                  .pay_status = pays[(arg >> 2) % (sizeof pays / sizeof pays[0])]};
        a.reached = a.status != 0;
        struct settle_event e = {.in = SE_ANSWER, .answer = &a, .ok = arg & 1};
        switch ((b >> 4) % 5) {
        case 0:
        case 1:
            e.in = SE_ANSWER;
            break;
        case 2:
            e.in = SE_TICK;
            if (settle_deadline(&j) != INT64_MAX && (arg & 1))
                now = settle_deadline(&j);
            break;
        case 3:
            e.in = SE_RECORDED;
            break;
        default:
            e.in = SE_WRITTEN;
            break;
        }
        if (e.in == SE_ANSWER && (b & 8))
            a.call = (enum settle_call)(arg % SC_LAST); /* a stray answer */
        now += (b & 7) * 1000;
        /* what the model makes of an answer the job waits for */
        may_cancel = 0;
        if (e.in == SE_ANSWER && a.call == j.inflight && j.inflight != SC_NONE) {
            int ok = a.reached && a.status >= 200 && a.status < 300;
            const char *st = a.pay_status;
            if (ok && !strcmp(st, "PAID"))
                paid_seen = 1;
            if (ok && (!strcmp(st, "CLOSED") || !strcmp(st, "REVERSED")))
                closed_seen = 1;
            if (j.inflight == SC_COMPLETE)
                paid_seen = 1; /* it was paid before the complete was asked */
            if (j.inflight == SC_QUERY &&
                ((ok && (!strcmp(st, "CREATED") || !strcmp(st, "USERPAYING") ||
                         (!strcmp(st, "PAID") && j.cancel))) ||
                 (a.reached && a.status == 404 && !strcmp(a.err_code, "PAYMENT_NOT_FOUND"))))
                may_cancel = 1;
        }
        fx.n = 0;
        settle_step(&j, &e, now, &fx);
        for (int k = 0; k < fx.n; k++) {
            const struct effect *f = &fx.v[k];
            if (f->kind == EFF_CALL && f->i == SC_CANCEL && !may_cancel)
                abort(); /* cancelled blind */
            if (f->kind == EFF_TXN) {
                if (!paid_seen || failed)
                    abort(); /* recorded without the money, or after settling as failed */
                recorded = 1;
            }
            if (f->kind == EFF_OUTCOME) {
                if (!closed_seen || recorded)
                    abort(); /* settled as failed without a final "not paid" */
                failed = 1;
            }
        }
        if (j.state != SETTLE_IDLE && settle_deadline(&j) == INT64_MAX)
            abort(); /* waiting with no deadline */
        if (j.inflight != SC_NONE && j.retry_ms)
            abort(); /* a call in flight and a retry planned: two at once */
    }
    return 0;
}
