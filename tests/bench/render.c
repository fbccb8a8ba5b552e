/* kiosk-bench-render: how long a frame of each screen takes (tree build + draw + present,
 * with the software renderer as the kiosk draws headless) at 1080x1920 and 1920x1080 in
 * both languages, and a sale receipt's draw + ESC/POS encode. The screens are composed as
 * the host composes them (tests/fixture), from a sale as busy as bills get. A benchmark:
 * it prints figures and asserts nothing.
 * usage: kiosk-bench-render ASSETS_DIR LOCALE_DIR [FRAMES] */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkout/receipt.h"
#include "core/config.h"
#include "core/i18n.h"
#include "core/log.h"
#include "printer/escpos.h"
#include "screens.h"
#include "ui/text.h"

static int cmp_double(const void *x, const void *y)
{
    double d = *(const double *)x - *(const double *)y;
    return (d > 0) - (d < 0);
}

static double ms_since(Uint64 t0)
{
    return (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 /
           (double)SDL_GetPerformanceFrequency();
}

/* A driver at pump 3 with shop goods and a gold member's coupon and points. */
static void busy_sale(struct co_flow *c)
{
    co_init(c);
    snprintf(c->txn_no, sizeof c->txn_no, "T0001-20261123-000042");
    c->npumps = 8;
    for (int i = 0; i < c->npumps; i++) {
        c->pumps[i].pump = i + 1;
        c->pumps[i].nsales = i % 3 == 0;
        c->pumps[i].sales[0] = (struct co_sale){"S1001", i + 1, "92#", 45120, 734, 33118, 0};
    }
    c->pump_idx = 0;
    c->has_sale = 1;
    c->sale = c->pumps[0].sales[0];
    c->nitems = 2;
    c->items[0] = (struct co_item){"6920000010004", "农夫山泉 550ml", "Nongfu Spring water 550ml", 200, 2};
    c->items[1] = (struct co_item){"6920000010370", "红牛 250ml", "Red Bull 250ml", 600, 1};
    c->has_member = 1;
    c->member = (struct co_member){"M001", "张**", "138****8000", "gold", 2380, 100};
    c->ncoupons = 2;
    c->coupons[0] = (struct co_coupon){"C100", "满200减10", "¥10 off ¥200", 1000, 20000, 1, 0};
    c->coupons[1] = (struct co_coupon){"C101", "便利店立减5元", "¥5 off shop goods", 500, 0, 0, 0};
    struct co_priced *p = &c->price;
    p->subtotal_fen = 34118;
    p->ndiscounts = 4;
    p->discounts[0] = (struct co_discount){"member", "会员优惠", "Member discount", -902};
    p->discounts[1] = (struct co_discount){"coupon", "满200减10", "¥10 off ¥200", -1000};
    p->discounts[2] = (struct co_discount){"coupon", "立减5元", "¥5 off", -500};
    p->discounts[3] = (struct co_discount){"points", "积分抵扣", "Points", -15300};
    p->total_fen = 16416;
    p->points_used = 153;
    p->points_earned = 164;
    c->priced = 1;
    c->total_fen = p->total_fen;
    snprintf(c->channel, sizeof c->channel, "wechat");
    snprintf(c->code_url, sizeof c->code_url, "weixin://wxpay/bizpayurl?pr=T0001-P1");
    c->deadline_ms = 100000;
    c->cfg.reprint_ms = 180000;
    c->printed = 1;
}

struct scene {
    const char *label;
    enum sess_state sess;
    enum co_state co;
    int explain;
    int live; /* the camera's preview on the code screen */
};

/* A camera's preview: a 320x180 grey picture that changes every frame, as a camera's does. */
static int live_source(void *user, uint8_t *pixels, int maxw, int maxh, int *w, int *h)
{
    int *frame = user;
    *w = maxw < 320 ? maxw : 320;
    *h = maxh < 180 ? maxh : 180;
    for (int y = 0; y < *h; y++)
        for (int x = 0; x < *w; x++)
            pixels[y * *w + x] = (uint8_t)(x + y + *frame);
    (*frame)++;
    return 1;
}

static const struct scene scenes[] = {
    {"attract", SESS_ATTRACT, CO_IDLE, 0, 0},  {"home", SESS_HOME, CO_IDLE, 0, 0},
    {"home+dialog", SESS_HOME, CO_IDLE, 1, 0}, {"more_time", SESS_ASK_MORE, CO_IDLE, 0, 0},
    {"bill", SESS_SERVICE, CO_REVIEW, 0, 0},   {"member", SESS_SERVICE, CO_MEMBER, 0, 0},
    {"pay_qr", SESS_SERVICE, CO_QR, 0, 0},     {"done", SESS_SERVICE, CO_DONE, 0, 0},
    {"code+camera", SESS_SERVICE, CO_CODE, 0, 1},
};

/* Frame n + 1 times: the first (text and images not cached yet) on its own, p50/p99 over
 * the rest. Returns p99. */
static double bench_scene(SDL_Renderer *r, struct text_engine *te, const char *assets, int w,
                          int h, const char *lang, const struct scene *sc, int n)
{
    static struct fixture f;
    static struct ui_tree tree;
    struct theme th;
    theme_make(&th, "default", 0, w < h ? w : h);
    i18n_set_lang(lang);
    fixture_init(&f, lang);
    busy_sale(&f.co);
    f.sess.state = sc->sess;
    f.sess.resume = SESS_HOME;
    f.co.state = sc->co;
    f.co.page = sc->co == CO_MEMBER ? CO_MEMBER : CO_REVIEW;
    if (sc->explain) {
        f.tiles[1].reason = REASON_SCANNER;
        f.sess.explain = 1;
        f.sess.explain_reason = REASON_SCANNER;
    }
    f.cv.invoice_url = "https://inv.example/t/abcdefghijkmnpqrstuvwxy";
    f.cv.preview = sc->live;
    int frame = 0;
    double *ms = calloc((size_t)n + 1, sizeof *ms);
    if (!ms)
        return -1;
    for (int i = 0; i <= n; i++) {
        Uint64 t0 = SDL_GetPerformanceCounter();
        tree.w = w;
        tree.h = h;
        fixture_build(&f, &tree, &th);
        struct ui_render_ctx c = {r, &th, te, assets, -1, -1, i * 16,
                                  sc->live ? live_source : NULL, &frame};
        ui_render(&c, &tree);
        SDL_RenderPresent(r);
        ms[i] = ms_since(t0);
    }
    qsort(ms + 1, (size_t)n, sizeof *ms, cmp_double);
    int i99 = (n * 99) / 100;
    double p99 = ms[1 + (i99 < n ? i99 : n - 1)];
    printf("render %-12s %4dx%-4d %s first=%6.2fms p50=%5.2fms p99=%5.2fms\n", sc->label, w, h,
           lang, ms[0], ms[1 + n / 2], p99);
    free(ms);
    return p99;
}

/* A sale as busy as receipts get, drawn and encoded n times. */
static void bench_receipt(struct text_engine *te, int n)
{
    struct kiosk_config cfg;
    struct sale_record r;
    config_defaults(&cfg);
    memset(&r, 0, sizeof r);
    snprintf(r.txn_no, sizeof r.txn_no, "T0001-20261123-000042");
    snprintf(r.invoice_token, sizeof r.invoice_token, "abcdefghijkmnpqrstuvwxy");
    r.paid_unix = 1795392000;
    r.has_fuel = 1;
    r.pump = 3;
    snprintf(r.grade, sizeof r.grade, "92#");
    r.volume_ml = 45120, r.price_fen = 734, r.fuel_fen = 33118;
    r.nitems = 2;
    r.items[0] = (struct co_item){"6920000010004", "农夫山泉 550ml", "Nongfu Spring water 550ml", 200, 2};
    r.items[1] = (struct co_item){"6920000010370", "红牛 250ml", "Red Bull 250ml", 600, 1};
    r.ndiscounts = 4;
    r.discounts[0] = (struct co_discount){"member", "会员优惠", "Member discount", -902};
    r.discounts[1] = (struct co_discount){"coupon", "满200减10", "¥10 off ¥200", -1000};
    r.discounts[2] = (struct co_discount){"coupon", "立减5元", "¥5 off", -500};
    r.discounts[3] = (struct co_discount){"points", "积分抵扣", "Points", -15300};
    r.subtotal_fen = 34118, r.total_fen = 16416, r.points_used = 153, r.points_earned = 164;
    snprintf(r.member_phone, sizeof r.member_phone, "138****8000");
    snprintf(r.member_level, sizeof r.member_level, "gold");
    snprintf(r.channel, sizeof r.channel, "wechat");
    snprintf(r.mode, sizeof r.mode, "micropay");
    snprintf(r.code_masked, sizeof r.code_masked, "1345**********1234");
    double *ms = calloc((size_t)n, sizeof *ms);
    size_t bytes = 0;
    int height = 0;
    for (int i = 0; ms && i < n; i++) {
        Uint64 t0 = SDL_GetPerformanceCounter();
        struct slip *s = receipt_sale(te, &cfg, "https://inv.example/t/", "zh_CN", &r, 0);
        const struct bitmap *b = s ? slip_bitmap(s) : NULL;
        uint8_t *data = b ? escpos_encode(b, 256, &bytes) : NULL;
        ms[i] = ms_since(t0);
        height = b ? b->height : 0;
        free(data);
        slip_destroy(s);
    }
    if (!ms)
        return;
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    int i99 = (n * 99) / 100;
    printf("receipt (sale: fuel, 2 items, 4 discounts, member; %d dots wide, %d rows, %zu bytes "
           "ESC/POS): draw + encode p50=%.2fms p99=%.2fms   [target <= 20 ms]\n",
           cfg.paper_width_dots, height, bytes, ms[n / 2], ms[i99 < n ? i99 : n - 1]);
    free(ms);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: kiosk-bench-render ASSETS_DIR LOCALE_DIR [FRAMES]\n");
        return 2;
    }
    int n = argc > 3 ? atoi(argv[3]) : 200;
    char err[600];
    log_set_quiet(1);
    if (n < 1 || i18n_init(argv[2], "zh_CN,en_US", err, sizeof err) != 0) {
        fprintf(stderr, "kiosk-bench-render: %s\n", n < 1 ? "FRAMES must be >= 1" : err);
        return 2;
    }
    static const int sizes[2][2] = {{1080, 1920}, {1920, 1080}};
    double worst = 0;
    printf("render time per frame (tree build + draw + present, software renderer, %d frames):"
           "   [target p99 <= 8 ms at 1080x1920]\n", n);
    struct text_engine *te = NULL;
    for (int z = 0; z < 2; z++) {
        int w = sizes[z][0], h = sizes[z][1];
        SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
        SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
        te = r ? text_create(r, "", "Noto Sans CJK SC", err, sizeof err) : NULL;
        if (!te) {
            fprintf(stderr, "kiosk-bench-render: %s\n", r ? err : SDL_GetError());
            return 1;
        }
        for (int l = 0; l < 2; l++)
            for (size_t k = 0; k < sizeof scenes / sizeof scenes[0]; k++) {
                double p99 = bench_scene(r, te, argv[1], w, h, l ? "en_US" : "zh_CN",
                                         &scenes[k], n);
                if (p99 > worst)
                    worst = p99;
            }
        printf("text cache %zu KiB\n", text_cache_bytes(te) / 1024);
        if (z == 1)
            bench_receipt(te, 100);
        text_destroy(te);
        ui_render_cleanup();
        SDL_DestroyRenderer(r);
        SDL_FreeSurface(s);
    }
    printf("render: the worst p99 of all screens %.2f ms\n", worst);
    i18n_shutdown();
    return 0;
}
