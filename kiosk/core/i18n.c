#include "core/i18n.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

struct catalog {
    char lang[16];
    unsigned char *data;
    size_t size;
    uint32_t n, orig, trans;
    int swap;
};

static struct catalog cats[I18N_MAX_LANGS];
static int ncats;
static int cur;

static uint32_t rd32(const struct catalog *c, size_t off)
{
    uint32_t v;
    memcpy(&v, c->data + off, 4);
    if (c->swap)
        v = __builtin_bswap32(v);
    return v;
}

/* Validates the whole table once so lookups can trust offsets. */
static int mo_check(struct catalog *c, char *err, size_t errcap, const char *path)
{
    uint32_t magic;
    if (c->size < 28)
        goto bad;
    memcpy(&magic, c->data, 4);
    if (magic == 0x950412deu)
        c->swap = 0;
    else if (magic == 0xde120495u)
        c->swap = 1;
    else
        goto bad;
    c->n = rd32(c, 8);
    c->orig = rd32(c, 12);
    c->trans = rd32(c, 16);
    if (c->n > c->size / 16 || c->orig > c->size - (size_t)c->n * 8 ||
        c->trans > c->size - (size_t)c->n * 8)
        goto bad;
    for (uint32_t i = 0; i < c->n; i++) {
        for (int t = 0; t < 2; t++) {
            size_t ent = (t ? c->trans : c->orig) + (size_t)i * 8;
            uint32_t len = rd32(c, ent), off = rd32(c, ent + 4);
            if (off >= c->size || len >= c->size - off || c->data[off + len] != '\0')
                goto bad;
        }
    }
    return 0;
bad:
    snprintf(err, errcap, "%s: not a valid gettext .mo catalog", path);
    return -1;
}

static int load(const char *dir, const char *lang, char *err, size_t errcap)
{
    char path[1024];
    struct catalog *c = &cats[ncats];
    snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/kiosk.mo", dir, lang);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "%s: cannot open translation catalog for language '%s'", path,
                 lang);
        return -1;
    }
    memset(c, 0, sizeof *c);
    snprintf(c->lang, sizeof c->lang, "%s", lang);
    if (fseek(f, 0, SEEK_END) == 0) {
        long sz = ftell(f);
        if (sz > 0 && sz < (16 << 20)) {
            c->size = (size_t)sz;
            c->data = malloc(c->size + 1);
            rewind(f);
            if (c->data && fread(c->data, 1, c->size, f) != c->size) {
                free(c->data);
                c->data = NULL;
            }
        }
    }
    fclose(f);
    if (!c->data) {
        snprintf(err, errcap, "%s: cannot read translation catalog", path);
        return -1;
    }
    c->data[c->size] = 0;
    if (mo_check(c, err, errcap, path) != 0) {
        free(c->data);
        c->data = NULL;
        return -1;
    }
    ncats++;
    return 0;
}

int i18n_init(const char *dir, const char *langs, char *err, size_t errcap)
{
    char list[128];
    char *save = NULL;
    i18n_shutdown();
    snprintf(list, sizeof list, "%s", langs);
    for (char *tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        if (ncats == I18N_MAX_LANGS) {
            snprintf(err, errcap, "too many languages (at most %d)", I18N_MAX_LANGS);
            i18n_shutdown();
            return -1;
        }
        if (load(dir, tok, err, errcap) != 0) {
            i18n_shutdown();
            return -1;
        }
    }
    if (ncats == 0) {
        snprintf(err, errcap, "no language configured");
        return -1;
    }
    cur = 0;
    return 0;
}

void i18n_shutdown(void)
{
    for (int i = 0; i < ncats; i++)
        free(cats[i].data);
    ncats = 0;
    cur = 0;
}

static int find_lang(const char *lang)
{
    for (int i = 0; i < ncats; i++)
        if (strcmp(cats[i].lang, lang) == 0)
            return i;
    return -1;
}

int i18n_set_lang(const char *lang)
{
    int i = find_lang(lang);
    if (i < 0)
        return -1;
    if (i != cur)
        log_info("i18n", "language %s -> %s", cats[cur].lang, cats[i].lang);
    cur = i;
    return 0;
}

const char *i18n_lang(void)
{
    return ncats ? cats[cur].lang : "en_US";
}

const char *i18n_cycle(void)
{
    if (ncats)
        i18n_set_lang(cats[(cur + 1) % ncats].lang);
    return i18n_lang();
}

int i18n_count(void)
{
    return ncats;
}

const char *i18n_lang_at(int i)
{
    return (i >= 0 && i < ncats) ? cats[i].lang : NULL;
}

static const char *lookup(const struct catalog *c, const char *msgid)
{
    /* .mo originals are sorted by strcmp: binary search. */
    uint32_t lo = 0, hi = c->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const char *o = (const char *)c->data + rd32(c, c->orig + (size_t)mid * 8 + 4);
        int r = strcmp(msgid, o);
        if (r == 0) {
            const char *t = (const char *)c->data + rd32(c, c->trans + (size_t)mid * 8 + 4);
            return *t ? t : msgid;
        }
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return msgid;
}

const char *i18n_get(const char *msgid)
{
    if (!ncats || !msgid || !*msgid)
        return msgid;
    return lookup(&cats[cur], msgid);
}

const char *i18n_get_in(const char *lang, const char *msgid)
{
    int i = find_lang(lang);
    if (i < 0 || !msgid || !*msgid)
        return msgid;
    return lookup(&cats[i], msgid);
}
