/* Background settlement, driven directly: a pure state machine, made-up answers and times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/log.h"
#include "effects_find.h"
#include "settle.h"

static struct effects fx;

static int has(enum effect_kind k, int64_t i)
{
    return effects_find(&fx, k, i) >= 0;
}

static const char *arg(enum effect_kind k)
{
    for (int n = 0; n < fx.n; n++)
        if (fx.v[n].kind == k)
            return fx.v[n].arg;
    return NULL;
}

/* The answer to the call in flight: HTTP `status` (0 = none came), a payment status. */
static void answer(struct settle_job *j, int status, const char *err, const char *pay, int64_t now)
{
    struct settle_answer a = {.call = j->inflight, .reached = status != 0, .status = status,
                              .err_code = err ? err : "", .pay_status = pay ? pay : ""};
    struct settle_event e = {.in = SE_ANSWER, .answer = &a};
    fx.n = 0;
    settle_step(j, &e, now, &fx);
}

static void event(struct settle_job *j, enum settle_input in, int ok, int64_t now)
{
    struct settle_event e = {.in = in, .ok = ok};
    fx.n = 0;
    settle_step(j, &e, now, &fx);
}

/* Paid, and nobody told the customer otherwise: completed, recorded, the lock ends with it. */
static void paid_is_completed_and_recorded(void **state)
{
    (void)state;
    struct settle_job j;
    fx.n = 0;
    settle_start_payment(&j, 0, 1, 180000, 0, &fx);
    assert_int_equal(j.state, SETTLE_QUERY);
    assert_true(has(EFF_CALL, SC_QUERY)); /* always asked first */
    answer(&j, 200, NULL, "PAID", 10);
    assert_int_equal(j.state, SETTLE_COMPLETE);
    assert_true(has(EFF_CALL, SC_COMPLETE));
    answer(&j, 0, NULL, NULL, 20); /* no answer: recorded anyway, the outbox completes it */
    assert_int_equal(j.state, SETTLE_RECORD);
    assert_true(has(EFF_TXN, -1));
    event(&j, SE_RECORDED, 0, 30); /* the journal cannot write now */
    assert_int_equal(j.state, SETTLE_RECORD);
    assert_int_equal(settle_deadline(&j), 30 + SETTLE_RETRY_MS);
    event(&j, SE_TICK, 0, 30 + SETTLE_RETRY_MS);
    assert_true(has(EFF_TXN, -1));
    event(&j, SE_RECORDED, 1, 40 + SETTLE_RETRY_MS);
    assert_int_equal(j.state, SETTLE_IDLE);
    assert_int_equal(j.end, SETTLE_PAID);
    assert_string_equal(arg(EFF_RELEASE), "paid");
    assert_false(has(EFF_CALL, -1)); /* no unlock for a paid sale */
    assert_int_equal(settle_deadline(&j), INT64_MAX);
}

/* The customer was told it is cancelled: a payment that went through is reversed, its
 * intent settled as failed, then the sale's lock released. */
static void told_cancelled_is_reversed(void **state)
{
    (void)state;
    struct settle_job j;
    fx.n = 0;
    settle_start_payment(&j, 1, 1, 180000, 0, &fx);
    answer(&j, 200, NULL, "PAID", 10);
    assert_int_equal(j.state, SETTLE_CANCEL);
    assert_true(has(EFF_CALL, SC_CANCEL));
    answer(&j, 200, NULL, "REVERSED", 20);
    assert_int_equal(j.state, SETTLE_FAILED);
    assert_true(has(EFF_OUTCOME, 2));
    assert_string_equal(arg(EFF_OUTCOME), "REVERSED");
    event(&j, SE_WRITTEN, 1, 30);
    assert_int_equal(j.state, SETTLE_RELEASE);
    assert_true(has(EFF_CALL, SC_UNLOCK));
    answer(&j, 409, "SALE_LOCKED", NULL, 40); /* not ours any more: over all the same */
    assert_int_equal(j.state, SETTLE_IDLE);
    assert_int_equal(j.end, SETTLE_NOT_PAID);
    assert_string_equal(arg(EFF_RELEASE), "released");
}

/* A cancel goes only right after a query said the payment is open; no answer, or one that
 * cannot be used, and it is asked again first. */
static void never_cancelled_blind(void **state)
{
    (void)state;
    struct settle_job j;
    fx.n = 0;
    settle_start_payment(&j, 0, 0, 180000, 0, &fx);
    answer(&j, 0, NULL, NULL, 10); /* no answer */
    assert_int_equal(j.state, SETTLE_QUERY);
    assert_false(has(EFF_CALL, -1));
    event(&j, SE_TICK, 0, 10 + SETTLE_RETRY_MS);
    assert_true(has(EFF_CALL, SC_QUERY));
    answer(&j, 200, NULL, "NOTPAY", 20000); /* cannot be used */
    assert_false(has(EFF_CALL, -1));
    event(&j, SE_TICK, 0, 20000 + SETTLE_RETRY_MS);
    assert_true(has(EFF_CALL, SC_QUERY));
    answer(&j, 200, NULL, "USERPAYING", 31000);
    assert_int_equal(j.state, SETTLE_CANCEL);
    assert_true(has(EFF_CALL, SC_CANCEL));
    answer(&j, 503, "UNAVAILABLE", NULL, 32000); /* the cancel did not get through */
    assert_false(has(EFF_CALL, -1));
    event(&j, SE_TICK, 0, 32000 + SETTLE_RETRY_MS);
    assert_int_equal(j.state, SETTLE_QUERY);
    assert_true(has(EFF_CALL, SC_QUERY)); /* asked again before cancelling again */
    answer(&j, 404, "PAYMENT_NOT_FOUND", NULL, 43000);
    assert_true(has(EFF_CALL, SC_CANCEL)); /* never seen: closed for good */
    answer(&j, 200, NULL, "CLOSED", 44000);
    assert_int_equal(j.state, SETTLE_FAILED);
    event(&j, SE_WRITTEN, 1, 44100);
    assert_int_equal(j.state, SETTLE_IDLE); /* no lock to release */
    assert_int_equal(j.end, SETTLE_NOT_PAID);
}

/* Every wait has a deadline: an answer that never comes counts as none; a release stops at
 * the end of the lock's lease. */
static void deadlines(void **state)
{
    (void)state;
    struct settle_job j;
    fx.n = 0;
    settle_start_payment(&j, 0, 0, 180000, 0, &fx);
    assert_int_equal(settle_deadline(&j), SETTLE_ANSWER_MS);
    event(&j, SE_TICK, 0, SETTLE_ANSWER_MS);
    assert_int_equal(j.inflight, SC_NONE);
    assert_int_equal(settle_deadline(&j), SETTLE_ANSWER_MS + SETTLE_RETRY_MS);
    /* a late answer to the call given up on changes nothing */
    answer(&j, 200, NULL, "PAID", SETTLE_ANSWER_MS + 1);
    assert_int_equal(j.state, SETTLE_QUERY);
    settle_start_release(&j, 25000, 0, &fx);
    assert_true(has(EFF_CALL, SC_UNLOCK));
    answer(&j, 0, NULL, NULL, 5000);
    event(&j, SE_TICK, 0, 15000);
    answer(&j, 502, NULL, NULL, 16000);
    event(&j, SE_TICK, 0, 26000); /* the lease is over: it has run out by itself */
    assert_int_equal(j.state, SETTLE_IDLE);
    assert_string_equal(arg(EFF_RELEASE), "expired");
    assert_int_equal(j.end, SETTLE_RELEASED);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paid_is_completed_and_recorded),
        cmocka_unit_test(told_cancelled_is_reversed),
        cmocka_unit_test(never_cancelled_blind),
        cmocka_unit_test(deadlines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
