/* The DDI client's round: one poll of hawkBit and what follows from it (docs/updates.md). */
#ifndef KIOSK_UPDATE_ROUND_H
#define KIOSK_UPDATE_ROUND_H

#include "backend/fetch.h"
#include "update/options.h"

struct updater {
    const struct update_options *o;   /* borrowed */
    char base[700];                   /* {ddi_url}/controller/v1/{controllerId} */
    char origin[300];                 /* scheme://host[:port] of ddi_url: the token goes
                                       * only there */
    char auth[200];                   /* "Authorization: TargetToken ..." (never logged) */
    struct fetch_opts fo;
};

/* Ready to poll for controller_id (o->controller_id, else terminal_id). 0, or -1 with why. */
int updater_init(struct updater *u, const struct update_options *o, const char *terminal_id,
                 char *err, size_t errcap);
/* One round: the base poll, an outcome to report, the action in hand taken as far as it
 * goes (download with resume, verify, install into the inactive slot). Idempotent: a round
 * after a kill goes on from what update.json says. Returns the seconds to wait before the
 * next round (shorter while an action is in hand). */
int updater_round(struct updater *u);

#endif
