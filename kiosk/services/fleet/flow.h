/* The fleet agent's decisions (docs/fleet.md), pure: which commands there are and what each
 * needs (a signature, a quiet moment, a restart), what a command id seen before gets, when a
 * waiting command may be applied, and when telemetry goes out (every telemetry_s, and at
 * once, at most every FL_DEBOUNCE_MS, when what it reports changed). No MQTT, no journal,
 * no host: the glue (io.c) asks and does what it is told. */
#ifndef FLEET_FLOW_H
#define FLEET_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "core/health.h"

#define FL_ID_MAX 64          /* a command id: 1..64 of [A-Za-z0-9._:-] */
#define FL_SEEN 64            /* command ids remembered with their outcome */
#define FL_DETAIL_MAX 160     /* an ack's detail */
#define FL_DEBOUNCE_MS 2000   /* telemetry after a change: at most this often */
#define FL_POLL_MS 1000       /* what a change is looked for this often, and a waiting
                               * command's quiet moment */
#define FL_DEVICES_MAX 16     /* device instances reported */
#define FL_OOS_MAX 96         /* an out-of-service message id */

enum fl_cmd {
    FL_RELOAD_CONFIG,  /* start again at a quiet moment (the configuration read again) */
    FL_CONFIG,         /* signed INI laid over the config file, at a quiet moment */
    FL_PRICES,         /* signed prices for the attract screen (a display) */
    FL_PLAYLIST,       /* signed ad playlist: downloaded, checked, switched */
    FL_OUT_OF_SERVICE, /* on / off */
    FL_COLLECT_LOGS,   /* the kiosk's recent log lines, redacted, published */
    FL_PRINT_TEST_SLIP,
    FL_CMD_LAST
};

struct fl_cmd_def {
    const char *name;  /* as on the wire */
    int is_signed;     /* needs an Ed25519 signature of the operator's key */
    int restarts;      /* applied by starting the kiosk again, at a quiet moment */
};
extern const struct fl_cmd_def fl_cmds[FL_CMD_LAST];
/* The command called `name`, or -1. */
int fl_cmd_of(const char *name);

/* An ack's result. */
enum fl_result {
    FL_ACCEPTED, /* taken; its final ack follows */
    FL_OK,       /* done */
    FL_REFUSED,  /* not done: the command was wrong (signature, schema, value, busy) */
    FL_FAILED,   /* not done: the kiosk could not (no printer, a download failed) */
    FL_RESULT_LAST
};
const char *fl_result_name(enum fl_result r);
/* "ok" -> FL_OK, ...; -1 for anything else. */
int fl_result_of(const char *name);

/* ---- command ids seen, with their outcome ---------------------------------------------- */

struct fl_seen_entry {
    char id[FL_ID_MAX + 1];
    int cmd;                   /* enum fl_cmd, or -1 (unknown to this kiosk) */
    enum fl_result result;     /* the last ack said */
    char detail[FL_DETAIL_MAX];
    int sent;                  /* that ack reached the client (0: say it again on connect) */
};

struct fl_seen {
    struct fl_seen_entry v[FL_SEEN];
    int n;                     /* entries in use */
    int next;                  /* where the next new id goes once full (the oldest) */
};

/* 1 when `id` can be a command id. */
int fl_id_ok(const char *id);
/* The entry of `id`, or NULL. */
struct fl_seen_entry *fl_seen_find(struct fl_seen *s, const char *id);
/* Records `id`'s outcome (its entry, or a new one in place of the oldest); sent = 0. */
struct fl_seen_entry *fl_seen_put(struct fl_seen *s, const char *id, int cmd,
                                  enum fl_result r, const char *detail);

/* ---- commands that wait ---------------------------------------------------------------- */

enum fl_stage {
    FL_STAGE_NONE,       /* nothing waits */
    FL_STAGE_QUIET,      /* for a quiet moment */
    FL_STAGE_SAVING,     /* the waiting command is being made durable (journal) */
    FL_STAGE_RESTART,    /* the kiosk starts again now */
    FL_STAGE_DOWNLOAD,   /* a playlist's files are being fetched and checked */
    FL_STAGE_SWITCHING,  /* the new playlist is being made the one in force (journal) */
};

/* A command that waits: one for a restart (config, reload_config), one playlist. */
struct fl_wait {
    enum fl_stage stage;
    char id[FL_ID_MAX + 1];
    int cmd;
    int64_t version;           /* config, playlist */
    char sha256[65];           /* config: of the INI written */
};

/* What a command with `id` of kind `cmd` gets now. */
enum fl_admit {
    FL_ADMIT_RUN,     /* new: check it and apply it */
    FL_ADMIT_REPEAT,  /* seen: ack what its entry says again, apply nothing */
    FL_ADMIT_BUSY,    /* another of its kind waits: refused */
};
enum fl_admit fl_admit(const struct fl_seen *s, const struct fl_wait *restart,
                       const struct fl_wait *playlist, const char *id, int cmd);

/* What the host says of the kiosk now, for a waiting command. */
struct fl_quiet_in {
    int quiet;           /* host_quiet() with quiet_ms */
    int on_frame, busy;  /* host_state() */
    int64_t idle_ms;
};
/* When to look again for the quiet moment a waiting command needs: `now` when it is quiet
 * now (apply), else the next time worth looking (the idle time still missing, or a poll
 * while a customer is in a service). */
int64_t fl_quiet_next(const struct fl_quiet_in *q, int64_t quiet_ms, int64_t now);

/* ---- telemetry -------------------------------------------------------------------------- */

/* What a change of sends telemetry at once (not the counters, nor the uptime). */
struct fl_watch {
    enum health_state health[COMP_LAST];
    enum health_state devices[FL_DEVICES_MAX];
    int ndevices;
    char oos[FL_OOS_MAX];      /* out of service: its message id; "" in service */
    int64_t config_version, prices_version, playlist_version;
};
/* 1 when a and b say the same. */
int fl_watch_same(const struct fl_watch *a, const struct fl_watch *b);

struct fl_tele {
    struct fl_watch sent;      /* what the last telemetry said */
    int64_t sent_at;           /* when it went (kiosk clock); -1 never */
};
void fl_tele_init(struct fl_tele *t);
/* When telemetry goes out next (kiosk clock), what it would say now being `w`: INT64_MIN
 * (at once) the first time, FL_DEBOUNCE_MS after the last one when something changed (at
 * once when that is past), else period_ms after the last one. */
int64_t fl_tele_due(const struct fl_tele *t, const struct fl_watch *w, int64_t period_ms);
/* It went out at `now`, saying `w`. */
void fl_tele_sent(struct fl_tele *t, const struct fl_watch *w, int64_t now);

#endif
