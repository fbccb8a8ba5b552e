/* The fake ID card reader, in process, for tests: one made-up person's card (the `identity`
 * option) is on the reader from the start. poll() returns at once: IDC_READ each time while
 * the card is on the reader (the hub reads once per placement itself), IDC_NONE once lifted:
 * with `lift_after` N it is lifted after the Nth read and never comes back (also across a
 * close and open). The reading is made as a real reader's would be: the person is encoded
 * into a 256-byte UCS-2LE text block and decoded by idf_text() (and an appended address by
 * idf_append_address()), so the fake goes through the codec too.
 *
 * Every person here is made up (the same people as tests/sim/idcard/identities.ini and the
 * backend simulator's drivers); the ID numbers have good check characters. */
#include <stdio.h>
#include <string.h>

#include "idcard/idcard.h"

struct fake_opts {
    char identity[16];
    int lift_after;
};

static const struct cfg_option fake_options[] = {
    CFG_ENUM_OPT(struct fake_opts, NULL, "identity", identity, "wang", "wang|chen|zhao|liu|li|old",
                 "test: whose card is on the reader (the made-up people of "
                 "tests/sim/idcard/identities.ini: wang a resident card with an appended "
                 "address, chen a Hong Kong residence permit, zhao expired on 2025-06-01, liu "
                 "and li resident cards, old valid long-term)"),
    CFG_INT_OPT(struct fake_opts, NULL, "lift_after", lift_after, "0", 0, 1000000,
                "test: the card is lifted after this many reads; 0 = never"),
    {0},
};

/* A person as the card holds them (UTF-8 here; the card's UCS-2LE is made from it). */
struct person {
    const char *key;
    char kind; /* byte 248: ' ', 'J' */
    const char *name, *sex, *nation, *birth, *address, *id_no, *authority, *from, *to;
    const char *appended; /* an appended address (30 03), or NULL */
};

static const struct person people[] = {
    {"wang", ' ', "王建国", "1", "01", "19820315", "北京市朝阳区建国路88号", "110105198203154413",
     "北京市公安局朝阳分局", "20160401", "20360401", "北京市朝阳区东三环中路1号"},
    {"chen", 'J', "陈美玲", "2", "", "19900708", "香港特别行政区九龙弥敦道100号",
     "810000199007080026", "公安部出入境管理局", "20220115", "20270115", NULL},
    {"zhao", ' ', "赵刚", "1", "01", "19750520", "江苏省南京市玄武区中山路1号",
     "320102197505201233", "南京市公安局玄武分局", "20050601", "20250601", NULL},
    {"liu", ' ', "刘洋", "1", "01", "19881102", "广东省广州市天河区天河路100号",
     "440106198811023153", "广州市公安局天河分局", "20180910", "20380910", NULL},
    {"li", ' ', "李娜", "2", "01", "19930214", "上海市徐汇区漕溪北路200号", "310104199302146625",
     "上海市公安局徐汇分局", "20190301", "20390301", NULL},
    {"old", ' ', "孙长青", "1", "01", "19600101", "北京市东城区安定门内大街100号",
     "110101196001011233", "北京市公安局东城分局", "20100315", "长期", NULL},
};

/* The hub's priv block (zeroed before the first open). */
struct fake {
    const struct person *who;
    int on_reader;
    int reads, lift_after;
};

/* Writes UTF-8 `s` (trusted: built in, all in the BMP) as UCS-2LE into field[0..size), padded with
 * spaces. */
static void encode(const char *s, uint8_t *field, size_t size)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && o + 1 < size) {
        uint32_t cp = *p++;
        if (cp >= 0xE0) {
            cp = (cp & 0x0F) << 12 | (uint32_t)(p[0] & 0x3F) << 6 | (p[1] & 0x3F);
            p += 2;
        } else if (cp >= 0xC0) {
            cp = (cp & 0x1F) << 6 | (p[0] & 0x3F);
            p += 1;
        }
        field[o++] = (uint8_t)(cp & 0xFF);
        field[o++] = (uint8_t)(cp >> 8);
    }
    for (; o + 1 < size; o += 2) {
        field[o] = ' ';
        field[o + 1] = 0;
    }
}

/* The person's text block, as a card gives it. */
static void text_block(const struct person *w, uint8_t t[IDF_TEXT_LEN])
{
    encode("", t, IDF_TEXT_LEN);
    encode(w->name, t + 0, 30);
    encode(w->sex, t + 30, 2);
    encode(w->nation, t + 32, 4);
    encode(w->birth, t + 36, 16);
    encode(w->address, t + 52, 70);
    encode(w->id_no, t + 122, 36);
    encode(w->authority, t + 158, 30);
    encode(w->from, t + 188, 16);
    encode(w->to, t + 204, 16);
    t[248] = (uint8_t)w->kind;
    t[249] = 0;
}

static int fake_open(void *priv, const void *opts, char *err, size_t errcap)
{
    struct fake *f = priv;
    const struct fake_opts *o = opts;
    f->who = NULL;
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
        if (!strcmp(o->identity, people[i].key))
            f->who = &people[i];
    if (!f->who) {
        snprintf(err, errcap, "identity: no such made-up person");
        return -1;
    }
    f->lift_after = o->lift_after;
    f->on_reader = !f->lift_after || f->reads < f->lift_after; /* lifted stays lifted */
    return 0;
}

static int fake_poll(void *priv, struct id_read *out, int timeout_ms, char *err, size_t errcap)
{
    struct fake *f = priv;
    (void)timeout_ms; /* every look is immediate */
    if (!f->on_reader)
        return IDC_NONE;
    uint8_t text[IDF_TEXT_LEN], addr[IDF_ADDR_LEN];
    struct id_read r;
    int rc = IDC_READ;
    memset(&r, 0, sizeof r);
    text_block(f->who, text);
    char why[96];
    if (idf_text(text, &r.id, why, sizeof why) != 0) {
        snprintf(err, errcap, "text: %s", why);
        rc = IDC_FAILED;
        goto end;
    }
    if (f->who->appended) {
        encode(f->who->appended, addr, sizeof addr);
        if (idf_append_address(&r.id, addr) != 0) {
            snprintf(err, errcap, "address: not text");
            rc = IDC_FAILED;
            goto end;
        }
    }
    /* Not a WLT image: bytes that only say whose it is (the fake has no photo to give). */
    for (size_t i = 0; i < IDF_PHOTO_LEN; i++)
        r.photo[i] = (uint8_t)(i * 7 + (size_t)(f->who - people) * 31);
    r.has_photo = 1;
    *out = r;
    f->reads++;
    if (f->lift_after && f->reads >= f->lift_after)
        f->on_reader = 0;
end:
    explicit_bzero(text, sizeof text);
    explicit_bzero(addr, sizeof addr);
    idcard_read_wipe(&r);
    return rc;
}

/* The fake reader is always there. */
static int fake_status(void *priv, char *err, size_t errcap)
{
    (void)priv, (void)err, (void)errcap;
    return 0;
}

static void fake_close(void *priv)
{
    (void)priv;
}

static const struct idcard_ops fake_ops = {
    .open = fake_open,
    .poll = fake_poll,
    .status = fake_status,
    .close = fake_close,
};

const struct dev_driver idcard_fake = {
    .name = "fake",
    .options = fake_options,
    .opts_size = sizeof(struct fake_opts),
    .priv_size = sizeof(struct fake),
    .ops = &fake_ops,
};
