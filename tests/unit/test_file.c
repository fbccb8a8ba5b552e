/* core/file.c: whole files read and replaced. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/file.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/kiosk-file-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void replace_then_read(void **state)
{
    (void)state;
    char path[128], tmp[140];
    snprintf(path, sizeof path, "%s/a.ini", dir);
    assert_int_equal(file_replace(path, "[kiosk]\nstation_name = A\n", 25), 0);
    size_t n = 0;
    char *s = file_slurp(path, 1024, &n);
    assert_non_null(s);
    assert_int_equal(n, 25);
    assert_string_equal(s, "[kiosk]\nstation_name = A\n");
    free(s);
    /* a second replace leaves the new text whole, and no temporary file behind */
    assert_int_equal(file_replace(path, "x", 1), 0);
    s = file_slurp(path, 1024, NULL);
    assert_string_equal(s, "x");
    free(s);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_equal(access(tmp, F_OK), -1);
    /* empty is a file too */
    assert_int_equal(file_replace(path, "", 0), 0);
    s = file_slurp(path, 1024, &n);
    assert_non_null(s);
    assert_int_equal(n, 0);
    free(s);
}

static void limits_and_errors(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/big", dir);
    assert_int_equal(file_replace(path, "0123456789", 10), 0);
    errno = 0;
    assert_null(file_slurp(path, 9, NULL));
    assert_int_equal(errno, EFBIG);
    char *s = file_slurp(path, 10, NULL);
    assert_non_null(s);
    free(s);
    errno = 0;
    snprintf(path, sizeof path, "%s/none", dir);
    assert_null(file_slurp(path, 10, NULL));
    assert_int_equal(errno, ENOENT);
    /* a folder that does not exist: the old file (none) is untouched, errno says why */
    snprintf(path, sizeof path, "%s/no/such/file", dir);
    assert_int_equal(file_replace(path, "x", 1), -1);
    assert_int_equal(errno, ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replace_then_read),
        cmocka_unit_test(limits_and_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
