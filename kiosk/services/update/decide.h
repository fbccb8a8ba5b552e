/* The update service's one decision (pure): from what update.json says and what the host
 * sees, whether to switch to a staged version now, to commit a trial, or to roll it back. */
#ifndef UPDATE_SVC_DECIDE_H
#define UPDATE_SVC_DECIDE_H

#include <stdint.h>

struct upd_facts {
    int staged;            /* a verified version waits in the inactive slot */
    int trial;             /* a new version is on trial... */
    int ours;              /* ...and this kiosk is it (started after the switch, from its slot) */
    int quiet;             /* host_quiet(): on attract/home, idle long enough, nothing open */
    int home_shown;        /* the frame's screen was presented since this kiosk started */
    int backend_up;        /* the station system answered the last heartbeat */
    int64_t up_ms;         /* this kiosk's loop has run this long (it feeds the watchdog) */
    int64_t settle_ms;     /* healthy and up this long before a commit */
    int64_t now, deadline; /* wall ms: now, and the trial's deadline */
};

enum upd_step {
    UPD_WAIT,     /* nothing now */
    UPD_SWITCH,   /* switch to the staged version and restart through the supervisor */
    UPD_COMMIT,   /* the trial version is good */
    UPD_ROLLBACK, /* the trial's deadline passed unhealthy: back, and restart */
};

/* Why a trial was judged (UPD_COMMIT, UPD_ROLLBACK). */
enum upd_why { UPD_WHY_NONE, UPD_WHY_HEALTHY, UPD_WHY_NO_HOME, UPD_WHY_NO_BACKEND };

enum upd_step upd_decide(const struct upd_facts *f, enum upd_why *why);

#endif
