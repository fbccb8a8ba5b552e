/* What the kiosk's parts can do now, and why a service cannot be offered. Every service
 * names the components it cannot work without; the host keeps each component's health
 * (from the backend's heartbeat, the journal, the devices), so a home-menu tile can say
 * honestly why it is unavailable BEFORE a customer starts. Pure. */
#ifndef CORE_HEALTH_H
#define CORE_HEALTH_H

/* Components a service can depend on (bits of a service tile's `requires`). */
enum component {
    COMP_BACKEND,
    COMP_PRINTER,
    COMP_SCANNER,
    COMP_CARD_READER,
    COMP_ID_READER,
    COMP_CAMERA,
    COMP_PUMP,
    COMP_JOURNAL,       /* the kiosk's own record of money: nothing is sold without it */
    COMP_LAST
};

#define NEEDS(c) (1u << (c))

enum health_state {
    HEALTH_ABSENT = 0, /* not configured on this kiosk */
    HEALTH_UNKNOWN,    /* not checked yet */
    HEALTH_OK,
    HEALTH_DEGRADED,   /* works with limits (paper near end) */
    HEALTH_DOWN,       /* configured but failing */
    HEALTH_FAULT,      /* answers, but refuses this kiosk (its key, its clock): only the
                        * staff can put it right */
};

struct health {
    enum health_state c[COMP_LAST];
};

/* Why a service is unavailable. */
enum svc_reason {
    REASON_NONE = 0,
    REASON_NOT_OFFERED, /* switched off in config, or this kiosk lacks what it needs */
    REASON_BACKEND,     /* station system unreachable */
    REASON_PRINTER,
    REASON_SCANNER,
    REASON_CARD_READER,
    REASON_ID_READER,
    REASON_CAMERA,
    REASON_PUMP,
    REASON_OUT_OF_SERVICE, /* attendant took the kiosk out of service */
    REASON_SETTLING,    /* the last sale is being settled with the station system */
    REASON_JOURNAL,     /* the kiosk cannot record payments (its journal failed) */
    REASON_KIOSK_FAULT, /* the station system refuses this kiosk: the staff must act */
    REASON_LAST
};

/* Why a service that needs the components in `requires` (NEEDS() bits) cannot be offered
 * with health `h`, or REASON_NONE. `enabled` is its config switch. */
enum svc_reason health_reason(unsigned requires, int enabled, const struct health *h);
/* "absent", "unknown", "ok", "degraded", "down", "fault": for logs and the heartbeat. */
const char *health_state_name(enum health_state s);
/* Customer-facing text (msgid) for a reason: what happened and what to do instead. */
const char *health_reason_text(enum svc_reason r);
const char *health_reason_advice(enum svc_reason r);

#endif
