/* Services, and what they see of the host.
 *
 * A service is one thing the kiosk offers a customer, an attendant or the operations team
 * (pay for fuel, e-invoices, the fuel card, depot pickup, attendant mode, the fleet agent),
 * in its own folder under kiosk/services/ and registered by one line in
 * kiosk/services/registry.c. The host runs the kiosk (the loop, input, the screen, the
 * links to the backend, the journal, the printer and the card reader) and names no
 * service: it loops over the registry and calls these hooks. Every hook runs on the UI
 * thread and none blocks.
 *
 * A service keeps its state in `priv` (priv_size bytes, zeroed, owned by the host) and its
 * configuration in a block of config_size bytes filled from its options table. It reaches
 * the world only through the host_* functions below; their answers come back to `result`
 * with the handle they were asked with, never to anyone else.
 *
 * One service is the frame (`frame` set): the session every customer goes through (attract,
 * home, the inactivity prompt). It decides which service is the customer's and builds the
 * screen, asking the host to draw that service's part (host_build_active) and what other
 * services lay over its own screens (host_build_overlays). */
#ifndef HOST_SERVICE_H
#define HOST_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "core/config.h"
#include "core/health.h"
#include "journal/journal.h"
#include "journal/worker.h"
#include "printer/bitmap.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "ui/ui.h"
#include "ui/view.h"

struct host_svc; /* a service's handle on the host */
struct id_read;     /* idcard/idcard.h */
struct face_params; /* devices/hub.h */
struct face_report; /* devices/hub.h */

/* ---- the descriptor ------------------------------------------------------------------- */

/* Where a kiosk stands ([kiosk] site): a tile is on the home menu only of the sites it
 * names. */
#define SITE_FORECOURT 0x1u /* a filling station's forecourt */
#define SITE_DEPOT 0x2u     /* an oil depot's gate */

/* A tile on the home menu: what a customer chooses. `key` names its widget (home.<key>)
 * and its on/off switch ([services] <key>); `requires` holds NEEDS() bits of the
 * components it cannot work without; `sites` the SITE_* bits of the kiosks that offer it.
 * A tile with a `door` is not on the home menu: the frame opens it on its gesture of that
 * name (TILE_DOOR_HOLD), or another service hands over to it (a staff card); it stays
 * available while the kiosk is out of service. */
struct service_tile {
    const char *key, *title, *blurb, *icon; /* title, blurb: message ids; icon under assets/ */
    unsigned requires;
    unsigned sites;
    const char *door;
};

/* The station name on the home menu held for 3 s: attendant mode's way in. */
#define TILE_DOOR_HOLD "hold"

/* What the host says back (struct host_result's kind). */
enum host_result_kind {
    HR_CALL,    /* a backend call ended: call */
    HR_JOURNAL, /* a journal write ran: err, value */
    HR_PRINT,   /* a print job's outcome: final (0: not confirmed yet, a final one follows), ok */
    HR_PRINTER, /* a printer check's answer: ok = it can print a receipt now */
    HR_CARD,    /* a card APDU's answer: ok 1 with data/len (the whole response APDU, data
                 * then SW1 SW2; len may be under 2 when the card went away mid-command),
                 * ok 0: no card, or it was gone */
    HR_IDCARD,  /* an ID card was read: ok 1 with idcard, or ok 0 (a card is on the reader
                 * but could not be read: lifted mid-read, garbage on the wire) */
    HR_FACE,    /* the face step judged a frame: face */
};

struct host_result {
    enum host_result_kind kind;
    uint64_t handle;                    /* what the ask returned */
    const struct backend_result *call;  /* HR_CALL; borrowed for the hook's duration */
    enum kerr err;                      /* HR_JOURNAL */
    int64_t value;                      /* HR_JOURNAL: what the write returned (an id) */
    int final, ok;                      /* HR_PRINT, HR_PRINTER; ok also HR_CARD */
    const uint8_t *data;                /* HR_CARD; borrowed for the hook's duration */
    size_t len;
    const struct id_read *idcard;       /* HR_IDCARD; borrowed, and wiped after the hook */
    const struct face_report *face;     /* HR_FACE; borrowed */
};

/* The frame's own hooks (the session). */
struct frame_hooks {
    /* The service the customer is in (its index in the registry), or -1 on the frame's own
     * screens (attract, home). */
    int (*active)(const void *priv);
    /* The customer's service has ended (it called host_done): back to the home menu. */
    void (*service_done)(void *priv, int64_t now);
    /* The customer's service handed them to the service of tile `tile` (host_hand_over):
     * that one is the customer's now, in the same session. */
    void (*switch_to)(void *priv, int tile, int64_t now);
    /* A code from a scanner (ok 0: it held what no code can contain). 1 if the frame dealt
     * with it (it is on its own screens, or asking "need more time?"); 0 when the
     * customer's service takes it. */
    int (*scan)(void *priv, const char *code, int ok, int64_t now);
    /* Something happened that keeps the customer's session alive: a touch, a key, a scan,
     * a card put on the reader or taken off, money in flight. */
    void (*touch)(void *priv, int64_t now);
    /* A card was put on the reader (present 1) or taken off (0). 1 if the frame dealt with
     * it (it is on its own screens: a card put on starts the service that starts with one,
     * host_card_start()); 0 when the customer's service takes it. May be NULL: the
     * customer's service takes every card event, and on the frame's screens nothing
     * happens. */
    int (*card)(void *priv, int present, int64_t now);
};

struct service_def {
    const char *name;                   /* "checkout": logs */
    const struct service_tile *tiles;   /* ended by a tile with key NULL; or NULL */
    const struct frame_hooks *frame;    /* only the session has them */
    size_t priv_size;
    const struct cfg_option *options;   /* its config keys (offsets into its config block),
                                         * ended by one with name NULL; or NULL */
    size_t config_size;

    /* Sets up priv with its config (borrowed for the service's life). 0, or -1 with the
     * reason in err: the kiosk does not start. */
    int (*open)(void *priv, struct host_svc *h, const void *cfg, char *err, size_t errcap);
    void (*close)(void *priv);          /* releases what open took (not priv); may be NULL */
    /* At start, before the loop: what a crash left unfinished is taken up. May be NULL. */
    void (*recover)(void *priv, int64_t now);

    /* The customer chose tile `tile` (one of its own, available): its screens begin. */
    void (*enter)(void *priv, int tile, int64_t now);
    /* What it takes over from other services (host_hand_over): a name such as
     * "invoice.sale", or NULL. Such a service has at least one tile (the first one is the
     * customer's from then on). */
    const char *takes;
    /* Another service handed the customer over with `arg` (borrowed for the call): its
     * screens begin, as enter's would, with what the customer already did. */
    void (*take)(void *priv, const char *arg, int64_t now);
    /* The customer's session ended (finished, timed out, the kiosk stops): what the customer
     * brought is wiped; what still matters (money in flight) goes on in the background.
     * Called for every service. May be NULL. */
    void (*leave)(void *priv, int64_t now);

    /* A widget was tapped: 1 if the id was its own. May be NULL. */
    int (*tap)(void *priv, const char *id, int64_t now);
    /* A code from a scanner while it is the customer's service. `ok` 0: the scan held what
     * no code can contain (refused whole; code is ""). */
    void (*scan)(void *priv, const char *code, int ok, int64_t now);
    /* A code scanned on the home menu: the tile of its own (an index into `tiles`) that
     * starts with it (a product barcode starts the shop), or -1. May be NULL. */
    int (*start_with)(const void *priv, const char *code);
    /* What to tell someone who scans `code` where nothing takes it, if this service is
     * where such codes go ("choose pay for fuel first"): a message id, or NULL. May be
     * NULL. */
    const char *(*scan_hint)(const void *priv, const char *code);
    /* A card was put on the reader, on the frame's own screens (attract, home): the tile of
     * its own (an index into `tiles`) that starts with a card, or -1. May be NULL. The host
     * enters that tile, then calls `card`. */
    int (*card_start)(const void *priv);
    /* A card was put on the reader (present 1) or taken off (0) while it is the customer's
     * service (or just entered by card_start). May be NULL. */
    void (*card)(void *priv, int present, int64_t now);

    /* An answer to something it asked (host_call, host_journal, host_print, ...). */
    void (*result)(void *priv, const struct host_result *r, int64_t now);
    /* Time passed; when it next needs that, or INT64_MAX. May be NULL. */
    void (*tick)(void *priv, int64_t now);
    int64_t (*deadline)(const void *priv);

    /* Its screen (while it is the customer's, or for the frame: always). It names the
     * screen (t->screen); the tree is begun at the window's size. */
    void (*build)(const void *priv, struct ui_tree *t, const struct theme *th,
                  const struct view *v);
    /* What it lays over the frame's own screens (the restart notice), or nothing. */
    void (*overlay)(const void *priv, struct ui_tree *t, const struct theme *th,
                    const struct view *v);
    /* Money in flight: the customer's session must not time out under it. */
    int (*busy)(const void *priv);
    /* A reason of its own why its tiles cannot be offered now, or REASON_NONE. */
    enum svc_reason (*unavailable)(const void *priv);
    /* Nothing of it still going on in the background (the scripts' `settled`). */
    int (*idle)(const void *priv);
    /* A copy of the slip of one of its own transactions (journal kind `kind`, its journaled
     * `payload`), marked as a copy (a depot ticket: 补打, the same ticket number), in `lang`:
     * an attendant's reprint. NULL when the kind is not its own. May be NULL. */
    struct slip *(*reprint)(void *priv, const char *kind, const char *payload,
                            const char *lang);
};

/* ---- what a service may ask of the host ----------------------------------------------- */

/* The kiosk's configuration (read only) and the text engine (for drawing slips; it may be
 * replaced when the window changes: ask each time). */
const struct kiosk_config *host_config(struct host_svc *h);
struct text_engine *host_text(struct host_svc *h);

/* Sends a backend call (the request is copied). Returns its handle (> 0), or 0 when it
 * cannot be sent (no backend configured, no memory): then nothing comes back. */
uint64_t host_call(struct host_svc *h, const struct backend_request *rq);
/* Withdraws a call: it is not retried, and its answer (BE_CANCELLED) is not delivered. */
void host_cancel(struct host_svc *h, uint64_t handle);

/* Queues a journal write (kiosk/journal/worker.h; `arg` belongs to the journal from here).
 * Returns its handle, or 0 without a journal (arg freed). */
uint64_t host_journal(struct host_svc *h, journal_job_fn fn, void *arg,
                      void (*free_arg)(void *arg));
/* Queues the write of a pending intent of `kind` for this service (its name is the intent's
 * flow) with its idempotency key and payload (both copied): durable before its effect. Its
 * result's value is the intent's id. Returns the handle, or 0 (no journal, no memory). */
uint64_t host_intent_begin(struct host_svc *h, const char *kind, const char *key,
                           const char *payload);
/* Queues the write that settles intent `id` as `state` with `result` (cut to 39 bytes, no
 * detail): the outcome every flow writes after its effect. An intent settled already is
 * left as it is (KERR_OK). Returns the handle, or 0 (no journal, id 0, no memory). */
uint64_t host_intent_finish(struct host_svc *h, int64_t id, enum intent_state state,
                            const char *result);
/* The same, run before returning (start-up and recovery only). KERR_IO without a journal. */
enum kerr host_journal_now(struct host_svc *h, journal_job_fn fn, void *arg, int64_t *value);
/* The journal for reads (its own connection), or NULL when the kiosk has none. */
struct journal *host_journal_reader(struct host_svc *h);
/* A transaction was recorded: the outbox uploads it now. */
void host_outbox_poke(struct host_svc *h);
/* Records waiting for the outbox. */
int host_outbox_pending(struct host_svc *h);

/* Prints a slip (copied). Returns the job's handle, or 0 without a printer. */
uint64_t host_print(struct host_svc *h, const struct bitmap *b, const char *title);
/* Prints a copy of a recorded transaction's slip: the service whose `reprint` hook draws
 * that kind draws it (the asker names no service). Its outcome comes back as HR_PRINT with
 * the handle returned; 0 when no service prints that kind, or there is no printer. */
uint64_t host_reprint(struct host_svc *h, const char *kind, const char *payload);
/* Asks the printer whether it can print a receipt now. Returns the handle, or 0 without a
 * printer. */
uint64_t host_printer_check(struct host_svc *h);
/* Why the printer cannot print (a message id; "" when it can). */
const char *host_printer_problem(struct host_svc *h);
/* Why no scanner can read a code now (a message id; "" when one can). */
const char *host_scanner_problem(struct host_svc *h);
/* 1 when a camera can show what it sees: a screen that asks for a code may lay a UI_LIVE
 * widget ("hold the code here"). */
int host_scanner_preview(struct host_svc *h);
/* Sends one command APDU (copied; 4..261 bytes) to the card on the reader. Its answer comes
 * to `result` as HR_CARD with the handle returned here (> 0), or 0 without a card reader
 * (nothing comes back). A command the card cannot get (no card, a bad length) is answered
 * at once with ok 0. The host applies no timeout: the service keeps its own deadline and
 * ignores a late answer. Neither the command nor the answer is logged (a VERIFY carries
 * the PIN), only their lengths and status words. */
uint64_t host_card_send(struct host_svc *h, const uint8_t *apdu, size_t n);
/* 1 when a card is on the reader now. */
int host_card_present(struct host_svc *h);
/* Why the card reader cannot be used now (a message id; "" when it can). */
const char *host_card_problem(struct host_svc *h);
/* ID card readings for this service: each card put on the reader is read once and comes to
 * `result` as HR_IDCARD with the handle returned here, until host_idcard_stop() or another
 * service asks. The reading is wiped after the hook: a service keeps only what it needs, and
 * wipes that too. Returns the handle (> 0), or 0 without an ID card reader. */
uint64_t host_idcard_read(struct host_svc *h);
/* No more readings for this service (harmless when it asked for none). */
void host_idcard_stop(struct host_svc *h);
/* Why the ID card reader cannot be used now (a message id; "" when it can). */
const char *host_idcard_problem(struct host_svc *h);
/* Starts the face step on the camera (devices/hub.h hub_face_start()): its reports come to
 * `result` as HR_FACE with the handle returned here, until host_face_stop(). Returns the
 * handle (> 0), or 0 when there is no camera or the step cannot start (logged). */
uint64_t host_face_start(struct host_svc *h, const struct face_params *p);
/* Stops it; keep = 1 keeps the best frame for host_face_jpeg(), 0 wipes every frame. */
void host_face_stop(struct host_svc *h, int keep);
/* The best frame of the face step as a JPEG (malloc'd; the caller wipes and frees it). 0, or
 * -1 when none is held. */
int host_face_jpeg(struct host_svc *h, uint8_t **jpeg, size_t *len);
/* Why the face step cannot run now (a message id; "" when it can). */
const char *host_face_problem(struct host_svc *h);
/* The health of every component. */
void host_health(struct host_svc *h, struct health *out);
/* The station system refused the kiosk itself (HTTP 401): its health says so until a
 * heartbeat is accepted again. */
void host_backend_refused(struct host_svc *h, const char *code);

/* Hands the customer to the service that takes `what` (service_def.takes), with `arg`
 * (copied by that service): the asker's part of the session is over, the session goes on
 * there. The asker names no service, only what it hands over. 0, or -1 when no service
 * takes it or its tile cannot be chosen now (then nothing changed). */
int host_hand_over(struct host_svc *h, const char *what, const char *arg, int64_t now);
/* 1 when host_hand_over(what) would succeed now: a screen offers the way only then. */
int host_can_hand_over(struct host_svc *h, const char *what);

/* The kiosk out of service (a message id the home menu shows), or NULL: in service. It
 * survives a restart (the journal's settings). */
const char *host_out_of_service(struct host_svc *h);
/* Takes the kiosk out of service with `msgid` (static), or back in service (NULL): durable
 * when its HR_JOURNAL result comes back with the handle returned (0: no journal, nothing
 * changed). The home menu offers no customer tile meanwhile. */
uint64_t host_set_out_of_service(struct host_svc *h, const char *msgid);

/* The device instances, for the attendant's health page: instance i (0 <= i <
 * host_device_count) as "class.name", its health and its last error ("" when none). */
int host_device_count(struct host_svc *h);
void host_device_at(struct host_svc *h, int i, char *name, size_t ncap,
                    enum health_state *state, char *why, size_t wcap);

/* What the host sees of the kiosk now: the fleet agent's telemetry, the updater's quiet
 * moment and health check. */
struct host_state {
    int on_frame;            /* the frame's own screens (attract, home): no customer's service */
    int64_t idle_ms;         /* since the last touch, key, scan or card */
    int intents_open;        /* intents not settled in the journal (0 without a journal) */
    int prints_pending;      /* print jobs not finished */
    int busy;                /* a service has money in flight or background work */
    int home_shown;          /* the frame's screen has been presented since start */
    int backend_up;          /* the station system answered the last heartbeat */
    int64_t uptime_ms;
    long scans, prints, print_failures, call_failures, sessions; /* since start */
};
void host_state(struct host_svc *h, int64_t now, struct host_state *out);
/* 1 at a quiet moment: on the frame's screens, idle for idle_ms, no intent open, no print
 * pending, nothing busy. */
int host_quiet(struct host_svc *h, int64_t now, int64_t idle_ms);

/* The kiosk ends after this turn (as at SIGTERM: the work in hand drains), then
 * HOST_RESTART_EXEC runs the same command again in this process (pushed configuration is
 * read), HOST_RESTART_EXIT exits with HOST_EXIT_RESTART so that the supervisor starts it
 * again through the updater's boot check (a new slot). */
enum host_restart { HOST_RESTART_EXEC, HOST_RESTART_EXIT };
#define HOST_EXIT_RESTART 75 /* EX_TEMPFAIL: start me again */
#define HOST_RUN_EXEC 76     /* host_run's answer to main: exec yourself */
void host_restart(struct host_svc *h, enum host_restart how, const char *why);
/* Thread-safe: the service's tick runs on the next turn (a thread of its own has news). */
void host_wake(struct host_svc *h);
/* Checks configuration text as it would be laid over the config file at the next start
 * (every key known, every value in range). 0, or -1 with "pushed:line: key: why" in err. */
int host_config_check(struct host_svc *h, const char *text, char *err, size_t errcap);

/* The screen changed: draw again. */
void host_redraw(struct host_svc *h);
/* Its part of the customer's session is over: back to the home menu. */
void host_done(struct host_svc *h);

/* ---- the frame's part ----------------------------------------------------------------- */

/* The home menu's tiles, across services, in registry order. */
struct host_tile {
    const struct service_tile *tile;
    int service;                        /* its index in the registry */
    enum svc_reason reason;             /* why it cannot be chosen now, or REASON_NONE */
};
int host_tile_count(struct host_svc *h);
void host_tile_at(struct host_svc *h, int i, struct host_tile *out);
/* Starts the service of tile `i` for the customer. */
void host_enter(struct host_svc *h, int tile, int64_t now);
/* The customer's session ended: every service lets go of it, and the next customer starts
 * in the default language. */
void host_discard(struct host_svc *h, int64_t now);
/* A service is busy with money in flight. */
int host_busy(struct host_svc *h);
/* The tile (across services) that starts with `code` and can be chosen now, or -1. */
int host_start_with(struct host_svc *h, const char *code);
/* What a service says to someone who scans `code` where nothing takes it, or NULL. */
const char *host_scan_hint(struct host_svc *h, const char *code);
/* Gives a scan to the service entered last (after host_enter()). */
void host_scan(struct host_svc *h, const char *code, int ok, int64_t now);
/* The tile (across services, in registry order) that starts with a card put on the reader
 * (service_def.card_start): the first that can be chosen now, *why = REASON_NONE; else the
 * first that cannot, with *why saying why (the frame explains, as for a tap); -1 when no
 * service starts with a card. */
int host_card_start(struct host_svc *h, enum svc_reason *why);
/* Gives a card put on the reader (present 1) or taken off to the service entered last
 * (after host_enter()). */
void host_card(struct host_svc *h, int present, int64_t now);
/* A short word at the top of the screen for a few seconds (a message id). */
void host_toast(struct host_svc *h, const char *msgid);
/* Draws the customer's service, and what services lay over the frame's screens. */
void host_build_active(struct host_svc *h, struct ui_tree *t, const struct theme *th,
                       const struct view *v);
void host_build_overlays(struct host_svc *h, struct ui_tree *t, const struct theme *th,
                         const struct view *v);

#endif
