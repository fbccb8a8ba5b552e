/* The camera code scanner (scanner.h, camera.h): frames from a source (V4L2 or the
 * simulator), decoded with ZBar, debounced.
 *
 * Threads. open() starts a capture thread that takes frames from the source and publishes
 * each into a single slot (`newest`), overwriting what was there: while the decoder is busy
 * frames are dropped, never queued, so a scan is never older than one decode. read(), on the
 * hub's worker, is the decode thread: it waits (a condition variable, bounded by its timeout)
 * for a frame newer than the last it took, copies it out of the slot, decodes it and applies
 * the debounce. preview() (the UI thread) scales the slot under the same mutex. close() stops
 * the capture thread (it looks at its stop flag at least every CAPTURE_WAIT_MS) and joins it.
 *
 * A still scene is not decoded again and again. ZBar takes tens of milliseconds over a noisy
 * 1280x720 frame (twice when nothing is found: normal and inverted), which at 30 fps keeps a
 * core busy all day in front of an empty kiosk. So each frame is summarised by the mean grey
 * of its 32x32 blocks (well under a millisecond); when the last decoded frame held nothing
 * at all and no block has moved by STILL_DIFF grey levels since, the frame is skipped. A code
 * coming into view changes its blocks by far more; frames are still decoded at least every
 * STILL_RECHECK_MS; and while anything is in view every frame is decoded, so the debounce
 * sees a code for as long as it stays. A scene that moves but holds no code (someone
 * walking past) is decoded at idle_fps, not at the camera's rate: a code coming into view
 * waits at most one such interval, and an empty forecourt does not keep a core busy.
 *
 * Frames are timed on the real clock (clock_real_ms), not the kiosk's: the debounce measures
 * how long a code was physically out of view, and a script that moves the kiosk's clock on
 * (`advance`) while a phone is held up has not taken it away.
 *
 * preview() and camera_stats() may come from another thread at any time, even while the
 * worker closes or reopens the device: a lock of this file's (`life`) orders them against
 * open and close, so they see either a whole open instance or none. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "scanner/camera.h"
#include "scanner/scanner.h"

#define MOD "camera"
#define CAPTURE_WAIT_MS 100   /* the longest a capture thread waits for a frame at once */
#define STILL_BLOCK 32        /* pixels a side of the blocks whose means compare frames */
#define STILL_DIFF 4          /* grey levels a block's mean moves by in a new scene */
#define STILL_RECHECK_MS 1000 /* a still scene is decoded again at least this often */

#define STR(n, f, d, h) CFG_STR_OPT(struct camera_opts, NULL, n, f, d, h)
#define INT(n, f, d, lo, hi, h) CFG_INT_OPT(struct camera_opts, NULL, n, f, d, lo, hi, h)
#define BOOL(n, f, d, h) CFG_BOOL_OPT(struct camera_opts, NULL, n, f, d, h)
#define ENUM(n, f, d, ch, h) CFG_ENUM_OPT(struct camera_opts, NULL, n, f, d, ch, h)

const struct cfg_option camera_options[] = {
    ENUM("source", source, "v4l2", "v4l2|sim",
         "where frames come from: a V4L2 camera, or the simulator (sim_frames, sim_control)"),
    STR("device", device, "/dev/video0", "V4L2 device node"),
    INT("width", width, "1280", 160, 4096,
        "frame width asked of the camera (it may give another; the simulator's frames are "
        "this wide)"),
    INT("height", height, "720", 120, 4096, "frame height, likewise"),
    INT("fps", fps, "30", 1, 120, "frames a second asked of the camera (the simulator's rate)"),
    STR("symbologies", symbologies, "qr,ean13,ean8,code128",
        "codes to read, a comma list of qr, ean13, ean8, code128 (all others are off)"),
    BOOL("inverted", inverted, "true", "also read white-on-black codes (phones in dark mode)"),
    INT("repeat_ms", repeat_ms, "1500", 0, 60000,
        "a code held in view scans once; it scans again after being out of view this long"),
    INT("idle_fps", idle_fps, "10", 1, 120,
        "frames decoded a second while nothing is in view (someone walking past): a code "
        "coming into view waits at most one such interval"),
    STR("sim_frames", sim_frames, "",
        "simulator: PNG image shown from the start; empty = a blank grey frame"),
    STR("sim_control", sim_control, "",
        "simulator: file or FIFO of commands (show FILE.png, blank, unplug, plug), read as it "
        "grows; empty = none"),
    {0},
};

struct camera {
    int live; /* open; guarded by `life` */
    struct camera_opts o;
    const struct cam_source_ops *src;
    void *src_st;
    int w, h;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    /* guarded by mu */
    uint8_t *newest;   /* the slot: the newest frame, w * h */
    uint32_t seq;      /* frames published */
    uint32_t taken;    /* the seq read() took last */
    int64_t newest_ms; /* when the newest frame was published (clock_real_ms) */
    int gone;          /* the source went away: why */
    char why[160];
    int stop;
    struct camera_stats st;
    /* the capture thread's */
    uint8_t *back;
    /* read()'s */
    uint8_t *work;
    struct zdec *dec;
    struct debounce deb;
    uint8_t *sig, *sig_new; /* block means: of the last decoded frame, of the one taken */
    int sigw, sigh;
    int64_t sig_ms; /* when the last decoded frame was published */
    int sig_empty;  /* it held nothing (no code, nothing refused) */
};

static pthread_mutex_t life = PTHREAD_MUTEX_INITIALIZER;

const struct cam_source_ops *cam_source_find(const char *name)
{
    static const struct cam_source_ops *const sources[] = {&cam_source_v4l2, &cam_source_sim};
    for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
        if (name && !strcmp(sources[i]->name, name))
            return sources[i];
    return NULL;
}

static void *capture_main(void *arg)
{
    struct camera *c = arg;
    char err[160] = "";
    for (;;) {
        pthread_mutex_lock(&c->mu);
        int stop = c->stop;
        pthread_mutex_unlock(&c->mu);
        if (stop)
            break;
        struct cam_frame f;
        int r = c->src->next(c->src_st, &f, CAPTURE_WAIT_MS, err, sizeof err);
        if (r == CAM_NONE)
            continue;
        if (r != CAM_FRAME) {
            log_warn(MOD, "the camera went away: %s", err);
            pthread_mutex_lock(&c->mu);
            c->gone = 1;
            snprintf(c->why, sizeof c->why, "%s", err[0] ? err : "the camera went away");
            pthread_cond_broadcast(&c->cond);
            pthread_mutex_unlock(&c->mu);
            break;
        }
        for (int y = 0; y < c->h; y++)
            memcpy(c->back + (size_t)y * (size_t)c->w, f.y + (size_t)y * (size_t)f.stride,
                   (size_t)c->w);
        pthread_mutex_lock(&c->mu);
        uint8_t *t = c->newest;
        c->newest = c->back;
        c->back = t;
        if (c->seq != c->taken)
            c->st.dropped++;
        c->seq++;
        c->st.frames++;
        c->newest_ms = clock_real_ms();
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->mu);
    }
    return NULL;
}

/* Releases what open() took, in reverse; the capture thread is not running. */
static void release(struct camera *c)
{
    if (c->src_st)
        c->src->close(c->src_st);
    zdec_destroy(c->dec);
    free(c->newest);
    free(c->back);
    free(c->work);
    free(c->sig);
    free(c->sig_new);
    debounce_clear(&c->deb);
    pthread_mutex_lock(&life); /* `live` is read under it */
    memset(c, 0, sizeof *c);
    pthread_mutex_unlock(&life);
}

static int camera_open(void *priv, const void *opts, char *err, size_t errcap)
{
    struct camera *c = priv;
    const struct camera_opts *o = opts;
    unsigned mask;
    if (zdec_symbologies(o->symbologies, &mask, err, errcap) != 0)
        return -1;
    const struct cam_source_ops *src = cam_source_find(o->source);
    if (!src) {
        snprintf(err, errcap, "source: unknown '%.20s' (v4l2, sim)", o->source);
        return -1;
    }
    if (o->idle_fps < 1 || o->idle_fps > 120) {
        snprintf(err, errcap, "idle_fps: %d is outside 1..120", o->idle_fps);
        return -1;
    }
    c->o = *o;
    c->src = src;
    if (src->open(&c->src_st, &c->o, &c->w, &c->h, err, errcap) != 0) {
        c->src_st = NULL;
        release(c);
        return -1;
    }
    size_t n = (size_t)c->w * (size_t)c->h;
    c->newest = calloc(n, 1);
    c->back = calloc(n, 1);
    c->work = calloc(n, 1);
    c->sigw = (c->w + STILL_BLOCK - 1) / STILL_BLOCK;
    c->sigh = (c->h + STILL_BLOCK - 1) / STILL_BLOCK;
    c->sig = calloc((size_t)c->sigw * (size_t)c->sigh, 1);
    c->sig_new = calloc((size_t)c->sigw * (size_t)c->sigh, 1);
    c->dec = zdec_create(mask, o->inverted);
    if (!c->newest || !c->back || !c->work || !c->sig || !c->sig_new || !c->dec) {
        snprintf(err, errcap, "out of memory");
        release(c);
        return -1;
    }
    debounce_init(&c->deb, o->repeat_ms);
    c->st.w = c->w;
    c->st.h = c->h;

    pthread_condattr_t ca;
    int rc = pthread_condattr_init(&ca);
    if (rc == 0) {
        rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        if (rc == 0)
            rc = pthread_cond_init(&c->cond, &ca);
        pthread_condattr_destroy(&ca);
    }
    if (rc != 0) {
        snprintf(err, errcap, "condition variable: %s", strerror(rc));
        release(c);
        return -1;
    }
    pthread_mutex_init(&c->mu, NULL);
    rc = pthread_create(&c->thread, NULL, capture_main, c);
    if (rc != 0) {
        snprintf(err, errcap, "capture thread: %s", strerror(rc));
        pthread_cond_destroy(&c->cond);
        pthread_mutex_destroy(&c->mu);
        release(c);
        return -1;
    }
    pthread_mutex_lock(&life);
    c->live = 1;
    pthread_mutex_unlock(&life);
    log_info(MOD, "open: %s %dx%d at %d fps, %s%s, repeat %d ms", src->name, c->w, c->h, o->fps,
             o->symbologies, o->inverted ? " (and inverted)" : "", o->repeat_ms);
    return 0;
}

static void camera_close(void *priv)
{
    struct camera *c = priv;
    pthread_mutex_lock(&life);
    c->live = 0; /* preview and stats keep away from here on */
    pthread_mutex_unlock(&life);
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->mu);
    log_info(MOD, "closed after %llu frames (%llu decoded, %llu still, %llu dropped), %llu scans",
             (unsigned long long)c->st.frames, (unsigned long long)c->st.decoded,
             (unsigned long long)c->st.skipped, (unsigned long long)c->st.dropped,
             (unsigned long long)c->st.scans);
    release(c);
}

static struct timespec deadline_after(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000;
    if (t.tv_nsec >= 1000000000) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000;
    }
    return t;
}

static int past(const struct timespec *dl)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > dl->tv_sec || (now.tv_sec == dl->tv_sec && now.tv_nsec >= dl->tv_nsec);
}

static int64_t now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* Waits until `dl` for a frame newer than the last taken and copies it into work. 1 with its
 * time in *t_ms, 0 at the deadline, -1 when the source is gone (err). */
static int take_frame(struct camera *c, const struct timespec *dl, int64_t *t_ms, char *err,
                      size_t errcap)
{
    pthread_mutex_lock(&c->mu);
    while (!c->gone && c->seq == c->taken)
        if (pthread_cond_timedwait(&c->cond, &c->mu, dl) == ETIMEDOUT)
            break;
    int r = 0;
    if (c->gone) {
        snprintf(err, errcap, "%s", c->why);
        r = -1;
    } else if (c->seq != c->taken) {
        memcpy(c->work, c->newest, (size_t)c->w * (size_t)c->h);
        c->taken = c->seq;
        *t_ms = c->newest_ms;
        r = 1;
    }
    pthread_mutex_unlock(&c->mu);
    return r;
}

/* The mean grey of each STILL_BLOCK square of the w x h frame `px` into sig (sigw x sigh). */
static void signature(const uint8_t *px, int w, int h, uint8_t *sig, int sigw)
{
    uint32_t acc[(CAM_MAX_SIDE + STILL_BLOCK - 1) / STILL_BLOCK];
    for (int by = 0; by * STILL_BLOCK < h; by++) {
        memset(acc, 0, sizeof acc[0] * (size_t)sigw);
        int y1 = (by + 1) * STILL_BLOCK < h ? (by + 1) * STILL_BLOCK : h;
        for (int y = by * STILL_BLOCK; y < y1; y++) {
            const uint8_t *row = px + (size_t)y * (size_t)w;
            for (int x = 0; x < w; x++)
                acc[x / STILL_BLOCK] += row[x];
        }
        int rows = y1 - by * STILL_BLOCK;
        for (int bx = 0; bx < sigw; bx++) {
            int cols = (bx + 1) * STILL_BLOCK < w ? STILL_BLOCK : w - bx * STILL_BLOCK;
            sig[by * sigw + bx] = (uint8_t)(acc[bx] / (uint32_t)(rows * cols));
        }
    }
}

/* 1 when the frame in work shows the same still scene as the last decoded one, which held
 * nothing: it need not be decoded. Its signature is left in sig_new. */
static int still(struct camera *c, int64_t t_ms)
{
    signature(c->work, c->w, c->h, c->sig_new, c->sigw);
    if (!c->sig_empty || t_ms - c->sig_ms >= STILL_RECHECK_MS)
        return 0;
    size_t n = (size_t)c->sigw * (size_t)c->sigh;
    for (size_t i = 0; i < n; i++)
        if (abs(c->sig_new[i] - c->sig[i]) >= STILL_DIFF)
            return 0;
    return 1;
}

static int camera_read(void *priv, struct scan_read *out, int timeout_ms, char *err, size_t errcap)
{
    struct camera *c = priv;
    const struct timespec dl = deadline_after(timeout_ms < 0 ? 0 : timeout_ms);
    for (;;) {
        int64_t t_ms = 0;
        int got = take_frame(c, &dl, &t_ms, err, errcap);
        if (got < 0)
            return SCAN_GONE;
        if (got == 0)
            return SCAN_NONE;

        if (still(c, t_ms) || (c->sig_empty && t_ms - c->sig_ms < 1000 / c->o.idle_fps)) {
            pthread_mutex_lock(&c->mu);
            c->st.skipped++;
            pthread_mutex_unlock(&c->mu);
            if (past(&dl))
                return SCAN_NONE;
            continue;
        }
        struct zdec_read r;
        int64_t t0 = now_us();
        int res = zdec_frame(c->dec, c->work, c->w, c->h, c->w, &r);
        int64_t spent = now_us() - t0;
        uint8_t *t = c->sig;
        c->sig = c->sig_new;
        c->sig_new = t;
        c->sig_ms = t_ms;
        c->sig_empty = res == ZDEC_NONE;
        int report = 0;
        if (res != ZDEC_NONE) {
            /* Every code in view counts as seen, so one that shared a frame with another is
             * not read alone while it stays (which one was meant is not guessed). */
            for (int i = 0; i < r.nkeys; i++)
                if (r.keys[i] != r.key)
                    debounce_seen(&c->deb, r.keys[i], t_ms);
            report = debounce_seen(&c->deb, r.key, t_ms);
        }
        if (report) {
            memset(out, 0, sizeof *out);
            if (res == ZDEC_CODE) {
                memcpy(out->text, r.text, sizeof out->text);
                log_info(MOD, "scan: %s, %zu bytes%s", zdec_sym_name(r.sym), r.len,
                         r.inverted ? ", inverted" : "");
            } else {
                out->refused = 1;
                snprintf(out->why, sizeof out->why, "%s", r.why);
                log_info(MOD, "refused: %s", r.why);
            }
        }
        zdec_read_wipe(&r);

        pthread_mutex_lock(&c->mu);
        c->st.decoded++;
        c->st.decode_us = spent;
        if (report) {
            c->st.scans++;
            c->st.scan_frame_ms = t_ms;
            c->st.scan_ms = clock_real_ms();
        }
        pthread_mutex_unlock(&c->mu);
        if (report)
            return SCAN_CODE;
        if (past(&dl))
            return SCAN_NONE; /* the time is up: no new frame is started */
    }
}

/* Box-scales w x h into ow x oh (sampling at most 4 x 4 pixels of each box). */
static void scale(const uint8_t *src, int w, int h, uint8_t *dst, int ow, int oh)
{
    for (int oy = 0; oy < oh; oy++) {
        int y0 = (int)((int64_t)oy * h / oh), y1 = (int)((int64_t)(oy + 1) * h / oh);
        y1 = y1 > y0 ? y1 : y0 + 1;
        int ys = (y1 - y0 + 3) / 4;
        for (int ox = 0; ox < ow; ox++) {
            int x0 = (int)((int64_t)ox * w / ow), x1 = (int)((int64_t)(ox + 1) * w / ow);
            x1 = x1 > x0 ? x1 : x0 + 1;
            int xs = (x1 - x0 + 3) / 4;
            unsigned sum = 0, cnt = 0;
            for (int y = y0; y < y1; y += ys)
                for (int x = x0; x < x1; x += xs, cnt++)
                    sum += src[(size_t)y * (size_t)w + (size_t)x];
            dst[(size_t)oy * (size_t)ow + (size_t)ox] = (uint8_t)(sum / cnt);
        }
    }
}

static int camera_preview(void *priv, uint8_t *pixels, int maxw, int maxh, struct scan_frame *out)
{
    struct camera *c = priv;
    int shown = 0;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&life);
    if (c->live && maxw > 0 && maxh > 0) {
        pthread_mutex_lock(&c->mu);
        if (c->st.frames > 0) {
            int ow, oh;
            if ((int64_t)c->w * maxh <= (int64_t)c->h * maxw) {
                oh = maxh;
                ow = (int)((int64_t)c->w * maxh / c->h);
            } else {
                ow = maxw;
                oh = (int)((int64_t)c->h * maxw / c->w);
            }
            ow = ow < 1 ? 1 : ow;
            oh = oh < 1 ? 1 : oh;
            scale(c->newest, c->w, c->h, pixels, ow, oh);
            out->w = ow;
            out->h = oh;
            out->seq = c->seq;
            shown = 1;
        }
        pthread_mutex_unlock(&c->mu);
    }
    pthread_mutex_unlock(&life);
    return shown;
}

void camera_stats(void *priv, struct camera_stats *out)
{
    struct camera *c = priv;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&life);
    if (c->live) {
        pthread_mutex_lock(&c->mu);
        *out = c->st;
        pthread_mutex_unlock(&c->mu);
    }
    pthread_mutex_unlock(&life);
}

static const struct scanner_ops camera_ops = {
    .open = camera_open,
    .read = camera_read,
    .preview = camera_preview,
    .close = camera_close,
};

const struct dev_driver scanner_camera = {
    .name = "camera",
    .options = camera_options,
    .opts_size = sizeof(struct camera_opts),
    .priv_size = sizeof(struct camera),
    .ops = &camera_ops,
};
