#include "slides.h"

#include <SDL_image.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"

struct ctx {
    struct slides *s;
    char why[200];
};

static int lang_slot(struct slide *sl, const char *lang)
{
    for (int i = 0; i < I18N_MAX_LANGS; i++) {
        if (!sl->lang[i][0])
            snprintf(sl->lang[i], sizeof sl->lang[i], "%s", lang);
        if (strcmp(sl->lang[i], lang) == 0)
            return i;
    }
    return -1;
}

/* 1 when `s` is 1..max characters, each a hex digit (hex), or a letter, a digit or one of
 * `extra` (!hex). */
static int all_of(const char *s, size_t max, int hex, const char *extra)
{
    size_t n = strlen(s);
    if (n < 1 || n > max)
        return 0;
    for (; *s; s++) {
        char c = *s;
        int xdigit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        int alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (hex ? !xdigit : !alnum && !strchr(extra, c))
            return 0;
    }
    return 1;
}

/* The keys of proof of play: id, seconds, sha256. 1 when `name` was one (and good). */
static int play_key(struct ctx *c, struct slide *sl, const char *name, const char *value)
{
    if (strcmp(name, "id") == 0) {
        if (!all_of(value, sizeof sl->id - 1, 0, "._-") ||
            code_digit_run(value, CODE_PRIVATE_RUN)) {
            snprintf(c->why, sizeof c->why,
                     "id: '%.40s' is not 1..32 of A-Z a-z 0-9 . _ - (no run of 16 digits)",
                     value);
            return 0;
        }
        snprintf(sl->id, sizeof sl->id, "%s", value);
        return 1;
    }
    if (strcmp(name, "seconds") == 0) {
        char *end;
        long v = strtol(value, &end, 10);
        if (end == value || *end || v < 3 || v > 60) {
            snprintf(c->why, sizeof c->why, "seconds: '%.40s' is not a whole number 3..60",
                     value);
            return 0;
        }
        sl->seconds = (int)v;
        return 1;
    }
    if (!all_of(value, 64, 1, "") || strlen(value) != 64) {
        snprintf(c->why, sizeof c->why, "sha256: not 64 hex digits");
        return 0;
    }
    for (int i = 0; i < 64; i++)
        sl->sha256[i] = (char)(value[i] >= 'A' && value[i] <= 'F' ? value[i] + 32 : value[i]);
    sl->sha256[64] = '\0';
    return 1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct ctx *c = user;
    int idx;
    char tail;
    if (sscanf(section, "slide%d%c", &idx, &tail) != 1 || idx < 1 || idx > SLIDES_MAX) {
        snprintf(c->why, sizeof c->why, "section [%s]: expected [slide1] .. [slide%d]", section,
                 SLIDES_MAX);
        return 0;
    }
    struct slide *sl = &c->s->v[idx - 1];
    if (idx > c->s->n)
        c->s->n = idx;
    if (strcmp(name, "image") == 0) {
        if (strlen(value) >= sizeof sl->image || strstr(value, "..") || !code_scan_ok(value) ||
            code_digit_run(value, CODE_PRIVATE_RUN)) {
            snprintf(c->why, sizeof c->why, "image: bad path '%.60s'", value);
            return 0;
        }
        snprintf(sl->image, sizeof sl->image, "%s", value);
        return 1;
    }
    if (strcmp(name, "bg") == 0) {
        char *end;
        unsigned long v = value[0] == '#' ? strtoul(value + 1, &end, 16) : 0;
        if (value[0] != '#' || strlen(value) != 7 || *end) {
            snprintf(c->why, sizeof c->why, "bg: '%s' is not a colour like #0A2A5E", value);
            return 0;
        }
        sl->bg = ((uint32_t)v << 8) | 0xFF;
        return 1;
    }
    if (!strcmp(name, "id") || !strcmp(name, "seconds") || !strcmp(name, "sha256"))
        return play_key(c, sl, name, value);
    int is_title = strncmp(name, "title.", 6) == 0;
    int is_sub = strncmp(name, "subtitle.", 9) == 0;
    if (is_title || is_sub) {
        int slot = lang_slot(sl, name + (is_title ? 6 : 9));
        if (slot < 0) {
            snprintf(c->why, sizeof c->why, "%s: too many languages", name);
            return 0;
        }
        if (is_title)
            snprintf(sl->title[slot], sizeof sl->title[slot], "%s", value);
        else
            snprintf(sl->subtitle[slot], sizeof sl->subtitle[slot], "%s", value);
        return 1;
    }
    snprintf(c->why, sizeof c->why, "unknown key '%s'", name);
    return 0;
}

static int png_readable(const char *path)
{
    SDL_RWops *rw = SDL_RWFromFile(path, "rb");
    if (!rw)
        return 0;
    int ok = IMG_isPNG(rw);
    SDL_RWclose(rw);
    return ok;
}

/* ini_parse's result as the message the kiosk stops with; then every slide without an id
 * gets "slide<N>", and an id given twice is refused (its plays could not be told apart). */
static int parse_result(int r, const struct ctx *c, const char *name, char *err, size_t errcap)
{
    struct slides *s = c->s;
    if (r != 0) {
        snprintf(err, errcap, "%s:%d: %s", name, r, c->why[0] ? c->why : "malformed line");
        return -1;
    }
    for (int i = 0; i < s->n; i++)
        if (!s->v[i].id[0])
            snprintf(s->v[i].id, sizeof s->v[i].id, "slide%d", i + 1);
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < i; k++)
            if (!strcmp(s->v[i].id, s->v[k].id)) {
                snprintf(err, errcap, "%s: [slide%d] and [slide%d] have the same id '%s'", name,
                         k + 1, i + 1, s->v[i].id);
                return -1;
            }
    return 0;
}

int slides_parse(struct slides *s, const char *text, const char *name, char *err, size_t errcap)
{
    struct ctx c = {s, ""};
    memset(s, 0, sizeof *s);
    return parse_result(ini_parse_string(text, on_key, &c), &c, name, err, errcap);
}

int slides_load(struct slides *s, const char *manifest, const char *assets_dir, char *err,
                size_t errcap)
{
    struct ctx c = {s, ""};
    memset(s, 0, sizeof *s);
    FILE *f = fopen(manifest, "r");
    if (!f) {
        snprintf(err, errcap, "%s: cannot open slide manifest", manifest);
        return -1;
    }
    int r = ini_parse_file(f, on_key, &c);
    fclose(f);
    if (parse_result(r, &c, manifest, err, errcap) != 0)
        return -1;
    for (int i = 0; i < s->n; i++) {
        char path[768];
        if (!s->v[i].image[0]) {
            snprintf(err, errcap, "%s: [slide%d] has no image", manifest, i + 1);
            return -1;
        }
        snprintf(path, sizeof path, "%s/%s", assets_dir, s->v[i].image);
        if (!png_readable(path)) {
            snprintf(err, errcap, "%s: [slide%d] image %s is missing or not a PNG", manifest,
                     i + 1, path);
            return -1;
        }
        /* image and path are fields of one struct: copied, not printed (-Wrestrict) */
        memcpy(s->v[i].path, s->v[i].image, sizeof s->v[i].image);
    }
    return 0;
}

int slides_rel_path(const char *from, const char *to, char *out, size_t cap)
{
    size_t common = 0, n = 0;
    /* the longest common part that ends at a folder's end in both */
    for (size_t i = 0;; i++) {
        char a = from[i], b = to[i];
        if ((a == '/' || !a) && (b == '/' || !b))
            common = i;
        if (!a || !b || a != b)
            break;
    }
    out[0] = '\0';
    for (const char *p = from + common; *p; p++) /* one ".." per folder of `from` left */
        if (*p != '/' && (p[-1] == '/')) {
            int w = snprintf(out + n, cap - n, "%s..", n ? "/" : "");
            if (w < 0 || (size_t)w >= cap - n)
                return -1;
            n += (size_t)w;
        }
    const char *rest = to + common + (to[common] == '/');
    int w = snprintf(out + n, cap - n, "%s%s", n && *rest ? "/" : "", n || *rest ? rest : ".");
    return w < 0 || (size_t)w >= cap - n ? -1 : 0;
}

int slides_load_pushed(struct slides *s, const char *dir, const char *assets_dir, char *err,
                       size_t errcap)
{
    char real_dir[PATH_MAX], real_assets[PATH_MAX], manifest[PATH_MAX + 16], rel[SLIDE_PATH_MAX];
    memset(s, 0, sizeof *s);
    /* the folder itself, not a link that may be switched to another version meanwhile */
    if (!realpath(dir, real_dir) || !realpath(assets_dir, real_assets)) {
        snprintf(err, errcap, "%s: no such folder", dir);
        return -1;
    }
    snprintf(manifest, sizeof manifest, "%s/slides.ini", real_dir);
    if (slides_load(s, manifest, real_dir, err, errcap) != 0)
        return -1;
    if (s->n < 1) {
        snprintf(err, errcap, "%s: no slides", manifest);
        return -1;
    }
    if (slides_rel_path(real_assets, real_dir, rel, sizeof rel) != 0) {
        snprintf(err, errcap, "%s: too far from %s", real_dir, real_assets);
        return -1;
    }
    for (int i = 0; i < s->n; i++) {
        char image[sizeof s->v[i].image];
        memcpy(image, s->v[i].image, sizeof image);
        int w = snprintf(s->v[i].path, sizeof s->v[i].path, "%s/%s", rel, image);
        if (w < 0 || (size_t)w >= sizeof s->v[i].path) {
            snprintf(err, errcap, "%s: [slide%d]: its path from %s is too long", manifest,
                     i + 1, real_assets);
            return -1;
        }
    }
    return 0;
}

static const char *pick(const struct slide *sl, const char (*texts)[240], const char *lang)
{
    for (int i = 0; i < I18N_MAX_LANGS; i++)
        if (sl->lang[i][0] && strcmp(sl->lang[i], lang) == 0 && texts[i][0])
            return texts[i];
    return texts[0];
}

const char *slides_title(const struct slides *s, int i, const char *lang)
{
    return pick(&s->v[i], s->v[i].title, lang);
}

const char *slides_subtitle(const struct slides *s, int i, const char *lang)
{
    return pick(&s->v[i], s->v[i].subtitle, lang);
}
