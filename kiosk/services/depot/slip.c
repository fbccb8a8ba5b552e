#include "slip.h"

#include <stdio.h>
#include <string.h>

#include "core/i18n.h"

/* "2026-12-02 23:59" from ISO 8601 ("2026-12-02T23:59:59+08:00"); what is there when it is
 * not that form; "-" for nothing. */
static void iso_text(const char *iso, char *out, size_t cap)
{
    if (strlen(iso) >= 16 && iso[4] == '-' && iso[7] == '-' && (iso[10] == 'T' || iso[10] == ' ') &&
        iso[13] == ':')
        snprintf(out, cap, "%.10s %.5s", iso, iso + 11);
    else
        snprintf(out, cap, "%s", iso[0] ? iso : "-");
}

struct slip *dp_slip(struct text_engine *te, const struct kiosk_config *cfg, const char *lang,
                     const struct dp_ticket *k)
{
    struct slip *s = slip_create(te, cfg->paper_width_dots);
    if (!s)
        return NULL;
    int wide = cfg->paper_width_dots >= 576;
    int big = wide ? 40 : 32, normal = big * 3 / 4, small = normal * 5 / 6;
    char a[96];
    if (k->reprint) { /* first, before anything: this is not the first print */
        slip_text(s, i18n_get_in(lang, "REPRINT"), big * 2, 1, SLIP_CENTER);
        slip_rule(s);
    }
    slip_text(s, cfg->station_name[0] ? cfg->station_name : i18n_get_in(lang, "Self-service kiosk"),
              big, 1, SLIP_CENTER);
    slip_text(s, i18n_get_in(lang, "LOADING TICKET"), big + 8, 1, SLIP_CENTER);
    slip_rule(s);
    /* the ticket's number on a line of its own, large: what the bay and the gate read out */
    slip_text(s, i18n_get_in(lang, "Ticket number"), normal, 0, SLIP_LEFT);
    slip_text(s, k->ticket_no, wide ? big : normal + 4, 1, SLIP_CENTER);
    slip_rule(s);
    /* where to load, and what */
    slip_pair(s, i18n_get_in(lang, "Loading bay"), k->bay[0] ? k->bay : "-", big, 1);
    slip_pair(s, i18n_get_in(lang, "Product"), k->product, normal, 1);
    dp_quantity(k->unit, k->quantity_milli, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Quantity"), a, wide ? big : normal + 4, 1);
    slip_pair(s, i18n_get_in(lang, "Plate"), k->plate, normal, 1);
    iso_text(k->valid_to, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Valid until"), a, normal, 0);
    slip_rule(s);
    /* who collects it: masked */
    slip_pair(s, i18n_get_in(lang, "Driver"), k->name_masked[0] ? k->name_masked : "-", normal,
              0);
    slip_pair(s, i18n_get_in(lang, "ID number"), k->id_masked[0] ? k->id_masked : "-", normal,
              0);
    slip_rule(s);
    /* where it comes from */
    slip_pair(s, i18n_get_in(lang, "Order"), k->order_id, normal, 0);
    slip_pair(s, i18n_get_in(lang, "Pickup code"), k->code, normal, 0);
    slip_pair(s, i18n_get_in(lang, "Terminal"), cfg->terminal_id, normal, 0);
    iso_text(k->issued_at, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Issued at"), a, normal, 0);
    if (k->issued_by[0] && strcmp(k->issued_by, cfg->terminal_id)) /* a reprint elsewhere */
        slip_pair(s, i18n_get_in(lang, "Issued by terminal"), k->issued_by, normal, 0);
    /* the gate scans the QR, the bay's reader the barcode: both the ticket's number */
    slip_gap(s, 12);
    slip_qr(s, k->ticket_no, wide ? 7 : 5);
    slip_gap(s, 8);
    slip_barcode(s, k->ticket_no, wide ? 120 : 96);
    slip_text(s, k->ticket_no, normal, 0, SLIP_CENTER);
    slip_gap(s, 8);
    slip_text(s, i18n_get_in(lang, "Show this ticket at the gate and at the loading bay. One ticket per order: a reprint is marked as one."),
              small, 0, SLIP_LEFT);
    return s;
}
