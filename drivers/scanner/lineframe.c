#include "scanner/lineframe.h"

#include <stdio.h>
#include <string.h>

#include "core/codes.h"
#include "core/sign.h"

/* Wipes the line and moves to `state`; the pending-CR flag is kept for SKIP (a CR that came
 * just before the line was refused may still be the start of its CR LF). */
static void clear_line(struct lineframe *lf, int state)
{
    int cr = state == LINEFRAME_SKIP ? lf->cr : 0;
    sign_wipe(lf->buf, sizeof lf->buf);
    lf->n = 0;
    lf->cr = cr;
    lf->state = state;
}

static void refuse(struct scan_read *out, const char *why)
{
    memset(out, 0, sizeof *out);
    out->refused = 1;
    snprintf(out->why, sizeof out->why, "%s", why);
}

/* Why a whole line (1..CODE_SCAN_MAX bytes in buf) cannot be a code, or NULL if it can. */
static const char *line_fault(const struct lineframe *lf)
{
    if (memchr(lf->buf, '\0', lf->n))
        return "a NUL byte (line noise or a parity error)";
    if (code_scan_ok((const char *)lf->buf))
        return NULL;
    for (size_t i = 0; i < lf->n; i++)
        if (lf->buf[i] < 0x20 || lf->buf[i] == 0x7F)
            return "a control character";
    return "invalid UTF-8 or a C1 control character";
}

/* The line ended: its scan into *out (taken or refused), and the buffer wiped. */
static void take_line(struct lineframe *lf, struct scan_read *out)
{
    const char *why = line_fault(lf);
    if (why) {
        refuse(out, why);
    } else {
        memset(out, 0, sizeof *out);
        memcpy(out->text, lf->buf, lf->n);
    }
    clear_line(lf, LINEFRAME_IDLE);
}

/* One byte received at `now`. 1 when it completed a scan (into *out), else 0. */
static int step(struct lineframe *lf, uint8_t b, int64_t now, struct scan_read *out)
{
    uint8_t text[2]; /* what the byte adds to the line: a pending CR that was text, and b */
    int ntext = 0, end = 0;
    switch (lf->suffix) {
    case LINEFRAME_LF:
        if (b == '\n')
            end = 1;
        else
            text[ntext++] = b;
        break;
    case LINEFRAME_CRLF:
        if (lf->cr && b == '\n') {
            lf->cr = 0;
            end = 1;
            break;
        }
        if (lf->cr)
            text[ntext++] = '\r';
        lf->cr = b == '\r';
        if (!lf->cr)
            text[ntext++] = b;
        break;
    default: /* LINEFRAME_CR */
        if (b == '\r')
            end = 1;
        else
            text[ntext++] = b;
        break;
    }
    if (lf->state == LINEFRAME_SKIP) {
        lf->last_ms = now;
        if (end)
            clear_line(lf, LINEFRAME_IDLE);
        return 0;
    }
    if (end) {
        if (lf->n == 0) {
            clear_line(lf, LINEFRAME_IDLE); /* an empty line: nothing */
            return 0;
        }
        take_line(lf, out);
        return 1;
    }
    if (lf->state == LINEFRAME_IDLE && (ntext || lf->cr)) {
        lf->state = LINEFRAME_TEXT;
        lf->first_ms = now;
    }
    lf->last_ms = now;
    for (int i = 0; i < ntext; i++) {
        if (lf->n == CODE_SCAN_MAX) {
            char why[64];
            snprintf(why, sizeof why, "longer than %d bytes", CODE_SCAN_MAX);
            clear_line(lf, LINEFRAME_SKIP);
            refuse(out, why);
            return 1;
        }
        lf->buf[lf->n++] = text[i];
    }
    return 0;
}

void lineframe_init(struct lineframe *lf, enum lineframe_suffix suffix, int timeout_ms)
{
    sign_wipe(lf, sizeof *lf);
    lf->suffix = (unsigned)suffix < LINEFRAME_SUFFIX_LAST ? suffix : LINEFRAME_CR;
    lf->timeout_ms = timeout_ms < 1 ? 1 : timeout_ms;
    lf->state = LINEFRAME_IDLE;
}

int lineframe_expire(struct lineframe *lf, int64_t now_ms, struct scan_read *out)
{
    if (lf->state == LINEFRAME_TEXT && now_ms - lf->first_ms >= lf->timeout_ms) {
        /* Given up; if bytes are still coming, the rest of the line is thrown away. */
        int quiet = now_ms - lf->last_ms >= lf->timeout_ms;
        clear_line(lf, quiet ? LINEFRAME_IDLE : LINEFRAME_SKIP);
        refuse(out, "incomplete line");
        return 1;
    }
    if (lf->state == LINEFRAME_SKIP && now_ms - lf->last_ms >= lf->timeout_ms)
        clear_line(lf, LINEFRAME_IDLE);
    return 0;
}

size_t lineframe_feed(struct lineframe *lf, const uint8_t *data, size_t n, int64_t now_ms,
                      struct scan_read *out, int *got)
{
    *got = 0;
    if (lineframe_expire(lf, now_ms, out)) {
        *got = 1;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (step(lf, data[i], now_ms, out)) {
            *got = 1;
            return i + 1;
        }
    }
    return n;
}

int64_t lineframe_deadline(const struct lineframe *lf)
{
    switch (lf->state) {
    case LINEFRAME_TEXT:
        return lf->first_ms + lf->timeout_ms;
    case LINEFRAME_SKIP:
        return lf->last_ms + lf->timeout_ms;
    default:
        return LINEFRAME_NEVER;
    }
}

void lineframe_reset(struct lineframe *lf)
{
    clear_line(lf, LINEFRAME_IDLE);
    lf->first_ms = lf->last_ms = 0;
}

static const char *const suffix_names[LINEFRAME_SUFFIX_LAST] = {"cr", "lf", "crlf"};
static const char *const suffix_bytes[LINEFRAME_SUFFIX_LAST] = {"\r", "\n", "\r\n"};

int lineframe_suffix_parse(const char *name, enum lineframe_suffix *out)
{
    for (int i = 0; name && i < LINEFRAME_SUFFIX_LAST; i++) {
        if (!strcmp(name, suffix_names[i])) {
            *out = (enum lineframe_suffix)i;
            return 0;
        }
    }
    return -1;
}

const char *lineframe_suffix_bytes(enum lineframe_suffix suffix)
{
    return (unsigned)suffix < LINEFRAME_SUFFIX_LAST ? suffix_bytes[suffix] : "";
}
