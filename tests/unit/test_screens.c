/* Layout rules every screen must keep, at both orientations, both themes and both text
 * sizes: touch targets >= 48 px and inside the window, tappable widgets never overlapping
 * in the same layer, every button labelled, the language button present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/core/i18n.h"
#include "kiosk/core/log.h"
#include "kiosk/ui/screens/screens.h"

static struct ui_tree tree;

static void check_tree(const struct ui_tree *t, const struct theme *th, const char *what)
{
    int lang = 0;
    for (int i = 0; i < t->n; i++) {
        const struct ui_widget *w = &t->v[i];
        if (w->kind != UI_BUTTON)
            continue;
        if (!strcmp(w->id, "lang.toggle"))
            lang = 1;
        if (w->r.w < 48 || w->r.h < 48 || w->r.w < th->min_target / 2 ||
            w->r.h < th->min_target / 2)
            fail_msg("%s: %s is %dx%d, below the touch target", what, w->id, w->r.w, w->r.h);
        if (w->r.x < 0 || w->r.y < 0 || w->r.x + w->r.w > t->w || w->r.y + w->r.h > t->h)
            fail_msg("%s: %s leaves the window", what, w->id);
        if (!w->text[0] && strcmp(w->id, "attract.start") != 0)
            fail_msg("%s: %s has no label", what, w->id);
        int layer = t->modal_from >= 0 && i >= t->modal_from;
        for (int j = i + 1; j < t->n; j++) {
            const struct ui_widget *o = &t->v[j];
            int olayer = t->modal_from >= 0 && j >= t->modal_from;
            SDL_Rect x;
            if (o->kind != UI_BUTTON || layer != olayer || !strcmp(w->id, "attract.start"))
                continue;
            if (SDL_IntersectRect(&w->r, &o->r, &x))
                fail_msg("%s: %s overlaps %s", what, w->id, o->id);
        }
    }
    if (!lang)
        fail_msg("%s: no language button", what);
    assert_int_equal(t->overflow, 0);
}

static void every_screen_keeps_the_rules(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1080, 1920}, {1920, 1080}, {768, 1366}, {1280, 800}};
    static const char *const themes[] = {"default", "high_contrast"};
    struct session s;
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++)
        for (int th_i = 0; th_i < 2; th_i++)
            for (int large = 0; large < 2; large++)
                for (int st = 0; st < 5; st++) {
                    struct theme th;
                    int w = sizes[z][0], h = sizes[z][1];
                    theme_make(&th, themes[th_i], large, w < h ? w : h);
                    session_init(&s, 60000, 30000, 6000, 3, 0);
                    struct view v;
                    memset(&v, 0, sizeof v);
                    v.sess = &s;
                    v.lang = "zh_CN";
                    v.other_lang_label = "English";
                    v.terminal_id = "T0001";
                    v.station = "朝阳路加油站";
                    v.slide.title = "自助结账，不用排队";
                    v.slide.subtitle = "选油枪、扫码支付，一分钟完成";
                    v.slide.image = "ads/pay.png";
                    v.nslides = 3;
                    v.prompt_left_s = 25;
                    v.prompt_total_s = 30;
                    for (int k = 0; k < SVC_LAST; k++)
                        v.reason[k] = k % 2 ? REASON_BACKEND : REASON_NONE;
                    if (st == 1)
                        s.state = SESS_HOME;
                    if (st == 2) {
                        s.state = SESS_HOME;
                        v.explain_open = 1;
                        v.explain_svc = SVC_DEPOT;
                        v.explain_reason = REASON_PRINTER;
                    }
                    if (st == 3) {
                        s.state = SESS_ASK_MORE;
                        s.resume = SESS_HOME;
                    }
                    tree.w = w;
                    tree.h = h;
                    if (st == 4) {
                        /* the keypad and keyboard screens of later flows use these */
                        ui_begin(&tree, "keys", w, h);
                        ui_button(&tree, "lang.toggle", (SDL_Rect){0, 0, 200, 100}, "English",
                                  ST_SECONDARY);
                        ui_keypad(&tree, "pin", (SDL_Rect){w / 4, h / 10, w / 2, h * 4 / 10},
                                  "OK");
                        ui_keyboard(&tree, "kbd", (SDL_Rect){10, h * 55 / 100, w - 20, h * 4 / 10},
                                    0, "OK");
                    } else {
                        screens_build(&tree, &th, &v);
                    }
                    char what[96];
                    snprintf(what, sizeof what, "%s %dx%d %s%s", tree.screen, w, h, themes[th_i],
                             large ? " large" : "");
                    check_tree(&tree, &th, what);
                }
}

static void screen_names(void **state)
{
    (void)state;
    struct session s;
    struct theme th;
    struct view v;
    theme_make(&th, "default", 0, 1080);
    session_init(&s, 60000, 30000, 6000, 3, 0);
    memset(&v, 0, sizeof v);
    v.sess = &s;
    v.lang = "zh_CN";
    v.other_lang_label = "English";
    tree.w = 1080;
    tree.h = 1920;
    screens_build(&tree, &th, &v);
    assert_string_equal(tree.screen, "attract");
    s.state = SESS_HOME;
    screens_build(&tree, &th, &v);
    assert_string_equal(tree.screen, "home");
    assert_non_null(ui_find(&tree, "home.fuel"));
    assert_int_equal(tree.modal_from, -1);
    s.state = SESS_ASK_MORE;
    s.resume = SESS_HOME;
    screens_build(&tree, &th, &v);
    assert_string_equal(tree.screen, "more_time");
    assert_true(tree.modal_from > 0);
    assert_non_null(ui_find(&tree, "timeout.more"));
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_screen_keeps_the_rules),
        cmocka_unit_test(screen_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
