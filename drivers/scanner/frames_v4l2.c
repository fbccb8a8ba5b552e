/* Camera frames from V4L2 through libv4l2 (camera.h); the only module that uses libv4l2.
 *
 * libv4l2 converts what the camera sends (YUYV, MJPEG, Bayer, ...) into a format we ask for.
 * We ask for GREY (cameras that give it natively) and then YUV420 (which libv4l2 makes from
 * anything), and take the Y plane. Streaming I/O (mmap buffers) where the device has it,
 * read() otherwise. Every wait is a poll() with the caller's timeout; ENODEV and EIO (and any
 * other failure of the stream) mean the camera went away. */
#include <errno.h>
#include <fcntl.h>
#include <libv4l2.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/log.h"
#include "scanner/camera.h"

#define MOD "camera:v4l2"
#define NBUFS 4

struct v4l2_src {
    int fd;
    int w, h, stride;
    uint32_t fourcc; /* GREY or YUV420 */
    size_t need;     /* bytes of a whole Y plane */
    int streaming;   /* mmap buffers (else read()) */
    int on;          /* STREAMON done */
    struct {
        void *p;
        size_t len;
    } buf[NBUFS];
    int nbufs;
    int held;    /* the buffer handed out by next(), requeued at the next call; -1 */
    uint8_t *rd; /* read(): the frame */
    size_t rdcap;
    char dev[256];
};

static int xioctl(int fd, unsigned long req, void *arg)
{
    int r;
    do
        r = v4l2_ioctl(fd, req, arg);
    while (r < 0 && errno == EINTR);
    return r;
}

static void v4l2_src_close(void *st)
{
    struct v4l2_src *s = st;
    if (!s)
        return;
    if (s->on) {
        enum v4l2_buf_type t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        xioctl(s->fd, VIDIOC_STREAMOFF, &t);
    }
    for (int i = 0; i < s->nbufs; i++)
        if (s->buf[i].p && s->buf[i].p != MAP_FAILED)
            v4l2_munmap(s->buf[i].p, s->buf[i].len);
    if (s->streaming) { /* give the buffers back to the driver */
        struct v4l2_requestbuffers rb = {
            .count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
        xioctl(s->fd, VIDIOC_REQBUFS, &rb);
    }
    if (s->fd >= 0)
        v4l2_close(s->fd);
    free(s->rd);
    free(s);
}

/* Asks for `fourcc` at the wanted size; 0 when the device (or libv4l2) gives it. */
static int try_format(struct v4l2_src *s, uint32_t fourcc, int w, int h)
{
    struct v4l2_format f = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    f.fmt.pix.width = (uint32_t)w;
    f.fmt.pix.height = (uint32_t)h;
    f.fmt.pix.pixelformat = fourcc;
    f.fmt.pix.field = V4L2_FIELD_NONE;
    if (xioctl(s->fd, VIDIOC_S_FMT, &f) != 0 || f.fmt.pix.pixelformat != fourcc)
        return -1;
    s->w = (int)f.fmt.pix.width;
    s->h = (int)f.fmt.pix.height;
    s->stride = (int)f.fmt.pix.bytesperline;
    if (s->stride < s->w)
        s->stride = s->w;
    s->fourcc = fourcc;
    return 0;
}

static int fail(struct v4l2_src *s, char *err, size_t errcap, const char *what)
{
    snprintf(err, errcap, "%s: %s: %s", s->dev, what, strerror(errno));
    v4l2_src_close(s);
    return -1;
}

static int v4l2_src_open(void **out, const struct camera_opts *o, int *w, int *h, char *err,
                         size_t errcap)
{
    struct v4l2_src *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errcap, "v4l2: out of memory");
        return -1;
    }
    s->held = -1;
    snprintf(s->dev, sizeof s->dev, "%s", o->device);
    s->fd = v4l2_open(o->device, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (s->fd < 0)
        return fail(s, err, errcap, "open");

    struct v4l2_capability cap;
    memset(&cap, 0, sizeof cap);
    if (xioctl(s->fd, VIDIOC_QUERYCAP, &cap) != 0)
        return fail(s, err, errcap, "not a V4L2 device");
    uint32_t caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE)) {
        errno = ENODEV;
        return fail(s, err, errcap, "not a video capture device");
    }
    if (try_format(s, V4L2_PIX_FMT_GREY, o->width, o->height) != 0 &&
        try_format(s, V4L2_PIX_FMT_YUV420, o->width, o->height) != 0) {
        errno = EINVAL;
        return fail(s, err, errcap, "gives neither GREY nor YUV420");
    }
    if (s->w < 16 || s->h < 16 || s->w > CAM_MAX_SIDE || s->h > CAM_MAX_SIDE) {
        errno = EINVAL;
        return fail(s, err, errcap, "frame size out of range");
    }
    s->need = (size_t)s->stride * (size_t)(s->h - 1) + (size_t)s->w;

    /* The frame rate is a wish: cameras that cannot set it keep their own. */
    struct v4l2_streamparm parm = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    parm.parm.capture.timeperframe.numerator = 1;
    parm.parm.capture.timeperframe.denominator = (uint32_t)o->fps;
    if (xioctl(s->fd, VIDIOC_S_PARM, &parm) != 0)
        log_debug(MOD, "%s: cannot set %d fps: %s", s->dev, o->fps, strerror(errno));

    struct v4l2_requestbuffers rb = {
        .count = NBUFS, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
    if ((caps & V4L2_CAP_STREAMING) && xioctl(s->fd, VIDIOC_REQBUFS, &rb) == 0 && rb.count > 0) {
        s->streaming = 1;
        s->nbufs = rb.count > NBUFS ? NBUFS : (int)rb.count;
        for (int i = 0; i < s->nbufs; i++) {
            struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
                                    .memory = V4L2_MEMORY_MMAP,
                                    .index = (uint32_t)i};
            if (xioctl(s->fd, VIDIOC_QUERYBUF, &b) != 0)
                return fail(s, err, errcap, "QUERYBUF");
            s->buf[i].len = b.length;
            s->buf[i].p =
                v4l2_mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, b.m.offset);
            if (s->buf[i].p == MAP_FAILED)
                return fail(s, err, errcap, "mmap");
            if (xioctl(s->fd, VIDIOC_QBUF, &b) != 0)
                return fail(s, err, errcap, "QBUF");
        }
        enum v4l2_buf_type t = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (xioctl(s->fd, VIDIOC_STREAMON, &t) != 0)
            return fail(s, err, errcap, "STREAMON");
        s->on = 1;
    } else {
        /* libv4l2 emulates read() on devices without it. */
        struct v4l2_format f = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
        if (xioctl(s->fd, VIDIOC_G_FMT, &f) != 0)
            return fail(s, err, errcap, "G_FMT");
        s->rdcap = f.fmt.pix.sizeimage > s->need ? f.fmt.pix.sizeimage : s->need;
        s->rd = malloc(s->rdcap);
        if (!s->rd) {
            errno = ENOMEM;
            return fail(s, err, errcap, "frame buffer");
        }
    }
    log_info(MOD, "%s (%.32s): %dx%d %s, %s", s->dev, (const char *)cap.card, s->w, s->h,
             s->fourcc == V4L2_PIX_FMT_GREY ? "GREY" : "YUV420 (Y plane)",
             s->streaming ? "mmap" : "read");
    *w = s->w;
    *h = s->h;
    *out = s;
    return 0;
}

static int gone(const char *dev, const char *what, char *err, size_t errcap)
{
    snprintf(err, errcap, "%s: %s: %s", dev, what, strerror(errno));
    return CAM_GONE;
}

static int v4l2_src_next(void *st, struct cam_frame *f, int timeout_ms, char *err, size_t errcap)
{
    struct v4l2_src *s = st;
    if (s->held >= 0) {
        struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
                                .memory = V4L2_MEMORY_MMAP,
                                .index = (uint32_t)s->held};
        s->held = -1;
        if (xioctl(s->fd, VIDIOC_QBUF, &b) != 0)
            return gone(s->dev, "QBUF", err, errcap);
    }
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    int r = poll(&p, 1, timeout_ms < 0 ? 0 : timeout_ms);
    if (r < 0)
        return errno == EINTR ? CAM_NONE : gone(s->dev, "poll", err, errcap);
    if (r == 0)
        return CAM_NONE;
    if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
        errno = ENODEV;
        return gone(s->dev, "poll", err, errcap);
    }

    if (!s->streaming) {
        ssize_t n = v4l2_read(s->fd, s->rd, s->rdcap);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? CAM_NONE : gone(s->dev, "read", err, errcap);
        if ((size_t)n < s->need)
            return CAM_NONE; /* a short frame: skipped */
        f->y = s->rd;
        f->stride = s->stride;
        return CAM_FRAME;
    }

    struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
    if (xioctl(s->fd, VIDIOC_DQBUF, &b) != 0)
        return errno == EAGAIN ? CAM_NONE : gone(s->dev, "DQBUF", err, errcap);
    if (b.index >= (uint32_t)s->nbufs) {
        errno = EIO;
        return gone(s->dev, "DQBUF index", err, errcap);
    }
    s->held = (int)b.index;
    /* A frame the driver flags as damaged, or too short for a whole Y plane, is skipped (its
     * buffer goes back at the next call). */
    size_t used = b.bytesused ? b.bytesused : s->buf[b.index].len;
    if ((b.flags & V4L2_BUF_FLAG_ERROR) || used < s->need || s->buf[b.index].len < s->need)
        return CAM_NONE;
    f->y = s->buf[b.index].p;
    f->stride = s->stride;
    return CAM_FRAME;
}

const struct cam_source_ops cam_source_v4l2 = {
    .name = "v4l2",
    .open = v4l2_src_open,
    .next = v4l2_src_next,
    .close = v4l2_src_close,
};
