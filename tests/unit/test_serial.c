/* The serial scanner driver against a real pty, in this process: the test holds the master
 * (the imager's side) and the driver opens the slave by its path, as it would /dev/ttyACM0.
 * Every wait is bounded; the whole test takes well under a second. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "scanner/lineframe.h"
#include "scanner/scanner.h"

static const char *const code = "134567890123451234";

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct scanner_ops *ops(void)
{
    return scanner_serial.ops;
}

/* Sets one key of the driver's options block, as the hub would from config. */
static void set_opt(void *block, const char *name, const char *value)
{
    for (const struct cfg_option *o = scanner_serial.options; o->name; o++) {
        if (strcmp(o->name, name))
            continue;
        char *field = (char *)block + o->offset;
        if (o->type == CFG_INT) {
            char *end;
            long v = strtol(value, &end, 10);
            assert_true(*end == '\0' && v >= o->min && v <= o->max);
            *(int *)field = (int)v;
        } else {
            assert_true(strlen(value) < o->size);
            memcpy(field, value, strlen(value) + 1);
        }
        return;
    }
    fail_msg("no option %s", name);
}

/* The imager's side (a pty master) and the driver's instance on the slave. */
struct rig {
    int master;
    char slave[128];
    void *opts, *priv;
    int opened;
};

/* A new pty (master non-blocking); the test's own slave fd is closed at once. */
static void new_pty(struct rig *r)
{
    int slave;
    assert_int_equal(openpty(&r->master, &slave, r->slave, NULL, NULL), 0);
    close(slave);
    fcntl(r->master, F_SETFL, fcntl(r->master, F_GETFL) | O_NONBLOCK);
    fcntl(r->master, F_SETFD, FD_CLOEXEC);
}

static void rig_opts(struct rig *r, const char *device, const char *suffix, const char *timeout)
{
    r->opts = calloc(1, scanner_serial.opts_size);
    r->priv = calloc(1, scanner_serial.priv_size);
    assert_non_null(r->opts);
    assert_non_null(r->priv);
    for (const struct cfg_option *o = scanner_serial.options; o->name; o++)
        set_opt(r->opts, o->name, o->def);
    set_opt(r->opts, "device", device);
    set_opt(r->opts, "suffix", suffix);
    set_opt(r->opts, "partial_timeout_ms", timeout);
}

/* A pty with the driver open on it. */
static void rig_start(struct rig *r, const char *suffix, const char *timeout)
{
    char err[160] = "";
    new_pty(r);
    rig_opts(r, r->slave, suffix, timeout);
    assert_int_equal(ops()->open(r->priv, r->opts, err, sizeof err), 0);
    r->opened = 1;
}

static void rig_stop(struct rig *r)
{
    if (r->opened)
        ops()->close(r->priv);
    if (r->master >= 0)
        close(r->master);
    free(r->opts);
    free(r->priv);
    memset(r, 0, sizeof *r);
}

/* Sends data[0..n) through the master while the driver reads, until all is sent and `want`
 * scans came (into out), or 3 s passed. The number of scans. */
static int send_read(struct rig *r, const void *data, size_t n, struct scan_read *out, int want)
{
    const uint8_t *p = data;
    int got = 0;
    int64_t give_up = now_ms() + 3000;
    while ((n || got < want) && now_ms() < give_up) {
        if (n) {
            ssize_t k = write(r->master, p, n);
            if (k > 0) {
                p += k;
                n -= (size_t)k;
            } else {
                assert_true(k < 0 && errno == EAGAIN);
            }
        }
        char err[160] = "";
        int rc = ops()->read(r->priv, &out[got < want ? got : want - 1], 10, err, sizeof err);
        assert_int_not_equal(rc, SCAN_GONE);
        if (rc == SCAN_CODE) {
            assert_true(got < want); /* more scans than the test expects */
            got++;
        }
    }
    return got;
}

/* Nothing more comes within `ms` (and read() keeps to its timeout). */
static void assert_quiet(struct rig *r, int ms)
{
    struct scan_read s;
    char err[160] = "";
    int64_t t0 = now_ms();
    assert_int_equal(ops()->read(r->priv, &s, ms, err, sizeof err), SCAN_NONE);
    int64_t took = now_ms() - t0;
    assert_true(took >= ms - 1 && took < ms + 100);
}

static void options_table(void **state)
{
    (void)state;
    static const char *const keys[] = {"device", "baud", "parity", "suffix", "partial_timeout_ms"};
    assert_string_equal(scanner_serial.name, "serial");
    assert_null(ops()->preview);
    assert_non_null(ops()->read);
    int n = 0;
    for (const struct cfg_option *o = scanner_serial.options; o->name; o++, n++) {
        assert_string_equal(o->name, keys[n]);
        assert_null(o->section);
        assert_non_null(o->help);
        assert_non_null(o->def);
        assert_true(o->offset + o->size <= scanner_serial.opts_size);
        if (o->type == CFG_ENUM) /* the default is one of the choices */
            assert_non_null(strstr(o->choices, o->def));
    }
    assert_int_equal(n, 5);
    struct rig r = {.master = -1};
    rig_opts(&r, "/dev/null", "cr", "500");
    const struct cfg_option *o = scanner_serial.options;
    assert_string_equal((char *)r.opts + o[1].offset, "9600");
    assert_string_equal((char *)r.opts + o[2].offset, "none");
    assert_string_equal((char *)r.opts + o[3].offset, "cr");
    assert_int_equal(o[4].min, 50);
    assert_int_equal(o[4].max, 10000);
    rig_stop(&r);
}

/* A code arrives exactly, with every suffix; two in one write come one per read. */
static void code_arrives(void **state)
{
    (void)state;
    static const char *const suffixes[] = {"cr", "lf", "crlf"};
    for (int i = 0; i < 3; i++) {
        struct rig r;
        struct scan_read s[2];
        enum lineframe_suffix sfx;
        char line[128];
        rig_start(&r, suffixes[i], "500");
        assert_int_equal(lineframe_suffix_parse(suffixes[i], &sfx), 0);
        const char *e = lineframe_suffix_bytes(sfx);
        snprintf(line, sizeof line, "%s%s", code, e);
        assert_int_equal(send_read(&r, line, strlen(line), s, 1), 1);
        assert_int_equal(s[0].refused, 0);
        assert_string_equal(s[0].text, code);
        snprintf(line, sizeof line, "2845678901234567%s发票抬头%s", e, e);
        assert_int_equal(send_read(&r, line, strlen(line), s, 2), 2);
        assert_string_equal(s[0].text, "2845678901234567");
        assert_string_equal(s[1].text, "发票抬头");
        assert_quiet(&r, 30);
        rig_stop(&r);
    }
}

/* Every parity and speed the table offers opens a pty. */
static void line_settings(void **state)
{
    (void)state;
    static const char *const bauds[] = {"9600", "19200", "38400", "57600", "115200"};
    static const char *const parities[] = {"none", "even", "odd"};
    for (int b = 0; b < 5; b++) {
        for (int p = 0; p < 3; p++) {
            struct rig r;
            char err[160] = "";
            new_pty(&r);
            rig_opts(&r, r.slave, "cr", "500");
            set_opt(r.opts, "baud", bauds[b]);
            set_opt(r.opts, "parity", parities[p]);
            assert_int_equal(ops()->open(r.priv, r.opts, err, sizeof err), 0);
            r.opened = 1;
            int fd = open(r.slave, O_RDWR | O_NOCTTY); /* root passes TIOCEXCL */
            assert_true(fd >= 0);
            struct termios t;
            assert_int_equal(tcgetattr(fd, &t), 0);
            assert_int_equal(t.c_lflag & (ICANON | ECHO | ISIG), 0); /* raw */
            assert_int_equal(t.c_cflag & CSIZE, CS8);
            close(fd);
            rig_stop(&r);
        }
    }
}

static void garbage_refused(void **state)
{
    (void)state;
    struct rig r;
    struct scan_read s[3];
    rig_start(&r, "cr", "500");
    const char bytes[] = "\001\37712\r1345\000678\r\033[2J\r";
    assert_int_equal(send_read(&r, bytes, sizeof bytes - 1, s, 3), 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s[i].refused, 1);
        assert_string_equal(s[i].text, "");
        assert_true(s[i].why[0] != '\0');
    }
    assert_non_null(strstr(s[1].why, "NUL"));
    char line[64];
    snprintf(line, sizeof line, "%s\r", code);
    assert_int_equal(send_read(&r, line, strlen(line), s, 1), 1);
    assert_string_equal(s[0].text, code);
    rig_stop(&r);
}

/* A partial line is refused at its deadline, not at the end of the read's timeout. */
static void partial_times_out(void **state)
{
    (void)state;
    struct rig r;
    struct scan_read s;
    char err[160] = "";
    rig_start(&r, "cr", "100");
    int64_t t0 = now_ms();
    assert_int_equal(write(r.master, "13456789", 8), 8);
    int rc;
    do /* the read returns at the deadline, whatever its own timeout */
        rc = ops()->read(r.priv, &s, 2000, err, sizeof err);
    while (rc == SCAN_NONE && now_ms() - t0 < 2000);
    int64_t took = now_ms() - t0;
    assert_int_equal(rc, SCAN_CODE);
    assert_int_equal(s.refused, 1);
    assert_string_equal(s.why, "incomplete line");
    assert_true(took >= 99 && took < 600);
    assert_quiet(&r, 150); /* reported once */
    char line[64];
    snprintf(line, sizeof line, "%s\r", code);
    assert_int_equal(send_read(&r, line, strlen(line), &s, 1), 1);
    assert_string_equal(s.text, code);
    rig_stop(&r);
}

/* 10 kB without an end (more than the pty holds at once) is one refusal. */
static void long_line(void **state)
{
    (void)state;
    static char line[10 * 1024 + 32];
    struct rig r;
    struct scan_read s[2];
    rig_start(&r, "crlf", "500");
    memset(line, '6', 10 * 1024);
    snprintf(line + 10 * 1024, sizeof line - 10 * 1024, "\r\n%s\r\n", code);
    assert_int_equal(send_read(&r, line, strlen(line), s, 2), 2);
    assert_int_equal(s[0].refused, 1);
    assert_non_null(strstr(s[0].why, "longer than"));
    assert_int_equal(s[1].refused, 0);
    assert_string_equal(s[1].text, code);
    assert_quiet(&r, 30);
    rig_stop(&r);
}

static void unplugged(void **state)
{
    (void)state;
    struct rig r;
    struct scan_read s;
    char err[160] = "";
    rig_start(&r, "cr", "500");
    close(r.master);
    r.master = -1;
    int64_t t0 = now_ms();
    assert_int_equal(ops()->read(r.priv, &s, 1000, err, sizeof err), SCAN_GONE);
    assert_true(now_ms() - t0 < 500);
    assert_string_equal(err, "unplugged");
    rig_stop(&r);
}

static void no_device(void **state)
{
    (void)state;
    struct rig r = {.master = -1};
    char err[160] = "";
    rig_opts(&r, "/dev/kiosk-no-such-scanner", "cr", "500");
    assert_int_equal(ops()->open(r.priv, r.opts, err, sizeof err), -1);
    assert_non_null(strstr(err, "/dev/kiosk-no-such-scanner"));
    assert_non_null(strstr(err, "no such device"));
    /* a file that is not a tty */
    set_opt(r.opts, "device", "/dev/null");
    assert_int_equal(ops()->open(r.priv, r.opts, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a serial device"));
    set_opt(r.opts, "device", "");
    assert_int_equal(ops()->open(r.priv, r.opts, err, sizeof err), -1);
    rig_stop(&r);
}

/* Unplugged and plugged again: a new pty behind the same symlink opens and reads again. */
static void replug(void **state)
{
    (void)state;
    char dir[] = "/tmp/kiosk-serial-XXXXXX", link[64], err[160] = "";
    struct rig r;
    struct scan_read s;
    char line[64];
    assert_non_null(mkdtemp(dir));
    snprintf(link, sizeof link, "%s/scanner", dir);
    snprintf(line, sizeof line, "%s\r", code);

    new_pty(&r);
    assert_int_equal(symlink(r.slave, link), 0);
    rig_opts(&r, link, "cr", "500");
    assert_int_equal(ops()->open(r.priv, r.opts, err, sizeof err), 0);
    assert_int_equal(send_read(&r, line, strlen(line), &s, 1), 1);
    assert_string_equal(s.text, code);

    close(r.master); /* unplugged */
    r.master = -1;
    assert_int_equal(ops()->read(r.priv, &s, 1000, err, sizeof err), SCAN_GONE);
    ops()->close(r.priv);
    unlink(link);
    assert_int_equal(ops()->open(r.priv, r.opts, err, sizeof err), -1);
    assert_non_null(strstr(err, "no such device"));

    new_pty(&r); /* plugged in again */
    assert_int_equal(symlink(r.slave, link), 0);
    memset(r.priv, 0, scanner_serial.priv_size); /* the hub zeroes priv before open */
    assert_int_equal(ops()->open(r.priv, r.opts, err, sizeof err), 0);
    r.opened = 1;
    assert_int_equal(send_read(&r, line, strlen(line), &s, 1), 1);
    assert_string_equal(s.text, code);
    rig_stop(&r);
    unlink(link);
    rmdir(dir);
}

/* read() keeps to its timeout, 0 included. */
static void bounded(void **state)
{
    (void)state;
    struct rig r;
    struct scan_read s;
    char err[160] = "";
    rig_start(&r, "cr", "500");
    int64_t t0 = now_ms();
    assert_int_equal(ops()->read(r.priv, &s, 0, err, sizeof err), SCAN_NONE);
    assert_int_equal(ops()->read(r.priv, &s, -5, err, sizeof err), SCAN_NONE);
    assert_true(now_ms() - t0 < 50);
    assert_quiet(&r, 120);
    /* bytes already there are read by a zero-timeout read */
    char line[64];
    snprintf(line, sizeof line, "%s\r", code);
    assert_int_equal(write(r.master, line, strlen(line)), (ssize_t)strlen(line));
    usleep(20 * 1000);
    assert_int_equal(ops()->read(r.priv, &s, 0, err, sizeof err), SCAN_CODE);
    assert_string_equal(s.text, code);
    rig_stop(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_table),
        cmocka_unit_test(code_arrives),
        cmocka_unit_test(line_settings),
        cmocka_unit_test(garbage_refused),
        cmocka_unit_test(partial_times_out),
        cmocka_unit_test(long_line),
        cmocka_unit_test(unplugged),
        cmocka_unit_test(no_device),
        cmocka_unit_test(replug),
        cmocka_unit_test(bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
