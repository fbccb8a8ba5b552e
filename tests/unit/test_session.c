#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/log.h"
#include "flow.h"

static int has(const struct effects *fx, enum effect_kind k)
{
    for (int i = 0; i < fx->n; i++)
        if (fx->v[i].kind == k)
            return 1;
    return 0;
}

static void step(struct sess_flow *s, enum sess_input in, int64_t now, struct effects *fx)
{
    struct sess_event e = {in, 0, REASON_NONE};
    fx->n = 0;
    sess_step(s, &e, now, fx);
}

static void attract_slides_advance(void **state)
{
    (void)state;
    struct sess_flow s;
    struct effects fx;
    sess_init(&s, 60000, 30000, 6000, 3, 0);
    assert_int_equal(sess_deadline(&s), 6000);
    step(&s, SI_TICK, 5999, &fx);
    assert_int_equal(s.slide, 0);
    step(&s, SI_TICK, 6000, &fx);
    assert_int_equal(s.slide, 1);
    assert_true(has(&fx, EFF_REDRAW));
    step(&s, SI_TICK, 12000, &fx);
    step(&s, SI_TICK, 18000, &fx);
    assert_int_equal(s.slide, 0);
    /* Attract never asks "more time?". */
    step(&s, SI_TICK, 10000000, &fx);
    assert_int_equal(s.state, SESS_ATTRACT);
}

static void inactivity_prompt_then_end(void **state)
{
    (void)state;
    struct sess_flow s;
    struct effects fx;
    sess_init(&s, 60000, 30000, 6000, 3, 0);
    step(&s, SI_START, 1000, &fx);
    assert_int_equal(s.state, SESS_HOME);
    step(&s, SI_TOUCH, 30000, &fx);
    assert_int_equal(sess_deadline(&s), 90000);
    step(&s, SI_TICK, 89999, &fx);
    assert_int_equal(s.state, SESS_HOME);
    step(&s, SI_TICK, 90000, &fx);
    assert_int_equal(s.state, SESS_ASK_MORE);
    assert_int_equal(sess_prompt_left_s(&s, 90000), 30);
    assert_int_equal(sess_prompt_left_s(&s, 119500), 1);
    /* A touch elsewhere does not dismiss the prompt; only an answer does. */
    step(&s, SI_TOUCH, 100000, &fx);
    assert_int_equal(s.state, SESS_ASK_MORE);
    step(&s, SI_TICK, 120000, &fx);
    assert_int_equal(s.state, SESS_ATTRACT);
    assert_true(has(&fx, EFF_DISCARD));
}

static void more_time_resumes(void **state)
{
    (void)state;
    struct sess_flow s;
    struct effects fx;
    sess_init(&s, 60000, 30000, 6000, 3, 0);
    step(&s, SI_START, 0, &fx);
    step(&s, SI_TICK, 60000, &fx);
    assert_int_equal(s.state, SESS_ASK_MORE);
    step(&s, SI_MORE_TIME, 70000, &fx);
    assert_int_equal(s.state, SESS_HOME);
    assert_false(has(&fx, EFF_DISCARD));
    assert_int_equal(sess_deadline(&s), 130000);
}

static void choose_service(void **state)
{
    (void)state;
    struct sess_flow s;
    struct effects fx = {.n = 0};
    sess_init(&s, 60000, 30000, 6000, 3, 0);
    step(&s, SI_START, 0, &fx);
    /* a tile that cannot be chosen now: its reason, in a dialog over the home menu */
    struct sess_event no = {SI_CHOOSE, 3, REASON_CARD_READER};
    fx.n = 0;
    sess_step(&s, &no, 10, &fx);
    assert_int_equal(s.state, SESS_HOME);
    assert_int_equal(s.explain, 3);
    assert_int_equal(s.explain_reason, REASON_CARD_READER);
    assert_true(has(&fx, EFF_REDRAW));
    /* nothing starts under the dialog */
    struct sess_event yes = {SI_CHOOSE, 1, REASON_NONE};
    fx.n = 0;
    sess_step(&s, &yes, 15, &fx);
    assert_int_equal(s.state, SESS_HOME);
    assert_false(has(&fx, EFF_ENTER_SERVICE));
    step(&s, SI_DISMISS, 16, &fx);
    assert_int_equal(s.explain, -1);
    fx.n = 0;
    sess_step(&s, &yes, 20, &fx);
    assert_int_equal(s.state, SESS_SERVICE);
    assert_int_equal(s.tile, 1);
    int entered = -1;
    for (int i = 0; i < fx.n; i++)
        if (fx.v[i].kind == EFF_ENTER_SERVICE)
            entered = (int)fx.v[i].i;
    assert_int_equal(entered, 1);
    /* the service ends: home, with what the customer brought wiped */
    step(&s, SI_HOME, 25, &fx);
    assert_int_equal(s.state, SESS_HOME);
    assert_true(has(&fx, EFF_DISCARD));
    step(&s, SI_END, 30, &fx);
    assert_int_equal(s.state, SESS_ATTRACT);
    assert_true(has(&fx, EFF_DISCARD));
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attract_slides_advance), cmocka_unit_test(inactivity_prompt_then_end),
        cmocka_unit_test(more_time_resumes),      cmocka_unit_test(choose_service),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
