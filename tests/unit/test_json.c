#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/json.h"

/* `v` written with json_add_int, printed and read back with json_int. */
static int64_t round_trip(int64_t v, char *text, size_t cap)
{
    cJSON *o = cJSON_CreateObject();
    assert_non_null(json_add_int(o, "n", v));
    char *s = json_print_free(o);
    assert_non_null(s);
    snprintf(text, cap, "%s", s);
    cJSON *back = cJSON_Parse(s);
    free(s);
    int bad = 0;
    int64_t got = json_int(back, "n", INT64_MIN, INT64_MAX, &bad);
    cJSON_Delete(back);
    assert_false(bad);
    return got;
}

/* Whole numbers are printed exactly, also past the 15 digits cJSON keeps of a double. */
static void whole_numbers_exact(void **state)
{
    (void)state;
    static const int64_t v[] = {0, 1, -1, 33118, INT64_C(1796000000000),
                                INT64_C(999999999999999), INT64_C(1000000000000000),
                                INT64_C(9007199254740991), -INT64_C(9007199254740991),
                                INT64_C(4503599627370497)};
    char text[64], want[64];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_int_equal(round_trip(v[i], text, sizeof text), v[i]);
        snprintf(want, sizeof want, "{\"n\":%lld}", (long long)v[i]);
        assert_string_equal(text, want);
    }
}

static void fields_read_strictly(void **state)
{
    (void)state;
    cJSON *o = cJSON_Parse("{\"fen\":150,\"half\":1.5,\"text\":\"92#\",\"empty\":\"\","
                           "\"long\":\"abcdefgh\",\"big\":1e300}");
    int bad = 0;
    assert_int_equal(json_int(o, "fen", 0, JSON_MAX_FEN, &bad), 150);
    assert_false(bad);
    const char *refused[] = {"half", "text", "missing", "big"};
    for (size_t i = 0; i < 4; i++) {
        bad = 0;
        assert_int_equal(json_int(o, refused[i], 0, JSON_MAX_FEN, &bad), 0);
        assert_true(bad);
    }
    bad = 0;
    assert_int_equal(json_int(o, "fen", 200, 300, &bad), 0); /* out of range */
    assert_true(bad);
    char out[5];
    bad = 0;
    json_copy(o, "text", out, sizeof out, 0, &bad);
    assert_string_equal(out, "92#");
    assert_false(bad);
    json_copy(o, "empty", out, sizeof out, 1, &bad);
    assert_false(bad);
    json_copy(o, "empty", out, sizeof out, 0, &bad);
    assert_true(bad);
    bad = 0;
    json_copy(o, "long", out, sizeof out, 0, &bad); /* does not fit */
    assert_true(bad);
    assert_true(strlen(out) < sizeof out);
    assert_string_equal(json_str(o, "text"), "92#");
    assert_string_equal(json_str(o, "fen"), "");
    cJSON_Delete(o);
    assert_true(json_path_safe("T0001-S_1"));
    assert_false(json_path_safe(""));
    assert_false(json_path_safe("a/b"));
    assert_false(json_path_safe("..x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_numbers_exact),
        cmocka_unit_test(fields_read_strictly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
