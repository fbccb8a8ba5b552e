/* The camera simulator (camera.h): frames at a set fps, in real time, of a PNG image, blank
 * grey, or drawn by a test's generator; steered while the kiosk runs by a control file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/pngio.h"
#include "scanner/camera.h"

#define MOD "camera:sim"
#define BLANK 128         /* an empty frame */
#define SURROUND 200      /* around an image smaller than the frame */
#define CTL_LINE_MAX 1024 /* a control line; longer ones are dropped */

struct sim {
    int w, h;
    int64_t period_ns;
    struct timespec tick; /* when the next frame is due (CLOCK_MONOTONIC) */
    uint8_t *frame;       /* w * h */
    uint64_t n;           /* frames given */
    cam_draw_fn draw;
    void *user;
    /* control */
    int fd;      /* -1 without one */
    int regular; /* a regular file (else a FIFO) */
    off_t off;   /* how far a regular file has been read */
    char line[CTL_LINE_MAX];
    size_t nline;
    int overlong; /* the line being read is too long: dropped at its end */
    int unplugged;
    char path[512]; /* the control file, for messages */
};

/* What a run of commands leaves: the frame to show and whether the device is there. */
struct sim_state {
    int have_show;  /* a show/blank came */
    char show[512]; /* "" = blank */
    int unplugged;
};

static int64_t ts_ns(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
    struct timespec t = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    return t;
}

/* Shows `path` (a PNG; "" = blank) from now on. A file that cannot be read shows blank. */
static void show(struct sim *s, const char *path)
{
    memset(s->frame, BLANK, (size_t)s->w * (size_t)s->h);
    if (!path[0])
        return;
    struct pngio_image img;
    char err[256];
    if (pngio_read_rgb(path, NULL, &img, err, sizeof err) != 0) {
        log_warn(MOD, "cannot show %s: %s", path, err);
        return;
    }
    /* Scaled down (box average) to fit when larger, centred on a light grey frame. */
    int k = 1;
    while ((img.w + k - 1) / k > s->w || (img.h + k - 1) / k > s->h)
        k++;
    int ow = img.w / k, oh = img.h / k;
    int x0 = (s->w - ow) / 2, y0 = (s->h - oh) / 2;
    if (ow < s->w || oh < s->h)
        memset(s->frame, SURROUND, (size_t)s->w * (size_t)s->h);
    for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++) {
            unsigned acc = 0;
            for (int j = 0; j < k; j++) {
                const unsigned char *p =
                    img.rgb + ((size_t)(y * k + j) * (size_t)img.w + (size_t)x * (size_t)k) * 3;
                for (int i = 0; i < k; i++, p += 3)
                    acc += (77u * p[0] + 150u * p[1] + 29u * p[2] + 128) >> 8; /* BT.601 */
            }
            s->frame[(size_t)(y0 + y) * (size_t)s->w + (size_t)(x0 + x)] =
                (uint8_t)(acc / (unsigned)(k * k));
        }
    pngio_free(&img);
}

/* Applies one control line to *st; 0, or -1 when it is not a command. */
static int parse(struct sim_state *st, char *line)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
        line[--n] = '\0';
    while (*line == ' ' || *line == '\t')
        line++;
    if (!*line || *line == '#')
        return 0;
    if (!strncmp(line, "show ", 5)) {
        const char *p = line + 5;
        while (*p == ' ')
            p++;
        if (!*p || strlen(p) >= sizeof st->show)
            return -1;
        snprintf(st->show, sizeof st->show, "%s", p);
        st->have_show = 1;
    } else if (!strcmp(line, "blank")) {
        st->show[0] = '\0';
        st->have_show = 1;
    } else if (!strcmp(line, "unplug")) {
        st->unplugged = 1;
    } else if (!strcmp(line, "plug")) {
        st->unplugged = 0;
    } else {
        return -1;
    }
    return 0;
}

/* Reads what the control has now and applies each whole line to *st (not to the frame). */
static void read_control(struct sim *s, struct sim_state *st)
{
    char buf[4096];
    struct stat sb;
    if (s->regular && fstat(s->fd, &sb) == 0 && sb.st_size < s->off) {
        /* made shorter (rewritten in place): read it again from its start */
        lseek(s->fd, 0, SEEK_SET);
        s->off = 0;
        s->nline = 0;
        s->overlong = 0;
    }
    for (;;) {
        ssize_t got = read(s->fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) /* EAGAIN, the end of the file for now, or an error: later */
            return;
        s->off += got;
        for (ssize_t i = 0; i < got; i++) {
            char c = buf[i];
            if (c != '\n') {
                if (s->nline + 1 < sizeof s->line)
                    s->line[s->nline++] = c;
                else
                    s->overlong = 1;
                continue;
            }
            s->line[s->nline] = '\0';
            if (s->overlong)
                log_warn(MOD, "%s: a line longer than %d bytes: dropped", s->path, CTL_LINE_MAX);
            else if (parse(st, s->line) != 0)
                log_warn(MOD, "%s: not a command: %.60s", s->path, s->line);
            s->nline = 0;
            s->overlong = 0;
        }
    }
}

static void sim_close(void *st)
{
    struct sim *s = st;
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s->frame);
    free(s);
}

static int sim_open(void **out, const struct camera_opts *o, int *w, int *h, char *err,
                    size_t errcap)
{
    if (o->width < 16 || o->height < 16 || o->width > CAM_MAX_SIDE || o->height > CAM_MAX_SIDE ||
        o->fps < 1 || o->fps > 1000) {
        snprintf(err, errcap, "sim: bad frame size or fps (%dx%d @ %d)", o->width, o->height,
                 o->fps);
        return -1;
    }
    struct sim *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errcap, "sim: out of memory");
        return -1;
    }
    s->fd = -1;
    s->w = o->width;
    s->h = o->height;
    s->period_ns = 1000000000 / o->fps;
    s->draw = o->sim_draw;
    s->user = o->sim_user;
    s->frame = calloc((size_t)s->w, (size_t)s->h);
    if (!s->frame) {
        snprintf(err, errcap, "sim: out of memory");
        sim_close(s);
        return -1;
    }

    struct sim_state st = {0};
    if (o->sim_control[0]) {
        snprintf(s->path, sizeof s->path, "%s", o->sim_control);
        s->fd = open(o->sim_control, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        struct stat sb;
        if (s->fd < 0 || fstat(s->fd, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISFIFO(sb.st_mode))) {
            snprintf(err, errcap, "sim: control %s: %s", o->sim_control,
                     s->fd < 0 ? strerror(errno) : "not a file or FIFO");
            sim_close(s);
            return -1;
        }
        s->regular = S_ISREG(sb.st_mode);
        /* A file is read from its start: what it says now is the state to start in. */
        read_control(s, &st);
        if (st.unplugged) {
            snprintf(err, errcap, "sim: unplugged (its control says so)");
            sim_close(s);
            return -1;
        }
    }
    if (!s->draw)
        show(s, st.have_show ? st.show : o->sim_frames);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    s->tick = now;
    *w = s->w;
    *h = s->h;
    *out = s;
    return 0;
}

static int sim_next(void *st, struct cam_frame *f, int timeout_ms, char *err, size_t errcap)
{
    struct sim *s = st;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t due = ts_ns(&s->tick),
            limit = ts_ns(&now) + (int64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000000;
    if (due > limit) {
        struct timespec t = ns_ts(limit);
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
            ;
        return CAM_NONE;
    }
    struct timespec t = s->tick;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
        ;
    /* The next tick; a late frame is not made up for. */
    clock_gettime(CLOCK_MONOTONIC, &now);
    due += s->period_ns;
    if (due < ts_ns(&now))
        due = ts_ns(&now) + s->period_ns;
    s->tick = ns_ts(due);

    if (s->fd >= 0) {
        struct sim_state cmd = {.unplugged = s->unplugged};
        read_control(s, &cmd);
        s->unplugged = cmd.unplugged;
        if (cmd.have_show && !s->draw)
            show(s, cmd.show);
    }
    if (s->unplugged) {
        snprintf(err, errcap, "sim: unplugged");
        return CAM_GONE;
    }
    if (s->draw)
        s->draw(s->user, s->frame, s->w, s->h, s->n);
    s->n++;
    f->y = s->frame;
    f->stride = s->w;
    return CAM_FRAME;
}

const struct cam_source_ops cam_source_sim = {
    .name = "sim",
    .open = sim_open,
    .next = sim_next,
    .close = sim_close,
};
