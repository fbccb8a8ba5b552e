#include "link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "backend/backend.h"
#include "core/backoff.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/sign.h"
#include "journal/journal.h"
#include "journal/worker.h"

#define HEARTBEAT_MS 30000
#define OUTBOX_IDLE_MS 10000
#define OUTBOX_BATCH 50                 /* records in one upload (the API takes 500) ... */
#define OUTBOX_BATCH_BYTES (256 * 1024) /* ... and their bodies, about (the API takes 1 MiB) */
#define PRUNE_MS (10 * 60 * 1000)       /* sent records past keep_sent_days go this often ... */
#define PRUNE_ROWS 2000                 /* ... this many at a time (a short write) */

/* The link's own tags (the owner byte of a backend call's or a journal write's tag). */
enum {
    TAG_HEARTBEAT = LINK_OWNER_HEARTBEAT,
    TAG_OUTBOX = LINK_OWNER_OUTBOX,
    TAG_PRUNE = LINK_OWNER_PRUNE
};
struct link {
    struct hub *hub;
    const struct kiosk_config *cfg;
    struct evq *q;
    struct health health;
    struct backend *be;
    int64_t next_heartbeat_ms;
    int heartbeat_inflight;
    struct journal_worker *jw; /* writes on its thread; `journal` reads on ours */
    struct journal *journal;
    int64_t next_outbox_ms;
    int64_t outbox_seq;     /* first record being uploaded (or its outcome written), 0 = none */
    int64_t batch[OUTBOX_BATCH]; /* the records of that upload */
    int nbatch;
    int batch_attempts;     /* the first one's failed uploads so far */
    int single;             /* records still to send one at a time (a batch was refused:
                             * the one refused is found and parked alone) */
    int64_t next_prune_ms;
    uint32_t seed;
};

static int make_dir(const char *p)
{
    return mkdir(p, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static enum kerr wake_outbox(struct journal *j, void *arg, int64_t *value)
{
    (void)arg, (void)value;
    return journal_outbox_wake(j);
}

/* What became of an upload, to be written on the journal's thread. */
struct outbox_write {
    enum { OUTBOX_DONE, OUTBOX_PARK, OUTBOX_RETRY, OUTBOX_NOTHING } what;
    int64_t seq[OUTBOX_BATCH];
    int n;
    int64_t at;  /* DONE: when (system clock); RETRY: not before (monotonic) */
    char reason[48];
};

static enum kerr write_outbox(struct journal *j, void *arg, int64_t *value)
{
    struct outbox_write *w = arg;
    (void)value;
    switch (w->what) {
    case OUTBOX_DONE: return journal_outbox_done(j, w->seq, w->n, w->at);
    case OUTBOX_PARK: return journal_outbox_park(j, w->seq[0], w->reason);
    case OUTBOX_RETRY: return journal_outbox_retry(j, w->seq[0], w->at);
    case OUTBOX_NOTHING: return KERR_OK;
    }
    return KERR_INVALID;
}

/* Records the station system took more than keep_sent_days ago are forgotten. */
static enum kerr prune_outbox(struct journal *j, void *arg, int64_t *value)
{
    const int *days = arg;
    int n = journal_outbox_prune(j, clock_system_ms() - (int64_t)*days * 86400000, PRUNE_ROWS);
    *value = n;
    if (n > 0)
        log_info("link", "outbox: %d records sent more than %d days ago forgotten", n, *days);
    return n < 0 ? KERR_IO : KERR_OK;
}

static void recovery_count(const struct intent *it, void *user)
{
    int *n = user;
    (*n)++;
    log_warn("link", "unfinished %s intent %lld (%s) waits for the %s flow", it->kind,
             (long long)it->id, it->idem_key, it->flow);
}

struct link *link_open(const struct kiosk_config *cfg, const struct hub_config *devices,
                       struct evq *q, char *err, size_t errcap)
{
    struct link *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    s->cfg = cfg;
    s->q = q;
    s->seed = (uint32_t)clock_real_ms() | 1u;
    s->hub = hub_open(devices, q, err, errcap);
    if (!s->hub) {
        link_close(s);
        return NULL;
    }
    hub_health(s->hub, &s->health);

    if (cfg->backend_url[0]) {
        struct backend_options o = {cfg->backend_url, cfg->terminal_id, cfg->backend_key,
                                    cfg->backend_ca, cfg->backend_timeout_ms, 0, 3, 500,
                                    10000, 0};
        char why[200];
        s->be = backend_create(&o, q, why, sizeof why);
        if (!s->be) {
            snprintf(err, errcap, "backend: %s", why);
            link_close(s);
            return NULL;
        }
        s->health.c[COMP_BACKEND] = HEALTH_UNKNOWN;
    }

    char path[1100];
    if (cfg->journal_path[0])
        snprintf(path, sizeof path, "%s", cfg->journal_path);
    else
        snprintf(path, sizeof path, "%s/journal.db", cfg->data_dir);
    if (!cfg->journal_path[0] && make_dir(cfg->data_dir) != 0) {
        log_error("link", "%s: cannot create data folder: %s", cfg->data_dir, strerror(errno));
    } else {
        char why[300] = "";
        s->jw = journal_worker_open(path, q, why, sizeof why);
        if (!s->jw) {
            /* no record of money, no sales: the tiles say so */
            log_error("link", "journal: %s", why);
        } else {
            int n = 0;
            s->journal = journal_worker_reader(s->jw);
            journal_intents_unfinished(s->journal, recovery_count, &n);
            journal_worker_now(s->jw, wake_outbox, NULL, NULL);
            log_info("link", "journal %s: %d unfinished intent(s), %d record(s) to upload",
                     path, n, journal_outbox_pending(s->journal));
        }
    }

    s->health.c[COMP_JOURNAL] = s->journal ? HEALTH_OK : HEALTH_DOWN;

    return s;
}

void link_close(struct link *s)
{
    if (!s)
        return;
    hub_close(s->hub);
    backend_destroy(s->be);
    journal_worker_close(s->jw); /* what is queued is written first */
    free(s);
}

static void send_heartbeat(struct link *s)
{
    char body[240], key[40];
    snprintf(body, sizeof body,
             "{\"state\":\"ok\",\"printer\":\"%s\",\"scanners\":\"%s\",\"outbox_pending\":%d}",
             printer_state_name(hub_printer_state(s->hub)),
             health_state_name(s->health.c[COMP_SCANNER]),
             s->journal ? journal_outbox_pending(s->journal) : 0);
    memcpy(key, "hb-", 3);
    sign_random_hex(key + 3, 16);
    struct backend_request rq = {.method = "POST", .path = "/v1/terminals/heartbeat",
                                 .body = body, .idem_key = key, .timeout_ms = 5000,
                                 .tag = TAG_HEARTBEAT};
    if (backend_call(s->be, &rq, NULL) == 0)
        s->heartbeat_inflight = 1;
}

/* Sends the oldest pending outbox records, in order, up to OUTBOX_BATCH in one request (one
 * at a time while `single` says so). The key is derived from the record ids, so a re-send of
 * the same records after a lost answer is recognised by the backend; it keeps each record
 * once by its id anyway. */
static void upload_next(struct link *s, int64_t now)
{
    struct outbox_rec rec[OUTBOX_BATCH];
    int n = journal_outbox_next(s->journal, now, rec, s->single ? 1 : OUTBOX_BATCH,
                                OUTBOX_BATCH_BYTES);
    if (n <= 0)
        return;
    size_t cap = 32;
    for (int i = 0; i < n; i++)
        cap += strlen(rec[i].body) + strlen(rec[i].record_id) + strlen(rec[i].kind) + 48;
    char *body = malloc(cap), key[48], hex[SIGN_HEX_LEN];
    struct sign_sha256 h;
    if (body) {
        size_t len = (size_t)snprintf(body, cap, "{\"records\":[");
        sign_sha256_init(&h);
        for (int i = 0; i < n; i++) {
            len += (size_t)snprintf(body + len, cap - len,
                                    "%s{\"record_id\":\"%s\",\"kind\":\"%s\",\"body\":%s}",
                                    i ? "," : "", rec[i].record_id, rec[i].kind, rec[i].body);
            sign_sha256_update(&h, rec[i].record_id, strlen(rec[i].record_id) + 1);
        }
        snprintf(body + len, cap - len, "]}");
        sign_sha256_final_hex(&h, hex);
        snprintf(key, sizeof key, "journal-%.32s", hex);
        struct backend_request rq = {.method = "POST", .path = "/v1/journal/records",
                                     .body = body, .idem_key = key,
                                     .tag = (rec[0].seq << 8) | TAG_OUTBOX};
        if (backend_call(s->be, &rq, NULL) == 0) {
            s->outbox_seq = rec[0].seq;
            s->nbatch = n;
            s->batch_attempts = rec[0].attempts;
            for (int i = 0; i < n; i++)
                s->batch[i] = rec[i].seq;
        }
        free(body);
    }
    for (int i = 0; i < n; i++)
        journal_outbox_rec_free(&rec[i]);
}

int64_t link_tick(struct link *s, int64_t now)
{
    int64_t next = INT64_MAX;
    if (s->jw) {
        if (now >= s->next_prune_ms) {
            int *days = malloc(sizeof *days);
            if (days) {
                *days = s->cfg->keep_sent_days;
                journal_worker_submit(s->jw, prune_outbox, days, free, TAG_PRUNE);
            }
            s->next_prune_ms = now + PRUNE_MS;
        }
        next = s->next_prune_ms;
    }
    if (s->be) {
        if (!s->heartbeat_inflight && now >= s->next_heartbeat_ms) {
            send_heartbeat(s);
            s->next_heartbeat_ms = now + HEARTBEAT_MS;
        }
        if (s->next_heartbeat_ms < next)
            next = s->next_heartbeat_ms;
        if (s->journal && !s->outbox_seq && now >= s->next_outbox_ms) {
            upload_next(s, now);
            s->next_outbox_ms = now + OUTBOX_IDLE_MS;
        }
        /* while a record is out (or its outcome is being written) its own event wakes the
         * loop: a due time in the past here would spin it */
        if (s->journal && !s->outbox_seq && s->next_outbox_ms < next)
            next = s->next_outbox_ms;
    }
    return next;
}


int link_event(struct link *s, const struct ev *e)
{
    if (hub_event(s->hub, e)) {
        struct health before = s->health;
        hub_health(s->hub, &s->health);
        if (before.c[COMP_PRINTER] != s->health.c[COMP_PRINTER] ||
            before.c[COMP_SCANNER] != s->health.c[COMP_SCANNER])
            s->next_heartbeat_ms = 0; /* the station's staff hear of it now */
        return 1;
    }
    if (e->kind == EV_JOURNAL) {
        struct journal_result *jr = e->ptr;
        if ((jr->tag & 0xFF) == TAG_HEARTBEAT) {
            /* the outbox was woken (the station system is back): upload now */
            if (!s->outbox_seq)
                s->next_outbox_ms = clock_now_ms();
        } else if ((jr->tag & 0xFF) == TAG_OUTBOX) {
            /* the outcome of the upload is on disk: the next record may go */
            if (jr->err != KERR_OK)
                log_error("link", "outbox record %lld: its state not written (%s)",
                          (long long)(jr->tag >> 8), kerr_str(jr->err));
            s->outbox_seq = 0;
        } else if ((jr->tag & 0xFF) != TAG_PRUNE) {
            return 0;
        }
        free(jr);
        return 1;
    }
    if (e->kind != EV_BACKEND)
        return 0;
    struct backend_result *r = e->ptr;
    int tag = (int)(r->tag & 0xFF);
    if (tag != TAG_HEARTBEAT && tag != TAG_OUTBOX)
        return 0;
    int64_t now = clock_now_ms();
    if (tag == TAG_HEARTBEAT) {
        s->heartbeat_inflight = 0;
        enum health_state was = s->health.c[COMP_BACKEND];
        enum health_state h = r->outcome == BE_OK && r->status < 300   ? HEALTH_OK
                              : r->outcome == BE_OK && r->status == 401 ? HEALTH_FAULT
                                                                        : HEALTH_DOWN;
        if (h == HEALTH_FAULT)
            link_backend_refused(s, r->err_code);
        else if (h != was)
            log_info("link", "station system %s (%s)", h == HEALTH_OK ? "reachable" : "down",
                     r->outcome == BE_OK ? r->err_code : backend_outcome_str(r->outcome));
        if (h == HEALTH_OK && (was == HEALTH_DOWN || was == HEALTH_FAULT) && s->jw) {
            /* back after an outage: what waits in the outbox goes now, not when a backoff of
             * up to 5 minutes ends (the wake is written before the next look at it) */
            journal_worker_submit(s->jw, wake_outbox, NULL, NULL, TAG_HEARTBEAT);
            if (!s->outbox_seq)
                s->next_outbox_ms = now;
        }
        s->health.c[COMP_BACKEND] = h;
        if (h != HEALTH_OK)
            s->next_heartbeat_ms = now + 5000; /* look again soon */
    } else {
        /* the upload's outcome is written on the journal's thread; the next records go once
         * it is (outbox_seq stays set until then) */
        struct outbox_write *w = calloc(1, sizeof *w);
        int64_t seq = r->tag >> 8;
        if (w) {
            w->n = s->nbatch;
            memcpy(w->seq, s->batch, sizeof w->seq[0] * (size_t)s->nbatch);
            if (r->outcome == BE_OK && r->status >= 200 && r->status < 300) {
                w->what = OUTBOX_DONE;
                w->at = clock_system_ms();
                if (s->single)
                    s->single--;
                s->next_outbox_ms = now; /* the next ones at once */
            } else if (r->outcome == BE_OK && r->status >= 400 && r->status < 500 &&
                       r->status != 408 && r->status != 429 && r->status != 401) {
                if (s->nbatch > 1) {
                    /* one of them is refused: they go one at a time, and that one is
                     * parked alone */
                    w->what = OUTBOX_NOTHING;
                    s->single = s->nbatch;
                    log_warn("link", "outbox: %d records refused together (%s); sent one at "
                             "a time", s->nbatch, r->err_code);
                } else {
                    /* refused for good: parked so the queue moves on (the attendant sees it) */
                    w->what = OUTBOX_PARK;
                    snprintf(w->reason, sizeof w->reason, "%s", r->err_code);
                    if (s->single)
                        s->single--;
                }
                s->next_outbox_ms = now;
            } else {
                w->what = OUTBOX_RETRY;
                w->at = now + 1000 + backoff_ms(s->batch_attempts + 1, 1000, 300000, &s->seed);
                s->next_outbox_ms = w->at;
            }
        }
        if (!w || journal_worker_submit(s->jw, write_outbox, w, free, (seq << 8) | TAG_OUTBOX) != 0)
            s->outbox_seq = 0; /* nothing written: the record is sent again, same key */
    }
    backend_result_free(r);
    return 1;
}

void link_backend_refused(struct link *s, const char *code)
{
    if (s->health.c[COMP_BACKEND] != HEALTH_FAULT)
        log_error("link", "the station system refuses this kiosk (%s): its key or its clock "
                  "needs the staff; payments are off until it accepts the kiosk again",
                  code && code[0] ? code : "401");
    s->health.c[COMP_BACKEND] = HEALTH_FAULT;
    /* asked again soon: when the staff have put it right, the kiosk works again */
    int64_t soon = clock_now_ms() + 5000;
    if (s->next_heartbeat_ms > soon)
        s->next_heartbeat_ms = soon;
}

void link_outbox_poke(struct link *s)
{
    if (!s->outbox_seq && s->next_outbox_ms > clock_now_ms())
        s->next_outbox_ms = 0;
}

int link_outbox_pending(struct link *s)
{
    return s->journal ? journal_outbox_pending(s->journal) : 0;
}

struct backend *link_backend(struct link *s)
{
    return s->be;
}

struct journal *link_journal(struct link *s)
{
    return s->journal;
}

struct journal_worker *link_journal_worker(struct link *s)
{
    return s->jw;
}

struct hub *link_hub(struct link *s)
{
    return s->hub;
}

void link_health(const struct link *s, struct health *out)
{
    *out = s->health;
}

