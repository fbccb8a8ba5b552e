/* The printer's worker (devices/printer.h): it asks the printer for its state every 15 s
 * and when asked, and prints queued slips as raw ESC/POS jobs, one at a time, following
 * each in the spooler until it is final. It measures its waits in real time
 * (clock_real_ms()): the spooler works in real time, and a script moving the kiosk's clock
 * on must not cancel a job. */
#include "printer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"

#define PRINTER_POLL_MS 15000

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
    int64_t queued_ms; /* clock_real_ms() when queued: a job held back too long fails */
};

/* A job the worker gave up waiting for and could not confirm cancelled: it may still print.
 * No job is sent while there is one, so there is never more than one. */
struct unresolved {
    int no; /* the job's number, 0 = none */
    int id; /* the spooler's */
    char title[64];
};

struct prn {
    char name[64];             /* "printer.receipt" */
    int index;                 /* the hub's instance number, in its events */
    struct evq *q;
    int job_wait_s;
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
    int seen;               /* UI thread: a state has arrived */
    int next_job;
    struct { int no, kind; } results[MAX_RESULTS]; /* job reports not yet taken (PRN_JOB_*) */
    int nresults;
    struct unresolved unresolved; /* the worker's; prn_close reads it after the join */
};

static int stopping(struct prn *s)
{
    pthread_mutex_lock(&s->lock);
    int stop = s->stop;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

static void post_printer(struct prn *s, int kind, int64_t value, const char *text)
{
    struct ev e = {.kind = EV_PRINTER, .i = (int64_t)s->index << 8 | kind, .j = value};
    snprintf(e.text, sizeof e.text, "%s", text);
    evq_post(s->q, &e);
}

/* Asks the printer for its state and posts it, numbered with the on-demand checks asked
 * for so far: each of them is answered by a reading taken after it was asked. */
static void report_status(struct prn *s, struct printer_status *st)
{
    pthread_mutex_lock(&s->lock);
    int check = s->checks_asked;
    pthread_mutex_unlock(&s->lock);
    printer_status(s->printer, st);
    post_printer(s, PRN_STATUS, ((int64_t)check << 8) | st->state, st->detail);
}

/* Asks the spooler about job `id` until its state is final or `ms` have passed (at most
 * STOP_GRACE_MS more once the kiosk is shutting down). Returns the last state seen. */
static enum job_state watch_job(struct prn *s, int id, int ms, char *detail, size_t cap)
{
    int64_t until = clock_real_ms() + ms;
    int stop_seen = 0;
    for (;;) {
        enum job_state js = printer_job_state(s->printer, id, detail, cap);
        int64_t now = clock_real_ms();
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
static enum job_state cancel_job(struct prn *s, int id, char *detail, size_t cap)
{
    char why[160] = "";
    if (printer_cancel_job(s->printer, id, why, sizeof why) != 0) {
        log_warn("devices", "cannot cancel job %d: %s", id, why);
        return printer_job_state(s->printer, id, detail, cap); /* it may have ended anyway */
    }
    return watch_job(s, id, CANCEL_VERIFY_MS, detail, cap);
}

/* The outcome of job `id`, final in state `js`: 0 when it printed, else -1 with err. The
 * printer is asked again: paper that ran out during the job means the slip may be cut short. */
static int job_outcome(struct prn *s, int id, enum job_state js, const char *detail,
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
static void post_outcome(struct prn *s, int no, int id, const char *title, int rc,
                         const char *err)
{
    if (rc == 0)
        log_info("devices", "printed '%s' as job %d", title, id);
    else
        log_warn("devices", "print failed: %s", err);
    post_printer(s, rc == 0 ? PRN_JOB_OK : PRN_JOB_FAILED, no, rc == 0 ? title : err);
}

/* Sends a queued job and follows it for [printer] job_wait_s. A job that is not final by
 * then is cancelled; one whose cancel cannot be confirmed becomes the unresolved job, and
 * the kiosk is told it is not confirmed. */
static void send_job(struct prn *s, struct print_job *job, const struct printer_status *st)
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
    int wait_s = s->job_wait_s;
    enum job_state js = watch_job(s, id, wait_s * 1000, detail, sizeof detail);
    if (!printer_job_final(js) && !stopping(s)) {
        log_warn("devices", "job %d ('%s') not done after %d s (%s): cancelling it", id,
                 job->title, wait_s, detail);
        js = cancel_job(s, id, detail, sizeof detail);
    }
    if (!printer_job_final(js)) {
        struct printer_status now;
        report_status(s, &now); /* a spooler that does not answer shows in health */
        s->unresolved.no = job->no;
        s->unresolved.id = id;
        snprintf(s->unresolved.title, sizeof s->unresolved.title, "%s", job->title);
        log_warn("devices", "job %d ('%s') not confirmed: it may still print (%s); no new job "
                 "goes out until CUPS says what became of it", id, job->title, detail);
        post_printer(s, PRN_JOB_UNCONFIRMED, job->no, detail);
        return;
    }
    rc = job_outcome(s, id, js, detail, err, sizeof err);
    post_outcome(s, job->no, id, job->title, rc, err);
}

/* Asks about the unresolved job again, and tries again to cancel it. Once it is final its
 * real outcome is posted, and new jobs may go out. */
static void resolve_job(struct prn *s)
{
    struct unresolved *u = &s->unresolved;
    char detail[160] = "", err[200] = "";
    enum job_state js = printer_job_state(s->printer, u->id, detail, sizeof detail);
    if (!printer_job_final(js) && !stopping(s))
        js = cancel_job(s, u->id, detail, sizeof detail);
    if (!printer_job_final(js))
        return;
    log_info("devices", "job %d ('%s') resolved: %s", u->id, u->title, detail);
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
static void fail_overdue(struct prn *s)
{
    int64_t limit = clock_real_ms() - (int64_t)s->job_wait_s * 1000;
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
                 j->title, s->job_wait_s, s->unresolved.id);
        post_outcome(s, j->no, 0, j->title, -1, err);
    }
    free_jobs(overdue);
}

static void *printer_worker(void *arg)
{
    struct prn *s = arg;
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
            if (rc == ETIMEDOUT && (!held || clock_real_ms() >= next_status))
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
            next_status = clock_real_ms() + PRINTER_POLL_MS;
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

struct prn *prn_open(const char *name, int index, const struct dev_driver *drv, const void *opts,
                     const struct printer_common *common, struct evq *q, char *err,
                     size_t errcap)
{
    struct prn *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    snprintf(s->name, sizeof s->name, "%s", name);
    s->index = index;
    s->q = q;
    s->job_wait_s = common->job_wait_s;
    s->printer_state = PRINTER_UNKNOWN;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    s->printer = printer_create(drv, opts, common, err, errcap);
    if (!s->printer) {
        prn_close(s);
        return NULL;
    }
    s->status_due = 1;
    if (pthread_create(&s->thread, NULL, printer_worker, s) != 0) {
        snprintf(err, errcap, "cannot start its worker");
        prn_close(s);
        return NULL;
    }
    s->thread_started = 1;
    return s;
}

void prn_close(struct prn *s)
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
        log_warn("devices", "job %d ('%s') may still print: CUPS never said what became of it",
                 s->unresolved.id, s->unresolved.title);
    free_jobs(s->jobs);
    printer_destroy(s->printer);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void prn_event(struct prn *s, const struct ev *e)
{
    int kind = (int)(e->i & 0xFF);
    if (kind == PRN_STATUS) {
        enum printer_state st = (enum printer_state)(e->j & 0xFF);
        if (st != s->printer_state || !s->seen)
            log_info("devices", "%s: %s (%s)", s->name, printer_state_name(st), e->text);
        s->printer_state = st;
        s->seen = 1;
        if ((int)(e->j >> 8) > s->checks_answered)
            s->checks_answered = (int)(e->j >> 8);
        return;
    }
    if (s->nresults == MAX_RESULTS) { /* nobody asked about the oldest: forget it */
        memmove(&s->results[0], &s->results[1], sizeof s->results[0] * (MAX_RESULTS - 1));
        s->nresults--;
    }
    s->results[s->nresults].no = (int)e->j;
    s->results[s->nresults].kind = kind;
    s->nresults++;
}

int prn_job_result(struct prn *s, int no, int *ok)
{
    for (int i = 0; i < s->nresults; i++) /* the oldest first: "not confirmed" comes first */
        if (s->results[i].no == no) {
            int kind = s->results[i].kind;
            *ok = kind == PRN_JOB_OK;
            memmove(&s->results[i], &s->results[i + 1],
                    sizeof s->results[0] * (size_t)(s->nresults - i - 1));
            s->nresults--;
            return kind == PRN_JOB_UNCONFIRMED ? 2 : 1;
        }
    return 0;
}

int prn_check(struct prn *s)
{
    pthread_mutex_lock(&s->lock);
    int check = ++s->checks_asked;
    s->status_due = 1;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    return check;
}

int prn_answer(const struct prn *s, int check, int *can_print)
{
    if (s->checks_answered < check)
        return 0;
    *can_print = printer_state_can_print(s->printer_state);
    return 1;
}

enum printer_state prn_state(const struct prn *s)
{
    return s->printer_state;
}

int prn_print(struct prn *s, const struct bitmap *b, const char *title)
{
    struct print_job *j = calloc(1, sizeof *j);
    if (!j || !(j->b = bitmap_create(b->width, b->height))) {
        free(j);
        return -1;
    }
    memcpy(j->b->bits, b->bits, (size_t)b->stride * (size_t)b->height);
    snprintf(j->title, sizeof j->title, "%s", title);
    j->queued_ms = clock_real_ms();
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
