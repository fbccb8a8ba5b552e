/* The update service's decision (kiosk/services/update/decide.c): a staged version is
 * switched to only at a quiet moment (never while a customer is in a session, an intent is
 * open, a print pending: host_quiet() says no), a trial is judged only by the kiosk on trial,
 * committed once home and backend are reached and it has been up a while, rolled back when
 * its deadline passes unhealthy, and committed after the deadline when it is healthy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "decide.h"

static void test_switch_waits_for_quiet(void **state)
{
    (void)state;
    enum upd_why why;
    struct upd_facts f = {.staged = 1, .quiet = 0};
    assert_int_equal(upd_decide(&f, &why), UPD_WAIT); /* a customer in a session, say */
    f.quiet = 1;
    assert_int_equal(upd_decide(&f, &why), UPD_SWITCH);
    assert_int_equal(why, UPD_WHY_NONE);
    /* nothing staged: a quiet moment changes nothing */
    f = (struct upd_facts){.quiet = 1};
    assert_int_equal(upd_decide(&f, &why), UPD_WAIT);
}

static void test_trial(void **state)
{
    (void)state;
    enum upd_why why;
    struct upd_facts f = {.trial = 1, .ours = 1, .settle_ms = 3000, .now = 1000,
                          .deadline = 13000};
    assert_int_equal(upd_decide(&f, &why), UPD_WAIT); /* nothing proven yet */
    f.home_shown = 1;
    assert_int_equal(upd_decide(&f, &why), UPD_WAIT);
    f.backend_up = 1;
    f.up_ms = 2999;
    assert_int_equal(upd_decide(&f, &why), UPD_WAIT); /* up too short */
    f.up_ms = 3000;
    assert_int_equal(upd_decide(&f, &why), UPD_COMMIT);
    assert_int_equal(why, UPD_WHY_HEALTHY);
    /* a quiet moment or not, a trial is no switch */
    f.quiet = 1;
    assert_int_equal(upd_decide(&f, &why), UPD_COMMIT);
}

static void test_trial_deadline(void **state)
{
    (void)state;
    enum upd_why why;
    struct upd_facts f = {.trial = 1, .ours = 1, .settle_ms = 3000, .up_ms = 60000,
                          .home_shown = 1, .now = 13000, .deadline = 13000};
    assert_int_equal(upd_decide(&f, &why), UPD_ROLLBACK);
    assert_int_equal(why, UPD_WHY_NO_BACKEND);
    f.home_shown = 0;
    assert_int_equal(upd_decide(&f, &why), UPD_ROLLBACK);
    assert_int_equal(why, UPD_WHY_NO_HOME);
    /* healthy at the deadline but not up long enough: good enough, committed */
    f = (struct upd_facts){.trial = 1, .ours = 1, .settle_ms = 3000, .up_ms = 100,
                           .home_shown = 1, .backend_up = 1, .now = 14000, .deadline = 13000};
    assert_int_equal(upd_decide(&f, &why), UPD_COMMIT);
    /* before the deadline, unhealthy: wait */
    f.backend_up = 0;
    f.now = 12999;
    assert_int_equal(upd_decide(&f, &why), UPD_WAIT);
}

static void test_not_ours(void **state)
{
    (void)state;
    enum upd_why why;
    /* the kiosk that switched, about to restart, or one started from another slot: it never
     * judges the trial, whatever it sees */
    struct upd_facts f = {.trial = 1, .ours = 0, .home_shown = 1, .backend_up = 1,
                          .up_ms = 60000, .now = 99999, .deadline = 1};
    assert_int_equal(upd_decide(&f, &why), UPD_WAIT);
    f.home_shown = f.backend_up = 0;
    assert_int_equal(upd_decide(&f, &why), UPD_WAIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch_waits_for_quiet),
        cmocka_unit_test(test_trial),
        cmocka_unit_test(test_trial_deadline),
        cmocka_unit_test(test_not_ours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
