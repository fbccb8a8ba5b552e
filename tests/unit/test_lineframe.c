/* The serial line framer: every suffix, any chunking, refusals, the partial-line timeout and
 * the wiping of its buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "scanner/lineframe.h"

#define MAX_SCANS 64

/* What a stream gave: its scans, in order. */
struct scans {
    struct scan_read v[MAX_SCANS];
    int n;
};

static void assert_wiped(const struct lineframe *lf)
{
    for (size_t i = 0; i < sizeof lf->buf; i++)
        assert_int_equal(lf->buf[i], 0);
    assert_int_equal(lf->n, 0);
}

/* Feeds data[0..n) at `now`, collecting every scan; the buffer must be wiped after each. */
static void feed_all(struct lineframe *lf, const void *data, size_t n, int64_t now, struct scans *s)
{
    const uint8_t *p = data;
    while (n) {
        int got = -1;
        size_t k = lineframe_feed(lf, p, n, now, &s->v[s->n], &got);
        assert_true(k <= n);
        assert_true(got == 0 || got == 1);
        assert_true(k > 0 || got); /* always progress */
        p += k;
        n -= k;
        if (got) {
            assert_wiped(lf);
            assert_true(s->n < MAX_SCANS - 1);
            s->n++;
        }
    }
}

static void feed_str(struct lineframe *lf, const char *text, int64_t now, struct scans *s)
{
    feed_all(lf, text, strlen(text), now, s);
}

static void assert_code(const struct scans *s, int i, const char *text)
{
    assert_true(i < s->n);
    assert_int_equal(s->v[i].refused, 0);
    assert_string_equal(s->v[i].text, text);
    assert_string_equal(s->v[i].why, "");
}

static void assert_refused(const struct scans *s, int i, const char *why_part)
{
    assert_true(i < s->n);
    assert_int_equal(s->v[i].refused, 1);
    assert_string_equal(s->v[i].text, "");
    assert_non_null(strstr(s->v[i].why, why_part));
}

static const char *const code = "134567890123451234";

static void every_suffix(void **state)
{
    (void)state;
    for (int sfx = 0; sfx < LINEFRAME_SUFFIX_LAST; sfx++) {
        struct lineframe lf;
        struct scans s = {0};
        char line[64];
        lineframe_init(&lf, (enum lineframe_suffix)sfx, 500);
        snprintf(line, sizeof line, "%s%s", code, lineframe_suffix_bytes(sfx));
        feed_str(&lf, line, 0, &s);
        assert_int_equal(s.n, 1);
        assert_code(&s, 0, code);
        /* two lines in one piece, then a UTF-8 one */
        snprintf(line, sizeof line, "2845678901234567%s%s%s", lineframe_suffix_bytes(sfx), code,
                 lineframe_suffix_bytes(sfx));
        feed_str(&lf, line, 10, &s);
        snprintf(line, sizeof line, "发票抬头%s", lineframe_suffix_bytes(sfx));
        feed_str(&lf, line, 20, &s);
        assert_int_equal(s.n, 4);
        assert_code(&s, 1, "2845678901234567");
        assert_code(&s, 2, code);
        assert_code(&s, 3, "发票抬头");
        assert_int_equal(lineframe_deadline(&lf), LINEFRAME_NEVER);
    }
}

static void suffix_names(void **state)
{
    (void)state;
    enum lineframe_suffix s = LINEFRAME_SUFFIX_LAST;
    assert_int_equal(lineframe_suffix_parse("cr", &s), 0);
    assert_int_equal(s, LINEFRAME_CR);
    assert_int_equal(lineframe_suffix_parse("lf", &s), 0);
    assert_int_equal(s, LINEFRAME_LF);
    assert_int_equal(lineframe_suffix_parse("crlf", &s), 0);
    assert_int_equal(s, LINEFRAME_CRLF);
    assert_int_equal(lineframe_suffix_parse("CR", &s), -1);
    assert_int_equal(lineframe_suffix_parse("", &s), -1);
    assert_int_equal(lineframe_suffix_parse(NULL, &s), -1);
    assert_string_equal(lineframe_suffix_bytes(LINEFRAME_CR), "\r");
    assert_string_equal(lineframe_suffix_bytes(LINEFRAME_LF), "\n");
    assert_string_equal(lineframe_suffix_bytes(LINEFRAME_CRLF), "\r\n");
    assert_string_equal(lineframe_suffix_bytes(LINEFRAME_SUFFIX_LAST), "");
}

/* A stream of good, bad, empty and long lines gives the same scans however it is cut. */
static void chunking(void **state)
{
    (void)state;
    static char stream[2048];
    for (int sfx = 0; sfx < LINEFRAME_SUFFIX_LAST; sfx++) {
        const char *e = lineframe_suffix_bytes(sfx);
        char big[CODE_SCAN_MAX + 40];
        memset(big, '7', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        int len = snprintf(stream, sizeof stream, "%s%s%s%s12\00134%s%s%sab\xff%s%sxyz%s", code, e,
                           e, e, e, big, e, e, code, e);
        assert_true(len > 0 && (size_t)len < sizeof stream);
        struct scans whole = {0};
        struct lineframe lf;
        lineframe_init(&lf, (enum lineframe_suffix)sfx, 500);
        feed_all(&lf, stream, (size_t)len, 0, &whole);
        assert_int_equal(whole.n, 5);
        assert_code(&whole, 0, code);
        assert_refused(&whole, 1, "control");
        assert_refused(&whole, 2, "longer than");
        assert_refused(&whole, 3, "UTF-8");
        char last[64];
        snprintf(last, sizeof last, "%sxyz", code);
        assert_code(&whole, 4, last);
        /* cut in two at every byte boundary */
        for (int cut = 0; cut <= len; cut++) {
            struct scans s = {0};
            lineframe_init(&lf, (enum lineframe_suffix)sfx, 500);
            feed_all(&lf, stream, (size_t)cut, 0, &s);
            feed_all(&lf, stream + cut, (size_t)(len - cut), 0, &s);
            assert_int_equal(s.n, whole.n);
            for (int i = 0; i < s.n; i++)
                assert_memory_equal(&s.v[i], &whole.v[i], sizeof s.v[i]);
        }
        /* one byte at a time, and in pieces of 3 */
        for (int step = 1; step <= 3; step += 2) {
            struct scans s = {0};
            lineframe_init(&lf, (enum lineframe_suffix)sfx, 500);
            for (int i = 0; i < len; i += step)
                feed_all(&lf, stream + i, (size_t)(len - i < step ? len - i : step), 0, &s);
            assert_int_equal(s.n, whole.n);
            for (int i = 0; i < s.n; i++)
                assert_memory_equal(&s.v[i], &whole.v[i], sizeof s.v[i]);
        }
    }
}

/* What cannot be a code is refused whole, with words, never the bytes. */
static void garbage(void **state)
{
    (void)state;
    struct lineframe lf;
    struct scans s = {0};
    lineframe_init(&lf, LINEFRAME_CR, 500);
    feed_all(&lf, "1345\0006789\r", 10, 0, &s); /* a NUL (parity error) */
    feed_str(&lf, "1345\x1b[A6789\r", 0, &s);   /* an escape sequence */
    feed_str(&lf, "\xc3\x28\r", 0, &s);         /* broken UTF-8 */
    feed_str(&lf, "\xc0\xaf\r", 0, &s);         /* overlong */
    feed_str(&lf, "12\x7f\r", 0, &s);           /* DEL */
    feed_str(&lf, "\xc2\x85\r", 0, &s);         /* a C1 control */
    feed_str(&lf, "\xff\xfe\xfd\xfc\r", 0, &s);
    feed_str(&lf, "\n134567890123451234\r", 0, &s); /* an LF with the CR suffix */
    assert_int_equal(s.n, 8);
    assert_refused(&s, 0, "NUL");
    assert_refused(&s, 1, "control");
    assert_refused(&s, 2, "UTF-8");
    assert_refused(&s, 3, "UTF-8");
    assert_refused(&s, 4, "control");
    assert_refused(&s, 5, "C1");
    assert_refused(&s, 6, "UTF-8");
    assert_refused(&s, 7, "control");
    for (int i = 0; i < s.n; i++) {
        assert_null(strstr(s.v[i].why, "1345"));
        assert_true(strlen(s.v[i].why) < sizeof s.v[i].why);
    }
    /* a code after all that comes through */
    feed_str(&lf, "134567890123451234\r", 0, &s);
    assert_code(&s, 8, code);
}

/* A CR with the LF suffix is a control character; with CR LF, a CR not before an LF is. */
static void stray_cr(void **state)
{
    (void)state;
    struct lineframe lf;
    struct scans s = {0};
    lineframe_init(&lf, LINEFRAME_LF, 500);
    feed_str(&lf, "1234\r5678\n", 0, &s);
    feed_str(&lf, "12345678\r\n", 0, &s); /* CR LF sent to an LF reader */
    assert_int_equal(s.n, 2);
    assert_refused(&s, 0, "control");
    assert_refused(&s, 1, "control");

    s.n = 0;
    lineframe_init(&lf, LINEFRAME_CRLF, 500);
    feed_str(&lf, "12\r34\r\n", 0, &s);
    feed_str(&lf, "1234\r\r\n", 0, &s); /* the first CR is text */
    feed_str(&lf, "12\n34\r\n", 0, &s); /* an LF alone is text */
    feed_str(&lf, "\r\r\n", 0, &s);     /* a CR alone on its line */
    feed_str(&lf, "\r\n\r\n", 0, &s);   /* empty lines */
    feed_str(&lf, "5678\r", 0, &s);
    feed_str(&lf, "\n", 0, &s); /* the CR LF cut in two */
    assert_int_equal(s.n, 5);
    for (int i = 0; i < 4; i++)
        assert_refused(&s, i, "control");
    assert_code(&s, 4, "5678");
}

static void empty_lines(void **state)
{
    (void)state;
    for (int sfx = 0; sfx < LINEFRAME_SUFFIX_LAST; sfx++) {
        struct lineframe lf;
        struct scans s = {0};
        char e3[8];
        lineframe_init(&lf, (enum lineframe_suffix)sfx, 500);
        snprintf(e3, sizeof e3, "%s%s%s", lineframe_suffix_bytes(sfx), lineframe_suffix_bytes(sfx),
                 lineframe_suffix_bytes(sfx));
        feed_str(&lf, e3, 0, &s);
        assert_int_equal(s.n, 0);
        assert_wiped(&lf);
        assert_int_equal(lineframe_deadline(&lf), LINEFRAME_NEVER);
    }
}

/* CODE_SCAN_MAX bytes is a scan; one more is refused; 10 kB is one refusal, not fifty. */
static void long_lines(void **state)
{
    (void)state;
    static char line[10 * 1024 + 8];
    for (int sfx = 0; sfx < LINEFRAME_SUFFIX_LAST; sfx++) {
        const char *e = lineframe_suffix_bytes(sfx);
        struct lineframe lf;
        struct scans s = {0};
        lineframe_init(&lf, (enum lineframe_suffix)sfx, 500);
        memset(line, '5', CODE_SCAN_MAX);
        strcpy(line + CODE_SCAN_MAX, e);
        feed_str(&lf, line, 0, &s);
        assert_int_equal(s.n, 1);
        assert_int_equal(s.v[0].refused, 0);
        assert_int_equal(strlen(s.v[0].text), CODE_SCAN_MAX);

        memset(line, '5', CODE_SCAN_MAX + 1);
        strcpy(line + CODE_SCAN_MAX + 1, e);
        feed_str(&lf, line, 0, &s);
        assert_int_equal(s.n, 2);
        assert_refused(&s, 1, "longer than 200 bytes");

        memset(line, '9', 10 * 1024);
        strcpy(line + 10 * 1024, e);
        feed_str(&lf, line, 0, &s);
        assert_int_equal(s.n, 3);
        assert_refused(&s, 2, "longer than");
        /* in 7-byte pieces, with a code straight after it */
        size_t n = strlen(line);
        for (size_t i = 0; i < n; i += 7)
            feed_all(&lf, line + i, n - i < 7 ? n - i : 7, 0, &s);
        assert_int_equal(s.n, 4);
        assert_refused(&s, 3, "longer than");
        assert_wiped(&lf);
        char next[64];
        snprintf(next, sizeof next, "%s%s", code, e);
        feed_str(&lf, next, 0, &s);
        assert_int_equal(s.n, 5);
        assert_code(&s, 4, code);
    }
}

/* A long line refused the moment it is too long; its tail is never a code of its own. */
static void long_line_tail(void **state)
{
    (void)state;
    static char line[400];
    struct lineframe lf;
    struct scans s = {0};
    lineframe_init(&lf, LINEFRAME_CR, 500);
    memset(line, '8', 300);
    feed_all(&lf, line, 300, 0, &s);
    assert_int_equal(s.n, 1);
    assert_refused(&s, 0, "longer than");
    assert_wiped(&lf);
    assert_int_equal(lineframe_deadline(&lf), 500); /* the tail is skipped until a pause */
    feed_str(&lf, "1234\r", 300, &s);               /* the tail of the same line */
    assert_int_equal(s.n, 1);
    feed_str(&lf, "5678\r", 310, &s);
    assert_int_equal(s.n, 2);
    assert_code(&s, 1, "5678");
}

/* A partial line is dropped partial_timeout_ms after its first byte, reported once. */
static void partial_timeout(void **state)
{
    (void)state;
    struct lineframe lf;
    struct scans s = {0};
    struct scan_read r;
    lineframe_init(&lf, LINEFRAME_CR, 500);
    assert_int_equal(lineframe_deadline(&lf), LINEFRAME_NEVER);
    assert_int_equal(lineframe_expire(&lf, 1000000, &r), 0);
    feed_str(&lf, "1345", 1000, &s);
    feed_str(&lf, "6789", 1100, &s);
    assert_int_equal(s.n, 0);
    assert_int_equal(lineframe_deadline(&lf), 1500); /* from the first byte */
    assert_int_equal(lineframe_expire(&lf, 1499, &r), 0);
    assert_int_equal(lineframe_expire(&lf, 1500, &r), 1);
    assert_int_equal(r.refused, 1);
    assert_string_equal(r.text, "");
    assert_string_equal(r.why, "incomplete line");
    assert_wiped(&lf);
    /* reported once: bytes stopped at 1100, so it is over at 1600 */
    assert_int_equal(lineframe_expire(&lf, 1550, &r), 0);
    assert_int_equal(lineframe_expire(&lf, 1600, &r), 0);
    assert_int_equal(lineframe_deadline(&lf), LINEFRAME_NEVER);
    feed_str(&lf, "134567890123451234\r", 2000, &s);
    assert_int_equal(s.n, 1);
    assert_code(&s, 0, code);

    /* a late caller: the bytes come after the deadline with no expire in between */
    s.n = 0;
    feed_str(&lf, "1234", 3000, &s);
    feed_str(&lf, "134567890123451234\r", 4000, &s);
    assert_int_equal(s.n, 2);
    assert_refused(&s, 0, "incomplete line");
    assert_code(&s, 1, code);

    /* a partial line right at the deadline of a quiet one is a new line */
    s.n = 0;
    feed_str(&lf, "12", 5000, &s);
    feed_str(&lf, "5678\r", 5500, &s);
    assert_int_equal(s.n, 2);
    assert_refused(&s, 0, "incomplete line");
    assert_code(&s, 1, "5678");

    /* a lone CR of a CR LF is a partial line too */
    s.n = 0;
    lineframe_init(&lf, LINEFRAME_CRLF, 500);
    feed_str(&lf, "\r", 0, &s);
    assert_int_equal(lineframe_deadline(&lf), 500);
    assert_int_equal(lineframe_expire(&lf, 500, &r), 1);
    assert_string_equal(r.why, "incomplete line");
}

/* Bytes that keep coming past the deadline are one line: one refusal, the rest skipped up to
 * the suffix or a pause; a code after either comes through. */
static void slow_line(void **state)
{
    (void)state;
    struct lineframe lf;
    struct scans s = {0};
    struct scan_read r;
    lineframe_init(&lf, LINEFRAME_CR, 100);
    int64_t t = 0;
    for (; t < 300; t += 10) {
        if (lineframe_expire(&lf, t, &r))
            s.v[s.n++] = r;
        feed_str(&lf, "1", t, &s);
    }
    assert_int_equal(s.n, 1);
    assert_refused(&s, 0, "incomplete line");
    assert_wiped(&lf);
    feed_str(&lf, "22\r", t, &s); /* the end of the slow line */
    assert_int_equal(s.n, 1);
    feed_str(&lf, "5678\r", t + 10, &s);
    assert_int_equal(s.n, 2);
    assert_code(&s, 1, "5678");

    /* the same, ended by a pause instead of the suffix */
    s.n = 0;
    for (t = 1000; t < 1300; t += 10) {
        if (lineframe_expire(&lf, t, &r))
            s.v[s.n++] = r;
        feed_str(&lf, "1", t, &s);
    }
    assert_int_equal(s.n, 1);
    assert_int_equal(lineframe_deadline(&lf), 1290 + 100);
    assert_int_equal(lineframe_expire(&lf, 1389, &r), 0);
    feed_str(&lf, "5678\r", 1389, &s); /* still the same line */
    assert_int_equal(s.n, 1);
    feed_str(&lf, "1234", 1500, &s);
    feed_str(&lf, "5678\r", 1510, &s);
    assert_int_equal(s.n, 2);
    assert_code(&s, 1, "12345678");
}

/* The buffer holds nothing once a line is taken, refused, dropped or reset. */
static void wiped(void **state)
{
    (void)state;
    struct lineframe lf;
    struct scans s = {0};
    struct scan_read r;
    lineframe_init(&lf, LINEFRAME_CRLF, 500);
    feed_str(&lf, "134567890123451234\r\n", 0, &s); /* feed_all checks after each scan */
    feed_str(&lf, "1345\x01\r\n", 0, &s);
    assert_int_equal(s.n, 2);
    feed_str(&lf, "13456789", 0, &s);
    assert_int_equal(lf.n, 8);
    lineframe_reset(&lf);
    assert_wiped(&lf);
    assert_int_equal(lineframe_deadline(&lf), LINEFRAME_NEVER);
    assert_int_equal(lineframe_expire(&lf, 10000, &r), 0);
    feed_str(&lf, "1345678\r", 0, &s);
    lineframe_reset(&lf);
    assert_int_equal(lf.cr, 0);
    feed_str(&lf, "\n5678\r\n", 0, &s); /* the LF after a reset is text, not an end */
    assert_int_equal(s.n, 3);
    assert_refused(&s, 2, "control");
    feed_str(&lf, "4567", 0, &s);
    assert_int_equal(lineframe_expire(&lf, 500, &r), 1);
    assert_wiped(&lf);
    lineframe_init(&lf, LINEFRAME_CR, 0); /* a timeout below 1 counts as 1 */
    feed_str(&lf, "4", 0, &s);
    assert_int_equal(lineframe_deadline(&lf), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_suffix),    cmocka_unit_test(suffix_names),
        cmocka_unit_test(chunking),        cmocka_unit_test(garbage),
        cmocka_unit_test(stray_cr),        cmocka_unit_test(empty_lines),
        cmocka_unit_test(long_lines),      cmocka_unit_test(long_line_tail),
        cmocka_unit_test(partial_timeout), cmocka_unit_test(slow_line),
        cmocka_unit_test(wiped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
