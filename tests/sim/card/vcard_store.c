/* The virtual card's fixture (cards.ini, read with inih) and its state files (vcard.h).
 *
 * cards.ini:
 *   [keys]   mlk = <32 hex>, mtk = <32 hex>: the master load and TAC keys
 *   [card.<16 digits>]   holder (UTF-8, at most 30 bytes), kind = personal|main|sub|staff,
 *            balance (fen, default 0), pin (4 to 12 digits), tries (1..3, default 3),
 *            start / expiry (YYYYMMDD, default 20240101 / 20301231),
 *            status = active|blocked (default active), app = fuel|other (default fuel),
 *            log (purchase records the log starts with, 0..10, default 0)
 *
 * DIR/<card_no>.state, text, one item a line (what the card wrote; nobody edits it):
 *   fuel-vcard-state 1
 *   balance <fen>        serial <online serial>        tries <0..3>        rng <16 hex>
 *   log <46 hex>         a record, newest first
 *   proof <serial> <MAC2 8 hex> <TAC 8 hex>, oldest first */
#include "vcard.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "core/log.h"
#include "pboc.h"

#define MOD "card:vcard"
#define STATE_MAGIC "fuel-vcard-state 1"

struct fixture_parse {
    struct vc_fixture *f;
    int have_mlk, have_mtk;
    char err[160];
};

int vc_unhex(const char *hex, uint8_t *out, size_t n)
{
    if (strlen(hex) != 2 * n)
        return -1;
    for (size_t i = 0; i < 2 * n; i++) {
        char c = hex[i];
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0)
            return -1;
        if (i % 2)
            out[i / 2] = (uint8_t)(out[i / 2] | v);
        else
            out[i / 2] = (uint8_t)(v << 4);
    }
    return 0;
}

/* A decimal number in [lo, hi]: 0, or -1. */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int is_digits(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int parse_date(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    if (!is_digits(s, 8, 8) || parse_u64(s, 19000101, 20991231, &v) != 0)
        return -1;
    unsigned m = (unsigned)(v / 100 % 100), d = (unsigned)(v % 100);
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static struct vc_def *card_of(struct fixture_parse *p, const char *no)
{
    struct vc_fixture *f = p->f;
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->cards[i].card_no, no) == 0)
            return &f->cards[i];
    if (f->n == VC_CARDS_MAX)
        return NULL;
    struct vc_def *d = &f->cards[f->n++];
    memset(d, 0, sizeof *d);
    snprintf(d->card_no, sizeof d->card_no, "%s", no);
    d->kind = 0; /* required */
    d->tries = VC_TRIES;
    d->start = 20240101;
    d->expiry = 20301231;
    return d;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct fixture_parse *p = user;
    uint64_t v = 0;
    if (strcmp(section, "keys") == 0) {
        uint8_t *key = strcmp(name, "mlk") == 0   ? p->f->mlk
                       : strcmp(name, "mtk") == 0 ? p->f->mtk
                                                  : NULL;
        if (!key || pboc_key_hex(value, key) != 0) {
            snprintf(p->err, sizeof p->err, "[keys] %s: mlk or mtk, 32 hex digits", name);
            return 0;
        }
        if (key == p->f->mlk)
            p->have_mlk = 1;
        else
            p->have_mtk = 1;
        return 1;
    }
    if (strncmp(section, "card.", 5) != 0 || !is_digits(section + 5, VC_NO_LEN, VC_NO_LEN)) {
        snprintf(p->err, sizeof p->err, "[%.40s]: [keys] or [card.<16 digits>]", section);
        return 0;
    }
    struct vc_def *d = card_of(p, section + 5);
    int ok = 1;
    if (!d) {
        snprintf(p->err, sizeof p->err, "more than %d cards", VC_CARDS_MAX);
        return 0;
    }
    if (strcmp(name, "holder") == 0) {
        ok = strlen(value) <= VC_HOLDER_MAX;
        if (ok)
            snprintf(d->holder, sizeof d->holder, "%s", value);
    } else if (strcmp(name, "kind") == 0) {
        d->kind = strcmp(value, "personal") == 0 ? VC_PERSONAL
                  : strcmp(value, "main") == 0   ? VC_MAIN
                  : strcmp(value, "sub") == 0    ? VC_SUB
                  : strcmp(value, "staff") == 0  ? VC_STAFF
                                                 : 0;
        ok = d->kind != 0;
    } else if (strcmp(name, "balance") == 0) {
        ok = parse_u64(value, 0, 0x7FFFFFFF, &v) == 0;
        d->balance = (uint32_t)v;
    } else if (strcmp(name, "pin") == 0) {
        ok = is_digits(value, 4, VC_PIN_MAX);
        if (ok)
            snprintf(d->pin, sizeof d->pin, "%s", value);
    } else if (strcmp(name, "tries") == 0) {
        ok = parse_u64(value, 1, VC_TRIES, &v) == 0;
        d->tries = (int)v;
    } else if (strcmp(name, "start") == 0) {
        ok = parse_date(value, &d->start) == 0;
    } else if (strcmp(name, "expiry") == 0) {
        ok = parse_date(value, &d->expiry) == 0;
    } else if (strcmp(name, "status") == 0) {
        ok = strcmp(value, "active") == 0 || strcmp(value, "blocked") == 0;
        d->blocked = strcmp(value, "blocked") == 0;
    } else if (strcmp(name, "app") == 0) {
        ok = strcmp(value, "fuel") == 0 || strcmp(value, "other") == 0;
        d->other_app = strcmp(value, "other") == 0;
    } else if (strcmp(name, "log") == 0) {
        ok = parse_u64(value, 0, VC_LOG_MAX, &v) == 0;
        d->log = (int)v;
    } else {
        ok = 0;
    }
    if (!ok)
        snprintf(p->err, sizeof p->err, "[%s] %s: not a value it takes", section, name);
    return ok;
}

int vc_fixture_load(const char *path, struct vc_fixture *f, char *err, size_t cap)
{
    struct fixture_parse p = {.f = f};
    memset(f, 0, sizeof *f);
    int line = ini_parse(path, on_key, &p);
    if (line < 0) {
        snprintf(err, cap, "%s: cannot read it", path);
        return -1;
    }
    if (line > 0) {
        snprintf(err, cap, "%s line %d: %s", path, line, p.err[0] ? p.err : "not ini");
        return -1;
    }
    if (!p.have_mlk || !p.have_mtk) {
        snprintf(err, cap, "%s: [keys] needs mlk and mtk", path);
        return -1;
    }
    for (int i = 0; i < f->n; i++) {
        struct vc_def *d = &f->cards[i];
        if (!d->kind || !d->pin[0]) {
            snprintf(err, cap, "%s: card %s needs a kind and a pin", path, d->card_no);
            return -1;
        }
        if (pboc_diversify(f->mlk, d->card_no, d->dlk) != 0 ||
            pboc_diversify(f->mtk, d->card_no, d->dtk) != 0) {
            snprintf(err, cap, "%s: card %s: no keys", path, d->card_no);
            return -1;
        }
    }
    return 0;
}

const struct vc_def *vc_fixture_find(const struct vc_fixture *f, const char *card_no)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->cards[i].card_no, card_no) == 0)
            return &f->cards[i];
    return NULL;
}

static int state_path(const char *dir, const struct vc_def *def, const char *suffix, char *out,
                      size_t cap)
{
    int n = snprintf(out, cap, "%s/%s.state%s", dir, def->card_no, suffix);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* One line of a state file into st: 0, or -1. */
static int state_line(char *line, struct vc_state *st)
{
    char *save = NULL, *key = strtok_r(line, " ", &save);
    char *a = strtok_r(NULL, " ", &save), *b = strtok_r(NULL, " ", &save);
    char *c = strtok_r(NULL, " ", &save);
    uint64_t v = 0;
    if (!key || !a || strtok_r(NULL, " ", &save))
        return -1;
    if (strcmp(key, "balance") == 0 && !b) {
        if (parse_u64(a, 0, 0x7FFFFFFF, &v) != 0)
            return -1;
        st->balance = (uint32_t)v;
    } else if (strcmp(key, "serial") == 0 && !b) {
        if (parse_u64(a, 0, 0xFFFF, &v) != 0)
            return -1;
        st->serial = (uint16_t)v;
    } else if (strcmp(key, "tries") == 0 && !b) {
        if (parse_u64(a, 0, VC_TRIES, &v) != 0)
            return -1;
        st->tries = (int)v;
    } else if (strcmp(key, "rng") == 0 && !b) {
        uint8_t r[8];
        if (vc_unhex(a, r, 8) != 0)
            return -1;
        st->rng = 0;
        for (int i = 0; i < 8; i++)
            st->rng = st->rng << 8 | r[i];
    } else if (strcmp(key, "log") == 0 && !b) {
        if (st->nlog == VC_LOG_MAX || vc_unhex(a, st->log[st->nlog], VC_LOG_REC) != 0)
            return -1;
        st->nlog++;
    } else if (strcmp(key, "proof") == 0 && b && c) {
        if (st->nproof == VC_PROOF_MAX)
            return -1;
        struct vc_proof *p = &st->proof[st->nproof];
        if (parse_u64(a, 1, 0xFFFF, &v) != 0 || vc_unhex(b, p->mac2, 4) != 0 ||
            vc_unhex(c, p->tac, 4) != 0)
            return -1;
        p->serial = (uint16_t)v;
        st->nproof++;
    } else {
        return -1;
    }
    return 0;
}

int vc_state_load(const char *dir, const struct vc_def *def, struct vc_state *st)
{
    char path[4096], line[256];
    if (state_path(dir, def, "", path, sizeof path) != 0) {
        log_error(MOD, "state folder path too long");
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 1;
        log_error(MOD, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    struct vc_state s;
    memset(&s, 0, sizeof s);
    int lineno = 0, bad = 0;
    while (!bad && fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        lineno++;
        if (n == 0 || line[n - 1] != '\n') {
            bad = 1; /* too long, or cut short */
            break;
        }
        line[n - 1] = '\0';
        if (lineno == 1)
            bad = strcmp(line, STATE_MAGIC) != 0;
        else
            bad = state_line(line, &s) != 0;
    }
    if (ferror(f) || lineno == 0)
        bad = 1;
    fclose(f);
    if (bad) {
        log_error(MOD, "%s line %d: not a state file of this simulator", path, lineno);
        return -1;
    }
    *st = s;
    return 0;
}

int vc_state_save(const char *dir, const struct vc_def *def, const struct vc_state *st)
{
    char path[4096], tmp[4096], hex[2 * VC_LOG_REC + 1];
    if (state_path(dir, def, "", path, sizeof path) != 0 ||
        state_path(dir, def, ".tmp", tmp, sizeof tmp) != 0) {
        log_error(MOD, "state folder path too long");
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        log_error(MOD, "cannot write %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int bad = fprintf(f, "%s\nbalance %" PRIu32 "\nserial %u\ntries %d\nrng %016" PRIX64 "\n",
                      STATE_MAGIC, st->balance, (unsigned)st->serial, st->tries, st->rng) < 0;
    for (int i = 0; i < st->nlog && !bad; i++) {
        for (int j = 0; j < VC_LOG_REC; j++)
            snprintf(hex + 2 * j, 3, "%02X", st->log[i][j]);
        bad = fprintf(f, "log %s\n", hex) < 0;
    }
    for (int i = 0; i < st->nproof && !bad; i++) {
        const struct vc_proof *p = &st->proof[i];
        bad = fprintf(f, "proof %u %02X%02X%02X%02X %02X%02X%02X%02X\n", (unsigned)p->serial,
                      p->mac2[0], p->mac2[1], p->mac2[2], p->mac2[3], p->tac[0], p->tac[1],
                      p->tac[2], p->tac[3]) < 0;
    }
    if (!bad)
        bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    if (fclose(f) != 0)
        bad = 1;
    if (bad || rename(tmp, path) != 0) {
        log_error(MOD, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) { /* the rename itself reaches the disk */
        fsync(dfd);
        close(dfd);
    }
    return 0;
}
