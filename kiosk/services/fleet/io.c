#include "io.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/file.h"
#include "core/i18n.h"
#include "core/json.h"
#include "core/log.h"
#include "core/prices.h"
#include "core/sign.h"
#include "journal/journal.h"
#include "mqtt/mqtt.h"
#include "redact.h"
#include "ui/slip.h"

#define MOD "fleet"
#define SETTING "fleet"                /* the agent's own state */
#define SETTING_MAX (256 * 1024)       /* read back at most this */
#define QUEUE_MAX 32                   /* commands held between two turns */
#define QUEUE_BYTES (512 * 1024)
#define TURN_MAX 16                    /* commands handled in one turn */

/* ---- settings ----------------------------------------------------------------------------- */

struct setting_job {
    char name[24];
    char *value;
};

static void setting_free(void *arg)
{
    struct setting_job *s = arg;
    free(s->value);
    free(s);
}

static enum kerr setting_write(struct journal *j, void *arg, int64_t *value)
{
    struct setting_job *s = arg;
    (void)value;
    return journal_setting_put(j, s->name, s->value);
}

/* Queues the write of setting `name` = value (taken; NULL is no memory): its handle, or 0. */
static uint64_t put_setting(struct fleet_io *io, const char *name, char *value)
{
    struct setting_job *s = value ? calloc(1, sizeof *s) : NULL;
    if (!s) {
        free(value);
        return 0;
    }
    snprintf(s->name, sizeof s->name, "%s", name);
    s->value = value;
    return host_journal(io->h, setting_write, s, setting_free);
}

/* Setting `name` as text (malloc'd), or NULL when it is not set or cannot be read. */
static char *get_setting(struct fleet_io *io, const char *name)
{
    struct journal *j = host_journal_reader(io->h);
    char *v = j ? malloc(SETTING_MAX) : NULL;
    if (v && journal_setting_get(j, name, v, SETTING_MAX) != KERR_OK) {
        free(v);
        v = NULL;
    }
    return v;
}

/* ---- host asks in flight ------------------------------------------------------------------ */

static void op_add(struct fleet_io *io, enum fl_op_kind kind, uint64_t handle, const char *id,
                   int64_t version)
{
    for (int i = 0; handle && i < FL_OPS; i++)
        if (!io->ops[i].handle) {
            io->ops[i] = (struct fl_op){.handle = handle, .kind = kind, .version = version};
            snprintf(io->ops[i].id, sizeof io->ops[i].id, "%s", id);
            return;
        }
    if (handle)
        log_warn(MOD, "too much in flight: an answer of the host will be ignored");
}

/* Takes the op answered by r out of the table into *out: 1, or 0 when it is none of ours
 * (journal writes and print jobs count their handles apart). */
static int op_take(struct fleet_io *io, const struct host_result *r, struct fl_op *out)
{
    for (int i = 0; r->handle && i < FL_OPS; i++)
        if (io->ops[i].handle == r->handle &&
            (io->ops[i].kind == OP_PRINT) == (r->kind == HR_PRINT)) {
            *out = io->ops[i];
            io->ops[i] = (struct fl_op){0};
            return 1;
        }
    return 0;
}

/* ---- acks ---------------------------------------------------------------------------------- */

static void save(struct fleet_io *io)
{
    char *json = fl_saved_json(&io->st);
    uint64_t h = put_setting(io, SETTING, json);
    if (!h)
        log_warn(MOD, "the agent's state could not be saved");
    op_add(io, OP_SAVE, h, "", 0);
    if (io->st.restart.stage == FL_STAGE_SAVING && !io->restart_save)
        io->restart_save = h;
}

static void publish_ack(struct fleet_io *io, struct fl_seen_entry *e)
{
    char *json = fl_ack_json(e->id, e->cmd >= 0 ? fl_cmds[e->cmd].name : "?", e->result,
                             e->detail, clock_system_ms());
    e->sent = json && io->mqtt && mqtt_publish(io->mqtt, io->t_ack, json, 0) == 0;
    free(json);
}

/* Command `id`'s outcome so far: remembered (and saved), published. */
static void answer(struct fleet_io *io, const char *id, int cmd, enum fl_result r,
                   const char *detail)
{
    log_info(MOD, "%s %s: %s%s%s", cmd >= 0 ? fl_cmds[cmd].name : "command", id,
             fl_result_name(r), detail[0] ? ": " : "", detail);
    publish_ack(io, fl_seen_put(&io->st.seen, id, cmd, r, detail));
    save(io);
}

/* ---- telemetry ---------------------------------------------------------------------------- */

static void watch(struct fleet_io *io, struct fl_watch *w)
{
    struct health hh;
    memset(w, 0, sizeof *w);
    host_health(io->h, &hh);
    for (int i = 0; i < COMP_LAST; i++)
        w->health[i] = hh.c[i];
    int n = host_device_count(io->h);
    w->ndevices = n < FL_DEVICES_MAX ? n : FL_DEVICES_MAX;
    for (int i = 0; i < w->ndevices; i++) {
        char name[8], why[8];
        host_device_at(io->h, i, name, sizeof name, &w->devices[i], why, sizeof why);
    }
    const char *oos = host_out_of_service(io->h);
    snprintf(w->oos, sizeof w->oos, "%s", oos ? oos : "");
    w->config_version = io->config_version;
    w->prices_version = io->prices_version;
    w->playlist_version = io->playlist_version;
}

struct day {
    struct journal *j;
    struct fl_telemetry *t;
};

static void add_txn(const struct txn_row *r, void *user)
{
    struct fl_telemetry *t = ((struct day *)user)->t;
    if (!strcmp(r->kind, "sale")) {
        t->sales++;
        t->sales_fen += r->amount_fen;
    } else if (!strcmp(r->kind, "refund")) {
        t->refunds++;
        t->refunds_fen += r->amount_fen;
    }
}

static void add_shift(const struct shift_row *s, void *user)
{
    struct day *d = user;
    journal_shift_txns(d->j, s->id, add_txn, d);
}

/* The business day: the shifts no day close has rolled up yet, and the open one. */
static void day_totals(struct fleet_io *io, struct fl_telemetry *t)
{
    struct day d = {host_journal_reader(io->h), t};
    if (!d.j)
        return;
    journal_day_shifts(d.j, 0, add_shift, &d);
    int64_t open = journal_shift_current(d.j);
    if (open)
        journal_shift_txns(d.j, open, add_txn, &d);
}

static int telemetry(struct fleet_io *io, int64_t now, const struct fl_watch *w)
{
    struct fl_telemetry t;
    struct host_state hs;
    memset(&t, 0, sizeof t);
    host_state(io->h, now, &hs);
    t.ts = clock_system_ms();
    t.name = host_config(io->h)->station_name;
    t.version = io->version;
    t.slot = io->slot;
    t.uptime_s = hs.uptime_ms / 1000;
    t.on_frame = hs.on_frame;
    t.busy = hs.busy;
    t.backend_up = hs.backend_up;
    t.idle_s = hs.idle_ms / 1000;
    t.out_of_service = w->oos[0] ? w->oos : NULL;
    for (int i = 0; i < COMP_LAST; i++)
        t.health[i] = w->health[i];
    t.ndevices = w->ndevices;
    for (int i = 0; i < t.ndevices; i++)
        host_device_at(io->h, i, t.devices[i].name, sizeof t.devices[i].name,
                       &t.devices[i].health, t.devices[i].why, sizeof t.devices[i].why);
    t.sessions = hs.sessions;
    t.scans = hs.scans;
    t.prints = hs.prints;
    t.print_failures = hs.print_failures;
    t.call_failures = hs.call_failures;
    day_totals(io, &t);
    t.outbox_pending = host_outbox_pending(io->h);
    struct statvfs vfs;
    t.disk_free_mb = statvfs(host_config(io->h)->data_dir, &vfs) == 0
                         ? (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize / (1024 * 1024)
                         : -1;
    t.config_version = io->config_version;
    t.prices_version = io->prices_version;
    t.playlist_version = io->playlist_version;
    struct mqtt_stats ms;
    mqtt_stats(io->mqtt, &ms);
    t.dropped = ms.dropped;
    char *json = fl_telemetry_json(&t);
    int rc = json ? mqtt_publish(io->mqtt, io->t_telemetry, json, 1) : -1;
    free(json);
    return rc;
}

static void telemetry_check(struct fleet_io *io, int64_t now)
{
    struct fl_watch w;
    watch(io, &w);
    if (now >= fl_tele_due(&io->tele, &w, (int64_t)io->opt->telemetry_s * 1000) &&
        telemetry(io, now, &w) == 0)
        fl_tele_sent(&io->tele, &w, now);
}

/* A new link: the retained status says online, acks that did not go out go now, and
 * telemetry at once. */
static void connected(struct fleet_io *io)
{
    char *json = fl_status_json("online", NULL, io->version, io->slot, io->since,
                                clock_system_ms());
    if (json)
        mqtt_publish(io->mqtt, io->t_status, json, 1);
    free(json);
    int resent = 0;
    for (int i = 0; i < io->st.seen.n; i++)
        if (!io->st.seen.v[i].sent) {
            publish_ack(io, &io->st.seen.v[i]);
            resent++;
        }
    if (resent)
        save(io);
    fl_tele_init(&io->tele);
}

/* ---- commands that restart the kiosk ------------------------------------------------------ */

static void restart_done(struct fleet_io *io)
{
    io->st.restart.stage = FL_STAGE_NONE;
    io->restart_save = 0;
    if (io->config_body) /* a pushed config may hold a key */
        sign_wipe(io->config_body, strlen(io->config_body));
    free(io->config_body);
    io->config_body = NULL;
}

/* It is quiet: the waiting command is made durable first (a restart that comes before
 * it ran then knows what it was), then applied when that lands (saved()). */
static void restart_quiet(struct fleet_io *io)
{
    io->st.restart.stage = FL_STAGE_SAVING;
    io->restart_save = 0;
    save(io);
    if (!io->restart_save) {
        answer(io, io->st.restart.id, io->st.restart.cmd, FL_FAILED,
               "the journal cannot keep it");
        restart_done(io);
    }
}

static void restart_check(struct fleet_io *io, int64_t now)
{
    if (io->st.restart.stage != FL_STAGE_QUIET || now < io->restart_next)
        return;
    int64_t quiet_ms = (int64_t)io->opt->quiet_s * 1000;
    struct host_state hs;
    host_state(io->h, now, &hs);
    struct fl_quiet_in q = {.quiet = host_quiet(io->h, now, quiet_ms), .on_frame = hs.on_frame,
                            .busy = hs.busy, .idle_ms = hs.idle_ms};
    io->restart_next = fl_quiet_next(&q, quiet_ms, now);
    if (io->restart_next <= now)
        restart_quiet(io);
}

/* The save that carries the waiting command landed (ok or not). */
static void saved(struct fleet_io *io, int ok, int64_t now)
{
    struct fl_wait *w = &io->st.restart;
    io->restart_save = 0;
    if (!ok) {
        answer(io, w->id, w->cmd, FL_FAILED, "the journal cannot keep it");
        restart_done(io);
        return;
    }
    if (!host_quiet(io->h, now, (int64_t)io->opt->quiet_s * 1000)) {
        w->stage = FL_STAGE_QUIET; /* someone came meanwhile: the next quiet moment */
        io->restart_next = now + FL_POLL_MS;
        save(io);
        return;
    }
    char why[FL_DETAIL_MAX] = "";
    if (w->cmd == FL_CONFIG) {
        const char *path = host_config(io->h)->remote_config;
        if (file_replace(path, io->config_body, strlen(io->config_body)) != 0) {
            snprintf(why, sizeof why, "cannot write %.80s: %s", path, strerror(errno));
            answer(io, w->id, w->cmd, FL_FAILED, why);
            restart_done(io);
            return;
        }
        snprintf(why, sizeof why, "config %" PRId64, w->version);
    } else {
        snprintf(why, sizeof why, "reload_config %s", w->id);
    }
    w->stage = FL_STAGE_RESTART;
    io->restarting = 1;
    host_restart(io->h, HOST_RESTART_EXEC, why);
}

/* After a start: what the command a restart applied became. */
static void restart_resolve(struct fleet_io *io)
{
    struct fl_wait *w = &io->st.restart;
    char why[FL_DETAIL_MAX];
    if (w->cmd != FL_CONFIG) {
        answer(io, w->id, w->cmd, FL_OK, "the kiosk started again: its configuration read");
        restart_done(io);
        return;
    }
    const char *path = host_config(io->h)->remote_config;
    size_t n = 0;
    char *text = path[0] ? file_slurp(path, FL_BODY_MAX, &n) : NULL;
    char hex[SIGN_HEX_LEN] = "", err[256] = "";
    if (text)
        sign_sha256_hex(text, n, hex);
    if (!text || strcmp(hex, w->sha256)) {
        answer(io, w->id, w->cmd, FL_FAILED, "not applied: the kiosk stopped before it was "
                                             "written; send it again");
    } else if (host_config_check(io->h, text, err, sizeof err) != 0) {
        snprintf(why, sizeof why, "not in force (the kiosk's own file reads it no more): %.100s",
                 err);
        answer(io, w->id, w->cmd, FL_FAILED, why);
    } else {
        io->config_version = w->version;
        char *v = malloc(24);
        if (v)
            snprintf(v, 24, "%" PRId64, w->version);
        op_add(io, OP_CONFIG_VERSION, put_setting(io, "config_version", v), w->id, w->version);
        snprintf(why, sizeof why, "config %" PRId64 " in force", w->version);
        answer(io, w->id, w->cmd, FL_OK, why);
    }
    if (text)
        sign_wipe(text, n);
    free(text);
    restart_done(io);
}

/* ---- the playlist --------------------------------------------------------------------------- */

static void playlist_done(struct fleet_io *io)
{
    io->st.playlist.stage = FL_STAGE_NONE;
    free(io->st.playlist_body);
    io->st.playlist_body = NULL;
}

/* Starts (or takes up) the download of the playlist waiting: 0, or -1 with why (*bad 1:
 * the playlist itself is wrong). */
static int playlist_fetch(struct fleet_io *io, int *bad, char *why, size_t cap)
{
    struct fl_playlist *p = malloc(sizeof *p);
    *bad = 0;
    if (!p) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    if (fl_playlist_parse(io->st.playlist_body, io->st.playlist.version, p, why, cap) != 0)
        *bad = 1;
    else
        io->dl = fl_download_start(io->h, io->ads_dir, p, io->st.playlist_body, why, cap);
    free(p);
    if (!io->dl)
        return -1;
    io->st.playlist.stage = FL_STAGE_DOWNLOAD;
    return 0;
}

static void download_check(struct fleet_io *io)
{
    int ok = 0;
    char detail[FL_DETAIL_MAX];
    if (!io->dl || !fl_download_done(io->dl, &ok, detail, sizeof detail))
        return;
    struct fl_wait *w = &io->st.playlist;
    uint64_t h = ok ? put_setting(io, "playlist",
                                  fl_playlist_setting(w->version, fl_download_dir(io->dl)))
                    : 0;
    fl_download_release(io->dl);
    io->dl = NULL;
    if (h) {
        w->stage = FL_STAGE_SWITCHING;
        op_add(io, OP_PLAYLIST, h, w->id, w->version);
        return;
    }
    answer(io, w->id, FL_PLAYLIST, FL_FAILED, ok ? "the journal cannot keep it" : detail);
    playlist_done(io);
}

/* ---- each command --------------------------------------------------------------------------- */

static int signed_ok(struct fleet_io *io, struct fl_command *c, int64_t in_force)
{
    char why[FL_DETAIL_MAX];
    if (fl_signed_check(c, io->opt->public_key, io->station, io->terminal, in_force, why,
                        sizeof why) == 0)
        return 1;
    answer(io, c->id, c->cmd, FL_REFUSED, why);
    return 0;
}

static void wait_restart(struct fleet_io *io, struct fl_command *c, int64_t now)
{
    struct fl_wait *w = &io->st.restart;
    memset(w, 0, sizeof *w);
    w->stage = FL_STAGE_QUIET;
    snprintf(w->id, sizeof w->id, "%s", c->id);
    w->cmd = c->cmd;
    w->version = c->version;
    if (c->cmd == FL_CONFIG) {
        sign_sha256_hex(c->body, strlen(c->body), w->sha256);
        io->config_body = c->body; /* taken */
        c->body = NULL;
    }
    io->restart_next = now;
    char why[FL_DETAIL_MAX];
    snprintf(why, sizeof why, "the kiosk starts again at a quiet moment (no customer for %d s)",
             io->opt->quiet_s);
    answer(io, w->id, w->cmd, FL_ACCEPTED, why);
}

static void config(struct fleet_io *io, struct fl_command *c, int64_t now)
{
    char why[FL_DETAIL_MAX], err[256];
    const char *key;
    if (!signed_ok(io, c, io->config_version))
        return;
    if ((key = fl_config_forbidden(c->body))) {
        snprintf(why, sizeof why, "a pushed config may not name %s", key);
        answer(io, c->id, c->cmd, FL_REFUSED, why);
    } else if (!host_config(io->h)->remote_config[0]) {
        answer(io, c->id, c->cmd, FL_REFUSED, "this kiosk takes no pushed config: [paths] "
                                              "remote_config is empty");
    } else if (host_config_check(io->h, c->body, err, sizeof err) != 0) {
        answer(io, c->id, c->cmd, FL_REFUSED, err);
    } else {
        wait_restart(io, c, now);
    }
}

static void prices(struct fleet_io *io, struct fl_command *c)
{
    char why[FL_DETAIL_MAX];
    struct price_board p;
    if (!signed_ok(io, c, io->prices_version))
        return;
    if (prices_parse(c->body, c->version, &p, why, sizeof why) != 0) {
        answer(io, c->id, c->cmd, FL_REFUSED, why);
        return;
    }
    uint64_t h = put_setting(io, "prices", prices_json(&p));
    if (!h)
        answer(io, c->id, c->cmd, FL_FAILED, "the journal cannot keep it");
    op_add(io, OP_PRICES, h, c->id, c->version);
}

static void playlist(struct fleet_io *io, struct fl_command *c)
{
    char why[FL_DETAIL_MAX];
    struct fl_wait *w = &io->st.playlist;
    if (!signed_ok(io, c, io->playlist_version))
        return;
    memset(w, 0, sizeof *w);
    snprintf(w->id, sizeof w->id, "%s", c->id);
    w->cmd = c->cmd;
    w->version = c->version;
    io->st.playlist_body = c->body; /* taken */
    c->body = NULL;
    int bad;
    if (playlist_fetch(io, &bad, why, sizeof why) != 0) {
        answer(io, c->id, c->cmd, bad ? FL_REFUSED : FL_FAILED, why);
        playlist_done(io);
        return;
    }
    answer(io, c->id, c->cmd, FL_ACCEPTED, "downloading");
}

static void out_of_service(struct fleet_io *io, struct fl_command *c)
{
    uint64_t h = host_set_out_of_service(io->h, c->on ? fl_oos_msgids[c->message] : NULL);
    if (!h)
        answer(io, c->id, c->cmd, FL_FAILED, "no journal: out of service cannot be kept");
    op_add(io, OP_OOS, h, c->id, c->on);
}

static void collect_logs(struct fleet_io *io, struct fl_command *c)
{
    char (*lines)[LOG_TAIL_LINE] = malloc((size_t)c->lines * LOG_TAIL_LINE);
    const char **ptr = malloc((size_t)c->lines * sizeof *ptr);
    char why[FL_DETAIL_MAX], topic[sizeof io->t_logs + FL_ID_MAX + 2];
    int n = lines && ptr ? log_tail(lines, c->lines) : 0, masked = 0;
    for (int i = 0; i < n; i++) {
        char line[LOG_TAIL_LINE];
        masked += fl_redact(lines[i], line, sizeof line);
        memcpy(lines[i], line, sizeof line);
        ptr[i] = lines[i];
    }
    char *json = lines && ptr ? fl_logs_json(c->id, ptr, n, masked, clock_system_ms()) : NULL;
    int w = snprintf(topic, sizeof topic, "%s/%s", io->t_logs, c->id);
    if (json && w > 0 && (size_t)w < sizeof topic && mqtt_publish(io->mqtt, topic, json, 0) == 0) {
        snprintf(why, sizeof why, "%d lines, %d things masked", n, masked);
        answer(io, c->id, c->cmd, FL_OK, why);
    } else {
        answer(io, c->id, c->cmd, FL_FAILED, json ? "not published" : "out of memory");
    }
    free(json);
    free(ptr);
    free(lines);
}

static void test_slip(struct fleet_io *io, struct fl_command *c)
{
    struct slip *s = slip_test(host_text(io->h), host_config(io->h), i18n_lang(),
                               clock_wall_s());
    uint64_t h = s ? host_print(io->h, slip_bitmap(s), "test slip") : 0;
    slip_destroy(s);
    if (!h)
        answer(io, c->id, c->cmd, FL_FAILED, "no printer");
    op_add(io, OP_PRINT, h, c->id, 0);
}

static void run(struct fleet_io *io, struct fl_command *c, int64_t now)
{
    log_info(MOD, "command %s: %s", c->id, fl_cmds[c->cmd].name);
    switch ((enum fl_cmd)c->cmd) {
    case FL_RELOAD_CONFIG:
        wait_restart(io, c, now);
        break;
    case FL_CONFIG:
        config(io, c, now);
        break;
    case FL_PRICES:
        prices(io, c);
        break;
    case FL_PLAYLIST:
        playlist(io, c);
        break;
    case FL_OUT_OF_SERVICE:
        out_of_service(io, c);
        break;
    case FL_COLLECT_LOGS:
        collect_logs(io, c);
        break;
    case FL_PRINT_TEST_SLIP:
        test_slip(io, c);
        break;
    case FL_CMD_LAST:
        break;
    }
}

static void command(struct fleet_io *io, const struct mqtt_msg *m, int64_t now)
{
    struct fl_command c;
    char why[FL_DETAIL_MAX];
    int rc = fl_command_parse(m->payload, m->len, &c, why, sizeof why);
    if (rc == 0 && m->retained) { /* it would come again at every connect, for ever */
        rc = -1;
        snprintf(why, sizeof why, "a retained command is not taken: publish commands "
                                  "without the retain flag");
    }
    if (!c.id[0]) {
        log_warn(MOD, "a message on %s (%zu bytes) refused, with no id to ack: %s", m->topic,
                 m->len, why);
        fl_command_free(&c);
        return;
    }
    struct fl_seen_entry *e;
    switch (fl_admit(&io->st.seen, &io->st.restart, &io->st.playlist, c.id, c.cmd)) {
    case FL_ADMIT_REPEAT:
        e = fl_seen_find(&io->st.seen, c.id);
        log_info(MOD, "command %s seen before: %s again", c.id, fl_result_name(e->result));
        publish_ack(io, e);
        break;
    case FL_ADMIT_BUSY:
        snprintf(why, sizeof why, "%s waits already (%s)",
                 c.cmd == FL_PLAYLIST ? "a playlist" : "a restart", c.cmd == FL_PLAYLIST
                                                                   ? io->st.playlist.id
                                                                   : io->st.restart.id);
        answer(io, c.id, c.cmd, FL_REFUSED, why);
        break;
    case FL_ADMIT_RUN:
        if (rc != 0)
            answer(io, c.id, c.cmd, FL_REFUSED, why);
        else
            run(io, &c, now);
        break;
    }
    fl_command_free(&c);
}

/* ---- the host's answers --------------------------------------------------------------------- */

void fl_io_result(struct fleet_io *io, const struct host_result *r, int64_t now)
{
    struct fl_op op;
    char why[FL_DETAIL_MAX];
    if (!op_take(io, r, &op))
        return;
    int ok = r->kind == HR_JOURNAL ? r->err == KERR_OK : r->ok;
    switch (op.kind) {
    case OP_SAVE:
        if (r->handle == io->restart_save)
            saved(io, ok, now);
        else if (!ok)
            log_warn(MOD, "the agent's state could not be saved: %s", kerr_str(r->err));
        break;
    case OP_PRICES:
        if (ok) {
            io->prices_version = op.version;
            host_redraw(io->h);
            snprintf(why, sizeof why, "prices %" PRId64 " shown (a display: what a sale costs "
                                      "is the station system's)", op.version);
        }
        answer(io, op.id, FL_PRICES, ok ? FL_OK : FL_FAILED,
               ok ? why : "the journal cannot keep it");
        break;
    case OP_PLAYLIST:
        if (ok) {
            io->playlist_version = op.version;
            host_redraw(io->h);
            snprintf(why, sizeof why, "playlist %" PRId64 " in force", op.version);
        }
        answer(io, op.id, FL_PLAYLIST, ok ? FL_OK : FL_FAILED,
               ok ? why : "downloaded, but the journal cannot keep it");
        playlist_done(io);
        save(io);
        break;
    case OP_CONFIG_VERSION:
        if (!ok)
            log_warn(MOD, "config_version %" PRId64 " not kept: %s", op.version,
                     kerr_str(r->err));
        break;
    case OP_OOS:
        answer(io, op.id, FL_OUT_OF_SERVICE, ok ? FL_OK : FL_FAILED,
               !ok ? "the journal cannot keep it" : op.version ? "out of service" : "in service");
        break;
    case OP_PRINT:
        if (!r->final) {
            op_add(io, OP_PRINT, r->handle, op.id, 0); /* its final outcome follows */
            break;
        }
        snprintf(why, sizeof why, "not printed: %s", host_printer_problem(io->h)[0]
                                                         ? host_printer_problem(io->h)
                                                         : "the printer did not confirm it");
        answer(io, op.id, FL_PRINT_TEST_SLIP, ok ? FL_OK : FL_FAILED, ok ? "printed" : why);
        break;
    }
}

/* ---- the service ---------------------------------------------------------------------------- */

/* The slot the kiosk runs from: <prefix>/<a|b>/bin/kiosk beside <prefix>/current
 * (docs/updates.md), else "factory" (the packaged tree, or a build). */
static void running_slot(char *out, size_t cap)
{
    char exe[PATH_MAX], up[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    snprintf(out, cap, "factory");
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *bin = strrchr(exe, '/');
    if (!bin)
        return;
    *bin = '\0';                      /* <prefix>/<slot>/bin */
    char *slot = strrchr(exe, '/');
    if (!slot || strcmp(slot + 1, "bin"))
        return;
    *slot = '\0';                     /* <prefix>/<slot> */
    slot = strrchr(exe, '/');
    if (!slot || (strcmp(slot + 1, "a") && strcmp(slot + 1, "b")))
        return;
    struct stat st;
    snprintf(up, sizeof up, "%.*s/current", (int)(slot - exe), exe);
    if (lstat(up, &st) == 0 && S_ISLNK(st.st_mode))
        snprintf(out, cap, "%s", slot + 1);
}

static int topic_part_ok(const char *s)
{
    return json_path_safe(s) && strlen(s) <= 32 && strcmp(s, "all");
}

static void wake(void *user)
{
    host_wake(user);
}

static void read_state(struct fleet_io *io)
{
    char *v = get_setting(io, SETTING);
    if (v && fl_saved_parse(v, &io->st) != 0)
        log_warn(MOD, "the agent's saved state does not read: it starts afresh");
    free(v);
    v = get_setting(io, "config_version");
    io->config_version = v ? strtoll(v, NULL, 10) : 0;
    free(v);
    v = get_setting(io, "prices");
    io->prices_version = fl_setting_version(v);
    free(v);
    v = get_setting(io, "playlist");
    io->playlist_version = fl_setting_version(v);
    free(v);
}

int fl_io_open(struct fleet_io *io, struct host_svc *h, const struct fl_options *opt)
{
    const struct kiosk_config *cfg = host_config(h);
    char err[256], client[80];
    io->h = h;
    io->opt = opt;
    fl_tele_init(&io->tele);
    if (!opt->broker[0])
        return 0; /* no fleet */
    snprintf(io->station, sizeof io->station, "%s", opt->station);
    snprintf(io->terminal, sizeof io->terminal, "%s", cfg->terminal_id);
    if (!topic_part_ok(io->station) || !topic_part_ok(cfg->terminal_id)) {
        log_error(MOD, "the agent is off: [fleet] station '%s' and [kiosk] terminal_id '%s' "
                       "must be 1..32 of A-Z a-z 0-9 _ - (and not 'all')", opt->station,
                  cfg->terminal_id);
        return 0;
    }
    uint8_t pk[SIGN_ED_PK_LEN];
    if (opt->public_key[0] && sign_hex_to_bin(opt->public_key, pk, sizeof pk) != 0)
        log_error(MOD, "[fleet] public_key is not 64 hex characters: signed pushes are refused");
    snprintf(io->version, sizeof io->version, "%s", KIOSK_VERSION);
    running_slot(io->slot, sizeof io->slot);
    char cwd[256] = "";
    if ((opt->ads_dir[0] ? opt->ads_dir[0] : cfg->data_dir[0]) != '/' && !getcwd(cwd, sizeof cwd))
        cwd[0] = '\0'; /* the session wants the folder whole: a relative one from here */
    int w = opt->ads_dir[0]
                ? snprintf(io->ads_dir, sizeof io->ads_dir, "%s%s%s", cwd, cwd[0] ? "/" : "",
                           opt->ads_dir)
                : snprintf(io->ads_dir, sizeof io->ads_dir, "%s%s%s/ads", cwd,
                           cwd[0] ? "/" : "", cfg->data_dir);
    if (w < 0 || (size_t)w >= sizeof io->ads_dir - 24)
        log_error(MOD, "the ads folder's name is too long: playlists will fail");
    char base[96];
    snprintf(base, sizeof base, "kiosk/%s/%s", io->station, io->terminal);
    snprintf(io->t_status, sizeof io->t_status, "%s/status", base);
    snprintf(io->t_telemetry, sizeof io->t_telemetry, "%s/telemetry", base);
    snprintf(io->t_ack, sizeof io->t_ack, "%s/ack", base);
    snprintf(io->t_logs, sizeof io->t_logs, "%s/logs", base);
    snprintf(io->t_cmd[0], sizeof io->t_cmd[0], "%s/cmd", base);
    snprintf(io->t_cmd[1], sizeof io->t_cmd[1], "kiosk/%s/all/cmd", io->station);
    snprintf(io->t_cmd[2], sizeof io->t_cmd[2], "kiosk/all/all/cmd");
    snprintf(client, sizeof client, "kiosk-%s-%s", io->station, io->terminal);
    io->since = clock_system_ms();
    read_state(io);
    char *will = fl_status_json("offline", "lost", NULL, NULL, 0, 0);
    struct mqtt_opts mo = {
        .host = opt->broker, .port = opt->port, .keepalive_s = opt->keepalive_s,
        .client_id = client, .username = opt->username, .password = opt->password,
        .ca_file = opt->tls_ca, .cert_file = opt->tls_cert, .key_file = opt->tls_key,
        .will_topic = io->t_status, .will_payload = will,
        .subs = {io->t_cmd[0], io->t_cmd[1], io->t_cmd[2]},
        .max_payload = FL_MSG_MAX, .queue_max = QUEUE_MAX, .queue_bytes = QUEUE_BYTES,
        .wake = wake, .user = h,
    };
    if (!will)
        snprintf(err, sizeof err, "out of memory");
    io->mqtt = will ? mqtt_start(&mo, err, sizeof err) : NULL;
    free(will);
    if (!io->mqtt) {
        log_error(MOD, "the agent is off: %s", err);
        fl_saved_free(&io->st);
        return 0;
    }
    io->on = 1;
    log_info(MOD, "agent on: %s, config %" PRId64 ", prices %" PRId64 ", playlist %" PRId64
                  ", version %s (%s)", base, io->config_version, io->prices_version,
             io->playlist_version, io->version, io->slot);
    return 0;
}

void fl_io_recover(struct fleet_io *io, int64_t now)
{
    (void)now;
    if (!io->on)
        return;
    if (io->st.restart.stage != FL_STAGE_NONE)
        restart_resolve(io);
    for (int i = 0; i < io->st.seen.n; i++) {
        struct fl_seen_entry *e = &io->st.seen.v[i];
        if (e->result == FL_ACCEPTED &&
            (io->st.playlist.stage == FL_STAGE_NONE || strcmp(e->id, io->st.playlist.id)))
            answer(io, e->id, e->cmd, FL_FAILED,
                   "the kiosk stopped before it was applied: send it again with a new id");
    }
    char why[FL_DETAIL_MAX];
    if (io->st.playlist.stage != FL_STAGE_NONE) {
        log_info(MOD, "playlist %" PRId64 " (%s): its download taken up again",
                 io->st.playlist.version, io->st.playlist.id);
        int bad;
        if (playlist_fetch(io, &bad, why, sizeof why) != 0) {
            answer(io, io->st.playlist.id, FL_PLAYLIST, FL_FAILED, why);
            playlist_done(io);
        }
    }
    save(io);
}

void fl_io_close(struct fleet_io *io)
{
    if (!io->on)
        return;
    fl_download_release(io->dl);
    io->dl = NULL;
    char *bye = fl_status_json("offline", io->restarting ? "restarting" : "stopped", io->version,
                               io->slot, io->since, clock_system_ms());
    mqtt_stop(io->mqtt, io->t_status, bye);
    io->mqtt = NULL;
    free(bye);
    restart_done(io);
    fl_saved_free(&io->st);
    io->on = 0;
}

void fl_io_tick(struct fleet_io *io, int64_t now)
{
    if (!io->on)
        return;
    struct mqtt_msg m;
    int n = 0;
    while (n < TURN_MAX && mqtt_pop(io->mqtt, &m)) {
        command(io, &m, now);
        mqtt_msg_free(&m);
        n++;
    }
    struct mqtt_stats s;
    mqtt_stats(io->mqtt, &s);
    if (s.connected && s.connects != io->connects) {
        io->connects = s.connects;
        connected(io);
    }
    download_check(io);
    restart_check(io, now);
    if (s.connected)
        telemetry_check(io, now);
    io->next_poll = n == TURN_MAX ? now : now + FL_POLL_MS; /* more waiting: the next turn */
}

int64_t fl_io_deadline(const struct fleet_io *io)
{
    return io->on ? io->next_poll : INT64_MAX;
}

int fl_io_idle(const struct fleet_io *io)
{
    for (int i = 0; i < FL_OPS; i++)
        if (io->ops[i].handle)
            return 0;
    return !io->dl;
}
