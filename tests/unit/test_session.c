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

/* Each slide stays as long as it says (0: the default); every slide that leaves the attract
 * screen is told once, with how long it was shown, and a customer's start says interrupted. */
static void slides_played(void **state)
{
    (void)state;
    struct sess_flow s, was;
    struct effects fx;
    struct sess_play p;
    const int ms[2] = {4000, 0};
    sess_init(&s, 60000, 30000, 6000, 0, 0);
    sess_set_slides(&s, 2, ms, 100);
    assert_int_equal(s.nslides, 2);
    assert_int_equal(s.slide_since_ms, 100);
    assert_int_equal(sess_deadline(&s), 4100);
    was = s;
    step(&s, SI_TICK, 4099, &fx);
    assert_false(sess_played(&was, &s, 4099, &p));
    assert_false(sess_slide_began(&was, &s));
    step(&s, SI_TICK, 4150, &fx); /* a tick a little late: the slide was shown that long */
    assert_true(sess_played(&was, &s, 4150, &p));
    assert_int_equal(p.slide, 0);
    assert_int_equal(p.since_ms, 100);
    assert_int_equal(p.shown_ms, 4050);
    assert_false(p.interrupted);
    assert_true(sess_slide_began(&was, &s));
    assert_int_equal(s.slide, 1);
    assert_int_equal(sess_deadline(&s), 10150); /* the default 6 s */
    /* a touch on attract changes nothing; the start ends the slide, interrupted */
    was = s;
    step(&s, SI_TOUCH, 5000, &fx);
    assert_false(sess_played(&was, &s, 5000, &p));
    step(&s, SI_START, 7150, &fx);
    assert_true(sess_played(&was, &s, 7150, &p));
    assert_int_equal(p.slide, 1);
    assert_int_equal(p.shown_ms, 3000);
    assert_true(p.interrupted);
    assert_false(sess_slide_began(&was, &s));
    /* nothing is played off attract; back on attract a new round begins */
    was = s;
    step(&s, SI_END, 9000, &fx);
    assert_false(sess_played(&was, &s, 9000, &p));
    assert_true(sess_slide_began(&was, &s));
    assert_int_equal(s.slide, 0);
    assert_int_equal(sess_deadline(&s), 13000);
}

/* One slide, or none: the attract screen still turns, each showing a round of its own (so
 * that what operations push is read again), without redrawing anything. */
static void one_slide_rounds(void **state)
{
    (void)state;
    struct sess_flow s, was;
    struct effects fx;
    struct sess_play p;
    sess_init(&s, 60000, 30000, 6000, 1, 0);
    assert_int_equal(sess_deadline(&s), 6000);
    was = s;
    step(&s, SI_TICK, 6000, &fx);
    assert_false(has(&fx, EFF_REDRAW));
    assert_true(sess_played(&was, &s, 6000, &p));
    assert_int_equal(p.shown_ms, 6000);
    assert_true(sess_slide_began(&was, &s));
    assert_int_equal(s.slide, 0);
    assert_int_equal(sess_deadline(&s), 12000);
    /* none: rounds, but nothing played */
    const int ms[1] = {0};
    sess_set_slides(&s, 0, ms, 12000);
    was = s;
    step(&s, SI_TICK, 18000, &fx);
    assert_false(sess_played(&was, &s, 18000, &p));
    assert_true(sess_slide_began(&was, &s));
    /* more than SESS_SLIDES_MAX are cut */
    int many[SESS_SLIDES_MAX + 2];
    for (int i = 0; i < SESS_SLIDES_MAX + 2; i++)
        many[i] = 3000;
    sess_set_slides(&s, SESS_SLIDES_MAX + 2, many, 20000);
    assert_int_equal(s.nslides, SESS_SLIDES_MAX);
    /* off attract, a new slideshow waits for the next round */
    step(&s, SI_START, 21000, &fx);
    sess_set_slides(&s, 2, many, 22000);
    assert_int_equal(s.state, SESS_HOME);
    assert_int_equal(s.slide_since_ms, 20000);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attract_slides_advance), cmocka_unit_test(inactivity_prompt_then_end),
        cmocka_unit_test(more_time_resumes),      cmocka_unit_test(choose_service),
        cmocka_unit_test(slides_played),          cmocka_unit_test(one_slide_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
