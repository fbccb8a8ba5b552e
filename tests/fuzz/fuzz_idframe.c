/* The ID card reader's codec (idcard/idframe.h) under what a reader's wire could carry. The
 * first byte picks what is fuzzed; the input's bytes also seed a generator, so even a short
 * input makes long, well-formed frames and text blocks that are then broken on purpose:
 *   P  the bytes as a stream into idf_parse()
 *   F  generated streams: response frames of any length (a full 30 01 answer among them),
 *      junk between them, fed whole and in random chunks; then the same with bytes flipped
 *   T  the bytes as a text block into idf_text(), and 70 of them as an appended address
 *   G  generated text blocks: a card of fields of the right form, or with one unit broken
 *   S  the bytes as strings into code_id_valid(), the masks and idf_check()
 *   any other byte: all of the above.
 *
 * Rules kept as crashes:
 * - idf_parse: *used <= n; IDF_BAD drops at least one byte, IDF_MORE none; IDF_FRAME only
 *   for a preamble at the start, a length of 4..IDF_FRAME_MAX-7 and a good checksum, with
 *   the payload inside the buffer (the buffer is a malloc of exactly n bytes, so a read
 *   past it shows under ASan). A stream of frames with junk between them (no 0xAA in it)
 *   gives exactly its frames, whole or in any chunks; any stream gives the same frames
 *   whole and in chunks.
 * - idf_text: 0 or -1; on -1 a reason and nothing kept; on 0 every string terminated in its
 *   member, valid UTF-8 without control characters nor trailing spaces, each field of its
 *   form (sex code, nation, dates, 17 digits and a check character, 长期), the kind from
 *   byte 248, never a foreigner's card. A generated card decodes to exactly its fields; one
 *   broken unit refuses it. Outputs sit between guard bytes.
 * - idf_append_address: -1 leaves the address as it was; 0 keeps it as a prefix.
 * - code_id_valid agrees with a model written here; the masks are terminated within cap,
 *   valid UTF-8, and show nothing but the first character (name) or the first 3 and last 4
 *   of an ID number; idf_check's verdict is one of the enum's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/codes.h"
#include "idcard/idframe.h"

#define FILL 0xA5
#define GUARD 16

static uint64_t rng;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static uint32_t below(uint32_t n)
{
    return n ? next() % n : 0;
}

static int all(const void *p, uint8_t byte, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != byte)
            return 0;
    return 1;
}

static void check(int ok)
{
    if (!ok)
        abort();
}

/* ---- UTF-8 model ---- */

/* The length of a valid character at p (n bytes left) that is text (no C0, DEL, C1), else
 * 0. */
static size_t model_char(const uint8_t *p, size_t n)
{
    size_t len = p[0] < 0x80             ? 1
                 : (p[0] & 0xE0) == 0xC0 ? 2
                 : (p[0] & 0xF0) == 0xE0 ? 3
                 : (p[0] & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (!len || len > n)
        return 0;
    uint32_t cp = len == 1 ? p[0] : p[0] & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return 0;
    return len;
}

static int model_text(const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t c = model_char(p + i, n - i);
        if (!c)
            return 0;
        i += c;
    }
    return 1;
}

/* A string member: terminated inside, text, no trailing space. */
static void check_member(const char *s, size_t size)
{
    size_t n = strnlen(s, size);
    check(n < size);
    check(model_text(s));
    check(n == 0 || s[n - 1] != ' ');
}

static int digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* ---- frames ---- */

static size_t frame(uint8_t sw3, const uint8_t *data, size_t n, uint8_t *out)
{
    size_t len = n + 4;
    static const uint8_t pre[5] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};
    memcpy(out, pre, 5);
    out[5] = (uint8_t)(len >> 8);
    out[6] = (uint8_t)len;
    out[7] = 0;
    out[8] = 0;
    out[9] = sw3;
    memcpy(out + 10, data, n);
    uint8_t x = 0;
    for (size_t i = 5; i < 6 + len; i++)
        x ^= out[i];
    out[6 + len] = x;
    return 7 + len;
}

/* One idf_parse on exactly buf[0..n) (copied into a buffer of exactly n bytes), checked.
 * The result; *used and *p as given. */
static enum idf_parse parse1(const uint8_t *buf, size_t n, size_t *used, struct idf_payload *p)
{
    uint8_t *b = malloc(n ? n : 1);
    check(b != NULL);
    memcpy(b, buf, n);
    struct idf_payload q;
    memset(&q, FILL, sizeof q);
    size_t u = (size_t)-1;
    enum idf_parse r = idf_parse(b, n, &u, &q);
    check(r == IDF_MORE || r == IDF_FRAME || r == IDF_BAD);
    check(u <= n);
    if (r == IDF_MORE)
        check(u == 0);
    if (r == IDF_BAD)
        check(u >= 1);
    if (r != IDF_FRAME) {
        check(all(&q, FILL, sizeof q)); /* *p only for a frame */
    } else {
        check(n >= IDF_HEADER + 4);
        check(!memcmp(b, "\xAA\xAA\xAA\x96\x69", 5));
        size_t len = (size_t)b[5] << 8 | b[6];
        check(len >= 4 && len <= IDF_FRAME_MAX - IDF_HEADER);
        check(u == IDF_HEADER + len);
        uint8_t x = 0;
        for (size_t i = 5; i < u - 1; i++)
            x ^= b[i];
        check(x == b[u - 1]);
        check(q.sw1 == b[7] && q.sw2 == b[8] && q.sw3 == b[9]);
        check(q.n == len - 4 && q.data == b + 10 && q.data + q.n == b + u - 1);
        /* hand the payload back as pointing into the caller's buffer */
        q.data = buf + 10;
    }
    free(b);
    *used = u;
    *p = q;
    return r;
}

/* What a stream gave: each frame's SW3, data length and a hash of its data. */
struct seen {
    size_t n;
    struct {
        uint8_t sw3;
        size_t len;
        uint32_t hash;
    } f[64];
};

static uint32_t hash(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void saw(struct seen *s, const struct idf_payload *p)
{
    if (s->n < 64) {
        s->f[s->n].sw3 = p->sw3;
        s->f[s->n].len = p->n;
        s->f[s->n].hash = hash(p->data, p->n);
    }
    s->n++;
}

/* The whole stream at once: parse, drop, parse again. */
static void stream_whole(const uint8_t *st, size_t n, struct seen *s)
{
    size_t at = 0;
    memset(s, 0, sizeof *s);
    for (;;) {
        size_t used;
        struct idf_payload p;
        enum idf_parse r = parse1(st + at, n - at, &used, &p);
        if (r == IDF_MORE)
            break;
        if (r == IDF_FRAME)
            saw(s, &p);
        at += used;
    }
}

/* As a driver reads it: chunks of 1..max bytes appended to a buffer. */
static void stream_chunks(const uint8_t *st, size_t n, size_t max, struct seen *s)
{
    uint8_t *buf = malloc(n + 1);
    size_t have = 0, at = 0;
    check(buf != NULL);
    memset(s, 0, sizeof *s);
    while (at < n) {
        size_t k = 1 + below((uint32_t)max);
        if (k > n - at)
            k = n - at;
        memcpy(buf + have, st + at, k);
        have += k;
        at += k;
        for (;;) {
            size_t used;
            struct idf_payload p;
            enum idf_parse r = parse1(buf, have, &used, &p);
            if (r == IDF_MORE) {
                check(have < IDF_FRAME_MAX); /* a frame never needs more */
                break;
            }
            if (r == IDF_FRAME)
                saw(s, &p);
            memmove(buf, buf + used, have - used);
            have -= used;
        }
    }
    free(buf);
}

static void same(const struct seen *a, const struct seen *b)
{
    check(a->n == b->n);
    for (size_t i = 0; i < a->n && i < 64; i++)
        check(a->f[i].sw3 == b->f[i].sw3 && a->f[i].len == b->f[i].len &&
              a->f[i].hash == b->f[i].hash);
}

static void fuzz_parse_bytes(const uint8_t *d, size_t n)
{
    struct seen whole, chunks;
    stream_whole(d, n, &whole);
    stream_chunks(d, n, 1 + below(64), &chunks);
    same(&whole, &chunks);
}

static uint8_t stream[8 * IDF_FRAME_MAX];

static void fuzz_frames(void)
{
    size_t n = 0, frames = 1 + below(4);
    struct seen want;
    memset(&want, 0, sizeof want);
    static uint8_t data[IDF_FRAME_MAX];
    for (size_t i = 0; i < frames; i++) {
        size_t junk = below(4) ? 0 : below(20);
        for (size_t j = 0; j < junk; j++) {
            uint8_t b = (uint8_t)next();
            stream[n++] = b == 0xAA ? 0x55 : b; /* junk that cannot begin a preamble */
        }
        uint32_t pick = below(8);
        size_t len = pick == 0   ? 4 + IDF_TEXT_LEN + IDF_PHOTO_LEN /* a 30 01 answer */
                     : pick == 1 ? IDF_FRAME_MAX - IDF_HEADER - 4   /* the longest */
                     : pick == 2 ? 0
                                 : below(80);
        for (size_t j = 0; j < len; j++)
            data[j] = (uint8_t)next();
        if (pick == 0)
            memcpy(data, "\x01\x00\x04\x00", 4);
        struct idf_payload p = {0, 0, (uint8_t)next(), data, len};
        p.sw3 = below(2) ? 0x90 : p.sw3;
        size_t at = n;
        n += frame(p.sw3, data, len, stream + n);
        p.data = stream + at + 10;
        saw(&want, &p);
    }
    struct seen got;
    stream_whole(stream, n, &got);
    same(&want, &got);
    stream_chunks(stream, n, 1 + below(300), &got);
    same(&want, &got);
    /* now broken: bytes flipped, cut, or junk that may hold 0xAA; whole and in chunks agree */
    size_t flips = 1 + below(4);
    for (size_t i = 0; i < flips; i++)
        stream[below((uint32_t)n)] ^= (uint8_t)(1 + below(255));
    if (below(3) == 0)
        n = below((uint32_t)n + 1);
    stream_whole(stream, n, &want);
    stream_chunks(stream, n, 1 + below(300), &got);
    same(&want, &got);
}

/* Frames whose length is at or near either bound, with a good checksum: a frame exactly
 * when 4 <= LEN <= IDF_FRAME_MAX - 7. */
static void fuzz_bounds(void)
{
    static uint8_t data[IDF_FRAME_MAX + 16], f[IDF_FRAME_MAX + 32];
    size_t len = below(2) ? below(8) : IDF_FRAME_MAX - IDF_HEADER - 4 + below(8);
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)next();
    size_t n;
    if (len >= 4) {
        n = frame(data[0], data + 4, len - 4, f); /* LEN = len */
    } else {
        /* LEN under 4: built by hand */
        memcpy(f, "\xAA\xAA\xAA\x96\x69", 5);
        f[5] = 0;
        f[6] = (uint8_t)len;
        memcpy(f + 7, data, len);
        n = 7 + len;
        if (len) {
            uint8_t x = 0;
            for (size_t i = 5; i < n - 1; i++)
                x ^= f[i];
            f[n - 1] = x;
        }
    }
    size_t used;
    struct idf_payload p;
    enum idf_parse r = parse1(f, n, &used, &p);
    if (len >= 4 && len <= IDF_FRAME_MAX - IDF_HEADER)
        check(r == IDF_FRAME && used == n);
    else
        check(r == IDF_BAD && used == 1);
}

/* ---- text blocks ---- */

typedef struct {
    uint8_t pre[GUARD];
    struct id_identity v;
    uint8_t post[GUARD];
} guarded_id;

static void check_guards(const guarded_id *g)
{
    check(all(g->pre, FILL, GUARD) && all(g->post, FILL, GUARD));
}

static int is_date_form(const char *s)
{
    return digits(s, 8);
}

/* idf_text on t (and an appended address on a), checked; 0 or -1 as it gave. */
static int text(const uint8_t t[IDF_TEXT_LEN], const uint8_t a[IDF_ADDR_LEN], guarded_id *g)
{
    char err[64];
    memset(g, FILL, sizeof *g);
    memset(err, FILL, sizeof err);
    uint8_t *tb = malloc(IDF_TEXT_LEN);
    check(tb != NULL);
    memcpy(tb, t, IDF_TEXT_LEN);
    int rc = idf_text(tb, &g->v, err, sizeof err);
    free(tb);
    check_guards(g);
    check(rc == 0 || rc == -1);
    check(strnlen(err, sizeof err) < sizeof err);
    if (rc != 0) {
        check(err[0] != '\0');
        check(all(&g->v, 0, sizeof g->v));
        /* a short error buffer: cut and terminated */
        char small[5];
        memset(small, FILL, sizeof small);
        check(idf_text(t, &g->v, small, 4) == -1 && small[3] == '\0' && small[4] == (char)FILL);
        return rc;
    }
    check(err[0] == '\0');
    const struct id_identity *id = &g->v;
    check(id->kind == (t[248] == 'J' ? ID_KIND_HMT : ID_KIND_RESIDENT));
    check_member(id->name, sizeof id->name);
    check(id->name[0] != '\0');
    check(strchr("0129", id->sex) && id->sex);
    check(digits(id->nation, 2) || (!id->nation[0] && id->kind == ID_KIND_HMT));
    check(is_date_form(id->birth));
    check_member(id->address, sizeof id->address);
    check(strlen(id->id_no) == 18);
    for (int i = 0; i < 17; i++)
        check(id->id_no[i] >= '0' && id->id_no[i] <= '9');
    check((id->id_no[17] >= '0' && id->id_no[17] <= '9') || id->id_no[17] == 'X');
    check_member(id->authority, sizeof id->authority);
    check(is_date_form(id->valid_from));
    check(id->long_term ? id->valid_to[0] == '\0' : is_date_form(id->valid_to));
    check(id->long_term == 0 || id->long_term == 1);

    /* an appended address */
    char before[sizeof id->address];
    memcpy(before, id->address, sizeof before);
    uint8_t *ab = malloc(IDF_ADDR_LEN);
    check(ab != NULL);
    memcpy(ab, a, IDF_ADDR_LEN);
    int arc = idf_append_address(&g->v, ab);
    free(ab);
    check_guards(g);
    check(arc == 0 || arc == -1);
    check_member(id->address, sizeof id->address);
    if (arc)
        check(!memcmp(before, id->address, sizeof before));
    else
        check(!strncmp(before, id->address, strlen(before)));

    /* its verdict, any day */
    char today[9];
    for (int i = 0; i < 8; i++)
        today[i] = (char)('0' + below(10));
    today[8] = '\0';
    enum idf_verdict v = idf_check(id, today);
    check(v >= IDF_VALID && v <= IDF_BAD_DATES);
    idf_wipe(&g->v);
    check(all(&g->v, 0, sizeof g->v));
    check_guards(g);
    return 0;
}

static void fuzz_text_bytes(const uint8_t *d, size_t n)
{
    uint8_t t[IDF_TEXT_LEN], a[IDF_ADDR_LEN];
    guarded_id g;
    for (size_t i = 0; i < IDF_TEXT_LEN; i++)
        t[i] = i < n ? d[i] : (uint8_t)(i % 2 ? 0 : ' ');
    for (size_t i = 0; i < IDF_ADDR_LEN; i++)
        a[i] = IDF_TEXT_LEN + i < n ? d[IDF_TEXT_LEN + i] : (uint8_t)(i % 2 ? 0 : ' ');
    text(t, a, &g);
}

/* Units a generated field is made of. */
static const uint16_t cjk[] = {0x738B, 0x5EFA, 0x56FD, 0x6B27, 0x9633, 0x5A1C, 0x5317, 0x4EAC,
                               0x5E02, 0x8DEF, 0x53F7, 0x00B7, 0x0041, 0x0061, 0x0031, 0x0020};

static void put_unit(uint8_t *t, size_t off, uint16_t u)
{
    t[off] = (uint8_t)(u & 0xFF);
    t[off + 1] = (uint8_t)(u >> 8);
}

/* A generated text field of at most `units` units (k of them), padded; its UTF-8 into out
 * (trailing spaces trimmed), as the decoder must give it. */
static void gen_text(uint8_t *t, size_t off, size_t units, size_t min, char *out)
{
    size_t k = min + below((uint32_t)(units - min + 1)), o = 0, trimmed = 0, i = 0;
    for (; i < k; i++) {
        if (i + 1 < k && below(16) == 0) { /* a pair: U+20000 + x */
            uint32_t cp = 0x20000 + below(0x100);
            put_unit(t, off + 2 * i, (uint16_t)(0xD800 + ((cp - 0x10000) >> 10)));
            put_unit(t, off + 2 * i + 2, (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF)));
            i++;
            out[o++] = (char)(0xF0 | cp >> 18);
            out[o++] = (char)(0x80 | (cp >> 12 & 0x3F));
            out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
            trimmed = o;
            continue;
        }
        uint16_t u = cjk[below(sizeof cjk / sizeof cjk[0] - (i == 0 ? 1 : 0))];
        put_unit(t, off + 2 * i, u);
        if (u < 0x80) {
            out[o++] = (char)u;
        } else if (u < 0x800) {
            out[o++] = (char)(0xC0 | u >> 6);
            out[o++] = (char)(0x80 | (u & 0x3F));
        } else {
            out[o++] = (char)(0xE0 | u >> 12);
            out[o++] = (char)(0x80 | (u >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (u & 0x3F));
        }
        if (u != ' ')
            trimmed = o;
    }
    for (; i < units; i++)
        put_unit(t, off + 2 * i, ' ');
    out[trimmed] = '\0';
}

static void gen_ascii(uint8_t *t, size_t off, size_t units, const char *s)
{
    for (size_t i = 0; i < units; i++)
        put_unit(t, off + 2 * i, i < strlen(s) ? (uint8_t)s[i] : ' ');
}

static void gen_digits(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i] = (char)('0' + below(10));
    s[n] = '\0';
}

static void fuzz_text_generated(void)
{
    uint8_t t[IDF_TEXT_LEN], a[IDF_ADDR_LEN];
    struct id_identity want;
    guarded_id g;
    memset(&want, 0, sizeof want);
    for (size_t i = 0; i < IDF_TEXT_LEN; i += 2)
        put_unit(t, i, ' ');
    uint32_t kind = below(8);
    t[248] = kind == 0 ? 'J' : kind == 1 ? 'I' : ' ';
    want.kind = kind == 0 ? ID_KIND_HMT : ID_KIND_RESIDENT;
    gen_text(t, 0, 15, 1, want.name);
    want.sex = "0129"[below(4)];
    gen_ascii(t, 30, 1, (char[]){want.sex, 0});
    if (want.kind == ID_KIND_HMT && below(2))
        want.nation[0] = '\0';
    else
        gen_digits(want.nation, 2);
    gen_ascii(t, 32, 2, want.nation);
    gen_digits(want.birth, 8);
    gen_ascii(t, 36, 8, want.birth);
    gen_text(t, 52, 35, 0, want.address);
    gen_digits(want.id_no, 17);
    want.id_no[17] = below(11) == 0 ? 'X' : (char)('0' + below(10));
    want.id_no[18] = '\0';
    gen_ascii(t, 122, 18, want.id_no);
    gen_text(t, 158, 15, 0, want.authority);
    gen_digits(want.valid_from, 8);
    gen_ascii(t, 188, 8, want.valid_from);
    want.long_term = below(4) == 0;
    if (want.long_term) {
        put_unit(t, 204, 0x957F);
        put_unit(t, 206, 0x671F);
    } else {
        gen_digits(want.valid_to, 8);
        gen_ascii(t, 204, 8, want.valid_to);
    }
    char appended[128];
    gen_text(a, 0, 35, 0, appended);

    /* broken on purpose: one unit of one field that is not text, or not of the form */
    uint32_t brk = below(3);
    if (brk == 0) {
        static const uint16_t bad[] = {0x0000, 0x0009, 0x001F, 0x007F, 0x0085, 0x009F,
                                       0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xFFFE, 0xFFFF};
        static const struct {
            uint16_t off, size;
        } fields[] = {{0, 30},   {30, 2},   {32, 4},   {36, 16}, {52, 70},
                      {122, 36}, {158, 30}, {188, 16}, {204, 16}};
        size_t f = below(9);
        size_t at = fields[f].off + 2 * below(fields[f].size / 2u);
        uint16_t u = bad[below(sizeof bad / sizeof bad[0])];
        /* a high surrogate right before a low one is a pair, and text: keep it broken */
        uint16_t after =
            at + 3 < fields[f].off + fields[f].size ? (uint16_t)(t[at + 2] | t[at + 3] << 8) : 0;
        if (u >= 0xD800 && u <= 0xDBFF && after >= 0xDC00 && after <= 0xDFFF)
            u = 0x0001;
        uint16_t before = at > fields[f].off ? (uint16_t)(t[at - 2] | t[at - 1] << 8) : 0;
        if (u >= 0xDC00 && u <= 0xDFFF && before >= 0xD800 && before <= 0xDBFF)
            u = 0x0001;
        put_unit(t, at, u);
        check(text(t, a, &g) == -1);
        return;
    }
    int rc = text(t, a, &g); /* checks and wipes; decode again to compare */
    if (kind == 1) {
        check(rc == -1);
        return;
    }
    check(rc == 0);
    char err[64];
    check(idf_text(t, &g.v, err, sizeof err) == 0);
    const struct id_identity *id = &g.v;
    check(id->kind == want.kind && id->sex == want.sex && id->long_term == want.long_term);
    check(!strcmp(id->name, want.name) && !strcmp(id->nation, want.nation) &&
          !strcmp(id->birth, want.birth) && !strcmp(id->address, want.address) &&
          !strcmp(id->id_no, want.id_no) && !strcmp(id->authority, want.authority) &&
          !strcmp(id->valid_from, want.valid_from) && !strcmp(id->valid_to, want.valid_to));
    check(idf_append_address(&g.v, a) == 0);
    size_t pl = strlen(want.address), al = strlen(appended);
    if (!al)
        check(!strcmp(id->address, want.address));
    else if (!pl)
        check(!strcmp(id->address, appended));
    else
        check(!strncmp(id->address, want.address, pl) && id->address[pl] == ' ' &&
              !strcmp(id->address + pl + 1, appended));
    idf_wipe(&g.v);
}

/* ---- strings ---- */

static int model_date(const char *s)
{
    for (int i = 0; i < 8; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[4] - '0') * 10 + (s[5] - '0'), d = (s[6] - '0') * 10 + (s[7] - '0');
    int mdays[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)
        mdays[2] = 29;
    return y >= 1900 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m];
}

/* core/codes.h code_id_valid(): no region starts with 0; a lowercase x is taken as X. */
static int model_id_core(const char *s)
{
    char up[19];
    if (strlen(s) != 18)
        return 0;
    memcpy(up, s, 19);
    if (up[17] == 'x')
        up[17] = 'X';
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (up[i] < '0' || up[i] > '9')
            return 0;
        sum += (up[i] - '0') * ((1 << (17 - i)) % 11);
    }
    return up[0] != '0' && "10X98765432"[sum % 11] == up[17] && model_date(up + 6);
}

/* A card's number: as core's, and the X as printed, upper case. */
static int model_id(const char *s)
{
    if (strlen(s) != 18 || s[0] == '0')
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        sum += (s[i] - '0') * ((1 << (17 - i)) % 11);
    }
    return "10X98765432"[sum % 11] == s[17] && model_date(s + 6);
}

static void check_masks(const char *s)
{
    char out[80];
    size_t cap = below(sizeof out + 1);
    memset(out, FILL, sizeof out);
    mask_name(s, out, cap);
    check(all(out + cap, FILL, sizeof out - cap));
    if (cap) {
        size_t n = strnlen(out, cap);
        check(n < cap);
        /* valid UTF-8: the first character of the name (if text) and stars */
        const uint8_t *o = (const uint8_t *)out;
        size_t first = model_char(o, n);
        if (n && o[0] != '*') {
            check(first && !memcmp(out, s, first));
        }
        for (size_t i = o[0] == '*' ? 0 : first; i < n; i++)
            check(out[i] == '*');
    }
    memset(out, FILL, sizeof out);
    cap = below(sizeof out + 1);
    mask_id(s, out, cap);
    check(all(out + cap, FILL, sizeof out - cap));
    if (cap) {
        size_t n = strnlen(out, cap);
        check(n < cap && n <= 18);
        for (size_t i = 0; i < n; i++) {
            if (i >= 3 && i < 14)
                check(out[i] == '*');
            else
                check(out[i] == '*' || (strlen(s) == 18 && out[i] == s[i]));
        }
    }
}

static void fuzz_strings(const uint8_t *d, size_t n)
{
    char *s = malloc(n + 1);
    check(s != NULL);
    memcpy(s, d, n);
    s[n] = '\0';
    check(code_id_valid(s) == model_id_core(s));
    check_masks(s);
    /* an ID number made valid: one digit changed is not */
    if (n >= 17) {
        char id[19];
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            id[i] = (char)('0' + (uint8_t)d[i] % 10);
            sum += (id[i] - '0') * ((1 << (17 - i)) % 11);
        }
        id[17] = "10X98765432"[sum % 11];
        id[18] = '\0';
        check(code_id_valid(id) == (id[0] != '0' && model_date(id + 6)));
        check_masks(id);
        int k = (int)below(17);
        id[k] = (char)('0' + (id[k] - '0' + 1 + below(9)) % 10);
        check(!code_id_valid(id));
    }
    /* idf_check on fields cut from the bytes */
    struct id_identity id;
    memset(&id, 0, sizeof id);
    char *fields[] = {id.id_no, id.birth, id.valid_from, id.valid_to};
    size_t sizes[] = {sizeof id.id_no, sizeof id.birth, sizeof id.valid_from, sizeof id.valid_to};
    size_t at = 0;
    for (int f = 0; f < 4; f++) {
        size_t k = below((uint32_t)sizes[f]);
        for (size_t i = 0; i < k && at < n; i++)
            fields[f][i] = (char)d[at++];
    }
    id.long_term = (int)below(2);
    char today[9];
    for (int i = 0; i < 8; i++)
        today[i] = at < n ? (char)d[at++] : (char)('0' + below(10));
    today[8] = '\0';
    enum idf_verdict v = idf_check(&id, today);
    check(v >= IDF_VALID && v <= IDF_BAD_DATES);
    if (v == IDF_VALID)
        check(model_id(id.id_no) && model_date(today) && model_date(id.valid_from) &&
              strcmp(id.valid_from, today) <= 0 &&
              (id.long_term || strcmp(today, id.valid_to) <= 0));
    free(s);
}

/* The verdict, from the header's rules, in their order. */
static enum idf_verdict model_check(const struct id_identity *id, const char *today)
{
    if (!model_id(id->id_no))
        return IDF_BAD_NUMBER;
    if (strlen(id->birth) != 8 || strncmp(id->birth, id->id_no + 6, 8) != 0)
        return IDF_BAD_BIRTH;
    if (strlen(today) != 8 || !model_date(today) || strlen(id->valid_from) != 8 ||
        !model_date(id->valid_from))
        return IDF_BAD_DATES;
    if (!id->long_term && (strlen(id->valid_to) != 8 || !model_date(id->valid_to) ||
                           strcmp(id->valid_to, id->valid_from) < 0))
        return IDF_BAD_DATES;
    if (strcmp(id->valid_from, today) > 0)
        return IDF_NOT_YET;
    if (!id->long_term && strcmp(id->valid_to, today) < 0)
        return IDF_EXPIRED;
    return IDF_VALID;
}

/* ID numbers and cards made around the hard dates: leap days of century years, month ends,
 * the day a card ends and the day after. */
static void fuzz_dates(void)
{
    static const char *const days[] = {"19000228", "19000229", "19000301",  "20000229", "20000230",
                                       "21000229", "19960229", "19990229",  "20240228", "20240229",
                                       "20240301", "20250228", "20250229",  "20250301", "20231231",
                                       "20240101", "20240431", "20240430",  "20241301", "20240100",
                                       "00000101", "2024022",  "202402299", "2024O229"};
    const size_t nd = sizeof days / sizeof days[0];
    struct id_identity id;
    memset(&id, 0, sizeof id);
    const char *birth = days[below((uint32_t)nd)];
    char base[19];
    memcpy(base, "110105", 6);
    snprintf(base + 6, 9, "%.8s", birth);
    size_t bl = strlen(base);
    while (bl < 17)
        base[bl++] = (char)('0' + below(10));
    base[17] = '\0';
    int sum = 0, digits_only = 1;
    for (int i = 0; i < 17; i++) {
        digits_only &= base[i] >= '0' && base[i] <= '9';
        sum += (base[i] - '0') * ((1 << (17 - i)) % 11);
    }
    base[17] = digits_only ? "10X98765432"[((sum % 11) + 11) % 11] : '0';
    base[18] = '\0';
    if (below(8) == 0)
        base[below(18)] ^= 1; /* one character changed */
    check(code_id_valid(base) == model_id_core(base));
    memcpy(id.id_no, base, sizeof id.id_no);
    snprintf(id.birth, sizeof id.birth, "%.8s", below(6) ? base + 6 : days[below((uint32_t)nd)]);
    snprintf(id.valid_from, sizeof id.valid_from, "%.8s", days[below((uint32_t)nd)]);
    id.long_term = below(4) == 0;
    if (!id.long_term || below(2))
        snprintf(id.valid_to, sizeof id.valid_to, "%.8s", days[below((uint32_t)nd)]);
    const char *today = days[below((uint32_t)nd)];
    check(idf_check(&id, today) == model_check(&id, today));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    rng = 0x9E3779B97F4A7C15ull ^ hash(data, size) ^ (uint64_t)size << 32;
    if (!rng)
        rng = 1;
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    switch (data[0]) {
    case 'P':
        fuzz_parse_bytes(d, n);
        break;
    case 'F':
        fuzz_frames();
        fuzz_bounds();
        break;
    case 'T':
        fuzz_text_bytes(d, n);
        break;
    case 'G':
        fuzz_text_generated();
        break;
    case 'S':
        fuzz_strings(d, n);
        fuzz_dates();
        break;
    default:
        fuzz_parse_bytes(d, n);
        fuzz_frames();
        fuzz_text_bytes(d, n);
        fuzz_text_generated();
        fuzz_strings(d, n);
        fuzz_bounds();
        fuzz_dates();
        break;
    }
    return 0;
}
