/* Layout rules every screen must keep, at both orientations, both themes and both text
 * sizes: touch targets >= 48 px and inside the window, tappable widgets never overlapping
 * in the same layer, every button labelled, the language and Sound buttons present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/log.h"
#include "screens.h"

static struct ui_tree tree;

static void check_tree(const struct ui_tree *t, const struct theme *th, const char *what)
{
    int lang = 0, sound = 0;
    for (int i = 0; i < t->n; i++) {
        const struct ui_widget *w = &t->v[i];
        if (w->kind != UI_BUTTON)
            continue;
        if (!strcmp(w->id, "lang.toggle"))
            lang = 1;
        if (!strcmp(w->id, "sound.toggle"))
            sound = 1;
        if (w->r.w < 48 || w->r.h < 48 || w->r.w < th->min_target / 2 ||
            w->r.h < th->min_target / 2)
            fail_msg("%s: %s is %dx%d, below the touch target", what, w->id, w->r.w, w->r.h);
        SDL_Rect wr, or, x;
        if (ui_screen_rect(t, i, &wr) != 0)
            continue; /* scrolled out of view in a list */
        if (wr.x < 0 || wr.y < 0 || wr.x + wr.w > t->w || wr.y + wr.h > t->h)
            fail_msg("%s: %s leaves the window", what, w->id);
        if (!w->text[0] && strcmp(w->id, "attract.start") != 0)
            fail_msg("%s: %s has no label", what, w->id);
        int layer = t->modal_from >= 0 && i >= t->modal_from;
        for (int j = i + 1; j < t->n; j++) {
            const struct ui_widget *o = &t->v[j];
            int olayer = t->modal_from >= 0 && j >= t->modal_from;
            if (o->kind != UI_BUTTON || layer != olayer || !strcmp(w->id, "attract.start") ||
                ui_screen_rect(t, j, &or) != 0)
                continue;
            if (SDL_IntersectRect(&wr, &or, &x))
                fail_msg("%s: %s overlaps %s", what, w->id, o->id);
        }
    }
    if (!lang)
        fail_msg("%s: no language button", what);
    if (!sound && strcmp(t->screen, "keys")) /* the fixture's kiosk has sound */
        fail_msg("%s: no Sound button", what);
    /* words are never drawn over a button of their layer (a label under a button is
     * unreadable and steals the eye) */
    for (int i = 0; i < t->n; i++) {
        const struct ui_widget *w = &t->v[i];
        SDL_Rect wr, or, x;
        if (w->kind != UI_LABEL || !w->text[0] || ui_screen_rect(t, i, &wr) != 0)
            continue; /* a list's line scrolled out of view is not drawn */
        int layer = t->modal_from >= 0 && i >= t->modal_from;
        for (int j = 0; j < t->n; j++) {
            const struct ui_widget *o = &t->v[j];
            int olayer = t->modal_from >= 0 && j >= t->modal_from;
            if (o->kind == UI_BUTTON && layer == olayer && strcmp(o->id, "attract.start") &&
                ui_screen_rect(t, j, &or) == 0 && SDL_IntersectRect(&wr, &or, &x))
                fail_msg("%s: label '%.40s' overlaps %s", what, w->text, o->id);
        }
    }
    assert_int_equal(t->overflow, 0);
}

static void every_screen_keeps_the_rules(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1080, 1920}, {1920, 1080}, {768, 1366}, {1280, 800}};
    static const char *const themes[] = {"default", "high_contrast"};
    static struct fixture f;
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++)
        for (int th_i = 0; th_i < 2; th_i++)
            for (int large = 0; large < 2; large++)
                for (int st = 0; st < 8; st++)
                    for (int ntiles = 1; ntiles <= FIXTURE_TILES; ntiles += 2) {
                        struct theme th;
                        int w = sizes[z][0], h = sizes[z][1];
                        theme_make(&th, themes[th_i], large, w < h ? w : h);
                        fixture_init(&f, "zh_CN");
                        fixture_more_tiles(&f, ntiles);
                        for (int k = 0; k < ntiles; k++)
                            f.tiles[k].reason = k % 2 ? REASON_BACKEND : REASON_NONE;
                        /* what a scan where nothing takes it means, over any screen */
                        if (large)
                            f.toast = "请先选择“加油付款”或“便利店”，再在账单上扫描会员码或优惠券。"
                                      "Choose Pay for fuel or Shop first.";
                        if (st == 1)
                            f.sess.state = SESS_HOME;
                        if (st == 2) {
                            f.sess.state = SESS_HOME;
                            f.sess.explain = ntiles - 1;
                            f.sess.explain_reason = REASON_PRINTER;
                        }
                        if (st == 3) {
                            f.sess.state = SESS_ASK_MORE;
                            f.sess.resume = SESS_HOME;
                        }
                        /* the restart notice, its longest texts: over attract and home */
                        if (st >= 5) {
                            f.notice = (struct restart_notice){
                                .state = st == 5   ? NOTICE_CHECKING
                                         : st == 6 ? NOTICE_PAID
                                                   : NOTICE_NOT_PAID,
                                .amount_fen = 3311800, .unreachable = 1, .receipt = -1,
                                .txn_no = "T0001-20261123-000001"};
                            f.sess.state = st == 6 ? SESS_HOME : SESS_ATTRACT;
                        }
                        tree.w = w;
                        tree.h = h;
                        if (st == 4) {
                            /* the keypad and keyboard screens of later flows use these */
                            ui_begin(&tree, "keys", w, h);
                            ui_button(&tree, "lang.toggle", (SDL_Rect){0, 0, 200, 100},
                                      "English", ST_SECONDARY);
                            ui_keypad(&tree, "pin",
                                      (SDL_Rect){w / 4, h / 10, w / 2, h * 4 / 10}, "OK");
                            ui_keyboard(&tree, "kbd",
                                        (SDL_Rect){10, h * 55 / 100, w - 20, h * 4 / 10}, 0,
                                        "OK");
                        } else {
                            fixture_build(&f, &tree, &th);
                        }
                        char what[112];
                        snprintf(what, sizeof what, "%s %dx%d %s%s %d tiles", tree.screen, w,
                                 h, themes[th_i], large ? " large" : "", ntiles);
                        check_tree(&tree, &th, what);
                    }
}

/* A full checkout: a fuel sale, three items, every kind of discount, a member with
 * coupons; then each state of the flow is drawn. */
static void full_checkout(struct co_flow *c)
{
    co_init(c);
    snprintf(c->txn_no, sizeof c->txn_no, "T0001-20261123-000042");
    c->npumps = 8;
    for (int i = 0; i < 8; i++) {
        c->pumps[i].pump = i + 1;
        c->pumps[i].nsales = i % 3;
        for (int k = 0; k < c->pumps[i].nsales; k++)
            c->pumps[i].sales[k] = (struct co_sale){"S1", i + 1, "92#", 45120, 734, 33118, k};
    }
    c->pump_idx = 2;
    c->has_sale = 1;
    c->sale = c->pumps[2].sales[0];
    c->nitems = 3;
    for (int i = 0; i < 3; i++)
        c->items[i] = (struct co_item){"6920000010004", "农夫山泉 550ml 两件装", "Nongfu Spring water 550ml twin pack", 380, 2};
    c->has_member = 1;
    c->member = (struct co_member){"M001", "张**", "138****8000", "gold", 2380, 100};
    c->ncoupons = 4;
    for (int i = 0; i < 4; i++)
        c->coupons[i] = (struct co_coupon){"C100", "满200减10", "¥10 off ¥200", 1000, 20000, i % 2, 0};
    c->price.ndiscounts = 4;
    for (int i = 0; i < 4; i++)
        c->price.discounts[i] = (struct co_discount){"coupon", "满200减10", "¥10 off ¥200", -1000};
    c->price.points_available = 150;
    c->price.points_earned = 310;
    c->priced = 1;
    c->total_fen = c->price.total_fen = 31118;
    c->message = CO_NOTE_COUPON_NOT_APPLICABLE;
    snprintf(c->code_url, sizeof c->code_url, "weixin://wxpay/bizpayurl?pr=T0001-20261123-000042-P1");
    snprintf(c->channel, sizeof c->channel, "unionpay");
    c->deadline_ms = 100000;
    c->cfg.reprint_ms = 180000;
}

/* A fuel card's recharge of ¥200.00 on the bill. */
static void recharge(struct co_flow *c)
{
    co_init(c);
    snprintf(c->txn_no, sizeof c->txn_no, "T0001-20261130-000007");
    c->recharge = 1;
    snprintf(c->recharge_card, sizeof c->recharge_card, "1000113300002001");
    c->recharge_fen = c->total_fen = 20000;
    c->price.subtotal_fen = c->price.total_fen = c->price.recharge_fen = 20000;
    c->priced = 1;
    snprintf(c->channel, sizeof c->channel, "wechat");
    snprintf(c->code_url, sizeof c->code_url, "weixin://wxpay/bizpayurl?pr=T0001-P1");
    c->deadline_ms = 100000;
    c->cfg.reprint_ms = 180000;
}

static void checkout_screens_keep_the_rules(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1080, 1920}, {1920, 1080}, {768, 1366}, {1280, 800}};
    static const enum co_state states[] = {
        CO_LOADING, CO_PUMPS, CO_SALES, CO_REVIEW, CO_PRICING, CO_LOOKUP, CO_MEMBER,
        CO_PRINTER_CHECK, CO_NO_PRINTER, CO_QR_WAIT, CO_QR, CO_CODE, CO_PAYING, CO_USERPAYING,
        CO_CHECKING, CO_CANCELLING, CO_COMPLETING, CO_DONE, CO_FAILED, CO_JOURNALING};
    static struct fixture f;
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++)
        for (int large = 0; large < 2; large++)
            for (size_t k = 0; k < sizeof states / sizeof states[0]; k++)
                for (int variant = 0; variant < 2; variant++) {
                    int w = sizes[z][0], h = sizes[z][1];
                    struct theme th;
                    theme_make(&th, "default", large, w < h ? w : h);
                    fixture_init(&f, "zh_CN");
                    f.sess.state = SESS_SERVICE;
                    full_checkout(&f.co);
                    f.co.state = states[k];
                    f.co.page = variant ? CO_MEMBER : CO_REVIEW;
                    f.co.has_member = variant; /* the member page before and after sign-in */
                    f.co.printed = variant ? -1 : 1;
                    f.co.e_receipt = variant;
                    f.co.error = variant ? CO_ERR_UNSETTLED : CO_ERR_DECLINED;
                    /* a scan's hint (shown under every page) or a notice on the bill */
                    f.co.message = variant ? CO_NOTE_QR_ONLY : CO_NOTE_COUPON_NOT_APPLICABLE;
                    f.cv.printer_ok = !variant;
                    f.cv.printer_problem = "The receipt printer is out of paper.";
                    f.cv.invoice_url = "https://inv.example/t/abcdefghijkmnpqrstuvwxyz";
                    tree.w = w;
                    tree.h = h;
                    fixture_build(&f, &tree, &th);
                    char what[96];
                    snprintf(what, sizeof what, "%s(%s) %dx%d%s%s", tree.screen,
                             co_state_name(f.co.state), w, h, large ? " large" : "",
                             variant ? " member" : "");
                    check_tree(&tree, &th, what);
                }
}

/* The header names the service the customer chose, whatever the state: shop goods while
 * the bill is repriced, pay for fuel when the pumps could not be read. */
static void header_titles(void **state)
{
    (void)state;
    static struct fixture f;
    struct theme th;
    theme_make(&th, "default", 0, 1080);
    fixture_init(&f, "en_US");
    f.sess.state = SESS_SERVICE;
    tree.w = 1080;
    tree.h = 1920;
    full_checkout(&f.co);
    f.co.shop = 1;
    f.co.has_sale = 0;
    f.co.state = CO_PRICING;
    fixture_build(&f, &tree, &th);
    assert_string_equal(ui_find(&tree, "header.title")->text, "Shop");
    full_checkout(&f.co);
    f.co.has_sale = 0; /* the pumps could not be read */
    f.co.state = CO_FAILED;
    f.co.error = CO_ERR_OFFLINE;
    fixture_build(&f, &tree, &th);
    assert_string_equal(ui_find(&tree, "header.title")->text, "Pay for fuel");
    assert_string_equal(ui_find(&tree, "steps.current")->text, "4  Done");
    /* while the journal writes, the customer sees the step it writes for */
    full_checkout(&f.co);
    f.co.state = CO_JOURNALING;
    f.co.after = CO_LOCKING;
    fixture_build(&f, &tree, &th);
    assert_string_equal(tree.screen, "wait");
    assert_string_equal(ui_find(&tree, "steps.current")->text, "2  Bill");
    assert_string_equal(ui_find(&tree, "co.cancel")->text, "Cancel");
    f.co.after = CO_QR_WAIT;
    fixture_build(&f, &tree, &th);
    assert_string_equal(ui_find(&tree, "steps.current")->text, "3  Pay");
    assert_string_equal(ui_find(&tree, "co.cancel")->text, "Cancel payment");
}

/* A fuel card's recharge: one line with the card masked, no member line and no item keys,
 * the pay buttons as usual; done without Finish or e-invoice (the customer goes back to the
 * card by itself); the refusal says why. Every state keeps the rules. */
static void recharge_screens(void **state)
{
    (void)state;
    static struct fixture f;
    static const int sizes[][2] = {{1080, 1920}, {1920, 1080}, {768, 1366}, {1280, 800}};
    static const enum co_state states[] = {
        CO_PRICING, CO_REVIEW, CO_PRINTER_CHECK, CO_NO_PRINTER, CO_QR_WAIT, CO_QR, CO_CODE,
        CO_PAYING, CO_USERPAYING, CO_CHECKING, CO_CANCELLING, CO_COMPLETING, CO_DONE,
        CO_FAILED, CO_JOURNALING};
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++)
        for (int large = 0; large < 2; large++)
            for (size_t k = 0; k < sizeof states / sizeof states[0]; k++) {
                int w = sizes[z][0], h = sizes[z][1];
                struct theme th;
                theme_make(&th, "default", large, w < h ? w : h);
                fixture_init(&f, "en_US");
                f.sess.state = SESS_SERVICE;
                recharge(&f.co);
                f.co.state = states[k];
                f.co.after = CO_PAYING;
                f.co.message = CO_NOTE_RECHARGE_ONLY;
                f.cv.invoice = 1;
                tree.w = w;
                tree.h = h;
                fixture_build(&f, &tree, &th);
                char what[96];
                snprintf(what, sizeof what, "recharge %s(%s) %dx%d%s", tree.screen,
                         co_state_name(f.co.state), w, h, large ? " large" : "");
                check_tree(&tree, &th, what);
                assert_null(ui_find(&tree, "review.member"));
                assert_null(ui_find(&tree, "item.0.more"));
                assert_null(ui_find(&tree, "done.get_invoice"));
                assert_string_equal(ui_find(&tree, "header.title")->text, "Fuel card recharge");
            }
    struct theme th;
    theme_make(&th, "default", 0, 1080);
    tree.w = 1080;
    tree.h = 1920;
    fixture_init(&f, "en_US");
    f.sess.state = SESS_SERVICE;
    recharge(&f.co);
    f.co.state = CO_REVIEW;
    f.co.message = CO_NOTE_RECHARGE_ONLY;
    fixture_build(&f, &tree, &th);
    assert_string_equal(tree.screen, "review");
    assert_string_equal(ui_find(&tree, "review.recharge.label")->text, "Fuel card recharge");
    assert_string_equal(ui_find(&tree, "review.recharge")->text, "¥200.00");
    assert_string_equal(ui_find(&tree, "review.recharge.card")->text, "1000 **** **** 2001");
    assert_string_equal(ui_find(&tree, "review.total")->text, "¥200.00");
    assert_null(ui_find(&tree, "review.empty"));
    assert_null(ui_find(&tree, "review.scan")); /* the scanner takes a payment code only */
    assert_non_null(strstr(ui_find(&tree, "review.notice")->text, "card recharge"));
    assert_false(ui_find(&tree, "pay.code")->disabled);
    assert_false(ui_find(&tree, "pay.qr.wechat")->disabled);
    assert_string_equal(ui_find(&tree, "steps.current")->text, "1  Bill");
    /* priced the first time: a wait, not an empty bill */
    f.co.state = CO_PRICING;
    f.co.priced = 0;
    fixture_build(&f, &tree, &th);
    assert_string_equal(tree.screen, "wait");
    /* done while the receipt prints: no Finish, no e-invoice */
    recharge(&f.co);
    f.co.state = CO_DONE;
    f.cv.invoice = 1;
    fixture_build(&f, &tree, &th);
    assert_string_equal(tree.screen, "done");
    assert_null(ui_find(&tree, "done.ok"));
    assert_null(ui_find(&tree, "done.get_invoice"));
    assert_string_equal(ui_find(&tree, "steps.current")->text, "3  Done");
    /* refused over today's limit: why, and Finish (back to the card) */
    f.co.state = CO_FAILED;
    f.co.error = CO_ERR_RECHARGE_LIMIT;
    fixture_build(&f, &tree, &th);
    assert_string_equal(ui_find(&tree, "failed.title")->text, "Over today's recharge limit");
    assert_non_null(ui_find(&tree, "failed.ok"));
    assert_null(ui_find(&tree, "failed.retry"));
}

static void screen_names(void **state)
{
    (void)state;
    static struct fixture f;
    struct theme th;
    theme_make(&th, "default", 0, 1080);
    fixture_init(&f, "zh_CN");
    tree.w = 1080;
    tree.h = 1920;
    fixture_build(&f, &tree, &th);
    assert_string_equal(tree.screen, "attract");
    assert_true(ui_find(&tree, "attract.start")->on_enter);
    f.sess.state = SESS_HOME;
    fixture_build(&f, &tree, &th);
    assert_string_equal(tree.screen, "home");
    assert_non_null(ui_find(&tree, "home.fuel"));
    assert_non_null(ui_find(&tree, "home.shop"));
    assert_null(ui_find(&tree, "home.card")); /* only the services there are */
    assert_true(ui_find(&tree, "home.done")->on_escape);
    assert_int_equal(tree.modal_from, -1);
    f.sess.state = SESS_ASK_MORE;
    f.sess.resume = SESS_HOME;
    fixture_build(&f, &tree, &th);
    assert_string_equal(tree.screen, "more_time");
    assert_true(tree.modal_from > 0);
    assert_true(ui_find(&tree, "timeout.more")->on_escape);
    /* inside the customer's service: its screen */
    f.sess.state = SESS_SERVICE;
    f.co.state = CO_PUMPS;
    fixture_build(&f, &tree, &th);
    assert_string_equal(tree.screen, "pumps");
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_screen_keeps_the_rules),
        cmocka_unit_test(checkout_screens_keep_the_rules),
        cmocka_unit_test(recharge_screens),
        cmocka_unit_test(screen_names),
        cmocka_unit_test(header_titles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
