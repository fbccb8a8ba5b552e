#include "decide.h"

enum upd_step upd_decide(const struct upd_facts *f, enum upd_why *why)
{
    *why = UPD_WHY_NONE;
    if (f->staged)
        return f->quiet ? UPD_SWITCH : UPD_WAIT;
    if (!f->trial || !f->ours)
        return UPD_WAIT; /* a kiosk about to restart, or no trial: not its to judge */
    if (f->home_shown && f->backend_up && f->up_ms >= f->settle_ms) {
        *why = UPD_WHY_HEALTHY;
        return UPD_COMMIT;
    }
    if (f->now < f->deadline)
        return UPD_WAIT;
    *why = !f->home_shown ? UPD_WHY_NO_HOME : !f->backend_up ? UPD_WHY_NO_BACKEND
                                                             : UPD_WHY_HEALTHY;
    return f->home_shown && f->backend_up ? UPD_COMMIT : UPD_ROLLBACK;
}
