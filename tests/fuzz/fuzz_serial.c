/* A serial code imager's byte stream into the line framer (scanner/lineframe.h): the bytes
 * choose the suffix, the partial-line timeout, text (any bytes), suffixes, long runs, codes,
 * how the stream is cut into reads and how time passes between them.
 *
 * The framer is checked against a model stated on the stream itself, not on the framer's
 * states: the stream falls into lines at each suffix and at each pause of at least the
 * timeout between two bytes. A line of 1..CODE_SCAN_MAX bytes that can be a code, whose
 * suffix came less than the timeout after its first byte, is a scan of exactly its bytes;
 * every other line with any bytes in it (too long, not a code, too slow, never ended) is
 * exactly one refusal; an empty line is nothing. So no scan is ever another code than a
 * line sent, two lines are never glued into one, a long line is one refusal. The buffer
 * holds nothing between lines (it is wiped after each), and *out is untouched when no scan
 * comes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scanner/lineframe.h"

#define STREAM_MAX 65536

static uint8_t sb[STREAM_MAX]; /* the stream */
static int64_t st[STREAM_MAX]; /* when each byte was fed */
static size_t ns, nfed;        /* bytes in the stream; fed so far */

/* What the framer gave, in order: a code of `len` bytes whose suffix ended at `end`, or a
 * refusal. */
static struct rec {
    int refused;
    size_t end, len;
} recs[STREAM_MAX + 2];
static size_t nrec;

static struct lineframe lf;
static int64_t now;
static enum lineframe_suffix sfx;
static int timeout;

static int all(const void *p, int byte, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != byte)
            return 0;
    return 1;
}

/* Nothing held beyond the line in progress; nothing at all between lines. */
static void check_buffer(void)
{
    if (lf.n > CODE_SCAN_MAX || !all(lf.buf + lf.n, 0, sizeof lf.buf - lf.n))
        abort();
    if (lf.state != LINEFRAME_TEXT && (lf.n || lf.cr > (lf.state == LINEFRAME_SKIP)))
        abort();
    if (lf.state == LINEFRAME_TEXT && lineframe_deadline(&lf) != lf.first_ms + lf.timeout_ms)
        abort();
    if (lf.state == LINEFRAME_IDLE && lineframe_deadline(&lf) != LINEFRAME_NEVER)
        abort();
}

/* A scan came after `end` bytes were taken; `by_byte`: a byte completed it (not time). */
static void got_scan(const struct scan_read *r, size_t end, int by_byte)
{
    if (nrec == sizeof recs / sizeof recs[0])
        abort(); /* more scans than there can be lines */
    if (memchr(r->why, '\0', sizeof r->why) == NULL ||
        memchr(r->text, '\0', sizeof r->text) == NULL)
        abort();
    if (r->refused) {
        if (r->refused != 1 || !all(r->text, 0, sizeof r->text) || !r->why[0])
            abort();
        recs[nrec++] = (struct rec){1, end, 0};
    } else {
        const char *e = lineframe_suffix_bytes(sfx);
        size_t len = strlen(r->text), slen = strlen(e);
        if (!by_byte || r->why[0] || !code_scan_ok(r->text))
            abort();
        if (end < slen + len || memcmp(sb + end - slen, e, slen) ||
            memcmp(sb + end - slen - len, r->text, len))
            abort(); /* not the bytes just before the suffix that ended it */
        recs[nrec++] = (struct rec){0, end, len};
    }
    if (lf.n || !all(lf.buf, 0, sizeof lf.buf))
        abort(); /* not wiped after the line */
}

/* Feeds the bytes not fed yet at `now`, `chunk` at a time. */
static void feed_pending(size_t chunk)
{
    while (nfed < ns) {
        size_t n = ns - nfed < chunk ? ns - nfed : chunk, off = 0;
        for (size_t k = 0; k < n; k++)
            st[nfed + k] = now;
        while (off < n) {
            struct scan_read r;
            int got = -1;
            memset(&r, 0xA5, sizeof r);
            size_t k = lineframe_feed(&lf, sb + nfed + off, n - off, now, &r, &got);
            if (k > n - off || (got != 0 && got != 1) || (!got && k != n - off))
                abort();
            off += k;
            if (got)
                got_scan(&r, nfed + off, k > 0);
            else if (!all(&r, 0xA5, sizeof r))
                abort(); /* written without a scan */
            check_buffer();
        }
        nfed += n;
    }
}

static void expire(void)
{
    struct scan_read r;
    memset(&r, 0xA5, sizeof r);
    if (lineframe_expire(&lf, now, &r))
        got_scan(&r, nfed, 0);
    else if (!all(&r, 0xA5, sizeof r))
        abort();
    if (lineframe_deadline(&lf) <= now)
        abort(); /* something still due at the time just handled */
    check_buffer();
}

static void append(const void *p, size_t n)
{
    if (n > STREAM_MAX - ns)
        n = STREAM_MAX - ns;
    memcpy(sb + ns, p, n);
    ns += n;
}

/* 1 if a suffix ends at byte j of the line that started at `start`. */
static int suffix_at(size_t start, size_t j)
{
    switch (sfx) {
    case LINEFRAME_CR:
        return sb[j] == '\r';
    case LINEFRAME_LF:
        return sb[j] == '\n';
    default:
        return sb[j] == '\n' && j > start && sb[j - 1] == '\r';
    }
}

/* The stream's lines, each against what the framer gave. */
static void check_model(void)
{
    size_t r = 0, slen = strlen(lineframe_suffix_bytes(sfx));
    for (size_t i = 0; i < ns;) {
        size_t start = i, j = i;
        int ended = 0;
        for (; j < ns; j++) {
            if (j > start && st[j] - st[j - 1] >= timeout)
                break; /* a pause ends the line */
            if (suffix_at(start, j)) {
                ended = 1;
                j++;
                break;
            }
        }
        size_t len = j - start - (ended ? slen : 0);
        i = j;
        int code = 0;
        if (ended) {
            if (len == 0)
                continue; /* an empty line */
            char text[CODE_SCAN_MAX + 1];
            if (len <= CODE_SCAN_MAX && st[j - 1] - st[start] < timeout) {
                memcpy(text, sb + start, len);
                text[len] = '\0';
                code = !memchr(text, '\0', len) && code_scan_ok(text);
            }
        }
        if (r == nrec)
            abort(); /* a line without its scan */
        if (code && (recs[r].refused || recs[r].end != j || recs[r].len != len))
            abort(); /* a code not taken, or another one */
        if (!code && !recs[r].refused)
            abort(); /* a code where there was none */
        r++;
    }
    if (r != nrec)
        abort(); /* more scans than lines */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    sfx = (enum lineframe_suffix)(data[0] % 3);
    timeout = 1 + (data[0] / 3) % 40;
    lineframe_init(&lf, sfx, timeout);
    ns = nfed = nrec = 0;
    now = 1000;
    unsigned serial = 0;
    for (size_t i = 1; i < size;) {
        uint8_t op = data[i++];
        if (op < 0x80) { /* text: the next (op & 0x3f) + 1 bytes, whatever they are */
            size_t n = (size_t)(op & 0x3F) + 1;
            if (n > size - i)
                n = size - i;
            append(data + i, n);
            i += n;
        } else if (op < 0xA0) { /* the suffix */
            append(lineframe_suffix_bytes(sfx), strlen(lineframe_suffix_bytes(sfx)));
        } else if (op < 0xB0) { /* a long run of digits: 50 to 800 bytes */
            static uint8_t run[800];
            memset(run, '0' + op % 10, sizeof run);
            append(run, ((size_t)(op & 0x0F) + 1) * 50);
        } else if (op < 0xC0) { /* a payment code of 2 to 24 digits */
            char c[32];
            size_t n = 2 + (size_t)(op & 0x0F) + (op & 1 ? 8 : 0);
            c[0] = '1', c[1] = '3';
            for (size_t k = 2; k < n; k++)
                c[k] = (char)('0' + (serial * 7 + k) % 10);
            serial++;
            append(c, n);
        } else if (op < 0xE0) { /* a read: what came, in pieces */
            size_t chunk = (op & 0x1F) == 0x1F ? STREAM_MAX : (size_t)(op & 0x1F) + 1;
            feed_pending(chunk);
        } else { /* time passes; maybe the reader wakes up for a deadline */
            now += (op & 0x0F) == 0x0F ? 1000 : (op & 0x0F) * 3;
            if (op & 0x10)
                expire();
        }
    }
    feed_pending(STREAM_MAX);
    now += timeout; /* past every deadline */
    expire();
    if (lf.state != LINEFRAME_IDLE || lineframe_deadline(&lf) != LINEFRAME_NEVER)
        abort();
    check_model();
    lineframe_reset(&lf);
    if (!all(lf.buf, 0, sizeof lf.buf))
        abort();
    return 0;
}
