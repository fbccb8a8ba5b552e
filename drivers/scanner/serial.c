/* The serial scanner driver: a payment-code imager on a serial line (an RS-232 port, or a
 * USB imager in CDC-ACM / virtual COM mode: /dev/ttyACM0, /dev/ttyUSB0, or better a udev
 * symlink that keeps its name across replugs). The tty is raw, 8 data bits, 1 stop bit,
 * the configured parity and speed, no flow control; each line the imager sends is framed
 * into one scan by scanner/lineframe.h. A byte with a parity error reads as a NUL, which
 * refuses its whole line (nothing is dropped from the middle of a code).
 *
 * Runs on the hub's worker thread: read() waits with poll() for at most its timeout, and
 * never past the framer's deadline for a partial line. The clock is clock_real_ms() (the
 * device runs in real time, not on the kiosk's test clock). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "device/serial.h"
#include "scanner/lineframe.h"
#include "scanner/scanner.h"
#include "core/sign.h"

/* The options block: keys of the instance's section ([scanner.<name>]). */
struct serial_opts {
    char device[256];       /* the tty's path */
    char baud[8];           /* one of the CFG_ENUM choices, as text */
    char parity[8];         /* none|even|odd */
    char suffix[8];         /* cr|lf|crlf */
    int partial_timeout_ms; /* a line without its suffix is dropped after this */
};

static const struct cfg_option serial_options[] = {
    CFG_STR_OPT(struct serial_opts, NULL, "device", device, "/dev/ttyACM0",
                "the imager's serial device (a udev symlink keeps its name across replugs)"),
    CFG_ENUM_OPT(struct serial_opts, NULL, "baud", baud, "9600", "9600|19200|38400|57600|115200",
                 "line speed in baud, as set in the imager"),
    CFG_ENUM_OPT(struct serial_opts, NULL, "parity", parity, "none", "none|even|odd",
                 "parity, as set in the imager (always 8 data bits, 1 stop bit)"),
    CFG_ENUM_OPT(struct serial_opts, NULL, "suffix", suffix, "cr", "cr|lf|crlf",
                 "what the imager sends after each code"),
    CFG_INT_OPT(struct serial_opts, NULL, "partial_timeout_ms", partial_timeout_ms, "500", 50,
                10000,
                "a line still without its suffix this long after its first byte is "
                "dropped and the customer asked to scan again"),
    {0},
};

/* One open imager (the hub's priv block, zeroed before open). */
struct serial {
    int fd;
    struct lineframe lf;
    uint8_t in[256]; /* bytes read but not framed yet: in[pos..len) */
    size_t pos, len;
    int64_t in_ms; /* when they were read */
};

/* "<what>: <errno in words>" into err. */
static void say_errno(char *err, size_t errcap, const char *what, int e)
{
    char buf[128];
    snprintf(err, errcap, "%s: %s", what, serial_errno_words(e, buf, sizeof buf));
}

static int serial_open(void *priv, const void *opts, char *err, size_t errcap)
{
    struct serial *s = priv;
    const struct serial_opts *o = opts;
    enum lineframe_suffix suffix;
    int parity = !strcmp(o->parity, "none")   ? 0
                 : !strcmp(o->parity, "even") ? 1
                 : !strcmp(o->parity, "odd")  ? 2
                                              : -1;
    if (lineframe_suffix_parse(o->suffix, &suffix) != 0) {
        snprintf(err, errcap, "%s: bad suffix", o->device);
        return -1;
    }
    int fd = serial_line_open(o->device, o->baud, parity, err, errcap);
    if (fd < 0)
        return -1;
    s->fd = fd;
    s->pos = s->len = 0;
    lineframe_init(&s->lf, suffix, o->partial_timeout_ms);
    return 0;
}

/* Frames the bytes read but not framed yet. 1 with a scan in *out, or 0 when all are taken
 * (the read buffer then wiped: it held part of a code). */
static int frame_pending(struct serial *s, struct scan_read *out)
{
    while (s->pos < s->len) {
        int got;
        s->pos += lineframe_feed(&s->lf, s->in + s->pos, s->len - s->pos, s->in_ms, out, &got);
        if (s->pos == s->len) {
            sign_wipe(s->in, s->len);
            s->pos = s->len = 0;
        }
        if (got)
            return 1;
    }
    return 0;
}

static int gone(char *err, size_t errcap, const char *why)
{
    snprintf(err, errcap, "%s", why);
    return SCAN_GONE;
}

static int serial_read(void *priv, struct scan_read *out, int timeout_ms, char *err, size_t errcap)
{
    struct serial *s = priv;
    int64_t end = clock_real_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (int polled = 0;; polled = 1) {
        if (frame_pending(s, out))
            return SCAN_CODE;
        int64_t now = clock_real_ms();
        if (lineframe_expire(&s->lf, now, out))
            return SCAN_CODE;
        if (polled && now >= end)
            return SCAN_NONE;
        int64_t wait = end - now, deadline = lineframe_deadline(&s->lf);
        if (deadline != LINEFRAME_NEVER && deadline - now < wait)
            wait = deadline - now;
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int rc = poll(&p, 1, wait > 0 ? (int)wait : 0);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            say_errno(err, errcap, "poll", errno);
            return SCAN_GONE;
        }
        if (rc == 0)
            continue;
        if (p.revents & POLLNVAL)
            return gone(err, errcap, "not open");
        /* Read even on a hang-up: bytes that came before it are still scans. */
        ssize_t k = read(s->fd, s->in, sizeof s->in);
        if (k > 0) {
            s->pos = 0;
            s->len = (size_t)k;
            s->in_ms = clock_real_ms();
            continue;
        }
        if (k == 0 || errno == EIO)
            return gone(err, errcap, "unplugged");
        if (errno == EAGAIN || errno == EINTR) {
            if (p.revents & (POLLHUP | POLLERR))
                return gone(err, errcap, "unplugged");
            continue;
        }
        say_errno(err, errcap, "read", errno);
        return SCAN_GONE;
    }
}

static void serial_close(void *priv)
{
    struct serial *s = priv;
    serial_line_close(s->fd);
    s->fd = -1;
    lineframe_reset(&s->lf);
    sign_wipe(s->in, sizeof s->in);
    s->pos = s->len = 0;
}

static const struct scanner_ops serial_ops = {
    .open = serial_open,
    .read = serial_read,
    .preview = NULL,
    .close = serial_close,
};

const struct dev_driver scanner_serial = {
    .name = "serial",
    .options = serial_options,
    .opts_size = sizeof(struct serial_opts),
    .priv_size = sizeof(struct serial),
    .ops = &serial_ops,
};
