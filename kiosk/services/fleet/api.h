/* The fleet agent's side of the wire (docs/fleet.md): commands read strictly (a command not
 * as written there is refused whole, never guessed at), signed pushes checked, and what the
 * kiosk publishes built: its status, telemetry, acks, collected logs; what it keeps of a
 * push (the "playlist" setting, the slide manifest; a prices push and the "prices" setting
 * are core/prices.h's, the schema the session reads them back with) and of its own state
 * across a restart. Pure: cJSON and core. Fuzzed by tests/fuzz/fuzz_fleet_api.c. */
#ifndef FLEET_API_H
#define FLEET_API_H

#include <stddef.h>
#include <stdint.h>

#include "core/health.h"
#include "core/log.h"
#include "flow.h"

#define FL_MSG_MAX (192 * 1024) /* a command, at most (its body and JSON's escapes) */
#define FL_BODY_MAX (64 * 1024) /* a signed push's body: the host reads pushed config up to
                                 * this */
#define FL_VERSION_MAX INT64_C(9007199254740991) /* 2^53 - 1: exact in JSON's numbers */
#define FL_LOG_LINES_MAX LOG_TAIL_LINES /* collect_logs: lines asked for, at most (all it keeps) */
#define FL_LOG_LINES_DEFAULT 200
#define FL_OOS_MESSAGES 3

/* Out of service's messages (the "message" argument, and the home menu's message id). */
extern const char *const fl_oos_names[FL_OOS_MESSAGES];
extern const char *const fl_oos_msgids[FL_OOS_MESSAGES];

/* A command as read. */
struct fl_command {
    char id[FL_ID_MAX + 1];   /* "" when it had no usable id (then it cannot be acked) */
    char name[32];            /* "cmd" as given (cut), for the ack of one this kiosk lacks */
    int cmd;                  /* enum fl_cmd, or -1 */
    int on;                   /* out_of_service */
    int message;              /* out_of_service: index into fl_oos_msgids */
    int lines;                /* collect_logs */
    int64_t version;          /* signed: 1..FL_VERSION_MAX */
    char to[80];              /* signed: "<station>/<terminal>", "<station>/all", "all/all" */
    char *body;               /* signed: malloc'd, NUL-terminated, at most FL_BODY_MAX */
    char sig[129];            /* signed: 128 hex */
};

/* Reads a command of `len` bytes. 0 when every field is as the command's kind wants (c
 * filled); -1 with why in `why` otherwise (c->id set when it had a usable one, so that the
 * refusal can be acked). Free with fl_command_free() either way. */
int fl_command_parse(const char *text, size_t len, struct fl_command *c, char *why,
                     size_t cap);
void fl_command_free(struct fl_command *c);

/* The bytes a signed command's signature covers (malloc'd, *len without the NUL; NULL on no
 * memory):  "fleet/" CMD "\n" VERSION "\n" TO "\n" BODY  (VERSION in decimal). The kind and
 * the audience are signed with the body, so a signature of prices is no signature of a
 * config, and one for a station is none for another. */
char *fl_signed_bytes(const char *cmd, int64_t version, const char *to, const char *body,
                      size_t *len);
/* Checks a signed command (parsed): addressed to this kiosk (station, terminal), signed
 * with pk_hex, newer than `in_force`. 0, or -1 with why. */
int fl_signed_check(const struct fl_command *c, const char *pk_hex, const char *station,
                    const char *terminal, int64_t in_force, char *why, size_t cap);

/* A pushed configuration may not name `public_key` (an operator's key is not replaced over
 * the air by a push it signs itself) nor `remote_config` (the file that holds the push
 * cannot move itself), in any section, in any case: the key it names, or NULL. */
const char *fl_config_forbidden(const char *ini);

/* ---- the ad playlist ------------------------------------------------------------------ */

#define FL_SLIDES_MAX 8
#define FL_ASSET_MAX (INT64_C(8) << 20) /* an image, at most */
#define FL_SLIDE_TEXT 240               /* what the slide manifest keeps of a text */
#define FL_SECONDS_MIN 3                /* a slide's time on screen, as the session takes it */
#define FL_SECONDS_MAX 60

struct fl_slide {
    char id[17];              /* [A-Za-z0-9_-], unique, not 16 digits: its file is <id>.png */
    char url[512];            /* http:// or https:// */
    char sha256[65];          /* 64 lowercase hex */
    int64_t size;             /* 1..FL_ASSET_MAX bytes */
    int seconds;              /* FL_SECONDS_MIN..FL_SECONDS_MAX */
    char bg[8];               /* #RRGGBB */
    char title[2][FL_SLIDE_TEXT];    /* [0] zh_CN, [1] en_US; "" when not given */
    char subtitle[2][FL_SLIDE_TEXT];
};
struct fl_playlist {
    int64_t version;
    int n;
    struct fl_slide v[FL_SLIDES_MAX];
};
/* The body of a playlist push: {"slides":[...]} with 1..8 slides. 0, or -1 with why. */
int fl_playlist_parse(const char *body, int64_t version, struct fl_playlist *p, char *why,
                      size_t cap);
/* The slide manifest for the playlist's folder, as the session's slides.h reads it (images
 * <id>.png beside it; each slide's id, sha256 and seconds for its proof of play): malloc'd,
 * NULL on no memory. */
char *fl_playlist_manifest(const struct fl_playlist *p);
/* The "playlist" setting: {"version":N,"dir":"<dir>"} (malloc'd). */
char *fl_playlist_setting(int64_t version, const char *dir);

/* The "version" of a setting ("prices", "playlist"), or 0 (none, or it does not read). */
int64_t fl_setting_version(const char *json);

/* ---- what the kiosk publishes --------------------------------------------------------- */

/* status: {"state":"online"|"offline","reason":...,"version","slot","since","ts"}; reason
 * NULL for online, and version and slot left out when NULL (the will). */
char *fl_status_json(const char *state, const char *reason, const char *version,
                     const char *slot, int64_t since, int64_t ts);

struct fl_device {
    char name[48];            /* "printer.receipt" */
    enum health_state health;
    char why[64];
};

struct fl_telemetry {
    int64_t ts;                       /* unix ms */
    const char *name;                 /* [kiosk] station_name */
    const char *version, *slot;
    int64_t uptime_s;
    int on_frame, busy, backend_up;
    int64_t idle_s;
    const char *out_of_service;       /* its message id, or NULL */
    enum health_state health[COMP_LAST];
    struct fl_device devices[FL_DEVICES_MAX];
    int ndevices;
    long sessions, scans, prints, print_failures, call_failures;
    int64_t sales, sales_fen, refunds, refunds_fen; /* the business day: since the last
                                                     * day close */
    int outbox_pending;
    int64_t disk_free_mb;             /* of the data folder; -1 unknown */
    int64_t config_version, prices_version, playlist_version;
    unsigned long dropped;            /* commands dropped by the client (too big, queue) */
};
char *fl_telemetry_json(const struct fl_telemetry *t);

/* ack: {"id","cmd","result","detail","ts"}. */
char *fl_ack_json(const char *id, const char *cmd, enum fl_result r, const char *detail,
                  int64_t ts);
/* logs/<id>: {"id","ts","lines":[...],"redacted":N}: lines redacted already. */
char *fl_logs_json(const char *id, const char *const *lines, int n, int redacted, int64_t ts);

/* ---- the agent's own state across a restart (the "fleet" setting) ---------------------- */

/* The ids seen and their outcomes, the command waiting for its restart (stage SAVING or
 * RESTART: it is being applied) and a playlist being downloaded (with its body, to be
 * taken up again). */
struct fl_saved {
    struct fl_seen seen;
    struct fl_wait restart;
    struct fl_wait playlist;
    char *playlist_body;      /* malloc'd, or NULL */
};
char *fl_saved_json(const struct fl_saved *s);
/* Reads it back into s (zeroed first). 0, or -1 when it does not read (s then holds
 * nothing: the agent starts afresh). Free with fl_saved_free(). */
int fl_saved_parse(const char *text, struct fl_saved *s);
void fl_saved_free(struct fl_saved *s);

#endif
