/* idcard-sim: a second-generation ID card reader (the SAM module's serial protocol, GA 467)
 * on a pty, for the demo, the scenario scripts and the idcard driver's tests. It makes a pty,
 * puts a symlink to its slave at --link (the kiosk opens that path as it would /dev/ttyUSB0)
 * and answers command frames there as a reader does. Which card lies on the reader, and what
 * goes wrong, is driven by commands on a control FIFO. The frame code here is its own on
 * purpose: a simulator sharing the kiosk's codec would hide that codec's bugs.
 *
 * usage: idcard-sim --link PATH --control FIFO --identities FILE [--state FILE]
 *   --link        the symlink to the pty's slave (an existing one is replaced)
 *   --control     the control FIFO (made 0600 when missing, removed at exit if made here)
 *   --identities  the cards (tests/sim/idcard/identities.ini; load_identities() says how)
 *   --state       after every command frame (before its answer goes out, so whoever has the
 *                 answer finds the state that goes with it) and every control command
 *                 carried out, this file holds one line (FILE.tmp, then renamed over it):
 *                   placed=KEY|- reads=N last_cmd=XXXX|- last_sw3=XX|- frames=N plugged=0|1
 *                   controls=N
 *                 reads: 30 01 frames taken (whatever the answer); last_cmd: CMD PARA of the
 *                 last frame (- when its header was bad); last_sw3: what it was answered (-
 *                 when it was not: silent); frames: command frames taken, bad ones too;
 *                 controls: control commands carried out.
 * Once the pty, the link, the FIFO and the state file are there, "ready" is printed on
 * stdout (a line of its own, flushed). It runs until SIGTERM or SIGINT (or `quit`), then
 * removes the link and exits 0.
 *
 * Frames, both ways: AA AA AA 96 69 | LEN (2, big-endian: the bytes after it, CHK included) |
 * payload | CHK (XOR of LEN_H up to the byte before CHK). A command's payload is CMD PARA;
 * an answer's is 00 00 SW3 [data]. Answers:
 *   11 FF SAM status     90 (60 after `sam-fail`)
 *   12 FF SAM ID         90 + 16 bytes
 *   20 01 find card      9F + 00 00 00 00 with a card placed, else 80
 *   20 02 select card    90 + 8 zero bytes with a card placed, else 81
 *   30 01 read           90 + 01 00 + 04 00 + text (256) + photo (1024): 1295 bytes;
 *                        no card: 41
 *   30 03 appended addr. 90 + 70 bytes UCS-2LE, or 91 when the identity has none; no card: 41
 * A frame whose checksum is wrong gets 10; one whose LEN is under 3 or over CMD_LEN_MAX, or
 * whose bytes stop for FRAME_GAP_MS before LEN is reached, or a known command with data
 * after CMD PARA gets 11; any other CMD PARA (10 FF reset SAM and 30 10 fingerprints too)
 * gets 21. Bytes before a preamble are dropped. No order is enforced (a read needs no find
 * or select first), and a find keeps answering 9F while the card lies there.
 *
 * Control commands, one per line on the FIFO (`echo 'place wang' > FIFO`); each applies from
 * the next command frame (the FIFO is read again before each frame is answered, so a
 * command written before a frame is always in force for it):
 *   place KEY          the card KEY lies on the reader (replacing any other)
 *   lift               the card is taken off
 *   lift-during-read   the next 30 01 that finds the card sends the first LIFT_CUT bytes of
 *                      its answer, then the card is gone
 *   sw3 XX             the next 30 01 answers SW3 XX (hex) with no data, card or not
 *   garbage            the next answer is GARBAGE_LEN pseudo-random bytes instead of a frame
 *   badsum             the next answer goes with its checksum inverted
 *   truncated          the next answer stops after half its bytes, then nothing
 *                      (these three share one slot: the last one given is armed)
 *   sam-fail, sam-ok   SAM status answers 60 from now on / 90 again
 *   silent, talk       frames are taken but never answered / answered again (armed faults
 *                      wait for the first answer actually sent)
 *   unplug             the link is removed and the pty closed: the kiosk's side hangs up
 *   plug               a new pty, the link made again
 *   quit               ends the simulator, as SIGTERM does
 * Empty lines and lines starting with '#' are skipped. The FIFO's write end is held open
 * here too, so no command is lost between two writers.
 *
 * What is logged (stderr): control commands by name (with the identity KEY or the SW3 value),
 * and each frame's CMD PARA, the SW3 sent and the bytes written. A name, an ID number, an
 * address or photo bytes never appear in the log or the state file.
 *
 * The slave is held open here as well, raw, so the master never reads a hang-up while the
 * kiosk closes and reopens its port. Answers nobody has read stay in the line until the
 * kiosk flushes it (a driver should tcflush() on open). A write to the pty waits for room at
 * most WRITE_STALL_MS, then the rest of that answer is dropped with a log line. */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <ini.h>

#include "core/log.h"

#define MOD "idcard:sim"

#define KEY_MAX 32 /* an identity's key, with its NUL */
#define IDS_MAX 32
#define TEXT_LEN 256
#define PHOTO_LEN 1024
#define ADDR2_LEN 70
#define TYPE_AT 248 /* the card type byte in the text block: 'J', 'I' or a space */

#define PREAMBLE_LEN 5
#define HDR_LEN 7         /* the preamble and LEN */
#define CMD_LEN_MAX 0x100 /* a longer LEN is refused at once (11) */
#define ANSWER_MAX (HDR_LEN + 3 + 4 + TEXT_LEN + PHOTO_LEN + 1) /* 1295, the read's answer */
#define IN_MAX 4096
#define FRAME_GAP_MS 200 /* a frame's bytes stopping this long before LEN is reached: 11 */
#define WRITE_STALL_MS 1000
#define GARBAGE_LEN 40
#define LIFT_CUT 400
#define CTL_MAX 256

#define SW3_OK 0x90
#define SW3_FOUND 0x9F
#define SW3_NO_CONTENT 0x91
#define SW3_BAD_SUM 0x10
#define SW3_BAD_LEN 0x11
#define SW3_BAD_CMD 0x21
#define SW3_READ_FAILED 0x41
#define SW3_SAM_FAILED 0x60
#define SW3_NO_CARD 0x80
#define SW3_SELECT_FAILED 0x81

static const uint8_t preamble[PREAMBLE_LEN] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};

/* A made-up SAM's 16-byte ID. */
static const uint8_t sam_id[16] = {0x05, 0x00, 0x01, 0x00, 0x20, 0x24, 0x01, 0x15,
                                   0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC};

/* One card, as its chip gives it out (built once, from the identities file). */
struct identity {
    char key[KEY_MAX];
    uint8_t text[TEXT_LEN]; /* UCS-2LE, space padded */
    uint8_t photo[PHOTO_LEN];
    uint8_t addr2[ADDR2_LEN]; /* the appended address, UCS-2LE, space padded */
    int has_addr2;
    unsigned have; /* the fields given, one bit per entry of fields[] */
};

/* What the next answer suffers on the line (one at a time). */
enum line_fault {
    LF_NONE,      /* sent as built */
    LF_GARBAGE,   /* GARBAGE_LEN pseudo-random bytes instead */
    LF_BADSUM,    /* the checksum inverted */
    LF_TRUNCATED, /* the first half only */
};

static const char *const line_fault_names[] = {"", "garbage", "badsum", "truncated"};

struct answer {
    uint8_t b[ANSWER_MAX];
    size_t n;
    uint8_t sw3;
    size_t cut;     /* send at most this many bytes (0: all) */
    int lift_after; /* the card goes once this answer is (partly) sent */
};

struct sim {
    const char *link, *control, *ids_path, *state;
    struct identity ids[IDS_MAX];
    int nids;

    int master, slave; /* -1 while unplugged */
    char pts[128];
    int ctl, ctl_w, made_fifo;
    char line[CTL_MAX + 1];
    size_t nline;
    int overlong;

    uint8_t in[IN_MAX]; /* bytes from the kiosk, not yet a whole frame */
    size_t nin;
    int64_t rx_ms; /* when bytes last came */

    const struct identity *placed; /* NULL: no card */
    int lift_during_read, sw3_armed, sam_fail, silent;
    uint8_t sw3_value;
    enum line_fault line_fault;
    uint32_t rng; /* for garbage */

    long reads, frames, controls;
    char last_cmd[5], last_sw3[3];
};

static int wake[2] = {-1, -1}; /* the self-pipe a signal writes to */
static volatile sig_atomic_t stop;

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

static void set_flags(int fd, int fl, int fd_fl)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | fl);
    fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | fd_fl);
}

static uint32_t xorshift32(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* ---- the identities ---- */

/* Writes `utf8` as UCS-2LE into out[0 .. 2*chars), padded with spaces. The number of
 * characters it has, or -1: not UTF-8, outside the BMP, a control character, or more than
 * `chars` characters. */
static int put_ucs2(uint8_t *out, int chars, const char *utf8)
{
    const uint8_t *p = (const uint8_t *)utf8;
    int n = 0;
    while (*p) {
        uint32_t c;
        if (p[0] < 0x80) {
            c = p[0];
            p += 1;
        } else if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            c = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
            if (c < 0x80)
                return -1;
            p += 2;
        } else if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
            c = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
            if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))
                return -1;
            p += 3;
        } else {
            return -1; /* a bad sequence, or a character outside the BMP */
        }
        if (c < 0x20 || c == 0x7F || n == chars)
            return -1;
        out[2 * n] = (uint8_t)(c & 0xFF);
        out[2 * n + 1] = (uint8_t)(c >> 8);
        n++;
    }
    for (int i = n; i < chars; i++) {
        out[2 * i] = ' ';
        out[2 * i + 1] = 0;
    }
    return n;
}

static int all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

enum field_check {
    FC_TEXT,     /* 1 to `chars` characters */
    FC_SEX,      /* one digit */
    FC_NATION,   /* two digits, or blank */
    FC_DATE,     /* YYYYMMDD */
    FC_VALID_TO, /* YYYYMMDD or 长期 */
    FC_ID_NO,    /* 17 digits, then a digit or X (the check digit is not checked: a fixture
                  * may want a bad one) */
    FC_KIND,     /* resident | hmt | foreign */
};

/* The identities file's fields: where each goes and what it must look like. */
static const struct field {
    const char *name;
    int offset; /* in the text block; -1: not there */
    int chars;  /* its width in UCS-2 characters */
    enum field_check check;
    int required;
    const char *want; /* for the error message (the value itself is never shown) */
} fields[] = {
    {"name", 0, 15, FC_TEXT, 1, "1 to 15 characters"},
    {"sex", 30, 1, FC_SEX, 1, "1 (male) or 2 (female)"},
    {"nation", 32, 2, FC_NATION, 1, "2 digits, or blank"},
    {"birth", 36, 8, FC_DATE, 1, "YYYYMMDD"},
    {"address", 52, 35, FC_TEXT, 1, "1 to 35 characters"},
    {"id_no", 122, 18, FC_ID_NO, 1, "17 digits, then a digit or X"},
    {"authority", 158, 15, FC_TEXT, 1, "1 to 15 characters"},
    {"valid_from", 188, 8, FC_DATE, 1, "YYYYMMDD"},
    {"valid_to", 204, 8, FC_VALID_TO, 1, "YYYYMMDD or 长期"},
    {"appended_address", -1, 35, FC_TEXT, 0, "1 to 35 characters"},
    {"kind", -1, 0, FC_KIND, 0, "resident, hmt or foreign"},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

struct load {
    struct sim *s;
    char err[200];
};

static int valid_key(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n >= KEY_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_' ||
              k[i] == '-'))
            return 0;
    return 1;
}

/* The identity `key`, made (all spaces, its photo drawn) when new; NULL when full. */
static struct identity *identity_of(struct sim *s, const char *key)
{
    for (int i = 0; i < s->nids; i++)
        if (strcmp(s->ids[i].key, key) == 0)
            return &s->ids[i];
    if (s->nids == IDS_MAX)
        return NULL;
    struct identity *id = &s->ids[s->nids++];
    memset(id, 0, sizeof *id);
    snprintf(id->key, sizeof id->key, "%s", key);
    put_ucs2(id->text, TEXT_LEN / 2, "");
    put_ucs2(id->addr2, ADDR2_LEN / 2, "");
    /* The photo: 'W' 'L', then bytes from a PRNG seeded with the key's FNV-1a hash. */
    uint32_t h = 2166136261u;
    for (const char *c = key; *c; c++)
        h = (h ^ (uint8_t)*c) * 16777619u;
    if (h == 0)
        h = 1;
    id->photo[0] = 'W';
    id->photo[1] = 'L';
    for (size_t i = 2; i < PHOTO_LEN; i++)
        id->photo[i] = (uint8_t)(xorshift32(&h) >> 24);
    return id;
}

static int check_value(const struct field *f, const char *v)
{
    switch (f->check) {
    case FC_TEXT:
        return v[0] != '\0';
    case FC_SEX:
        return strlen(v) == 1 && v[0] >= '0' && v[0] <= '9';
    case FC_NATION:
        return v[0] == '\0' || all_digits(v, 2);
    case FC_DATE:
        return all_digits(v, 8);
    case FC_VALID_TO:
        return all_digits(v, 8) || strcmp(v, "长期") == 0;
    case FC_ID_NO:
        return strlen(v) == 18 && strspn(v, "0123456789") >= 17 &&
               (v[17] == 'X' || (v[17] >= '0' && v[17] <= '9'));
    case FC_KIND:
        return strcmp(v, "resident") == 0 || strcmp(v, "hmt") == 0 || strcmp(v, "foreign") == 0;
    }
    return 0;
}

static int on_item(void *user, const char *section, const char *name, const char *value)
{
    struct load *l = user;
    if (!valid_key(section)) {
        snprintf(l->err, sizeof l->err, "[%.40s]: a key of 1 to %d letters a-z, digits, _ or -",
                 section, KEY_MAX - 1);
        return 0;
    }
    struct identity *id = identity_of(l->s, section);
    if (!id) {
        snprintf(l->err, sizeof l->err, "more than %d identities", IDS_MAX);
        return 0;
    }
    size_t i = 0;
    while (i < NFIELDS && strcmp(fields[i].name, name) != 0)
        i++;
    if (i == NFIELDS) {
        snprintf(l->err, sizeof l->err, "[%s] %.40s: not a field", section, name);
        return 0;
    }
    const struct field *f = &fields[i];
    int ok = check_value(f, value);
    if (ok && f->check == FC_KIND) {
        id->text[TYPE_AT] = strcmp(value, "hmt") == 0       ? 'J'
                            : strcmp(value, "foreign") == 0 ? 'I'
                                                            : ' ';
        id->text[TYPE_AT + 1] = 0;
    } else if (ok && f->offset >= 0) {
        ok = put_ucs2(id->text + f->offset, f->chars, value) >= 0;
    } else if (ok) {
        ok = put_ucs2(id->addr2, f->chars, value) >= 0;
        id->has_addr2 = ok;
    }
    if (!ok) {
        snprintf(l->err, sizeof l->err, "[%s] %s: %s", section, f->name, f->want);
        return 0;
    }
    id->have |= 1u << i;
    return 1;
}

/* Reads the identities file: a section per card, [KEY] (a-z, 0-9, _ and -), then
 *   name, sex, nation (blank for a residence permit), birth, address, id_no, authority,
 *   valid_from, valid_to (YYYYMMDD or 长期): all required;
 *   appended_address (optional: 30 03 answers 91 without it);
 *   kind = resident (default) | hmt ('J' at text byte 248) | foreign ('I' there; the real
 *   foreigner card's layout differs and is not modelled).
 * Text is UTF-8 (BMP only) and must fit the field's width. 0, or -1 (logged). */
static int load_identities(struct sim *s)
{
    struct load l = {.s = s};
    int line = ini_parse(s->ids_path, on_item, &l);
    if (line < 0) {
        log_error(MOD, "cannot read %s", s->ids_path);
        return -1;
    }
    if (line > 0) {
        log_error(MOD, "%s:%d: %s", s->ids_path, line, l.err[0] ? l.err : "not an INI line");
        return -1;
    }
    for (int k = 0; k < s->nids; k++)
        for (size_t i = 0; i < NFIELDS; i++)
            if (fields[i].required && !(s->ids[k].have & 1u << i)) {
                log_error(MOD, "%s: [%s] has no %s", s->ids_path, s->ids[k].key, fields[i].name);
                return -1;
            }
    if (s->nids == 0) {
        log_error(MOD, "%s: no identities", s->ids_path);
        return -1;
    }
    log_info(MOD, "%d identities from %s", s->nids, s->ids_path);
    return 0;
}

static const struct identity *find_identity(const struct sim *s, const char *key)
{
    for (int i = 0; i < s->nids; i++)
        if (strcmp(s->ids[i].key, key) == 0)
            return &s->ids[i];
    return NULL;
}

/* ---- answers ---- */

static void answer_begin(struct answer *a, uint8_t sw3)
{
    memset(a, 0, sizeof *a);
    memcpy(a->b, preamble, PREAMBLE_LEN);
    a->n = HDR_LEN;
    a->b[a->n++] = 0x00;
    a->b[a->n++] = 0x00;
    a->b[a->n++] = sw3;
    a->sw3 = sw3;
}

static void answer_put(struct answer *a, const uint8_t *p, size_t n)
{
    memcpy(a->b + a->n, p, n); /* the callers' sizes add up to ANSWER_MAX at most */
    a->n += n;
}

/* LEN and CHK. */
static void answer_end(struct answer *a)
{
    size_t len = a->n - HDR_LEN + 1;
    a->b[5] = (uint8_t)(len >> 8);
    a->b[6] = (uint8_t)len;
    uint8_t x = 0;
    for (size_t i = 5; i < a->n; i++)
        x ^= a->b[i];
    a->b[a->n++] = x;
}

static void cmd_sam_status(struct sim *s, struct answer *a)
{
    answer_begin(a, s->sam_fail ? SW3_SAM_FAILED : SW3_OK);
}

static void cmd_sam_id(struct sim *s, struct answer *a)
{
    (void)s;
    answer_begin(a, SW3_OK);
    answer_put(a, sam_id, sizeof sam_id);
}

static void cmd_find(struct sim *s, struct answer *a)
{
    static const uint8_t zero[4];
    answer_begin(a, s->placed ? SW3_FOUND : SW3_NO_CARD);
    if (s->placed)
        answer_put(a, zero, sizeof zero);
}

static void cmd_select(struct sim *s, struct answer *a)
{
    static const uint8_t zero[8];
    answer_begin(a, s->placed ? SW3_OK : SW3_SELECT_FAILED);
    if (s->placed)
        answer_put(a, zero, sizeof zero);
}

static void cmd_read(struct sim *s, struct answer *a)
{
    static const uint8_t lengths[4] = {TEXT_LEN >> 8, TEXT_LEN & 0xFF, PHOTO_LEN >> 8,
                                       PHOTO_LEN & 0xFF};
    s->reads++;
    if (s->sw3_armed) {
        s->sw3_armed = 0;
        answer_begin(a, s->sw3_value);
        return;
    }
    if (!s->placed) {
        answer_begin(a, SW3_READ_FAILED);
        return;
    }
    answer_begin(a, SW3_OK);
    answer_put(a, lengths, sizeof lengths);
    answer_put(a, s->placed->text, TEXT_LEN);
    answer_put(a, s->placed->photo, PHOTO_LEN);
    if (s->lift_during_read) {
        s->lift_during_read = 0;
        a->cut = LIFT_CUT;
        a->lift_after = 1;
    }
}

static void cmd_read_addr2(struct sim *s, struct answer *a)
{
    if (!s->placed) {
        answer_begin(a, SW3_READ_FAILED);
    } else if (!s->placed->has_addr2) {
        answer_begin(a, SW3_NO_CONTENT);
    } else {
        answer_begin(a, SW3_OK);
        answer_put(a, s->placed->addr2, ADDR2_LEN);
    }
}

static const struct command {
    uint8_t cmd, para;
    const char *name;
    void (*run)(struct sim *s, struct answer *a);
} commands[] = {
    {0x11, 0xFF, "SAM status", cmd_sam_status},
    {0x12, 0xFF, "SAM ID", cmd_sam_id},
    {0x20, 0x01, "find card", cmd_find},
    {0x20, 0x02, "select card", cmd_select},
    {0x30, 0x01, "read", cmd_read},
    {0x30, 0x03, "read appended address", cmd_read_addr2},
};

/* ---- the pty ---- */

/* Writes p[0..n) to the master; waits for room at most WRITE_STALL_MS without progress.
 * The number of bytes written. */
static size_t send_bytes(struct sim *s, const uint8_t *p, size_t n)
{
    size_t done = 0;
    int64_t since = now_ms();
    while (done < n && s->master >= 0 && !stop) {
        ssize_t k = write(s->master, p + done, n - done);
        if (k > 0) {
            done += (size_t)k;
            since = now_ms();
            continue;
        }
        if (k < 0 && errno != EAGAIN && errno != EINTR) {
            log_warn(MOD, "write to the pty: %s", strerror(errno));
            break;
        }
        int64_t left = since + WRITE_STALL_MS - now_ms();
        if (left <= 0)
            break;
        struct pollfd pf[2] = {{.fd = s->master, .events = POLLOUT},
                               {.fd = wake[0], .events = POLLIN}};
        if (poll(pf, 2, (int)left) < 0 && errno != EINTR)
            break;
    }
    return done;
}

/* The link, to `target`, replaced in one step. 0 or -1 (logged). */
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

/* The link goes and the pty closes: the kiosk's side is hung up. */
static void unplug(struct sim *s)
{
    if (s->master < 0)
        return;
    unlink(s->link);
    close(s->slave);
    close(s->master);
    s->master = s->slave = -1;
    s->nin = 0;
    log_info(MOD, "unplugged: %s removed", s->link);
}

/* A new pty, its line raw at 115200, its slave held open and linked. 0 or -1 (logged). */
static int plug(struct sim *s)
{
    if (s->master >= 0)
        return 0;
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    const char *name = NULL;
    struct termios t;
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0 || !(name = ptsname(m))) {
        log_error(MOD, "no pty: %s", strerror(errno));
        if (m >= 0)
            close(m);
        return -1;
    }
    snprintf(s->pts, sizeof s->pts, "%s", name);
    set_flags(m, O_NONBLOCK, FD_CLOEXEC);
    s->slave = open(s->pts, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (s->slave < 0) {
        log_error(MOD, "cannot open %s: %s", s->pts, strerror(errno));
        close(m);
        return -1;
    }
    if (tcgetattr(s->slave, &t) == 0) {
        cfmakeraw(&t);
        cfsetispeed(&t, B115200);
        cfsetospeed(&t, B115200);
        tcsetattr(s->slave, TCSANOW, &t);
    }
    s->master = m;
    s->nin = 0;
    if (make_link(s, s->pts) != 0) {
        unplug(s);
        return -1;
    }
    log_info(MOD, "plugged in: %s -> %s", s->link, s->pts);
    return 0;
}

/* ---- the state file ---- */

static void write_state(const struct sim *s)
{
    if (!s->state)
        return;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", s->state) >= (int)sizeof tmp) {
        log_error(MOD, "state path too long");
        return;
    }
    FILE *f = fopen(tmp, "w");
    int ok = f && fprintf(f,
                          "placed=%s reads=%ld last_cmd=%s last_sw3=%s frames=%ld plugged=%d "
                          "controls=%ld\n",
                          s->placed ? s->placed->key : "-", s->reads, s->last_cmd, s->last_sw3,
                          s->frames, s->master >= 0, s->controls) > 0;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, s->state) != 0) {
        log_error(MOD, "cannot write %s: %s", s->state, strerror(errno));
        unlink(tmp);
    }
}

/* ---- frames from the kiosk ---- */

static void read_control(struct sim *s);

/* Sends an answer, as the armed faults have it. The state file is written first, so a test
 * that has the answer finds the state that goes with it. */
static void send_answer(struct sim *s, struct answer *a, const char *what)
{
    if (s->silent) {
        snprintf(s->last_sw3, sizeof s->last_sw3, "-");
        write_state(s);
        log_info(MOD, "%s -> not answered (silent)", what);
        return;
    }
    snprintf(s->last_sw3, sizeof s->last_sw3, "%02X", a->sw3);
    const uint8_t *p = a->b;
    size_t n = a->n;
    uint8_t junk[GARBAGE_LEN];
    enum line_fault lf = s->line_fault;
    s->line_fault = LF_NONE;
    if (lf == LF_GARBAGE) {
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (uint8_t)(xorshift32(&s->rng) >> 24);
        p = junk;
        n = sizeof junk;
    } else if (lf == LF_BADSUM) {
        a->b[n - 1] ^= 0xFF;
    } else if (lf == LF_TRUNCATED) {
        n /= 2;
    }
    if (a->cut && a->cut < n)
        n = a->cut;
    if (a->lift_after)
        s->placed = NULL; /* gone by the time the answer breaks off */
    write_state(s);
    size_t sent = send_bytes(s, p, n);
    log_info(MOD, "%s -> SW3 %02X, %zu of %zu bytes%s%s%s", what, a->sw3, sent, a->n,
             lf ? " [" : "", line_fault_names[lf], lf ? "]" : "");
    if (sent < n)
        log_warn(MOD, "nobody reads the line: %zu bytes dropped", n - sent);
    if (a->lift_after)
        log_info(MOD, "the card was lifted during the read");
}

/* A frame refused before its command is known (a bad LEN, bytes stopping short). */
static void refuse(struct sim *s, const char *why)
{
    struct answer a;
    s->frames++;
    snprintf(s->last_cmd, sizeof s->last_cmd, "-");
    answer_begin(&a, SW3_BAD_LEN);
    answer_end(&a);
    log_warn(MOD, "a frame with %s", why);
    send_answer(s, &a, "bad frame");
}

/* The whole frame at s->in[0 .. HDR_LEN + len). */
static void take_frame(struct sim *s, size_t len)
{
    const uint8_t *f = s->in;
    uint8_t x = 0;
    for (size_t i = 5; i < HDR_LEN + len - 1; i++)
        x ^= f[i];
    uint8_t cmd = f[7], para = f[8]; /* len >= 3: both there */
    struct answer a;
    char what[64];
    s->frames++;
    snprintf(s->last_cmd, sizeof s->last_cmd, "%02X%02X", cmd, para);
    const struct command *c = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].cmd == cmd && commands[i].para == para)
            c = &commands[i];
    snprintf(what, sizeof what, "%02X %02X (%s)", cmd, para, c ? c->name : "unknown");
    if (x != f[HDR_LEN + len - 1]) {
        answer_begin(&a, SW3_BAD_SUM);
        log_warn(MOD, "%s: bad checksum", what);
    } else if (c && len != 3) {
        answer_begin(&a, SW3_BAD_LEN);
        log_warn(MOD, "%s: %zu unexpected data bytes", what, len - 3);
    } else if (!c) {
        answer_begin(&a, SW3_BAD_CMD);
    } else {
        c->run(s, &a);
    }
    answer_end(&a);
    send_answer(s, &a, what);
}

static void drop_input(struct sim *s, size_t n)
{
    if (n > s->nin)
        n = s->nin;
    memmove(s->in, s->in + n, s->nin - n);
    s->nin -= n;
}

/* Does a preamble start at s->in[i] (as far as the bytes go)? */
static int preamble_at(const struct sim *s, size_t i)
{
    for (size_t k = 0; k < PREAMBLE_LEN && i + k < s->nin; k++)
        if (s->in[i + k] != preamble[k])
            return 0;
    return 1;
}

/* Takes every whole frame in s->in. */
static void parse_input(struct sim *s)
{
    while (s->master >= 0 && !stop) {
        size_t i = 0;
        while (i < s->nin && !preamble_at(s, i))
            i++;
        if (i) {
            log_warn(MOD, "%zu bytes before a frame, dropped", i);
            drop_input(s, i);
        }
        if (s->nin < HDR_LEN)
            return;
        size_t len = (size_t)s->in[5] << 8 | s->in[6];
        if (len < 3 || len > CMD_LEN_MAX) {
            read_control(s);
            if (s->master < 0)
                return;
            drop_input(s, HDR_LEN);
            refuse(s, "a bad LEN");
            continue;
        }
        if (s->nin < HDR_LEN + len)
            return;
        /* Control commands written before this frame are in force for it. */
        read_control(s);
        if (s->master < 0)
            return; /* unplugged meanwhile: the frame went with the line */
        take_frame(s, len);
        drop_input(s, HDR_LEN + len);
    }
}

static void read_master(struct sim *s)
{
    while (s->master >= 0) {
        ssize_t n = read(s->master, s->in + s->nin, sizeof s->in - s->nin);
        if (n > 0) {
            s->nin += (size_t)n;
            s->rx_ms = now_ms();
            parse_input(s); /* leaves less than HDR_LEN + CMD_LEN_MAX bytes: room again */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return;
    }
}

/* A frame whose bytes stopped before its LEN was reached: 11, and dropped. */
static void check_gap(struct sim *s)
{
    if (s->nin == 0 || now_ms() - s->rx_ms < FRAME_GAP_MS)
        return;
    int header = s->nin >= HDR_LEN;
    s->nin = 0;
    if (header) {
        read_control(s);
        if (s->master >= 0)
            refuse(s, "fewer bytes than its LEN");
    }
}

/* ---- control commands ---- */

static int ctl_place(struct sim *s, const char *arg)
{
    const struct identity *id = find_identity(s, arg);
    if (!id) {
        log_error(MOD, "place: no identity with that key");
        return -1;
    }
    s->placed = id;
    return 0;
}

static int ctl_lift(struct sim *s, const char *arg)
{
    (void)arg;
    s->placed = NULL;
    return 0;
}

static int ctl_lift_during_read(struct sim *s, const char *arg)
{
    (void)arg;
    s->lift_during_read = 1;
    return 0;
}

static int ctl_garbage(struct sim *s, const char *arg)
{
    (void)arg;
    s->line_fault = LF_GARBAGE;
    return 0;
}

static int ctl_badsum(struct sim *s, const char *arg)
{
    (void)arg;
    s->line_fault = LF_BADSUM;
    return 0;
}

static int ctl_truncated(struct sim *s, const char *arg)
{
    (void)arg;
    s->line_fault = LF_TRUNCATED;
    return 0;
}

static int ctl_sw3(struct sim *s, const char *arg)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(arg, &end, 16);
    if (errno || end == arg || *end || v > 0xFF || strlen(arg) > 2) {
        log_error(MOD, "sw3: one byte in hex, please (41, 33, ...)");
        return -1;
    }
    s->sw3_value = (uint8_t)v;
    s->sw3_armed = 1;
    return 0;
}

static int ctl_sam_fail(struct sim *s, const char *arg)
{
    (void)arg;
    s->sam_fail = 1;
    return 0;
}

static int ctl_sam_ok(struct sim *s, const char *arg)
{
    (void)arg;
    s->sam_fail = 0;
    return 0;
}

static int ctl_silent(struct sim *s, const char *arg)
{
    (void)arg;
    s->silent = 1;
    return 0;
}

static int ctl_talk(struct sim *s, const char *arg)
{
    (void)arg;
    s->silent = 0;
    return 0;
}

static int ctl_unplug(struct sim *s, const char *arg)
{
    (void)arg;
    unplug(s);
    return 0;
}

static int ctl_plug(struct sim *s, const char *arg)
{
    (void)arg;
    return plug(s);
}

static int ctl_quit(struct sim *s, const char *arg)
{
    (void)s;
    (void)arg;
    stop = 1;
    return 0;
}

static const struct control {
    const char *name;
    int takes_arg;
    int (*run)(struct sim *s, const char *arg); /* 0, or -1 (logged: refused) */
    const char *help;
} controls[] = {
    {"place", 1, ctl_place, "place KEY: the card KEY lies on the reader"},
    {"lift", 0, ctl_lift, "lift: the card is taken off"},
    {"lift-during-read", 0, ctl_lift_during_read,
     "lift-during-read: the next read with a card sends 400 bytes, then the card is gone"},
    {"sw3", 1, ctl_sw3, "sw3 XX: the next read (30 01) answers SW3 XX, no data"},
    {"garbage", 0, ctl_garbage, "garbage: the next answer is 40 random bytes"},
    {"badsum", 0, ctl_badsum, "badsum: the next answer's checksum is inverted"},
    {"truncated", 0, ctl_truncated, "truncated: the next answer stops halfway"},
    {"sam-fail", 0, ctl_sam_fail, "sam-fail: SAM status answers 60 from now on"},
    {"sam-ok", 0, ctl_sam_ok, "sam-ok: SAM status answers 90 again"},
    {"silent", 0, ctl_silent, "silent: no answers until talk"},
    {"talk", 0, ctl_talk, "talk: answers again"},
    {"unplug", 0, ctl_unplug, "unplug: the pty closes, the link goes"},
    {"plug", 0, ctl_plug, "plug: a new pty, the link made again"},
    {"quit", 0, ctl_quit, "quit: ends the simulator"},
};

static void control(struct sim *s, char *l)
{
    size_t n = strlen(l);
    while (n && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
        l[--n] = '\0';
    if (!l[0] || l[0] == '#')
        return;
    char *arg = strchr(l, ' ');
    if (arg) {
        *arg++ = '\0';
        arg += strspn(arg, " \t");
    }
    const struct control *c = NULL;
    for (size_t i = 0; i < sizeof controls / sizeof controls[0]; i++)
        if (strcmp(controls[i].name, l) == 0)
            c = &controls[i];
    if (!c) {
        log_error(MOD, "unknown control command (%zu characters)", n);
        return;
    }
    if (c->takes_arg != (arg && *arg)) {
        log_error(MOD, "usage: %s", c->help);
        return;
    }
    if (c->run(s, arg ? arg : "") != 0)
        return;
    /* Only place (a known key) and sw3 (a byte) take arguments: both fine to log. */
    log_info(MOD, "control: %s%s%s", c->name, arg ? " " : "", arg ? arg : "");
    s->controls++;
    write_state(s);
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

/* Runs every whole line the FIFO has. */
static void read_control(struct sim *s)
{
    char buf[512];
    ssize_t n;
    while (s->ctl >= 0 && (n = read(s->ctl, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; /* EAGAIN: nothing more */
        }
        for (ssize_t i = 0; i < n && !stop; i++) {
            if (buf[i] != '\n') {
                if (s->nline < CTL_MAX)
                    s->line[s->nline++] = buf[i];
                else
                    s->overlong = 1;
                continue;
            }
            s->line[s->nline] = '\0';
            if (s->overlong)
                log_error(MOD, "a control line longer than %d bytes, skipped", CTL_MAX);
            else
                control(s, s->line);
            s->nline = 0;
            s->overlong = 0;
        }
    }
    /* End of file: every writer gone (never while we hold ours): open it again. */
    if (s->ctl >= 0)
        close(s->ctl);
    s->ctl = -1;
    if (open_control(s) != 0)
        stop = 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: idcard-sim --link PATH --control FIFO --identities FILE "
                    "[--state FILE]\ncontrol commands, one per line on FIFO:\n");
    for (size_t i = 0; i < sizeof controls / sizeof controls[0]; i++)
        fprintf(stderr, "  %s\n", controls[i].help);
    return 2;
}

int main(int argc, char **argv)
{
    static struct sim sim = {.master = -1,
                             .slave = -1,
                             .ctl = -1,
                             .ctl_w = -1,
                             .rng = 0x1D5EED01u,
                             .last_cmd = "-",
                             .last_sw3 = "-"};
    struct sim *s = &sim;
    int rc = 1;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--link"))
            s->link = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--control"))
            s->control = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--identities"))
            s->ids_path = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--state"))
            s->state = argv[++i];
        else
            return usage();
    }
    if (!s->link || !s->control || !s->ids_path)
        return usage();
    if (load_identities(s) != 0)
        return 1;

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
    write_state(s);
    log_info(MOD, "ready: link %s, control %s", s->link, s->control);
    if (printf("ready\n") < 0 || fflush(stdout) != 0)
        goto end;

    while (!stop) {
        int timeout = -1;
        if (s->nin) {
            int64_t left = s->rx_ms + FRAME_GAP_MS - now_ms();
            timeout = left < 0 ? 0 : (int)left;
        }
        struct pollfd pf[3] = {{.fd = s->ctl, .events = POLLIN},
                               {.fd = wake[0], .events = POLLIN},
                               {.fd = s->master, .events = POLLIN}};
        if (poll(pf, 3, timeout) < 0) {
            if (errno == EINTR)
                continue;
            log_error(MOD, "poll: %s", strerror(errno));
            goto end;
        }
        if (pf[0].revents & (POLLIN | POLLHUP | POLLERR))
            read_control(s);
        if (s->master >= 0 && pf[2].revents & POLLIN)
            read_master(s);
        else if (s->master >= 0 && pf[2].revents & (POLLHUP | POLLERR)) {
            log_warn(MOD, "the pty hung up");
            unplug(s); /* never spin on it; `plug` makes a new one */
            write_state(s);
        }
        check_gap(s);
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
    close(wake[0]);
    close(wake[1]);
    return rc;
}
