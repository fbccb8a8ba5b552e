#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiosk/core/config.h"

static char path[] = "/tmp/kiosk-config-XXXXXX";

static void write_cfg(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void defaults_are_valid(void **state)
{
    (void)state;
    struct kiosk_config c;
    config_defaults(&c);
    assert_string_equal(c.languages, "zh_CN,en_US");
    assert_int_equal(c.idle_prompt_s, 30);
    assert_true(c.idle_prompt_s >= 20);
    assert_int_equal(c.svc_fuel, 1);
    assert_string_equal(c.theme, "default");
}

static void good_file(void **state)
{
    (void)state;
    struct kiosk_config c;
    char err[256];
    write_cfg("; comment\n[kiosk]\nterminal_id = T0042\n[display]\ntheme = high_contrast\n"
              "large_text = yes\nwidth = 1920\n[session]\nidle_prompt_s = 25\n");
    assert_int_equal(config_load(&c, path, err, sizeof err), 0);
    assert_string_equal(c.terminal_id, "T0042");
    assert_string_equal(c.theme, "high_contrast");
    assert_int_equal(c.large_text, 1);
    assert_int_equal(c.width, 1920);
    assert_int_equal(c.idle_prompt_s, 25);
}

static void expect_error(const char *text, const char *needle)
{
    struct kiosk_config c;
    char err[512];
    write_cfg(text);
    assert_int_equal(config_load(&c, path, err, sizeof err), -1);
    if (!strstr(err, needle))
        fail_msg("error '%s' does not mention '%s'", err, needle);
    /* Every error names the file. */
    assert_non_null(strstr(err, path));
}

static void bad_files(void **state)
{
    (void)state;
    expect_error("[kiosk]\nterminal_idd = x\n", ":2: kiosk.terminal_idd: unknown key");
    expect_error("[nosuch]\nx = 1\n", "nosuch.x: unknown key");
    expect_error("[session]\n\nidle_prompt_s = 10\n", ":3: session.idle_prompt_s: 10 is outside 20..600");
    expect_error("[display]\nwidth = wide\n", "'wide' is not a whole number");
    expect_error("[display]\nfullscreen = maybe\n", "'maybe' is not true or false");
    expect_error("[display]\ntheme = pink\n", "'pink' is not one of default|high_contrast");
    expect_error("[display]\nthis line has no equals sign\n", ":2: malformed line");
    char longv[700];
    memset(longv, 'a', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    char text[800];
    snprintf(text, sizeof text, "[kiosk]\nterminal_id = %s\n", longv);
    expect_error(text, "value longer than 31 characters");
}

static void missing_file(void **state)
{
    (void)state;
    struct kiosk_config c;
    char err[256];
    assert_int_equal(config_load(&c, "/nonexistent/kiosk.ini", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/kiosk.ini: cannot open"));
}

static void set_override(void **state)
{
    (void)state;
    struct kiosk_config c;
    char err[256];
    config_defaults(&c);
    assert_int_equal(config_set(&c, "display", "height", "1080", err, sizeof err), 0);
    assert_int_equal(c.height, 1080);
    assert_int_equal(config_set(&c, "display", "height", "-5", err, sizeof err), -1);
}

/* Every key in the table is documented in docs/config.md with its default. */
static void every_key_documented(void **state)
{
    (void)state;
    char p[1024];
    snprintf(p, sizeof p, "%s/docs/config.md", getenv("KIOSK_SRC"));
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    static char doc[1 << 16];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = '\0';
    for (const struct cfg_option *o = config_options; o->name; o++) {
        char row[160];
        const char *src = getenv("KIOSK_SRC"), *bld = getenv("KIOSK_BUILD");
        /* Paths baked in at build time are documented by name, not by value. */
        if (!strncmp(o->def, src, strlen(src)) || !strncmp(o->def, bld, strlen(bld)))
            snprintf(row, sizeof row, "| `%s` |", o->name);
        else if (!o->def[0])
            snprintf(row, sizeof row, "| `%s` | (empty) |", o->name);
        else
            snprintf(row, sizeof row, "| `%s` | `%s` |", o->name, o->def);
        char sec[64];
        snprintf(sec, sizeof sec, "## [%s]", o->section);
        if (!strstr(doc, sec))
            fail_msg("docs/config.md has no section %s", sec);
        if (!strstr(doc, row))
            fail_msg("docs/config.md has no row starting %s", row);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_valid), cmocka_unit_test(good_file),
        cmocka_unit_test(bad_files),          cmocka_unit_test(missing_file),
        cmocka_unit_test(set_override),       cmocka_unit_test(every_key_documented),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
