#include "core/health.h"

#include "core/i18n.h"

static const enum svc_reason comp_reason[COMP_LAST] = {
    [COMP_BACKEND] = REASON_BACKEND,         [COMP_PRINTER] = REASON_PRINTER,
    [COMP_SCANNER] = REASON_SCANNER,         [COMP_CARD_READER] = REASON_CARD_READER,
    [COMP_ID_READER] = REASON_ID_READER,     [COMP_CAMERA] = REASON_CAMERA,
    [COMP_PUMP] = REASON_PUMP,               [COMP_JOURNAL] = REASON_JOURNAL,
};

enum svc_reason health_reason(unsigned requires, int enabled, const struct health *h)
{
    if (!enabled)
        return REASON_NOT_OFFERED;
    for (int c = 0; c < COMP_LAST; c++) {
        if (!(requires & NEEDS(c)))
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

const char *health_reason_text(enum svc_reason r)
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

const char *health_reason_advice(enum svc_reason r)
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

const char *health_state_name(enum health_state s)
{
    static const char *const names[] = {"absent", "unknown", "ok", "degraded", "down", "fault"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}
