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
    case CARD_STAFF: return i18n_get_in(lang, "Staff card");
    case CARD_PERSONAL: break;
    }
    return i18n_get_in(lang, "Personal card");
}

struct slip *cd_slip_receipt(struct text_engine *te, const struct kiosk_config *cfg,
                             const char *lang, const struct cd_receipt *r)
{
    struct slip *s = slip_create(te, cfg->paper_width_dots);
    if (!s)
        return NULL;
    int wide = cfg->paper_width_dots >= 576;
    int big = wide ? 40 : 32, normal = big * 3 / 4, small = normal * 5 / 6;
    char a[64], b[64];
    if (r->copy) { /* first, before anything: this is not the first print */
        slip_text(s, i18n_get_in(lang, "COPY"), big * 2, 1, SLIP_CENTER);
        slip_rule(s);
    }
    slip_text(s, cfg->station_name[0] ? cfg->station_name : i18n_get_in(lang, "Self-service kiosk"),
              big, 1, SLIP_CENTER);
    slip_text(s, i18n_get_in(lang, "Fuel card load receipt"), big, 1, SLIP_CENTER);
    slip_rule(s);
    slip_pair(s, i18n_get_in(lang, "Terminal"), cfg->terminal_id, normal, 0);
    when_text(r->date, r->time, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Time"), a, normal, 0);
    slip_rule(s);
    /* the card: its number in groups of four on a line of its own, as on the card */
    slip_text(s, i18n_get_in(lang, "Card number"), normal, 0, SLIP_LEFT);
    cd_mask_no(r->card_no, a, sizeof a);
    slip_text(s, a, wide ? big : normal + 4, 1, SLIP_CENTER);
    mask_name(r->holder, b, sizeof b);
    if (b[0])
        slip_pair(s, i18n_get_in(lang, "Holder"), b, normal, 0);
    if (r->kind)
        slip_pair(s, i18n_get_in(lang, "Card type"), kind_text(lang, (enum card_kind)r->kind),
                  normal, 0);
    slip_rule(s);
    money_format(r->loaded_fen, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Amount loaded"), a, wide ? big : normal + 4, 1);
    money_format(r->balance_before_fen, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Balance before"), a, normal, 0);
    money_format(r->balance_after_fen, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Balance after"), a, normal, 1);
    slip_rule(s);
    /* what the station and the card issuer trace the load by */
    slip_pair(s, "TAC", r->tac, normal, 0);
    slip_text(s, i18n_get_in(lang, "Load number"), normal, 0, SLIP_LEFT);
    slip_text(s, r->load_id, normal, 0, SLIP_RIGHT);
    snprintf(a, sizeof a, "%u", r->online_serial);
    slip_pair(s, i18n_get_in(lang, "Online serial"), a, normal, 0);
    if (r->recharge_txn[0]) {
        slip_text(s, i18n_get_in(lang, "Recharge transaction"), normal, 0, SLIP_LEFT);
        slip_text(s, r->recharge_txn, normal, 0, SLIP_RIGHT);
    }
    slip_gap(s, 8);
    slip_text(s, i18n_get_in(lang, "Keep this receipt until the load shows in your card's history. It is not an invoice."),
              small, 0, SLIP_LEFT);
    return s;
}

struct slip *cd_slip(struct text_engine *te, const struct kiosk_config *cfg, const char *lang,
                     const struct cd_flow *f)
{
    struct cd_receipt r = {.card_no = f->info.card_no,
                           .holder = f->holder,
                           .kind = f->info.kind,
                           .loaded_fen = f->loaded_fen,
                           .balance_before_fen = f->balance_before_fen,
                           .balance_after_fen = f->balance_fen,
                           .load_id = f->load.load_id,
                           .online_serial = f->init.online_serial,
                           .recharge_txn = f->recharge_txn,
                           .date = f->date,
                           .time = f->time};
    card_hex(f->tac, sizeof f->tac, r.tac);
    return cd_slip_receipt(te, cfg, lang, &r);
}

struct slip *cd_slip_copy(struct text_engine *te, const struct kiosk_config *cfg,
                          const char *lang, const struct cd_load_record *rec)
{
    struct cd_receipt r = {.card_no = rec->card_no,
                           .holder = "",
                           .loaded_fen = rec->amount_fen,
                           .balance_before_fen = rec->balance_before_fen,
                           .balance_after_fen = rec->balance_after_fen,
                           .load_id = rec->load_id,
                           .online_serial = (unsigned)rec->online_serial,
                           .recharge_txn = "",
                           .date = rec->date,
                           .time = rec->time,
                           .copy = 1};
    snprintf(r.tac, sizeof r.tac, "%s", rec->tac);
    return cd_slip_receipt(te, cfg, lang, &r);
}
