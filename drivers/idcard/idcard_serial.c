/* The serial ID card reader: a GA 467 SAM module on a serial line (an RS-232 port, or a USB
 * reader in virtual COM mode: /dev/ttyUSB0, /dev/ttyACM0, or better a udev symlink that
 * keeps its name across replugs). Raw 8N1 at the configured speed, no flow control. Each
 * step is one command frame and one answer (idcard/idframe.h): stale input is drained (and
 * wiped) before a command is sent, and each answer is waited for at most `frame_ms`.
 *
 * open(), status(): SAM status (11 FF) must answer 90.
 * poll(): find (20 01): 80 no card (IDC_NONE at once: the hub paces its looks), 9F a card;
 *         select (20 02): 90; read (30 01): 90 with the text and the photo; read the
 *         appended address (30 03): 90 with 70 bytes, or 91 none. A step that answers
 *         anything else, garbage, a bad checksum, nothing, or a frame cut short makes the
 *         poll IDC_FAILED with the step named ("read: SW3 41"); no answer at all to find,
 *         or an I/O error, is IDC_GONE. The whole look ends within its timeout_ms plus
 *         frame_ms: a step that would start later is IDC_FAILED ("read: out of time").
 *
 * Runs on the hub's worker thread. The clock is clock_real_ms() (the reader runs in real
 * time, not on the kiosk's test clock). Card data is never logged (commands, status bytes
 * and lengths only) and every buffer that held some is wiped. The line is opened by device/serial.h. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "device/serial.h"
#include "idcard/idcard.h"

#define MOD "idcard:serial"

/* The options block: keys of the instance's section ([idcard.<name>]). */
struct serial_opts {
    char device[256]; /* the tty's path */
    char baud[8];     /* one of the CFG_ENUM choices, as text */
    int frame_ms;     /* the longest wait for one answer */
};

static const struct cfg_option serial_options[] = {
    CFG_STR_OPT(struct serial_opts, NULL, "device", device, "/dev/ttyUSB0",
                "the reader's serial device (a udev symlink keeps its name across replugs)"),
    CFG_ENUM_OPT(struct serial_opts, NULL, "baud", baud, "115200", SERIAL_BAUDS,
                 "line speed in baud, as set in the reader (always 8 data bits, no parity, "
                 "1 stop bit)"),
    CFG_INT_OPT(struct serial_opts, NULL, "frame_ms", frame_ms, "1500", 50, 10000,
                "how long to wait for the reader's answer to one command; a card read "
                "takes four"),
    {0},
};

/* One open reader (the hub's priv block, zeroed before open). */
struct serial {
    int fd;
    int frame_ms;
    int64_t limit;              /* no answer is waited for past this (the look's end) */
    uint8_t buf[IDF_FRAME_MAX]; /* the answer being read: buf[0..len) */
    size_t len;
    struct id_read scratch; /* the reading being put together */
};

/* What one exchange (a command and its answer) came to. */
enum xchg {
    XC_OK,     /* an answer: its payload points into s->buf */
    XC_NONE,   /* not one byte within frame_ms */
    XC_FAILED, /* bytes that are not an answer (err says) */
    XC_GONE,   /* the line is gone (err says) */
};

/* "<errno in words>" into err (the caller names the step). */
static void say_words(char *err, size_t errcap, int e)
{
    char buf[128];
    snprintf(err, errcap, "%s", serial_errno_words(e, buf, sizeof buf));
}

static const char *cmd_name(uint16_t cmd)
{
    switch (cmd) {
    case IDF_CMD_FIND:
        return "find";
    case IDF_CMD_SELECT:
        return "select";
    case IDF_CMD_READ:
        return "read";
    case IDF_CMD_READ_ADDR:
        return "address";
    case IDF_CMD_SAM_STATUS:
        return "SAM status";
    default:
        return "command";
    }
}

static void forget(struct serial *s)
{
    explicit_bzero(s->buf, s->len);
    s->len = 0;
}

/* A read() that returned k: 1 when the line is gone (errno says, or 0 for an end). */
static int read_gone(ssize_t k)
{
    if (k == 0)
        return 1;
    return k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

/* Reads and wipes whatever is waiting (a late answer, noise). 0, or -1: the line is gone. */
static int drain(struct serial *s, char *err, size_t errcap)
{
    uint8_t junk[256];
    int rc = 0;
    for (;;) {
        ssize_t k = read(s->fd, junk, sizeof junk);
        if (k > 0)
            continue;
        if (k < 0 && errno == EINTR)
            continue;
        if (read_gone(k)) {
            say_words(err, errcap, k == 0 ? EIO : errno);
            rc = -1;
        }
        break;
    }
    explicit_bzero(junk, sizeof junk);
    return rc;
}

/* Writes the whole of buf, waiting at most until `end`. XC_OK, XC_NONE (the line would not
 * take it in time) or XC_GONE. */
static enum xchg send_all(struct serial *s, const uint8_t *buf, size_t n, int64_t end, char *err,
                          size_t errcap)
{
    while (n) {
        ssize_t k = write(s->fd, buf, n);
        if (k > 0) {
            buf += k;
            n -= (size_t)k;
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            say_words(err, errcap, errno);
            return XC_GONE;
        }
        int64_t left = end - clock_real_ms();
        if (left <= 0) {
            snprintf(err, errcap, "the line takes nothing");
            return XC_NONE;
        }
        struct pollfd p = {.fd = s->fd, .events = POLLOUT};
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR) {
            say_words(err, errcap, errno);
            return XC_GONE;
        }
        if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
            snprintf(err, errcap, "the line hung up");
            return XC_GONE;
        }
    }
    return XC_OK;
}

/* Why idf_parse() refused buf[0..n): a bad checksum, a bad length, or bytes that are no
 * frame at all. */
static const char *why_bad(const uint8_t *buf, size_t n, size_t used)
{
    static const uint8_t pre[5] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};
    if (n < IDF_HEADER || memcmp(buf, pre, sizeof pre) != 0)
        return "garbage";
    return used == 1 ? "bad length" : "checksum";
}

/* Sends `cmd` and waits at most frame_ms, and never past s->limit, for its answer, into *p
 * (pointing into s->buf, valid until the next exchange). On XC_FAILED and XC_GONE err says
 * why. */
static enum xchg exchange(struct serial *s, uint16_t cmd, struct idf_payload *p, char *err,
                          size_t errcap)
{
    uint8_t frame[IDF_HEADER + 3];
    size_t n = idf_command(cmd, frame, sizeof frame);
    forget(s);
    if (drain(s, err, errcap) != 0)
        return XC_GONE;
    int64_t end = clock_real_ms() + s->frame_ms;
    if (end > s->limit)
        end = s->limit;
    if (end <= clock_real_ms()) {
        snprintf(err, errcap, "out of time");
        return XC_FAILED;
    }
    enum xchg x = send_all(s, frame, n, end, err, errcap);
    if (x != XC_OK)
        return x;
    for (;;) {
        int64_t left = end - clock_real_ms();
        struct pollfd pf = {.fd = s->fd, .events = POLLIN};
        int rc = left > 0 ? poll(&pf, 1, (int)left) : 0;
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            say_words(err, errcap, errno);
            return XC_GONE;
        }
        if (rc == 0) {
            if (s->len == 0) {
                snprintf(err, errcap, "no answer");
                return XC_NONE;
            }
            log_debug(MOD, "%s: cut short after %zu bytes", cmd_name(cmd), s->len);
            snprintf(err, errcap, "cut short");
            forget(s);
            return XC_FAILED;
        }
        if (pf.revents & POLLNVAL) {
            snprintf(err, errcap, "not open");
            return XC_GONE;
        }
        /* Read even on a hang-up: that read says whether the line is gone. */
        ssize_t k = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (pf.revents & (POLLHUP | POLLERR)) {
                snprintf(err, errcap, "the line hung up");
                return XC_GONE;
            }
            continue;
        }
        if (read_gone(k)) {
            say_words(err, errcap, k == 0 ? EIO : errno);
            return XC_GONE;
        }
        s->len += (size_t)k;
        size_t used;
        enum idf_parse r = idf_parse(s->buf, s->len, &used, p);
        if (r == IDF_FRAME) {
            log_debug(MOD, "%s: SW3 %02X, %zu data bytes", cmd_name(cmd), p->sw3, p->n);
            return XC_OK;
        }
        if (r == IDF_BAD) {
            const char *why = why_bad(s->buf, s->len, used);
            log_debug(MOD, "%s: %s (%zu bytes)", cmd_name(cmd), why, s->len);
            snprintf(err, errcap, "%s", why);
            forget(s);
            return XC_FAILED;
        }
        if (s->len == sizeof s->buf) { /* cannot happen: a frame fits; stay safe */
            snprintf(err, errcap, "garbage");
            forget(s);
            return XC_FAILED;
        }
    }
}

/* err = "<step>: <err>" (err already holds the second part). */
static void prefix(char *err, size_t errcap, const char *step)
{
    char tail[128];
    snprintf(tail, sizeof tail, "%s", err);
    snprintf(err, errcap, "%s: %s", step, tail);
}

static void close_fd(struct serial *s)
{
    serial_line_close(s->fd);
    s->fd = -1;
}

static int serial_open(void *priv, const void *opts, char *err, size_t errcap)
{
    struct serial *s = priv;
    const struct serial_opts *o = opts;
    int fd = serial_line_open(o->device, o->baud, 0, err, errcap);
    if (fd < 0)
        return -1;
    s->fd = fd;
    s->frame_ms = o->frame_ms > 0 ? o->frame_ms : 1500;
    s->limit = INT64_MAX;
    s->len = 0;

    struct idf_payload p;
    enum xchg x = exchange(s, IDF_CMD_SAM_STATUS, &p, err, errcap);
    if (x == XC_OK && p.sw3 != IDF_SW_OK) {
        snprintf(err, errcap, "SAM status %02X", p.sw3);
        x = XC_FAILED;
    } else if (x == XC_FAILED || x == XC_GONE) {
        prefix(err, errcap, "SAM status");
    }
    forget(s);
    if (x != XC_OK) {
        close_fd(s);
        return -1;
    }
    return 0;
}

/* One step of a read that must answer `want`; anything else is IDC_FAILED (or IDC_GONE)
 * with the step named. 0 on the answer wanted. */
static int step(struct serial *s, uint16_t cmd, uint8_t want, struct idf_payload *p, int *res,
                char *err, size_t errcap)
{
    enum xchg x = exchange(s, cmd, p, err, errcap);
    if (x == XC_OK && p->sw3 == want)
        return 0;
    if (x == XC_OK)
        snprintf(err, errcap, "SW3 %02X", p->sw3);
    prefix(err, errcap, cmd_name(cmd));
    *res = x == XC_GONE ? IDC_GONE : IDC_FAILED;
    return -1;
}

/* The answer to 30 01: text length, photo length (2 bytes each, big-endian), the text, the
 * photo. Into s->scratch; IDC_READ or IDC_FAILED. */
static int take_read(struct serial *s, const struct idf_payload *p, char *err, size_t errcap)
{
    char why[96];
    if (p->n < 4) {
        snprintf(err, errcap, "read: %zu data bytes", p->n);
        return IDC_FAILED;
    }
    size_t tl = (size_t)p->data[0] << 8 | p->data[1], pl = (size_t)p->data[2] << 8 | p->data[3];
    if (tl != IDF_TEXT_LEN || (pl != IDF_PHOTO_LEN && pl != 0) || p->n != 4 + tl + pl) {
        snprintf(err, errcap, "read: text %zu, photo %zu, %zu data bytes", tl, pl, p->n);
        return IDC_FAILED;
    }
    if (idf_text(p->data + 4, &s->scratch.id, why, sizeof why) != 0) {
        snprintf(err, errcap, "text: %s", why);
        return IDC_FAILED;
    }
    if (pl) {
        memcpy(s->scratch.photo, p->data + 4 + tl, IDF_PHOTO_LEN);
        s->scratch.has_photo = 1;
    }
    return IDC_READ;
}

static int serial_poll(void *priv, struct id_read *out, int timeout_ms, char *err, size_t errcap)
{
    struct serial *s = priv;
    struct idf_payload p;
    int res = IDC_FAILED;
    /* The whole look ends within timeout_ms plus one answer's time. */
    s->limit = clock_real_ms() + (timeout_ms > 0 ? timeout_ms : 0) + s->frame_ms;

    enum xchg x = exchange(s, IDF_CMD_FIND, &p, err, errcap);
    if (x == XC_NONE) {
        res = IDC_GONE; /* a reader that answers nothing at all is not there */
        goto end;
    }
    if (x != XC_OK) {
        prefix(err, errcap, "find");
        res = x == XC_GONE ? IDC_GONE : IDC_FAILED;
        goto end;
    }
    if (p.sw3 == IDF_SW_NO_CARD) {
        res = IDC_NONE; /* at once: the hub paces its looks */
        goto end;
    }
    if (p.sw3 != IDF_SW_FIND_OK) {
        snprintf(err, errcap, "find: SW3 %02X", p.sw3);
        goto end;
    }
    if (step(s, IDF_CMD_SELECT, IDF_SW_OK, &p, &res, err, errcap) != 0)
        goto end;
    if (step(s, IDF_CMD_READ, IDF_SW_OK, &p, &res, err, errcap) != 0)
        goto end;
    res = take_read(s, &p, err, errcap);
    if (res != IDC_READ)
        goto end;
    x = exchange(s, IDF_CMD_READ_ADDR, &p, err, errcap);
    if (x == XC_OK && p.sw3 == IDF_SW_NO_CONTENT) {
        res = IDC_READ;
    } else if (x == XC_OK && p.sw3 == IDF_SW_OK && p.n >= IDF_ADDR_LEN) {
        if (idf_append_address(&s->scratch.id, p.data) != 0) {
            snprintf(err, errcap, "address: not text");
            res = IDC_FAILED;
        }
    } else {
        if (x == XC_OK && p.sw3 == IDF_SW_OK)
            snprintf(err, errcap, "%zu data bytes", p.n);
        else if (x == XC_OK)
            snprintf(err, errcap, "SW3 %02X", p.sw3);
        prefix(err, errcap, "address");
        res = x == XC_GONE ? IDC_GONE : IDC_FAILED;
    }
    if (res == IDC_READ)
        *out = s->scratch;
end:
    s->limit = INT64_MAX;
    forget(s);
    idcard_read_wipe(&s->scratch);
    return res;
}

/* The SAM's status, as at open: anything but 90 is a reader to open again. */
static int serial_status(void *priv, char *err, size_t errcap)
{
    struct serial *s = priv;
    struct idf_payload p;
    enum xchg x = exchange(s, IDF_CMD_SAM_STATUS, &p, err, errcap);
    int sw3 = x == XC_OK ? p.sw3 : -1;
    forget(s);
    if (x == XC_OK && sw3 == IDF_SW_OK)
        return 0;
    if (x == XC_OK)
        snprintf(err, errcap, "SAM status %02X", (unsigned)sw3);
    else if (x != XC_NONE)
        prefix(err, errcap, "SAM status");
    return IDC_GONE;
}

static void serial_close(void *priv)
{
    struct serial *s = priv;
    close_fd(s);
    explicit_bzero(s->buf, sizeof s->buf);
    s->len = 0;
    idcard_read_wipe(&s->scratch);
}

static const struct idcard_ops serial_ops = {
    .open = serial_open,
    .poll = serial_poll,
    .status = serial_status,
    .close = serial_close,
};

const struct dev_driver idcard_serial = {
    .name = "serial",
    .options = serial_options,
    .opts_size = sizeof(struct serial_opts),
    .priv_size = sizeof(struct serial),
    .ops = &serial_ops,
};
