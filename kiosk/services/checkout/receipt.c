#include "receipt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/money.h"

void receipt_invoice_url(const char *invoice_base, const struct sale_record *r, char *out,
                         size_t cap)
{
    snprintf(out, cap, "%s%s", invoice_base, r->invoice_token);
}

static void when_text(int64_t unix_s, char *out, size_t cap)
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Station name and the slip's title, then transaction, terminal and time. */
static void slip_head(struct slip *s, const struct kiosk_config *cfg, const char *lang,
                      const struct sale_record *r, const char *title, int big, int normal)
{
    char when[40];
    slip_text(s, cfg->station_name[0] ? cfg->station_name : i18n_get_in(lang, "Self-service kiosk"),
              big, 1, SLIP_CENTER);
    slip_text(s, title, big, 1, SLIP_CENTER);
    slip_rule(s);
    when_text(r->paid_unix, when, sizeof when);
    slip_pair(s, i18n_get_in(lang, "Transaction"), r->txn_no, normal, 0);
    slip_pair(s, i18n_get_in(lang, "Terminal"), cfg->terminal_id, normal, 0);
    slip_pair(s, i18n_get_in(lang, "Time"), when, normal, 0);
    slip_rule(s);
}

static void slip_fuel(struct slip *s, const char *lang, const struct sale_record *r, int normal)
{
    char a[48], b[64];
    snprintf(a, sizeof a, i18n_get_in(lang, "Pump %d"), r->pump);
    slip_pair(s, a, r->grade, normal, 1);
    volume_format(r->volume_ml, b, sizeof b);
    slip_pair(s, i18n_get_in(lang, "Volume"), b, normal, 0);
    money_format(r->price_fen, a, sizeof a);
    snprintf(b, sizeof b, "%s/L", a);
    slip_pair(s, i18n_get_in(lang, "Price"), b, normal, 0);
    money_format(r->fuel_fen, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Fuel amount"), a, normal, 0);
}

/* A fuel card's recharge: the amount, and the card masked ("1000 **** **** 2001"). */
static void slip_recharge(struct slip *s, const char *lang, const struct sale_record *r,
                          int normal)
{
    char digits[CO_CARD_NO_LEN + 1], masked[24], a[48];
    size_t n = 0;
    for (const char *p = r->recharge_card; *p && n < CO_CARD_NO_LEN; p++)
        if (*p != ' ')
            digits[n++] = *p;
    digits[n] = '\0';
    co_card_format(digits, 0, masked, sizeof masked);
    money_format(r->recharge_fen, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Fuel card recharge"), a, normal, 1);
    slip_pair(s, i18n_get_in(lang, "Card number"), masked, normal, 0);
}

struct slip *receipt_sale(struct text_engine *te, const struct kiosk_config *cfg,
                          const char *invoice_base,
                          const char *lang, const struct sale_record *r, int copy)
{
    struct slip *s = slip_create(te, cfg->paper_width_dots);
    if (!s)
        return NULL;
    int zh = !strcmp(lang, "zh_CN");
    int big = cfg->paper_width_dots >= 576 ? 40 : 32, normal = big * 3 / 4;
    char a[96], b[96], title[96];
    snprintf(title, sizeof title, "%s%s",
             r->has_fuel       ? i18n_get_in(lang, "Fuel receipt")
             : r->has_recharge ? i18n_get_in(lang, "Recharge receipt")
                               : i18n_get_in(lang, "Receipt"),
             copy ? i18n_get_in(lang, " (copy)") : "");
    slip_head(s, cfg, lang, r, title, big, normal);
    if (r->has_fuel) {
        slip_fuel(s, lang, r, normal);
        slip_rule(s);
    }
    if (r->has_recharge) {
        slip_recharge(s, lang, r, normal);
        slip_rule(s);
    }
    for (int i = 0; i < r->nitems; i++) {
        const struct co_item *it = &r->items[i];
        snprintf(a, sizeof a, "%s ×%d", zh ? it->name_zh : it->name_en, it->qty);
        money_format(it->unit_fen * it->qty, b, sizeof b);
        slip_pair(s, a, b, normal, 0);
    }
    if (r->nitems)
        slip_rule(s);
    if (r->ndiscounts) {
        money_format(r->subtotal_fen, b, sizeof b);
        slip_pair(s, i18n_get_in(lang, "Subtotal"), b, normal, 0);
        for (int i = 0; i < r->ndiscounts; i++) {
            const struct co_discount *d = &r->discounts[i];
            money_format(d->amount_fen, b, sizeof b);
            slip_pair(s, zh ? d->label_zh : d->label_en, b, normal, 0);
        }
        slip_rule(s);
    }
    money_format(r->total_fen, b, sizeof b);
    slip_pair(s, i18n_get_in(lang, "Paid"), b, big, 1);
    snprintf(a, sizeof a, "%s%s%s", i18n_get_in(lang, co_channel_label(r->channel)),
             r->code_masked[0] ? " " : "", r->code_masked);
    slip_pair(s, i18n_get_in(lang, "Payment"), a, normal, 0);
    if (r->member_phone[0]) {
        slip_pair(s, i18n_get_in(lang, "Member"), r->member_phone, normal, 0);
        if (r->points_used) {
            snprintf(b, sizeof b, "%lld", (long long)r->points_used);
            slip_pair(s, i18n_get_in(lang, "Points used"), b, normal, 0);
        }
        snprintf(b, sizeof b, "%lld", (long long)r->points_earned);
        slip_pair(s, i18n_get_in(lang, "Points earned"), b, normal, 0);
    }
    slip_gap(s, 12);
    char url[200];
    receipt_invoice_url(invoice_base, r, url, sizeof url);
    slip_qr(s, url, cfg->paper_width_dots >= 576 ? 7 : 5);
    slip_text(s, i18n_get_in(lang, "Scan for your e-invoice"), normal, 0, SLIP_CENTER);
    slip_text(s, i18n_get_in(lang, "Thank you, drive safely"), normal, 0, SLIP_CENTER);
    return s;
}

struct slip *receipt_release(struct text_engine *te, const struct kiosk_config *cfg,
                             const char *lang, const struct sale_record *r)
{
    struct slip *s = slip_create(te, cfg->paper_width_dots);
    if (!s)
        return NULL;
    int big = cfg->paper_width_dots >= 576 ? 40 : 32, normal = big * 3 / 4;
    char b[64];
    slip_head(s, cfg, lang, r, i18n_get_in(lang, "Release slip"), big, normal);
    slip_fuel(s, lang, r, normal);
    money_format(r->total_fen, b, sizeof b);
    slip_pair(s, i18n_get_in(lang, "Paid"), b, big, 1);
    slip_gap(s, 16);
    /* The barcode carries the transaction number without its dashes: mostly digits, so
     * Code 128's set C keeps its bars at least 2 dots wide even on 58 mm paper. */
    char code[40];
    size_t n = 0;
    for (const char *p = r->txn_no; *p && n + 1 < sizeof code; p++)
        if (*p != '-')
            code[n++] = *p;
    code[n] = '\0';
    slip_barcode(s, code, cfg->paper_width_dots >= 576 ? 120 : 96);
    slip_text(s, r->txn_no, normal, 0, SLIP_CENTER);
    slip_text(s, i18n_get_in(lang, "Show this slip to the attendant"), normal, 0, SLIP_CENTER);
    return s;
}
