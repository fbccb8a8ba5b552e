#include <stdio.h>
#include <string.h>

#include "core/health.h"
#include "core/i18n.h"
#include "core/money.h"
#include "screens.h"

/* Attendant mode's screens with lists: what a shift close waits for, the shift's or the
 * day's totals, a sale's lines to refund with the reasons, and the devices with the records
 * the station system refused. A list scrolls where it does not fit (its id at.<what>.list);
 * the actions stay put under it (portrait) or in the right column (landscape). */

/* ---- pieces ----------------------------------------------------------------------------- */

/* A list at r for content `content_h` high (r shrinks to it when it needs less): its index;
 * *w is the width its rows may take (room for the scroll bar when it scrolls). */
static int list_begin(struct ui_tree *t, const struct theme *th, const char *id, SDL_Rect *r,
                      int content_h, int *w)
{
    int bar = 12, gap = th->min_target / 8;
    if (r->h > content_h)
        r->h = content_h;
    struct ui_widget *lw = ui_add(t, UI_LIST, ST_PLAIN, id, *r, NULL);
    lw->content_h = content_h;
    *w = content_h > r->h ? r->w - bar - gap : r->w;
    return t->n - 1;
}

/* A thin line, w wide, at (x, y): between the rows of a list. */
static void rule(struct ui_tree *t, const struct theme *th, int x, int y, int w)
{
    ui_add(t, UI_PANEL, ST_PLAIN, NULL, (SDL_Rect){x, y, w, 2}, NULL)->bg = th->border;
}

/* ---- the unfinished items --------------------------------------------------------------- */

static const char *kind_text(const char *kind)
{
    if (!strcmp(kind, "payment"))
        return _("Payment settling");
    if (!strcmp(kind, "card_load"))
        return _("Card load pending");
    if (!strcmp(kind, "depot_ticket"))
        return _("Loading ticket not printed");
    if (!strcmp(kind, "invoice"))
        return _("Invoice being issued");
    if (!strcmp(kind, "refund"))
        return _("Refund");
    return kind;
}

/* The items in a list at r: what, since when, its key. */
static void unfinished_list(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                            SDL_Rect r)
{
    int n = v->unfinished ? v->nunfinished : 0;
    if (n > AT_UNFINISHED_MAX)
        n = AT_UNFINISHED_MAX;
    if (n <= 0)
        return;
    int r1 = th->font_px[FONT_TITLE] * 3 / 2, r2 = th->font_px[FONT_BODY] * 3 / 2;
    int gap = th->min_target / 6, rh = r1 + r2 + gap, w;
    int li = list_begin(t, th, "at.unfinished.list", &r, n * rh, &w);
    int first = t->n, tw = w * 62 / 100;
    for (int i = 0; i < n; i++) {
        const struct at_unfinished_row *u = &v->unfinished[i];
        char id[UI_ID_LEN], when[32], text[80];
        int y = r.y + i * rh;
        snprintf(id, sizeof id, "at.unfinished.%d", i);
        chrome_text(t, id, (SDL_Rect){r.x, y, tw, r1}, kind_text(u->kind), FONT_TITLE, ALIGN_LEFT)
            ->bold = 1;
        at_when(u->since_ms, when, sizeof when);
        snprintf(text, sizeof text, _("since %s"), when);
        chrome_text(t, NULL, (SDL_Rect){r.x + tw, y, w - tw, r1}, text, FONT_BODY, ALIGN_RIGHT);
        chrome_text(t, NULL, (SDL_Rect){r.x, y + r1, w, r2}, u->ref, FONT_BODY, ALIGN_LEFT)->fg =
            th->text_dim;
        if (i + 1 < n)
            rule(t, th, r.x, y + rh - gap / 2 - 1, w);
    }
    at_adopt(t, first, li);
}

void at_screen_unfinished(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                          const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    int bh = th->min_target * 3 / 2, gap = l->gap / 2;
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    int count = f->unfinished > v->nunfinished ? f->unfinished : v->nunfinished;
    char text[160];
    if (count == 1)
        snprintf(text, sizeof text, "%s", _("1 item is not finished yet"));
    else
        snprintf(text, sizeof text, _("%d items are not finished yet"), count);
    /* the carry-over at the bottom (of the left column in landscape), the spinner and the
     * words over it */
    SDL_Rect carry = {left.x, left.y + left.h - bh, left.w, bh};
    int sp = th->min_target;
    enum { TITLE, COUNT, WAIT, ROWS };
    int h[ROWS] = {th->font_px[FONT_HEADLINE] * 3 / 2, th->font_px[FONT_TITLE] * 2,
                   th->font_px[FONT_TITLE] * 3};
    int fixed = bh + l->gap + gap;
    int listed = v->unfinished ? v->nunfinished : 0;
    int list_min = l->portrait && listed > 0 ? th->font_px[FONT_TITLE] * 3 : 0;
    chrome_fit(h, ROWS, left.h - fixed - list_min, th->font_px[FONT_CAPTION] * 3 / 2);
    at_headline(t, "at.unfinished.title", &left, h[TITLE], _("Shift close"), ALIGN_LEFT);
    chrome_text(t, "at.unfinished.count", (SDL_Rect){left.x, left.y, left.w, h[COUNT]}, text,
                FONT_TITLE, ALIGN_LEFT)
        ->fg = th->warn;
    left.y += h[COUNT] + gap;
    left.h -= h[COUNT] + gap;
    /* the spinner and "it waits": over the carry-over */
    int wy = carry.y - l->gap - h[WAIT];
    int spw = sp < h[WAIT] ? sp : h[WAIT];
    ui_add(t, UI_SPINNER, ST_PLAIN, "at.busy",
           (SDL_Rect){left.x, wy + (h[WAIT] - spw) / 2, spw, spw}, NULL);
    chrome_text(t, "at.unfinished.wait",
                (SDL_Rect){left.x + spw + gap, wy, left.w - spw - gap, h[WAIT]},
                _("The close waits for them and continues by itself."), FONT_TITLE, ALIGN_LEFT);
    struct ui_widget *b = ui_button(t, "at.carry", carry,
                                    _("Close with them carried over (supervisor)"), ST_SECONDARY);
    b->font = FONT_TITLE;
    /* the items: between the words and the wait (portrait), the right column (landscape) */
    SDL_Rect lr = l->portrait ? (SDL_Rect){a.x, left.y, a.w, wy - l->gap - left.y} : right;
    unfinished_list(t, th, v, lr);
}

/* ---- the totals ------------------------------------------------------------------------- */

enum row_kind { ROW_PLAIN, ROW_SECTION, ROW_SUB };

struct sum_row {
    enum row_kind kind;
    char label[64], number[32], amount[32];
    int warn;               /* a figure that needs looking at */
};

#define SUM_ROWS (4 * TOT_ROWS + 24)

struct sum {
    struct sum_row v[SUM_ROWS];
    int n;
};

static struct sum_row *add_row(struct sum *s, enum row_kind k, const char *label)
{
    if (s->n >= SUM_ROWS)
        return NULL;
    struct sum_row *r = &s->v[s->n++];
    memset(r, 0, sizeof *r);
    r->kind = k;
    snprintf(r->label, sizeof r->label, "%s", label);
    return r;
}

/* A row with a count and an amount. */
static void row_money(struct sum *s, enum row_kind k, const char *label, int64_t count,
                      int64_t fen)
{
    struct sum_row *r = add_row(s, k, label);
    if (!r)
        return;
    snprintf(r->number, sizeof r->number, "%lld", (long long)count);
    money_format(fen, r->amount, sizeof r->amount);
}

/* A row with a count only; in the warning colour when `warn_if_any` and it is not 0. */
static void row_count(struct sum *s, const char *label, int64_t count, int warn_if_any)
{
    struct sum_row *r = add_row(s, ROW_PLAIN, label);
    if (!r)
        return;
    snprintf(r->number, sizeof r->number, "%lld", (long long)count);
    r->warn = warn_if_any && count != 0;
}

static const char *channel_text(const char *key)
{
    if (!strcmp(key, "wechat"))
        return _("WeChat");
    if (!strcmp(key, "alipay"))
        return _("Alipay");
    if (!strcmp(key, "unionpay"))
        return _("UnionPay");
    if (!strcmp(key, "ecny"))
        return _("e-CNY");
    if (!strcmp(key, "other") || !key[0])
        return _("Other");
    return key;
}

static const char *discount_text(const char *key)
{
    if (!strcmp(key, "member"))
        return _("Member discounts");
    if (!strcmp(key, "points"))
        return _("Paid with points");
    if (!strcmp(key, "other") || !key[0])
        return _("Other");
    return key;
}

/* "12.345" from thousandths (a depot ticket's quantity, in its own unit). */
static void milli_text(int64_t milli, char *out, size_t cap)
{
    int neg = milli < 0;
    uint64_t m = neg ? (uint64_t)0 - (uint64_t)milli : (uint64_t)milli;
    snprintf(out, cap, "%s%llu.%03llu", neg ? "-" : "", (unsigned long long)(m / 1000),
             (unsigned long long)(m % 1000));
}

static void sum_rows(const struct totals *tt, struct sum *s)
{
    s->n = 0;
    row_money(s, ROW_PLAIN, _("Sales"), tt->sales, tt->sales_fen);
    if (tt->by_method.n > 0)
        add_row(s, ROW_SECTION, _("By payment method"));
    for (int i = 0; i < tt->by_method.n && i < TOT_ROWS; i++)
        row_money(s, ROW_SUB, channel_text(tt->by_method.v[i].key), tt->by_method.v[i].count,
                  tt->by_method.v[i].amount_fen);
    if (tt->by_grade.n > 0)
        add_row(s, ROW_SECTION, _("By grade"));
    for (int i = 0; i < tt->by_grade.n && i < TOT_ROWS; i++) {
        const struct tot_row *g = &tt->by_grade.v[i];
        struct sum_row *r = add_row(s, ROW_SUB, !strcmp(g->key, "other") ? _("Other") : g->key);
        if (!r)
            break;
        volume_format(g->volume_ml, r->number, sizeof r->number);
        money_format(g->amount_fen, r->amount, sizeof r->amount);
    }
    row_money(s, ROW_PLAIN, _("Shop goods"), tt->shop_items, tt->shop_fen);
    int kinds = 0;
    for (int i = 0; i < tt->discounts.n && i < TOT_ROWS; i++)
        kinds += strcmp(tt->discounts.v[i].key, "coupon") != 0;
    if (kinds > 0)
        add_row(s, ROW_SECTION, _("Discounts"));
    for (int i = 0; i < tt->discounts.n && i < TOT_ROWS; i++) /* coupons: their own line */
        if (strcmp(tt->discounts.v[i].key, "coupon") != 0)
            row_money(s, ROW_SUB, discount_text(tt->discounts.v[i].key),
                      tt->discounts.v[i].count, tt->discounts.v[i].amount_fen);
    row_money(s, ROW_PLAIN, _("Coupons"), tt->coupons, tt->coupons_fen);
    row_count(s, _("Points used"), tt->points_used, 0);
    row_count(s, _("Points earned"), tt->points_earned, 0);
    row_money(s, ROW_PLAIN, _("Refunds and voids"), tt->refunds, tt->refunds_fen);
    row_money(s, ROW_PLAIN, _("Invoices"), tt->invoices, tt->invoices_fen);
    row_money(s, ROW_PLAIN, _("Card recharges"), tt->recharges, tt->recharges_fen);
    row_money(s, ROW_PLAIN, _("Card loads"), tt->loads, tt->loads_fen);
    if (tt->tickets.n > 0) {
        add_row(s, ROW_SECTION, _("Loading tickets"));
        for (int i = 0; i < tt->tickets.n && i < TOT_ROWS; i++) {
            const struct tot_row *p = &tt->tickets.v[i];
            struct sum_row *r = add_row(s, ROW_SUB, !strcmp(p->key, "other") ? _("Other") : p->key);
            if (!r)
                break;
            snprintf(r->number, sizeof r->number, "%lld", (long long)p->count);
            milli_text(p->volume_ml, r->amount, sizeof r->amount);
        }
    } else {
        row_count(s, _("Loading tickets"), 0, 0);
    }
    row_count(s, _("Receipts not printed"), tt->print_failed, 1);
    row_count(s, _("Records not uploaded"), tt->outbox_pending, 1);
    if (tt->unreadable > 0)
        row_count(s, _("Unreadable records"), tt->unreadable, 1);
}

/* The totals in a list at r, under a line of column heads. */
static void sum_list(struct ui_tree *t, const struct theme *th, const struct sum *s, SDL_Rect r)
{
    int head_h = th->font_px[FONT_BODY] * 3 / 2;
    int row_h = th->font_px[FONT_BODY] * 7 / 4, sec_h = th->font_px[FONT_TITLE] * 7 / 4;
    int pad = th->min_target / 4;
    int content = 0;
    for (int i = 0; i < s->n; i++)
        content += s->v[i].kind == ROW_SECTION ? sec_h : row_h;
    /* the column heads, over the list */
    int lw_all = r.w, nw = lw_all * 24 / 100, aw = lw_all * 30 / 100;
    chrome_text(t, NULL, (SDL_Rect){r.x + lw_all - aw - nw, r.y, nw, head_h}, _("Number"),
                FONT_BODY, ALIGN_RIGHT)
        ->fg = th->text_dim;
    chrome_text(t, NULL, (SDL_Rect){r.x + lw_all - aw, r.y, aw, head_h}, _("Amount"), FONT_BODY,
                ALIGN_RIGHT)
        ->fg = th->text_dim;
    rule(t, th, r.x, r.y + head_h, r.w);
    SDL_Rect view = {r.x, r.y + head_h + 4, r.w, r.h - head_h - 4};
    int w;
    int li = list_begin(t, th, "at.summary.list", &view, content, &w);
    int first = t->n;
    nw = w * 24 / 100;
    aw = w * 30 / 100;
    int y = view.y;
    /* room for the frame: the footer's three widgets and a few more */
    for (int i = 0; i < s->n && t->n + 3 < UI_MAX_WIDGETS - 8; i++) {
        const struct sum_row *row = &s->v[i];
        char id[UI_ID_LEN];
        if (row->kind == ROW_SECTION) {
            struct ui_widget *x = chrome_text(t, NULL, (SDL_Rect){view.x, y + sec_h - row_h, w,
                                                                  row_h},
                                              row->label, FONT_TITLE, ALIGN_LEFT);
            x->bold = 1;
            y += sec_h;
            continue;
        }
        int in = row->kind == ROW_SUB ? pad : 0;
        snprintf(id, sizeof id, "at.sum.%d", i);
        SDL_Rect lr = {view.x + in, y, w - nw - aw - in, row_h};
        struct ui_widget *x = chrome_text(t, id, lr, row->label, FONT_BODY, ALIGN_LEFT);
        x->bold = row->kind == ROW_PLAIN;
        if (row->number[0]) {
            x = chrome_text(t, NULL, (SDL_Rect){view.x + w - aw - nw, y, nw, row_h}, row->number,
                            FONT_BODY, ALIGN_RIGHT);
            if (row->warn) {
                x->fg = th->warn;
                x->bold = 1;
            }
        }
        if (row->amount[0])
            chrome_text(t, NULL, (SDL_Rect){view.x + w - aw, y, aw, row_h}, row->amount,
                        FONT_BODY, ALIGN_RIGHT)
                ->bold = row->kind == ROW_PLAIN;
        y += row_h;
    }
    at_adopt(t, first, li);
}

/* A figure in a row: words left (id.label), the figure right (id), in type f. */
static void figure_row(struct ui_tree *t, const struct theme *th, SDL_Rect r, const char *id,
                       const char *words, const char *figure, enum font_role f, int big)
{
    char lid[UI_ID_LEN];
    int lw = r.w * 45 / 100;
    snprintf(lid, sizeof lid, "%s.label", id);
    struct ui_widget *w = chrome_text(t, lid, (SDL_Rect){r.x, r.y, lw, r.h}, words,
                                      big ? f : FONT_BODY, ALIGN_LEFT);
    w->bold = big;
    if (!big)
        w->fg = th->text_dim;
    chrome_text(t, id, (SDL_Rect){r.x + lw, r.y, r.w - lw, r.h}, figure, f, ALIGN_RIGHT)->bold = 1;
}

/* Portrait: what closes, since when (a day: whether its shifts add up), the totals in a
 * list, the net, Close and print. Landscape: what closes and the totals left; since when,
 * whether the shifts add up, the sales, the refunds and the net over Close and print
 * right. */
void at_screen_summary(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                       const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    int day = f->op == AT_OP_DAY_CLOSE || f->op == AT_OP_DAY_LOAD;
    int gap = l->gap / 2;
    SDL_Rect left = chrome_column(l, a, 0);
    SDL_Rect next = at_primary_rect(th, l, a);
    /* the words under the title: under it (portrait), the right column (landscape) */
    SDL_Rect words = l->portrait ? left : chrome_column(l, a, 1);
    int ready = v->totals && !f->busy;
    char info[160], when[32], amt[32], text[160];
    enum { TITLE, INFO, CHECK, ROWS };
    int h[ROWS] = {th->font_px[FONT_HEADLINE] * 3 / 2, th->font_px[FONT_BODY] * 3 / 2,
                   day && ready ? th->font_px[FONT_BODY] * 3 : 0};
    int net_h = th->font_px[FONT_HEADLINE] * 3 / 2, fig_h = th->font_px[FONT_TITLE] * 2;
    int room = l->portrait ? next.y - l->gap - net_h - a.y - th->min_target * 3
                           : next.y - gap - net_h - gap - 2 * fig_h - a.y;
    if (!l->portrait)
        room += h[TITLE]; /* the title is the left column's */
    chrome_fit(h, ROWS, room - 2 * gap, th->font_px[FONT_CAPTION] * 3 / 2);
    at_headline(t, "at.summary.title", &left, h[TITLE], day ? _("Day close") : _("Shift close"),
                ALIGN_LEFT);
    if (l->portrait)
        words = left;
    at_when(v->opened_ms, when, sizeof when);
    if (!ready) /* nothing read yet to say */
        info[0] = '\0';
    else if (day)
        snprintf(info, sizeof info, _("%d shifts, the first opened %s"), v->shifts, when);
    else
        snprintf(info, sizeof info, _("Shift %lld, opened %s"), (long long)v->shift_id, when);
    chrome_text(t, "at.summary.info", (SDL_Rect){words.x, words.y, words.w, h[INFO]}, info,
                FONT_BODY, ALIGN_LEFT)
        ->fg = th->text_dim;
    words.y += h[INFO] + gap;
    words.h -= h[INFO] + gap;
    if (h[CHECK]) { /* in words, and in colour */
        struct ui_widget *w;
        SDL_Rect r = {words.x, words.y, words.w, h[CHECK]};
        if (v->day_matches) {
            w = chrome_text(t, "at.summary.check", r, _("The shifts add up to the day"),
                            FONT_BODY, ALIGN_LEFT);
            w->fg = th->ok;
        } else {
            snprintf(text, sizeof text, _("Does not add up: %s"),
                     v->day_mismatch[0] ? v->day_mismatch : "-");
            w = chrome_text(t, "at.summary.check", r, text, FONT_BODY, ALIGN_LEFT);
            w->style = ST_NOTICE;
            w->fg = th->warn;
        }
        w->bold = 1;
        words.y += h[CHECK] + gap;
        words.h -= h[CHECK] + gap;
    }
    if (l->portrait)
        left = words;
    struct ui_widget *b = chrome_primary(t, "at.next", next, _("Close and print"));
    b->disabled = !ready;
    if (!ready) { /* the totals are read: the wait, where they will be */
        SDL_Rect r = l->portrait ? (SDL_Rect){a.x, left.y, a.w, next.y - l->gap - left.y} : left;
        at_wait_block(t, th, l, r, -1, day ? _("Adding up the day's shifts...")
                                           : _("Reading the shift's records..."),
                      NULL);
        return;
    }
    /* the net over the way on; in landscape the sales and the refunds over it */
    const struct totals *tt = v->totals;
    SDL_Rect net = {next.x, next.y - gap - net_h, next.w, net_h};
    money_format(tt->net_fen, amt, sizeof amt);
    figure_row(t, th, net, "at.summary.net", _("Net"), amt, FONT_HEADLINE, 1);
    if (!l->portrait) {
        SDL_Rect r = {next.x, net.y - gap - 2 * fig_h, next.w, fig_h};
        if (r.y >= words.y) {
            money_format(tt->sales_fen, amt, sizeof amt);
            figure_row(t, th, r, "at.summary.sales", _("Sales"), amt, FONT_TITLE, 0);
            r.y += fig_h;
            money_format(tt->refunds_fen, amt, sizeof amt);
            figure_row(t, th, r, "at.summary.refunds", _("Refunds and voids"), amt, FONT_TITLE, 0);
        }
    }
    /* the totals: between the words and the net (portrait), the rest of the left column
     * (landscape) */
    static struct sum s;
    sum_rows(tt, &s);
    SDL_Rect r = l->portrait ? (SDL_Rect){a.x, left.y, a.w, net.y - gap - left.y} : left;
    sum_list(t, th, &s, r);
}

/* ---- a sale's lines to refund ----------------------------------------------------------- */

/* "45.12 L" for the fuel line (no barcode), "× 2" for goods. */
static void qty_text(const struct at_line *ln, char *out, size_t cap)
{
    if (!ln->barcode[0])
        volume_format(ln->qty, out, cap);
    else
        snprintf(out, cap, "× %lld", (long long)ln->qty);
}

/* The lines as toggles in a list at r. */
static void lines_list(struct ui_tree *t, const struct theme *th, const struct at_flow *f,
                       SDL_Rect r)
{
    int n = f->refund.nlines < AT_LINES_MAX ? f->refund.nlines : AT_LINES_MAX;
    if (n <= 0)
        return;
    int rh = at_two_lines_h(th), gap = th->min_target / 8, w;
    if (rh < th->min_target * 3 / 2)
        rh = th->min_target * 3 / 2;
    int li = list_begin(t, th, "at.lines.list", &r, n * (rh + gap) - gap, &w);
    int first = t->n;
    for (int i = 0; i < n; i++) {
        const struct at_line *ln = &f->refund.lines[i];
        char id[UI_ID_LEN], text[80], qty[32], amt[32], sub[120];
        int on = !ln->refunded && ln->chosen;
        snprintf(id, sizeof id, "at.line.%d", i);
        snprintf(text, sizeof text, "%s%s", on ? "✓ " : "", ln->name);
        qty_text(ln, qty, sizeof qty);
        money_format(ln->amount_fen, amt, sizeof amt);
        if (ln->refunded)
            snprintf(sub, sizeof sub, _("%s · %s · refunded already"), qty, amt);
        else
            snprintf(sub, sizeof sub, "%s · %s", qty, amt);
        struct ui_widget *b = ui_button(t, id, (SDL_Rect){r.x, r.y + i * (rh + gap), w, rh}, text,
                                        on ? ST_SECONDARY : ST_TILE);
        b->align = ALIGN_LEFT;
        b->font = FONT_TITLE;
        b->bold = 1;
        snprintf(b->sub, sizeof b->sub, "%s", sub);
        b->sub_font = FONT_BODY;
        b->disabled = ln->refunded || f->busy;
    }
    at_adopt(t, first, li);
}

/* The reasons in two columns at r (its height as they need, low in r). Returns their top. */
static int reasons(struct ui_tree *t, const struct theme *th, const struct at_flow *f, SDL_Rect r,
                   int bh)
{
    int gap = th->min_target / 6, rows = (AT_REASONS + 1) / 2, bw = (r.w - gap) / 2;
    int y0 = r.y + r.h - rows * bh - (rows - 1) * gap;
    for (int i = 0; i < AT_REASONS; i++) {
        char id[UI_ID_LEN], text[120];
        int on = f->refund.reason == i;
        snprintf(id, sizeof id, "at.reason.%d", i);
        snprintf(text, sizeof text, "%s%s", on ? "✓ " : "", _(at_reasons[i]));
        struct ui_widget *b = ui_button(
            t, id, (SDL_Rect){r.x + (i % 2) * (bw + gap), y0 + (i / 2) * (bh + gap), bw, bh}, text,
            on ? ST_SECONDARY : ST_TILE);
        b->bold = on;
        b->disabled = f->busy;
    }
    return y0;
}

/* Portrait: the sale, the whole sale, its lines (a list), the reasons, the sum, the way on.
 * Landscape: the sale and its lines left; the reasons, the sum and the way on right. Where
 * the window is short the lines keep a row and a half: the reasons get lower, then the sum
 * goes (the way on says it), then the sale's line and the whole sale's toggle get lower. */
void at_screen_lines(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                     const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    int gap = l->gap / 2, g6 = th->min_target / 6;
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    SDL_Rect next = at_primary_rect(th, l, a);
    char text[160], amt[32];
    int part = v->txn_amount_fen > 0 && f->refundable_fen > 0 &&
               f->refundable_fen < v->txn_amount_fen; /* refunded in part before */
    int rows = (AT_REASONS + 1) / 2;
    int title_h = th->font_px[FONT_HEADLINE] * 3 / 2;
    int sale_h = th->font_px[FONT_BODY] * (part ? 6 : 3) / 2, tb = at_two_lines_h(th);
    if (tb < th->min_target * 3 / 2)
        tb = th->min_target * 3 / 2;
    int rtitle_h = th->font_px[FONT_TITLE] * 3 / 2, rb = th->min_target * 3 / 2;
    int sum_h = th->font_px[FONT_HEADLINE] * 3 / 2;
    int list_min = th->min_target * 9 / 4;
    for (int step = 0; step < 4; step++) {
        int top = title_h + sale_h + gap + tb + gap;
        int reasons_h = rtitle_h + gap / 2 + rows * rb + (rows - 1) * g6 + gap;
        int bottom = (sum_h ? sum_h + gap : 0) + next.h;
        int have = l->portrait ? a.h - top - l->gap - reasons_h - bottom
                               : right.h - reasons_h - bottom;
        int need = l->portrait ? list_min : 0;
        if (l->portrait ? have >= need : have >= 0)
            break;
        if (step == 0)
            rb = th->min_target;
        else if (step == 1)
            sum_h = 0;
        else if (step == 2 && l->portrait) {
            sale_h = th->font_px[FONT_BODY] * 3 / 2;
            tb = th->min_target;
        }
    }
    /* the sale */
    at_headline(t, "at.lines.title", &left, title_h, _("Refund / void"), ALIGN_LEFT);
    if (part) {
        char left_amt[32];
        money_format(v->txn_amount_fen, amt, sizeof amt);
        money_format(f->refundable_fen, left_amt, sizeof left_amt);
        snprintf(text, sizeof text, _("Sale %s · %s, %s of it left to refund"), f->txn, amt,
                 left_amt);
    } else if (v->txn_amount_fen > 0) {
        money_format(v->txn_amount_fen, amt, sizeof amt);
        snprintf(text, sizeof text, _("Sale %s · %s"), f->txn, amt);
    } else {
        snprintf(text, sizeof text, _("Sale %s"), f->txn);
    }
    chrome_text(t, "at.lines.sale", (SDL_Rect){left.x, left.y, left.w, sale_h}, text, FONT_BODY,
                ALIGN_LEFT)
        ->fg = th->text_dim;
    left.y += sale_h + gap;
    left.h -= sale_h + gap;
    /* the whole sale, then its lines */
    int whole = f->refund.whole;
    snprintf(text, sizeof text, "%s%s", whole ? "✓ " : "", _("The whole sale"));
    struct ui_widget *b = ui_button(t, "at.line.all", (SDL_Rect){left.x, left.y, left.w, tb},
                                    text, whole ? ST_SECONDARY : ST_TILE);
    b->align = ALIGN_LEFT;
    b->font = FONT_TITLE;
    b->bold = 1;
    if (tb >= at_two_lines_h(th)) {
        snprintf(b->sub, sizeof b->sub, "%s", _("Every line that is not refunded yet"));
        b->sub_font = FONT_BODY;
    }
    b->disabled = f->busy;
    left.y += tb + gap;
    left.h -= tb + gap;
    /* the way on, the sum and the reasons, bottom-up (the right column in landscape) */
    SDL_Rect col = l->portrait ? a : right;
    int sum_y = next.y - (sum_h ? gap + sum_h : 0);
    int ry = reasons(t, th, f, (SDL_Rect){col.x, col.y, col.w, sum_y - gap - col.y}, rb);
    chrome_text(t, "at.reason.title", (SDL_Rect){col.x, ry - gap / 2 - rtitle_h, col.w, rtitle_h},
                _("Reason"), FONT_TITLE, ALIGN_LEFT)
        ->bold = 1;
    money_format(f->refund.amount_fen, amt, sizeof amt);
    if (sum_h) {
        int lw = col.w * 50 / 100;
        chrome_text(t, "at.lines.sum.label", (SDL_Rect){col.x, sum_y, lw, sum_h}, _("To refund"),
                    FONT_TITLE, ALIGN_LEFT)
            ->fg = th->text_dim;
        chrome_text(t, "at.lines.sum", (SDL_Rect){col.x + lw, sum_y, col.w - lw, sum_h}, amt,
                    FONT_HEADLINE, ALIGN_RIGHT)
            ->bold = 1;
    }
    int reason = f->refund.reason >= 0 && f->refund.reason < AT_REASONS;
    if (f->refund.amount_fen > 0)
        snprintf(text, sizeof text, _("Refund %s"), amt);
    else
        snprintf(text, sizeof text, "%s", _("Choose what to refund"));
    b = chrome_primary(t, "at.next", next, text);
    b->disabled = f->refund.amount_fen <= 0 || !reason || f->busy;
    int sub = f->refund.amount_fen > 0 && next.h >= at_two_lines_h(th); /* not large text */
    if (sub && !reason) {
        snprintf(b->sub, sizeof b->sub, "%s", _("Choose a reason first"));
        b->sub_font = FONT_BODY;
    } else if (sub) {
        snprintf(b->sub, sizeof b->sub, "%s", _("A supervisor approves it next"));
        b->sub_font = FONT_BODY;
    }
    /* the lines: what is left between (portrait: over the reasons) */
    int bottom = l->portrait ? ry - gap / 2 - rtitle_h - l->gap : left.y + left.h;
    lines_list(t, th, f, (SDL_Rect){left.x, left.y, left.w, bottom - left.y});
}

/* ---- the devices ------------------------------------------------------------------------ */

static const char *state_text(int s)
{
    switch (s) {
    case HEALTH_OK: return _("Normal");
    case HEALTH_DEGRADED: return _("Limited");
    case HEALTH_DOWN: return _("Down");
    case HEALTH_FAULT: return _("Fault");
    case HEALTH_ABSENT: return _("Not fitted");
    default: break;
    }
    return _("Not checked");
}

/* The badge's colour (the words on it say the same): ok green, limited amber, down or
 * fault red, not fitted or not checked grey. */
static void state_colours(const struct theme *th, int s, uint32_t *bg, uint32_t *fg)
{
    *fg = th->on_primary;
    switch (s) {
    case HEALTH_OK: *bg = th->ok; return;
    case HEALTH_DEGRADED: *bg = th->warn; return;
    case HEALTH_DOWN:
    case HEALTH_FAULT: *bg = th->danger; return;
    default: break;
    }
    *bg = th->surface_alt;
    *fg = th->text;
}

/* The devices and figures at r: what, a badge with the state in words on its colour, the
 * detail under them (a row without one is a line lower). */
static void health_list(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                        SDL_Rect r)
{
    int n = v->health ? v->nhealth : 0;
    if (n > AT_HEALTH_ROWS)
        n = AT_HEALTH_ROWS;
    int r1 = th->font_px[FONT_TITLE] * 3 / 2, r2 = th->font_px[FONT_BODY] * 3 / 2;
    int gap = th->min_target / 6, w, content = 0;
    if (n == 0) {
        chrome_text(t, "at.health.none", (SDL_Rect){r.x, r.y, r.w, r2},
                    _("No devices reported yet."), FONT_BODY, ALIGN_LEFT)
            ->fg = th->text_dim;
        return;
    }
    for (int i = 0; i < n; i++)
        content += r1 + (v->health[i].detail[0] ? r2 : 0) + gap;
    int li = list_begin(t, th, "at.health.list", &r, content, &w);
    int first = t->n, bw = w * 30 / 100, y = r.y;
    for (int i = 0; i < n; i++) {
        const struct at_health_row *h = &v->health[i];
        char id[UI_ID_LEN];
        int rh = r1 + (h->detail[0] ? r2 : 0) + gap;
        snprintf(id, sizeof id, "at.health.%d", i);
        chrome_text(t, id, (SDL_Rect){r.x, y, w - bw - gap, r1},
                    h->translate ? _(h->what) : h->what, FONT_TITLE, ALIGN_LEFT)
            ->bold = 1;
        snprintf(id, sizeof id, "at.health.%d.state", i);
        struct ui_widget *s = chrome_text(t, id, (SDL_Rect){r.x + w - bw, y + r1 / 8, bw,
                                                              r1 - r1 / 4},
                                          state_text(h->state), FONT_BODY, ALIGN_CENTER);
        state_colours(th, h->state, &s->bg, &s->fg);
        s->bold = 1;
        if (h->detail[0])
            chrome_text(t, NULL, (SDL_Rect){r.x, y + r1, w, r2}, h->detail, FONT_BODY, ALIGN_LEFT)
                ->fg = th->text_dim;
        if (i + 1 < n)
            rule(t, th, r.x, y + rh - gap / 2 - 1, w);
        y += rh;
    }
    at_adopt(t, first, li);
}

/* The height of a parked record's row: its kind, its id, why (two lines). */
static int parked_row_h(const struct theme *th)
{
    int text = th->font_px[FONT_BODY] * 3 / 2 + 3 * (th->font_px[FONT_CAPTION] * 3 / 2);
    return (text > th->min_target ? text : th->min_target) + th->min_target / 6;
}

/* The parked records at r: what and which, why (two lines of small type), Retry and
 * Handled beside them. */
static void parked_list(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                        SDL_Rect r, int busy)
{
    int n = v->parked ? v->nparked : 0;
    if (n > AT_PARKED_ROWS)
        n = AT_PARKED_ROWS;
    int title_h = th->font_px[FONT_TITLE] * 3 / 2, gap = th->min_target / 6;
    chrome_text(t, "at.parked.title", (SDL_Rect){r.x, r.y, r.w, title_h},
                _("Records the station system refused"), FONT_TITLE, ALIGN_LEFT)
        ->bold = 1;
    r.y += title_h;
    r.h -= title_h;
    int r1 = th->font_px[FONT_BODY] * 3 / 2, r2 = th->font_px[FONT_CAPTION] * 3 / 2;
    if (n == 0) {
        chrome_text(t, "at.parked.none", (SDL_Rect){r.x, r.y, r.w, r1},
                    _("None: every record was accepted or is on its way."), FONT_BODY, ALIGN_LEFT)
            ->fg = th->text_dim;
        return;
    }
    int bh = th->min_target, rh = parked_row_h(th), w;
    int li = list_begin(t, th, "at.parked.list", &r, n * rh, &w);
    int first = t->n, bw = w * 24 / 100, tw = w - 2 * bw - 2 * gap;
    for (int i = 0; i < n; i++) {
        const struct at_parked_row *p = &v->parked[i];
        char id[UI_ID_LEN];
        int y = r.y + i * rh;
        snprintf(id, sizeof id, "at.parked.%d", i);
        chrome_text(t, id, (SDL_Rect){r.x, y, tw, r1}, p->kind, FONT_BODY, ALIGN_LEFT)->bold = 1;
        chrome_text(t, NULL, (SDL_Rect){r.x, y + r1, tw, r2}, p->record_id, FONT_CAPTION,
                    ALIGN_LEFT)
            ->fg = th->text_dim;
        chrome_text(t, NULL, (SDL_Rect){r.x, y + r1 + r2, tw, 2 * r2}, p->reason, FONT_CAPTION,
                    ALIGN_LEFT)
            ->fg = th->warn;
        int by = y + (rh - gap - bh) / 2;
        snprintf(id, sizeof id, "at.parked.%d.retry", i);
        struct ui_widget *b = ui_button(t, id, (SDL_Rect){r.x + tw + gap, by, bw, bh}, _("Retry"),
                                        ST_SECONDARY);
        b->disabled = busy;
        snprintf(id, sizeof id, "at.parked.%d.handled", i);
        b = ui_button(t, id, (SDL_Rect){r.x + w - bw, by, bw, bh}, _("Handled"), ST_SECONDARY);
        b->disabled = busy;
        if (i + 1 < n)
            rule(t, th, r.x, y + rh - gap / 2 - 1, w);
    }
    at_adopt(t, first, li);
}

void at_screen_health(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                      const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    int gap = l->gap / 2, bh = th->min_target * 3 / 2;
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    int head_h = th->font_px[FONT_HEADLINE] * 3 / 2;
    at_headline(t, "at.health.title", &left, head_h, _("Device health"), ALIGN_LEFT);
    left.y += gap;
    left.h -= gap;
    /* the test slip and Check again at the bottom (of the right column in landscape) */
    SDL_Rect col = l->portrait ? a : right;
    SDL_Rect row = {col.x, col.y + col.h - bh, col.w, bh};
    int hw = (row.w - gap) / 2;
    struct ui_widget *b = ui_button(t, "at.test_slip", (SDL_Rect){row.x, row.y, hw, bh},
                                    _("Print a test slip"), ST_SECONDARY);
    b->font = FONT_TITLE;
    b->disabled = f->busy;
    b = ui_button(t, "at.refresh", (SDL_Rect){row.x + hw + gap, row.y, row.w - hw - gap, bh},
                  _("Check again"), ST_SECONDARY);
    b->font = FONT_TITLE;
    b->disabled = f->busy;
    if (f->busy)
        snprintf(b->text, sizeof b->text, "%s", _("Checking..."));
    int bottom = row.y - l->gap;
    /* the devices, then the records: stacked (portrait, the records as they need up to
     * half), side by side (landscape) */
    int np = v->parked ? (v->nparked < AT_PARKED_ROWS ? v->nparked : AT_PARKED_ROWS) : 0;
    if (l->portrait) {
        int ph = th->font_px[FONT_TITLE] * 3 / 2 +
                 (np ? np * parked_row_h(th) : th->font_px[FONT_BODY] * 3 / 2);
        int room = bottom - left.y;
        if (ph > room / 2)
            ph = room / 2;
        health_list(t, th, v, (SDL_Rect){a.x, left.y, a.w, room - ph - l->gap});
        parked_list(t, th, v, (SDL_Rect){a.x, bottom - ph, a.w, ph}, f->busy);
    } else {
        health_list(t, th, v, (SDL_Rect){left.x, left.y, left.w, a.y + a.h - left.y});
        parked_list(t, th, v, (SDL_Rect){right.x, right.y, right.w, bottom - right.y}, f->busy);
    }
}
