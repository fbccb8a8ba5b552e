#include "link.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "printer/printer.h"
#include "backend/backend.h"
#include "core/backoff.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/sign.h"
#include "journal/journal.h"
#include "journal/worker.h"

#define HEARTBEAT_MS 30000
#define PRINTER_POLL_MS 15000
#define OUTBOX_IDLE_MS 10000

/* The link's own tags (the owner byte of a backend call's or a journal write's tag). */
enum { TAG_HEARTBEAT = LINK_OWNER_HEARTBEAT, TAG_OUTBOX = LINK_OWNER_OUTBOX };
/* What the printer worker posts (ev.i); for a job, ev.j is its number. UNCONFIRMED: the
 * wait for the job ended and the spooler could not confirm it cancelled (it may print). */
enum { PRN_STATUS = 0, PRN_JOB_OK = 1, PRN_JOB_FAILED = 2, PRN_JOB_UNCONFIRMED = 3 };
#define MAX_RESULTS 16
enum {
    JOB_POLL_MS = 300,         /* asking the spooler about a job */
    CANCEL_VERIFY_MS = 3000,   /* a cancelled job has this long to show it is gone */
    UNRESOLVED_POLL_MS = 3000, /* asking again about a job that may still print */
    STOP_GRACE_MS = 2000,      /* following a job once the kiosk is shutting down */
};

struct print_job {
    struct print_job *next;
    struct bitmap *b;
    int no;
    char title[64];
    int64_t queued_ms; /* mono_ms() when queued: a job held back too long fails */
};

/* A job the worker gave up waiting for and could not confirm cancelled: it may still print.
 * No job is sent while there is one, so there is never more than one. */
struct unresolved {
    int no; /* the job's number, 0 = none */
    int id; /* the spooler's */
    char title[64];
};

struct link {
    const struct kiosk_config *cfg;
    struct evq *q;
    struct health health;
    struct backend *be;
    int64_t next_heartbeat_ms;
    int heartbeat_inflight;
    struct journal_worker *jw; /* writes on its thread; `journal` reads on ours */
    struct journal *journal;
    int64_t next_outbox_ms;
    int64_t outbox_seq;     /* record being uploaded (or its outcome written), 0 = none */
    uint32_t seed;
    /* the printer worker */
    struct printer *printer;
    pthread_t thread;
    int thread_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct print_job *jobs;
    int stop, status_due;
    int checks_asked;       /* on-demand checks asked for (under lock) */
    int checks_answered;    /* UI thread: the newest check an arrived state answers */
    enum printer_state printer_state;
    int next_job;
    struct { int no, kind; } results[MAX_RESULTS]; /* job reports not yet taken (PRN_JOB_*) */
    int nresults;
    struct unresolved unresolved; /* the worker's; link_close reads it after the join */
};

/* The printer worker measures its waits in real time: the spooler works in real time, and a
 * script moving the kiosk's clock on must not cancel a job. */
static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int stopping(struct link *s)
{
    pthread_mutex_lock(&s->lock);
    int stop = s->stop;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

static void post_printer(struct link *s, int kind, int64_t value, const char *text)
{
    struct ev e = {.kind = EV_PRINTER, .i = kind, .j = value};
    snprintf(e.text, sizeof e.text, "%s", text);
    evq_post(s->q, &e);
}

/* Asks the printer for its state and posts it, numbered with the on-demand checks asked
 * for so far: each of them is answered by a reading taken after it was asked. */
static void report_status(struct link *s, struct printer_status *st)
{
    pthread_mutex_lock(&s->lock);
    int check = s->checks_asked;
    pthread_mutex_unlock(&s->lock);
    printer_status(s->printer, st);
    post_printer(s, PRN_STATUS, ((int64_t)check << 8) | st->state, st->detail);
}

/* Asks the spooler about job `id` until its state is final or `ms` have passed (at most
 * STOP_GRACE_MS more once the kiosk is shutting down). Returns the last state seen. */
static enum job_state watch_job(struct link *s, int id, int ms, char *detail, size_t cap)
{
    int64_t until = mono_ms() + ms;
    int stop_seen = 0;
    for (;;) {
        enum job_state js = printer_job_state(s->printer, id, detail, cap);
        int64_t now = mono_ms();
        if (!stop_seen && stopping(s)) {
            stop_seen = 1;
            if (until > now + STOP_GRACE_MS)
                until = now + STOP_GRACE_MS;
        }
        if (printer_job_final(js) || now >= until)
            return js;
        struct timespec d = {0, JOB_POLL_MS * 1000000L};
        nanosleep(&d, NULL);
    }
}

/* Cancels job `id` and asks about it until the spooler shows it final (bounded): a job the
 * kiosk gave up on must not come out later, in the middle of the next customer's receipt.
 * Returns the last state seen: not final when the spooler cannot be reached or keeps it. */
static enum job_state cancel_job(struct link *s, int id, char *detail, size_t cap)
{
    char why[160] = "";
    if (printer_cancel_job(s->printer, id, why, sizeof why) != 0) {
        log_warn("link", "cannot cancel job %d: %s", id, why);
        return printer_job_state(s->printer, id, detail, cap); /* it may have ended anyway */
    }
    return watch_job(s, id, CANCEL_VERIFY_MS, detail, cap);
}

/* The outcome of job `id`, final in state `js`: 0 when it printed, else -1 with err. The
 * printer is asked again: paper that ran out during the job means the slip may be cut short. */
static int job_outcome(struct link *s, int id, enum job_state js, const char *detail,
                       char *err, size_t cap)
{
    struct printer_status st;
    report_status(s, &st);
    if (js != JOB_DONE) {
        snprintf(err, cap, "job %d not printed: %s", id, detail);
        return -1;
    }
    if (!printer_state_can_print(st.state)) {
        snprintf(err, cap, "job %d may be cut short: printer %s", id, printer_state_name(st.state));
        return -1;
    }
    return 0;
}

/* Logs and posts the final outcome of job number `no`; logged here, so the outcome is on
 * record even while the kiosk shuts down. */
static void post_outcome(struct link *s, int no, int id, const char *title, int rc,
                         const char *err)
{
    if (rc == 0)
        log_info("link", "printed '%s' as job %d", title, id);
    else
        log_warn("link", "print failed: %s", err);
    post_printer(s, rc == 0 ? PRN_JOB_OK : PRN_JOB_FAILED, no, rc == 0 ? title : err);
}

/* Sends a queued job and follows it for [printer] job_wait_s. A job that is not final by
 * then is cancelled; one whose cancel cannot be confirmed becomes the unresolved job, and
 * the kiosk is told it is not confirmed. */
static void send_job(struct link *s, struct print_job *job, const struct printer_status *st)
{
    char err[200] = "", detail[160] = "";
    int id = 0, rc = -1;
    if (printer_state_can_print(st->state))
        rc = printer_print_bitmap(s->printer, job->b, job->title, &id, err, sizeof err);
    else
        snprintf(err, sizeof err, "printer %s", printer_state_name(st->state));
    if (rc != 0) {
        post_outcome(s, job->no, id, job->title, rc, err);
        return;
    }
    int wait_s = s->cfg->printer_job_wait_s;
    enum job_state js = watch_job(s, id, wait_s * 1000, detail, sizeof detail);
    if (!printer_job_final(js) && !stopping(s)) {
        log_warn("link", "job %d ('%s') not done after %d s (%s): cancelling it", id,
                 job->title, wait_s, detail);
        js = cancel_job(s, id, detail, sizeof detail);
    }
    if (!printer_job_final(js)) {
        struct printer_status now;
        report_status(s, &now); /* a spooler that does not answer shows in health */
        s->unresolved.no = job->no;
        s->unresolved.id = id;
        snprintf(s->unresolved.title, sizeof s->unresolved.title, "%s", job->title);
        log_warn("link", "job %d ('%s') not confirmed: it may still print (%s); no new job "
                 "goes out until CUPS says what became of it", id, job->title, detail);
        post_printer(s, PRN_JOB_UNCONFIRMED, job->no, detail);
        return;
    }
    rc = job_outcome(s, id, js, detail, err, sizeof err);
    post_outcome(s, job->no, id, job->title, rc, err);
}

/* Asks about the unresolved job again, and tries again to cancel it. Once it is final its
 * real outcome is posted, and new jobs may go out. */
static void resolve_job(struct link *s)
{
    struct unresolved *u = &s->unresolved;
    char detail[160] = "", err[200] = "";
    enum job_state js = printer_job_state(s->printer, u->id, detail, sizeof detail);
    if (!printer_job_final(js) && !stopping(s))
        js = cancel_job(s, u->id, detail, sizeof detail);
    if (!printer_job_final(js))
        return;
    log_info("link", "job %d ('%s') resolved: %s", u->id, u->title, detail);
    int rc = job_outcome(s, u->id, js, detail, err, sizeof err);
    post_outcome(s, u->no, u->id, u->title, rc, err);
    u->no = 0;
}

static void free_jobs(struct print_job *j)
{
    while (j) {
        struct print_job *next = j->next;
        bitmap_destroy(j->b);
        free(j);
        j = next;
    }
}

/* Jobs held back behind the unresolved one for longer than a job may take fail for good:
 * they were never sent, so they cannot come out later. */
static void fail_overdue(struct link *s)
{
    int64_t limit = mono_ms() - (int64_t)s->cfg->printer_job_wait_s * 1000;
    struct print_job *overdue = NULL, **tail = &overdue;
    pthread_mutex_lock(&s->lock);
    for (struct print_job **p = &s->jobs; *p;) {
        struct print_job *j = *p;
        if (j->queued_ms <= limit) {
            *p = j->next;
            j->next = NULL;
            *tail = j;
            tail = &j->next;
        } else {
            p = &j->next;
        }
    }
    pthread_mutex_unlock(&s->lock);
    for (struct print_job *j = overdue; j; j = j->next) {
        char err[200];
        snprintf(err, sizeof err, "'%s' held back for %d s behind job %d, which may still print",
                 j->title, s->cfg->printer_job_wait_s, s->unresolved.id);
        post_outcome(s, j->no, 0, j->title, -1, err);
    }
    free_jobs(overdue);
}

static void *printer_worker(void *arg)
{
    struct link *s = arg;
    int64_t next_status = 0;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        /* While a job may still print, new jobs wait, and every wake (at least every few
         * seconds) asks about that job again. */
        int held = s->unresolved.no != 0;
        if (!s->status_due && (held || !s->jobs)) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += (held ? UNRESOLVED_POLL_MS : PRINTER_POLL_MS) / 1000;
            int rc = pthread_cond_timedwait(&s->cond, &s->lock, &until);
            if (rc == ETIMEDOUT && (!held || mono_ms() >= next_status))
                s->status_due = 1;
            if (!held || s->stop)
                continue;
        }
        struct print_job *job = NULL;
        if (!held && s->jobs) {
            job = s->jobs;
            s->jobs = job->next;
            job->next = NULL;
        }
        int status = s->status_due || job;
        s->status_due = 0;
        pthread_mutex_unlock(&s->lock);
        struct printer_status st;
        if (status) {
            report_status(s, &st);
            next_status = mono_ms() + PRINTER_POLL_MS;
        }
        if (held) {
            resolve_job(s);
            if (s->unresolved.no)
                fail_overdue(s);
        }
        if (job) {
            send_job(s, job, &st);
            free_jobs(job);
        }
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

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
    enum { OUTBOX_DONE, OUTBOX_PARK, OUTBOX_RETRY } what;
    int64_t seq, now, at;
    char reason[48];
};

static enum kerr write_outbox(struct journal *j, void *arg, int64_t *value)
{
    struct outbox_write *w = arg;
    (void)value;
    switch (w->what) {
    case OUTBOX_DONE: return journal_outbox_done(j, w->seq, w->now);
    case OUTBOX_PARK: return journal_outbox_park(j, w->seq, w->reason);
    case OUTBOX_RETRY: return journal_outbox_retry(j, w->seq, w->at);
    }
    return KERR_INVALID;
}

static void recovery_count(const struct intent *it, void *user)
{
    int *n = user;
    (*n)++;
    log_warn("link", "unfinished %s intent %lld (%s) waits for the %s flow", it->kind,
             (long long)it->id, it->idem_key, it->flow);
}

struct link *link_open(const struct kiosk_config *cfg, struct evq *q, char *err,
                             size_t errcap)
{
    struct link *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    s->cfg = cfg;
    s->q = q;
    s->seed = (uint32_t)clock_real_ms() | 1u;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    /* Devices that have no driver in this build are absent; the scanner delivers codes
     * through the event queue (scripted sessions and the demo). */
    s->health.c[COMP_SCANNER] = HEALTH_OK;

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

    if (strcmp(cfg->printer_driver, "none") != 0) {
        struct printer_options po = {cfg->printer_server, cfg->printer_queue,
                                     cfg->printer_status_addr, cfg->printer_width_dots, 3000};
        char why[200];
        s->printer = printer_create(cfg->printer_driver, &po, why, sizeof why);
        if (!s->printer) {
            snprintf(err, errcap, "printer: %s", why);
            link_close(s);
            return NULL;
        }
        s->health.c[COMP_PRINTER] = HEALTH_UNKNOWN;
        s->status_due = 1;
        if (pthread_create(&s->thread, NULL, printer_worker, s) != 0) {
            snprintf(err, errcap, "cannot start the printer worker");
            link_close(s);
            return NULL;
        }
        s->thread_started = 1;
    }
    return s;
}

void link_close(struct link *s)
{
    if (!s)
        return;
    if (s->thread_started) {
        pthread_mutex_lock(&s->lock);
        s->stop = 1;
        pthread_cond_signal(&s->cond);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->thread, NULL);
    }
    if (s->unresolved.no)
        log_warn("link", "job %d ('%s') may still print: CUPS never said what became of it",
                 s->unresolved.id, s->unresolved.title);
    free_jobs(s->jobs);
    printer_destroy(s->printer);
    backend_destroy(s->be);
    journal_worker_close(s->jw); /* what is queued is written first */
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static void send_heartbeat(struct link *s)
{
    char body[200], key[40];
    snprintf(body, sizeof body, "{\"state\":\"ok\",\"printer\":\"%s\",\"outbox_pending\":%d}",
             printer_state_name(s->printer ? s->printer_state : PRINTER_ABSENT),
             s->journal ? journal_outbox_pending(s->journal) : 0);
    memcpy(key, "hb-", 3);
    sign_random_hex(key + 3, 16);
    struct backend_request rq = {.method = "POST", .path = "/v1/terminals/heartbeat",
                                 .body = body, .idem_key = key, .timeout_ms = 5000,
                                 .tag = TAG_HEARTBEAT};
    if (backend_call(s->be, &rq, NULL) == 0)
        s->heartbeat_inflight = 1;
}

/* Sends the oldest pending outbox record, in order, one at a time. Its key is derived from
 * the record id, so a re-send after a lost answer is recognised by the backend. */
static void upload_next(struct link *s, int64_t now)
{
    struct outbox_rec rec;
    if (journal_outbox_next(s->journal, now, &rec) != KERR_OK)
        return;
    size_t cap = strlen(rec.body) + 256;
    char *body = malloc(cap), key[80];
    if (body) {
        snprintf(body, cap, "{\"records\":[{\"record_id\":\"%s\",\"kind\":\"%s\",\"body\":%s}]}",
                 rec.record_id, rec.kind, rec.body);
        snprintf(key, sizeof key, "journal-%s", rec.record_id);
        struct backend_request rq = {.method = "POST", .path = "/v1/journal/records",
                                     .body = body, .idem_key = key,
                                     .tag = (rec.seq << 8) | TAG_OUTBOX};
        if (backend_call(s->be, &rq, NULL) == 0)
            s->outbox_seq = rec.seq;
        free(body);
    }
    journal_outbox_rec_free(&rec);
}

int64_t link_tick(struct link *s, int64_t now)
{
    int64_t next = INT64_MAX;
    if (s->be) {
        if (!s->heartbeat_inflight && now >= s->next_heartbeat_ms) {
            send_heartbeat(s);
            s->next_heartbeat_ms = now + HEARTBEAT_MS;
        }
        next = s->next_heartbeat_ms;
        if (s->journal && !s->outbox_seq && now >= s->next_outbox_ms) {
            upload_next(s, now);
            s->next_outbox_ms = now + OUTBOX_IDLE_MS;
        }
        if (s->journal && s->next_outbox_ms < next)
            next = s->next_outbox_ms;
    }
    return next;
}

static enum health_state from_printer(enum printer_state p)
{
    switch (p) {
    case PRINTER_OK: return HEALTH_OK;
    case PRINTER_PAPER_NEAR_END: return HEALTH_DEGRADED;
    case PRINTER_ABSENT: return HEALTH_ABSENT;
    case PRINTER_UNKNOWN: return HEALTH_UNKNOWN;
    default: return HEALTH_DOWN;
    }
}

int link_event(struct link *s, const struct ev *e)
{
    if (e->kind == EV_PRINTER) {
        if (e->i == PRN_STATUS) {
            enum printer_state st = (enum printer_state)(e->j & 0xFF);
            if (st != s->printer_state || s->health.c[COMP_PRINTER] == HEALTH_UNKNOWN) {
                log_info("link", "printer: %s (%s)", printer_state_name(st), e->text);
                s->next_heartbeat_ms = 0; /* the station's staff hear of it now */
            }
            s->printer_state = st;
            s->health.c[COMP_PRINTER] = from_printer(st);
            if ((int)(e->j >> 8) > s->checks_answered)
                s->checks_answered = (int)(e->j >> 8);
        } else {
            if (s->nresults == MAX_RESULTS) { /* nobody asked about the oldest: forget it */
                memmove(&s->results[0], &s->results[1], sizeof s->results[0] * (MAX_RESULTS - 1));
                s->nresults--;
            }
            s->results[s->nresults].no = (int)e->j;
            s->results[s->nresults].kind = e->i;
            s->nresults++;
        }
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
        } else {
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
        /* the upload's outcome is written on the journal's thread; the next record goes once
         * it is (outbox_seq stays set until then) */
        struct outbox_write *w = calloc(1, sizeof *w);
        int64_t seq = r->tag >> 8;
        if (w) {
            w->seq = seq;
            w->now = now;
            if (r->outcome == BE_OK && r->status >= 200 && r->status < 300) {
                w->what = OUTBOX_DONE;
                s->next_outbox_ms = now; /* the next one at once */
            } else if (r->outcome == BE_OK && r->status >= 400 && r->status < 500 &&
                       r->status != 408 && r->status != 429 && r->status != 401) {
                /* refused for good: parked so the queue moves on (the attendant sees it) */
                w->what = OUTBOX_PARK;
                snprintf(w->reason, sizeof w->reason, "%s", r->err_code);
                s->next_outbox_ms = now;
            } else {
                struct outbox_rec rec;
                int attempts = 1;
                if (journal_outbox_next(s->journal, INT64_MAX, &rec) == KERR_OK) {
                    attempts = rec.attempts + 1;
                    journal_outbox_rec_free(&rec);
                }
                w->what = OUTBOX_RETRY;
                w->at = now + 1000 + backoff_ms(attempts, 1000, 300000, &s->seed);
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

enum link_job link_job_result(struct link *s, int no, int *ok)
{
    for (int i = 0; i < s->nresults; i++) /* the oldest first: "not confirmed" comes first */
        if (s->results[i].no == no) {
            int kind = s->results[i].kind;
            *ok = kind == PRN_JOB_OK;
            memmove(&s->results[i], &s->results[i + 1],
                    sizeof s->results[0] * (size_t)(s->nresults - i - 1));
            s->nresults--;
            return kind == PRN_JOB_UNCONFIRMED ? LINK_JOB_UNCONFIRMED : LINK_JOB_FINAL;
        }
    return LINK_JOB_PENDING;
}

const char *link_printer_problem(const struct link *s)
{
    switch (s->printer ? s->printer_state : PRINTER_ABSENT) {
    case PRINTER_OK:
    case PRINTER_PAPER_NEAR_END: return "";
    case PRINTER_PAPER_OUT: return N_("The receipt printer is out of paper.");
    case PRINTER_COVER_OPEN: return N_("The receipt printer's cover is open.");
    case PRINTER_OFFLINE:
    case PRINTER_ERROR: return N_("The receipt printer is out of order.");
    case PRINTER_ABSENT: return N_("This kiosk has no receipt printer.");
    default: return N_("The receipt printer is not answering.");
    }
}

int link_printer_check(struct link *s)
{
    if (!s->printer)
        return -1;
    pthread_mutex_lock(&s->lock);
    int check = ++s->checks_asked;
    s->status_due = 1;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    return check;
}

int link_printer_answer(const struct link *s, int check, int *can_print)
{
    if (s->checks_answered < check)
        return 0;
    *can_print = printer_state_can_print(s->printer_state);
    return 1;
}

void link_health(const struct link *s, struct health *out)
{
    *out = s->health;
}

int link_print(struct link *s, const struct bitmap *b, const char *title)
{
    if (!s->printer)
        return -1;
    struct print_job *j = calloc(1, sizeof *j);
    if (!j || !(j->b = bitmap_create(b->width, b->height))) {
        free(j);
        return -1;
    }
    memcpy(j->b->bits, b->bits, (size_t)b->stride * (size_t)b->height);
    snprintf(j->title, sizeof j->title, "%s", title);
    j->queued_ms = mono_ms();
    j->no = ++s->next_job;
    int no = j->no;
    pthread_mutex_lock(&s->lock);
    struct print_job **tail = &s->jobs;
    while (*tail)
        tail = &(*tail)->next;
    *tail = j;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    return no;
}
