/* The GA 467 SAM serial protocol, pure (idcard/idframe.h): frames, the text block, the ID
 * number's check character and the card's dates. Every input here comes from the reader's
 * wire: nothing is read past the length given, nothing is written past an output's size,
 * and a field that is not what it must be refuses the whole card rather than being cleaned
 * up into something else. */
#include "idcard/idframe.h"

#include <stdio.h>
#include <string.h>

#include "core/codes.h"

static const uint8_t preamble[5] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};

/* ---- frames ---- */

size_t idf_command(uint16_t cmd, uint8_t *out, size_t cap)
{
    if (!out || cap < IDF_HEADER + 3)
        return 0;
    memcpy(out, preamble, sizeof preamble);
    out[5] = 0x00;
    out[6] = 0x03; /* CMD PARA CHK */
    out[7] = (uint8_t)(cmd >> 8);
    out[8] = (uint8_t)(cmd & 0xFF);
    out[9] = out[5] ^ out[6] ^ out[7] ^ out[8];
    return IDF_HEADER + 3;
}

/* How many bytes of the preamble buf[0..n) matches (5 when all of it). */
static size_t preamble_match(const uint8_t *buf, size_t n)
{
    size_t k = 0;
    while (k < sizeof preamble && k < n && buf[k] == preamble[k])
        k++;
    return k;
}

enum idf_parse idf_parse(const uint8_t *buf, size_t n, size_t *used, struct idf_payload *p)
{
    *used = 0;
    if (n == 0)
        return IDF_MORE;
    /* Junk before a preamble: drop everything before the first place where one begins (or
     * where the buffer ends in a beginning of one). */
    size_t start = 0;
    while (start < n) {
        size_t k = preamble_match(buf + start, n - start);
        if (k == sizeof preamble || k == n - start)
            break;
        start++;
    }
    if (start > 0) {
        *used = start;
        return IDF_BAD;
    }
    if (n < IDF_HEADER)
        return IDF_MORE;
    size_t len = (size_t)buf[5] << 8 | buf[6];
    if (len < 4 || len > IDF_FRAME_MAX - IDF_HEADER) {
        *used = 1; /* not a frame: look for the next preamble after this one */
        return IDF_BAD;
    }
    if (n < IDF_HEADER + len)
        return IDF_MORE;
    uint8_t chk = 0;
    for (size_t i = 5; i < IDF_HEADER + len - 1; i++)
        chk ^= buf[i];
    *used = IDF_HEADER + len;
    if (chk != buf[IDF_HEADER + len - 1])
        return IDF_BAD; /* the whole frame goes: a photo may hold what looks like a preamble */
    p->sw1 = buf[7];
    p->sw2 = buf[8];
    p->sw3 = buf[9];
    p->data = buf + 10;
    p->n = len - 4;
    return IDF_FRAME;
}

/* ---- the text block ---- */

/* The layout (offset and size in bytes, UCS-2LE). */
struct span {
    uint16_t off, size;
};
static const struct span T_NAME = {0, 30}, T_SEX = {30, 2}, T_NATION = {32, 4}, T_BIRTH = {36, 16},
                         T_ADDRESS = {52, 70}, T_ID = {122, 36}, T_AUTHORITY = {158, 30},
                         T_FROM = {188, 16}, T_TO = {204, 16};
#define T_KIND 248 /* one byte: 'J' a residence permit, 'I' a foreigner's card */

/* The longest field is 35 characters: 105 bytes of UTF-8 (a surrogate pair is 2 of them
 * and 4 bytes). */
#define FIELD_MAX 128

static size_t put_utf8(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes `size` bytes of UTF-16LE text into out (3 * size / 2 + 1 bytes) as UTF-8, trailing
 * padding spaces trimmed. 0, or -1 when a unit is not text: a control character (C0, DEL,
 * C1; NUL too), a surrogate that is not half of a pair, U+FFFE or U+FFFF. */
static int field(const uint8_t *p, size_t size, char *out)
{
    size_t o = 0, trimmed = 0;
    for (size_t i = 0; i + 1 < size; i += 2) {
        uint32_t u = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t lo = i + 3 < size ? (uint32_t)p[i + 2] | (uint32_t)p[i + 3] << 8 : 0;
            if (lo < 0xDC00 || lo > 0xDFFF)
                return -1;
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            i += 2;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            return -1;
        } else if (u < 0x20 || (u >= 0x7F && u <= 0x9F) || u == 0xFFFE || u == 0xFFFF) {
            return -1;
        }
        o += put_utf8(u, out + o);
        if (u != ' ')
            trimmed = o;
    }
    memset(out + trimmed, 0, o - trimmed + 1);
    return 0;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[n] == '\0';
}

/* 17 digits, then a digit or X, and nothing more. */
static int id_form(const char *s)
{
    for (int i = 0; i < 17; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return ((s[17] >= '0' && s[17] <= '9') || s[17] == 'X') && s[18] == '\0';
}

/* Decodes field `sp` of the text block into dst (cap bytes; the layout makes every member
 * big enough for text of the right form, and a field that does not fit whole is refused).
 * 0, or -1. */
static int get(const uint8_t *text, struct span sp, char *dst, size_t cap)
{
    char f[FIELD_MAX];
    int rc = -1;
    if (field(text + sp.off, sp.size, f) == 0 && strlen(f) < cap) {
        memcpy(dst, f, strlen(f) + 1);
        rc = 0;
    }
    explicit_bzero(f, sizeof f);
    return rc;
}
#define GET(sp, member) get(text, (sp), (member), sizeof(member))

static int refuse(struct id_identity *out, char *err, size_t errcap, const char *why)
{
    idf_wipe(out);
    if (err && errcap)
        snprintf(err, errcap, "%s", why);
    return -1;
}

int idf_text(const uint8_t text[IDF_TEXT_LEN], struct id_identity *out, char *err, size_t errcap)
{
    char sex[8], to[32];
    idf_wipe(out);
    if (err && errcap)
        err[0] = '\0';
    if (text[T_KIND] == 'I')
        return refuse(out, err, errcap, "a foreigner's permanent residence card (not read)");
    out->kind = text[T_KIND] == 'J' ? ID_KIND_HMT : ID_KIND_RESIDENT;
    if (GET(T_NAME, out->name) || !out->name[0])
        return refuse(out, err, errcap, "name: not text");
    if (GET(T_SEX, sex) || !sex[0] || sex[1] || !strchr("0129", sex[0]))
        return refuse(out, err, errcap, "sex: not a sex code");
    out->sex = sex[0];
    if (GET(T_NATION, out->nation) ||
        !(digits(out->nation, 2) || (!out->nation[0] && out->kind == ID_KIND_HMT)))
        return refuse(out, err, errcap, "nation: not two digits");
    if (GET(T_BIRTH, out->birth) || !digits(out->birth, 8))
        return refuse(out, err, errcap, "birth: not YYYYMMDD");
    if (GET(T_ADDRESS, out->address))
        return refuse(out, err, errcap, "address: not text");
    if (GET(T_ID, out->id_no) || !id_form(out->id_no))
        return refuse(out, err, errcap, "ID number: not 17 digits and a check character");
    if (GET(T_AUTHORITY, out->authority))
        return refuse(out, err, errcap, "authority: not text");
    if (GET(T_FROM, out->valid_from) || !digits(out->valid_from, 8))
        return refuse(out, err, errcap, "valid from: not YYYYMMDD");
    if (GET(T_TO, to) || !(digits(to, 8) || !strcmp(to, "长期")))
        return refuse(out, err, errcap, "valid to: not YYYYMMDD or 长期");
    out->long_term = !strcmp(to, "长期");
    if (!out->long_term)
        memcpy(out->valid_to, to, 9);
    return 0;
}

int idf_append_address(struct id_identity *out, const uint8_t addr[IDF_ADDR_LEN])
{
    char f[FIELD_MAX];
    int rc = -1;
    if (field(addr, IDF_ADDR_LEN, f) == 0) {
        size_t have = strnlen(out->address, sizeof out->address);
        size_t add = strlen(f), sep = have && add ? 1 : 0;
        if (have + sep + add < sizeof out->address) {
            if (sep)
                out->address[have] = ' ';
            memcpy(out->address + have + sep, f, add + 1);
            rc = 0;
        }
    }
    explicit_bzero(f, sizeof f);
    return rc;
}

/* ---- dates and the verdict ---- */

/* A date field of the identity: exactly 8 digits that are a date. */
static int date_field(const char *s)
{
    return code_date_valid(s);
}

enum idf_verdict idf_check(const struct id_identity *id, const char *today)
{
    if (!code_id_valid(id->id_no) || id->id_no[17] == 'x')
        return IDF_BAD_NUMBER;
    if (strnlen(id->birth, sizeof id->birth) != 8 || memcmp(id->birth, id->id_no + 6, 8))
        return IDF_BAD_BIRTH;
    if (!today || !date_field(today) || !date_field(id->valid_from))
        return IDF_BAD_DATES;
    if (!id->long_term && (!date_field(id->valid_to) || strcmp(id->valid_to, id->valid_from) < 0))
        return IDF_BAD_DATES;
    if (strcmp(id->valid_from, today) > 0)
        return IDF_NOT_YET;
    if (!id->long_term && strcmp(id->valid_to, today) < 0)
        return IDF_EXPIRED;
    return IDF_VALID;
}

void idf_wipe(struct id_identity *id)
{
    if (id)
        explicit_bzero(id, sizeof *id);
}
