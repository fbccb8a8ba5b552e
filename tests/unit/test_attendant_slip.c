/* Attendant mode's slips (attendant/slip.h): the shift and day reports and the refund slip,
 * drawn on 80 mm (576 dots) and 58 mm (384 dots) paper in both languages with the kiosk's
 * real font and catalogs. The pages are as wide as the paper, of a sane length, black only
 * inside the margins; on 58 mm the pairs that do not fit take two lines, so a report has
 * more lines there (in smaller type: the page is shorter); the QR reads back (ZBar) as the report's
 * reference. With KIOSK_SLIP_OUT=DIR the slips are also written to DIR/<name>_<lang>_<dots>.png to
 * be looked at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/pngio.h"
#include "slip.h"

/* flow.c's (the lead's) once it is linked: the same message ids */
__attribute__((weak)) const char *const at_reasons[] = {
    N_("Customer changed their mind"), N_("Wrong item"), N_("Price error"), N_("Other")};

static SDL_Surface *surface;
static SDL_Renderer *renderer;
static struct text_engine *te;
static struct totals shift_totals;

static const char *const langs[] = {"zh_CN", "en_US"};
static const int widths[] = {576, 384};

static void add(const char *kind, int64_t amount, const char *state, const char *payload)
{
    assert_int_equal(tot_add(&shift_totals, kind, amount, state, payload), 0);
}

/* A busy shift: three channels, three grades, shop goods, every discount, a recharge, a
 * refund, an invoice, a load, tickets in litres and tonnes, a receipt that did not print. */
static void busy_shift(void)
{
    static const char *const channels[] = {"wechat", "alipay", "unionpay", "ecny"};
    static const char *const grades[] = {"92#", "95#", "0#"};
    char p[1024];
    tot_init(&shift_totals);
    for (int i = 0; i < 23; i++) {
        int64_t ml = 20000 + i * 1234, fen = ml * 745 / 1000;
        snprintf(p, sizeof p,
                 "{\"fuel\":{\"grade\":\"%s\",\"volume_ml\":%lld,\"amount_fen\":%lld},"
                 "%s\"items\":[{\"qty\":%d,\"unit_fen\":350}],"
                 "\"discounts\":[{\"kind\":\"member\",\"amount_fen\":-200}%s%s],"
                 "\"total_fen\":%lld,\"points_used\":%d,\"points_earned\":%d,"
                 "\"payment\":{\"channel\":\"%s\"},\"receipt\":\"%s\"}",
                 grades[i % 3], (long long)ml, (long long)fen,
                 i % 7 == 0 ? "\"recharge\":{\"amount_fen\":50000}," : "", i % 3 + 1,
                 i % 4 == 0 ? ",{\"kind\":\"coupon\",\"amount_fen\":-1000}" : "",
                 i % 5 == 0 ? ",{\"kind\":\"points\",\"amount_fen\":-300}" : "", (long long)fen,
                 i % 5 == 0 ? 300 : 0, (int)(fen / 100), channels[i % 4],
                 i % 2 ? "paper" : "e-receipt");
        add("sale", fen, i == 5 ? "failed" : "printed", p);
    }
    add("refund", 1050, "printed",
        "{\"refund_of\":\"T0001-20261130-000002\",\"amount_fen\":1050,\"channel\":\"alipay\","
        "\"lines\":[{\"barcode\":\"6920000010004\",\"qty\":3,\"amount_fen\":1050}],\"whole\":0}");
    add("invoice", 22350, "pending", "{\"total_fen\":22350}");
    add("card_load", 20000, "pending", "{\"amount_fen\":20000}");
    add("depot_ticket", 0, "printed",
        "{\"product\":\"0号柴油\",\"unit\":\"L\",\"quantity_milli\":30000000}");
    add("depot_ticket", 0, "printed",
        "{\"product\":\"液化石油气\",\"unit\":\"t\",\"quantity_milli\":8250}");
    assert_int_equal(tot_add(&shift_totals, "sale", 1, "printed", "{"), -1);
    shift_totals.outbox_pending = 3;
}

static int setup(void **state)
{
    (void)state;
    char dir[1024], err[512];
    snprintf(dir, sizeof dir, "%s/locale", getenv("KIOSK_BUILD") ? getenv("KIOSK_BUILD") : ".");
    if (i18n_init(dir, "zh_CN,en_US", err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    surface = SDL_CreateRGBSurfaceWithFormat(0, 64, 64, 32, SDL_PIXELFORMAT_ARGB8888);
    renderer = surface ? SDL_CreateSoftwareRenderer(surface) : NULL;
    te = renderer ? text_create(renderer, "", "Noto Sans CJK SC", err, sizeof err) : NULL;
    if (!te) {
        fprintf(stderr, "no text engine: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    text_destroy(te);
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(surface);
    i18n_shutdown();
    return 0;
}

static struct kiosk_config config(int dots)
{
    struct kiosk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.station_name, sizeof cfg.station_name, "中国石化朝阳路加油站");
    snprintf(cfg.terminal_id, sizeof cfg.terminal_id, "T0001");
    cfg.paper_width_dots = dots;
    return cfg;
}

struct page {
    const struct bitmap *b;
};

static void grey_row(void *user, int y, unsigned char *row)
{
    const struct bitmap *b = ((struct page *)user)->b;
    for (int x = 0; x < b->width; x++)
        row[x] = bitmap_get(b, x, y) ? 0 : 255;
}

/* Width, a sane length, ink inside the margins only; written out when asked. */
static void check_page(const struct bitmap *b, int dots, const char *name, const char *lang)
{
    assert_int_equal(b->width, dots);
    assert_true(b->height > 600);
    assert_true(b->height < 12000); /* 1.5 m of paper would be a runaway */
    int black = 0;
    for (int y = 0; y < b->height; y++)
        for (int x = 0; x < b->width; x++)
            if (bitmap_get(b, x, y)) {
                black++;
                if (x < 8 || x >= b->width - 8)
                    fail_msg("%s %s %d: ink at the edge (%d, %d)", name, lang, dots, x, y);
            }
    assert_true(black > b->width * 20);
    const char *out = getenv("KIOSK_SLIP_OUT");
    if (out && out[0]) {
        char path[1024], err[256];
        struct page pg = {b};
        snprintf(path, sizeof path, "%s/%s_%s_%d.png", out, name, lang, dots);
        assert_int_equal(pngio_write_rows(path, b->width, b->height, 1, grey_row, &pg, NULL, NULL,
                                          err, sizeof err),
                         0);
    }
}

/* The QR codes on the page, read back with ZBar (into out: the first one). */
static int read_qr(const struct bitmap *b, char *out, size_t cap)
{
    uint8_t *grey = malloc((size_t)b->width * (size_t)b->height);
    assert_non_null(grey);
    for (int y = 0; y < b->height; y++)
        for (int x = 0; x < b->width; x++)
            grey[(size_t)y * (size_t)b->width + (size_t)x] = bitmap_get(b, x, y) ? 0 : 255;
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_t *img = zbar_image_create();
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)b->width, (unsigned)b->height);
    zbar_image_set_data(img, grey, (unsigned long)b->width * (unsigned long)b->height, NULL);
    int n = zbar_scan_image(sc, img);
    const zbar_symbol_t *sym = zbar_image_first_symbol(img);
    snprintf(out, cap, "%s", sym ? zbar_symbol_get_data(sym) : "");
    zbar_image_destroy(img);
    zbar_image_scanner_destroy(sc);
    free(grey);
    return n;
}

/* Bands of ink: rows with a black dot, between white rows (text lines, rules, the QR). */
static int bands(const struct bitmap *b)
{
    int n = 0, was = 0;
    for (int y = 0; y < b->height; y++) {
        int ink = 0;
        for (int x = 0; x < b->width && !ink; x++)
            ink = bitmap_get(b, x, y);
        n += ink && !was;
        was = ink;
    }
    return n;
}

static struct at_report shift_report(void)
{
    struct at_report r;
    memset(&r, 0, sizeof r);
    snprintf(r.ref, sizeof r.ref, "T0001-S000042");
    snprintf(r.attendant, sizeof r.attendant, "S0001");
    r.opened_ms = INT64_C(1795000000000);
    r.closed_ms = r.opened_ms + 8 * 3600 * 1000;
    r.t = &shift_totals;
    return r;
}

static void reports(void **state)
{
    (void)state;
    busy_shift();
    for (size_t l = 0; l < 2; l++) {
        int height[2][2], lines[2][2]; /* [shift, day][80, 58] */
        for (size_t w = 0; w < 2; w++) {
            struct kiosk_config cfg = config(widths[w]);
            struct at_report r = shift_report();
            struct slip *s = at_report_slip(te, &cfg, langs[l], &r);
            assert_non_null(s);
            const struct bitmap *b = slip_bitmap(s);
            check_page(b, widths[w], "shift", langs[l]);
            char qr[160];
            assert_int_equal(read_qr(b, qr, sizeof qr), 1);
            assert_string_equal(qr, "T0001-S000042;sales=23,575277;refunds=1,1050;net=574227");
            height[0][w] = b->height;
            lines[0][w] = bands(b);
            slip_destroy(s);

            /* a day that does not add up, reprinted, with items carried over */
            r.day = 1;
            snprintf(r.ref, sizeof r.ref, "T0001-D20261130-3");
            snprintf(r.approver, sizeof r.approver, "S0009");
            r.shifts = 3;
            r.day_matches = 0;
            r.carried = 2;
            r.copy = 1;
            s = at_report_slip(te, &cfg, langs[l], &r);
            assert_non_null(s);
            b = slip_bitmap(s);
            check_page(b, widths[w], "day", langs[l]);
            assert_int_equal(read_qr(b, qr, sizeof qr), 1);
            assert_string_equal(qr, "T0001-D20261130-3;sales=23,575277;refunds=1,1050;net=574227");
            height[1][w] = b->height;
            lines[1][w] = bands(b);
            slip_destroy(s);
        }
        /* 58 mm: the type of a 58 mm receipt (24 dots, not 30), so the page is shorter, but
         * the pairs that do not fit take two lines: never fewer lines than on 80 mm, and more
         * with the long English labels */
        for (int k = 0; k < 2; k++)
            if (lines[k][1] < lines[k][0] + (l == 1))
                fail_msg("%s %s: 58 mm %d lines in %d dots, 80 mm %d in %d", langs[l],
                         k ? "day" : "shift", lines[k][1], height[k][1], lines[k][0], height[k][0]);
        for (int w = 0; w < 2; w++) /* COPY, the day's lines, carried over */
            assert_true(height[1][w] > height[0][w] && lines[1][w] > lines[0][w]);
    }
}

/* An empty shift (nothing sold) still prints every line, with zeros. */
static void empty_report(void **state)
{
    (void)state;
    struct totals t;
    tot_init(&t);
    struct kiosk_config cfg = config(384);
    struct at_report r = shift_report();
    r.t = &t;
    r.opened_ms = 0; /* not known: "-" */
    struct slip *s = at_report_slip(te, &cfg, "zh_CN", &r);
    assert_non_null(s);
    check_page(slip_bitmap(s), 384, "empty", "zh_CN");
    slip_destroy(s);
}

static void refunds(void **state)
{
    (void)state;
    struct at_refund r;
    memset(&r, 0, sizeof r);
    snprintf(r.txn_no, sizeof r.txn_no, "T0001-20261130-000002");
    r.nlines = 3;
    snprintf(r.lines[0].name, sizeof r.lines[0].name, "92# 汽油");
    r.lines[0].qty = 30000;
    r.lines[0].amount_fen = 22350;
    snprintf(r.lines[1].barcode, sizeof r.lines[1].barcode, "6920000010004");
    snprintf(r.lines[1].name, sizeof r.lines[1].name, "农夫山泉 550ml");
    r.lines[1].qty = 3;
    r.lines[1].amount_fen = 600;
    r.lines[1].chosen = 1;
    snprintf(r.lines[2].barcode, sizeof r.lines[2].barcode, "6920000010011");
    snprintf(r.lines[2].name, sizeof r.lines[2].name, "名字很长的商品放不下一行的名字");
    r.lines[2].qty = 1;
    r.lines[2].amount_fen = 1050;
    r.lines[2].chosen = 1;
    r.amount_fen = 1650;
    r.reason = 1;
    snprintf(r.approver, sizeof r.approver, "S0009");
    struct at_refund_slip rs;
    memset(&rs, 0, sizeof rs);
    snprintf(rs.refund_no, sizeof rs.refund_no, "T0001-20261130-000031");
    snprintf(rs.txn_no, sizeof rs.txn_no, "%s", r.txn_no);
    snprintf(rs.channel, sizeof rs.channel, "alipay");
    snprintf(rs.attendant, sizeof rs.attendant, "S0001");
    rs.at_ms = INT64_C(1795010000000);
    rs.r = &r;
    for (size_t l = 0; l < 2; l++)
        for (size_t w = 0; w < 2; w++) {
            struct kiosk_config cfg = config(widths[w]);
            r.whole = 0;
            r.reason = 1;
            struct slip *s = at_refund_slip(te, &cfg, langs[l], &rs);
            assert_non_null(s);
            int lines = slip_bitmap(s)->height;
            check_page(slip_bitmap(s), widths[w], "refund", langs[l]);
            slip_destroy(s);
            /* the whole sale: its lines are not listed; a reason out of range is "-" */
            r.whole = 1;
            r.reason = AT_REASONS;
            s = at_refund_slip(te, &cfg, langs[l], &rs);
            assert_non_null(s);
            check_page(slip_bitmap(s), widths[w], "refund_whole", langs[l]);
            assert_true(slip_bitmap(s)->height < lines);
            slip_destroy(s);
        }
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reports),
        cmocka_unit_test(empty_report),
        cmocka_unit_test(refunds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
