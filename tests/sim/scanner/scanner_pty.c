/* scanner-pty-sim: a serial payment-code imager for the demo and the scenario scripts. It
 * makes a pty and puts a symlink to its slave at --link; the kiosk's serial scanner driver
 * opens that path as it would /dev/ttyACM0. What the imager sends is driven by commands on a
 * control FIFO, one per line (`echo 'code 134567890123451234' > FIFO`):
 *   code TEXT      TEXT, then the suffix (a scan)
 *   partial TEXT   TEXT without the suffix (the kiosk drops it after its partial timeout)
 *   raw HEX        bytes written as hex ("0d0a", spaces allowed), nothing added
 *   long N         N digits, then the suffix (a line too long to be a code; N <= 10000000)
 *   suffix cr|lf|crlf   what ends each code from now on (default cr, or --suffix)
 *   unplug         removes the link and closes the pty: the kiosk's reads see a hang-up
 *                  (bytes sent just before get UNPLUG_WAIT_MS to be read first)
 *   plug           a new pty, the link made again (the kiosk's driver opens it on its next
 *                  try; what is sent before it has opened the line is flushed by it)
 *   quit           ends the simulator (as SIGTERM and SIGINT do)
 * Empty lines and lines starting with '#' are skipped. Each command is logged to stderr
 * with lengths only, never the text: a payment code never appears in full in a log.
 *
 * The FIFO is created (0600) when missing, and removed at exit if this program made it. The
 * pid file, when asked for, is written once the link and the FIFO are ready: scripts wait
 * for it before their first command. The simulator holds a write end of its own FIFO open,
 * so it never reads end-of-file between two writers and no command is lost in between (it
 * still reopens the FIFO if end-of-file ever comes).
 *
 * Writes to the pty never block: when the kiosk does not read (it is closed, or slow), a
 * write waits for room at most WRITE_STALL_MS without progress, then the rest of the command
 * is dropped with a log line. Whatever the kiosk side writes back is read and thrown away.
 *
 * usage: scanner-pty-sim --link PATH --control FIFO [--pidfile FILE] [--suffix cr|lf|crlf] */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "core/clock.h"
#include "scanner/lineframe.h"
#include "core/log.h"

#define MOD "scanner:sim"
#define CMD_MAX 65536       /* a command line, raw hex included */
#define WRITE_STALL_MS 2000 /* a write gives up after this long without progress */
#define LONG_MAX_BYTES 10000000L
#define UNPLUG_WAIT_MS 500 /* what was sent may still be read before the line goes */

static int wake[2] = {-1, -1}; /* the self-pipe a signal writes to */
static volatile sig_atomic_t stop;

struct sim {
    const char *link, *control, *pidfile;
    enum lineframe_suffix suffix;
    int master;     /* the imager's side; -1 while unplugged */
    int slave;      /* held open so the master never sees a hang-up while the kiosk
                     * has the line closed (between its retries) */
    int drain;      /* read and drop what the master receives */
    int ctl, ctl_w; /* the FIFO: read end, and a write end held open */
    int made_fifo;
    char line[CMD_MAX + 1]; /* a command being read */
    size_t nline;
    int overlong; /* the command got longer than CMD_MAX: skipped to its end */
};

static void on_signal(int sig)
{
    (void)sig;
    int e = errno;
    stop = 1;
    if (wake[1] >= 0 && write(wake[1], "x", 1) < 0) {
        /* the pipe is full: a wake-up is already pending */
    }
    errno = e;
}

static void set_flags(int fd, int fl, int fd_fl)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | fl);
    fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | fd_fl);
}

/* Reads and drops whatever came to the master (echo, if the kiosk ever turns it on). */
static void drain_master(struct sim *s)
{
    uint8_t buf[512];
    ssize_t n;
    while (s->master >= 0 && (n = read(s->master, buf, sizeof buf)) > 0)
        log_debug(MOD, "dropped %zd bytes the kiosk side wrote", n);
}

/* Writes p[0..n) to the pty without blocking for long: waits for room while the kiosk
 * reads, and gives up after WRITE_STALL_MS without progress (or on a signal). The number
 * of bytes written. */
static size_t send_bytes(struct sim *s, const uint8_t *p, size_t n)
{
    size_t done = 0;
    int64_t stalled_since = clock_real_ms();
    while (done < n && s->master >= 0 && !stop) {
        ssize_t k = write(s->master, p + done, n - done);
        if (k > 0) {
            done += (size_t)k;
            stalled_since = clock_real_ms();
            continue;
        }
        if (k < 0 && errno != EAGAIN && errno != EINTR) {
            log_warn(MOD, "write to the pty: %s", strerror(errno));
            break;
        }
        int64_t left = stalled_since + WRITE_STALL_MS - clock_real_ms();
        if (left <= 0)
            break;
        struct pollfd pf[2] = {{.fd = s->master, .events = POLLOUT | (s->drain ? POLLIN : 0)},
                               {.fd = wake[0], .events = POLLIN}};
        if (poll(pf, 2, (int)left) < 0 && errno != EINTR)
            break;
        if (pf[0].revents & POLLIN)
            drain_master(s);
    }
    return done;
}

/* A command's bytes went out, or not all of them: one log line either way. */
static void report(const char *what, size_t sent, size_t want)
{
    if (sent == want)
        log_info(MOD, "%s: %zu bytes sent", what, sent);
    else
        log_warn(MOD, "%s: nobody reads the line: %zu of %zu bytes sent, the rest dropped", what,
                 sent, want);
}

static int unplugged(const struct sim *s, const char *what)
{
    if (s->master >= 0)
        return 0;
    log_warn(MOD, "%s: unplugged, dropped", what);
    return 1;
}

/* Sends text (+ the suffix when `suffix`). */
static void send_text(struct sim *s, const char *what, const char *text, int suffix)
{
    if (unplugged(s, what))
        return;
    const char *e = suffix ? lineframe_suffix_bytes(s->suffix) : "";
    size_t n = strlen(text), sent = send_bytes(s, (const uint8_t *)text, n);
    if (sent == n)
        sent += send_bytes(s, (const uint8_t *)e, strlen(e));
    report(what, sent, n + strlen(e));
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* `raw HEX`: parsed in place (the bytes are never longer than their hex). */
static void send_raw(struct sim *s, char *hex)
{
    uint8_t *out = (uint8_t *)hex;
    size_t n = 0;
    int hi = -1;
    for (const char *c = hex; *c; c++) {
        if (*c == ' ' || *c == '\t')
            continue;
        int v = hex_value(*c);
        if (v < 0) {
            log_error(MOD, "raw: not hex");
            return;
        }
        if (hi < 0) {
            hi = v;
        } else {
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0) {
        log_error(MOD, "raw: an odd number of hex digits");
        return;
    }
    if (!unplugged(s, "raw"))
        report("raw", send_bytes(s, out, n), n);
}

static void send_long(struct sim *s, const char *arg)
{
    char *end;
    errno = 0;
    long n = strtol(arg, &end, 10);
    if (errno || end == arg || *end || n < 1 || n > LONG_MAX_BYTES) {
        log_error(MOD, "long: a length of 1..%ld bytes, please", LONG_MAX_BYTES);
        return;
    }
    if (unplugged(s, "long"))
        return;
    static uint8_t digits[4096];
    for (size_t i = 0; i < sizeof digits; i++)
        digits[i] = (uint8_t)('0' + i % 10);
    size_t want = (size_t)n, sent = 0;
    while (sent < want) {
        size_t chunk = want - sent < sizeof digits ? want - sent : sizeof digits;
        size_t k = send_bytes(s, digits, chunk);
        sent += k;
        if (k < chunk)
            break;
    }
    const char *e = lineframe_suffix_bytes(s->suffix);
    if (sent == want)
        sent += send_bytes(s, (const uint8_t *)e, strlen(e));
    report("long", sent, want + strlen(e));
}

/* The link at s->link, to `target`, replaced in one step. 0 or -1 (logged). */
static int make_link(const struct sim *s, const char *target)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.new-%ld", s->link, (long)getpid()) >= (int)sizeof tmp) {
        log_error(MOD, "link path too long");
        return -1;
    }
    unlink(tmp);
    if (symlink(target, tmp) != 0 || rename(tmp, s->link) != 0) {
        log_error(MOD, "cannot make the link %s: %s", s->link, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Bytes sent that the kiosk has not read yet (0 when nobody has the line open and it was
 * flushed). */
static int unread(const struct sim *s)
{
    int n = 0;
    if (s->slave < 0 || ioctl(s->slave, FIONREAD, &n) != 0)
        return 0;
    return n;
}

/* Unplugged: the link goes, the pty closes and the kiosk's side is hung up. What was sent
 * just before is given UNPLUG_WAIT_MS to be read first (a script's `code X` then `unplug`
 * means the scan came before the cable went), then dropped with a log line. */
static void unplug(struct sim *s)
{
    if (s->master < 0)
        return;
    unlink(s->link);
    int64_t until = clock_real_ms() + UNPLUG_WAIT_MS;
    int left;
    do {
        struct pollfd pf = {.fd = wake[0], .events = POLLIN};
        poll(&pf, 1, 10); /* the pty moves bytes to the line on its own time */
    } while ((left = unread(s)) > 0 && clock_real_ms() < until && !stop);
    if (left > 0)
        log_warn(MOD, "unplug: %d bytes the kiosk never read, dropped", left);
    close(s->slave);
    close(s->master); /* the kiosk's side is hung up */
    s->master = s->slave = -1;
    s->drain = 0;
}

/* A new pty, raw, its slave at the link. 0 or -1 (logged). */
static int plug(struct sim *s)
{
    if (s->master >= 0)
        return 0;
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    const char *name = NULL;
    char path[256];
    struct termios t;
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0 || !(name = ptsname(m))) {
        log_error(MOD, "no pty: %s", strerror(errno));
        goto fail;
    }
    snprintf(path, sizeof path, "%s", name);
    set_flags(m, O_NONBLOCK, FD_CLOEXEC);
    /* Raw from the start (the master's termios calls set the line's): no echo, no CR to
     * NL, whatever the kiosk does or has not done yet. */
    if (tcgetattr(m, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(m, TCSANOW, &t);
    }
    s->slave = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (s->slave < 0) {
        log_error(MOD, "cannot open %s: %s", path, strerror(errno));
        goto fail;
    }
    s->master = m;
    if (make_link(s, path) != 0) {
        unplug(s);
        return -1;
    }
    s->drain = 1;
    log_info(MOD, "plugged in: %s -> %s", s->link, path);
    return 0;
fail:
    if (m >= 0)
        close(m);
    return -1;
}

/* Opens the FIFO's read end (non-blocking) and a write end of our own. 0 or -1 (logged). */
static int open_control(struct sim *s)
{
    s->ctl = open(s->control, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (s->ctl < 0) {
        log_error(MOD, "cannot open %s: %s", s->control, strerror(errno));
        return -1;
    }
    if (s->ctl_w < 0)
        s->ctl_w = open(s->control, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    return 0;
}

static void command(struct sim *s, char *l)
{
    size_t n = strlen(l);
    if (n && l[n - 1] == '\r') /* written on Windows, or by printf '...\r\n' */
        l[--n] = '\0';
    char *arg = strchr(l, ' ');
    if (arg)
        *arg++ = '\0';
    if (!l[0] || l[0] == '#')
        return;
    if (!strcmp(l, "code") && arg) {
        send_text(s, "code", arg, 1);
    } else if (!strcmp(l, "partial") && arg) {
        send_text(s, "partial", arg, 0);
    } else if (!strcmp(l, "raw") && arg) {
        send_raw(s, arg);
    } else if (!strcmp(l, "long") && arg) {
        send_long(s, arg);
    } else if (!strcmp(l, "suffix") && arg) {
        if (lineframe_suffix_parse(arg, &s->suffix) == 0)
            log_info(MOD, "suffix %s", arg);
        else
            log_error(MOD, "suffix: cr, lf or crlf, please");
    } else if (!strcmp(l, "unplug")) {
        unplug(s);
        log_info(MOD, "unplugged");
    } else if (!strcmp(l, "plug")) {
        plug(s);
    } else if (!strcmp(l, "quit")) {
        log_info(MOD, "quit");
        stop = 1;
    } else {
        log_error(MOD, "unknown command (%zu characters)", n); /* it may be a code: no text */
    }
}

/* Reads what the FIFO has, running each whole line. */
static void read_control(struct sim *s)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(s->ctl, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n && !stop; i++) {
            if (buf[i] != '\n') {
                if (s->nline < CMD_MAX)
                    s->line[s->nline++] = buf[i];
                else
                    s->overlong = 1;
                continue;
            }
            s->line[s->nline] = '\0';
            if (s->overlong)
                log_error(MOD, "a command longer than %d bytes, skipped", CMD_MAX);
            else
                command(s, s->line);
            memset(s->line, 0, s->nline);
            s->nline = 0;
            s->overlong = 0;
        }
    }
    if (n == 0) { /* every writer gone (not while we hold ours): open it again */
        close(s->ctl);
        if (open_control(s) != 0)
            stop = 1;
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: scanner-pty-sim --link PATH --control FIFO [--pidfile FILE] "
                    "[--suffix cr|lf|crlf]\n");
    return 2;
}

int main(int argc, char **argv)
{
    static struct sim sim = {.master = -1, .slave = -1, .ctl = -1, .ctl_w = -1};
    struct sim *s = &sim;
    int rc = 1, wrote_pid = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--link"))
            s->link = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--control"))
            s->control = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--pidfile"))
            s->pidfile = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--suffix")) {
            if (lineframe_suffix_parse(argv[++i], &s->suffix) != 0)
                return usage();
        } else
            return usage();
    }
    if (!s->link || !s->control)
        return usage();

    if (pipe(wake) != 0)
        return 1;
    set_flags(wake[0], O_NONBLOCK, FD_CLOEXEC);
    set_flags(wake[1], O_NONBLOCK, FD_CLOEXEC);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct stat st;
    if (mkfifo(s->control, 0600) == 0)
        s->made_fifo = 1;
    else if (errno != EEXIST || stat(s->control, &st) != 0 || !S_ISFIFO(st.st_mode)) {
        log_error(MOD, "%s: not a FIFO and cannot make one", s->control);
        goto end;
    }
    if (open_control(s) != 0 || plug(s) != 0)
        goto end;
    if (s->pidfile) {
        FILE *f = fopen(s->pidfile, "w");
        if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
            log_error(MOD, "cannot write %s", s->pidfile);
            goto end;
        }
        wrote_pid = 1;
    }
    log_info(MOD, "ready: link %s, control %s, suffix %s", s->link, s->control,
             s->suffix == LINEFRAME_CR   ? "cr"
             : s->suffix == LINEFRAME_LF ? "lf"
                                         : "crlf");

    while (!stop) {
        struct pollfd pf[3] = {{.fd = s->ctl, .events = POLLIN},
                               {.fd = wake[0], .events = POLLIN},
                               {.fd = s->drain ? s->master : -1, .events = POLLIN}};
        if (poll(pf, 3, 1000) < 0) {
            if (errno == EINTR)
                continue;
            log_error(MOD, "poll: %s", strerror(errno));
            goto end;
        }
        if (pf[0].revents & (POLLIN | POLLHUP | POLLERR))
            read_control(s);
        if (pf[2].revents & POLLIN)
            drain_master(s);
        if (pf[2].revents & (POLLHUP | POLLERR))
            s->drain = 0; /* nothing to drain until the next plug; never spin on it */
    }
    log_info(MOD, "stopping");
    rc = 0;
end:
    unplug(s);
    if (s->ctl >= 0)
        close(s->ctl);
    if (s->ctl_w >= 0)
        close(s->ctl_w);
    if (s->made_fifo)
        unlink(s->control);
    if (wrote_pid)
        unlink(s->pidfile);
    memset(s->line, 0, sizeof s->line);
    close(wake[0]);
    close(wake[1]);
    return rc;
}
