/* The shift and day reports and the refund slip (slip.h). */
#include "slip.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/money.h"

#define MARGIN 16 /* ui/slip.c's white margin either side */
#define GUTTER 12 /* between a pair's two texts (as slip_pair keeps) */

/* What a slip is drawn with: its width and language, and its type sizes. */
struct pen {
    struct slip *s;
    struct text_engine *te;
    const char *lang;
    int width, wide;
    int big, normal, small;
};

/* msgid in the slip's language (a literal is written i18n_get_in(p->lang, "...") so that
 * xgettext finds it). */
static const char *tr(const struct pen *p, const char *msgid)
{
    return i18n_get_in(p->lang, msgid);
}

/* `left` and `right` on one line when they fit it, else `left` on its own and `right` flush
 * right under it (58 mm paper: two columns become one). */
static void pair(const struct pen *p, const char *left, const char *right, int px, int bold)
{
    int lw, rw, h;
    if (!right[0]) {
        slip_text(p->s, left, px, bold, SLIP_LEFT);
        return;
    }
    if (text_measure(p->te, left, px, bold, 0, &lw, &h) == 0 &&
        text_measure(p->te, right, px, bold, 0, &rw, &h) == 0 &&
        lw + GUTTER + rw > p->width - 2 * MARGIN) {
        slip_text(p->s, left, px, bold, SLIP_LEFT);
        slip_text(p->s, right, px, bold, SLIP_RIGHT);
        return;
    }
    slip_pair(p->s, left, right, px, bold);
}

static void heading(const struct pen *p, const char *msgid)
{
    slip_gap(p->s, 4);
    slip_text(p->s, tr(p, msgid), p->normal, 1, SLIP_LEFT);
}

static void when_text(int64_t ms, char *out, size_t cap)
{
    if (ms <= 0) {
        snprintf(out, cap, "-");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    if (strftime(out, cap, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(out, cap, "-");
}

static void count_text(int64_t n, char *out, size_t cap)
{
    snprintf(out, cap, "%lld", (long long)n);
}

/* "×12  ¥1,234.56": how many and how much. */
static void count_money(int64_t n, int64_t fen, char *out, size_t cap)
{
    char m[40];
    money_format(fen, m, sizeof m);
    snprintf(out, cap, "×%lld  %s", (long long)n, m);
}

/* A payment channel as a customer's receipt names it; one it does not know as it is. */
static const char *channel_label(const struct pen *p, const char *channel)
{
    static const struct {
        const char *channel, *label;
    } labels[] = {
        {"wechat", N_("WeChat")}, {"alipay", N_("Alipay")}, {"unionpay", N_("UnionPay")},
        {"ecny", N_("e-CNY")},    {"other", N_("Other")},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (!strcmp(channel, labels[i].channel))
            return tr(p, labels[i].label);
    return channel[0] ? channel : "-";
}

static const char *discount_label(const struct pen *p, const char *kind)
{
    static const struct {
        const char *kind, *label;
    } labels[] = {
        {"member", N_("Member discounts")},
        {"coupon", N_("Coupon discounts")},
        {"points", N_("Points redeemed")},
        {"other", N_("Other")},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (!strcmp(kind, labels[i].kind))
            return tr(p, labels[i].label);
    return kind[0] ? kind : "-";
}

/* A depot quantity in thousandths of its unit (L or t, which the totals do not keep), with
 * three decimals: "30000.000". */
static void milli_text(int64_t milli, char *out, size_t cap)
{
    int64_t m = milli < 0 ? -milli : milli;
    snprintf(out, cap, "%s%lld.%03lld", milli < 0 ? "-" : "", (long long)(m / 1000),
             (long long)(m % 1000));
}

/* The station and the slip's title, in large type. */
static void head(const struct pen *p, const struct kiosk_config *cfg, const char *title, int copy)
{
    if (copy) { /* first, before anything: this is not the first print */
        slip_text(p->s, i18n_get_in(p->lang, "COPY"), p->big * 2, 1, SLIP_CENTER);
        slip_rule(p->s);
    }
    slip_text(p->s,
              cfg->station_name[0] ? cfg->station_name : i18n_get_in(p->lang, "Self-service kiosk"),
              p->big, 1, SLIP_CENTER);
    slip_text(p->s, title, p->big + 8, 1, SLIP_CENTER);
    slip_rule(p->s);
}

static void pen_init(struct pen *p, struct slip *s, struct text_engine *te,
                     const struct kiosk_config *cfg, const char *lang)
{
    p->s = s;
    p->te = te;
    p->lang = lang;
    p->width = cfg->paper_width_dots;
    p->wide = p->width >= 576;
    p->big = p->wide ? 40 : 32;
    p->normal = p->big * 3 / 4;
    p->small = p->normal * 5 / 6;
}

/* ---- the shift and day reports ----------------------------------------------------------- */

static void report_who(const struct pen *p, const struct kiosk_config *cfg,
                       const struct at_report *r)
{
    char a[64];
    pair(p, i18n_get_in(p->lang, "Terminal"), cfg->terminal_id, p->normal, 0);
    pair(p, i18n_get_in(p->lang, "Report number"), r->ref, p->normal, 0);
    pair(p, i18n_get_in(p->lang, "Closed by"), r->attendant[0] ? r->attendant : "-", p->normal, 0);
    when_text(r->opened_ms, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "From"), a, p->normal, 0);
    when_text(r->closed_ms, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "To"), a, p->normal, 0);
    if (r->day) {
        count_text(r->shifts, a, sizeof a);
        pair(p, i18n_get_in(p->lang, "Shifts"), a, p->normal, 0);
        pair(p, i18n_get_in(p->lang, "Shifts add up to the day"),
             tr(p, r->day_matches ? N_("Yes") : N_("No")), p->normal, !r->day_matches);
    }
    slip_rule(p->s);
}

static void report_sales(const struct pen *p, const struct totals *t)
{
    char a[96], b[96], v[32], m[40];
    count_money(t->sales, t->sales_fen, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "Sales"), a, p->normal, 1);
    if (t->by_method.n)
        heading(p, N_("By payment method"));
    for (int i = 0; i < t->by_method.n; i++) {
        const struct tot_row *w = &t->by_method.v[i];
        count_money(w->count, w->amount_fen, a, sizeof a);
        pair(p, channel_label(p, w->key), a, p->normal, 0);
    }
    if (t->by_grade.n)
        heading(p, N_("By grade"));
    for (int i = 0; i < t->by_grade.n; i++) {
        const struct tot_row *w = &t->by_grade.v[i];
        snprintf(a, sizeof a, "%s ×%lld",
                 !strcmp(w->key, "other") ? i18n_get_in(p->lang, "Other") : w->key,
                 (long long)w->count);
        volume_format(w->volume_ml, v, sizeof v);
        money_format(w->amount_fen, m, sizeof m);
        snprintf(b, sizeof b, "%s  %s", v, m);
        pair(p, a, b, p->normal, 0);
    }
    slip_rule(p->s);
    count_money(t->shop_items, t->shop_fen, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "Shop goods"), a, p->normal, 0);
    if (t->discounts.n)
        heading(p, N_("Discounts"));
    for (int i = 0; i < t->discounts.n; i++) {
        const struct tot_row *w = &t->discounts.v[i];
        count_money(w->count, w->amount_fen, a, sizeof a);
        pair(p, discount_label(p, w->key), a, p->normal, 0);
    }
    heading(p, N_("Points and coupons"));
    count_text(t->points_used, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "Points used"), a, p->normal, 0);
    count_text(t->points_earned, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "Points awarded"), a, p->normal, 0);
    count_money(t->coupons, t->coupons_fen, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "Coupons used"), a, p->normal, 0);
    slip_rule(p->s);
}

static void report_other(const struct pen *p, const struct totals *t)
{
    char a[96], b[48];
    count_money(t->refunds, t->refunds_fen, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "Refunds and voids"), a, p->normal, 0);
    count_money(t->invoices, t->invoices_fen, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "E-invoices issued"), a, p->normal, 0);
    count_money(t->recharges, t->recharges_fen, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "Fuel card recharges"), a, p->normal, 0);
    count_money(t->loads, t->loads_fen, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "Card loads"), a, p->normal, 0);
    if (t->tickets.n)
        heading(p, N_("Loading tickets (L or t)"));
    for (int i = 0; i < t->tickets.n; i++) {
        const struct tot_row *w = &t->tickets.v[i];
        snprintf(a, sizeof a, "%s ×%lld",
                 !strcmp(w->key, "other") ? i18n_get_in(p->lang, "Other") : w->key,
                 (long long)w->count);
        milli_text(w->volume_ml, b, sizeof b);
        pair(p, a, b, p->normal, 0);
    }
    slip_rule(p->s);
    count_text(t->print_failed, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "Receipts not printed"), a, p->normal, t->print_failed > 0);
    count_text(t->outbox_pending, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "Records not uploaded"), a, p->normal, t->outbox_pending > 0);
    count_text(t->unreadable, a, sizeof a);
    pair(p, i18n_get_in(p->lang, "Unreadable records"), a, p->normal, t->unreadable > 0);
    slip_rule(p->s);
}

void at_report_qr(const struct at_report *r, char *out, size_t cap)
{
    const struct totals *t = r->t;
    snprintf(out, cap, "%s;sales=%lld,%lld;refunds=%lld,%lld;net=%lld", r->ref,
             (long long)t->sales, (long long)t->sales_fen, (long long)t->refunds,
             (long long)t->refunds_fen, (long long)t->net_fen);
}

struct slip *at_report_slip(struct text_engine *te, const struct kiosk_config *cfg,
                            const char *lang, const struct at_report *r)
{
    struct slip *s = slip_create(te, cfg->paper_width_dots);
    if (!s)
        return NULL;
    struct pen p;
    pen_init(&p, s, te, cfg, lang);
    char a[64];
    head(&p, cfg, tr(&p, r->day ? N_("DAY REPORT") : N_("SHIFT REPORT")), r->copy);
    report_who(&p, cfg, r);
    report_sales(&p, r->t);
    report_other(&p, r->t);
    money_format(r->t->net_fen, a, sizeof a);
    pair(&p, i18n_get_in(p.lang, "Net takings"), a, p.big, 1);
    if (r->carried) {
        count_text(r->carried, a, sizeof a);
        pair(&p, i18n_get_in(p.lang, "Unfinished items carried over"), a, p.normal, 1);
        pair(&p, i18n_get_in(p.lang, "Approved by"), r->approver[0] ? r->approver : "-", p.normal,
             0);
    }
    slip_gap(s, 12);
    char qr[160];
    at_report_qr(r, qr, sizeof qr);
    slip_qr(s, qr, p.wide ? 7 : 5);
    slip_text(s, r->ref, p.normal, 0, SLIP_CENTER);
    return s;
}

/* ---- the refund slip --------------------------------------------------------------------- */

struct slip *at_refund_slip(struct text_engine *te, const struct kiosk_config *cfg,
                            const char *lang, const struct at_refund_slip *rs)
{
    struct slip *s = slip_create(te, cfg->paper_width_dots);
    if (!s)
        return NULL;
    struct pen p;
    pen_init(&p, s, te, cfg, lang);
    const struct at_refund *r = rs->r;
    char a[128], b[64];
    head(&p, cfg, i18n_get_in(p.lang, "REFUND"), 0);
    pair(&p, i18n_get_in(p.lang, "Refund number"), rs->refund_no, p.normal, 0);
    pair(&p, i18n_get_in(p.lang, "Original sale"), rs->txn_no, p.normal, 0);
    pair(&p, i18n_get_in(p.lang, "Terminal"), cfg->terminal_id, p.normal, 0);
    when_text(rs->at_ms, a, sizeof a);
    pair(&p, i18n_get_in(p.lang, "Time"), a, p.normal, 0);
    slip_rule(s);
    if (r->whole)
        slip_text(s, i18n_get_in(p.lang, "The whole sale"), p.normal, 1, SLIP_LEFT);
    for (int i = 0; !r->whole && i < r->nlines && i < AT_LINES; i++) {
        const struct at_line *l = &r->lines[i];
        if (!l->chosen)
            continue;
        if (l->barcode[0]) /* shop goods: units */
            snprintf(a, sizeof a, "%s ×%lld", l->name, (long long)l->qty);
        else { /* the fuel line: millilitres */
            volume_format(l->qty, b, sizeof b);
            snprintf(a, sizeof a, "%s %s", l->name, b);
        }
        money_format(l->amount_fen, b, sizeof b);
        pair(&p, a, b, p.normal, 0);
    }
    slip_rule(s);
    money_format(r->amount_fen, a, sizeof a);
    pair(&p, i18n_get_in(p.lang, "Refunded"), a, p.big, 1);
    pair(&p, i18n_get_in(p.lang, "Refunded to"), channel_label(&p, rs->channel), p.normal, 0);
    pair(&p, i18n_get_in(p.lang, "Reason"),
         r->reason >= 0 && r->reason < AT_REASONS ? tr(&p, at_reasons[r->reason]) : "-", p.normal,
         0);
    pair(&p, i18n_get_in(p.lang, "Attendant"), rs->attendant[0] ? rs->attendant : "-", p.normal, 0);
    pair(&p, i18n_get_in(p.lang, "Approved by"), r->approver[0] ? r->approver : "-", p.normal, 0);
    slip_gap(s, 24);
    slip_text(s, i18n_get_in(p.lang, "Customer's signature:"), p.normal, 0, SLIP_LEFT);
    slip_gap(s, 48);
    slip_rule(s);
    slip_text(
        s,
        i18n_get_in(p.lang,
                    "The money goes back the way it was paid; it may take a few days to arrive."),
        p.small, 0, SLIP_LEFT);
    return s;
}
