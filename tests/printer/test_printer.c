/* Printer tests: bitmap and ESC/POS round trips, status bytes (garbage is never "ok"),
 * the emulator on its own, and a receipt through a real private cupsd to the emulator
 * whose QR code ZBar reads back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <qrencode.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zbar.h>

#include "printer/printer.h"
#include "core/pngio.h"
#include "core/log.h"

/* ---- pure parts ---- */

static void bitmap_basics(void **state)
{
    (void)state;
    struct bitmap *b = bitmap_create(20, 3);
    assert_non_null(b);
    assert_int_equal(b->stride, 3);
    bitmap_set(b, 0, 0, 1);
    bitmap_set(b, 19, 2, 1);
    bitmap_set(b, 25, 2, 1); /* clipped */
    assert_int_equal(b->bits[0], 0x80);
    assert_int_equal(bitmap_get(b, 19, 2), 1);
    assert_int_equal(bitmap_get(b, 18, 2), 0);
    assert_int_equal(bitmap_grow(b, 10), 0);
    assert_int_equal(bitmap_get(b, 19, 2), 1);
    assert_int_equal(bitmap_get(b, 19, 9), 0);
    assert_null(bitmap_create(0, 5));
    assert_null(bitmap_create(5000, 5));
    bitmap_destroy(b);
    bitmap_destroy(NULL);
}

/* A page fed a line at a time grows in place: what is printed stays, new rows are white,
 * also after the height was cut back (as the decoder does when it delivers a page). */
static void bitmap_grows_line_by_line(void **state)
{
    (void)state;
    struct bitmap *b = bitmap_create(384, 0);
    assert_non_null(b);
    for (int h = 30; h <= 60000; h += 30) {
        assert_int_equal(bitmap_grow(b, h), 0);
        bitmap_set(b, h % 384, h - 1, 1);
    }
    assert_true(b->rows_cap >= 60000);
    for (int h = 30; h <= 60000; h += 30) {
        assert_int_equal(bitmap_get(b, h % 384, h - 1), 1);
        assert_int_equal(bitmap_get(b, h % 384, h - 2), 0);
    }
    b->height = 10;
    assert_int_equal(bitmap_grow(b, 100), 0);
    for (int x = 0; x < 384; x++)
        assert_int_equal(bitmap_get(b, x, 59), 0);
    assert_int_equal(bitmap_grow(b, 65536), -1);
    bitmap_destroy(b);
}

struct pages {
    struct bitmap *last;
    int count, torn;
};

static void keep_page(const struct bitmap *p, int torn, void *user)
{
    struct pages *pg = user;
    bitmap_destroy(pg->last);
    pg->last = bitmap_create(p->width, p->height);
    memcpy(pg->last->bits, p->bits, (size_t)p->stride * (size_t)p->height);
    pg->count++;
    pg->torn = torn;
}

static uint8_t paper_out(int n, void *user)
{
    (void)user;
    return n == 4 ? 0x72 : 0x12;
}

static void encode_decode_round_trip(void **state)
{
    (void)state;
    srand(7);
    for (int run = 0; run < 20; run++) {
        int w = 384 + (run % 2) * 192, h = 1 + rand() % 700;
        struct bitmap *b = bitmap_create(w, h);
        for (size_t i = 0; i < (size_t)b->stride * (size_t)h; i++)
            b->bits[i] = (uint8_t)rand();
        size_t len;
        uint8_t *data = escpos_encode(b, 1 + rand() % 300, &len);
        struct pages pg = {0};
        struct escpos_decoder *d = escpos_decoder_create(w, keep_page, NULL, &pg);
        /* fed in random pieces, as TCP delivers it */
        size_t off = 0, nrep;
        uint8_t rep[8];
        while (off < len) {
            size_t piece = 1 + (size_t)(rand() % 5000);
            if (piece > len - off)
                piece = len - off;
            escpos_decoder_feed(d, data + off, piece, rep, sizeof rep, &nrep);
            off += piece;
        }
        assert_int_equal(pg.count, 1);
        assert_false(pg.torn);
        /* the page is the image plus the feed after it */
        assert_true(pg.last->height >= h);
        for (int y = 0; y < h; y++)
            assert_memory_equal(pg.last->bits + (size_t)y * (size_t)b->stride,
                                b->bits + (size_t)y * (size_t)b->stride, (size_t)b->stride);
        escpos_decoder_destroy(d);
        bitmap_destroy(pg.last);
        bitmap_destroy(b);
        free(data);
    }
}

static void status_bytes(void **state)
{
    (void)state;
    const uint8_t ok[3] = {0x12, 0x12, 0x12}, out[3] = {0x12, 0x12, 0x72},
                  near[3] = {0x12, 0x12, 0x1E}, off[3] = {0x1A, 0x12, 0x12},
                  cover[3] = {0x12, 0x16, 0x12}, garbage[3] = {0xFF, 0x00, 0x41},
                  stopped[3] = {0x12, 0x32, 0x12};
    assert_int_equal(escpos_parse_status(ok, 3), PRINTER_OK);
    assert_int_equal(escpos_parse_status(out, 3), PRINTER_PAPER_OUT);
    assert_int_equal(escpos_parse_status(near, 3), PRINTER_PAPER_NEAR_END);
    assert_int_equal(escpos_parse_status(off, 3), PRINTER_OFFLINE);
    assert_int_equal(escpos_parse_status(cover, 3), PRINTER_COVER_OPEN);
    assert_int_equal(escpos_parse_status(stopped, 3), PRINTER_PAPER_OUT);
    /* garbage, short answers and silence are "unknown", never "ok" */
    assert_int_equal(escpos_parse_status(garbage, 3), PRINTER_UNKNOWN);
    assert_int_equal(escpos_parse_status(ok, 2), PRINTER_UNKNOWN);
    assert_int_equal(escpos_parse_status(NULL, 0), PRINTER_UNKNOWN);
    assert_true(printer_state_can_print(PRINTER_PAPER_NEAR_END));
    assert_false(printer_state_can_print(PRINTER_UNKNOWN));
}

static void decoder_survives_garbage(void **state)
{
    (void)state;
    struct pages pg = {0};
    struct escpos_decoder *d = escpos_decoder_create(576, keep_page, paper_out, &pg);
    srand(11);
    uint8_t buf[4096], rep[64];
    size_t nrep;
    for (int i = 0; i < 500; i++) {
        for (size_t k = 0; k < sizeof buf; k++)
            buf[k] = (uint8_t)rand();
        escpos_decoder_feed(d, buf, sizeof buf, rep, sizeof rep, &nrep);
        assert_true(nrep <= sizeof rep);
    }
    /* it still answers status and prints after all that */
    const uint8_t ask[3] = {0x10, 0x04, 0x04};
    uint8_t tail[16] = {0};
    escpos_decoder_feed(d, tail, sizeof tail, rep, sizeof rep, &nrep); /* flush partials */
    escpos_decoder_finish(d);
    escpos_decoder_feed(d, ask, 3, rep, sizeof rep, &nrep);
    assert_int_equal(nrep, 1);
    assert_int_equal(rep[0], 0x72);
    escpos_decoder_destroy(d);
    bitmap_destroy(pg.last);
}

static void paper_runs_out_mid_page(void **state)
{
    (void)state;
    struct bitmap *b = bitmap_create(384, 600);
    bitmap_fill(b, 0, 0, 384, 600);
    size_t len;
    uint8_t *data = escpos_encode(b, 100, &len);
    struct pages pg = {0};
    struct escpos_decoder *d = escpos_decoder_create(384, keep_page, NULL, &pg);
    escpos_decoder_paper_limit(d, 250);
    size_t nrep;
    uint8_t rep[8];
    escpos_decoder_feed(d, data, len, rep, sizeof rep, &nrep);
    assert_int_equal(pg.count, 1);
    assert_true(pg.torn);
    assert_int_equal(pg.last->height, 250);
    escpos_decoder_destroy(d);
    bitmap_destroy(pg.last);
    bitmap_destroy(b);
    free(data);
}

/* A feed that never ends in a cut: the page is cut at about 2 m, what was printed on it
 * arrives whole, and the decoder does not grow without bound. */
static void runaway_feed_is_cut(void **state)
{
    (void)state;
    struct bitmap *b = bitmap_create(384, 24);
    bitmap_fill(b, 0, 0, 384, 24);
    size_t len;
    uint8_t *data = escpos_encode(b, 0, &len);
    struct pages pg = {0};
    struct escpos_decoder *d = escpos_decoder_create(384, keep_page, NULL, &pg);
    size_t nrep;
    uint8_t rep[8], feed[3] = {0x1B, 0x64, 255}; /* ESC d 255: 255 lines */
    escpos_decoder_feed(d, data, len - 4, rep, sizeof rep, &nrep); /* without its cut */
    for (int i = 0; i < 1000; i++)
        escpos_decoder_feed(d, feed, sizeof feed, rep, sizeof rep, &nrep);
    assert_int_equal(pg.count, 1);
    assert_true(pg.last->height <= 16384);
    assert_int_equal(bitmap_get(pg.last, 0, 0), 1);
    assert_int_equal(bitmap_get(pg.last, 383, 23), 1);
    escpos_decoder_finish(d); /* blank paper after it is no page */
    assert_int_equal(pg.count, 1);
    escpos_decoder_destroy(d);
    bitmap_destroy(pg.last);
    bitmap_destroy(b);
    free(data);
}

/* ---- with the emulator and a private cupsd ---- */

static pid_t emu_pid = -1;
static int emu_port, emu_ctl;
static char tmp[] = "/tmp/kiosk-printer-XXXXXX";
static char cups_server[64];

static int wait_for_file(const char *path, int ms)
{
    for (int i = 0; i < ms / 20; i++) {
        if (access(path, R_OK) == 0)
            return 0;
        struct timespec d = {0, 20000000L};
        nanosleep(&d, NULL);
    }
    return -1;
}

static int start_station(void **state)
{
    (void)state;
    if (!mkdtemp(tmp) || chmod(tmp, 0755) != 0) /* CUPS backends run as lp */
        return -1;
    char out[600], pf[600];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(pf, sizeof pf, "%s/emu.port", tmp);
    mkdir(out, 0755);
    emu_pid = fork();
    if (emu_pid == 0) {
        execl(getenv("EMU"), "escpos-printer-emu", "--out", out, "--port-file", pf, (char *)NULL);
        _exit(127);
    }
    if (wait_for_file(pf, 5000) != 0)
        return -1;
    FILE *f = fopen(pf, "r");
    if (!f || fscanf(f, "%d %d", &emu_port, &emu_ctl) != 2)
        return -1;
    fclose(f);
    char cmd[1200], line[256];
    snprintf(cmd, sizeof cmd, "%s start %s/cups %d", getenv("CUPSD_SH"), tmp, emu_port);
    FILE *p = popen(cmd, "r");
    while (p && fgets(line, sizeof line, p))
        sscanf(line, "CUPS_SERVER=%63s", cups_server);
    if (!p || pclose(p) != 0 || !cups_server[0])
        return -1;
    return 0;
}

static int stop_station(void **state)
{
    (void)state;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "%s stop %s/cups", getenv("CUPSD_SH"), tmp);
    int rc = system(cmd);
    if (emu_pid > 0) {
        kill(emu_pid, SIGTERM);
        waitpid(emu_pid, NULL, 0);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    return rc == 0 && system(cmd) == 0 ? 0 : -1;
}

static void control(const char *line, char *answer, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)emu_ctl)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_true(send(fd, line, strlen(line), 0) > 0);
    ssize_t n = recv(fd, answer, cap - 1, 0);
    answer[n > 0 ? n : 0] = '\0';
    close(fd);
}

/* A CUPS printer with these keys (as a [printer.x] section gives them); NULL with err. */
static struct printer *cups_printer(const char *server, const char *status_addr,
                                    const char *timeout_ms, char *err, size_t errcap)
{
    static _Alignas(max_align_t) char opts[1024];
    struct printer_common common = {.width_dots = 576, .job_wait_s = 20};
    assert_true(printer_cups.opts_size <= sizeof opts);
    config_block_defaults(printer_cups.options, opts);
    const char *keys[][2] = {{"server", server}, {"status_addr", status_addr},
                             {"timeout_ms", timeout_ms}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_int_equal(config_block_set(printer_cups.options, opts, keys[i][0], keys[i][1],
                                          err, errcap), 0);
    return printer_create(&printer_cups, opts, &common, err, errcap);
}

static struct printer *open_printer(void)
{
    char err[256], status_addr[64];
    snprintf(status_addr, sizeof status_addr, "127.0.0.1:%d", emu_port);
    struct printer *p = cups_printer(cups_server, status_addr, "3000", err, sizeof err);
    if (!p)
        fail_msg("printer_create: %s", err);
    return p;
}

/* Reads a PNG written by the emulator as 8-bit grey. */
static uint8_t *read_png(const char *path, int *w, int *h)
{
    struct pngio_image img;
    char err[200];
    if (pngio_read_rgb(path, NULL, &img, err, sizeof err) != 0)
        return NULL;
    uint8_t *grey = malloc((size_t)img.w * (size_t)img.h);
    for (size_t i = 0; grey && i < (size_t)img.w * (size_t)img.h; i++)
        grey[i] = img.rgb[i * 3]; /* the emulator writes grey: R = G = B */
    *w = img.w;
    *h = img.h;
    pngio_free(&img);
    return grey;
}

static void receipt_through_cups_reads_back(void **state)
{
    (void)state;
    const char *url = "https://inv.example/t/T0001-20261123-000042?k=ABC123";
    struct bitmap *b = bitmap_create(576, 520);
    bitmap_fill(b, 20, 10, 536, 12); /* a rule across the top */
    QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    int m = 8, x0 = (576 - q->width * m) / 2, y0 = 60;
    for (int y = 0; y < q->width; y++)
        for (int x = 0; x < q->width; x++)
            if (q->data[y * q->width + x] & 1)
                bitmap_fill(b, x0 + x * m, y0 + y * m, m, m);
    QRcode_free(q);

    struct printer *p = open_printer();
    struct printer_status st;
    printer_status(p, &st);
    if (st.state != PRINTER_OK)
        fail_msg("printer not ok before printing: %s (%s)", printer_state_name(st.state),
                 st.detail);
    char err[256];
    int job = 0;
    if (printer_print_bitmap(p, b, "receipt test", &job, err, sizeof err) != 0)
        fail_msg("print: %s", err);
    assert_true(job > 0);
    char png[700];
    snprintf(png, sizeof png, "%s/out/receipt-0001.png", tmp);
    if (wait_for_file(png, 10000) != 0) {
        char detail[128];
        enum job_state js = printer_job_state(p, job, detail, sizeof detail);
        char cmd[800];
        snprintf(cmd, sizeof cmd, "grep -v '^W' %s/cups/log/error_log >&2", tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "(no cupsd errors logged)\n");
        fail_msg("no page from job %d (state %d: %s)", job, (int)js, detail);
    }
    struct timespec d = {0, 100000000L};
    nanosleep(&d, NULL); /* the file is renamed into place only when written */
    char detail[128];
    for (int i = 0; i < 50 && printer_job_state(p, job, detail, sizeof detail) != JOB_DONE; i++)
        nanosleep(&d, NULL);
    assert_int_equal(printer_job_state(p, job, detail, sizeof detail), JOB_DONE);

    int w = 0, h = 0;
    uint8_t *grey = read_png(png, &w, &h);
    assert_non_null(grey);
    assert_int_equal(w, 576);
    assert_true(h >= 520);
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_t *img = zbar_image_create();
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)w, (unsigned)h);
    zbar_image_set_data(img, grey, (unsigned long)w * (unsigned long)h, NULL);
    assert_int_equal(zbar_scan_image(sc, img), 1);
    assert_string_equal(zbar_symbol_get_data(zbar_image_first_symbol(img)), url);
    zbar_image_destroy(img);
    zbar_image_scanner_destroy(sc);
    free(grey);
    bitmap_destroy(b);
    printer_destroy(p);
}

static void paper_out_is_reported_before_a_job(void **state)
{
    (void)state;
    char ans[128];
    struct printer *p = open_printer();
    struct printer_status st;
    control("paper out\n", ans, sizeof ans);
    assert_string_equal(ans, "ok\n");
    printer_status(p, &st);
    assert_int_equal(st.state, PRINTER_PAPER_OUT);
    control("paper near-end\n", ans, sizeof ans);
    printer_status(p, &st);
    assert_int_equal(st.state, PRINTER_PAPER_NEAR_END);
    control("offline\n", ans, sizeof ans);
    printer_status(p, &st);
    assert_int_equal(st.state, PRINTER_OFFLINE);
    control("clear\n", ans, sizeof ans);
    printer_status(p, &st);
    assert_int_equal(st.state, PRINTER_OK);
    printer_destroy(p);
}

static void garbage_status_is_unknown(void **state)
{
    (void)state;
    /* A "printer" that answers status requests with noise. */
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t l = sizeof a;
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
    listen(lfd, 1);
    getsockname(lfd, (struct sockaddr *)&a, &l);
    pid_t pid = fork();
    if (pid == 0) {
        int c = accept(lfd, NULL, NULL);
        uint8_t buf[16];
        if (recv(c, buf, sizeof buf, 0) > 0 && send(c, "\xff\x00\x41", 3, 0) < 0)
            _exit(1);
        sleep(1);
        _exit(0);
    }
    close(lfd);
    char err[256], addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", ntohs(a.sin_port));
    struct printer *p = cups_printer(cups_server, addr, "1000", err, sizeof err);
    assert_non_null(p);
    struct printer_status st;
    printer_status(p, &st);
    assert_int_equal(st.state, PRINTER_UNKNOWN);
    printer_destroy(p);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

static void bad_options(void **state)
{
    (void)state;
    char err[256];
    assert_null(cups_printer("nocolon", "", "1000", err, sizeof err));
    assert_non_null(strstr(err, "is not host:port"));
    assert_null(cups_printer("127.0.0.1:631", "noport", "1000", err, sizeof err));
    assert_non_null(strstr(err, "status_addr 'noport' is not host:port"));
}

/* The in-process fake: jobs print for job_ms, then are done; its state is the test's. */
static void fake_printer(void **state)
{
    (void)state;
    char err[256];
    _Alignas(max_align_t) char opts[64];
    struct printer_common common = {.width_dots = 384, .job_wait_s = 20};
    assert_true(printer_fake.opts_size <= sizeof opts);
    config_block_defaults(printer_fake.options, opts);
    assert_int_equal(config_block_set(printer_fake.options, opts, "job_ms", "0", err, sizeof err), 0);
    struct printer *p = printer_create(&printer_fake, opts, &common, err, sizeof err);
    assert_non_null(p);
    assert_int_equal(p->width_dots, 384);
    struct printer_status st;
    printer_status(p, &st);
    assert_int_equal(st.state, PRINTER_OK);
    struct bitmap *b = bitmap_create(384, 40);
    int job = 0;
    assert_int_equal(printer_print_bitmap(p, b, "t", &job, err, sizeof err), 0);
    char detail[64];
    assert_int_equal(printer_job_state(p, job, detail, sizeof detail), JOB_DONE);
    struct fake_printer *f = p->drv_priv;
    f->state = PRINTER_PAPER_OUT;
    f->refuse = 1;
    printer_status(p, &st);
    assert_int_equal(st.state, PRINTER_PAPER_OUT);
    assert_int_equal(printer_print_bitmap(p, b, "t", &job, err, sizeof err), -1);
    assert_int_equal(f->jobs, 1);
    bitmap_destroy(b);
    printer_destroy(p);
}

/* The fault wrapper around the fake: every 3rd status is garbage (unknown, never ok), and a
 * disconnect makes it offline for a while, refusing jobs. */
static void fault_wrapper(void **state)
{
    (void)state;
    char err[256];
    _Alignas(max_align_t) char opts[64];
    struct printer_common common = {.width_dots = 576, .job_wait_s = 20};
    config_block_defaults(printer_fake.options, opts);
    common.fault.garbage_every = 3;
    struct printer *p = printer_create(&printer_fake, opts, &common, err, sizeof err);
    assert_non_null(p);
    struct printer_status st;
    enum printer_state seen[6];
    for (int i = 0; i < 6; i++) {
        printer_status(p, &st);
        seen[i] = st.state;
    }
    assert_int_equal(seen[0], PRINTER_OK);
    assert_int_equal(seen[2], PRINTER_UNKNOWN);
    assert_int_equal(seen[5], PRINTER_UNKNOWN);
    printer_destroy(p);
    memset(&common.fault, 0, sizeof common.fault);
    common.fault.disconnect_every = 2;
    common.fault.disconnect_ms = 60000;
    p = printer_create(&printer_fake, opts, &common, err, sizeof err);
    printer_status(p, &st);
    assert_int_equal(st.state, PRINTER_OK);
    for (int i = 0; i < 3; i++) { /* gone, and stays gone */
        printer_status(p, &st);
        assert_int_equal(st.state, PRINTER_OFFLINE);
    }
    struct bitmap *b = bitmap_create(576, 8);
    int job;
    assert_int_equal(printer_print_bitmap(p, b, "t", &job, err, sizeof err), -1);
    assert_non_null(strstr(err, "fault"));
    bitmap_destroy(b);
    printer_destroy(p);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(bitmap_basics),
        cmocka_unit_test(bitmap_grows_line_by_line),
        cmocka_unit_test(encode_decode_round_trip),
        cmocka_unit_test(fake_printer),
        cmocka_unit_test(fault_wrapper),
        cmocka_unit_test(status_bytes),
        cmocka_unit_test(decoder_survives_garbage),
        cmocka_unit_test(paper_runs_out_mid_page),
        cmocka_unit_test(runaway_feed_is_cut),
        cmocka_unit_test(bad_options),
    };
    const struct CMUnitTest station[] = {
        cmocka_unit_test(receipt_through_cups_reads_back),
        cmocka_unit_test(paper_out_is_reported_before_a_job),
        cmocka_unit_test(garbage_status_is_unknown),
    };
    int failed = cmocka_run_group_tests_name("printer", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("printer_station", station, start_station, stop_station);
    return failed;
}
