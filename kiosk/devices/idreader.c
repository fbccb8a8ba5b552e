/* The ID card readers' workers (devices/hub.h "the ID card reader"). A reader is opened (its
 * SAM asked for its status), then, while a service wants readings, polled: each card put on
 * is read once and posted as EV_IDCARD; a card that cannot be read (lifted mid-read, garbage
 * on the line) is tried again at every look until it reads, and its failure posted at most
 * every ID_RETRY_MS. While nobody wants readings, no card is read and the reader is only
 * asked for its SAM's status now and then (a reader that went away is noticed). Nothing a
 * card holds is logged: the log has the instance, the outcome and the time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/sign.h"
#include "hub_int.h"

#define ID_POLL_MS 250      /* between two looks for a card while readings are wanted */
#define ID_IDLE_MS 200      /* a worker that is not wanted looks at its flag this often */
#define ID_ALIVE_MS 10000   /* ... and asks the reader whether it is there this often */
#define ID_RETRY_MS 1500    /* a card that cannot be read is said so at most this often */

static int wanted(struct dev *d)
{
    pthread_mutex_lock(&d->hub->lock);
    int w = d->id_wanted;
    pthread_mutex_unlock(&d->hub->lock);
    return w;
}

static void post_reading(struct dev *d, struct id_read *r)
{
    struct ev e = {.kind = EV_IDCARD, .i = 1, .j = d->index, .ptr = r};
    if (evq_post(d->hub->q, &e) != 0) {
        log_warn("devices", "%s: a reading lost: the event queue is full", d->name);
        idcard_read_wipe(r);
        free(r);
    }
}

static void post_failure(struct dev *d, const char *why)
{
    struct ev e = {.kind = EV_IDCARD, .i = 0, .j = d->index};
    snprintf(e.text, sizeof e.text, "%s", why);
    if (evq_post(d->hub->q, &e) != 0)
        log_warn("devices", "%s: a failed reading lost: the event queue is full", d->name);
}

/* One look while readings are wanted. *posted: this placement's card was read and posted
 * (it is not read again until it has been taken off); *failed_at: when a failed reading was
 * last posted (a card that cannot be read is tried at every look, and said so at most every
 * ID_RETRY_MS). Returns the poll's outcome. */
static int look(struct dev *d, int *posted, int64_t *failed_at, char *err, size_t errcap)
{
    struct id_read *r = calloc(1, sizeof *r);
    if (!r)
        return IDC_NONE;
    int64_t t0 = clock_real_ms();
    int rc = d->idcard->poll(d->priv, r, ID_POLL_MS, err, errcap);
    int ms = (int)(clock_real_ms() - t0);
    if (rc == IDC_READ && !*posted) {
        *posted = 1;
        *failed_at = 0;
        log_info("devices", "%s: a card read in %d ms", d->name, ms);
        post_reading(d, r);
        return rc;
    }
    idcard_read_wipe(r);
    free(r);
    if (rc == IDC_NONE) {
        *posted = 0;
        *failed_at = 0;
    } else if (rc == IDC_FAILED && !*posted &&
               (!*failed_at || clock_real_ms() - *failed_at >= ID_RETRY_MS)) {
        *failed_at = clock_real_ms();
        log_warn("devices", "%s: a card could not be read (%d ms): %s", d->name, ms, err);
        post_failure(d, err);
    }
    return rc;
}

void *idcard_worker(void *arg)
{
    struct dev *d = arg;
    struct reported rep = {HEALTH_UNKNOWN, ""};
    int64_t backoff = REOPEN_FIRST_MS;
    char err[200];
    while (!hub_stopping(d->hub)) {
        err[0] = '\0';
        if (d->idcard->open(d->priv, d->opts, err, sizeof err) != 0) {
            hub_report(d, &rep, HEALTH_DOWN, err[0] ? err : "cannot open");
            hub_nap(d->hub, backoff);
            backoff = backoff * 2 > REOPEN_MAX_MS ? REOPEN_MAX_MS : backoff * 2;
            continue;
        }
        log_info("devices", "%s: open", d->name);
        hub_set_opened(d, 1);
        hub_report(d, &rep, HEALTH_OK, "");
        backoff = REOPEN_FIRST_MS;
        int rc = IDC_NONE, posted = 0;
        int64_t failed_at = 0, alive_at = clock_real_ms();
        while (!hub_stopping(d->hub)) {
            err[0] = '\0';
            if (wanted(d)) {
                rc = look(d, &posted, &failed_at, err, sizeof err);
                alive_at = clock_real_ms();
                if (rc == IDC_GONE)
                    break;
                hub_nap(d->hub, ID_POLL_MS);
            } else if (clock_real_ms() - alive_at >= ID_ALIVE_MS) {
                /* not reading: only whether the reader still answers */
                rc = d->idcard->status(d->priv, err, sizeof err);
                alive_at = clock_real_ms();
                if (rc == IDC_GONE)
                    break;
                posted = 0;
            } else {
                posted = 0;
                hub_nap(d->hub, ID_IDLE_MS);
            }
        }
        hub_set_opened(d, 0);
        d->idcard->close(d->priv);
        if (rc == IDC_GONE) {
            log_warn("devices", "%s: gone: %s", d->name, err);
            hub_report(d, &rep, HEALTH_DOWN, err[0] ? err : "gone");
        }
    }
    return NULL;
}

void hub_idcard_want(struct hub *h, int want)
{
    if (h->idcard < 0)
        return;
    pthread_mutex_lock(&h->lock);
    h->dev[h->idcard].id_wanted = want != 0;
    pthread_mutex_unlock(&h->lock);
}

int hub_has_idcard(const struct hub *h)
{
    return h->idcard >= 0;
}

const char *hub_idcard_problem(const struct hub *h)
{
    if (h->idcard < 0)
        return N_("This kiosk has no ID card reader.");
    switch (h->dev[h->idcard].health) {
    case HEALTH_OK: return "";
    case HEALTH_UNKNOWN: return N_("The ID card reader is starting.");
    default: return N_("The ID card reader is not working.");
    }
}
