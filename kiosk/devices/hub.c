/* The device hub (devices/hub.h): instances from config, a worker thread each, health. */
#include "devices/hub.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card/card.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/sign.h"
#include "device/fault.h"
#include "hub_int.h"
#include "printer.h"

/* ---- the classes, one line each ---------------------------------------------------------- */

static void *scanner_worker(void *arg);
static void *card_worker(void *arg);

static const struct hub_class classes[] = {
    {"scanner", COMP_SCANNER, scanner_drivers, "keyboard", "keyboard", NULL,
     sizeof(struct fault_opts), scanner_worker},
    {"printer", COMP_PRINTER, printer_drivers, NULL, NULL, printer_common_options,
     sizeof(struct printer_common), NULL},
    {"card", COMP_CARD_READER, card_drivers, NULL, NULL, NULL, sizeof(struct fault_opts),
     card_worker},
    {"idcard", COMP_ID_READER, idcard_drivers, NULL, NULL, NULL, sizeof(struct fault_opts),
     idcard_worker},
};
#define NCLASSES (int)(sizeof classes / sizeof classes[0])

/* ---- configuration ----------------------------------------------------------------------- */

static const struct cfg_option *options_of(const struct dev_driver *d, size_t *size)
{
    if (!d)
        return NULL;
    *size = d->opts_size;
    return d->options;
}

static const struct cfg_option *scanner_driver_options(const char *name, size_t *size)
{
    return options_of(dev_driver_find(scanner_drivers, name), size);
}

static const struct cfg_option *printer_driver_options(const char *name, size_t *size)
{
    return options_of(dev_driver_find(printer_drivers, name), size);
}

static const struct cfg_option *card_driver_options(const char *name, size_t *size)
{
    return options_of(dev_driver_find(card_drivers, name), size);
}

static const struct cfg_option *idcard_driver_options(const char *name, size_t *size)
{
    return options_of(dev_driver_find(idcard_drivers, name), size);
}

/* The driver tables of class k (the cfg_class callback has no context: one per class). */
static const struct cfg_option *(*const driver_options[])(const char *, size_t *) = {
    scanner_driver_options,
    printer_driver_options,
    card_driver_options,
    idcard_driver_options,
};

void hub_config_init(struct hub_config *c)
{
    memset(c, 0, sizeof *c);
    for (int k = 0; k < NCLASSES; k++) {
        /* "a|b|c" from the class's driver list, for the message when one is unknown */
        char *names = c->driver_names[k];
        for (const struct dev_driver *const *d = classes[k].drivers; *d; d++)
            snprintf(names + strlen(names), sizeof c->driver_names[k] - strlen(names), "%s%s",
                     d == classes[k].drivers ? "" : "|", (*d)->name);
        struct cfg_class *cc = &c->cls[k];
        cc->name = classes[k].name;
        cc->common[0] = fault_options;
        cc->common[1] = classes[k].common;
        cc->common_size = classes[k].common_size;
        cc->driver = driver_options[k];
        cc->drivers = names;
    }
    c->n = NCLASSES;
}

void hub_config_tables(struct hub_config *c, struct config_tables *t)
{
    for (int k = 0; k < c->n; k++)
        config_tables_add_class(t, &c->cls[k]);
}

void hub_config_clear(struct hub_config *c)
{
    for (int k = 0; k < c->n; k++)
        config_class_clear(&c->cls[k]);
}

const void *hub_config_options(const struct hub_config *c, const char *cls, const char *name,
                               const char **driver)
{
    for (int k = 0; k < c->n; k++) {
        if (strcmp(c->cls[k].name, cls))
            continue;
        const struct cfg_instance *in = config_class_find(&c->cls[k], name);
        if (in && driver)
            *driver = in->driver;
        return in ? in->opts : NULL;
    }
    return NULL;
}

/* ---- instances and their workers --------------------------------------------------------- */

int hub_stopping(struct hub *h)
{
    pthread_mutex_lock(&h->lock);
    int s = h->stop;
    pthread_mutex_unlock(&h->lock);
    return s;
}

/* Sleeps up to ms, or until the hub stops. */
void hub_nap(struct hub *h, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000)
        until.tv_sec++, until.tv_nsec -= 1000000000;
    pthread_mutex_lock(&h->lock);
    while (!h->stop && pthread_cond_timedwait(&h->wake, &h->lock, &until) == 0)
        ;
    pthread_mutex_unlock(&h->lock);
}

void hub_report(struct dev *d, struct reported *r, enum health_state st, const char *why)
{
    if (r->state == st && !strcmp(r->why, why))
        return;
    r->state = st;
    snprintf(r->why, sizeof r->why, "%s", why);
    struct ev e = {.kind = EV_DEVICE, .i = d->index, .j = st};
    snprintf(e.text, sizeof e.text, "%s", why);
    evq_post(d->hub->q, &e);
}

void hub_set_opened(struct dev *d, int opened)
{
    pthread_mutex_lock(&d->hub->lock);
    d->opened = opened;
    pthread_mutex_unlock(&d->hub->lock);
}

/* A scanner's worker: open, read scans into events, reopen when it goes away. */
static void *scanner_worker(void *arg)
{
    struct dev *d = arg;
    struct reported r = {HEALTH_UNKNOWN, ""};
    int64_t backoff = REOPEN_FIRST_MS;
    char err[200];
    while (!hub_stopping(d->hub)) {
        err[0] = '\0';
        if (d->ops->open(d->priv, d->opts, err, sizeof err) != 0) {
            hub_report(d, &r, HEALTH_DOWN, err[0] ? err : "cannot open");
            hub_nap(d->hub, backoff);
            backoff = backoff * 2 > REOPEN_MAX_MS ? REOPEN_MAX_MS : backoff * 2;
            continue;
        }
        log_info("devices", "%s: open", d->name);
        hub_set_opened(d, 1);
        hub_report(d, &r, HEALTH_OK, "");
        backoff = REOPEN_FIRST_MS;
        int rc;
        do {
            struct scan_read sr;
            memset(&sr, 0, sizeof sr);
            err[0] = '\0';
            rc = d->ops->read(d->priv, &sr, READ_SLICE_MS, err, sizeof err);
            if (rc == SCAN_CODE) {
                struct ev e = {.kind = EV_SCAN, .i = sr.refused, .j = d->index};
                snprintf(e.text, sizeof e.text, "%s", sr.refused ? "" : sr.text);
                if (sr.refused)
                    log_info("devices", "%s: refused a read: %s", d->name, sr.why);
                evq_post(d->hub->q, &e);
                sign_wipe(&e, sizeof e);
            }
            sign_wipe(&sr, sizeof sr);
        } while (rc != SCAN_GONE && !hub_stopping(d->hub));
        hub_set_opened(d, 0);
        d->ops->close(d->priv);
        if (rc == SCAN_GONE) {
            log_warn("devices", "%s: gone: %s", d->name, err);
            hub_report(d, &r, HEALTH_DOWN, err[0] ? err : "gone");
        }
    }
    return NULL;
}

/* ---- a card reader's worker ---------------------------------------------------------------- */

#define CARD_WAIT_MS 200 /* a wait for the card to come or go returns at least this often */

static void post_answer(struct hub *h, const char *name, int no, int len, const uint8_t *resp)
{
    struct ev e = {.kind = EV_CARD_APDU, .i = no, .j = len};
    if (len > (int)sizeof e.text) {
        log_warn("devices", "%s: an answer of %d bytes is longer than the kiosk takes", name,
                 len);
        e.j = -1;
    } else if (len > 0) {
        memcpy(e.text, resp, (size_t)len);
    }
    if (evq_post(h->q, &e) != 0)
        log_warn("devices", "%s: answer %d lost: the event queue is full", name, no);
    sign_wipe(&e, sizeof e);
}

/* The oldest queued APDU into *out: 1, or 0 when none waits. */
static int take_request(struct dev *d, struct card_req *out)
{
    int got = 0;
    pthread_mutex_lock(&d->hub->lock);
    if (d->queued) {
        *out = d->queue[0];
        memmove(&d->queue[0], &d->queue[1], (size_t)(d->queued - 1) * sizeof d->queue[0]);
        d->queued--;
        sign_wipe(&d->queue[d->queued], sizeof d->queue[0]);
        got = 1;
    }
    pthread_mutex_unlock(&d->hub->lock);
    return got;
}

/* Every queued APDU is answered -1: the reader is closed. */
static void flush_requests(struct dev *d)
{
    struct card_req rq;
    while (take_request(d, &rq)) {
        post_answer(d->hub, d->name, rq.no, -1, NULL);
        sign_wipe(&rq, sizeof rq);
    }
}

/* One exchange; the answer is posted, the command wiped. Only lengths, the status word and
 * the time are logged. */
static void exchange(struct dev *d, struct card_req *rq)
{
    uint8_t resp[CARD_RESP_MAX];
    char err[200] = "";
    int64_t t0 = clock_real_ms();
    int len = d->card->transmit(d->priv, rq->apdu, rq->n, resp, sizeof resp, err, sizeof err);
    int ms = (int)(clock_real_ms() - t0);
    if (len < 0)
        log_warn("devices", "%s: APDU %d (%zu bytes) failed after %d ms: %s", d->name, rq->no,
                 rq->n, ms, err[0] ? err : "no answer");
    else if (len < 2)
        log_warn("devices", "%s: APDU %d (%zu bytes): %d byte(s) back after %d ms: the card "
                 "went away mid-command", d->name, rq->no, rq->n, len, ms);
    else
        log_info("devices", "%s: APDU %d (%zu bytes) -> %d bytes, SW %02X%02X, %d ms", d->name,
                 rq->no, rq->n, len, resp[len - 2], resp[len - 1], ms);
    post_answer(d->hub, d->name, rq->no, len, resp);
    sign_wipe(rq, sizeof *rq);
    sign_wipe(resp, sizeof resp);
}

static void post_card(struct dev *d, int present)
{
    struct ev e = {.kind = EV_CARD, .i = present, .j = d->index};
    uint8_t atr[CARD_ATR_MAX];
    size_t n = present ? d->card->atr(d->priv, atr, sizeof atr) : 0;
    for (size_t i = 0; i < n; i++)
        snprintf(e.text + 2 * i, sizeof e.text - 2 * i, "%02X", atr[i]);
    if (!present)
        log_info("devices", "%s: card taken off", d->name);
    else if (n)
        log_info("devices", "%s: card put on (ATR %zu bytes)", d->name, n);
    else
        log_warn("devices", "%s: card put on, and it gives no ATR (the wrong way round?)",
                 d->name);
    if (evq_post(d->hub->q, &e) != 0)
        log_warn("devices", "%s: card event lost: the event queue is full", d->name);
}

static void set_ctx_open(struct dev *d, int open)
{
    pthread_mutex_lock(&d->ctx_lock);
    d->ctx_open = open;
    pthread_mutex_unlock(&d->ctx_lock);
}

/* A card reader's worker: open, then one queued APDU at a time or a wait of at most 200 ms
 * for the card to come or go; close and reopen when the reader or the service goes away. A
 * reader that fails again before a wait has worked is reopened only after a back-off, so a
 * reader that opens but cannot be watched does not spin. */
static void *card_worker(void *arg)
{
    struct dev *d = arg;
    struct reported r = {HEALTH_UNKNOWN, ""};
    int64_t backoff = REOPEN_FIRST_MS;
    char err[200];
    while (!hub_stopping(d->hub)) {
        err[0] = '\0';
        if (d->card->open(d->priv, d->opts, err, sizeof err) != 0) {
            hub_report(d, &r, HEALTH_DOWN, err[0] ? err : "cannot open");
            hub_nap(d->hub, backoff);
            backoff = backoff * 2 > REOPEN_MAX_MS ? REOPEN_MAX_MS : backoff * 2;
            continue;
        }
        log_info("devices", "%s: open", d->name);
        set_ctx_open(d, 1);
        hub_set_opened(d, 1);
        hub_report(d, &r, HEALTH_OK, "");
        int rc = CARD_EV_NONE, present = 0, worked = 0;
        while (!hub_stopping(d->hub)) {
            struct card_req rq;
            if (take_request(d, &rq)) {
                exchange(d, &rq);
                continue;
            }
            err[0] = '\0';
            rc = d->card->wait(d->priv, CARD_WAIT_MS, err, sizeof err);
            if (rc == CARD_EV_GONE)
                break;
            worked = 1;
            if (rc == CARD_EV_INSERTED || rc == CARD_EV_REMOVED) {
                present = rc == CARD_EV_INSERTED;
                post_card(d, present);
            }
        }
        hub_set_opened(d, 0);   /* no APDU is queued from here ... */
        set_ctx_open(d, 0); /* ... nor a wake under way */
        d->card->close(d->priv);
        flush_requests(d);
        if (present)
            post_card(d, 0);
        if (rc == CARD_EV_GONE) {
            log_warn("devices", "%s: gone: %s", d->name, err);
            hub_report(d, &r, HEALTH_DOWN, err[0] ? err : "gone");
            if (worked) {
                backoff = REOPEN_FIRST_MS;
            } else {
                hub_nap(d->hub, backoff);
                backoff = backoff * 2 > REOPEN_MAX_MS ? REOPEN_MAX_MS : backoff * 2;
            }
        }
    }
    flush_requests(d);
    return NULL;
}

/* A card reader's waker: calls the driver's wake() for hub_card_send(), off the UI thread. */
static void *card_waker(void *arg)
{
    struct dev *d = arg;
    struct hub *h = d->hub;
    pthread_mutex_lock(&h->lock);
    while (!h->stop) {
        if (!d->wake_asked) {
            pthread_cond_wait(&d->waker_cond, &h->lock);
            continue;
        }
        d->wake_asked = 0;
        pthread_mutex_unlock(&h->lock);
        pthread_mutex_lock(&d->ctx_lock);
        if (d->ctx_open)
            d->card->wake(d->priv);
        pthread_mutex_unlock(&d->ctx_lock);
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

/* An instance that could not be added gives back what it took (hub_close() only sees those
 * that were). */
static int drop_instance(struct dev *d)
{
    free(d->drv_priv);
    free(d->opts);
    d->drv_priv = d->opts = NULL;
    return -1;
}

static int add_instance(struct hub *h, const struct hub_class *cls, const char *name,
                        const char *driver, const void *common, const void *opts, char *err,
                        size_t errcap)
{
    if (h->n == HUB_INSTANCES_MAX) {
        snprintf(err, errcap, "more than %d devices", HUB_INSTANCES_MAX);
        return -1;
    }
    struct dev *d = &h->dev[h->n];
    d->hub = h;
    d->index = h->n;
    d->cls = cls;
    snprintf(d->name, sizeof d->name, "%s.%s", cls->name, name);
    d->drv = dev_driver_find(cls->drivers, driver);
    if (!d->drv) {
        snprintf(err, errcap, "%s: no driver called %s", d->name, driver);
        return -1;
    }
    d->drv_priv = calloc(1, d->drv->priv_size ? d->drv->priv_size : 1);
    d->opts = calloc(1, d->drv->opts_size ? d->drv->opts_size : 1);
    if (!d->drv_priv || !d->opts) {
        snprintf(err, errcap, "out of memory");
        return drop_instance(d);
    }
    if (opts)
        memcpy(d->opts, opts, d->drv->opts_size);
    if (cls->comp == COMP_PRINTER) {
        const struct printer_common *pc = common;
        d->test_on_start = pc->test_on_start;
        d->prn = prn_open(d->name, d->index, d->drv, d->opts, pc, h->q, err, errcap);
        if (!d->prn)
            return drop_instance(d);
        if (h->receipt < 0)
            h->receipt = d->index;
        d->health = HEALTH_UNKNOWN;
        h->n++;
        return 0;
    }
    if (cls->comp == COMP_CARD_READER) {
        const struct fault_opts *fo = common;
        if (fo && fault_any(fo)) {
            snprintf(err, errcap, "%s: the fault wrapper does not wrap card readers", d->name);
            return drop_instance(d);
        }
        d->card = d->drv->ops;
        d->priv = d->drv_priv;
        pthread_mutex_init(&d->ctx_lock, NULL);
        pthread_cond_init(&d->waker_cond, NULL);
        if (h->card < 0)
            h->card = d->index;
        d->health = HEALTH_UNKNOWN;
        h->n++;
        return 0;
    }
    if (cls->comp == COMP_ID_READER) {
        const struct fault_opts *fo = common;
        if (fo && fault_any(fo)) {
            snprintf(err, errcap, "%s: the fault wrapper does not wrap ID card readers",
                     d->name);
            return drop_instance(d);
        }
        d->idcard = d->drv->ops;
        d->priv = d->drv_priv;
        if (h->idcard < 0)
            h->idcard = d->index;
        d->health = HEALTH_UNKNOWN;
        h->n++;
        return 0;
    }
    d->ops = d->drv->ops;
    d->priv = d->drv_priv;
    const struct fault_opts *fo = common;
    if (fo && fault_any(fo) && d->ops->read) {
        d->fault.plan.o = *fo;
        d->fault.inner = d->ops;
        d->fault.inner_priv = d->drv_priv;
        d->ops = &scanner_fault_ops;
        d->priv = &d->fault;
        log_warn("devices", "%s: the fault wrapper is on", d->name);
    }
    d->health = HEALTH_UNKNOWN;
    h->n++;
    return 0;
}

struct hub *hub_open(const struct hub_config *c, struct evq *q, char *err, size_t errcap)
{
    struct hub *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    h->q = q;
    h->receipt = -1;
    h->card = -1;
    h->idcard = -1;
    pthread_mutex_init(&h->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->wake, &ca);
    pthread_condattr_destroy(&ca);
    for (int k = 0; k < NCLASSES; k++) {
        const struct cfg_class *cc = &c->cls[k];
        int rc = 0;
        for (int i = 0; i < cc->n && rc == 0; i++)
            rc = add_instance(h, &classes[k], cc->v[i].name, cc->v[i].driver, cc->v[i].common,
                              cc->v[i].opts, err, errcap);
        if (rc == 0 && cc->n == 0 && classes[k].default_instance)
            rc = add_instance(h, &classes[k], classes[k].default_instance,
                              classes[k].default_driver, NULL, NULL, err, errcap);
        if (rc != 0) {
            hub_close(h);
            return NULL;
        }
    }
    for (int i = 0; i < h->n; i++) {
        struct dev *d = &h->dev[i];
        if (d->prn) /* its worker runs already */
            continue;
        if (d->ops && !d->ops->read) { /* fed by the UI thread: always there */
            d->health = HEALTH_OK;
            continue;
        }
        if (pthread_create(&d->thread, NULL, d->cls->worker, d) != 0) {
            snprintf(err, errcap, "%s: cannot start its worker", d->name);
            hub_close(h);
            return NULL;
        }
        d->has_thread = 1;
        if (d->card) {
            if (pthread_create(&d->waker, NULL, card_waker, d) != 0) {
                snprintf(err, errcap, "%s: cannot start its waker", d->name);
                hub_close(h);
                return NULL;
            }
            d->has_waker = 1;
        }
    }
    return h;
}

void hub_close(struct hub *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    h->stop = 1;
    pthread_cond_broadcast(&h->wake);
    for (int i = 0; i < h->n; i++)
        if (h->dev[i].card)
            pthread_cond_signal(&h->dev[i].waker_cond);
    pthread_mutex_unlock(&h->lock);
    face_step_free(h);
    for (int i = 0; i < h->n; i++) {
        struct dev *d = &h->dev[i];
        if (d->has_thread)
            pthread_join(d->thread, NULL);
        if (d->has_waker)
            pthread_join(d->waker, NULL);
        if (d->card) {
            pthread_cond_destroy(&d->waker_cond);
            pthread_mutex_destroy(&d->ctx_lock);
        }
        prn_close(d->prn);
        free(d->drv_priv);
        free(d->opts);
    }
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

/* ---- on the UI thread -------------------------------------------------------------------- */

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

int hub_event(struct hub *h, const struct ev *e)
{
    if (e->kind == EV_PRINTER) {
        int i = (int)(e->i >> 8);
        if (i < 0 || i >= h->n || !h->dev[i].prn)
            return 0;
        prn_event(h->dev[i].prn, e);
        h->dev[i].health = from_printer(prn_state(h->dev[i].prn));
        return 1;
    }
    if (e->kind == EV_CARD) {
        if (h->card < 0 || e->j != h->card)
            return 1; /* another [card.*] instance: only its health counts */
        h->dev[e->j].card_present = e->i != 0;
        return 0; /* the services hear of it too */
    }
    if (e->kind == EV_IDCARD) {
        if (h->idcard >= 0 && e->j == h->idcard)
            return 0; /* the services' */
        if (e->ptr) { /* another [idcard.*] instance's: nobody asked */
            idcard_read_wipe(e->ptr);
            free(e->ptr);
        }
        return 1;
    }
    if (e->kind != EV_DEVICE || e->i < 0 || e->i >= h->n)
        return 0;
    struct dev *d = &h->dev[e->i];
    d->health = (enum health_state)e->j;
    snprintf(d->why, sizeof d->why, "%s", e->text);
    if (d->health == HEALTH_OK)
        log_info("devices", "%s: working", d->name);
    else
        log_warn("devices", "%s: out of service: %s", d->name, d->why);
    return 1;
}

void hub_health(const struct hub *h, struct health *out)
{
    for (int k = 0; k < NCLASSES; k++) {
        if (classes[k].comp == COMP_PRINTER) { /* the receipt printer's */
            out->c[COMP_PRINTER] = h->receipt < 0 ? HEALTH_ABSENT : h->dev[h->receipt].health;
            continue;
        }
        int n = 0, ok = 0, unknown = 0;
        for (int i = 0; i < h->n; i++) {
            if (h->dev[i].cls != &classes[k])
                continue;
            n++;
            ok += h->dev[i].health == HEALTH_OK;
            unknown += h->dev[i].health == HEALTH_UNKNOWN;
        }
        enum health_state st = HEALTH_ABSENT;
        if (n && ok == n)
            st = HEALTH_OK;
        else if (ok)
            st = HEALTH_DEGRADED;
        else if (n && unknown)
            st = HEALTH_UNKNOWN;
        else if (n)
            st = HEALTH_DOWN;
        out->c[classes[k].comp] = st;
    }
}

const char *hub_scanner_problem(const struct hub *h)
{
    struct health hl = {0};
    hub_health(h, &hl);
    switch (hl.c[COMP_SCANNER]) {
    case HEALTH_OK:
    case HEALTH_DEGRADED: return "";
    case HEALTH_ABSENT: return N_("This kiosk has no code scanner.");
    case HEALTH_UNKNOWN: return N_("The code scanner is starting.");
    default: return N_("The code scanner is not working.");
    }
}

const char *hub_instance_name(const struct hub *h, int i)
{
    return i >= 0 && i < h->n ? h->dev[i].name : "script";
}

int hub_instance_count(const struct hub *h)
{
    return h->n;
}

enum health_state hub_instance_health(const struct hub *h, int i, const char **why)
{
    *why = i >= 0 && i < h->n ? h->dev[i].why : "";
    return i >= 0 && i < h->n ? h->dev[i].health : HEALTH_ABSENT;
}

/* 1 for a scanner instance whose driver can show a preview. */
static int previews(const struct dev *d)
{
    return d->ops && ((const struct scanner_ops *)d->drv->ops)->preview;
}

int hub_keyboard(const struct hub *h)
{
    for (int i = 0; i < h->n; i++)
        if (h->dev[i].drv == &scanner_keyboard)
            return i;
    return -1;
}

int hub_has_preview(const struct hub *h)
{
    for (int i = 0; i < h->n; i++)
        if (previews(&h->dev[i]))
            return 1;
    return 0;
}

int hub_preview(struct hub *h, uint8_t *pixels, int maxw, int maxh, struct scan_frame *out)
{
    int got = 0;
    pthread_mutex_lock(&h->lock);
    for (int i = 0; i < h->n && !got; i++) {
        struct dev *d = &h->dev[i];
        if (d->opened && previews(d))
            got = d->ops->preview(d->priv, pixels, maxw, maxh, out);
    }
    pthread_mutex_unlock(&h->lock);
    return got;
}

/* ---- the receipt printer ----------------------------------------------------------------- */

int hub_config_paper_width(const struct hub_config *c)
{
    for (int k = 0; k < c->n; k++)
        if (!strcmp(c->cls[k].name, "printer") && c->cls[k].n > 0)
            return ((const struct printer_common *)c->cls[k].v[0].common)->width_dots;
    return 576;
}

static struct prn *receipt(const struct hub *h)
{
    return h->receipt < 0 ? NULL : h->dev[h->receipt].prn;
}

int hub_printer_test_on_start(const struct hub *h)
{
    return h->receipt >= 0 && h->dev[h->receipt].test_on_start;
}

enum printer_state hub_printer_state(const struct hub *h)
{
    return receipt(h) ? prn_state(receipt(h)) : PRINTER_ABSENT;
}

const char *hub_printer_problem(const struct hub *h)
{
    switch (hub_printer_state(h)) {
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

int hub_print(struct hub *h, const struct bitmap *b, const char *title)
{
    return receipt(h) ? prn_print(receipt(h), b, title) : -1;
}

enum hub_job hub_job_result(struct hub *h, int no, int *ok)
{
    return receipt(h) ? (enum hub_job)prn_job_result(receipt(h), no, ok) : HUB_JOB_PENDING;
}

int hub_printer_check(struct hub *h)
{
    return receipt(h) ? prn_check(receipt(h)) : -1;
}

int hub_printer_answer(const struct hub *h, int check, int *can_print)
{
    return receipt(h) ? prn_answer(receipt(h), check, can_print) : 0;
}

/* ---- the card reader --------------------------------------------------------------------- */

int hub_card_send(struct hub *h, const uint8_t *apdu, size_t n)
{
    if (h->card < 0)
        return -1;
    struct dev *d = &h->dev[h->card];
    if (++h->card_seq <= 0)
        h->card_seq = 1;
    int no = h->card_seq, queued = 0;
    const char *why = "no card on the reader";
    if (n < 4 || n > CARD_APDU_MAX)
        why = "not a command APDU";
    pthread_mutex_lock(&h->lock);
    if (n >= 4 && n <= CARD_APDU_MAX && d->card_present && d->opened && d->queued < CARD_QUEUE) {
        struct card_req *rq = &d->queue[d->queued++];
        rq->no = no;
        rq->n = n;
        memcpy(rq->apdu, apdu, n);
        d->wake_asked = 1;
        pthread_cond_signal(&d->waker_cond);
        queued = 1;
    } else if (d->card_present && !d->opened) {
        why = "the reader is not open";
    } else if (d->card_present && d->queued == CARD_QUEUE) {
        why = "too many commands queued";
    }
    pthread_mutex_unlock(&h->lock);
    if (!queued) {
        log_warn("devices", "%s: APDU %d (%zu bytes) not sent: %s", d->name, no, n, why);
        post_answer(h, d->name, no, -1, NULL);
    }
    return no;
}

int hub_card_present(const struct hub *h)
{
    return h->card >= 0 && h->dev[h->card].card_present;
}

const char *hub_card_problem(const struct hub *h)
{
    struct health hl = {0};
    hub_health(h, &hl);
    switch (hl.c[COMP_CARD_READER]) {
    case HEALTH_OK:
    case HEALTH_DEGRADED: return "";
    case HEALTH_ABSENT: return N_("This kiosk has no card reader.");
    case HEALTH_UNKNOWN: return N_("The card reader is starting.");
    default: return N_("The card reader is not working.");
    }
}
