#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <SDL.h>
#include <stdio.h>
#include <string.h>
#include <zbar.h>

#include "core/log.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "ui/ui.h"

static struct ui_tree tree;

static void hit_testing_and_modal(void **state)
{
    (void)state;
    struct ui_tree *t = &tree;
    ui_begin(t, "test", 1080, 1920);
    ui_button(t, "a", (SDL_Rect){0, 0, 100, 100}, "A", ST_PRIMARY);
    ui_button(t, "b", (SDL_Rect){50, 50, 100, 100}, "B", ST_SECONDARY);
    ui_label(t, (SDL_Rect){0, 0, 500, 500}, "label", FONT_BODY, ALIGN_LEFT);
    struct ui_widget *d = ui_button(t, "d", (SDL_Rect){300, 300, 100, 100}, "D", ST_KEY);
    d->disabled = 1;
    /* Later widgets are on top; labels are not tappable. */
    assert_int_equal(ui_hit(t, 75, 75), 1);
    assert_int_equal(ui_hit(t, 10, 10), 0);
    assert_int_equal(ui_hit(t, 350, 350), -1);
    assert_int_equal(ui_hit(t, 600, 600), -1);
    ui_modal_begin(t);
    ui_button(t, "ok", (SDL_Rect){400, 400, 100, 100}, "OK", ST_PRIMARY);
    /* With a dialog open only the dialog takes touches. */
    assert_int_equal(ui_hit(t, 10, 10), -1);
    assert_int_equal(ui_hit(t, 450, 450), t->n - 1);
    assert_non_null(ui_find(t, "ok"));
    assert_null(ui_find(t, "zzz"));
}

static void keypad_and_keyboard(void **state)
{
    (void)state;
    struct ui_tree *t = &tree;
    ui_begin(t, "keys", 1080, 1920);
    ui_keypad(t, "pin", (SDL_Rect){0, 1000, 1080, 800}, "OK");
    for (int d = 0; d <= 9; d++) {
        char id[16];
        snprintf(id, sizeof id, "pin.%d", d);
        struct ui_widget *k = ui_find(t, id);
        assert_non_null(k);
        assert_true(k->r.w >= 48 && k->r.h >= 48);
        char want[2] = {(char)('0' + d), 0};
        assert_string_equal(ui_key_text("pin", id, 0), want);
    }
    assert_non_null(ui_find(t, "pin.del"));
    assert_non_null(ui_find(t, "pin.ok"));
    assert_null(ui_key_text("pin", "pin.del", 0));
    assert_null(ui_key_text("pin", "other.1", 0));

    ui_begin(t, "kbd", 1080, 1920);
    ui_keyboard(t, "kbd", (SDL_Rect){20, 1100, 1040, 700}, 0, "Done");
    const char *ids[] = {"kbd.q", "kbd.at", "kbd.dot", "kbd.dash", "kbd.underscore", "kbd.7",
                         "kbd.space", "kbd.shift", "kbd.del", "kbd.ok"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct ui_widget *k = ui_find(t, ids[i]);
        if (!k)
            fail_msg("keyboard has no %s", ids[i]);
        assert_true(k->r.w >= 48 && k->r.h >= 48);
        /* No two keys overlap. */
        for (int j = 0; j < t->n; j++) {
            SDL_Rect x;
            if (&t->v[j] != k && SDL_IntersectRect(&k->r, &t->v[j].r, &x))
                fail_msg("%s overlaps %s", ids[i], t->v[j].id);
        }
    }
    assert_string_equal(ui_key_text("kbd", "kbd.at", 0), "@");
    assert_string_equal(ui_key_text("kbd", "kbd.q", 1), "Q");
    assert_string_equal(ui_key_text("kbd", "kbd.underscore", 1), "_");
    assert_null(ui_key_text("kbd", "kbd.shift", 0));
}

/* No two keys of `t` overlap, and each is at least `min` px each way. */
static void keys_apart(const struct ui_tree *t, int min)
{
    for (int i = 0; i < t->n; i++) {
        const struct ui_widget *k = &t->v[i];
        if (k->r.w < min || k->r.h < min)
            fail_msg("%s is %dx%d", k->id, k->r.w, k->r.h);
        for (int j = i + 1; j < t->n; j++) {
            SDL_Rect x;
            if (SDL_IntersectRect(&k->r, &t->v[j].r, &x))
                fail_msg("%s overlaps %s", k->id, t->v[j].id);
        }
    }
}

/* The taxpayer-ID keypad has the 31 characters of GB 32100 and nothing else, in a tall
 * area and in a wide one; the e-mail row types whole domains. */
static void taxpad_and_email_keys(void **state)
{
    (void)state;
    struct ui_tree *t = &tree;
    const char *set = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const SDL_Rect areas[] = {{54, 900, 972, 840}, {54, 500, 1812, 420}, {980, 400, 880, 560}};
    for (size_t a = 0; a < sizeof areas / sizeof areas[0]; a++) {
        ui_begin(t, "tax", 1920, 1920);
        ui_taxpad(t, "inv.tax", areas[a], "Look up");
        assert_int_equal(t->n, 31 + 2);
        assert_int_equal(t->overflow, 0);
        keys_apart(t, 48);
        for (const char *c = set; *c; c++) {
            char id[UI_ID_LEN], want[2] = {*c, 0};
            snprintf(id, sizeof id, "inv.tax.%c", *c);
            struct ui_widget *k = ui_find(t, id);
            if (!k)
                fail_msg("taxpad has no %s", id);
            assert_string_equal(k->text, want);
            assert_string_equal(ui_key_text("inv.tax", id, 0), want);
            SDL_Rect in;
            assert_true(SDL_IntersectRect(&k->r, &areas[a], &in) && SDL_RectEquals(&in, &k->r));
        }
        for (const char *c = "IOSVZ"; *c; c++) {
            char id[UI_ID_LEN];
            snprintf(id, sizeof id, "inv.tax.%c", *c);
            assert_null(ui_find(t, id));
        }
        assert_non_null(ui_find(t, "inv.tax.del"));
        assert_int_equal(ui_find(t, "inv.tax.ok")->style, ST_PRIMARY);
        assert_null(ui_key_text("inv.tax", "inv.tax.del", 0));
        assert_null(ui_key_text("inv.tax", "inv.tax.ok", 0));
    }

    ui_begin(t, "mail", 1080, 1920);
    ui_email_keys(t, "inv.kbd", (SDL_Rect){54, 1000, 972, 110});
    ui_keyboard(t, "inv.kbd", (SDL_Rect){54, 1126, 972, 600}, 0, "Done");
    keys_apart(t, 48);
    static const char *const mail[][2] = {
        {"inv.kbd.qq", "qq.com"}, {"inv.kbd.163", "163.com"},
        {"inv.kbd.126", "126.com"}, {"inv.kbd.com", ".com"}};
    for (size_t i = 0; i < sizeof mail / sizeof mail[0]; i++) {
        struct ui_widget *k = ui_find(t, mail[i][0]);
        if (!k)
            fail_msg("no %s", mail[i][0]);
        assert_string_equal(k->text, mail[i][1]);
        assert_string_equal(ui_key_text("inv.kbd", mail[i][0], 0), mail[i][1]);
        assert_string_equal(ui_key_text("inv.kbd", mail[i][0], 1), mail[i][1]); /* no capitals */
    }
    assert_string_equal(ui_key_text("inv.kbd", "inv.kbd.at", 0), "@");
    assert_null(ui_key_text("kbd", "inv.kbd.qq", 0));
    assert_null(ui_key_text("inv.kbd", "inv.kbd.qqq", 0));
}

static void list_scrolls_items_into_view(void **state)
{
    (void)state;
    struct ui_tree *t = &tree;
    ui_begin(t, "list", 1080, 1920);
    struct ui_widget *l = ui_add(t, UI_LIST, ST_PLAIN, "list", (SDL_Rect){0, 100, 1080, 400}, NULL);
    int li = t->n - 1;
    l->content_h = 2000;
    for (int i = 0; i < 10; i++) {
        char id[16];
        snprintf(id, sizeof id, "item.%d", i);
        ui_button(t, id, (SDL_Rect){0, 100 + i * 200, 1080, 180}, id, ST_TILE)->parent = li;
    }
    SDL_Rect r;
    int last = t->n - 1;
    assert_int_equal(ui_screen_rect(t, last, &r), -1); /* below the viewport */
    /* item 9 spans 1900..2080 in content; the viewport (100..500) scrolls by 1580 */
    assert_int_equal(ui_scroll_into_view(t, last), 1580);
    assert_int_equal(ui_screen_rect(t, last, &r), 0);
    assert_int_equal(ui_hit(t, r.x + 5, r.y + 5), last);
    /* A touch outside the viewport never reaches a clipped item. */
    assert_int_equal(ui_hit(t, 10, 50), -1);
}

static void animation_ticks(void **state)
{
    (void)state;
    struct ui_tree *t = &tree;
    ui_begin(t, "idle", 100, 100);
    ui_label(t, (SDL_Rect){0, 0, 10, 10}, "x", FONT_BODY, ALIGN_LEFT);
    assert_int_equal(ui_tick_interval(t), -1); /* nothing moves: no redraw */
    ui_add(t, UI_SPINNER, ST_PLAIN, NULL, (SDL_Rect){0, 0, 50, 50}, NULL);
    assert_true(ui_tick_interval(t) > 0);
}

static void overflow_is_counted(void **state)
{
    (void)state;
    struct ui_tree *t = &tree;
    ui_begin(t, "big", 100, 100);
    for (int i = 0; i < UI_MAX_WIDGETS + 5; i++)
        ui_add(t, UI_PANEL, ST_CARD, NULL, (SDL_Rect){0, 0, 1, 1}, NULL);
    assert_int_equal(t->n, UI_MAX_WIDGETS);
    assert_int_equal(t->overflow, 5);
}

static void themes(void **state)
{
    (void)state;
    struct theme a, b, c;
    assert_int_equal(theme_make(&a, "default", 0, 1080), 0);
    assert_int_equal(theme_make(&b, "high_contrast", 1, 1080), 0);
    assert_int_equal(theme_make(&c, "neon", 0, 1080), -1);
    assert_true(a.min_target >= 48);
    assert_true(b.font_px[FONT_BODY] > a.font_px[FONT_BODY]);
    assert_int_equal(theme_make(&c, "default", 0, 300), 0);
    assert_true(c.min_target >= 48);
}

/* Renders a QR widget with the real renderer and reads it back with ZBar. */
static void qr_renders_readably(void **state)
{
    (void)state;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 600, 600, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    assert_non_null(r);
    char err[256];
    struct text_engine *te = text_create(r, "", "Noto Sans CJK SC", err, sizeof err);
    assert_non_null(te);
    struct theme th;
    theme_make(&th, "default", 0, 600);
    struct ui_tree *t = &tree;
    const char *url = "https://inv.example/t/ABC123?lang=zh";
    ui_begin(t, "qr", 600, 600);
    ui_add(t, UI_QR, ST_PLAIN, "qr", (SDL_Rect){50, 50, 500, 500}, url);
    struct ui_render_ctx c = {r, &th, te, "/nonexistent", -1, -1, 0, NULL, NULL};
    ui_render(&c, t);
    SDL_RenderPresent(r);

    uint8_t *grey = malloc(600 * 600);
    for (int y = 0; y < 600; y++)
        for (int x = 0; x < 600; x++) {
            uint32_t p = ((uint32_t *)((uint8_t *)s->pixels + y * s->pitch))[x];
            grey[y * 600 + x] = (uint8_t)(((p >> 16) & 0xFF) * 3 / 10 + ((p >> 8) & 0xFF) * 6 / 10 +
                                          (p & 0xFF) / 10);
        }
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_t *img = zbar_image_create();
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, 600, 600);
    zbar_image_set_data(img, grey, 600 * 600, NULL);
    assert_int_equal(zbar_scan_image(sc, img), 1);
    const zbar_symbol_t *sym = zbar_image_first_symbol(img);
    assert_string_equal(zbar_symbol_get_data(sym), url);
    zbar_image_destroy(img);
    zbar_image_scanner_destroy(sc);
    free(grey);
    ui_render_cleanup();
    text_destroy(te);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

/* Chinese wraps between characters, English at spaces; long text shrinks to fit. */
static void text_wraps_and_fits(void **state)
{
    (void)state;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 200, 200, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    char err[256];
    struct text_engine *te = text_create(r, "", "Noto Sans CJK SC", err, sizeof err);
    assert_non_null(te);
    int w1, h1, w2, h2;
    assert_int_equal(text_measure(te, "为保护您的隐私本次服务将在三十秒后结束", 40, 0, 0, &w1, &h1), 0);
    assert_int_equal(text_measure(te, "为保护您的隐私本次服务将在三十秒后结束", 40, 0, 300, &w2, &h2), 0);
    assert_true(w2 <= 300);
    assert_true(h2 >= 3 * h1);
    /* A line ends after the comma, not inside 支付 (a word), when that keeps half of it. */
    int wp, hp, wl, hl;
    assert_int_equal(text_measure(te, "选油枪、扫码支付，", 40, 0, 0, &wp, &hp), 0);
    assert_int_equal(text_measure(te, "选油枪、扫码支付，一分", 40, 0, 0, &wl, &hl), 0);
    assert_int_equal(text_measure(te, "选油枪、扫码支付，一分钟完成", 40, 0, wl, &w2, &h2), 0);
    assert_int_equal(w2, wp);
    assert_int_equal(h2, 2 * hp);
    /* Two names with a separator break after it, not inside the second name. */
    int wn, hn;
    assert_int_equal(text_measure(te, "朝阳路加油站 •", 40, 0, 0, &wp, &hp), 0);
    assert_int_equal(text_measure(te, "Chaoyang Rd Station", 40, 0, 0, &wn, &hn), 0);
    assert_int_equal(text_measure(te, "朝阳路加油站 • Chaoyang Rd", 40, 0, 0, &wl, &hl), 0);
    assert_int_equal(text_measure(te, "朝阳路加油站 • Chaoyang Rd Station", 40, 0, wl, &w2, &h2), 0);
    assert_int_equal(w2, wp > wn ? wp : wn);
    assert_int_equal(h2, 2 * hp);
    assert_int_equal(text_measure(te, "Need more time to finish", 40, 0, 250, &w2, &h2), 0);
    assert_true(w2 <= 250 && h2 > h1);
    int tw, th;
    SDL_Texture *tx = text_get(te, "A very long line that must shrink to fit", 60, 12, 0,
                               0x000000FF, ALIGN_LEFT, 300, 60, &tw, &th);
    assert_non_null(tx);
    assert_true(tw <= 300 && th <= 60);
    /* Cached: the same request returns the same texture. */
    assert_ptr_equal(text_get(te, "A very long line that must shrink to fit", 60, 12, 0,
                              0x000000FF, ALIGN_LEFT, 300, 60, &tw, &th),
                     tx);
    assert_null(text_get(te, "", 60, 12, 0, 0xFF, ALIGN_LEFT, 0, 0, &tw, &th));
    text_destroy(te);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

static void missing_font_is_reported(void **state)
{
    (void)state;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 10, 10, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    char err[256];
    assert_null(text_create(r, "/nonexistent/font.ttf", "", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/font.ttf: cannot open font"));
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hit_testing_and_modal),   cmocka_unit_test(keypad_and_keyboard),
        cmocka_unit_test(list_scrolls_items_into_view), cmocka_unit_test(animation_ticks),
        cmocka_unit_test(overflow_is_counted),      cmocka_unit_test(themes),
        cmocka_unit_test(qr_renders_readably),      cmocka_unit_test(text_wraps_and_fits),
        cmocka_unit_test(missing_font_is_reported), cmocka_unit_test(taxpad_and_email_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
