/* The slots, the `current` link and update.json (slots.h). */
#include "update/slots.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/crash.h"
#include "core/file.h"
#include "core/log.h"
#include "internal.h"

#define STATE_MAX 65536

int update_path(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s/%s", a, b);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

#define LOCK_WAIT_MS 1000

/* The state's lock, for a read-modify-write that races the other process: its descriptor,
 * or -1 (not had within LOCK_WAIT_MS, or no prefix). */
static int lock_state(const char *prefix, char *err, size_t errcap)
{
    char path[1024];
    int fd = -1;
    if (update_path(path, sizeof path, prefix, "update.lock") == 0)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    for (int waited = 0; fd >= 0; waited += 10) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return fd;
        if (errno != EWOULDBLOCK || waited >= LOCK_WAIT_MS)
            break;
        usleep(10000);
    }
    snprintf(err, errcap, "%s/update.lock: %s", prefix, fd < 0 ? strerror(errno) : "busy");
    if (fd >= 0)
        close(fd);
    return -1;
}

static void unlock_state(int fd)
{
    close(fd); /* releases the lock */
}

int slots_read(const char *prefix, struct slots_state *st, char *err, size_t errcap)
{
    char path[1024];
    size_t len = 0;
    memset(st, 0, sizeof *st);
    if (update_path(path, sizeof path, prefix, "update.json") != 0) {
        snprintf(err, errcap, "prefix too long");
        return -1;
    }
    char *text = file_slurp(path, STATE_MAX, &len);
    if (!text && errno == ENOENT)
        return 0; /* never updated: idle */
    if (!text) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = slots_state_parse(text, len, st);
    free(text);
    if (rc != 0)
        snprintf(err, errcap, "%s: not a state this kiosk wrote", path);
    return rc;
}

int slots_write(const char *prefix, const struct slots_state *st, char *err, size_t errcap)
{
    char path[1024];
    if (update_path(path, sizeof path, prefix, "update.json") != 0) {
        snprintf(err, errcap, "prefix too long");
        return -1;
    }
    char *text = slots_state_json(st);
    if (!text) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    int rc = file_replace(path, text, strlen(text));
    if (rc != 0)
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
    free(text);
    return rc;
}

int slots_write_if(const char *prefix, const struct slots_state *was,
                   const struct slots_state *st, char *err, size_t errcap)
{
    struct slots_state now;
    int fd = lock_state(prefix, err, errcap);
    if (fd < 0)
        return -1;
    int rc = slots_read(prefix, &now, err, errcap);
    if (rc == 0 && (now.phase != was->phase || strcmp(now.action, was->action)))
        rc = 1;
    if (rc == 0)
        rc = slots_write(prefix, st, err, errcap);
    unlock_state(fd);
    return rc;
}

void slots_link(const char *prefix, char *out, size_t cap)
{
    char path[1024], target[16];
    snprintf(out, cap, "factory");
    if (update_path(path, sizeof path, prefix, "current") != 0)
        return;
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n == 1 && (target[0] == 'a' || target[0] == 'b'))
        snprintf(out, cap, "%c", target[0]);
}

int slots_set_link(const char *prefix, const char *slot, char *err, size_t errcap)
{
    char cur[1024], tmp[1024];
    if (update_path(cur, sizeof cur, prefix, "current") != 0 ||
        update_path(tmp, sizeof tmp, prefix, "current.new") != 0) {
        snprintf(err, errcap, "prefix too long");
        return -1;
    }
    crash_point("update.link:before");
    if (!strcmp(slot, "factory")) {
        if (unlink(cur) != 0 && errno != ENOENT) {
            snprintf(err, errcap, "%s: %s", cur, strerror(errno));
            return -1;
        }
    } else {
        if ((unlink(tmp) != 0 && errno != ENOENT) || symlink(slot, tmp) != 0 ||
            rename(tmp, cur) != 0) {
            snprintf(err, errcap, "%s -> %s: %s", cur, slot, strerror(errno));
            return -1;
        }
    }
    if (file_sync_dir(prefix) != 0) {
        snprintf(err, errcap, "%s: fsync: %s", prefix, strerror(errno));
        return -1;
    }
    crash_point("update.link:after");
    log_info("update", "current -> %s", slot);
    return 0;
}

const char *slots_inactive(const char *prefix)
{
    char cur[8];
    slots_link(prefix, cur, sizeof cur);
    return !strcmp(cur, "a") ? "b" : "a";
}

/* The version in <prefix>/<slot>/VERSION, or "" when it has none that reads. */
static void slot_version(const char *prefix, const char *slot, char *out, size_t cap)
{
    char dir[1024], path[1100];
    snprintf(out, cap, "%s", "");
    if (update_path(dir, sizeof dir, prefix, slot) != 0 ||
        update_path(path, sizeof path, dir, "VERSION") != 0)
        return;
    char *text = file_slurp(path, VERSION_MAX + 2, NULL);
    if (!text)
        return;
    text[strcspn(text, "\r\n")] = '\0';
    if (version_valid(text))
        snprintf(out, cap, "%s", text);
    free(text);
}

void slots_current(const char *prefix, char *slot, size_t scap, char *version, size_t vcap)
{
    slots_link(prefix, slot, scap);
    if (!strcmp(slot, "factory"))
        snprintf(version, vcap, "%s", KIOSK_VERSION);
    else
        slot_version(prefix, slot, version, vcap);
}

int slots_staged(const char *prefix, char *version, size_t cap)
{
    struct slots_state st;
    char err[256];
    if (slots_read(prefix, &st, err, sizeof err) != 0)
        return -1;
    if (st.phase != SLOTS_STAGED)
        return 0;
    snprintf(version, cap, "%s", st.version);
    return 1;
}

/* slots_switch() under the lock. */
static int switch_locked(const char *prefix, int64_t now, int trial_s, char *err,
                         size_t errcap)
{
    struct slots_state st;
    char dir[1024], bin[1100];
    if (slots_read(prefix, &st, err, errcap) != 0)
        return -1;
    if (st.phase != SLOTS_STAGED) {
        snprintf(err, errcap, "nothing staged (%s)", slots_phase_name(st.phase));
        return -1;
    }
    if (update_path(dir, sizeof dir, prefix, st.slot) != 0 ||
        update_path(bin, sizeof bin, dir, "bin/kiosk") != 0 || access(bin, X_OK) != 0) {
        snprintf(err, errcap, "slot %s has no bin/kiosk", st.slot);
        return -1;
    }
    crash_point("update.switch:before");
    slots_link(prefix, st.previous, sizeof st.previous);
    if (!strcmp(st.previous, "factory"))
        snprintf(st.previous_version, sizeof st.previous_version, "%s", KIOSK_VERSION);
    else
        slot_version(prefix, st.previous, st.previous_version, sizeof st.previous_version);
    st.phase = SLOTS_TRIAL;
    snprintf(st.current, sizeof st.current, "%s", st.slot);
    st.switched_at = now;
    st.deadline = now + (int64_t)trial_s * 1000;
    st.nstarts = 0;
    st.reason[0] = '\0';
    if (slots_write(prefix, &st, err, errcap) != 0 ||
        slots_set_link(prefix, st.slot, err, errcap) != 0)
        return -1;
    crash_point("update.switch:after");
    log_info("update", "switched to %s in slot %s (from %s), trial until +%d s", st.version,
             st.slot, st.previous, trial_s);
    return 0;
}

int slots_switch(const char *prefix, int64_t now, int trial_s, char *err, size_t errcap)
{
    int fd = lock_state(prefix, err, errcap);
    if (fd < 0)
        return -1;
    int rc = switch_locked(prefix, now, trial_s, err, errcap);
    unlock_state(fd);
    return rc;
}

/* The state, which must be a trial (commit and rollback judge only a trial). */
static int read_trial(const char *prefix, struct slots_state *st, char *err, size_t errcap)
{
    if (slots_read(prefix, st, err, errcap) != 0)
        return -1;
    if (st->phase != SLOTS_TRIAL) {
        snprintf(err, errcap, "not in a trial (%s)", slots_phase_name(st->phase));
        return -1;
    }
    return 0;
}

int slots_commit(const char *prefix, const char *why, char *err, size_t errcap)
{
    struct slots_state st;
    if (read_trial(prefix, &st, err, errcap) != 0)
        return -1;
    crash_point("update.commit:before");
    st.phase = SLOTS_COMMITTED;
    snprintf(st.reason, sizeof st.reason, "%s", why);
    if (slots_write(prefix, &st, err, errcap) != 0)
        return -1;
    crash_point("update.commit:after");
    log_info("update", "%s in slot %s committed: %s", st.version, st.slot, why);
    return 0;
}

/* The trial in st failed: back to the previous slot. */
static int roll_back(const char *prefix, struct slots_state *st, const char *reason, char *err,
                     size_t errcap)
{
    crash_point("update.rollback:before");
    st->phase = SLOTS_FAILED;
    st->rolled_back = 1;
    snprintf(st->current, sizeof st->current, "%s", st->previous);
    snprintf(st->reason, sizeof st->reason, "rolled back to %s: %s",
             st->previous_version[0] ? st->previous_version : st->previous, reason);
    if (slots_write(prefix, st, err, errcap) != 0 ||
        slots_set_link(prefix, st->current, err, errcap) != 0)
        return -1;
    crash_point("update.rollback:after");
    log_warn("update", "%s in slot %s %s", st->version, st->slot, st->reason);
    return 0;
}

int slots_rollback(const char *prefix, const char *reason, char *err, size_t errcap)
{
    struct slots_state st;
    if (read_trial(prefix, &st, err, errcap) != 0)
        return -1;
    return roll_back(prefix, &st, reason, err, errcap);
}

int slots_boot(const char *prefix, int64_t now, int crash_window_s, char *what, size_t cap)
{
    struct slots_state st;
    char err[512], path[1024], bad[1100], link[8];
    what[0] = '\0';
    if (slots_read(prefix, &st, err, sizeof err) != 0) {
        /* Not ours to guess at: set aside, and the kiosk runs what `current` says. */
        if (update_path(path, sizeof path, prefix, "update.json") == 0 &&
            snprintf(bad, sizeof bad, "%s.bad", path) < (int)sizeof bad)
            rename(path, bad);
        snprintf(what, cap, "%s: set aside as update.json.bad", err);
        return 0;
    }
    if (st.phase == SLOTS_TRIAL) {
        int64_t window = (int64_t)crash_window_s * 1000;
        int k = 0;
        for (int i = 0; i < st.nstarts; i++)
            if (st.starts[i] >= now - window && st.starts[i] <= now)
                st.starts[k++] = st.starts[i];
        if (k == SLOTS_STARTS) {
            memmove(st.starts, st.starts + 1, sizeof st.starts[0] * (SLOTS_STARTS - 1));
            k--;
        }
        st.starts[k++] = now;
        st.nstarts = k;
        char reason[160] = "";
        if (now > st.deadline)
            snprintf(reason, sizeof reason,
                     "not healthy by the trial's deadline (%lld s after the switch)",
                     (long long)((st.deadline - st.switched_at) / 1000));
        else if (k >= SLOTS_CRASH_STARTS)
            snprintf(reason, sizeof reason, "crash loop: %d starts within %d s", k,
                     crash_window_s);
        if (reason[0]) {
            snprintf(what, cap, "%s", reason);
            return roll_back(prefix, &st, reason, err, sizeof err);
        }
        if (slots_write(prefix, &st, err, sizeof err) != 0) {
            snprintf(what, cap, "%s", err);
            return -1;
        }
        snprintf(what, cap, "trial of %s in slot %s: start %d", st.version, st.slot, k);
    }
    slots_link(prefix, link, sizeof link);
    if (st.current[0] && strcmp(link, st.current)) {
        size_t n = strlen(what);
        snprintf(what + n, cap - n, "%scurrent was %s, set to %s", n ? "; " : "", link,
                 st.current);
        return slots_set_link(prefix, st.current, err, sizeof err);
    }
    return 0;
}
