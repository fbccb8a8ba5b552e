/* The ID card reader: the GA 467 codec (idcard/idframe.h) against the reference frames and
 * text blocks built here, the ID number and the card's dates, the masks; the fake driver;
 * and the serial driver end to end over a pty this test opens, a reader played by a thread
 * of the test (no card, a full read, status bytes, a bad checksum, an answer cut short,
 * silence, the line closing). Every wait is bounded; the whole test takes about a second.
 *
 * The frames and text blocks are built by code of this file (not the codec's), from the
 * layout in the header and ../shared/reference.md. */
#define _XOPEN_SOURCE 700 /* posix_openpt(), grantpt(), unlockpt(), ptsname() */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "idcard/idcard.h"
#include "idcard/idframe.h"

/* ---- building frames and text blocks ---- */

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        assert_int_equal(sscanf(hex, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* A response frame: SW 00 00 sw3, then data[0..n). Its length. */
static size_t resp(uint8_t sw3, const uint8_t *data, size_t n, uint8_t *out)
{
    size_t len = n + 4;
    memcpy(out, "\xAA\xAA\xAA\x96\x69", 5);
    out[5] = (uint8_t)(len >> 8);
    out[6] = (uint8_t)len;
    out[7] = out[8] = 0;
    out[9] = sw3;
    if (n)
        memcpy(out + 10, data, n);
    uint8_t x = 0;
    for (size_t i = 5; i < 7 + len - 1; i++)
        x ^= out[i];
    out[7 + len - 1] = x;
    return 7 + len;
}

/* UTF-8 (trusted) to UTF-16 units; how many. */
static size_t units(const char *s, uint16_t *u, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p) {
        uint32_t cp;
        if (*p < 0x80) {
            cp = *p++;
        } else if (*p < 0xE0) {
            cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
            p += 2;
        } else if (*p < 0xF0) {
            cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
            p += 3;
        } else {
            cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
                 (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
            p += 4;
        }
        if (cp >= 0x10000) {
            assert_true(n + 2 <= cap);
            u[n++] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            u[n++] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            assert_true(n + 1 <= cap);
            u[n++] = (uint16_t)cp;
        }
    }
    return n;
}

static void put_unit(uint8_t *t, size_t off, uint16_t u)
{
    t[off] = (uint8_t)(u & 0xFF);
    t[off + 1] = (uint8_t)(u >> 8);
}

/* `s` as UCS-2LE into t[off..off+size), padded with spaces. */
static void put(uint8_t *t, size_t off, size_t size, const char *s)
{
    uint16_t u[64];
    size_t n = units(s, u, 64);
    assert_true(2 * n <= size);
    for (size_t i = 0; i < size / 2; i++)
        put_unit(t, off + 2 * i, i < n ? u[i] : ' ');
}

struct card_text {
    const char *name, *sex, *nation, *birth, *address, *id_no, *authority, *from, *to;
    char kind; /* byte 248 */
};

static const struct card_text WANG = {
    "王建国",
    "1",
    "01",
    "19820315",
    "北京市朝阳区建国路88号",
    "110105198203154413",
    "北京市公安局朝阳分局",
    "20160401",
    "20360401",
    ' ',
};

static void build(const struct card_text *c, uint8_t t[IDF_TEXT_LEN])
{
    put(t, 0, IDF_TEXT_LEN, "");
    put(t, 0, 30, c->name);
    put(t, 30, 2, c->sex);
    put(t, 32, 4, c->nation);
    put(t, 36, 16, c->birth);
    put(t, 52, 70, c->address);
    put(t, 122, 36, c->id_no);
    put(t, 158, 30, c->authority);
    put(t, 188, 16, c->from);
    put(t, 204, 16, c->to);
    t[248] = (uint8_t)c->kind;
    t[249] = 0;
}

/* The whole answer to 30 01: header, 00 00 90, lengths, text, photo, CHK (1295 bytes). */
static size_t read_answer(const struct card_text *c, uint8_t *out)
{
    uint8_t data[4 + IDF_TEXT_LEN + IDF_PHOTO_LEN];
    data[0] = 0x01, data[1] = 0x00, data[2] = 0x04, data[3] = 0x00;
    build(c, data + 4);
    for (size_t i = 0; i < IDF_PHOTO_LEN; i++)
        data[4 + IDF_TEXT_LEN + i] = (uint8_t)(i * 13 + 5);
    return resp(0x90, data, sizeof data, out);
}

/* ---- frames ---- */

static void commands(void **state)
{
    (void)state;
    static const struct {
        uint16_t cmd;
        const char *hex;
    } ref[] = {
        {IDF_CMD_FIND, "AAAAAA96690003200122"},
        {IDF_CMD_SELECT, "AAAAAA96690003200221"},
        {IDF_CMD_READ, "AAAAAA96690003300132"},
        {IDF_CMD_READ_ADDR, "AAAAAA96690003300330"},
        {IDF_CMD_SAM_STATUS, "AAAAAA9669000311FFED"},
        {0x3010, "AAAAAA96690003301023"},
        {0x12FF, "AAAAAA9669000312FFEE"},
    };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        uint8_t want[16], got[16];
        size_t n = unhex(ref[i].hex, want);
        memset(got, 0xEE, sizeof got);
        assert_int_equal(idf_command(ref[i].cmd, got, sizeof got), 10);
        assert_int_equal(n, 10);
        assert_memory_equal(got, want, 10);
        assert_int_equal(got[10], 0xEE);
    }
    uint8_t small[9];
    assert_int_equal(idf_command(IDF_CMD_FIND, small, sizeof small), 0);
}

static void typical_replies(void **state)
{
    (void)state;
    uint8_t b[32];
    size_t used, n;
    struct idf_payload p;

    n = unhex("AAAAAA9669000400008084", b);
    assert_int_equal(idf_parse(b, n, &used, &p), IDF_FRAME);
    assert_int_equal(used, 11);
    assert_int_equal(p.sw1, 0);
    assert_int_equal(p.sw2, 0);
    assert_int_equal(p.sw3, IDF_SW_NO_CARD);
    assert_int_equal(p.n, 0);

    n = unhex("AAAAAA9669000800009F0000000097", b);
    assert_int_equal(idf_parse(b, n, &used, &p), IDF_FRAME);
    assert_int_equal(used, 15);
    assert_int_equal(p.sw3, IDF_SW_FIND_OK);
    assert_int_equal(p.n, 4);
    assert_ptr_equal(p.data, b + 10);
    assert_memory_equal(p.data, "\0\0\0\0", 4);

    n = unhex("AAAAAA9669000400009094", b); /* SAM status: good */
    assert_int_equal(idf_parse(b, n, &used, &p), IDF_FRAME);
    assert_int_equal(p.sw3, IDF_SW_OK);

    /* our own builder agrees with the reference */
    uint8_t mine[32];
    assert_int_equal(resp(0x80, NULL, 0, mine), 11);
    assert_memory_equal(mine, "\xAA\xAA\xAA\x96\x69\x00\x04\x00\x00\x80\x84", 11);

    assert_int_equal(idf_parse(b, 0, &used, &p), IDF_MORE);
    assert_int_equal(used, 0);
}

static void full_read(void **state)
{
    (void)state;
    uint8_t *f = malloc(1295); /* exactly the frame: a read past it shows under ASan */
    uint8_t tmp[1400];
    size_t used, n = read_answer(&WANG, tmp);
    struct idf_payload p;
    assert_int_equal(n, 1295);
    memcpy(f, tmp, n);
    /* the layout of reference.md */
    assert_memory_equal(f, "\xAA\xAA\xAA\x96\x69\x05\x08\x00\x00\x90\x01\x00\x04\x00", 14);
    assert_int_equal(idf_parse(f, n, &used, &p), IDF_FRAME);
    assert_int_equal(used, 1295);
    assert_int_equal(p.sw3, 0x90);
    assert_int_equal(p.n, 1284);
    assert_ptr_equal(p.data, f + 10);
    assert_ptr_equal(p.data + 4, f + 14);      /* the text */
    assert_int_equal(p.data[4 + 256 + 1], 18); /* the photo starts at 270 */
    assert_ptr_equal(p.data + p.n, f + 1294);  /* CHK after the data */
    struct id_identity id;
    char err[96];
    assert_int_equal(idf_text(p.data + 4, &id, err, sizeof err), 0);
    assert_string_equal(id.name, "王建国");
    /* cut anywhere: more */
    for (size_t k = 0; k < n; k += 37) {
        assert_int_equal(idf_parse(f, k, &used, &p), IDF_MORE);
        assert_int_equal(used, 0);
    }
    assert_int_equal(idf_parse(f, n - 1, &used, &p), IDF_MORE);
    free(f);
    idf_wipe(&id);
}

static void junk_before(void **state)
{
    (void)state;
    uint8_t b[64];
    size_t used, n;
    struct idf_payload p;
    memcpy(b, "\x00\x13\xAA\xAA\x96", 5); /* junk, with a broken preamble in it */
    n = 5 + resp(0x9F, (const uint8_t *)"\0\0\0\0", 4, b + 5);
    assert_int_equal(idf_parse(b, n, &used, &p), IDF_BAD);
    assert_int_equal(used, 5);
    assert_int_equal(idf_parse(b + used, n - used, &used, &p), IDF_FRAME);
    assert_int_equal(p.sw3, 0x9F);

    /* all junk: all of it goes; junk ending in the start of a preamble keeps that start */
    assert_int_equal(idf_parse((const uint8_t *)"\x01\x02\x03", 3, &used, &p), IDF_BAD);
    assert_int_equal(used, 3);
    assert_int_equal(idf_parse((const uint8_t *)"\x01\x02\xAA\xAA", 4, &used, &p), IDF_BAD);
    assert_int_equal(used, 2);
    assert_int_equal(idf_parse((const uint8_t *)"\xAA\xAA", 2, &used, &p), IDF_MORE);
    assert_int_equal(idf_parse((const uint8_t *)"\xAA\xAA\xAA\x96\x69\x00", 6, &used, &p),
                     IDF_MORE);
    /* a run of AA before the preamble */
    n = 2 + resp(0x80, NULL, 0, b + 2);
    b[0] = b[1] = 0xAA;
    assert_int_equal(idf_parse(b, n, &used, &p), IDF_BAD);
    assert_int_equal(used, 2);
    assert_int_equal(idf_parse(b + 2, n - 2, &used, &p), IDF_FRAME);
}

/* Two frames fed a byte at a time into a buffer, as a driver would: each comes whole. */
static void byte_by_byte(void **state)
{
    (void)state;
    uint8_t stream[1400 + 32], buf[sizeof stream];
    size_t n = read_answer(&WANG, stream);
    n += resp(0x91, NULL, 0, stream + n);
    size_t have = 0, frames = 0;
    for (size_t i = 0; i < n; i++) {
        buf[have++] = stream[i];
        size_t used;
        struct idf_payload p;
        enum idf_parse r = idf_parse(buf, have, &used, &p);
        if (r == IDF_MORE)
            continue;
        assert_int_equal(r, IDF_FRAME);
        assert_int_equal(p.sw3, frames == 0 ? 0x90 : 0x91);
        assert_int_equal(p.n, frames == 0 ? 1284 : 0);
        assert_int_equal(used, have);
        frames++;
        have = 0;
    }
    assert_int_equal(frames, 2);
    assert_int_equal(have, 0);
}

static void bad_frames(void **state)
{
    (void)state;
    uint8_t b[1400];
    size_t used, n;
    struct idf_payload p;
    /* a bad checksum: the whole frame goes */
    n = resp(0x9F, (const uint8_t *)"\0\0\0\0", 4, b);
    b[n - 1] ^= 0x01;
    assert_int_equal(idf_parse(b, n, &used, &p), IDF_BAD);
    assert_int_equal(used, n);
    n = read_answer(&WANG, b);
    b[500] ^= 0x40; /* a byte of the text */
    assert_int_equal(idf_parse(b, n, &used, &p), IDF_BAD);
    assert_int_equal(used, 1295);
    /* lengths under 4 and over IDF_FRAME_MAX - 7: one byte goes, then look again */
    static const char *const bad_len[] = {"AAAAAA96690000", "AAAAAA96690003200122",
                                          "AAAAAA9669095A", "AAAAAA9669FFFF"};
    for (size_t i = 0; i < 4; i++) {
        n = unhex(bad_len[i], b);
        assert_int_equal(idf_parse(b, n, &used, &p), IDF_BAD);
        assert_int_equal(used, 1);
        assert_int_equal(idf_parse(b + 1, n - 1, &used, &p), IDF_BAD);
        assert_int_equal(used, n - 1); /* nothing else there can begin a frame */
    }
    /* the longest length taken: waits for more */
    n = unhex("AAAAAA96690959000090", b);
    assert_int_equal(idf_parse(b, n, &used, &p), IDF_MORE);
    /* truncated answers stay "more" however long they wait: the driver's timeout ends them */
    n = read_answer(&WANG, b);
    assert_int_equal(idf_parse(b, 700, &used, &p), IDF_MORE);
    assert_int_equal(idf_parse(b, 7, &used, &p), IDF_MORE);
}

/* ---- the text block ---- */

static void text_decoded(void **state)
{
    (void)state;
    uint8_t t[IDF_TEXT_LEN];
    struct id_identity id;
    char err[96] = "x";
    build(&WANG, t);
    assert_int_equal(idf_text(t, &id, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_int_equal(id.kind, ID_KIND_RESIDENT);
    assert_string_equal(id.name, "王建国");
    assert_int_equal(id.sex, '1');
    assert_string_equal(id.nation, "01");
    assert_string_equal(id.birth, "19820315");
    assert_string_equal(id.address, "北京市朝阳区建国路88号");
    assert_string_equal(id.id_no, "110105198203154413");
    assert_string_equal(id.authority, "北京市公安局朝阳分局");
    assert_string_equal(id.valid_from, "20160401");
    assert_string_equal(id.valid_to, "20360401");
    assert_int_equal(id.long_term, 0);

    /* full fields (no padding), a name with a space inside, a character beyond the BMP */
    struct card_text c = WANG;
    c.name = "阿卜杜热西提·阿卜杜热合曼";
    c.address = "新疆维吾尔自治区乌鲁木齐市天山区解放南路一二三四五六七八九十号甲乙丙丁";
    c.authority = "乌鲁木齐市公安局天山区分局甲乙";
    assert_int_equal(idf_text((build(&c, t), t), &id, err, sizeof err), 0);
    assert_string_equal(id.name, c.name);
    assert_string_equal(id.address, c.address);
    assert_string_equal(id.authority, c.authority);
    c.name = "Mary Ann";
    assert_int_equal(idf_text((build(&c, t), t), &id, err, sizeof err), 0);
    assert_string_equal(id.name, "Mary Ann");
    c.name = "王𠀀"; /* U+20000, a surrogate pair */
    assert_int_equal(idf_text((build(&c, t), t), &id, err, sizeof err), 0);
    assert_string_equal(id.name, "王\xF0\xA0\x80\x80");
    idf_wipe(&id);
    for (size_t i = 0; i < sizeof id; i++)
        assert_int_equal(((uint8_t *)&id)[i], 0);
}

static void text_long_term(void **state)
{
    (void)state;
    uint8_t t[IDF_TEXT_LEN];
    struct id_identity id;
    char err[96];
    struct card_text c = WANG;
    c.to = "长期";
    build(&c, t);
    assert_int_equal(idf_text(t, &id, err, sizeof err), 0);
    assert_int_equal(id.long_term, 1);
    assert_string_equal(id.valid_to, "");
    c.to = "长";
    assert_int_equal(idf_text((build(&c, t), t), &id, err, sizeof err), -1);
    c.to = "长期有效";
    assert_int_equal(idf_text((build(&c, t), t), &id, err, sizeof err), -1);
    assert_non_null(strstr(err, "valid to"));
}

static void text_permit(void **state)
{
    (void)state;
    uint8_t t[IDF_TEXT_LEN];
    struct id_identity id;
    char err[96];
    struct card_text c = {"陈美玲",
                          "2",
                          "",
                          "19900708",
                          "香港特别行政区九龙弥敦道100号",
                          "810000199007080026",
                          "公安部出入境管理局",
                          "20220115",
                          "20270115",
                          'J'};
    build(&c, t);
    assert_int_equal(idf_text(t, &id, err, sizeof err), 0);
    assert_int_equal(id.kind, ID_KIND_HMT);
    assert_string_equal(id.nation, "");
    assert_string_equal(id.id_no, "810000199007080026");
    /* a blank nation is only a permit's */
    c.kind = ' ';
    assert_int_equal(idf_text((build(&c, t), t), &id, err, sizeof err), -1);
    assert_non_null(strstr(err, "nation"));
    c.kind = 'J';
    c.nation = "1";
    assert_int_equal(idf_text((build(&c, t), t), &id, err, sizeof err), -1);
}

static void text_foreigner(void **state)
{
    (void)state;
    uint8_t t[IDF_TEXT_LEN];
    struct id_identity id;
    char err[96];
    build(&WANG, t);
    t[248] = 'I';
    memset(&id, 0x5A, sizeof id);
    assert_int_equal(idf_text(t, &id, err, sizeof err), -1);
    assert_non_null(strstr(err, "foreigner"));
    for (size_t i = 0; i < sizeof id; i++)
        assert_int_equal(((uint8_t *)&id)[i], 0); /* nothing of it kept */
}

/* Anything that is not text, or not the field's form, refuses the whole card; err never
 * holds what the card says. */
static void text_refused(void **state)
{
    (void)state;
    static const struct {
        size_t off;
        uint16_t unit;
        const char *field;
    } bad[] = {
        {2, 0x0007, "name"},        /* a control character */
        {0, 0x0000, "name"},        /* NUL */
        {4, 0x0085, "name"},        /* C1 */
        {2, 0xD800, "name"},        /* a high surrogate followed by no low one */
        {28, 0xD840, "name"},       /* a high surrogate at the field's end */
        {2, 0xDC00, "name"},        /* a lone low surrogate */
        {60, 0x007F, "address"},    /* DEL */
        {160, 0xFFFF, "authority"}, /* not a character */
        {30, '3', "sex"},
        {30, ' ', "sex"},
        {32, 'A', "nation"},
        {40, '/', "birth"},
        {122, 'X', "ID number"},
        {156, 'x', "ID number"}, /* the check character in lower case */
        {150, ' ', "ID number"}, /* too short */
        {190, 0x4E00, "valid from"},
        {206, '-', "valid to"},
    };
    uint8_t t[IDF_TEXT_LEN];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct id_identity id;
        char err[96] = "";
        build(&WANG, t);
        put_unit(t, bad[i].off, bad[i].unit);
        assert_int_equal(idf_text(t, &id, err, sizeof err), -1);
        if (!strstr(err, bad[i].field))
            fail_msg("case %zu: \"%s\" does not name %s", i, err, bad[i].field);
        assert_null(strstr(err, "王"));
        assert_null(strstr(err, "1101"));
        assert_string_equal(id.name, ""); /* wiped */
    }
    /* an empty name */
    struct card_text c = WANG;
    c.name = "";
    struct id_identity id;
    char err[8]; /* a short err buffer: cut, terminated */
    assert_int_equal(idf_text((build(&c, t), t), &id, err, sizeof err), -1);
    assert_int_equal(strlen(err), 7);
    assert_int_equal(idf_text(t, &id, NULL, 0), -1);
    /* the reserved area is not looked at (but byte 248) */
    build(&WANG, t);
    put_unit(t, 222, 0x0001);
    assert_int_equal(idf_text(t, &id, err, sizeof err), 0);
}

static void appended_address(void **state)
{
    (void)state;
    uint8_t t[IDF_TEXT_LEN], a[IDF_ADDR_LEN];
    struct id_identity id;
    char err[96];
    build(&WANG, t);
    assert_int_equal(idf_text(t, &id, err, sizeof err), 0);
    put(a, 0, IDF_ADDR_LEN, "北京市朝阳区东三环中路1号");
    assert_int_equal(idf_append_address(&id, a), 0);
    assert_string_equal(id.address, "北京市朝阳区建国路88号 北京市朝阳区东三环中路1号");
    /* blank: nothing appended; not text: nothing appended, -1 */
    put(a, 0, IDF_ADDR_LEN, "");
    assert_int_equal(idf_append_address(&id, a), 0);
    assert_string_equal(id.address, "北京市朝阳区建国路88号 北京市朝阳区东三环中路1号");
    put(a, 0, IDF_ADDR_LEN, "北京市");
    put_unit(a, 20, 0x0000);
    assert_int_equal(idf_append_address(&id, a), -1);
    assert_string_equal(id.address, "北京市朝阳区建国路88号 北京市朝阳区东三环中路1号");
    /* full: what does not fit whole is not appended */
    put(a, 0, IDF_ADDR_LEN,
        "新疆维吾尔自治区乌鲁木齐市天山区解放南路一二三四五六七八九十号甲乙丙丁");
    assert_int_equal(idf_append_address(&id, a), 0);
    assert_int_equal(idf_append_address(&id, a), -1);
    assert_true(strlen(id.address) < sizeof id.address);
    /* no printed address: no separator */
    memset(id.address, 0, sizeof id.address);
    put(a, 0, IDF_ADDR_LEN, "北京市");
    assert_int_equal(idf_append_address(&id, a), 0);
    assert_string_equal(id.address, "北京市");
}

/* ---- numbers, dates, masks ---- */

static struct id_identity wang(void)
{
    struct id_identity id;
    memset(&id, 0, sizeof id);
    strcpy(id.name, "王建国");
    id.sex = '1';
    strcpy(id.nation, "01");
    strcpy(id.birth, "19820315");
    strcpy(id.id_no, "110105198203154413");
    strcpy(id.valid_from, "20160401");
    strcpy(id.valid_to, "20360401");
    return id;
}

static void verdicts(void **state)
{
    (void)state;
    struct id_identity id = wang();
    assert_int_equal(idf_check(&id, "20261130"), IDF_VALID);
    assert_int_equal(idf_check(&id, "20360401"), IDF_VALID);   /* its last day */
    assert_int_equal(idf_check(&id, "20360402"), IDF_EXPIRED); /* the day after */
    assert_int_equal(idf_check(&id, "20160401"), IDF_VALID);   /* its first day */
    assert_int_equal(idf_check(&id, "20160331"), IDF_NOT_YET);
    strcpy(id.valid_to, "20250630");
    assert_int_equal(idf_check(&id, "20250701"), IDF_EXPIRED);
    /* long-term never expires */
    id.long_term = 1;
    id.valid_to[0] = '\0';
    assert_int_equal(idf_check(&id, "20991231"), IDF_VALID);
    assert_int_equal(idf_check(&id, "20160331"), IDF_NOT_YET);
    /* in order: the number first, then its birth date, then the dates */
    id = wang();
    strcpy(id.valid_to, "20200101");
    id.id_no[17] = '0';
    assert_int_equal(idf_check(&id, "20261130"), IDF_BAD_NUMBER);
    id = wang();
    strcpy(id.birth, "19820316");
    strcpy(id.valid_to, "20200101");
    assert_int_equal(idf_check(&id, "20261130"), IDF_BAD_BIRTH);
    id = wang();
    strcpy(id.valid_from, "20160431");
    assert_int_equal(idf_check(&id, "20261130"), IDF_BAD_DATES);
    id = wang();
    strcpy(id.valid_to, "20160331"); /* before valid_from */
    assert_int_equal(idf_check(&id, "20261130"), IDF_BAD_DATES);
    id = wang();
    id.valid_to[0] = '\0'; /* not long-term, no end */
    assert_int_equal(idf_check(&id, "20261130"), IDF_BAD_DATES);
    id = wang();
    assert_int_equal(idf_check(&id, "2026113"), IDF_BAD_DATES);
    assert_int_equal(idf_check(&id, "20261131"), IDF_BAD_DATES);
    assert_int_equal(idf_check(&id, NULL), IDF_BAD_DATES);
}

/* ---- the fake driver ---- */

static const struct idcard_ops *fake_ops(void)
{
    return idcard_fake.ops;
}

/* Sets one key of a driver's options block, as the hub would from config. */
static void set_opt(const struct dev_driver *d, void *block, const char *name, const char *value)
{
    for (const struct cfg_option *o = d->options; o->name; o++) {
        if (strcmp(o->name, name))
            continue;
        char *field = (char *)block + o->offset;
        if (o->type == CFG_INT) {
            char *end;
            long v = strtol(value, &end, 10);
            assert_true(*end == '\0' && v >= o->min && v <= o->max);
            *(int *)field = (int)v;
        } else {
            assert_true(strlen(value) < o->size);
            memcpy(field, value, strlen(value) + 1);
        }
        return;
    }
    fail_msg("no option %s", name);
}

static void *defaults(const struct dev_driver *d)
{
    void *opts = calloc(1, d->opts_size);
    assert_non_null(opts);
    for (const struct cfg_option *o = d->options; o->name; o++)
        set_opt(d, opts, o->name, o->def);
    return opts;
}

static void options_tables(void **state)
{
    (void)state;
    assert_ptr_equal(dev_driver_find(idcard_drivers, "serial"), &idcard_serial);
    assert_ptr_equal(dev_driver_find(idcard_drivers, "fake"), &idcard_fake);
    assert_null(idcard_drivers[2]);
    static const char *const serial_keys[] = {"device", "baud", "frame_ms"};
    static const char *const fake_keys[] = {"identity", "lift_after"};
    const struct {
        const struct dev_driver *d;
        const char *const *keys;
        int n;
    } drv[] = {{&idcard_serial, serial_keys, 3}, {&idcard_fake, fake_keys, 2}};
    for (int k = 0; k < 2; k++) {
        int n = 0;
        for (const struct cfg_option *o = drv[k].d->options; o->name; o++, n++) {
            assert_true(n < drv[k].n);
            assert_string_equal(o->name, drv[k].keys[n]);
            assert_null(o->section);
            assert_non_null(o->help);
            assert_non_null(o->def);
            assert_true(o->offset + o->size <= drv[k].d->opts_size);
            if (o->type == CFG_ENUM)
                assert_non_null(strstr(o->choices, o->def));
        }
        assert_int_equal(n, drv[k].n);
    }
    void *o = defaults(&idcard_serial);
    assert_string_equal((char *)o + idcard_serial.options[1].offset, "115200");
    assert_int_equal(*(int *)((char *)o + idcard_serial.options[2].offset), 1500);
    free(o);
}

static void fake_reads(void **state)
{
    (void)state;
    void *opts = defaults(&idcard_fake);
    void *priv = calloc(1, idcard_fake.priv_size);
    struct id_read r;
    char err[128] = "";
    set_opt(&idcard_fake, opts, "lift_after", "2");
    assert_int_equal(fake_ops()->open(priv, opts, err, sizeof err), 0);
    assert_int_equal(fake_ops()->status(priv, err, sizeof err), 0);
    assert_int_equal(fake_ops()->poll(priv, &r, 0, err, sizeof err), IDC_READ);
    assert_string_equal(r.id.name, "王建国");
    assert_string_equal(r.id.id_no, "110105198203154413");
    assert_string_equal(r.id.address, "北京市朝阳区建国路88号 北京市朝阳区东三环中路1号");
    assert_true(r.has_photo);
    assert_int_equal(idf_check(&r.id, "20261130"), IDF_VALID);
    idcard_read_wipe(&r);
    for (size_t i = 0; i < sizeof r; i++)
        assert_int_equal(((uint8_t *)&r)[i], 0);
    assert_int_equal(fake_ops()->poll(priv, &r, 0, err, sizeof err), IDC_READ);
    assert_int_equal(fake_ops()->poll(priv, &r, 0, err, sizeof err), IDC_NONE);
    fake_ops()->close(priv);
    /* lifted stays lifted */
    assert_int_equal(fake_ops()->open(priv, opts, err, sizeof err), 0);
    assert_int_equal(fake_ops()->poll(priv, &r, 0, err, sizeof err), IDC_NONE);
    fake_ops()->close(priv);

    static const struct {
        const char *who;
        enum id_kind kind;
        enum idf_verdict verdict;
    } people[] = {{"chen", ID_KIND_HMT, IDF_VALID},
                  {"zhao", ID_KIND_RESIDENT, IDF_EXPIRED},
                  {"liu", ID_KIND_RESIDENT, IDF_VALID},
                  {"li", ID_KIND_RESIDENT, IDF_VALID},
                  {"old", ID_KIND_RESIDENT, IDF_VALID}};
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
        memset(priv, 0, idcard_fake.priv_size);
        set_opt(&idcard_fake, opts, "identity", people[i].who);
        set_opt(&idcard_fake, opts, "lift_after", "0");
        assert_int_equal(fake_ops()->open(priv, opts, err, sizeof err), 0);
        assert_int_equal(fake_ops()->poll(priv, &r, 0, err, sizeof err), IDC_READ);
        assert_int_equal(r.id.kind, people[i].kind);
        assert_int_equal(idf_check(&r.id, "20261130"), people[i].verdict);
        fake_ops()->close(priv);
    }
    assert_int_equal(r.id.long_term, 1); /* old */
    idcard_read_wipe(&r);
    memset(priv, 0, idcard_fake.priv_size);
    set_opt(&idcard_fake, opts, "identity", "nobody");
    assert_int_equal(fake_ops()->open(priv, opts, err, sizeof err), -1);
    assert_non_null(strstr(err, "identity"));
    free(priv);
    free(opts);
}

/* ---- the serial driver over a pty ---- */

enum fault {
    F_NONE,
    F_SW,       /* the step answers sw (below) */
    F_CHECKSUM, /* the step's answer with a bad checksum */
    F_CUT,      /* the step's answer cut short (then nothing) */
    F_SILENT,   /* no answer to the step */
    F_CLOSE,    /* the reader's side closes on the step */
    F_STALE,    /* junk after the step's answer */
};

/* The reader, played by a thread on the pty's master. */
struct peer {
    int master;
    char slave[128];
    pthread_t thread;
    atomic_int stop;
    /* what it answers (set before each poll; read by the thread) */
    uint8_t sam_sw3;
    int card; /* a card is on the reader */
    int addr; /* 30 03 answers an address (else 91) */
    uint16_t fault_cmd;
    enum fault fault;
    uint8_t sw;
    int delay_ms;     /* before each answer */
    atomic_int finds; /* FIND commands seen */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void send_bytes(int fd, const uint8_t *b, size_t n)
{
    int64_t give_up = now_ms() + 2000;
    while (n && now_ms() < give_up) {
        ssize_t k = write(fd, b, n);
        if (k > 0) {
            b += k;
            n -= (size_t)k;
        } else {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            poll(&p, 1, 10);
        }
    }
}

static void answer(struct peer *pe, uint16_t cmd)
{
    static uint8_t out[2048];
    uint8_t addr[IDF_ADDR_LEN];
    size_t n;
    if (cmd == IDF_CMD_FIND)
        atomic_fetch_add(&pe->finds, 1);
    if (pe->delay_ms)
        usleep((useconds_t)pe->delay_ms * 1000);
    if (cmd == pe->fault_cmd && pe->fault == F_SILENT)
        return;
    if (cmd == pe->fault_cmd && pe->fault == F_CLOSE) {
        close(pe->master);
        pe->master = -1;
        return;
    }
    if (cmd == pe->fault_cmd && pe->fault == F_SW) {
        n = resp(pe->sw, NULL, 0, out);
    } else {
        switch (cmd) {
        case IDF_CMD_SAM_STATUS:
            n = resp(pe->sam_sw3, NULL, 0, out);
            break;
        case IDF_CMD_FIND:
            n = pe->card ? resp(0x9F, (const uint8_t *)"\0\0\0\0", 4, out)
                         : resp(0x80, NULL, 0, out);
            break;
        case IDF_CMD_SELECT:
            n = resp(0x90, (const uint8_t *)"\0\0\0\0\0\0\0\0", 8, out);
            break;
        case IDF_CMD_READ:
            n = read_answer(&WANG, out);
            break;
        case IDF_CMD_READ_ADDR:
            put(addr, 0, sizeof addr, "北京市朝阳区东三环中路1号");
            n = pe->addr ? resp(0x90, addr, sizeof addr, out) : resp(0x91, NULL, 0, out);
            break;
        default:
            n = resp(0x21, NULL, 0, out);
            break;
        }
    }
    if (cmd == pe->fault_cmd && pe->fault == F_CHECKSUM)
        out[n - 1] ^= 0xFF;
    if (cmd == pe->fault_cmd && pe->fault == F_CUT)
        n = n / 2;
    if (cmd == pe->fault_cmd && pe->fault == F_STALE) {
        memcpy(out + n, "\x00\xAA\x13garbage", 10);
        n += 10;
    }
    send_bytes(pe->master, out, n);
}

static void *peer_main(void *arg)
{
    struct peer *pe = arg;
    uint8_t in[256];
    size_t have = 0;
    while (!atomic_load(&pe->stop) && pe->master >= 0) {
        struct pollfd p = {.fd = pe->master, .events = POLLIN};
        if (poll(&p, 1, 10) <= 0)
            continue;
        ssize_t k = read(pe->master, in + have, sizeof in - have);
        if (k <= 0) {
            usleep(5000); /* the driver's side is closed for now */
            continue;
        }
        have += (size_t)k;
        while (have >= 10) {
            if (memcmp(in, "\xAA\xAA\xAA\x96\x69\x00\x03", 7) != 0 ||
                (in[5] ^ in[6] ^ in[7] ^ in[8]) != in[9]) {
                memmove(in, in + 1, --have); /* not a command: resync */
                continue;
            }
            answer(pe, (uint16_t)(in[7] << 8 | in[8]));
            memmove(in, in + 10, have - 10);
            have -= 10;
        }
    }
    return NULL;
}

struct rig {
    struct peer pe;
    void *opts, *priv;
    int opened;
};

static const struct idcard_ops *serial_ops(void)
{
    return idcard_serial.ops;
}

/* A pty, its reader thread, the driver's options (frame_ms 200) for its slave. */
static void rig_init(struct rig *r)
{
    memset(r, 0, sizeof *r);
    r->pe.master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(r->pe.master >= 0);
    assert_int_equal(grantpt(r->pe.master), 0);
    assert_int_equal(unlockpt(r->pe.master), 0);
    const char *name = ptsname(r->pe.master);
    assert_non_null(name);
    assert_true(strlen(name) < sizeof r->pe.slave);
    strcpy(r->pe.slave, name);
    fcntl(r->pe.master, F_SETFL, fcntl(r->pe.master, F_GETFL) | O_NONBLOCK);
    fcntl(r->pe.master, F_SETFD, FD_CLOEXEC);
    r->pe.sam_sw3 = 0x90;
    r->opts = defaults(&idcard_serial);
    r->priv = calloc(1, idcard_serial.priv_size);
    assert_non_null(r->priv);
    set_opt(&idcard_serial, r->opts, "device", r->pe.slave);
    set_opt(&idcard_serial, r->opts, "frame_ms", "200");
    assert_int_equal(pthread_create(&r->pe.thread, NULL, peer_main, &r->pe), 0);
}

static void rig_open(struct rig *r)
{
    char err[160] = "";
    rig_init(r);
    if (serial_ops()->open(r->priv, r->opts, err, sizeof err) != 0)
        fail_msg("open: %s", err);
    r->opened = 1;
}

static void rig_stop(struct rig *r)
{
    atomic_store(&r->pe.stop, 1);
    pthread_join(r->pe.thread, NULL);
    if (r->opened)
        serial_ops()->close(r->priv);
    if (r->pe.master >= 0)
        close(r->pe.master);
    free(r->opts);
    free(r->priv);
}

/* One poll; *out must stay untouched unless IDC_READ. */
static int look(struct rig *r, struct id_read *out, int timeout_ms, char *err, size_t errcap)
{
    memset(out, 0x5A, sizeof *out);
    err[0] = '\0';
    int rc = serial_ops()->poll(r->priv, out, timeout_ms, err, errcap);
    if (rc != IDC_READ)
        for (size_t i = 0; i < sizeof *out; i++)
            assert_int_equal(((uint8_t *)out)[i], 0x5A);
    return rc;
}

static void serial_sam(void **state)
{
    (void)state;
    struct rig r;
    char err[160];
    rig_init(&r);
    r.pe.sam_sw3 = 0x60;
    assert_int_equal(serial_ops()->open(r.priv, r.opts, err, sizeof err), -1);
    assert_string_equal(err, "SAM status 60");
    r.pe.fault_cmd = IDF_CMD_SAM_STATUS;
    r.pe.fault = F_SILENT;
    int64_t t0 = now_ms();
    assert_int_equal(serial_ops()->open(r.priv, r.opts, err, sizeof err), -1);
    assert_string_equal(err, "no answer");
    assert_true(now_ms() - t0 < 600);
    r.pe.fault = F_CHECKSUM;
    assert_int_equal(serial_ops()->open(r.priv, r.opts, err, sizeof err), -1);
    assert_string_equal(err, "SAM status: checksum");
    r.pe.fault = F_NONE;
    r.pe.sam_sw3 = 0x90;
    if (serial_ops()->open(r.priv, r.opts, err, sizeof err) != 0)
        fail_msg("open: %s", err);
    r.opened = 1;
    rig_stop(&r);
    /* no such device */
    void *opts = defaults(&idcard_serial), *priv = calloc(1, idcard_serial.priv_size);
    set_opt(&idcard_serial, opts, "device", "/nonexistent/ttyUSB9");
    assert_int_equal(serial_ops()->open(priv, opts, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/ttyUSB9: no such device"));
    set_opt(&idcard_serial, opts, "device", "/dev/null");
    assert_int_equal(serial_ops()->open(priv, opts, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a serial device"));
    free(opts);
    free(priv);
}

static void serial_no_card(void **state)
{
    (void)state;
    struct rig r;
    struct id_read out;
    char err[160];
    rig_open(&r);
    int64_t t0 = now_ms();
    assert_int_equal(look(&r, &out, 250, err, sizeof err), IDC_NONE);
    assert_true(now_ms() - t0 < 150); /* at once: the hub paces its looks */
    assert_int_equal(look(&r, &out, 0, err, sizeof err), IDC_NONE);
    assert_int_equal(atomic_load(&r.pe.finds), 2);
    rig_stop(&r);
}

static void serial_reads(void **state)
{
    (void)state;
    struct rig r;
    struct id_read out;
    char err[160];
    rig_open(&r);
    r.pe.card = 1;
    r.pe.addr = 1;
    if (look(&r, &out, 0, err, sizeof err) != IDC_READ)
        fail_msg("poll: %s", err);
    assert_string_equal(out.id.name, "王建国");
    assert_string_equal(out.id.id_no, "110105198203154413");
    assert_string_equal(out.id.address, "北京市朝阳区建国路88号 北京市朝阳区东三环中路1号");
    assert_string_equal(out.id.valid_to, "20360401");
    assert_true(out.has_photo);
    for (size_t i = 0; i < IDF_PHOTO_LEN; i++)
        assert_int_equal(out.photo[i], (uint8_t)(i * 13 + 5));
    /* no appended address (91), and stale bytes after an answer are no trouble */
    r.pe.addr = 0;
    r.pe.fault_cmd = IDF_CMD_FIND;
    r.pe.fault = F_STALE;
    assert_int_equal(look(&r, &out, 0, err, sizeof err), IDC_READ);
    assert_string_equal(out.id.address, "北京市朝阳区建国路88号");
    idcard_read_wipe(&out);
    /* the driver keeps no copy */
    const uint8_t *p = r.priv;
    for (size_t i = 0; i + 9 <= idcard_serial.priv_size; i++)
        assert_false(memcmp(p + i, "王", 3) == 0 || memcmp(p + i, "110105198", 9) == 0);
    rig_stop(&r);
}

static void serial_failures(void **state)
{
    (void)state;
    static const struct {
        uint16_t cmd;
        enum fault fault;
        uint8_t sw;
        const char *err;
    } cases[] = {
        {IDF_CMD_READ, F_SW, 0x41, "read: SW3 41"},
        {IDF_CMD_READ, F_CHECKSUM, 0, "read: checksum"},
        {IDF_CMD_READ, F_CUT, 0, "read: cut short"},
        {IDF_CMD_READ, F_SILENT, 0, "read: no answer"},
        {IDF_CMD_SELECT, F_SW, 0x81, "select: SW3 81"},
        {IDF_CMD_FIND, F_SW, 0x40, "find: SW3 40"},
        {IDF_CMD_FIND, F_CHECKSUM, 0, "find: checksum"},
        {IDF_CMD_READ_ADDR, F_SW, 0x41, "address: SW3 41"},
        {IDF_CMD_READ_ADDR, F_CUT, 0, "address: cut short"},
    };
    struct rig r;
    struct id_read out;
    char err[160];
    rig_open(&r);
    r.pe.card = 1;
    r.pe.addr = 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r.pe.fault_cmd = cases[i].cmd;
        r.pe.fault = cases[i].fault;
        r.pe.sw = cases[i].sw;
        int64_t t0 = now_ms();
        assert_int_equal(look(&r, &out, 0, err, sizeof err), IDC_FAILED);
        assert_string_equal(err, cases[i].err);
        assert_true(now_ms() - t0 < 5 * 200 + 200);
        /* the next look reads the card: nothing of the failure is left over */
        r.pe.fault = F_NONE;
        if (look(&r, &out, 0, err, sizeof err) != IDC_READ)
            fail_msg("case %zu, then: %s", i, err);
    }
    idcard_read_wipe(&out);
    rig_stop(&r);
}

/* A slow reader: the whole look ends within timeout_ms plus one answer's time. (The answer
 * that comes too late is left to land before the next look, whose drain then drops it: the
 * protocol has no sequence numbers, so an answer still on its way would be taken for the
 * next command's, and fail that look too.) */
static void serial_slow(void **state)
{
    (void)state;
    struct rig r;
    struct id_read out;
    char err[160];
    rig_open(&r);
    r.pe.card = 1;
    r.pe.delay_ms = 120; /* before each answer; frame_ms is 200 */
    int64_t t0 = now_ms();
    assert_int_equal(look(&r, &out, 0, err, sizeof err), IDC_FAILED); /* 200 ms in all */
    assert_string_equal(err, "select: no answer");
    int64_t took = now_ms() - t0;
    assert_true(took >= 190 && took < 200 + 150);
    usleep(150 * 1000);
    t0 = now_ms();
    if (look(&r, &out, 1000, err, sizeof err) != IDC_READ) /* four answers: 480 ms */
        fail_msg("poll: %s", err);
    assert_true(now_ms() - t0 < 1000 + 200);
    assert_string_equal(out.id.name, "王建国");
    idcard_read_wipe(&out);
    rig_stop(&r);
}

/* While nobody wants readings the hub only asks the SAM's status. */
static void serial_status(void **state)
{
    (void)state;
    struct rig r;
    char err[160] = "";
    rig_open(&r);
    assert_int_equal(serial_ops()->status(r.priv, err, sizeof err), 0);
    r.pe.sam_sw3 = 0x60;
    assert_int_equal(serial_ops()->status(r.priv, err, sizeof err), IDC_GONE);
    assert_string_equal(err, "SAM status 60");
    r.pe.sam_sw3 = 0x90;
    r.pe.fault_cmd = IDF_CMD_SAM_STATUS;
    r.pe.fault = F_CHECKSUM;
    assert_int_equal(serial_ops()->status(r.priv, err, sizeof err), IDC_GONE);
    assert_string_equal(err, "SAM status: checksum");
    r.pe.fault = F_SILENT;
    assert_int_equal(serial_ops()->status(r.priv, err, sizeof err), IDC_GONE);
    assert_string_equal(err, "no answer");
    r.pe.fault = F_NONE;
    assert_int_equal(serial_ops()->status(r.priv, err, sizeof err), 0);
    r.pe.fault = F_CLOSE;
    assert_int_equal(serial_ops()->status(r.priv, err, sizeof err), IDC_GONE);
    assert_non_null(strstr(err, "SAM status: "));
    rig_stop(&r);
}

static void serial_gone(void **state)
{
    (void)state;
    struct rig r;
    struct id_read out;
    char err[160];
    /* a reader that answers nothing at all */
    rig_open(&r);
    r.pe.fault_cmd = IDF_CMD_FIND;
    r.pe.fault = F_SILENT;
    int64_t t0 = now_ms();
    assert_int_equal(look(&r, &out, 0, err, sizeof err), IDC_GONE);
    assert_string_equal(err, "no answer");
    assert_true(now_ms() - t0 < 500);
    /* the line closes mid-read */
    r.pe.card = 1;
    r.pe.fault_cmd = IDF_CMD_READ;
    r.pe.fault = F_CLOSE;
    assert_int_equal(look(&r, &out, 0, err, sizeof err), IDC_GONE);
    assert_non_null(strstr(err, "read"));
    /* and stays gone */
    assert_int_equal(look(&r, &out, 0, err, sizeof err), IDC_GONE);
    rig_stop(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commands),
        cmocka_unit_test(typical_replies),
        cmocka_unit_test(full_read),
        cmocka_unit_test(junk_before),
        cmocka_unit_test(byte_by_byte),
        cmocka_unit_test(bad_frames),
        cmocka_unit_test(text_decoded),
        cmocka_unit_test(text_long_term),
        cmocka_unit_test(text_permit),
        cmocka_unit_test(text_foreigner),
        cmocka_unit_test(text_refused),
        cmocka_unit_test(appended_address),
        cmocka_unit_test(verdicts),
        cmocka_unit_test(options_tables),
        cmocka_unit_test(fake_reads),
        cmocka_unit_test(serial_sam),
        cmocka_unit_test(serial_no_card),
        cmocka_unit_test(serial_reads),
        cmocka_unit_test(serial_failures),
        cmocka_unit_test(serial_slow),
        cmocka_unit_test(serial_status),
        cmocka_unit_test(serial_gone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
