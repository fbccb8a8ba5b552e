#include "slides.h"

#include <SDL_image.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        if (strlen(value) >= sizeof sl->image || strstr(value, "..")) {
            snprintf(c->why, sizeof c->why, "image: bad path '%s'", value);
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

/* ini_parse's result as the message the kiosk stops with. */
static int parse_result(int r, const struct ctx *c, const char *name, char *err, size_t errcap)
{
    if (r == 0)
        return 0;
    snprintf(err, errcap, "%s:%d: %s", name, r, c->why[0] ? c->why : "malformed line");
    return -1;
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
