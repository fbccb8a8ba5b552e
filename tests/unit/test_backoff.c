#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/backoff.h"

static void full_jitter_within_ceiling(void **state)
{
    (void)state;
    uint32_t s1 = 5, s2 = 5;
    int64_t max_seen = 0;
    for (int i = 1; i < 40; i++) {
        int64_t a = backoff_ms(i, 100, 1000, &s1), b = backoff_ms(i, 100, 1000, &s2);
        assert_int_equal(a, b); /* deterministic for a seed */
        int64_t ceiling = i >= 5 ? 1000 : 100 << (i - 1);
        assert_true(a >= 0 && a <= ceiling);
        if (a > max_seen)
            max_seen = a;
    }
    assert_true(max_seen > 500); /* it does grow towards the cap */
    uint32_t z = 0;
    assert_true(backoff_ms(1, 0, 0, &z) <= 1); /* degenerate input stays sane */
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(full_jitter_within_ceiling)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
