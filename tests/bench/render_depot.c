/* kiosk-bench-render-depot: every screen of the depot pickup (each state, and the variants
 * that change what a screen shows: typing, notes, every face hint, tries, problems, every
 * error) at 1080x1920 and 1920x1080 in both languages, written to
 * OUT_DIR/<scene>_<zh|en>_<p|l>.png to be looked at, with how long a frame takes (tree build
 * + draw + present, software renderer; the camera's picture is a made-up face); and the
 * loading ticket, first print and reprint, on 80 mm and 58 mm paper
 * (OUT_DIR/ticket_<lang>_<dots>[_reprint].png). A benchmark: it prints figures and asserts
 * nothing.
 * usage: kiosk-bench-render-depot ASSETS_DIR LOCALE_DIR OUT_DIR [FRAMES [THEME [LARGE_TEXT]]]
 * (THEME default or high_contrast, LARGE_TEXT 1 for the large-text variant). */
#include <SDL.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/pngio.h"
#include "host/shot.h"
#include "screens.h"
#include "slip.h"
#include "ui/text.h"

static int cmp_double(const void *x, const void *y)
{
    double d = *(const double *)x - *(const double *)y;
    return (d > 0) - (d < 0);
}

/* ---- the camera ------------------------------------------------------------------------- */

/* A made-up picture (320x240): a lit wall, a face a little off the middle. */
static int camera(void *user, uint8_t *px, int maxw, int maxh, int *w, int *h)
{
    (void)user;
    int cw = 320, ch = 240;
    if (cw > maxw || ch > maxh)
        return 0;
    for (int y = 0; y < ch; y++)
        for (int x = 0; x < cw; x++) {
            int g = 70 + x * 60 / cw + y * 30 / ch;
            int dx = x - 170, dy = y - 118;
            if (dx * dx * 100 / (46 * 46) + dy * dy * 100 / (60 * 60) < 100)
                g = 190 - dy / 3; /* the face */
            if ((dx + 17) * (dx + 17) + (dy + 12) * (dy + 12) < 30 ||
                (dx - 17) * (dx - 17) + (dy + 12) * (dy + 12) < 30)
                g = 40; /* the eyes */
            if (dy > 62 && dx * dx < 3600)
                g = 60; /* the shoulders */
            px[y * cw + x] = (uint8_t)g;
        }
    *w = cw;
    *h = ch;
    return 1;
}

/* ---- the order -------------------------------------------------------------------------- */

/* 王建国's order PK2611300001 (the simulator's happy path), looked up. */
static void order(struct dp_flow *f)
{
    memset(f, 0, sizeof *f);
    f->cfg.terminal = "T0001";
    f->cfg.depot = "D01";
    f->cfg.code_prefix = "PK";
    f->cfg.today = 20261130;
    struct dp_order *o = &f->order;
    snprintf(o->order_id, sizeof o->order_id, "PO2611300001");
    snprintf(o->code, sizeof o->code, "PK2611300001");
    snprintf(o->product, sizeof o->product, "0号柴油");
    snprintf(o->unit, sizeof o->unit, "L");
    o->quantity_milli = 30000000;
    snprintf(o->plate, sizeof o->plate, "京A·12345");
    snprintf(o->valid_from, sizeof o->valid_from, "2026-11-29T00:00:00+08:00");
    snprintf(o->valid_to, sizeof o->valid_to, "2026-12-02T23:59:59+08:00");
    snprintf(o->depot, sizeof o->depot, "D01");
    snprintf(o->depot_name, sizeof o->depot_name, "北郊油库");
    snprintf(o->bay, sizeof o->bay, "3");
    snprintf(o->status, sizeof o->status, "OPEN");
    f->state = DP_ORDER;
}

/* ... and the ID card read, the driver on it. */
static void driver(struct dp_flow *f)
{
    order(f);
    snprintf(f->id.name_masked, sizeof f->id.name_masked, "王*国");
    snprintf(f->id.id_masked, sizeof f->id.id_masked, "110***********1234");
    snprintf(f->driver_ref, sizeof f->driver_ref, "DR2611300001");
}

static void issued_ticket(struct dp_flow *f)
{
    driver(f);
    snprintf(f->check_id, sizeof f->check_id, "FC2611300001");
    snprintf(f->ticket_no, sizeof f->ticket_no, "TK2611300001");
    snprintf(f->issued_at, sizeof f->issued_at, "2026-11-30T14:15:03+08:00");
}

/* ---- the scenes ------------------------------------------------------------------------- */

/* The variant of a scene that runs more than once (the face hints, the errors). */
static int variant;

struct scene {
    const char *label;
    void (*fill)(struct dp_flow *f);
    int runs; /* how many variants (0 = 1) */
    int live;
    const char *printer_problem, *reader_problem, *camera_problem;
};

static void s_scan(struct dp_flow *f)
{
    order(f);
    memset(&f->order, 0, sizeof f->order);
    f->state = DP_SCAN;
}
static void s_scan_not_code(struct dp_flow *f)
{
    s_scan(f);
    f->error = DP_ERR_NOT_CODE;
}
static void s_typing(struct dp_flow *f)
{
    s_scan(f);
    f->typing = 1;
    snprintf(f->typed, sizeof f->typed, "26113000");
}
static void s_typing_empty(struct dp_flow *f)
{
    s_scan(f);
    f->typing = 1;
}
static void s_typing_not_code(struct dp_flow *f)
{
    s_typing(f);
    snprintf(f->typed, sizeof f->typed, "123");
    f->error = DP_ERR_NOT_CODE;
}
static void s_lookup(struct dp_flow *f)
{
    s_scan(f);
    snprintf(f->typed, sizeof f->typed, "2611300001");
    f->state = DP_LOOKUP;
    f->busy = 1;
    f->wait_until = 1000 + DP_CALL_MS;
}
static void s_lookup_slow(struct dp_flow *f)
{
    s_lookup(f);
    f->wait_until = 1000 + 8000; /* 12 s of 20 gone at now 1000 */
}
static void s_order(struct dp_flow *f)
{
    order(f);
}
static void s_order_tonnes(struct dp_flow *f)
{
    order(f);
    snprintf(f->order.code, sizeof f->order.code, "PK2611300002");
    snprintf(f->order.product, sizeof f->order.product, "92号汽油");
    snprintf(f->order.unit, sizeof f->order.unit, "t");
    f->order.quantity_milli = 25500; /* 25.5 t: kilograms */
    snprintf(f->order.plate, sizeof f->order.plate, "冀B·D7K291");
    snprintf(f->order.bay, sizeof f->order.bay, "12");
}
static const enum dp_error id_errors[] = {DP_ERR_ID_EXPIRED, DP_ERR_ID_NOT_YET, DP_ERR_ID_BAD,
                                          DP_ERR_ID_UNREADABLE, DP_ERR_ID_KIND};
static void s_order_note(struct dp_flow *f)
{
    order(f);
    f->error = id_errors[variant];
}
static void s_driver(struct dp_flow *f)
{
    driver(f);
    f->state = DP_DRIVER;
    f->busy = 1;
    f->wait_until = 1000 + DP_CALL_MS;
}
static void s_face(struct dp_flow *f)
{
    driver(f);
    f->state = DP_FACE;
    f->face_hint = variant; /* enum face_hint */
    f->face_started = 1;
}
static void s_face_try2(struct dp_flow *f)
{
    variant = 5; /* FACE_CLOSER */
    s_face(f);
    f->face_tries = 1;
}
static void s_face_timed_out(struct dp_flow *f)
{
    variant = 1; /* FACE_DARK */
    s_face(f);
    f->face_tries = 2;
    f->face_timed_out = 1;
}
static void s_face_check(struct dp_flow *f)
{
    driver(f);
    f->state = DP_FACE_CHECK;
    f->busy = 1;
    f->wait_until = 1000 + DP_CALL_MS;
}
static void s_face_retry(struct dp_flow *f)
{
    driver(f);
    f->state = DP_FACE_RETRY;
    f->face_tries = 1 + variant;
}
static void s_face_busy(struct dp_flow *f)
{
    driver(f);
    f->state = DP_FACE_BUSY;
}
static void s_issuing(struct dp_flow *f)
{
    driver(f);
    f->state = DP_ISSUING;
    f->busy = 1;
    f->wait_until = 1000 + DP_CALL_MS;
}
static void s_issuing_slow(struct dp_flow *f)
{
    s_issuing(f);
    f->wait_until = 1000 + 8000;
}
static void s_printing(struct dp_flow *f)
{
    issued_ticket(f);
    f->state = DP_PRINTING;
    f->busy = 1;
}
static void s_done(struct dp_flow *f)
{
    issued_ticket(f);
    f->state = DP_DONE;
}
static void s_done_tonnes(struct dp_flow *f)
{
    s_order_tonnes(f);
    issued_ticket(f);
    snprintf(f->order.product, sizeof f->order.product, "92号汽油");
    snprintf(f->order.unit, sizeof f->order.unit, "t");
    f->order.quantity_milli = 25500; /* 25.5 t: kilograms */
    snprintf(f->order.bay, sizeof f->order.bay, "12");
    f->state = DP_DONE;
}
static void s_print_failed(struct dp_flow *f)
{
    issued_ticket(f);
    f->state = DP_PRINT_FAILED;
}
static void s_issued(struct dp_flow *f)
{
    order(f);
    snprintf(f->order.code, sizeof f->order.code, "PK2611300005");
    snprintf(f->order.status, sizeof f->order.status, "ISSUED");
    snprintf(f->order.ticket_no, sizeof f->order.ticket_no, "TK2611300005");
    snprintf(f->order.issued_at, sizeof f->order.issued_at, "2026-11-30T10:42:00+08:00");
    snprintf(f->order.issued_by, sizeof f->order.issued_by, "T0002");
    f->state = DP_ISSUED;
}
static const enum dp_error refusals[] = {DP_ERR_UNKNOWN_CODE, DP_ERR_EXPIRED_ORDER, DP_ERR_USED,
                                         DP_ERR_OTHER_DEPOT};
static void s_refused(struct dp_flow *f)
{
    s_scan(f);
    f->state = DP_REFUSED;
    f->error = refusals[variant];
    snprintf(f->order.code, sizeof f->order.code, "PK261130000%d", 6 + variant); /* as looked up */
    if (f->error == DP_ERR_OTHER_DEPOT)
        snprintf(f->order.depot_name, sizeof f->order.depot_name, "南港油库");
}
static void s_not_authorised(struct dp_flow *f)
{
    order(f);
    f->state = DP_NOT_AUTHORISED;
}
static void s_counter(struct dp_flow *f)
{
    driver(f);
    f->state = DP_COUNTER;
    f->face_tries = DP_FACE_TRIES;
    f->error = DP_ERR_NO_MATCH;
}
static void s_no_printer(struct dp_flow *f)
{
    driver(f);
    f->state = DP_NO_PRINTER;
}
/* offline before the ticket's call (try again), offline in it (it may be issued), ... */
static const enum dp_error failures[] = {DP_ERR_OFFLINE, DP_ERR_OFFLINE, DP_ERR_KIOSK,
                                         DP_ERR_REFUSED};
static void s_failed(struct dp_flow *f)
{
    driver(f);
    f->state = DP_FAILED;
    f->error = failures[variant];
    if (variant == 1)
        snprintf(f->check_id, sizeof f->check_id, "FC2611300001");
}
static void s_face_starting(struct dp_flow *f)
{
    s_face(f);
    f->face_hint = DP_HINT_STARTING;
}

#define N(a) (int)(sizeof(a) / sizeof(a)[0])

static const struct scene scenes[] = {
    {"scan", s_scan, 0, 0, "", "", ""},
    {"scan_live", s_scan, 0, 1, "", "", ""},
    {"scan_not_code", s_scan_not_code, 0, 1, "", "", ""},
    {"typing", s_typing, 0, 0, "", "", ""},
    {"typing_empty", s_typing_empty, 0, 0, "", "", ""},
    {"typing_not_code", s_typing_not_code, 0, 0, "", "", ""},
    {"lookup", s_lookup, 0, 0, "", "", ""},
    {"lookup_slow", s_lookup_slow, 0, 0, "", "", ""},
    {"order", s_order, 0, 0, "", "", ""},
    {"order_tonnes", s_order_tonnes, 0, 0, "", "", ""},
    {"order_note", s_order_note, N(id_errors), 0, "", "", ""},
    {"order_reader", s_order, 0, 0, "", "The ID card reader is not working.", ""},
    {"driver", s_driver, 0, 0, "", "", ""},
    {"face", s_face, 9, 1, "", "", ""}, /* once per enum face_hint */
    {"face_starting", s_face_starting, 0, 1, "", "", ""},
    {"face_try2", s_face_try2, 0, 1, "", "", ""},
    {"face_timed_out", s_face_timed_out, 0, 1, "", "", ""},
    {"face_nocamera", s_face_try2, 0, 0, "", "", ""},
    {"face_camera_problem", s_face_try2, 0, 0, "", "", "This kiosk has no camera."},
    {"face_check", s_face_check, 0, 1, "", "", ""},
    {"face_retry", s_face_retry, 2, 0, "", "", ""},
    {"face_busy", s_face_busy, 0, 0, "", "", ""},
    {"issuing", s_issuing, 0, 0, "", "", ""},
    {"issuing_slow", s_issuing_slow, 0, 0, "", "", ""},
    {"printing", s_printing, 0, 0, "", "", ""},
    {"done", s_done, 0, 0, "", "", ""},
    {"done_tonnes", s_done_tonnes, 0, 0, "", "", ""},
    {"print_failed", s_print_failed, 0, 0, "", "", ""},
    {"issued", s_issued, 0, 0, "", "", ""},
    {"refused", s_refused, N(refusals), 0, "", "", ""},
    {"not_authorised", s_not_authorised, 0, 0, "", "", ""},
    {"counter", s_counter, 0, 0, "", "", ""},
    {"no_printer", s_no_printer, 0, 0, "The receipt printer is out of paper.", "", ""},
    {"failed", s_failed, N(failures), 0, "", "", ""},
};

#define NSCENES N(scenes)

/* ---- the ticket ------------------------------------------------------------------------- */

struct slip_png {
    const struct bitmap *b;
};

static void slip_row(void *user, int y, unsigned char *row)
{
    const struct bitmap *b = ((struct slip_png *)user)->b;
    for (int x = 0; x < b->width; x++)
        row[x] = bitmap_get(b, x, y) ? 0 : 255;
}

static void ticket_of(struct dp_ticket *k, int reprint)
{
    static struct dp_flow f;
    s_done(&f);
    memset(k, 0, sizeof *k);
    snprintf(k->order_id, sizeof k->order_id, "%s", f.order.order_id);
    snprintf(k->code, sizeof k->code, "%s", f.order.code);
    snprintf(k->ticket_no, sizeof k->ticket_no, "%s", f.ticket_no);
    snprintf(k->product, sizeof k->product, "%s", f.order.product);
    snprintf(k->unit, sizeof k->unit, "%s", f.order.unit);
    k->quantity_milli = f.order.quantity_milli;
    snprintf(k->plate, sizeof k->plate, "%s", f.order.plate);
    snprintf(k->bay, sizeof k->bay, "%s", f.order.bay);
    snprintf(k->valid_to, sizeof k->valid_to, "%s", f.order.valid_to);
    snprintf(k->issued_at, sizeof k->issued_at, "%s", f.issued_at);
    snprintf(k->issued_by, sizeof k->issued_by, "%s", reprint ? "T0002" : "T0001");
    snprintf(k->name_masked, sizeof k->name_masked, "%s", f.id.name_masked);
    snprintf(k->id_masked, sizeof k->id_masked, "%s", f.id.id_masked);
    k->reprint = reprint;
}

static int tickets(const char *out, SDL_Renderer *r)
{
    char err[600], path[1200];
    struct text_engine *te = text_create(r, "", "Noto Sans CJK SC", err, sizeof err);
    if (!te) {
        fprintf(stderr, "kiosk-bench-render-depot: %s\n", err);
        return -1;
    }
    struct kiosk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.station_name, sizeof cfg.station_name, "北郊油库");
    snprintf(cfg.terminal_id, sizeof cfg.terminal_id, "T0001");
    static const int widths[2] = {576, 384};
    for (int l = 0; l < 2; l++)
        for (int k = 0; k < 2; k++)
            for (int rp = 0; rp < 2; rp++) {
                const char *lang = l ? "en_US" : "zh_CN";
                struct dp_ticket tk;
                cfg.paper_width_dots = widths[k];
                ticket_of(&tk, rp);
                struct slip *s = dp_slip(te, &cfg, lang, &tk);
                struct slip_png p = {s ? slip_bitmap(s) : NULL};
                snprintf(path, sizeof path, "%s/ticket_%s_%d%s.png", out, l ? "en" : "zh",
                         widths[k], rp ? "_reprint" : "");
                if (!p.b || pngio_write_rows(path, p.b->width, p.b->height, 1, slip_row, &p,
                                             NULL, NULL, err, sizeof err) != 0) {
                    fprintf(stderr, "kiosk-bench-render-depot: %s: %s\n", path,
                            p.b ? err : "no slip");
                    slip_destroy(s);
                    text_destroy(te);
                    return -1;
                }
                slip_destroy(s);
            }
    text_destroy(te);
    return 0;
}

int main(int argc, char **argv)
{
    static const int sizes[2][2] = {{1080, 1920}, {1920, 1080}};
    static struct dp_flow f;
    static struct ui_tree tree;
    if (argc < 4) {
        fprintf(stderr, "usage: kiosk-bench-render-depot ASSETS_DIR LOCALE_DIR OUT_DIR [FRAMES "
                        "[THEME [LARGE_TEXT]]]\n");
        return 2;
    }
    int n = argc > 4 ? atoi(argv[4]) : 50;
    const char *theme = argc > 5 ? argv[5] : "default";
    int large = argc > 6 && atoi(argv[6]) != 0;
    char err[600];
    log_set_quiet(1);
    if (n < 1 || i18n_init(argv[2], "zh_CN,en_US", err, sizeof err) != 0) {
        fprintf(stderr, "kiosk-bench-render-depot: %s\n", n < 1 ? "FRAMES must be >= 1" : err);
        return 2;
    }
    double *ms = calloc((size_t)n + 1, sizeof *ms), worst = 0;
    char worst_at[64] = "";
    int shots = 0, status = 0;
    for (int z = 0; z < 2 && ms && status == 0; z++) {
        int w = sizes[z][0], h = sizes[z][1];
        SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
        SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
        struct text_engine *te = r ? text_create(r, "", "Noto Sans CJK SC", err, sizeof err) : NULL;
        if (!te) {
            fprintf(stderr, "kiosk-bench-render-depot: %s\n", r ? err : SDL_GetError());
            return 1;
        }
        struct theme th;
        if (theme_make(&th, theme, large, w < h ? w : h) != 0) {
            fprintf(stderr, "kiosk-bench-render-depot: no theme %s\n", theme);
            return 2;
        }
        for (int l = 0; l < 2 && status == 0; l++)
            for (int k = 0; k < NSCENES && status == 0; k++) {
                const struct scene *sc = &scenes[k];
                int runs = sc->runs > 0 ? sc->runs : 1;
                for (int e = 0; e < runs && status == 0; e++) {
                    const char *lang = l ? "en_US" : "zh_CN";
                    char label[64], path[1200];
                    variant = e;
                    if (sc->runs > 0)
                        snprintf(label, sizeof label, "%s_%02d", sc->label, e);
                    else
                        snprintf(label, sizeof label, "%s", sc->label);
                    i18n_set_lang(lang);
                    sc->fill(&f);
                    struct dp_view v = {
                        .base = {.now_ms = 1000, .station = "北郊油库", .terminal_id = "T0001",
                                 .lang = lang, .other_lang_label = l ? "中文" : "English",
                                 .sound = 1},
                        .f = &f,
                        .live = sc->live,
                        .printer_problem = sc->printer_problem,
                        .reader_problem = sc->reader_problem,
                        .camera_problem = sc->camera_problem};
                    for (int i = 0; i <= n; i++) {
                        Uint64 t0 = SDL_GetPerformanceCounter();
                        ui_begin(&tree, "", w, h);
                        dp_screen(&tree, &th, &v);
                        struct ui_render_ctx c = {r,  &th,    te,    argv[1], -1,
                                                  -1, i * 16, sc->live ? camera : NULL, NULL};
                        ui_render(&c, &tree);
                        SDL_RenderPresent(r);
                        ms[i] = (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 /
                                (double)SDL_GetPerformanceFrequency();
                    }
                    if (tree.overflow)
                        fprintf(stderr, "kiosk-bench-render-depot: %s: %d widgets too many\n",
                                label, tree.overflow);
                    for (int a = 0; a < tree.n; a++) /* ids are what scripts tap: once each */
                        for (int b = a + 1; b < tree.n && tree.v[a].id[0]; b++) {
                            const struct ui_widget *x = &tree.v[a], *y = &tree.v[b];
                            if (!strcmp(x->id, y->id))
                                fprintf(stderr, "kiosk-bench-render-depot: %s: id %s twice\n",
                                        label, x->id);
                            if (x->kind == UI_BUTTON && y->kind == UI_BUTTON &&
                                SDL_HasIntersection(&x->r, &y->r))
                                fprintf(stderr, "kiosk-bench-render-depot: %s: %s over %s\n",
                                        label, x->id, y->id);
                        }
                    for (int a = 0; a < tree.n; a++) /* touch targets */
                        if (tree.v[a].kind == UI_BUTTON &&
                            (tree.v[a].r.w < th.min_target || tree.v[a].r.h < th.min_target))
                            fprintf(stderr, "kiosk-bench-render-depot: %s: %s is small\n", label,
                                    tree.v[a].id);
                    snprintf(path, sizeof path, "%s/%s_%s_%s.png", argv[3], label,
                             l ? "en" : "zh", z ? "l" : "p");
                    if (shot_write_png(s, &tree, path) != 0) {
                        fprintf(stderr, "kiosk-bench-render-depot: cannot write %s\n", path);
                        status = 1;
                    }
                    shots++;
                    qsort(ms + 1, (size_t)n, sizeof *ms, cmp_double);
                    int i99 = (n * 99) / 100;
                    double p99 = ms[1 + (i99 < n ? i99 : n - 1)];
                    if (p99 > worst) {
                        worst = p99;
                        snprintf(worst_at, sizeof worst_at, "%s", label);
                    }
                    printf("render %-22s %-22s %4dx%-4d %s first=%6.2fms p50=%5.2fms p99=%5.2fms\n",
                           label, tree.screen, w, h, lang, ms[0], ms[1 + n / 2], p99);
                }
            }
        if (status == 0 && z == 0 && tickets(argv[3], r) != 0)
            status = 1;
        text_destroy(te);
        ui_render_cleanup();
        SDL_DestroyRenderer(r);
        SDL_FreeSurface(s);
    }
    printf("render: %d depot screens written to %s; the worst p99 %.2f ms (%s)   "
           "[target p99 <= 8 ms]\n",
           shots, argv[3], worst, worst_at);
    free(ms);
    i18n_shutdown();
    return status;
}
