/* kiosk-bench-render-invoice: how long a frame of the e-invoice's busiest screens takes
 * (tree build + draw + present, software renderer) at 1080x1920 and 1920x1080 in both
 * languages: the list of three merged receipts, title and delivery with the email keyboard,
 * the preview of their lines, and the issued invoice with its QR. A benchmark: it prints
 * figures and asserts nothing.
 * usage: kiosk-bench-render-invoice ASSETS_DIR LOCALE_DIR [FRAMES] */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/log.h"
#include "screens.h"
#include "ui/text.h"

static int cmp_double(const void *x, const void *y)
{
    double d = *(const double *)x - *(const double *)y;
    return (d > 0) - (d < 0);
}

/* Three receipts, each 92# with water and a member discount, one with points. */
static void merged(struct inv_flow *f)
{
    inv_init(f);
    f->nsales = 3;
    for (int i = 0; i < 3; i++) {
        struct inv_sale *s = &f->sales[i];
        snprintf(s->txn_no, sizeof s->txn_no, "T0002-20261101-00010%d", i + 1);
        snprintf(s->station, sizeof s->station, "ST001");
        s->paid_unix = 1795395600 + i * 10;
        s->has_fuel = 1;
        s->nlines = 3;
        s->lines[0] =
            (struct inv_line){"*汽油*92号车用汽油", "升", 0, 30000, 0, 734, 13, 19487, 2533, 0};
        s->lines[1] = (struct inv_line){"*饮料*农夫山泉 550ml", "瓶", 0, 0, 2, 200, 13, 354, 46, 0};
        s->lines[2] = (struct inv_line){"*汽油*92号车用汽油", "", 1, 0, 0, 0, 13, -442, -58, 0};
        s->nexcluded = i == 2;
        s->excluded[0] = (struct inv_excluded){"POINTS", "积分抵扣", "Points", 5000};
        s->amount_fen = 19399;
        s->tax_fen = 2521;
        s->total_fen = 21920;
    }
    snprintf(f->buyer.name, sizeof f->buyer.name, "北京京华运输有限公司");
    snprintf(f->buyer.tax_id, sizeof f->buyer.tax_id, "91110105MA01B6F42H");
    f->buyer.organisation = 1;
    snprintf(f->phone, sizeof f->phone, "13800138000");
    snprintf(f->email, sizeof f->email, "fleet@163.com");
    f->field = 1;
    snprintf(f->result.number, sizeof f->result.number, "26110000000000000002");
    snprintf(f->result.url, sizeof f->result.url, "https://inv.example/d/26110000000000000002");
    snprintf(f->result.status, sizeof f->result.status, "ISSUED");
}

int main(int argc, char **argv)
{
    static const struct {
        const char *label;
        enum inv_state state;
    } scenes[] = {{"inv_collect", INV_COLLECT},
                  {"inv_delivery", INV_DELIVERY},
                  {"inv_preview", INV_PREVIEW},
                  {"inv_issued", INV_ISSUED}};
    static const int sizes[2][2] = {{1080, 1920}, {1920, 1080}};
    static struct inv_flow f;
    static struct ui_tree tree;
    if (argc < 3) {
        fprintf(stderr, "usage: kiosk-bench-render-invoice ASSETS_DIR LOCALE_DIR [FRAMES]\n");
        return 2;
    }
    int n = argc > 3 ? atoi(argv[3]) : 200;
    char err[600];
    log_set_quiet(1);
    if (n < 1 || i18n_init(argv[2], "zh_CN,en_US", err, sizeof err) != 0) {
        fprintf(stderr, "kiosk-bench-render-invoice: %s\n", n < 1 ? "FRAMES must be >= 1" : err);
        return 2;
    }
    double *ms = calloc((size_t)n + 1, sizeof *ms), worst = 0;
    for (int z = 0; z < 2 && ms; z++) {
        int w = sizes[z][0], h = sizes[z][1];
        SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
        SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
        struct text_engine *te = r ? text_create(r, "", "Noto Sans CJK SC", err, sizeof err) : NULL;
        if (!te) {
            fprintf(stderr, "kiosk-bench-render-invoice: %s\n", r ? err : SDL_GetError());
            return 1;
        }
        struct theme th;
        theme_make(&th, "default", 0, w < h ? w : h);
        for (int l = 0; l < 2; l++)
            for (size_t k = 0; k < sizeof scenes / sizeof scenes[0]; k++) {
                const char *lang = l ? "en_US" : "zh_CN";
                i18n_set_lang(lang);
                merged(&f);
                f.state = scenes[k].state;
                struct inv_view v = {.base = {.now_ms = 0, .station = "朝阳路加油站",
                                              .terminal_id = "T0001", .lang = lang,
                                              .other_lang_label = l ? "中文" : "English",
                                              .sound = 1},
                                     .f = &f, .scanner_problem = "", .printer_ok = 1};
                for (int i = 0; i <= n; i++) {
                    Uint64 t0 = SDL_GetPerformanceCounter();
                    ui_begin(&tree, "", w, h);
                    inv_screen(&tree, &th, &v);
                    struct ui_render_ctx c = {r, &th, te, argv[1], -1, -1, i * 16, NULL, NULL};
                    ui_render(&c, &tree);
                    SDL_RenderPresent(r);
                    ms[i] = (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 /
                            (double)SDL_GetPerformanceFrequency();
                }
                qsort(ms + 1, (size_t)n, sizeof *ms, cmp_double);
                int i99 = (n * 99) / 100;
                double p99 = ms[1 + (i99 < n ? i99 : n - 1)];
                if (p99 > worst)
                    worst = p99;
                printf("render %-12s %4dx%-4d %s first=%6.2fms p50=%5.2fms p99=%5.2fms\n",
                       scenes[k].label, w, h, lang, ms[0], ms[1 + n / 2], p99);
            }
        text_destroy(te);
        ui_render_cleanup();
        SDL_DestroyRenderer(r);
        SDL_FreeSurface(s);
    }
    printf("render: the worst p99 of the e-invoice's screens %.2f ms   [target p99 <= 8 ms]\n",
           worst);
    free(ms);
    i18n_shutdown();
    return 0;
}
