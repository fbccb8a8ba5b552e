/* The update service (docs/updates.md): no screens, no tiles. kiosk-update (its own process)
 * downloads, verifies and stages a version in the inactive slot; this service, inside the
 * kiosk, looks at update.json, switches `current` to the staged slot at a quiet moment (on
 * attract or home, idle for [update] quiet_s, no intent open, no print pending) and ends
 * the kiosk with exit 75 so the supervisor starts the new one through `kiosk-update boot`.
 * In the new kiosk it judges the trial: home shown, the backend answering and the loop
 * running (which feeds the watchdog) commit it; the trial's deadline passing first rolls it
 * back, and the kiosk ends again to start the old one. update.json is read every few
 * seconds (a small file); every change goes through update/slots.h. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "decide.h"
#include "update/options.h"
#include "update/service.h"
#include "update/slots.h"

#define LOOK_IDLE_MS 5000   /* update.json is read this often when nothing is in hand */
#define LOOK_ACTIVE_MS 1000 /* ... and while a version is staged or on trial */
#define SETTLE_MAX_MS 10000 /* healthy this long (at most a quarter of the trial) before
                            * a commit */

struct update_io {
    struct host_svc *h;
    const struct update_options *o;
    int64_t opened_at;    /* wall ms when this kiosk started */
    char slot[8];         /* the slot it was started from ("factory": none) */
    int64_t next;         /* kiosk clock: the next look */
    int off;              /* no prefix configured, or the kiosk is ending: nothing to do */
    int unreadable;       /* update.json did not read at the last look (said once) */
};

static int us_open(void *priv, struct host_svc *h, const void *cfg, char *err, size_t errcap)
{
    (void)err, (void)errcap;
    struct update_io *io = priv;
    io->h = h;
    io->o = cfg;
    io->off = !io->o->prefix[0];
    io->opened_at = clock_system_ms();
    io->next = clock_now_ms();
    if (!io->off)
        slots_link(io->o->prefix, io->slot, sizeof io->slot);
    return 0;
}

/* The kiosk ends to be started again through kiosk-update boot. */
static void restart(struct update_io *io, const char *why)
{
    io->off = 1;
    host_restart(io->h, HOST_RESTART_EXIT, why);
}

static void judge(struct update_io *io, const struct slots_state *st, int64_t now)
{
    struct host_state hs;
    struct upd_facts f = {
        .staged = st->phase == SLOTS_STAGED,
        .trial = st->phase == SLOTS_TRIAL,
        /* started from the trial's slot, after the switch: boot counted its start (or, run
         * without boot, its wall clock says so) */
        .ours = st->phase == SLOTS_TRIAL && !strcmp(io->slot, st->slot) &&
                (st->nstarts > 0 || st->switched_at <= io->opened_at),
        .now = clock_system_ms(),
        .deadline = st->deadline,
    };
    int64_t trial_ms = st->deadline - st->switched_at;
    f.settle_ms = trial_ms / 4 < SETTLE_MAX_MS ? trial_ms / 4 : SETTLE_MAX_MS;
    if (f.staged)
        f.quiet = host_quiet(io->h, now, (int64_t)io->o->quiet_s * 1000);
    if (f.ours) {
        host_state(io->h, now, &hs);
        f.home_shown = hs.home_shown;
        f.backend_up = hs.backend_up;
        f.up_ms = hs.uptime_ms;
    }
    enum upd_why why;
    char err[512], reason[200];
    switch (upd_decide(&f, &why)) {
    case UPD_WAIT:
        return;
    case UPD_SWITCH:
        if (slots_switch(io->o->prefix, f.now, io->o->trial_s, err, sizeof err) != 0) {
            log_warn("update", "cannot switch to %s: %s", st->version, err);
            return;
        }
        restart(io, "an update was switched in");
        return;
    case UPD_COMMIT:
        snprintf(reason, sizeof reason, "home and backend reached, up %lld s",
                 (long long)(f.up_ms / 1000));
        if (slots_commit(io->o->prefix, reason, err, sizeof err) != 0)
            log_warn("update", "cannot commit %s: %s", st->version, err);
        return;
    case UPD_ROLLBACK:
        snprintf(reason, sizeof reason, "not healthy within %lld s: %s",
                 (long long)(trial_ms / 1000),
                 why == UPD_WHY_NO_HOME ? "the home screen was never shown"
                                        : "the backend never answered");
        if (slots_rollback(io->o->prefix, reason, err, sizeof err) != 0) {
            log_error("update", "cannot roll %s back: %s", st->version, err);
            return;
        }
        restart(io, "an update was rolled back");
        return;
    }
}

static void us_tick(void *priv, int64_t now)
{
    struct update_io *io = priv;
    struct slots_state st;
    char err[512];
    if (io->off || now < io->next)
        return;
    io->next = now + LOOK_IDLE_MS;
    if (slots_read(io->o->prefix, &st, err, sizeof err) != 0) {
        if (!io->unreadable)
            log_warn("update", "%s", err);
        io->unreadable = 1;
        return;
    }
    io->unreadable = 0;
    if (st.phase == SLOTS_STAGED || st.phase == SLOTS_TRIAL)
        io->next = now + LOOK_ACTIVE_MS;
    judge(io, &st, now);
}

static int64_t us_deadline(const void *priv)
{
    const struct update_io *io = priv;
    return io->off ? INT64_MAX : io->next;
}

const struct service_def update_service = {
    .name = "update",
    .priv_size = sizeof(struct update_io),
    .options = update_options_table,
    .config_size = sizeof(struct update_options),
    .open = us_open,
    .tick = us_tick,
    .deadline = us_deadline,
};
