/* golden-screens: draws a representative set of screen states (those tests/unit/
 * test_screens.c builds: attract, home, the "why unavailable" dialog, more time, the
 * restart notice, every state of pay for fuel; the bill and the done screen in both
 * languages; a fuel card's recharge) at 1080x1920 and 1920x1080 with the software renderer, as the kiosk does
 * headless, and compares each with tests/golden/unit/<name>.png.
 *
 * --selfcheck proves the comparison: an identical render and renders that differ only in
 * volatile widgets (spinner phase, QR contents, countdown seconds) match; the theme's
 * primary colour made white, one button moved by 10 px and a discount line dropped from
 * the bill each fail.
 *
 * usage: golden-screens --fonts SUMS --assets DIR --locale DIR --ref DIR --out DIR
 *                       [--selfcheck] */
#include <SDL.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "host/shot.h"
#include "core/i18n.h"
#include "core/log.h"
#include "screens.h"
#include "ui/text.h"
#include "golden.h"

static const char *opt_fonts, *opt_assets, *opt_locale, *opt_ref, *opt_out;

/* ---- what is drawn -------------------------------------------------------------------- */

enum kind {
    K_ATTRACT,
    K_HOME,
    K_EXPLAIN,
    K_MORE_TIME,
    K_NOTICE_CHECKING,
    K_NOTICE_PAID,
    K_NOTICE_NOT_PAID,
    K_CHECKOUT,
    K_RECHARGE,
};

struct scene {
    const char *name; /* without the orientation */
    enum kind kind;
    enum co_state state;
    int member;       /* the member page after sign-in (coupons, points) */
    const char *lang;
};


/* A customer at pump 3 with goods from the shop, signed in as a gold member who took a
 * coupon and points: every kind of line a bill can show. */
static void checkout_fixture(struct co_flow *c)
{
    co_init(c);
    snprintf(c->txn_no, sizeof c->txn_no, "T0001-20261123-000042");
    c->npumps = 8;
    for (int i = 0; i < c->npumps; i++) {
        struct co_pump *p = &c->pumps[i];
        p->pump = i + 1;
        p->nsales = i == 2 ? 2 : i % 4 == 0 ? 1 : 0;
        for (int k = 0; k < p->nsales; k++) {
            struct co_sale *s = &p->sales[k];
            snprintf(s->id, sizeof s->id, "S10%02d", i * 4 + k);
            s->pump = i + 1;
            snprintf(s->grade, sizeof s->grade, "%s", k ? "95#" : "92#");
            s->volume_ml = 45120 - k * 20000;
            s->price_fen = k ? 782 : 734;
            s->amount_fen = s->volume_ml * s->price_fen / 1000;
        }
    }
    c->pump_idx = 2;
    c->has_sale = 1;
    c->sale = c->pumps[2].sales[0]; /* 45.12 L of 92# at 7.34: 331.18 */
    c->nitems = 2;
    c->items[0] = (struct co_item){"6921168509256", "农夫山泉 550ml", "Nongfu Spring 550ml", 200,
                                   2};
    c->items[1] = (struct co_item){"6900873000123", "康师傅红烧牛肉面", "Master Kong beef noodles",
                                   550, 1};
    c->has_member = 1;
    c->member = (struct co_member){"M001", "张**", "138****8000", "gold", 2380, 10};
    c->ncoupons = 3;
    c->coupons[0] = (struct co_coupon){"C100", "满200减10", "¥10 off ¥200", 1000, 20000, 1, 0};
    c->coupons[1] = (struct co_coupon){"C101", "满100减5", "¥5 off ¥100", 500, 10000, 0, 0};
    c->coupons[2] = (struct co_coupon){"C102", "洗车券 减20", "Car wash ¥20 off", 2000, 50000, 0,
                                       0};
    c->use_points = 1;
    struct co_priced *pr = &c->price;
    pr->subtotal_fen = 33118 + 2 * 200 + 550;
    pr->ndiscounts = 3;
    pr->discounts[0] =
        (struct co_discount){"member", "金卡会员 95 折", "Gold member 5% off", -1656};
    pr->discounts[1] = (struct co_discount){"coupon", "满200减10", "¥10 off ¥200", -1000};
    pr->discounts[2] = (struct co_discount){"points", "积分抵扣 150 分", "150 points", -1500};
    pr->points_used = 150;
    pr->points_available = 2380;
    pr->points_earned = 299;
    pr->total_fen = pr->subtotal_fen - 1656 - 1000 - 1500;
    c->priced = 1;
    c->total_fen = pr->total_fen;
    snprintf(c->channel, sizeof c->channel, "wechat");
    snprintf(c->code_url, sizeof c->code_url, "weixin://wxpay/bizpayurl?pr=Xk3f9QaZ2");
    snprintf(c->code_masked, sizeof c->code_masked, "1345************34");
    c->deadline_ms = 95000; /* the QR's countdown: 95 s left at now_ms 0 */
    c->cfg.reprint_ms = 180000;
    c->printed = 1;
    c->error = CO_ERR_DECLINED;
}

/* A fuel card's recharge of ¥200.00, handed over by the fuel-card service: one line, paid
 * by WeChat; the done screen while the receipt prints, the failure over the day's limit. */
static void recharge_fixture(struct co_flow *c)
{
    co_init(c);
    snprintf(c->txn_no, sizeof c->txn_no, "T0001-20261130-000007");
    c->recharge = 1;
    snprintf(c->recharge_card, sizeof c->recharge_card, "1000113300002001");
    c->recharge_fen = 20000;
    c->price.subtotal_fen = c->price.total_fen = c->price.recharge_fen = 20000;
    snprintf(c->price.recharge_masked, sizeof c->price.recharge_masked, "1000********2001");
    c->priced = 1;
    c->total_fen = 20000;
    snprintf(c->channel, sizeof c->channel, "wechat");
    snprintf(c->code_masked, sizeof c->code_masked, "1345************34");
    c->cfg.reprint_ms = 180000;
    c->printed = 0;
    c->error = CO_ERR_RECHARGE_LIMIT;
}

static void make_model(struct fixture *m, const struct scene *sc)
{
    i18n_set_lang(sc->lang);
    fixture_init(m, sc->lang);
    m->cv.invoice_url = "https://inv.example/t/7h3kq9x2mpwz4rtv8bn6cyd5";
    m->cv.invoice = 1; /* the done screen offers e-invoicing */
    m->notice = (struct restart_notice){.amount_fen = 29912, .receipt = 1};
    snprintf(m->notice.txn_no, sizeof m->notice.txn_no, "T0001-20261123-000041");
    switch (sc->kind) {
    case K_ATTRACT:
        break;
    case K_HOME:
        m->sess.state = SESS_HOME;
        break;
    case K_EXPLAIN: /* a tile that cannot be chosen now, and why */
        m->sess.state = SESS_HOME;
        m->tiles[1].reason = REASON_SCANNER;
        m->sess.explain = 1;
        m->sess.explain_reason = REASON_SCANNER;
        break;
    case K_MORE_TIME:
        m->sess.state = SESS_ASK_MORE;
        m->sess.resume = SESS_HOME;
        break;
    case K_NOTICE_CHECKING:
    case K_NOTICE_PAID:
    case K_NOTICE_NOT_PAID:
        m->notice.state = sc->kind == K_NOTICE_CHECKING ? NOTICE_CHECKING
                          : sc->kind == K_NOTICE_PAID   ? NOTICE_PAID
                                                        : NOTICE_NOT_PAID;
        m->notice.unreachable = sc->kind == K_NOTICE_CHECKING;
        m->sess.state = sc->kind == K_NOTICE_PAID ? SESS_HOME : SESS_ATTRACT;
        break;
    case K_CHECKOUT:
        m->sess.state = SESS_SERVICE;
        checkout_fixture(&m->co);
        m->co.state = sc->state;
        m->co.page = sc->member || sc->state == CO_MEMBER ? CO_MEMBER : CO_REVIEW;
        m->co.has_member = sc->member || sc->state != CO_MEMBER;
        if (sc->state == CO_MEMBER && !sc->member) {
            /* before sign-in: the keypad, a number half typed */
            snprintf(m->co.phone, sizeof m->co.phone, "138001");
            m->co.ncoupons = 0;
        }
        break;
    case K_RECHARGE:
        m->sess.state = SESS_SERVICE;
        recharge_fixture(&m->co);
        m->co.state = sc->state;
        break;
    }
}

/* ---- drawing -------------------------------------------------------------------------- */

/* A window-sized frame drawn by the software renderer, as the kiosk draws headless. */
struct rig {
    int w, h;
    SDL_Surface *s;
    SDL_Renderer *r;
    struct text_engine *te;
};

static int rig_open(struct rig *g, int w, int h)
{
    char err[300];
    memset(g, 0, sizeof *g);
    g->w = w;
    g->h = h;
    g->s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    g->r = g->s ? SDL_CreateSoftwareRenderer(g->s) : NULL;
    if (!g->r) {
        fprintf(stderr, "golden-screens: no software renderer: %s\n", SDL_GetError());
        return -1;
    }
    /* the font as the kiosk finds it: fontconfig (pinned by FONTCONFIG_FILE in ctest) */
    g->te = text_create(g->r, "", "Noto Sans CJK SC", err, sizeof err);
    if (!g->te) {
        fprintf(stderr, "golden-screens: %s\n", err);
        return -1;
    }
    return 0;
}

static void rig_close(struct rig *g)
{
    text_destroy(g->te);
    ui_render_cleanup();
    if (g->r)
        SDL_DestroyRenderer(g->r);
    SDL_FreeSurface(g->s);
    memset(g, 0, sizeof *g);
}

/* Builds the tree of picture `m`, lets `edit` change it and `post` the drawn frame (both
 * for the self-check; may be NULL), draws it at animation time now_ms and writes
 * <out>/<name>.png. */
static struct ui_tree tree;

static int draw(struct rig *g, const struct theme *th, struct fixture *m, int64_t now_ms,
                void (*edit)(struct ui_tree *), void (*post)(SDL_Surface *), const char *name,
                char *shot, size_t shotcap)
{
    tree.w = g->w;
    tree.h = g->h;
    m->sv.base.now_ms = 0;
    fixture_build(m, &tree, th);
    if (edit)
        edit(&tree);
    struct ui_render_ctx c = {g->r, th, g->te, opt_assets, -1, -1, now_ms, NULL, NULL};
    ui_render(&c, &tree);
    SDL_RenderFlush(g->r);
    text_evict(g->te);
    if (post)
        post(g->s);
    if (snprintf(shot, shotcap, "%s/%s.png", opt_out, name) >= (int)shotcap)
        return -1; /* an output folder too long for a path */
    return shot_write_png(g->s, &tree, shot);
}

/* ---- the references ------------------------------------------------------------------- */

static const struct scene scenes[] = {
    {"attract-zh", K_ATTRACT, 0, 0, "zh_CN"},
    {"home-zh", K_HOME, 0, 0, "zh_CN"},
    {"home-explain-zh", K_EXPLAIN, 0, 0, "zh_CN"},
    {"more-time-zh", K_MORE_TIME, 0, 0, "zh_CN"},
    {"notice-checking-zh", K_NOTICE_CHECKING, 0, 0, "zh_CN"},
    {"notice-paid-zh", K_NOTICE_PAID, 0, 0, "zh_CN"},
    {"notice-not-paid-zh", K_NOTICE_NOT_PAID, 0, 0, "zh_CN"},
    /* every state of tests/unit/test_screens.c's list */
    {"co-loading-zh", K_CHECKOUT, CO_LOADING, 0, "zh_CN"},
    {"co-pumps-zh", K_CHECKOUT, CO_PUMPS, 0, "zh_CN"},
    {"co-sales-zh", K_CHECKOUT, CO_SALES, 0, "zh_CN"},
    {"co-review-zh", K_CHECKOUT, CO_REVIEW, 0, "zh_CN"},
    {"co-pricing-zh", K_CHECKOUT, CO_PRICING, 0, "zh_CN"},
    {"co-lookup-zh", K_CHECKOUT, CO_LOOKUP, 0, "zh_CN"},
    {"co-member-zh", K_CHECKOUT, CO_MEMBER, 0, "zh_CN"},
    {"co-member-signed-in-zh", K_CHECKOUT, CO_MEMBER, 1, "zh_CN"},
    {"co-printer-check-zh", K_CHECKOUT, CO_PRINTER_CHECK, 0, "zh_CN"},
    {"co-no-printer-zh", K_CHECKOUT, CO_NO_PRINTER, 0, "zh_CN"},
    {"co-qr-wait-zh", K_CHECKOUT, CO_QR_WAIT, 0, "zh_CN"},
    {"co-qr-zh", K_CHECKOUT, CO_QR, 0, "zh_CN"},
    {"co-code-zh", K_CHECKOUT, CO_CODE, 0, "zh_CN"},
    {"co-paying-zh", K_CHECKOUT, CO_PAYING, 0, "zh_CN"},
    {"co-userpaying-zh", K_CHECKOUT, CO_USERPAYING, 0, "zh_CN"},
    {"co-checking-zh", K_CHECKOUT, CO_CHECKING, 0, "zh_CN"},
    {"co-cancelling-zh", K_CHECKOUT, CO_CANCELLING, 0, "zh_CN"},
    {"co-completing-zh", K_CHECKOUT, CO_COMPLETING, 0, "zh_CN"},
    {"co-done-zh", K_CHECKOUT, CO_DONE, 0, "zh_CN"},
    {"co-failed-zh", K_CHECKOUT, CO_FAILED, 0, "zh_CN"},
    /* the bill and the done screen in English */
    {"co-review-en", K_CHECKOUT, CO_REVIEW, 0, "en_US"},
    {"co-done-en", K_CHECKOUT, CO_DONE, 0, "en_US"},
    /* a fuel card's recharge: its bill in both languages, done while the receipt prints,
     * refused over the day's limit */
    {"co-recharge-review-zh", K_RECHARGE, CO_REVIEW, 0, "zh_CN"},
    {"co-recharge-review-en", K_RECHARGE, CO_REVIEW, 0, "en_US"},
    {"co-recharge-done-zh", K_RECHARGE, CO_DONE, 0, "zh_CN"},
    {"co-recharge-failed-zh", K_RECHARGE, CO_FAILED, 0, "zh_CN"},
};

#define NSCENES (int)(sizeof scenes / sizeof scenes[0])

static const struct {
    const char *name;
    int w, h;
} sizes[] = {{"portrait", 1080, 1920}, {"landscape", 1920, 1080}};

static int check_references(void)
{
    static const char *names[NSCENES * 2];
    static char name_buf[NSCENES * 2][96];
    int n = 0, failed = 0;
    for (int z = 0; z < 2; z++) {
        struct rig g;
        if (rig_open(&g, sizes[z].w, sizes[z].h) != 0)
            return -1;
        struct theme th;
        theme_make(&th, "default", 0, g.w < g.h ? g.w : g.h);
        for (int i = 0; i < NSCENES; i++) {
            static struct fixture m;
            char shot[1024], ref[1024], msg[2000];
            char *name = name_buf[n];
            snprintf(name, sizeof name_buf[0], "%s-%s", scenes[i].name, sizes[z].name);
            names[n++] = name;
            make_model(&m, &scenes[i]);
            if (draw(&g, &th, &m, 0, NULL, NULL, name, shot, sizeof shot) != 0) {
                failed++;
                continue;
            }
            snprintf(ref, sizeof ref, "%s/%.95s.png", opt_ref, name);
            int rc = golden_check(shot, ref, opt_out, name, name, msg, sizeof msg);
            fprintf(rc ? stderr : stdout, "%s%s\n", rc ? "FAILED: " : "", msg);
            failed += rc != 0;
        }
        rig_close(&g);
    }
    if (golden_stale(opt_ref, names, n, opt_out) > 0)
        failed++;
    printf("unit: %d screenshots compared, %d failures\n", n, failed);
    return failed;
}

/* ---- self-check ----------------------------------------------------------------------- */

static void move_pay_button(struct ui_tree *t)
{
    struct ui_widget *w = ui_find(t, "pay.code");
    if (w)
        w->r.x += 10;
}

static void move_lang_button(struct ui_tree *t)
{
    struct ui_widget *w = ui_find(t, "lang.toggle");
    if (w)
        w->r.y += 10;
}

static void move_spinner(struct ui_tree *t)
{
    struct ui_widget *w = ui_find(t, "wait.spinner");
    if (w)
        w->r.y += 10;
}

/* What another build of the same libraries may do to a frame: every channel of every
 * pixel off by up to 12 levels (blending rounded otherwise), and 20 stray pixels (a glyph
 * edge hinted otherwise). Deterministic. */
static void add_noise(SDL_Surface *s)
{
    uint32_t seed = 12345;
    for (int y = 0; y < s->h; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch);
        for (int x = 0; x < s->w; x++) {
            Uint32 p = row[x], q = p & 0xFF000000u;
            for (int sh = 0; sh <= 16; sh += 8) {
                seed = seed * 1103515245u + 12345u;
                int v = (int)((p >> sh) & 0xFF) + (int)((seed >> 16) % 25) - 12;
                q |= (Uint32)(v < 0 ? 0 : v > 255 ? 255 : v) << sh;
            }
            row[x] = q;
        }
    }
    for (int i = 0; i < 20; i++) {
        Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + (size_t)(100 + i * 85) * (size_t)s->pitch);
        row[60 + i * 47] ^= 0x00FFFFFFu;
    }
}

static int selfcheck(void)
{
    static const struct {
        const char *what;
        const char *ref;    /* the reference it is compared with (portrait) */
        enum co_state state;
        int change;         /* see the switch below */
        int must_match;
    } cases[] = {
        {"the bill, drawn again", "co-review-zh-portrait", CO_REVIEW, 0, 1},
        {"the QR page, other QR contents and 17 s later", "co-qr-zh-portrait", CO_QR, 1, 1},
        {"the payment wait, the spinner in another phase", "co-paying-zh-portrait", CO_PAYING, 2,
         1},
        {"the bill with rendering noise (every channel +-12, 20 stray pixels)",
         "co-review-zh-portrait", CO_REVIEW, 9, 1},
        {"the bill, the theme's primary colour white", "co-review-zh-portrait", CO_REVIEW, 3, 0},
        {"the bill, the pay-with-code button 10 px to the right", "co-review-zh-portrait",
         CO_REVIEW, 4, 0},
        {"the bill, the language button 10 px lower", "co-review-zh-portrait", CO_REVIEW, 5, 0},
        {"the bill without its member discount line", "co-review-zh-portrait", CO_REVIEW, 6, 0},
        {"the payment wait, the spinner 10 px lower", "co-paying-zh-portrait", CO_PAYING, 7, 0},
        {"the bill, one line's amount 4.00 -> 4.06 (one digit)", "co-review-zh-portrait",
         CO_REVIEW, 8, 0},
    };
    struct rig g;
    if (rig_open(&g, 1080, 1920) != 0)
        return -1;
    int wrong = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        static struct fixture m;
        struct theme th;
        theme_make(&th, "default", 0, 1080);
        struct scene sc = {"selfcheck", K_CHECKOUT, cases[i].state, 0, "zh_CN"};
        make_model(&m, &sc);
        void (*edit)(struct ui_tree *) = NULL;
        void (*post)(SDL_Surface *) = NULL;
        int64_t now_ms = 0;
        switch (cases[i].change) {
        case 1:
            snprintf(m.co.code_url, sizeof m.co.code_url, "weixin://wxpay/bizpayurl?pr=Q7d0LmT4w");
            m.co.deadline_ms -= 17000;
            break;
        case 2:
            now_ms = 80 * 5; /* five steps of the spinner further */
            break;
        case 3:
            th.primary = 0xFFFFFFFF;
            break;
        case 4:
            edit = move_pay_button;
            break;
        case 5:
            edit = move_lang_button;
            break;
        case 6: /* the first line, in view on every layout; the others move up */
            memmove(&m.co.price.discounts[0], &m.co.price.discounts[1],
                    2 * sizeof m.co.price.discounts[0]);
            m.co.price.ndiscounts = 2;
            break;
        case 7:
            edit = move_spinner;
            break;
        case 8: /* two at 2.03: the smallest change of a digit seen (0 -> 6) */
            m.co.items[0].unit_fen += 3;
            break;
        case 9:
            post = add_noise;
            break;
        }
        char name[64], shot[1024], ref[1024], msg[2000];
        snprintf(name, sizeof name, "selfcheck-%zu", i + 1);
        snprintf(ref, sizeof ref, "%s/%s.png", opt_ref, cases[i].ref);
        if (draw(&g, &th, &m, now_ms, edit, post, name, shot, sizeof shot) != 0) {
            wrong++;
            continue;
        }
        int rc = golden_check(shot, ref, opt_out, name, cases[i].what, msg, sizeof msg);
        int ok = cases[i].must_match ? rc == 0 : rc == 1;
        printf("%s: %s, as it must: %s\n", ok ? "ok" : "WRONG",
               cases[i].must_match ? "matches" : "fails", msg);
        wrong += !ok;
    }
    rig_close(&g);
    printf("self-check: %d of %zu cases as they must be\n",
           (int)(sizeof cases / sizeof cases[0]) - wrong, sizeof cases / sizeof cases[0]);
    return wrong;
}

int main(int argc, char **argv)
{
    int self = 0;
    for (int i = 1; i < argc; i++) {
        const char **opt = !strcmp(argv[i], "--fonts")    ? &opt_fonts
                           : !strcmp(argv[i], "--assets") ? &opt_assets
                           : !strcmp(argv[i], "--locale") ? &opt_locale
                           : !strcmp(argv[i], "--ref")    ? &opt_ref
                           : !strcmp(argv[i], "--out")    ? &opt_out
                                                          : NULL;
        if (opt && i + 1 < argc)
            *opt = argv[++i];
        else if (!strcmp(argv[i], "--selfcheck"))
            self = 1;
        else
            opt_fonts = NULL; /* unknown: usage below */
    }
    if (!opt_fonts || !opt_assets || !opt_locale || !opt_ref || !opt_out) {
        fprintf(stderr, "usage: golden-screens --fonts SUMS --assets DIR --locale DIR --ref DIR "
                        "--out DIR [--selfcheck]\n");
        return 2;
    }
    log_set_quiet(1);
    char err[1200];
    if (i18n_init(opt_locale, "zh_CN,en_US", err, sizeof err) != 0) {
        fprintf(stderr, "golden-screens: %s\n", err);
        return 2;
    }
    mkdir(opt_out, 0755);
    int failed = 0;
    if (golden_fonts_check(opt_fonts, err, sizeof err) != 0) {
        fprintf(stderr, "golden-screens: %s\n", err);
        failed++;
    }
    int rc = self ? selfcheck() : check_references();
    i18n_shutdown();
    return failed || rc ? 1 : 0;
}
