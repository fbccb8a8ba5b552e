/* The five customer services on the home menu and whether each can be offered now.
 * Pure: availability is computed from configuration, which flows exist and the health of
 * what each service needs, so a tile can say honestly why it is unavailable BEFORE a
 * customer starts. */
#ifndef KIOSK_FLOWS_SERVICES_H
#define KIOSK_FLOWS_SERVICES_H

enum service { SVC_FUEL, SVC_SHOP, SVC_INVOICE, SVC_CARD, SVC_DEPOT, SVC_LAST };

/* Components a service can depend on. */
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
    REASON_NOT_OFFERED, /* switched off in config, or not built into this version */
    REASON_BACKEND,     /* station system unreachable */
    REASON_PRINTER,
    REASON_SCANNER,
    REASON_CARD_READER,
    REASON_ID_READER,
    REASON_CAMERA,
    REASON_PUMP,
    REASON_OUT_OF_SERVICE, /* attendant took the kiosk out of service */
    REASON_SETTLING,    /* an earlier payment is being settled with the station system */
    REASON_JOURNAL,     /* the kiosk cannot record payments (its journal failed) */
    REASON_KIOSK_FAULT, /* the station system refuses this kiosk: the staff must act */
    REASON_LAST
};

struct service_info {
    const char *key;    /* "fuel": widget id home.<key>, config [services] <key> */
    const char *title;  /* msgid */
    const char *blurb;  /* msgid: one line under the title */
    const char *icon;   /* file under assets/ */
    unsigned requires;  /* bit per enum component */
    int implemented;    /* a flow for it exists in this build */
};

extern const struct service_info service_table[SVC_LAST];

/* Why `s` cannot be offered, or REASON_NONE. `enabled` is the config switch. */
enum svc_reason service_reason(enum service s, int enabled, const struct health *h);
/* Customer-facing text (msgid) for a reason: what happened and what to do instead. */
const char *service_reason_text(enum svc_reason r);
const char *service_reason_advice(enum svc_reason r);
/* Service by key, or SVC_LAST. */
enum service service_by_key(const char *key);

#endif
