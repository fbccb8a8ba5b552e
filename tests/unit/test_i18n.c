#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"

static char dir[1024];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/locale", getenv("KIOSK_BUILD"));
    return 0;
}

static void loads_and_switches(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(i18n_init(dir, "zh_CN,en_US", err, sizeof err), 0);
    assert_string_equal(i18n_lang(), "zh_CN");
    assert_string_equal(_("Choose a service"), "请选择服务");
    assert_string_equal(i18n_cycle(), "en_US");
    assert_string_equal(_("Choose a service"), "Choose a service");
    assert_string_equal(i18n_get_in("zh_CN", "Touch anywhere to start"), "触摸屏幕开始");
    /* Unknown ids come back unchanged. */
    assert_string_equal(_("no such message id"), "no such message id");
    assert_int_equal(i18n_set_lang("fr_FR"), -1);
    assert_string_equal(i18n_cycle(), "zh_CN");
    i18n_shutdown();
}

static void missing_catalog(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(i18n_init(dir, "zh_CN,xx_XX", err, sizeof err), -1);
    assert_non_null(strstr(err, "xx_XX/LC_MESSAGES/kiosk.mo"));
    assert_int_equal(i18n_count(), 0);
}

static void corrupt_catalog(void **state)
{
    (void)state;
    char tmp[] = "/tmp/kiosk-i18n-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char p[1200];
    snprintf(p, sizeof p, "mkdir -p %s/zz_ZZ/LC_MESSAGES", tmp);
    assert_int_equal(system(p), 0);
    snprintf(p, sizeof p, "%s/zz_ZZ/LC_MESSAGES/kiosk.mo", tmp);
    FILE *f = fopen(p, "wb");
    /* A valid magic with an entry count that points past the end. */
    const unsigned char bad[28] = {0xde, 0x12, 0x04, 0x95, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 28, 0,
                                   0, 0, 28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    fwrite(bad, 1, sizeof bad, f);
    fclose(f);
    char err[512];
    assert_int_equal(i18n_init(tmp, "zz_ZZ", err, sizeof err), -1);
    assert_non_null(strstr(err, "not a valid gettext .mo catalog"));
    snprintf(p, sizeof p, "rm -rf %s", tmp);
    assert_int_equal(system(p), 0);
}

/* Every message id in the sources is in kiosk.pot and translated in both catalogs. */
static void catalogs_complete(void **state)
{
    (void)state;
    char cmd[2600], pot[64];
    const char *src = getenv("KIOSK_SRC");
    snprintf(pot, sizeof pot, "/tmp/kiosk-check-%d.pot", (int)getpid());
    snprintf(cmd, sizeof cmd,
             "cd %s && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=i18n_get_in:2 --language=C "
             "--no-location --sort-output -o %s kiosk/*/*.c kiosk/*/*/*.c "
             "kiosk/*.c && msgcmp --use-untranslated i18n/kiosk.pot %s && "
             "msgcmp --use-untranslated %s i18n/kiosk.pot && "
             "for l in zh_CN en_US; do msgcmp i18n/$l.po %s || exit 1; "
             "test -z \"$(msgattrib --untranslated --no-obsolete i18n/$l.po)\" || exit 1; done",
             src, pot, pot, pot, pot);
    int rc = system(cmd);
    unlink(pot);
    assert_int_equal(rc, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_and_switches),
        cmocka_unit_test(missing_catalog),
        cmocka_unit_test(corrupt_catalog),
        cmocka_unit_test(catalogs_complete),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
