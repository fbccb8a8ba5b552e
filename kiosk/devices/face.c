/* The face step (devices/hub.h): a thread of its own judges the first camera's newest frame
 * for a face and keeps the best good one. Frames come through hub_preview() (the camera's
 * newest frame, scaled), so the camera's own capture and decoding go on untouched and a
 * frame the step is too slow for is simply skipped. The detector (face/face.h) is loaded at
 * the first step and kept: loading a cascade costs far more than one frame does. Frames are
 * private: they are wiped when the step stops (the best one when it has been sent, or when
 * the customer's session ends), and never logged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/sign.h"
#include "face/face.h"
#include "hub_int.h"
#include "scanner/camera.h"

#define FACE_IDLE_MS 15     /* a look for a new frame, when there was none */
#define FACE_REPORT_MS 250  /* a report at least this often, changed or not */

struct face_step {
    pthread_t thread;
    int running;                 /* the UI thread's */
    pthread_mutex_t mu;          /* stop, best* */
    int stop;
    struct face_params p;
    struct face_detector *det;   /* the step thread's while it runs */
    char det_path[256];
    uint8_t *frame;              /* the step thread's working frame (p.width x p.height) */
    uint8_t *best;               /* the best good frame so far */
    int best_w, best_h, best_score;
};

static int stop_asked(struct face_step *s)
{
    pthread_mutex_lock(&s->mu);
    int stop = s->stop;
    pthread_mutex_unlock(&s->mu);
    return stop;
}

static void post(struct hub *h, const struct face_report *r)
{
    struct face_report *copy = malloc(sizeof *copy);
    if (!copy)
        return;
    *copy = *r;
    struct ev e = {.kind = EV_FACE, .ptr = copy};
    if (evq_post(h->q, &e) != 0)
        free(copy);
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static void *step_thread(void *arg)
{
    struct hub *h = arg;
    struct face_step *s = h->face;
    char err[96] = "";
    if (!s->det || strcmp(s->det_path, s->p.cascade)) {
        face_detector_close(s->det);
        int64_t t0 = clock_real_ms();
        s->det = face_detector_open(s->p.cascade, err, sizeof err);
        if (!s->det) {
            log_error("face", "no detector: %s", err);
            struct face_report r = {.hint = FACE_NONE, .failed = 1};
            snprintf(r.why, sizeof r.why, "%s", err);
            post(h, &r);
            return NULL;
        }
        snprintf(s->det_path, sizeof s->det_path, "%s", s->p.cascade);
        log_info("face", "detector loaded in %d ms", (int)(clock_real_ms() - t0));
    }
    struct face_limits lim;
    face_limits_default(&lim);
    struct face_report last = {.hint = -1};
    int64_t reported_at = 0;
    uint32_t seq = 0;
    int frames = 0;
    while (!stop_asked(s)) {
        struct scan_frame f = {0};
        if (!hub_preview(h, s->frame, s->p.width, s->p.height, &f) || f.w <= 0 ||
            f.seq == seq) {
            sleep_ms(FACE_IDLE_MS);
            continue;
        }
        seq = f.seq;
        frames++;
        struct face_box boxes[2];
        int min_side = f.w * s->p.min_face_pct / 100;
        int n = face_detect(s->det, s->frame, f.w, f.h, f.w, min_side < 24 ? 24 : min_side,
                            boxes, 2, err, sizeof err);
        struct face_quality q;
        if (n < 0) {
            log_warn("face", "detection failed: %s", err);
            n = 0;
        }
        face_assess(s->frame, f.w, f.h, f.w, boxes, n, &lim, &q);
        pthread_mutex_lock(&s->mu);
        if (q.hint == FACE_OK && q.score > s->best_score) {
            memcpy(s->best, s->frame, (size_t)f.w * (size_t)f.h);
            s->best_w = f.w, s->best_h = f.h, s->best_score = q.score;
        }
        struct face_report r = {.hint = q.hint, .score = q.score, .seen = n > 0,
                                .held = s->best_score > 0};
        pthread_mutex_unlock(&s->mu);
        int64_t now = clock_real_ms();
        if (r.hint != last.hint || r.held != last.held || r.seen != last.seen || now - reported_at >= FACE_REPORT_MS) {
            post(h, &r);
            last = r;
            reported_at = now;
        }
    }
    sign_wipe(s->frame, (size_t)s->p.width * (size_t)s->p.height);
    log_info("face", "stopped after %d frames", frames);
    return NULL;
}

int hub_face_possible(const struct hub *h)
{
    return hub_has_preview(h);
}

/* Wipes and drops the best frame (under s->mu). */
static void drop_best(struct face_step *s)
{
    if (s->best)
        sign_wipe(s->best, (size_t)s->p.width * (size_t)s->p.height);
    s->best_score = 0;
    s->best_w = s->best_h = 0;
}

void hub_face_stop(struct hub *h, int keep)
{
    struct face_step *s = h ? h->face : NULL;
    if (!s)
        return;
    if (s->running) {
        pthread_mutex_lock(&s->mu);
        s->stop = 1;
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
        s->running = 0;
    }
    if (!keep) {
        pthread_mutex_lock(&s->mu);
        drop_best(s);
        pthread_mutex_unlock(&s->mu);
    }
}

int hub_face_start(struct hub *h, const struct face_params *p, char *err, size_t errcap)
{
    if (!hub_face_possible(h)) {
        snprintf(err, errcap, "no camera");
        return -1;
    }
    if (p->width < 16 || p->height < 16 || p->width > CAM_MAX_SIDE || p->height > CAM_MAX_SIDE) {
        snprintf(err, errcap, "a frame size out of range");
        return -1;
    }
    if (!h->face) {
        h->face = calloc(1, sizeof *h->face);
        if (!h->face) {
            snprintf(err, errcap, "out of memory");
            return -1;
        }
        pthread_mutex_init(&h->face->mu, NULL);
    }
    struct face_step *s = h->face;
    hub_face_stop(h, 0);
    size_t size = (size_t)p->width * (size_t)p->height;
    if (!s->frame || s->p.width != p->width || s->p.height != p->height) {
        free(s->frame), free(s->best);
        s->frame = malloc(size);
        s->best = malloc(size);
        if (!s->frame || !s->best) {
            free(s->frame), free(s->best);
            s->frame = s->best = NULL;
            snprintf(err, errcap, "out of memory");
            return -1;
        }
    }
    s->p = *p;
    s->stop = 0;
    if (pthread_create(&s->thread, NULL, step_thread, h) != 0) {
        snprintf(err, errcap, "cannot start its thread");
        return -1;
    }
    s->running = 1;
    return 0;
}

int hub_face_jpeg(struct hub *h, uint8_t **jpeg, size_t *len)
{
    struct face_step *s = h->face;
    if (!s)
        return -1;
    char err[96];
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    if (s->best_score > 0) {
        rc = face_jpeg(s->best, s->best_w, s->best_h, s->best_w, s->p.jpeg_quality, jpeg, len,
                       err, sizeof err);
        if (rc != 0)
            log_warn("face", "the frame could not be encoded: %s", err);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void face_step_free(struct hub *h)
{
    struct face_step *s = h->face;
    if (!s)
        return;
    hub_face_stop(h, 0);
    face_detector_close(s->det);
    if (s->frame)
        sign_wipe(s->frame, (size_t)s->p.width * (size_t)s->p.height);
    free(s->frame);
    free(s->best);
    pthread_mutex_destroy(&s->mu);
    free(s);
    h->face = NULL;
}
