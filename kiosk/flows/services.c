#include "kiosk/flows/services.h"

#include <string.h>

#include "kiosk/core/i18n.h"

#define NEED(c) (1u << (c))

const struct service_info service_table[SVC_LAST] = {
    [SVC_FUEL] = {"fuel", N_("Pay for fuel"), N_("Pick your pump and pay"), "icons/fuel.png",
                  NEED(COMP_BACKEND) | NEED(COMP_JOURNAL), 1},
    [SVC_SHOP] = {"shop", N_("Shop"), N_("Scan goods from the shop"), "icons/shop.png",
                  NEED(COMP_BACKEND) | NEED(COMP_SCANNER) | NEED(COMP_JOURNAL), 1},
    [SVC_INVOICE] = {"invoice", N_("E-invoice"), N_("Get an invoice for a receipt"),
                     "icons/invoice.png", NEED(COMP_BACKEND), 0},
    [SVC_CARD] = {"card", N_("Fuel card"), N_("Balance, top up, load, allocate"),
                  "icons/card.png", NEED(COMP_BACKEND) | NEED(COMP_CARD_READER), 0},
    [SVC_DEPOT] = {"depot", N_("Depot pickup"), N_("Pickup code, ID card, loading ticket"),
                   "icons/depot.png",
                   NEED(COMP_BACKEND) | NEED(COMP_SCANNER) | NEED(COMP_ID_READER) |
                       NEED(COMP_CAMERA) | NEED(COMP_PRINTER),
                   0},
};

static const enum svc_reason comp_reason[COMP_LAST] = {
    [COMP_BACKEND] = REASON_BACKEND,         [COMP_PRINTER] = REASON_PRINTER,
    [COMP_SCANNER] = REASON_SCANNER,         [COMP_CARD_READER] = REASON_CARD_READER,
    [COMP_ID_READER] = REASON_ID_READER,     [COMP_CAMERA] = REASON_CAMERA,
    [COMP_PUMP] = REASON_PUMP,               [COMP_JOURNAL] = REASON_JOURNAL,
};

enum svc_reason service_reason(enum service s, int enabled, const struct health *h)
{
    if (s >= SVC_LAST)
        return REASON_NOT_OFFERED;
    const struct service_info *si = &service_table[s];
    if (!enabled || !si->implemented)
        return REASON_NOT_OFFERED;
    for (int c = 0; c < COMP_LAST; c++) {
        if (!(si->requires & NEED(c)))
            continue;
        if (h->c[c] == HEALTH_ABSENT)
            return REASON_NOT_OFFERED; /* this kiosk has no such device or link */
        if (h->c[c] == HEALTH_FAULT)
            return REASON_KIOSK_FAULT;
        if (h->c[c] != HEALTH_OK && h->c[c] != HEALTH_DEGRADED)
            return comp_reason[c];
    }
    return REASON_NONE;
}

const char *service_reason_text(enum svc_reason r)
{
    switch (r) {
    case REASON_NONE: return "";
    case REASON_NOT_OFFERED: return N_("Not offered at this kiosk");
    case REASON_BACKEND: return N_("Offline: the station system cannot be reached");
    case REASON_PRINTER: return N_("Printer out of service");
    case REASON_SCANNER: return N_("Code scanner out of service");
    case REASON_CARD_READER: return N_("Card reader out of service");
    case REASON_ID_READER: return N_("ID card reader out of service");
    case REASON_CAMERA: return N_("Camera out of service");
    case REASON_PUMP: return N_("Pump controller out of service");
    case REASON_OUT_OF_SERVICE: return N_("This kiosk is out of service");
    case REASON_SETTLING: return N_("Finishing an earlier payment");
    case REASON_JOURNAL: return N_("This kiosk cannot record payments now");
    case REASON_KIOSK_FAULT: return N_("This kiosk needs the staff's attention");
    case REASON_LAST: break;
    }
    return "";
}

const char *service_reason_advice(enum svc_reason r)
{
    switch (r) {
    case REASON_NONE: return "";
    case REASON_NOT_OFFERED: return N_("Please ask at the counter: the staff can help you.");
    case REASON_BACKEND:
        return N_("Nothing was charged. Please pay at the counter, or try again in a few minutes.");
    case REASON_SETTLING: return N_("Please try again in a moment.");
    default: return N_("Please ask at the counter: the staff can help you.");
    }
}

enum service service_by_key(const char *key)
{
    for (int i = 0; i < SVC_LAST; i++)
        if (strcmp(service_table[i].key, key) == 0)
            return (enum service)i;
    return SVC_LAST;
}
