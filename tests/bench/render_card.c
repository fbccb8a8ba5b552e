/* kiosk-bench-render-card: every screen of the fuel-card service (each state, and the
 * variants that change what a screen shows: notes, card kinds, load steps, every error) at
 * 1080x1920 and 1920x1080 in both languages, written to OUT_DIR/<scene>_<zh|en>_<p|l>.png
 * to be looked at, with how long a frame takes (tree build + draw + present, software
 * renderer); and the load receipt on 80 mm and 58 mm paper (OUT_DIR/slip_<lang>_<dots>.png).
 * A benchmark: it prints figures and asserts nothing.
 * usage: kiosk-bench-render-card ASSETS_DIR LOCALE_DIR OUT_DIR [FRAMES [THEME [LARGE_TEXT]]]
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

/* ---- the cards -------------------------------------------------------------------------- */

/* 刘洋's personal card (the simulator's 1000113300002001), read, verified, its account
 * looked up. */
static void personal(struct cd_flow *f)
{
    memset(f, 0, sizeof *f);
    static const int64_t presets[CD_NPRESETS] = {10000, 20000, 50000, 100000};
    memcpy(f->cfg.presets_fen, presets, sizeof presets);
    f->cfg.pin_len = 6;
    f->cfg.terminal = "T0001";
    f->cfg.today = 20261130;
    f->present = 1;
    snprintf(f->info.card_no, sizeof f->info.card_no, "1000113300002001");
    f->info.kind = CARD_PERSONAL;
    f->info.start_date = 20240101;
    f->info.expiry_date = 20291231;
    snprintf(f->holder, sizeof f->holder, "刘洋");
    f->balance_fen = f->balance_before_fen = 8800;
    f->have_account = 1;
    snprintf(f->acct.no_masked, sizeof f->acct.no_masked, "1000********2001");
    snprintf(f->acct.holder_masked, sizeof f->acct.holder_masked, "刘*");
    snprintf(f->acct.kind, sizeof f->acct.kind, "personal");
    snprintf(f->acct.status, sizeof f->acct.status, "active");
    snprintf(f->acct.invoice_mode, sizeof f->acct.invoice_mode, "recharge");
    f->acct.balance_cap_fen = 500000;
    f->acct.daily_cap_fen = 500000;
    f->pin_tries_left = -1;
    static const uint8_t order[10] = {7, 2, 9, 0, 5, 1, 8, 3, 6, 4};
    memcpy(f->pin_order, order, sizeof order);
    f->verified = 1;
    f->resolving = -1;
    f->editing = -1;
}

/* The company's main card (1000113300001234) and its sub-cards. */
static void main_card(struct cd_flow *f, int nsubs)
{
    static const char *const holders[CD_MAX_SUBS] = {"王*", "赵*", "钱*", "孙*", "李*",
                                                     "周*", "吴*", "郑*", "冯*", "陈*"};
    personal(f);
    snprintf(f->info.card_no, sizeof f->info.card_no, "1000113300001234");
    f->info.kind = CARD_MAIN;
    snprintf(f->holder, sizeof f->holder, "北京京华运输有限公司");
    snprintf(f->acct.holder_masked, sizeof f->acct.holder_masked, "北京京华运输有限公司");
    snprintf(f->acct.kind, sizeof f->acct.kind, "main");
    snprintf(f->acct.invoice_mode, sizeof f->acct.invoice_mode, "sale");
    f->balance_fen = f->balance_before_fen = 0;
    f->acct.account_fen = 500000;
    f->nsubs = nsubs;
    for (int i = 0; i < nsubs; i++) {
        struct cd_sub *s = &f->subs[i];
        unsigned last = (78u + (unsigned)i) % 100u; /* 5678, 5679, ... */
        snprintf(s->card_no, sizeof s->card_no, "10001133000056%02u", last);
        snprintf(s->no_masked, sizeof s->no_masked, "1000 **** **** 56%02u", last);
        snprintf(s->holder_masked, sizeof s->holder_masked, "%s", holders[i]);
        snprintf(s->status, sizeof s->status, "%s", i == 3 ? "lost" : "active");
        s->allocation_fen = i == 0 ? 20000 : 0;
    }
}

static void sub_card(struct cd_flow *f)
{
    personal(f);
    snprintf(f->info.card_no, sizeof f->info.card_no, "1000113300005678");
    f->info.kind = CARD_SUB;
    snprintf(f->holder, sizeof f->holder, "王师傅");
    snprintf(f->acct.holder_masked, sizeof f->acct.holder_masked, "王**");
    snprintf(f->acct.kind, sizeof f->acct.kind, "sub");
    snprintf(f->acct.invoice_mode, sizeof f->acct.invoice_mode, "sale");
    f->balance_fen = f->balance_before_fen = 2000;
    f->acct.allocation_fen = 30000;
}

/* A recharge of ¥500.00 paid at checkout, being loaded. */
static void recharged(struct cd_flow *f, enum cd_step step)
{
    personal(f);
    f->state = CD_LOADING;
    f->step = step;
    f->busy = 1;
    f->recharge_fen = 50000;
    snprintf(f->amount_digits, sizeof f->amount_digits, "500");
    snprintf(f->recharge_txn, sizeof f->recharge_txn, "T0001-20261130-000042");
    f->acct.account_fen = 50000;
    snprintf(f->load.load_id, sizeof f->load.load_id, "L-T0001-20261130-000007");
    f->load.amount_fen = 50000;
    snprintf(f->load.source, sizeof f->load.source, "account");
    f->init.online_serial = 7;
}

static void done(struct cd_flow *f)
{
    recharged(f, CS_NONE);
    f->state = CD_DONE;
    f->busy = 0;
    f->loaded_fen = 50000;
    f->balance_before_fen = 8800;
    f->balance_fen = 58800;
    f->acct.account_fen = 0;
    static const uint8_t tac[4] = {0x3A, 0x84, 0x5B, 0xF0};
    memcpy(f->tac, tac, sizeof tac);
    snprintf(f->date, sizeof f->date, "20261130");
    snprintf(f->time, sizeof f->time, "141503");
    f->printed = 1;
}

/* ---- the scenes ------------------------------------------------------------------------- */

struct scene {
    const char *label;
    void (*fill)(struct cd_flow *f);
    int printer_ok;
    const char *reader_problem;
};

#define SIMPLE(fn, st)                                                                        \
    static void fn(struct cd_flow *f)                                                          \
    {                                                                                          \
        personal(f);                                                                           \
        f->state = st;                                                                         \
    }
SIMPLE(s_insert, CD_INSERT)
SIMPLE(s_locked, CD_LOCKED)

static void s_reading(struct cd_flow *f)
{
    personal(f);
    f->have_account = 0;
    f->verified = 0;
    f->state = CD_READING;
    f->busy = 1;
}
static void s_lookup(struct cd_flow *f)
{
    s_reading(f);
    f->state = CD_LOOKUP;
    f->wait_until = 1000 + CD_CALL_MS;
}
static void s_lookup_slow(struct cd_flow *f)
{
    s_lookup(f);
    f->wait_until = 1000 + 8000; /* 12 s of 20 gone at now 1000 */
}
static void s_verifying(struct cd_flow *f)
{
    personal(f);
    f->state = CD_VERIFYING;
    f->busy = 1;
}
static void s_resolving(struct cd_flow *f)
{
    personal(f);
    f->state = CD_RESOLVING;
    f->step = CS_PROOF;
    f->busy = 1;
}
static void s_paying(struct cd_flow *f)
{
    recharged(f, CS_NONE);
    f->state = CD_PAYING;
}
static void s_refresh(struct cd_flow *f)
{
    recharged(f, CS_NONE);
    f->state = CD_REFRESH;
}
static void s_pin(struct cd_flow *f)
{
    personal(f);
    f->verified = 0;
    f->state = CD_PIN;
    snprintf(f->pin, sizeof f->pin, "123");
}
static void s_pin_wrong(struct cd_flow *f)
{
    s_pin(f);
    f->pin[0] = '\0';
    f->note = CD_NOTE_WRONG_PIN;
    f->pin_tries_left = 2;
}
static void s_pin_last(struct cd_flow *f)
{
    s_pin_wrong(f);
    f->pin_tries_left = 1;
}
static void s_pin_short(struct cd_flow *f)
{
    s_pin(f);
    snprintf(f->pin, sizeof f->pin, "1234");
    f->note = CD_NOTE_PIN_SHORT;
}
static void s_menu(struct cd_flow *f)
{
    personal(f);
    f->state = CD_MENU;
    f->acct.account_fen = 30000;
    f->resolved_fen = 20000;
}
static void s_menu_empty(struct cd_flow *f)
{
    personal(f);
    f->state = CD_MENU;
}
static void s_menu_full(struct cd_flow *f)
{
    personal(f);
    f->state = CD_MENU;
    f->balance_fen = 500000; /* at the cap: nothing can be loaded or recharged */
    f->acct.account_fen = 20000;
}
static void s_menu_main(struct cd_flow *f)
{
    main_card(f, 0);
    f->state = CD_MENU;
}
static void s_menu_sub(struct cd_flow *f)
{
    sub_card(f);
    f->state = CD_MENU;
}
static void s_amount(struct cd_flow *f)
{
    personal(f);
    f->state = CD_AMOUNT;
    snprintf(f->amount_digits, sizeof f->amount_digits, "500");
}
static void s_amount_empty(struct cd_flow *f)
{
    personal(f);
    f->state = CD_AMOUNT;
}
static void s_amount_high(struct cd_flow *f)
{
    personal(f);
    f->state = CD_AMOUNT;
    f->balance_fen = 380000;
    f->acct.recharged_today_fen = 300000;
    snprintf(f->amount_digits, sizeof f->amount_digits, "50000");
    f->note = CD_NOTE_AMOUNT_HIGH;
}
static void s_amount_limit(struct cd_flow *f)
{
    s_amount_high(f);
    f->note = CD_NOTE_LIMIT;
}
#define LOADING(fn, st)                                                                       \
    static void fn(struct cd_flow *f) { recharged(f, st); }
LOADING(s_load_init, CS_INIT)
LOADING(s_load_mac2, CS_MAC2)
LOADING(s_load_intent, CS_INTENT)
LOADING(s_load_credit, CS_CREDIT)
LOADING(s_load_confirm, CS_CONFIRM)
LOADING(s_load_balance, CS_BALANCE)
static void s_load_waiting(struct cd_flow *f)
{
    recharged(f, CS_CREDIT);
    f->recharge_fen = 0;
    f->recharge_txn[0] = '\0';
    f->load.amount_fen = 30000;
}
static void s_done(struct cd_flow *f)
{
    done(f);
}
static void s_done_sub(struct cd_flow *f)
{
    sub_card(f);
    f->state = CD_DONE;
    f->loaded_fen = 20000;
    f->balance_before_fen = 2000;
    f->balance_fen = 22000;
    f->acct.allocation_fen = 10000;
    f->resolved_fen = 5000;
    snprintf(f->date, sizeof f->date, "20261130");
    snprintf(f->time, sizeof f->time, "141503");
}
static void subs_typed(struct cd_flow *f, int n)
{
    main_card(f, n);
    f->state = CD_SUBCARDS;
    f->subs[0].amount_fen = 50000;
    f->subs[2].amount_fen = 30000;
    if (n > 5)
        f->subs[5].amount_fen = 120000;
}
static void s_subcards(struct cd_flow *f)
{
    subs_typed(f, 5);
}
static void s_subcards_high(struct cd_flow *f)
{
    subs_typed(f, CD_MAX_SUBS);
    for (int i = 0; i < f->nsubs; i++)
        if (i != 3)
            f->subs[i].amount_fen = 60000;
    f->note = CD_NOTE_ALLOC_HIGH;
}
static void s_subcards_none(struct cd_flow *f)
{
    main_card(f, 0);
    f->state = CD_SUBCARDS;
}
static void s_subcards_loading(struct cd_flow *f)
{
    main_card(f, 0);
    f->state = CD_SUBCARDS;
    f->busy = 1;
}
static void s_menu_refused(struct cd_flow *f)
{
    main_card(f, 0);
    f->state = CD_MENU;
    f->note = CD_NOTE_REFUSED; /* the sub-cards were not given */
}
static void s_amount_offline(struct cd_flow *f)
{
    personal(f);
    f->state = CD_AMOUNT;
    snprintf(f->amount_digits, sizeof f->amount_digits, "200");
    f->note = CD_NOTE_OFFLINE; /* the payment could not start */
}
static void s_alloc_keypad(struct cd_flow *f)
{
    subs_typed(f, 5);
    f->state = CD_ALLOC_KEYPAD;
    f->editing = 0;
    snprintf(f->amount_digits, sizeof f->amount_digits, "300");
}
static void s_alloc_split(struct cd_flow *f)
{
    subs_typed(f, 5);
    f->state = CD_ALLOC_KEYPAD;
    f->editing = -1;
    snprintf(f->amount_digits, sizeof f->amount_digits, "1200");
}
static void s_alloc_confirm(struct cd_flow *f)
{
    subs_typed(f, 6);
    f->state = CD_ALLOC_CONFIRM;
}
static void s_alloc_refused(struct cd_flow *f)
{
    s_alloc_confirm(f);
    f->note = CD_NOTE_REFUSED;
}
static void s_alloc_offline(struct cd_flow *f)
{
    s_alloc_confirm(f);
    f->note = CD_NOTE_OFFLINE;
}
static void s_allocating(struct cd_flow *f)
{
    s_alloc_confirm(f);
    f->state = CD_ALLOCATING;
    f->busy = 1;
}
static void s_allocated(struct cd_flow *f)
{
    s_alloc_confirm(f);
    f->state = CD_ALLOCATED;
    f->acct.account_fen = 500000 - cd_alloc_total(f);
}
static void s_history(struct cd_flow *f)
{
    personal(f);
    f->state = CD_HISTORY;
    f->nlog = 8;
    for (int i = 0; i < f->nlog; i++) {
        struct card_log *g = &f->log[i];
        g->serial = (uint16_t)(20 - i);
        g->type = i % 3 == 0 ? CARD_LOAD_TYPE : 0x06;
        g->amount_fen = g->type == CARD_LOAD_TYPE ? 50000 : 23456 - i * 1000;
        static const uint8_t term[6] = {0, 0, 0, 0, 0, 1};
        memcpy(g->term_id, term, sizeof term);
        g->date = 20261130 - (uint32_t)i * 2;
        g->time = 141503 - (uint32_t)i * 100;
    }
    static const char *const kinds[] = {"load", "recharge", "allocation_in", "load",
                                        "recharge", "allocation_out"};
    f->nmoves = 6;
    for (int i = 0; i < f->nmoves; i++) {
        struct cd_move *m = &f->moves[i];
        m->at_ms = 1795997703000LL - (int64_t)i * 86400000;
        snprintf(m->kind, sizeof m->kind, "%s", kinds[i]);
        m->amount_fen = 50000 - i * 5000;
        snprintf(m->terminal, sizeof m->terminal, "T000%d", 1 + i % 3);
    }
}
static void s_history_busy(struct cd_flow *f)
{
    s_history(f);
    f->nlog = 3;
    f->nmoves = 0;
    f->busy = 1;
}
static void s_history_empty(struct cd_flow *f)
{
    s_history(f);
    f->nlog = 0;
    f->nmoves = 0;
    f->note = CD_NOTE_OFFLINE;
}
static void s_removed_nothing(struct cd_flow *f)
{
    personal(f);
    f->present = 0;
    f->state = CD_REMOVED;
    f->removed = CD_GONE_NOTHING;
}
static void s_removed_account(struct cd_flow *f)
{
    recharged(f, CS_NONE);
    f->present = 0;
    f->state = CD_REMOVED;
    f->removed = CD_GONE_IN_ACCOUNT;
}
static void s_removed_pending(struct cd_flow *f)
{
    recharged(f, CS_CREDIT);
    f->present = 0;
    f->state = CD_REMOVED;
    f->removed = CD_GONE_PENDING;
}

static enum cd_error failing;
static void s_failed(struct cd_flow *f)
{
    personal(f);
    f->state = CD_FAILED;
    f->error = failing;
    if (failing == CD_ERR_MAC2 || failing == CD_ERR_OFFLINE) { /* after a paid recharge */
        f->recharge_fen = 50000;
        snprintf(f->recharge_txn, sizeof f->recharge_txn, "T0001-20261130-000042");
    }
}

static const struct scene scenes[] = {
    {"insert", s_insert, 1, ""},
    {"insert_reader", s_insert, 1, N_("The card reader is not working.")},
    {"reading", s_reading, 1, ""},
    {"reading_lookup", s_lookup, 1, ""},
    {"reading_lookup_slow", s_lookup_slow, 1, ""},
    {"reading_verifying", s_verifying, 1, ""},
    {"reading_resolving", s_resolving, 1, ""},
    {"reading_paying", s_paying, 1, ""},
    {"reading_refresh", s_refresh, 1, ""},
    {"pin", s_pin, 1, ""},
    {"pin_wrong", s_pin_wrong, 1, ""},
    {"pin_last", s_pin_last, 1, ""},
    {"pin_short", s_pin_short, 1, ""},
    {"menu", s_menu, 1, ""},
    {"menu_empty", s_menu_empty, 1, ""},
    {"menu_full", s_menu_full, 1, ""},
    {"menu_main", s_menu_main, 1, ""},
    {"menu_refused", s_menu_refused, 1, ""},
    {"menu_sub", s_menu_sub, 1, ""},
    {"amount", s_amount, 1, ""},
    {"amount_empty", s_amount_empty, 1, ""},
    {"amount_high", s_amount_high, 1, ""},
    {"amount_limit", s_amount_limit, 1, ""},
    {"amount_offline", s_amount_offline, 1, ""},
    {"loading_init", s_load_init, 1, ""},
    {"loading_mac2", s_load_mac2, 1, ""},
    {"loading_intent", s_load_intent, 1, ""},
    {"loading_credit", s_load_credit, 1, ""},
    {"loading_confirm", s_load_confirm, 1, ""},
    {"loading_balance", s_load_balance, 1, ""},
    {"loading_waiting", s_load_waiting, 1, ""},
    {"done", s_done, 1, ""},
    {"done_noprinter", s_done, 0, ""},
    {"done_sub", s_done_sub, 1, ""},
    {"subcards", s_subcards, 1, ""},
    {"subcards_high", s_subcards_high, 1, ""},
    {"subcards_none", s_subcards_none, 1, ""},
    {"subcards_loading", s_subcards_loading, 1, ""},
    {"alloc_keypad", s_alloc_keypad, 1, ""},
    {"alloc_split", s_alloc_split, 1, ""},
    {"alloc_confirm", s_alloc_confirm, 1, ""},
    {"alloc_refused", s_alloc_refused, 1, ""},
    {"alloc_offline", s_alloc_offline, 1, ""},
    {"allocating", s_allocating, 1, ""},
    {"allocated", s_allocated, 1, ""},
    {"history", s_history, 1, ""},
    {"history_busy", s_history_busy, 1, ""},
    {"history_empty", s_history_empty, 1, ""},
    {"locked", s_locked, 1, ""},
    {"removed_nothing", s_removed_nothing, 1, ""},
    {"removed_account", s_removed_account, 1, ""},
    {"removed_pending", s_removed_pending, 1, ""},
    {"failed", s_failed, 1, ""}, /* once per error */
};

#define NSCENES (int)(sizeof scenes / sizeof scenes[0])

/* The receipt of a done load, as a grey PNG. */
struct slip_png {
    const struct bitmap *b;
};

static void slip_row(void *user, int y, unsigned char *row)
{
    const struct bitmap *b = ((struct slip_png *)user)->b;
    for (int x = 0; x < b->width; x++)
        row[x] = bitmap_get(b, x, y) ? 0 : 255;
}

static int slips(const char *out, SDL_Renderer *r)
{
    static struct cd_flow f;
    char err[600], path[1200];
    struct text_engine *te = text_create(r, "", "Noto Sans CJK SC", err, sizeof err);
    if (!te) {
        fprintf(stderr, "kiosk-bench-render-card: %s\n", err);
        return -1;
    }
    struct kiosk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.station_name, sizeof cfg.station_name, "朝阳路加油站");
    snprintf(cfg.terminal_id, sizeof cfg.terminal_id, "T0001");
    static const int widths[2] = {576, 384};
    for (int l = 0; l < 2; l++)
        for (int k = 0; k < 2; k++) {
            const char *lang = l ? "en_US" : "zh_CN";
            cfg.paper_width_dots = widths[k];
            done(&f);
            struct slip *s = cd_slip(te, &cfg, lang, &f);
            struct slip_png p = {s ? slip_bitmap(s) : NULL};
            snprintf(path, sizeof path, "%s/slip_%s_%d.png", out, l ? "en" : "zh", widths[k]);
            if (!p.b || pngio_write_rows(path, p.b->width, p.b->height, 1, slip_row, &p, NULL,
                                         NULL, err, sizeof err) != 0) {
                fprintf(stderr, "kiosk-bench-render-card: %s: %s\n", path, p.b ? err : "no slip");
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
    static struct cd_flow f;
    static struct ui_tree tree;
    if (argc < 4) {
        fprintf(stderr, "usage: kiosk-bench-render-card ASSETS_DIR LOCALE_DIR OUT_DIR [FRAMES "
                        "[THEME [LARGE_TEXT]]]\n");
        return 2;
    }
    int n = argc > 4 ? atoi(argv[4]) : 50;
    const char *theme = argc > 5 ? argv[5] : "default";
    int large = argc > 6 && atoi(argv[6]) != 0;
    char err[600];
    log_set_quiet(1);
    if (n < 1 || i18n_init(argv[2], "zh_CN,en_US", err, sizeof err) != 0) {
        fprintf(stderr, "kiosk-bench-render-card: %s\n", n < 1 ? "FRAMES must be >= 1" : err);
        return 2;
    }
    double *ms = calloc((size_t)n + 1, sizeof *ms), worst = 0;
    const char *worst_at = "";
    int shots = 0, status = 0;
    for (int z = 0; z < 2 && ms && status == 0; z++) {
        int w = sizes[z][0], h = sizes[z][1];
        SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
        SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
        struct text_engine *te = r ? text_create(r, "", "Noto Sans CJK SC", err, sizeof err) : NULL;
        if (!te) {
            fprintf(stderr, "kiosk-bench-render-card: %s\n", r ? err : SDL_GetError());
            return 1;
        }
        struct theme th;
        if (theme_make(&th, theme, large, w < h ? w : h) != 0) {
            fprintf(stderr, "kiosk-bench-render-card: no theme %s\n", theme);
            return 2;
        }
        for (int l = 0; l < 2 && status == 0; l++)
            for (int k = 0; k < NSCENES && status == 0; k++) {
                int runs = scenes[k].fill == s_failed ? CD_ERR_LAST - 1 : 1;
                for (int e = 0; e < runs && status == 0; e++) {
                    const char *lang = l ? "en_US" : "zh_CN";
                    char label[64], path[1200];
                    failing = (enum cd_error)(e + 1);
                    if (scenes[k].fill == s_failed)
                        snprintf(label, sizeof label, "failed_%02d", e + 1);
                    else
                        snprintf(label, sizeof label, "%s", scenes[k].label);
                    i18n_set_lang(lang);
                    scenes[k].fill(&f);
                    struct cd_view v = {
                        .base = {.now_ms = 1000, .station = "朝阳路加油站",
                                 .terminal_id = "T0001", .lang = lang,
                                 .other_lang_label = l ? "中文" : "English", .sound = 1},
                        .f = &f, .printer_ok = scenes[k].printer_ok,
                        .reader_problem = scenes[k].reader_problem[0]
                                              ? _(scenes[k].reader_problem)
                                              : ""};
                    for (int i = 0; i <= n; i++) {
                        Uint64 t0 = SDL_GetPerformanceCounter();
                        ui_begin(&tree, "", w, h);
                        cd_screen(&tree, &th, &v);
                        struct ui_render_ctx c = {r, &th, te, argv[1], -1, -1, i * 16, NULL, NULL};
                        ui_render(&c, &tree);
                        SDL_RenderPresent(r);
                        ms[i] = (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 /
                                (double)SDL_GetPerformanceFrequency();
                    }
                    if (tree.overflow)
                        fprintf(stderr, "kiosk-bench-render-card: %s: %d widgets too many\n",
                                label, tree.overflow);
                    snprintf(path, sizeof path, "%s/%s_%s_%s.png", argv[3], label,
                             l ? "en" : "zh", z ? "l" : "p");
                    if (shot_write_png(s, &tree, path) != 0) {
                        fprintf(stderr, "kiosk-bench-render-card: cannot write %s\n", path);
                        status = 1;
                    }
                    shots++;
                    qsort(ms + 1, (size_t)n, sizeof *ms, cmp_double);
                    int i99 = (n * 99) / 100;
                    double p99 = ms[1 + (i99 < n ? i99 : n - 1)];
                    if (p99 > worst) {
                        worst = p99;
                        worst_at = scenes[k].label;
                    }
                    printf("render %-20s %-18s %4dx%-4d %s first=%6.2fms p50=%5.2fms p99=%5.2fms\n",
                           label, tree.screen, w, h, lang, ms[0], ms[1 + n / 2], p99);
                }
            }
        if (status == 0 && z == 0 && slips(argv[3], r) != 0)
            status = 1;
        text_destroy(te);
        ui_render_cleanup();
        SDL_DestroyRenderer(r);
        SDL_FreeSurface(s);
    }
    printf("render: %d card screens written to %s; the worst p99 %.2f ms (%s)   [target p99 <= 8 ms]\n",
           shots, argv[3], worst, worst_at);
    free(ms);
    i18n_shutdown();
    return status;
}
