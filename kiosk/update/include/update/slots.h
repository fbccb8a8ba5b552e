/* The kiosk's software slots and the update state (docs/updates.md).
 *
 *   <prefix>/a, <prefix>/b     two trees, each bin/kiosk, VERSION and what else the bundle has
 *   <prefix>/current -> a|b    a relative symlink, switched by rename(2) of current.new; no
 *                              link: the packaged tree ([update] factory_dir) runs
 *   <prefix>/update.json       the state: what is in hand, the trial, what to report
 *   <prefix>/download/         the bundle being downloaded
 *
 * The state file is the truth and `current` follows it: every change is written first
 * (tmp, fsync, rename, fsync of the folder), then the link is made to match, and
 * slots_boot() makes it match again after a power cut in between. These are small file
 * operations, safe on the kiosk's UI thread; every one that changes something passes crash
 * points (core/crash.h) "update.<step>:before|after". The two writers never write the same
 * phase, except a staged version, which the kiosk switches to while kiosk-update may replace
 * or drop it: both do that under a lock (<prefix>/update.lock, waited for at most 1 s).
 * Times are wall-clock milliseconds (clock_system_ms()). */
#ifndef KIOSK_UPDATE_SLOTS_H
#define KIOSK_UPDATE_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "update/version.h"

enum slots_phase {
    SLOTS_IDLE,        /* nothing in hand */
    SLOTS_DOWNLOADING, /* an action's bundle is being downloaded, verified, installed */
    SLOTS_STAGED,      /* a verified bundle waits in the inactive slot for a quiet moment */
    SLOTS_TRIAL,       /* `current` is the new slot: it must prove itself by the deadline */
    SLOTS_COMMITTED,   /* the trial version is good: success to report */
    SLOTS_FAILED,      /* refused or rolled back: failure to report, with the reason */
    SLOTS_PHASE_LAST
};

#define SLOTS_STARTS 8     /* start times kept during a trial */
#define SLOTS_CRASH_STARTS 3 /* this many starts within the crash window roll back */

struct slots_state {
    enum slots_phase phase;
    char action[24];            /* the DDI action in hand ("" none): digits */
    char version[VERSION_MAX];  /* the version it brings */
    char sha256[65];            /* the artifact's, from the deployment */
    int tries;                  /* downloads of it that failed their checks */
    char slot[2];               /* staged, trial, committed: the slot it is in ("a", "b") */
    char current[8];            /* what `current` must be: "a", "b", "factory" (no link);
                                 * "" = no opinion yet (leave the link as it is) */
    char previous[8];           /* trial: where it came from ("a", "b", "factory") */
    char previous_version[VERSION_MAX];
    int rolled_back;            /* failed: after a trial (else refused before a switch) */
    int64_t switched_at, deadline; /* trial: wall ms */
    int64_t starts[SLOTS_STARTS];  /* trial: the kiosk's starts (wall ms), oldest first */
    int nstarts;
    char reason[256];           /* committed, failed: the detail reported */
    char done[24];              /* the last action whose final feedback the server has */
};

const char *slots_phase_name(enum slots_phase p);

/* The state as JSON text (malloc'd, NULL on no memory), and back. Parsing is strict: a field
 * of the wrong type or size, an unknown phase, a slot other than a/b: -1. */
char *slots_state_json(const struct slots_state *st);
int slots_state_parse(const char *text, size_t len, struct slots_state *st);

/* <prefix>/update.json into st: 0 (no file: an idle state), or -1 with why in err (a file
 * that does not read is kept as update.json.bad by slots_boot). */
int slots_read(const char *prefix, struct slots_state *st, char *err, size_t errcap);
/* Writes st atomically. 0, or -1 with why in err. */
int slots_write(const char *prefix, const struct slots_state *st, char *err, size_t errcap);

/* Writes st only if update.json still holds the phase and action of `was` (the kiosk may
 * have switched to the staged version meanwhile): 0 written, 1 not (the state moved on),
 * -1 with why in err. Under the state's lock, as slots_switch() is. */
int slots_write_if(const char *prefix, const struct slots_state *was,
                   const struct slots_state *st, char *err, size_t errcap);

/* Where `current` points now: "a", "b", or "factory" (no link). */
void slots_link(const char *prefix, char *out, size_t cap);
/* Makes `current` point to slot ("a", "b": a relative link made as current.new and renamed
 * over it; "factory": no link), the folder synced. 0 or -1. */
int slots_set_link(const char *prefix, const char *slot, char *err, size_t errcap);
/* The slot a new bundle goes into: the one `current` is not ("a" when none is). */
const char *slots_inactive(const char *prefix);

/* The version the kiosk runs and its slot: `current`'s slot and its VERSION file, or
 * "factory" and the packaged version (KIOSK_VERSION) without a link. The fleet agent
 * reports them. */
void slots_current(const char *prefix, char *slot, size_t scap, char *version, size_t vcap);

/* ---- the kiosk's update service ------------------------------------------------------- */

/* 1 when a verified bundle waits in the inactive slot (its version into version), 0 when
 * not, -1 when the state does not read. */
int slots_staged(const char *prefix, char *version, size_t cap);
/* `current` to the staged slot: the state becomes a trial until now + trial_s. 0, or -1
 * with why in err (nothing staged, the slot lacks bin/kiosk). The caller restarts the
 * kiosk through the supervisor. */
int slots_switch(const char *prefix, int64_t now, int trial_s, char *err, size_t errcap);
/* The trial version is good (why: what it proved). 0, or -1 (not in a trial). */
int slots_commit(const char *prefix, const char *why, char *err, size_t errcap);
/* The trial failed: `current` back to the previous slot, failure to report with `reason`.
 * 0, or -1 (not in a trial, or the link could not be made). */
int slots_rollback(const char *prefix, const char *reason, char *err, size_t errcap);

/* ---- kiosk-update boot ---------------------------------------------------------------- */

/* Before every start of the kiosk: a state that does not read is set aside (idle); the link
 * is made to match the state; in a trial the start is counted, and 3 starts within
 * crash_window_s or a deadline passed without a commit roll back. What it did into what
 * ("" when nothing). 0, or -1 when something could not be written (the kiosk starts all
 * the same: the link is left as the state wants it, or as it was). */
int slots_boot(const char *prefix, int64_t now, int crash_window_s, char *what, size_t cap);

#endif
