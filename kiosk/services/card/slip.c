#include "slip.h"

#include <stdio.h>
#include <string.h>

#include "core/codes.h"
#include "core/i18n.h"
#include "core/money.h"

/* "2026-11-30 14:15:03" from the backend's "20261130" and "141503" (as much as is there). */
static void when_text(const char *date, const char *time, char *out, size_t cap)
{
    if (strlen(date) != 8) {
        snprintf(out, cap, "-");
        return;
    }
    if (strlen(time) == 6)
        snprintf(out, cap, "%.4s-%.2s-%.2s %.2s:%.2s:%.2s", date, date + 4, date + 6, time,
                 time + 2, time + 4);
    else
        snprintf(out, cap, "%.4s-%.2s-%.2s", date, date + 4, date + 6);
}

static const char *kind_text(const char *lang, enum card_kind k)
{
    switch (k) {
    case CARD_MAIN: return i18n_get_in(lang, "Company main card");
    case CARD_SUB: return i18n_get_in(lang, "Company sub-card");
    case CARD_PERSONAL: break;
    }
    return i18n_get_in(lang, "Personal card");
}

struct slip *cd_slip(struct text_engine *te, const struct kiosk_config *cfg, const char *lang,
                     const struct cd_flow *f)
{
    struct slip *s = slip_create(te, cfg->paper_width_dots);
    if (!s)
        return NULL;
    int wide = cfg->paper_width_dots >= 576;
    int big = wide ? 40 : 32, normal = big * 3 / 4, small = normal * 5 / 6;
    char a[64], b[64];
    slip_text(s, cfg->station_name[0] ? cfg->station_name : i18n_get_in(lang, "Self-service kiosk"),
              big, 1, SLIP_CENTER);
    slip_text(s, i18n_get_in(lang, "Fuel card load receipt"), big, 1, SLIP_CENTER);
    slip_rule(s);
    slip_pair(s, i18n_get_in(lang, "Terminal"), cfg->terminal_id, normal, 0);
    when_text(f->date, f->time, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Time"), a, normal, 0);
    slip_rule(s);
    /* the card: its number in groups of four on a line of its own, as on the card */
    slip_text(s, i18n_get_in(lang, "Card number"), normal, 0, SLIP_LEFT);
    cd_mask_no(f->info.card_no, a, sizeof a);
    slip_text(s, a, wide ? big : normal + 4, 1, SLIP_CENTER);
    mask_name(f->holder, b, sizeof b);
    if (b[0])
        slip_pair(s, i18n_get_in(lang, "Holder"), b, normal, 0);
    slip_pair(s, i18n_get_in(lang, "Card type"), kind_text(lang, f->info.kind), normal, 0);
    slip_rule(s);
    money_format(f->loaded_fen, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Amount loaded"), a, wide ? big : normal + 4, 1);
    money_format(f->balance_before_fen, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Balance before"), a, normal, 0);
    money_format(f->balance_fen, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Balance after"), a, normal, 1);
    slip_rule(s);
    /* what the station and the card issuer trace the load by */
    card_hex(f->tac, sizeof f->tac, a);
    slip_pair(s, "TAC", a, normal, 0);
    slip_text(s, i18n_get_in(lang, "Load number"), normal, 0, SLIP_LEFT);
    slip_text(s, f->load.load_id, normal, 0, SLIP_RIGHT);
    snprintf(a, sizeof a, "%u", (unsigned)f->init.online_serial);
    slip_pair(s, i18n_get_in(lang, "Online serial"), a, normal, 0);
    if (f->recharge_txn[0]) {
        slip_text(s, i18n_get_in(lang, "Recharge transaction"), normal, 0, SLIP_LEFT);
        slip_text(s, f->recharge_txn, normal, 0, SLIP_RIGHT);
    }
    slip_gap(s, 8);
    slip_text(s, i18n_get_in(lang, "Keep this receipt until the load shows in your card's history. It is not an invoice."),
              small, 0, SLIP_LEFT);
    return s;
}
