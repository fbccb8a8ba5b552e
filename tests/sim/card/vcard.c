/* fuel-vcard: a virtual PBOC fuel card (e-purse with loads, 圈存) in a virtual reader, for
 * the demo and the tests. It is the card side of vsmartcard's vpcd: pcscd loads vpcd, which
 * listens on a TCP port on all interfaces; this program CONNECTS to 127.0.0.1:<port> when a
 * card is inserted and closes the connection when it is pulled. The port is the one in the
 * reader.conf line `DEVICENAME /dev/null:<port>` (hex 0x... or decimal; reader "Virtual PCD
 * 00 00"; its second slot, "... 00 01", listens on <port>+1); CHANNELID is not used when
 * DEVICENAME is there, and without a `:<port>` vpcd takes 35963.
 *
 * Every message either way is a 2-byte big-endian length, then that many bytes. A 1-byte
 * message from vpcd is a control: 00 power off, 01 power on, 02 reset (no answer to those
 * three), 04 the ATR (answered with it; vpcd asks for it to see whether the card is still
 * there, every few hundred ms). Anything longer is a command APDU, answered with the
 * response APDU. pcscd powers an idle card off (no client connected) and on again at the
 * next SCardConnect. TCP_NODELAY is set and TCP_QUICKACK after every read, and each answer
 * goes out in one write: vpcd writes the length and the APDU separately, and without
 * QUICKACK each APDU waits for a delayed ACK (measured: ~47 ms median, ~96 ms p99; with it
 * ~0.2 ms median).
 *
 * usage: fuel-vcard --fixture cards.ini --state DIR --port PORT --control FIFO [--log FILE]
 *                   [--aid HEX]
 *   --fixture  the cards (tests/sim/card/cards.ini; vcard_store.c says what it holds)
 *   --state    where each card's chip state lives: DIR/<card_no>.state (made when missing).
 *              A card without a state file starts as the fixture issued it. The state is
 *              written atomically (temporary file, fsync, rename) BEFORE the answer to a
 *              command that changed it leaves, so a pulled card, or this program killed -9
 *              and started again, keeps its balance, serial, PIN tries, log and proofs.
 *              If that write fails, the card answers 6581 (memory failure) and nothing
 *              changes.
 *   --port     vpcd's port (its slot 0)
 *   --control  the control FIFO (made when missing, removed at exit if made here)
 *   --log      log to this file (appended) instead of stderr
 *   --aid      our application's AID (default F046554C434152443031)
 * It starts with no card inserted and runs until SIGTERM (or SIGINT).
 *
 *        fuel-vcard --fixture cards.ini --state DIR --balance CARD_NO
 * prints what that card's chip holds now: "<balance fen> <loads in its log>" (the tests'
 * check of what the chip holds against the backend's records), and exits.
 *
 * Control commands, one per line on the FIFO (`echo 'insert 1000113300002001' > FIFO`):
 *   insert <card_no>     the card goes in: connects to vpcd as that card (a card already in
 *                        is pulled first). If vpcd is not there yet, it tries again every
 *                        250 ms while the card is in.
 *   pull                 the card comes out: the connection closes.
 *   pull-after <n>       the n-th further command APDU is answered, then the card is pulled
 *                        (between two APDUs).
 *   pull-during <n> apply|drop
 *                        the card is pulled during the n-th further command APDU: `apply`
 *                        carries the command out (its state saved) but never answers it,
 *                        `drop` never carries it out.
 *   garbage <n>          the n-th further command APDU gets 7 fixed bytes of nonsense
 *                        (5B E2 07 9C 31 A8 6F) instead of its answer;
 *   truncate <n>         ... the first half of its answer's data and no status word (an
 *                        answer without data: its first byte only; never 0 bytes, which vpcd
 *                        takes for a dead card);
 *   sw <n> <XXXX>        ... only the status word XXXX.
 *                        For these three the command has no effect (state and session stay
 *                        as they were).
 * "Further command APDUs" count from 1 with the first command APDU after the control command
 * (ATR requests and power controls do not count). One fault is armed at a time: a new one
 * replaces it; `pull` disarms it; it is spent once it fires. After each command is carried
 * out, a line `ok <command>` is logged on its own (`ok insert 1000113300002001`, `ok
 * pull-during 2 apply`), and `ok ready` once the FIFO is open; tests wait on these. A refused
 * command logs an error line instead. Every APDU is logged with its instruction, data length
 * and status word, never its data (no PIN ever appears).
 *
 * The card itself (vcard_apdu.c) keeps only what a real one would in this insertion: the
 * selected application, a verified PIN, a pending INITIALIZE FOR LOAD. A power-up, reset,
 * power-off, a new connection or a SELECT forgets them. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "core/log.h"
#include "vcard.h"

#define MOD "card:vcard"
#define CMD_MAX 256    /* a control line */
#define MSG_MAX 0xFFFF /* the longest vpcd message */
#define RETRY_MS 250   /* connecting again to vpcd while a card is in */
#define POLL_IDLE_MS 1000

enum fault {
    F_NONE,
    F_PULL_AFTER, /* answer, then pull */
    F_PULL_APPLY, /* carry out, pull without answering */
    F_PULL_DROP,  /* pull without carrying out */
    F_GARBAGE,    /* 7 bytes of nonsense */
    F_TRUNCATE,   /* half the data, no SW */
    F_SW,         /* only a status word */
};

struct vcard {
    const char *fixture, *dir, *control, *log_path;
    int port;
    uint8_t aid[VC_AID_MAX];
    size_t aid_n;
    struct vc_fixture fx;
    FILE *logf;

    struct vc_card card; /* the card in the reader, while `inserted` */
    int inserted;
    int sock;                /* to vpcd; -1 when not connected */
    int64_t retry_at;        /* when to try connecting again (inserted, not connected) */
    int warned;              /* "vpcd not there" said once this insertion */
    uint8_t in[2 + MSG_MAX]; /* what vpcd sent, not yet handled */
    size_t nin;

    enum fault fault;
    long fault_at; /* fires on this command APDU since it was armed */
    long seen;     /* command APDUs since it was armed */
    unsigned fault_sw;

    int ctl, ctl_w, made_fifo;
    char line[CMD_MAX + 1];
    size_t nline;
    int overlong;
};

static int wake[2] = {-1, -1};
static volatile sig_atomic_t stop;

/* 3B 8A 80 01 "FUELCARD01" TCK: T=0 and T=1, ten historical bytes; TCK set at start. */
static uint8_t atr[] = {0x3B, 0x8A, 0x80, 0x01, 'F', 'U', 'E', 'L',
                        'C',  'A',  'R',  'D',  '0', '1', 0x00};

static const uint8_t garbage[7] = {0x5B, 0xE2, 0x07, 0x9C, 0x31, 0xA8, 0x6F};

static void on_signal(int sig)
{
    (void)sig;
    int e = errno;
    stop = 1;
    if (wake[1] >= 0 && write(wake[1], "x", 1) < 0) {
        /* full: a wake-up is pending anyway */
    }
    errno = e;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void to_log_file(enum log_level level, const char *line, void *user)
{
    (void)level;
    FILE *f = user;
    fprintf(f, "%s\n", line);
    fflush(f);
}

/* `ok <command>` on a line of its own, where the log goes. */
static void say_ok(struct vcard *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say_ok(struct vcard *v, const char *fmt, ...)
{
    FILE *f = v->logf ? v->logf : stderr;
    va_list ap;
    va_start(ap, fmt);
    fputs("ok ", f);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    fflush(f);
    va_end(ap);
}

static const char *ins_name(uint8_t ins)
{
    switch (ins) {
    case 0xA4:
        return "SELECT";
    case 0xB0:
        return "READ BINARY";
    case 0x20:
        return "VERIFY";
    case 0xB2:
        return "READ RECORD";
    case 0x5C:
        return "GET BALANCE";
    case 0x50:
        return "INITIALIZE FOR LOAD";
    case 0x52:
        return "CREDIT FOR LOAD";
    case 0x5A:
        return "GET TRANSACTION PROOF";
    default:
        return "?";
    }
}

/* ---- the connection to vpcd ---- */

static void disconnect(struct vcard *v)
{
    if (v->sock >= 0)
        close(v->sock);
    v->sock = -1;
    v->nin = 0;
}

/* The card comes out. */
static void pull(struct vcard *v, const char *why)
{
    if (!v->inserted)
        return;
    disconnect(v);
    v->inserted = 0;
    vc_card_reset(&v->card);
    log_info(MOD, "card %s pulled (%s)", v->card.def->card_no, why);
}

static void try_connect(struct vcard *v)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)v->port)};
    int one = 1;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        if (!v->warned)
            log_warn(MOD,
                     "vpcd at 127.0.0.1:%d: %s; trying again every %d ms while the "
                     "card is in",
                     v->port, strerror(errno), RETRY_MS);
        v->warned = 1;
        if (s >= 0)
            close(s);
        v->retry_at = now_ms() + RETRY_MS;
        return;
    }
    v->sock = s;
    v->nin = 0;
    v->warned = 0;
    vc_card_reset(&v->card);
    log_info(MOD, "card %s in the reader (vpcd 127.0.0.1:%d)", v->card.def->card_no, v->port);
}

/* Length and payload in one write. 0, or -1 (the connection is gone). */
static int send_msg(struct vcard *v, const uint8_t *p, size_t n)
{
    uint8_t buf[2 + VC_RESP_MAX + 16];
    if (n > VC_RESP_MAX + 16)
        return -1;
    buf[0] = (uint8_t)(n >> 8);
    buf[1] = (uint8_t)n;
    memcpy(buf + 2, p, n);
    size_t done = 0;
    while (done < n + 2) {
        ssize_t k = send(v->sock, buf + done, n + 2 - done, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            log_warn(MOD, "vpcd: %s; connecting again", strerror(errno));
            disconnect(v);
            v->retry_at = now_ms() + RETRY_MS;
            return -1;
        }
        done += (size_t)k;
    }
    return 0;
}

/* ---- the card's side of one message ---- */

static void on_apdu(struct vcard *v, const uint8_t *cmd, size_t n)
{
    enum fault fire = F_NONE;
    if (v->fault != F_NONE && ++v->seen == v->fault_at) {
        fire = v->fault;
        v->fault = F_NONE;
    }
    const char *name = ins_name(n >= 2 ? cmd[1] : 0);
    if (fire == F_PULL_DROP) {
        log_info(MOD, "%s (%zu bytes): pulled during it, not carried out", name, n);
        pull(v, "pull-during drop");
        return;
    }

    struct vc_card work = v->card; /* the command runs on a copy, kept if it may stand */
    uint8_t resp[VC_RESP_MAX];
    int changed;
    size_t rn = vc_apdu(&work, cmd, n, resp, &changed);
    unsigned sw = (unsigned)resp[rn - 2] << 8 | resp[rn - 1];

    if (fire == F_GARBAGE || fire == F_TRUNCATE || fire == F_SW) {
        uint8_t out[2];
        const uint8_t *p = resp;
        size_t k;
        if (fire == F_GARBAGE) {
            p = garbage;
            k = sizeof garbage;
        } else if (fire == F_TRUNCATE) {
            k = rn - 2 >= 2 ? (rn - 2) / 2 : 1;
        } else {
            out[0] = (uint8_t)(v->fault_sw >> 8);
            out[1] = (uint8_t)v->fault_sw;
            p = out;
            k = 2;
        }
        log_info(MOD,
                 "%s (%zu bytes): would answer %04X; answered with %s (%zu bytes), "
                 "no effect",
                 name, n, sw,
                 fire == F_GARBAGE    ? "garbage"
                 : fire == F_TRUNCATE ? "half its data, no SW"
                                      : "only a status word",
                 k);
        send_msg(v, p, k);
        return;
    }

    if (changed && vc_state_save(v->dir, v->card.def, &work.st) != 0) {
        rn = 0; /* like a chip whose EEPROM write failed: 6581, nothing changed */
        resp[rn++] = 0x65;
        resp[rn++] = 0x81;
        sw = 0x6581;
    } else {
        v->card = work;
    }
    log_info(MOD, "%s (%zu bytes) -> %04X, %zu bytes of data%s", name, n, sw, rn - 2,
             changed ? ", saved" : "");
    if (fire == F_PULL_APPLY) {
        pull(v, "pull-during apply: carried out, not answered");
        return;
    }
    if (send_msg(v, resp, rn) == 0 && fire == F_PULL_AFTER)
        pull(v, "pull-after");
}

static void on_message(struct vcard *v, const uint8_t *p, size_t n)
{
    if (n == 1) {
        switch (p[0]) {
        case 0x00:
        case 0x01:
        case 0x02:
            log_info(MOD, "%s", p[0] == 0 ? "power off" : p[0] == 1 ? "power on" : "reset");
            vc_card_reset(&v->card);
            break;
        case 0x04:
            send_msg(v, atr, sizeof atr);
            break;
        default:
            log_warn(MOD, "unknown vpcd control %02X, ignored", p[0]);
        }
        return;
    }
    if (n == 0) {
        log_warn(MOD, "an empty vpcd message, ignored");
        return;
    }
    on_apdu(v, p, n);
}

static void read_vpcd(struct vcard *v)
{
    ssize_t k = recv(v->sock, v->in + v->nin, sizeof v->in - v->nin, MSG_DONTWAIT);
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (k <= 0) {
        log_warn(MOD, "vpcd closed the connection%s%s; connecting again", k ? ": " : "",
                 k ? strerror(errno) : "");
        disconnect(v);
        v->retry_at = now_ms() + RETRY_MS;
        return;
    }
    int one = 1; /* ACK at once: vpcd may write the length and the APDU separately */
    setsockopt(v->sock, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    v->nin += (size_t)k;
    size_t at = 0;
    while (v->sock >= 0 && v->nin - at >= 2) {
        size_t len = (size_t)v->in[at] << 8 | v->in[at + 1];
        if (v->nin - at < 2 + len)
            break;
        on_message(v, v->in + at + 2, len);
        at += 2 + len;
    }
    if (v->sock < 0) /* pulled or gone while handling: what is left goes with it */
        return;
    memmove(v->in, v->in + at, v->nin - at);
    v->nin -= at;
}

/* ---- control commands ---- */

static void insert(struct vcard *v, const char *no)
{
    const struct vc_def *d = no ? vc_fixture_find(&v->fx, no) : NULL;
    if (!d) {
        log_error(MOD, "insert: no card %.20s in the fixture", no ? no : "(none)");
        return;
    }
    struct vc_state st;
    int r = vc_state_load(v->dir, d, &st);
    if (r < 0) {
        log_error(MOD, "insert %s: its state file is unreadable, not inserted", no);
        return;
    }
    if (r == 1)
        vc_state_fresh(d, &st);
    pull(v, "another card goes in");
    memset(&v->card, 0, sizeof v->card);
    v->card.def = d;
    memcpy(v->card.aid, v->aid, v->aid_n);
    v->card.aid_n = v->aid_n;
    v->card.st = st;
    v->inserted = 1;
    v->warned = 0;
    log_info(MOD, "insert %s: %s, balance %u fen, serial %u, %d PIN tries", no,
             r == 1 ? "as issued" : "from its state file", (unsigned)st.balance,
             (unsigned)st.serial, st.tries);
    try_connect(v);
    say_ok(v, "insert %s", no);
}

/* A count of 1..1000000: 0, or -1. */
static int parse_count(const char *s, long *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno || *end || n < 1 || n > 1000000)
        return -1;
    *out = n;
    return 0;
}

static void arm(struct vcard *v, enum fault f, long at, unsigned sw)
{
    v->fault = f;
    v->fault_at = at;
    v->seen = 0;
    v->fault_sw = sw;
}

static void command(struct vcard *v, char *l)
{
    char *save = NULL, *cmd = strtok_r(l, " \t\r", &save);
    char *a = strtok_r(NULL, " \t\r", &save), *b = strtok_r(NULL, " \t\r", &save);
    int extra = strtok_r(NULL, " \t\r", &save) != NULL;
    long n;
    if (!cmd || cmd[0] == '#')
        return;
    if (strcmp(cmd, "insert") == 0 && a && !b) {
        insert(v, a);
    } else if (strcmp(cmd, "pull") == 0 && !a) {
        pull(v, "pull");
        v->fault = F_NONE;
        say_ok(v, "pull");
    } else if (strcmp(cmd, "pull-after") == 0 && !b && parse_count(a, &n) == 0) {
        arm(v, F_PULL_AFTER, n, 0);
        say_ok(v, "pull-after %ld", n);
    } else if (strcmp(cmd, "pull-during") == 0 && b && !extra && parse_count(a, &n) == 0 &&
               (strcmp(b, "apply") == 0 || strcmp(b, "drop") == 0)) {
        arm(v, strcmp(b, "apply") == 0 ? F_PULL_APPLY : F_PULL_DROP, n, 0);
        say_ok(v, "pull-during %ld %s", n, b);
    } else if ((strcmp(cmd, "garbage") == 0 || strcmp(cmd, "truncate") == 0) && !b &&
               parse_count(a, &n) == 0) {
        arm(v, cmd[0] == 'g' ? F_GARBAGE : F_TRUNCATE, n, 0);
        say_ok(v, "%s %ld", cmd, n);
    } else if (strcmp(cmd, "sw") == 0 && b && !extra && parse_count(a, &n) == 0) {
        uint8_t s[2];
        if (vc_unhex(b, s, 2) != 0) {
            log_error(MOD, "sw: a status word of 4 hex digits, please");
            return;
        }
        arm(v, F_SW, n, (unsigned)s[0] << 8 | s[1]);
        say_ok(v, "sw %ld %02X%02X", n, s[0], s[1]);
    } else {
        log_error(MOD, "unknown or malformed command \"%.40s\"", cmd);
    }
}

static int open_control(struct vcard *v)
{
    v->ctl = open(v->control, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (v->ctl < 0) {
        log_error(MOD, "cannot open %s: %s", v->control, strerror(errno));
        return -1;
    }
    /* Our own write end: the read end never sees end-of-file between two writers, so no
     * command is lost in between. */
    if (v->ctl_w < 0)
        v->ctl_w = open(v->control, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    return 0;
}

static void read_control(struct vcard *v)
{
    char buf[1024];
    ssize_t n;
    while ((n = read(v->ctl, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n && !stop; i++) {
            if (buf[i] != '\n') {
                if (v->nline < CMD_MAX)
                    v->line[v->nline++] = buf[i];
                else
                    v->overlong = 1;
                continue;
            }
            v->line[v->nline] = '\0';
            if (v->overlong)
                log_error(MOD, "a command longer than %d bytes, skipped", CMD_MAX);
            else
                command(v, v->line);
            v->nline = 0;
            v->overlong = 0;
        }
    }
    if (n == 0) { /* every writer gone (never while we hold ours): open it again */
        close(v->ctl);
        if (open_control(v) != 0)
            stop = 1;
    }
}

/* ---- main ---- */

static int usage(void)
{
    fprintf(stderr, "usage: fuel-vcard --fixture cards.ini --state DIR --port PORT --control "
                    "FIFO [--log FILE] [--aid HEX]\n");
    return 2;
}

static int parse_args(struct vcard *v, int argc, char **argv)
{
    const char *port = NULL, *aid = VC_DEFAULT_AID;
    if (argc % 2 == 0) /* options and their values, in pairs */
        return -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *val = argv[i + 1];
        if (strcmp(argv[i], "--fixture") == 0)
            v->fixture = val;
        else if (strcmp(argv[i], "--state") == 0)
            v->dir = val;
        else if (strcmp(argv[i], "--port") == 0)
            port = val;
        else if (strcmp(argv[i], "--control") == 0)
            v->control = val;
        else if (strcmp(argv[i], "--log") == 0)
            v->log_path = val;
        else if (strcmp(argv[i], "--aid") == 0)
            aid = val;
        else
            return -1;
    }
    long p;
    char *end;
    if (!v->fixture || !v->dir || !v->control || !port)
        return -1;
    errno = 0;
    p = strtol(port, &end, 10);
    if (errno || *end || end == port || p < 1 || p > 65535)
        return -1;
    v->port = (int)p;
    v->aid_n = strlen(aid) / 2;
    if (v->aid_n < 5 || v->aid_n > VC_AID_MAX || vc_unhex(aid, v->aid, v->aid_n) != 0)
        return -1;
    return 0;
}

/* --balance CARD_NO: the chip's balance and its loads, from its state file (or as issued). */
static int print_balance(int argc, char **argv)
{
    static struct vc_fixture fx;
    const char *fixture = NULL, *dir = NULL, *no = NULL;
    char err[256];
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--fixture") == 0)
            fixture = argv[i + 1];
        else if (strcmp(argv[i], "--state") == 0)
            dir = argv[i + 1];
        else if (strcmp(argv[i], "--balance") == 0)
            no = argv[i + 1];
        else
            return usage();
    }
    if (!fixture || !dir || !no)
        return usage();
    if (vc_fixture_load(fixture, &fx, err, sizeof err) != 0) {
        fprintf(stderr, "fuel-vcard: %s\n", err);
        return 1;
    }
    const struct vc_def *def = vc_fixture_find(&fx, no);
    if (!def) {
        fprintf(stderr, "fuel-vcard: no card %s\n", no);
        return 1;
    }
    struct vc_state st;
    vc_state_fresh(def, &st);
    if (vc_state_load(dir, def, &st) < 0)
        return 1;
    int loads = 0;
    for (int i = 0; i < st.nlog; i++)
        loads += st.log[i][9] == VC_LOAD_TYPE; /* serial 2, overdraft 3, amount 4, type */
    printf("%u %d\n", (unsigned)st.balance, loads);
    return 0;
}

int main(int argc, char **argv)
{
    static struct vcard vc = {.sock = -1, .ctl = -1, .ctl_w = -1};
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--balance") == 0)
            return print_balance(argc, argv);
    struct vcard *v = &vc;
    int rc = 1;
    char err[256];
    if (parse_args(v, argc, argv) != 0)
        return usage();
    if (v->log_path) {
        v->logf = fopen(v->log_path, "a");
        if (!v->logf) {
            fprintf(stderr, "fuel-vcard: cannot open %s: %s\n", v->log_path, strerror(errno));
            return 1;
        }
        log_set_sink(to_log_file, v->logf);
        log_set_quiet(1);
    }
    for (size_t i = 1; i + 1 < sizeof atr; i++) /* TCK: XOR of T0 .. the last byte before */
        atr[sizeof atr - 1] ^= atr[i];

    if (pipe(wake) != 0)
        goto end;
    for (int i = 0; i < 2; i++) {
        fcntl(wake[i], F_SETFL, fcntl(wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(wake[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (vc_fixture_load(v->fixture, &v->fx, err, sizeof err) != 0) {
        log_error(MOD, "%s", err);
        goto end;
    }
    if (mkdir(v->dir, 0700) != 0 && errno != EEXIST) {
        log_error(MOD, "cannot make %s: %s", v->dir, strerror(errno));
        goto end;
    }
    struct stat st;
    if (mkfifo(v->control, 0600) == 0)
        v->made_fifo = 1;
    else if (errno != EEXIST || stat(v->control, &st) != 0 || !S_ISFIFO(st.st_mode)) {
        log_error(MOD, "%s: not a FIFO and cannot make one", v->control);
        goto end;
    }
    if (open_control(v) != 0)
        goto end;
    log_info(MOD, "ready: %d cards, vpcd port %d, control %s, state in %s", v->fx.n, v->port,
             v->control, v->dir);
    say_ok(v, "ready");

    while (!stop) {
        int timeout = POLL_IDLE_MS;
        if (v->inserted && v->sock < 0) {
            int64_t left = v->retry_at - now_ms();
            if (left <= 0) {
                try_connect(v);
                continue;
            }
            timeout = (int)left;
        }
        struct pollfd pf[3] = {{.fd = v->ctl, .events = POLLIN},
                               {.fd = wake[0], .events = POLLIN},
                               {.fd = v->sock, .events = POLLIN}};
        if (poll(pf, 3, timeout) < 0) {
            if (errno == EINTR)
                continue;
            log_error(MOD, "poll: %s", strerror(errno));
            goto end;
        }
        if (pf[2].revents & (POLLIN | POLLHUP | POLLERR))
            read_vpcd(v);
        if (pf[0].revents & (POLLIN | POLLHUP | POLLERR))
            read_control(v);
    }
    log_info(MOD, "stopping");
    rc = 0;
end:
    if (v->inserted)
        pull(v, "the simulator stops");
    if (v->ctl >= 0)
        close(v->ctl);
    if (v->ctl_w >= 0)
        close(v->ctl_w);
    if (v->made_fifo)
        unlink(v->control);
    if (wake[0] >= 0)
        close(wake[0]);
    if (wake[1] >= 0)
        close(wake[1]);
    if (v->logf) {
        log_set_sink(NULL, NULL);
        fclose(v->logf);
    }
    return rc;
}
