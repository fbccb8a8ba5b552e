#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "host/script.h"

static void parses_every_step(void **state)
{
    (void)state;
    struct script s;
    char err[256];
    const char *text = "# comment\n\n"
                       "size 1920 1080\n"
                       "wait home 3s\n"
                       "tap home.fuel\n"
                       "type hello world\n"
                       "key Tab\n"
                       "scan 6901234567892\n"
                       "expect home.title Choose a service\n"
                       "absent dialog.ok\n"
                       "unavailable home.card\n"
                       "available home.fuel\n"
                       "await done.receipt printed\n"
                       "advance 61s\n"
                       "pause 250ms\n"
                       "shot 01-home\n";
    assert_int_equal(script_parse(&s, "t", text, err, sizeof err), 0);
    assert_int_equal(s.n, 14);
    assert_int_equal(s.steps[0].kind, STEP_SIZE);
    assert_int_equal(s.steps[0].w, 1920);
    assert_int_equal(s.steps[1].kind, STEP_WAIT);
    assert_int_equal(s.steps[1].ms, 3000);
    assert_int_equal(s.steps[1].line, 4);
    assert_string_equal(s.steps[3].arg, "hello world");
    assert_string_equal(s.steps[6].arg, "home.title");
    assert_string_equal(s.steps[6].text, "Choose a service");
    assert_int_equal(s.steps[9].kind, STEP_AVAILABLE);
    assert_int_equal(s.steps[10].kind, STEP_AWAIT);
    assert_string_equal(s.steps[10].text, "printed");
    assert_int_equal(s.steps[11].ms, 61000);
    assert_int_equal(s.steps[12].ms, 250);
    script_free(&s);
}

static void expect_bad(const char *text, const char *needle)
{
    struct script s;
    char err[256];
    assert_int_equal(script_parse(&s, "bad.script", text, err, sizeof err), -1);
    if (!strstr(err, needle))
        fail_msg("'%s' does not mention '%s'", err, needle);
    assert_null(s.steps);
}

static void rejects_malformed_lines(void **state)
{
    (void)state;
    expect_bad("tap home.fuel\njump home\n", "bad.script:2: unknown step 'jump'");
    expect_bad("tap\n", ":1: 'tap' needs an argument");
    expect_bad("tap two ids\n", "takes one widget id");
    expect_bad("tap bad/id\n", "takes one widget id");
    expect_bad("wait home soon\n", "bad timeout 'soon'");
    expect_bad("advance 10\n", "bad duration '10'");
    expect_bad("advance -5s\n", "bad duration");
    expect_bad("size 10 10\n", "width and height");
    expect_bad("size 1080\n", "width and height");
    expect_bad("card insert\n", "unknown step");
    expect_bad("shot ../../etc/x\n", "'shot' takes one name");
    expect_bad("key Tab Tab\n", "one key name");
    expect_bad("await done.receipt\n", "'await' takes a widget id and the text");
}

/* type and scan carry bytes as a device sends them: \xNN for any byte, \\ for '\'. */
static void escapes(void **state)
{
    (void)state;
    struct script s;
    char err[256];
    assert_int_equal(script_parse(&s, "t", "type 1345 6789\\xff 0123\\x01 45\n"
                                           "scan a\\\\b\n", err, sizeof err), 0);
    assert_string_equal(s.steps[0].arg, "1345 6789\xff 0123\x01 45");
    assert_string_equal(s.steps[1].arg, "a\\b");
    script_free(&s);
    expect_bad("scan 12\\x\n", "backslash starts");
    expect_bad("scan 12\\x00\n", "backslash starts");
    expect_bad("type 12\\q\n", "backslash starts");
}

static void durations(void **state)
{
    (void)state;
    assert_int_equal(script_duration("500ms"), 500);
    assert_int_equal(script_duration("5s"), 5000);
    assert_int_equal(script_duration("2m"), 120000);
    assert_int_equal(script_duration("5"), -1);
    assert_int_equal(script_duration("s"), -1);
    assert_int_equal(script_duration("99999999999s"), -1);
}

static void missing_file(void **state)
{
    (void)state;
    struct script s;
    char err[256];
    assert_int_equal(script_load(&s, "/nonexistent.script", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent.script: cannot read the script"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_every_step),
        cmocka_unit_test(rejects_malformed_lines),
        cmocka_unit_test(escapes),
        cmocka_unit_test(durations),
        cmocka_unit_test(missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
