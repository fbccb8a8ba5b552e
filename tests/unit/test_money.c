#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/money.h"

static void format_amounts(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(money_format(0, b, sizeof b), "¥0.00");
    assert_string_equal(money_format(5, b, sizeof b), "¥0.05");
    assert_string_equal(money_format(123456, b, sizeof b), "¥1,234.56");
    assert_string_equal(money_format(100000000, b, sizeof b), "¥1,000,000.00");
    assert_string_equal(money_format(-33118, b, sizeof b), "-¥331.18");
    assert_string_equal(money_format(INT64_MIN, b, sizeof b), "-¥92,233,720,368,547,758.08");
    /* A small buffer truncates, never overflows. */
    char small[6];
    money_format(123456, small, sizeof small);
    assert_int_equal(small[5], '\0');
}

static void format_volume(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(volume_format(45120, b, sizeof b), "45.12 L");
    assert_string_equal(volume_format(45125, b, sizeof b), "45.13 L");
    assert_string_equal(volume_format(0, b, sizeof b), "0.00 L");
}

static void parse_amounts(void **state)
{
    (void)state;
    int64_t f;
    assert_int_equal(money_parse("1234.56", &f), 0);
    assert_int_equal(f, 123456);
    assert_int_equal(money_parse("¥1,234.5", &f), 0);
    assert_int_equal(f, 123450);
    assert_int_equal(money_parse("7", &f), 0);
    assert_int_equal(f, 700);
    assert_int_equal(money_parse("1.234", &f), -1);
    assert_int_equal(money_parse("", &f), -1);
    assert_int_equal(money_parse("12a", &f), -1);
    assert_int_equal(money_parse("1.2.3", &f), -1);
    assert_int_equal(money_parse("99999999999999999999", &f), -1);
    assert_int_equal(money_parse(NULL, &f), -1);
}

static void price_times_volume(void **state)
{
    (void)state;
    /* 7.34 yuan/L * 45.12 L = 331.1808 -> 331.18 */
    assert_int_equal(money_mul_volume(734, 45120), 33118);
    /* half up: 1 fen/L * 500 ml = 0.5 fen -> 1 */
    assert_int_equal(money_mul_volume(1, 500), 1);
    assert_int_equal(money_mul_volume(1, 499), 0);
    assert_int_equal(money_mul_volume(-1, 10), -1);
    assert_int_equal(money_mul_volume(INT64_MAX / 2, 1000), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_amounts),
        cmocka_unit_test(format_volume),
        cmocka_unit_test(parse_amounts),
        cmocka_unit_test(price_times_volume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
