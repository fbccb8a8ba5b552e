/* A serial code imager sends each code as one line: its text, then a suffix (CR, LF or
 * CR LF, set in the imager and in config). This frames received bytes, in whatever pieces
 * they come, into scans (struct scan_read). Pure: no I/O, no clock; the caller says when
 * the bytes came (now_ms, any monotonic scale). No allocation.
 *
 * Each line gives at most one scan:
 *   - a line that can be a code (code_scan_ok: 1..CODE_SCAN_MAX bytes of UTF-8 without
 *     control characters, no NUL) is a scan with its text, exactly as it came;
 *   - any other line is refused whole (refused = 1, text "", `why` in words, never the
 *     bytes): a control character (with the LF suffix a CR is one, and so is an LF with the
 *     CR suffix), a NUL (what a parity error or a line break reads as), invalid UTF-8;
 *   - a line longer than CODE_SCAN_MAX is refused the moment it gets too long;
 *   - a line still without its suffix partial_timeout_ms after its first byte is dropped
 *     and refused ("incomplete line") then, so the customer is asked to scan again;
 *   - once refused for length or time, the rest of that line is thrown away without another
 *     scan: up to and including its suffix, or until no byte came for partial_timeout_ms
 *     (a pause that long ends a line: no imager pauses inside one). A 10 kB line is one
 *     refusal; the tail of a line is never taken for a code of its own;
 *   - an empty line (the suffix alone) gives nothing.
 * The buffer is wiped (sign_wipe) whenever a line is taken, refused or dropped, and on
 * lineframe_reset(): the framer holds a payment code no longer than its line lasts. */
#ifndef DRIVERS_SCANNER_LINEFRAME_H
#define DRIVERS_SCANNER_LINEFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/scanner.h"

enum lineframe_suffix {
    LINEFRAME_CR,   /* "\r": the usual factory setting of payment-code imagers */
    LINEFRAME_LF,   /* "\n" */
    LINEFRAME_CRLF, /* "\r\n": a CR not followed by LF is part of the line (and refuses it) */
    LINEFRAME_SUFFIX_LAST
};

/* lineframe_deadline() when nothing waits for time. */
#define LINEFRAME_NEVER INT64_MAX

/* One serial line's framing state. Callers allocate it (embedded, no heap) and touch it only
 * through the functions below; the fields are here for the size and for tests. */
struct lineframe {
    enum lineframe_suffix suffix;
    int timeout_ms; /* partial_timeout_ms, >= 1 */
    enum {
        LINEFRAME_IDLE, /* between lines: nothing held */
        LINEFRAME_TEXT, /* a line is arriving: buf[0..n) */
        LINEFRAME_SKIP, /* the rest of a refused line is being thrown away */
    } state;
    /* LINEFRAME_CRLF: the last byte was a CR whose meaning (the end of the line, or part of
     * it) the next byte decides */
    int cr;
    size_t n;         /* bytes in buf (the pending CR not counted) */
    int64_t first_ms; /* TEXT: when the line's first byte came */
    int64_t last_ms;  /* TEXT, SKIP: when its last byte came */
    /* the line so far, NUL-terminated; all zero between lines */
    uint8_t buf[CODE_SCAN_MAX + 1];
};

/* Starts `lf` empty, framing lines that end with `suffix`; a partial line is given up
 * `timeout_ms` after its first byte (values below 1 count as 1). */
void lineframe_init(struct lineframe *lf, enum lineframe_suffix suffix, int timeout_ms);

/* Feeds bytes `data[0..n)` (borrowed; n may be 0) received at `now_ms`. Takes bytes until
 * one completes a scan, and returns how many it took: with *got = 1 and the scan in *out
 * when one is complete (call again with the rest), otherwise all n with *got = 0 and *out
 * untouched. A partial line already past its time when the bytes come is given up first:
 * then the scan is that refusal and 0 bytes are taken. So the caller loops:
 *     while (n) { size_t k = lineframe_feed(lf, p, n, now, &scan, &got); p += k; n -= k;
 *                 if (got) deliver(&scan); }
 * Never more than one scan per call; *out is wholly written when *got = 1. */
size_t lineframe_feed(struct lineframe *lf, const uint8_t *data, size_t n, int64_t now_ms,
                      struct scan_read *out, int *got);

/* Lets time pass without bytes: gives up a partial line at its deadline. 1 with the refusal
 * in *out when one is due at `now_ms`, else 0 (*out untouched). Safe to call at any time. */
int lineframe_expire(struct lineframe *lf, int64_t now_ms, struct scan_read *out);

/* The now_ms at which lineframe_expire() has something to do (a partial line to give up, or
 * the rest of a refused line to stop throwing away), or LINEFRAME_NEVER. A reader waiting for
 * bytes must not wait past it. */
int64_t lineframe_deadline(const struct lineframe *lf);

/* Forgets the line in progress without a scan (the device went away, or was closed); the
 * buffer is wiped. The suffix and the timeout stay. */
void lineframe_reset(struct lineframe *lf);

/* The suffix called `name` ("cr", "lf", "crlf", as in config): 0 with it in *out, or -1. */
int lineframe_suffix_parse(const char *name, enum lineframe_suffix *out);
/* The suffix's bytes as a string ("\r", "\n", "\r\n"); "" for a value out of range. */
const char *lineframe_suffix_bytes(enum lineframe_suffix suffix);

#endif
