#include "slip.h"

#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "core/money.h"
#include "screens.h"

struct slip *inv_slip(struct text_engine *te, const struct kiosk_config *cfg, const char *lang,
                      const struct inv_flow *f)
{
    struct slip *s = slip_create(te, cfg->paper_width_dots);
    if (!s)
        return NULL;
    int wide = cfg->paper_width_dots >= 576;
    int big = wide ? 40 : 32, normal = big * 3 / 4;
    int figure = wide ? big : normal; /* the invoice number on one line even on 58 mm */
    char a[64], b[400];
    slip_text(s, cfg->station_name[0] ? cfg->station_name : i18n_get_in(lang, "Self-service kiosk"),
              big, 1, SLIP_CENTER);
    slip_text(s, i18n_get_in(lang, "Invoice issued"), big, 1, SLIP_CENTER);
    slip_rule(s);
    /* the number on a line of its own, in groups of four: it is read out and typed */
    slip_text(s, i18n_get_in(lang, "Invoice number"), normal, 0, SLIP_LEFT);
    size_t n = 0;
    for (int i = 0; f->result.number[i] && n + 3 < sizeof a; i++) {
        if (i && i % 4 == 0)
            a[n++] = ' ';
        a[n++] = f->result.number[i];
    }
    a[n] = '\0';
    slip_text(s, a, figure, 1, SLIP_CENTER);
    slip_rule(s);
    /* the buyer: a company's name can take several lines */
    slip_text(s, i18n_get_in(lang, "Buyer"), normal, 0, SLIP_LEFT);
    slip_text(s, f->result.buyer_name[0] ? f->result.buyer_name : f->buyer.name, normal, 1,
              SLIP_LEFT);
    if (f->buyer.organisation && f->buyer.tax_id[0]) {
        slip_text(s, i18n_get_in(lang, "Taxpayer ID"), normal, 0, SLIP_LEFT);
        slip_text(s, f->buyer.tax_id, normal, 1, SLIP_LEFT);
    }
    slip_rule(s);
    int64_t amount, tax, total;
    inv_totals(f, &amount, &tax, &total);
    money_format(amount, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Amount (before tax)"), a, normal, 0);
    money_format(tax, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Tax"), a, normal, 0);
    money_format(total, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Total (tax included)"), a, wide ? big : normal + 4, 1);
    slip_rule(s);
    if (f->result.delivery[0]) /* the backend's word, else what was typed (both masked) */
        snprintf(b, sizeof b, "%s", f->result.delivery);
    else
        inv_typed_delivery(f, b, sizeof b);
    if (b[0])
        slip_pair(s, i18n_get_in(lang, "Sent to"), b, normal, 0);
    slip_text(s, f->nsales > 1 ? i18n_get_in(lang, "Transactions")
                               : i18n_get_in(lang, "Transaction"),
              normal, 0, SLIP_LEFT);
    for (int i = 0; i < f->nsales; i++)
        slip_text(s, f->sales[i].txn_no, normal, 0, SLIP_RIGHT);
    if (f->result.url[0]) {
        slip_gap(s, 12);
        slip_qr(s, f->result.url, wide ? 7 : 5);
        slip_text(s, i18n_get_in(lang, "Scan to download the PDF/OFD"), normal, 0, SLIP_CENTER);
    }
    slip_gap(s, 8);
    slip_text(s, i18n_get_in(lang, "This slip is not the invoice: the electronic file (PDF/OFD) is. Thermal paper fades, so keep the file."),
              normal * 5 / 6, 0, SLIP_LEFT);
    return s;
}
