/* The DDI client's round (round.h): hawkBit polled, the action in hand taken as far as it
 * goes, every step written to update.json before the next, so a round after a kill goes on
 * from there. */
#include "round.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/crash.h"
#include "core/json.h"
#include "core/sign.h"
#include "core/log.h"
#include "internal.h"
#include "update/bundle.h"
#include "update/ddi.h"
#include "update/slots.h"

#define ACTIVE_POLL_S 10       /* while an action is in hand */
#define ANSWER_MAX (256 * 1024)
#define DOWNLOAD_TRIES 3       /* downloads that do not match before the action fails */
#define DOWNLOAD_TIMEOUT_MS 600000

int updater_init(struct updater *u, const struct update_options *o, const char *terminal_id,
                 char *err, size_t errcap)
{
    memset(u, 0, sizeof *u);
    u->o = o;
    const char *cid = o->controller_id[0] ? o->controller_id : terminal_id;
    const char *url = o->ddi_url;
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        n--;
    const char *host = strstr(url, "://");
    if (!n || !host || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))) {
        snprintf(err, errcap, "[update] ddi_url must be an http(s) URL");
        return -1;
    }
    if (!json_path_safe(cid)) {
        snprintf(err, errcap, "the controller id must be 1.. of [A-Za-z0-9_-]");
        return -1;
    }
    size_t origin = strcspn(host + 3, "/") + (size_t)(host + 3 - url);
    if ((size_t)snprintf(u->base, sizeof u->base, "%.*s/controller/v1/%s", (int)n, url, cid) >=
            sizeof u->base ||
        origin >= sizeof u->origin) {
        snprintf(err, errcap, "[update] ddi_url is too long");
        return -1;
    }
    memcpy(u->origin, url, origin);
    u->origin[origin] = '\0';
    if (o->token[0])
        snprintf(u->auth, sizeof u->auth, "Authorization: TargetToken %s", o->token);
    u->fo = (struct fetch_opts){.ca_file = o->ca_file, .auth = u->auth[0] ? u->auth : NULL};
    return 0;
}

/* The options for url: the token only to the DDI server itself. */
static struct fetch_opts opts_for(const struct updater *u, const char *url)
{
    struct fetch_opts fo = u->fo;
    size_t n = strlen(u->origin);
    if (strncmp(url, u->origin, n) || (url[n] && url[n] != '/' && url[n] != '?'))
        fo.auth = NULL;
    return fo;
}

static int save(struct updater *u, const struct slots_state *st)
{
    char err[512];
    if (slots_write(u->o->prefix, st, err, sizeof err) == 0)
        return 0;
    log_error("update", "cannot write the state: %s", err);
    return -1;
}

/* <prefix>/download/<action>.fkb into out. */
static void download_path(const struct updater *u, const char *action, char *out, size_t cap)
{
    snprintf(out, cap, "%s/download/%s.fkb", u->o->prefix, action);
}

/* Empties <prefix>/download. */
static void clear_downloads(const struct updater *u)
{
    char dir[1024], path[1400];
    snprintf(dir, sizeof dir, "%s/download", u->o->prefix);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && update_path(path, sizeof path, dir, e->d_name) == 0)
            unlink(path);
    if (d)
        closedir(d);
}

/* Posts feedback for action: 0 taken, 1 the action is closed at the server already (410)
 * or gone (404), -1 not sent. */
static int feedback(struct updater *u, const char *action, const char *execution,
                    const char *finished, const char *detail)
{
    char url[900], err[256];
    snprintf(url, sizeof url, "%s/deploymentBase/%s/feedback", u->base, action);
    char *body = ddi_feedback_json(clock_system_ms(), execution, finished, detail);
    if (!body)
        return -1;
    struct fetch_opts fo = opts_for(u, url);
    crash_point("update.feedback:before");
    int status = fetch_send(&fo, "POST", url, body, ANSWER_MAX, NULL, NULL, err, sizeof err);
    crash_point("update.feedback:after");
    free(body);
    if (status >= 200 && status < 300) {
        log_info("update", "action %s: feedback %s/%s: %s", action, execution, finished,
                 detail ? detail : "");
        return 0;
    }
    if (status == 410 || status == 404) {
        log_info("update", "action %s: feedback %s/%s: the server has closed it (%d)", action,
                 execution, finished, status);
        return 1;
    }
    if (status >= 0)
        snprintf(err, sizeof err, "HTTP %d", status);
    log_warn("update", "action %s: feedback %s/%s not taken: %s", action, execution, finished,
             err);
    return -1;
}

/* The outcome in st (committed or failed) to the server: closed, success or failure. Once
 * the server has it the state is idle again, with the action remembered as done. 0 or -1
 * (tried again next round). */
static int report(struct updater *u, struct slots_state *st)
{
    int ok = st->phase == SLOTS_COMMITTED;
    if (feedback(u, st->action, "closed", ok ? "success" : "failure", st->reason) < 0)
        return -1;
    struct slots_state idle = {.phase = SLOTS_IDLE};
    snprintf(idle.current, sizeof idle.current, "%s", st->current);
    snprintf(idle.done, sizeof idle.done, "%s", st->action);
    *st = idle;
    return save(u, st);
}

/* The action in st ends in failure (refused, or it could not be installed): reported now. */
static void fail(struct updater *u, struct slots_state *st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct updater *u, struct slots_state *st, const char *fmt, ...)
{
    va_list ap;
    st->phase = SLOTS_FAILED;
    st->rolled_back = 0;
    va_start(ap, fmt);
    vsnprintf(st->reason, sizeof st->reason, fmt, ap);
    va_end(ap);
    log_warn("update", "action %s: %s", st->action, st->reason);
    clear_downloads(u);
    if (save(u, st) == 0)
        report(u, st);
}

/* Download, check against the deployment, verify, install: as far as it goes. */
static void take_action(struct updater *u, struct slots_state *st, const char *href,
                        const char *action)
{
    char err[512], path[1100], slot[8], installed[VERSION_MAX];
    char *text = NULL;
    size_t len = 0;
    struct ddi_deployment d;
    struct fetch_opts fo = opts_for(u, href);
    int status = fetch_get(&fo, href, ANSWER_MAX, &text, &len, err, sizeof err);
    int parsed = status == 200 ? ddi_parse_deployment(text, len, &d, err, sizeof err) : -1;
    free(text);
    if (status != 200 || parsed != 0 || strcmp(d.id, action)) {
        if (status >= 0 && status != 200)
            snprintf(err, sizeof err, "HTTP %d", status);
        else if (status == 200 && parsed == 0)
            snprintf(err, sizeof err, "its id is %s", d.id);
        log_warn("update", "deployment %s: %s", action, err);
        return;
    }
    if (d.skip_download) {
        log_info("update", "action %s: download is \"skip\": waiting", d.id);
        return;
    }
    if (st->phase != SLOTS_DOWNLOADING || strcmp(st->action, d.id) ||
        strcmp(st->sha256, d.art.sha256)) {
        /* a new action (or its artifact changed): from the start */
        clear_downloads(u);
        struct slots_state fresh = {.phase = SLOTS_DOWNLOADING};
        snprintf(fresh.action, sizeof fresh.action, "%s", d.id);
        snprintf(fresh.sha256, sizeof fresh.sha256, "%s", d.art.sha256);
        if (version_valid(d.art.version))
            snprintf(fresh.version, sizeof fresh.version, "%.*s",
                     (int)sizeof fresh.version - 1, d.art.version);
        slots_link(u->o->prefix, fresh.current, sizeof fresh.current);
        if (st->current[0])
            snprintf(fresh.current, sizeof fresh.current, "%s", st->current);
        snprintf(fresh.done, sizeof fresh.done, "%s", st->done);
        /* over a staged version only if the kiosk has not switched to it meanwhile */
        int rc = slots_write_if(u->o->prefix, st, &fresh, err, sizeof err);
        if (rc != 0) {
            log_warn("update", "action %s waits: %s", d.id,
                     rc > 0 ? "the kiosk switched meanwhile" : err);
            return;
        }
        *st = fresh;
        char what[200];
        snprintf(what, sizeof what, "downloading %s (%lld bytes)", d.art.filename,
                 (long long)d.art.size);
        feedback(u, st->action, "proceeding", "none", what);
    }
    int64_t max = (int64_t)u->o->bundle_max_mb << 20;
    if (d.art.size > max) {
        fail(u, st, "refused: the bundle is %lld bytes, over [update] bundle_max_mb (%d)",
             (long long)d.art.size, u->o->bundle_max_mb);
        return;
    }
    download_path(u, st->action, path, sizeof path);
    struct fetch_opts dl = opts_for(u, d.art.href);
    dl.timeout_ms = DOWNLOAD_TIMEOUT_MS;
    int64_t size = 0;
    crash_point("update.download:before");
    status = fetch_file(&dl, d.art.href, path, d.art.size, &size, err, sizeof err);
    crash_point("update.download:after");
    if (status < 0) {
        log_warn("update", "action %s: download stopped at %lld of %lld bytes: %s", st->action,
                 (long long)size, (long long)d.art.size, err);
        return; /* resumed next round */
    }
    char hex[SIGN_HEX_LEN];
    if (size != d.art.size || update_file_sha256(path, hex) != 0 || strcmp(hex, d.art.sha256)) {
        unlink(path);
        st->tries++;
        log_warn("update", "action %s: the download does not match the deployment's size and "
                           "SHA-256 (try %d)", st->action, st->tries);
        if (st->tries >= DOWNLOAD_TRIES)
            fail(u, st, "the download did not match its size and SHA-256 %d times",
                 DOWNLOAD_TRIES);
        else
            save(u, st);
        return;
    }
    feedback(u, st->action, "downloaded", "none", d.art.filename);
    if (d.skip_update || d.window_closed) {
        log_info("update", "action %s: downloaded; installing waits (%s)", st->action,
                 d.skip_update ? "update is \"skip\"" : "maintenance window closed");
        return;
    }
    slots_current(u->o->prefix, slot, sizeof slot, installed, sizeof installed);
    if (!version_valid(installed))
        snprintf(installed, sizeof installed, "0.0.0");
    struct bundle_info info;
    crash_point("update.verify:before");
    enum bundle_err be = bundle_verify(path, u->o->public_key, installed, max, &info, err,
                                       sizeof err);
    crash_point("update.verify:after");
    if (be == BUNDLE_SAME_VERSION) {
        st->phase = SLOTS_COMMITTED;
        snprintf(st->reason, sizeof st->reason, "version %s is installed already", installed);
        clear_downloads(u);
        if (save(u, st) == 0)
            report(u, st);
        return;
    }
    if (be != BUNDLE_OK) {
        fail(u, st, "refused: %s: %s", bundle_strerror(be), err);
        return;
    }
    if (version_valid(d.art.version) && strcmp(d.art.version, info.m.version)) {
        fail(u, st, "refused: the deployment is version %s, the bundle %s", d.art.version,
             info.m.version);
        return;
    }
    const char *target = slots_inactive(u->o->prefix);
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/%s", u->o->prefix, target);
    crash_point("update.extract:before");
    if ((mkdir(dir, 0755) != 0 && errno != EEXIST) || update_wipe_tree(dir) != 0) {
        fail(u, st, "cannot install: %s: %s", dir, strerror(errno));
        return;
    }
    be = bundle_extract(path, &info, dir, err, sizeof err);
    if (be != BUNDLE_OK) {
        update_wipe_tree(dir);
        fail(u, st, "cannot install: %s: %s", bundle_strerror(be), err);
        return;
    }
    crash_point("update.extract:after");
    crash_point("update.staged:before");
    st->phase = SLOTS_STAGED;
    snprintf(st->slot, sizeof st->slot, "%s", target);
    snprintf(st->version, sizeof st->version, "%s", info.m.version);
    if (save(u, st) != 0)
        return;
    crash_point("update.staged:after");
    clear_downloads(u);
    char what[200];
    snprintf(what, sizeof what, "installed %s in slot %s, waiting for a quiet moment",
             info.m.version, target);
    log_info("update", "action %s: %s", st->action, what);
    feedback(u, st->action, "proceeding", "none", what);
}

/* Tells the server the slot and version when it asks (configData). */
static void send_config(struct updater *u)
{
    char url[800], slot[8], version[VERSION_MAX], err[256];
    slots_current(u->o->prefix, slot, sizeof slot, version, sizeof version);
    char *body = ddi_config_json(slot, version);
    snprintf(url, sizeof url, "%s/configData", u->base);
    struct fetch_opts fo = opts_for(u, url);
    int status = -1;
    snprintf(err, sizeof err, "out of memory");
    if (body)
        status = fetch_send(&fo, "PUT", url, body, ANSWER_MAX, NULL, NULL, err, sizeof err);
    free(body);
    if (status >= 0 && (status < 200 || status >= 300))
        snprintf(err, sizeof err, "HTTP %d", status);
    if (status < 200 || status >= 300)
        log_warn("update", "configData not taken: %s", err);
}

/* Makes the prefix and its download folder. 0 or -1. */
static int make_folders(const struct updater *u)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/download", u->o->prefix);
    if ((mkdir(u->o->prefix, 0755) != 0 && errno != EEXIST) ||
        (mkdir(dir, 0755) != 0 && errno != EEXIST)) {
        log_error("update", "%s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int updater_round(struct updater *u)
{
    char err[512];
    char *text = NULL;
    size_t len = 0;
    struct slots_state st;
    struct ddi_base b;
    int sleep_s = u->o->poll_s;
    if (make_folders(u) != 0)
        return sleep_s;
    if (slots_read(u->o->prefix, &st, err, sizeof err) != 0) {
        log_error("update", "%s (kiosk-update boot sets it aside)", err);
        return sleep_s;
    }
    int status = fetch_get(&u->fo, u->base, ANSWER_MAX, &text, &len, err, sizeof err);
    int parsed = status == 200 ? ddi_parse_base(text, len, &b, err, sizeof err) : -1;
    free(text);
    if (status != 200 || parsed != 0) {
        if (status >= 0 && status != 200)
            snprintf(err, sizeof err, "HTTP %d", status);
        log_warn("update", "poll: %s", err);
        return st.phase == SLOTS_IDLE ? sleep_s : ACTIVE_POLL_S;
    }
    if (b.sleep_s > 0)
        sleep_s = b.sleep_s;
    if (b.config_data)
        send_config(u);
    if ((st.phase == SLOTS_COMMITTED || st.phase == SLOTS_FAILED) && report(u, &st) != 0)
        return ACTIVE_POLL_S;
    if (b.deployment[0]) {
        if (!strcmp(b.action, st.done)) {
            log_warn("update", "action %s was reported already; the server still offers it",
                     b.action);
        } else if (st.phase == SLOTS_TRIAL ||
                   (st.phase == SLOTS_STAGED && !strcmp(st.action, b.action))) {
            /* the kiosk switches at a quiet moment, and proves the new version; a download
             * a power cut left behind after staging goes */
            clear_downloads(u);
        } else {
            if (st.phase == SLOTS_STAGED)
                log_warn("update", "action %s replaces %s, which was staged", b.action,
                         st.action);
            take_action(u, &st, b.deployment, b.action);
        }
    } else if (st.phase == SLOTS_DOWNLOADING || st.phase == SLOTS_STAGED) {
        /* the server no longer offers it (cancelled there): dropped */
        log_warn("update", "action %s is no longer offered: dropped", st.action);
        struct slots_state idle = {.phase = SLOTS_IDLE};
        snprintf(idle.current, sizeof idle.current, "%s", st.current);
        snprintf(idle.done, sizeof idle.done, "%s", st.done);
        int rc = slots_write_if(u->o->prefix, &st, &idle, err, sizeof err);
        if (rc == 0) {
            clear_downloads(u);
            st = idle;
        } else {
            log_warn("update", "not dropped: %s", rc > 0 ? "the kiosk switched meanwhile" : err);
        }
    }
    return st.phase == SLOTS_IDLE && !b.deployment[0] ? sleep_s
           : sleep_s < ACTIVE_POLL_S                  ? sleep_s
                                                      : ACTIVE_POLL_S;
}
