#include "core/config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR(sec, n, f, d, h) CFG_STR_OPT(struct kiosk_config, sec, n, f, d, h)
#define INT(sec, n, f, d, lo, hi, h) CFG_INT_OPT(struct kiosk_config, sec, n, f, d, lo, hi, h)
#define BOOL(sec, n, f, d, h) CFG_BOOL_OPT(struct kiosk_config, sec, n, f, d, h)
#define ENUM(sec, n, f, d, ch, h) CFG_ENUM_OPT(struct kiosk_config, sec, n, f, d, ch, h)

const struct cfg_option config_options[] = {
    STR("kiosk", "terminal_id", terminal_id, "T0001", "terminal id sent to the backend"),
    STR("kiosk", "station_name", station_name, "", "station name on screens and receipts"),
    STR("kiosk", "languages", languages, "zh_CN,en_US", "languages offered; first is default"),
    ENUM("kiosk", "site", site, "forecourt", "forecourt|depot",
         "where the kiosk stands: the home menu offers that site's services"),
    INT("display", "width", width, "0", 0, 8192, "window width; 0 = the screen's"),
    INT("display", "height", height, "0", 0, 8192, "window height; 0 = the screen's"),
    BOOL("display", "fullscreen", fullscreen, "true", "full screen (the --window flag overrides)"),
    ENUM("display", "theme", theme, "default", "default|high_contrast", "colour theme"),
    BOOL("display", "large_text", large_text, "false", "larger type scale"),
    STR("display", "font", font, "", "font file; empty = found through fontconfig"),
    STR("display", "font_family", font_family, "Noto Sans CJK SC", "fontconfig family"),
    STR("paths", "assets_dir", assets_dir, KIOSK_ASSETS_DIR, "images, fonts, demo script"),
    STR("paths", "locale_dir", locale_dir, KIOSK_LOCALE_DIR, "compiled translation catalogs"),
    STR("paths", "data_dir", data_dir, "/var/lib/fuelkiosk", "journal and state"),
    STR("paths", "remote_config", remote_config, "",
        "pushed configuration laid over this file (the fleet agent writes it); empty = none"),
    STR("backend", "url", backend_url, "", "backend base URL; empty = no backend"),
    STR("backend", "key", backend_key, "", "terminal signing key (hex, 32 bytes)"),
    STR("backend", "ca_file", backend_ca, "", "CA bundle for TLS; empty = system"),
    INT("backend", "timeout_ms", backend_timeout_ms, "8000", 100, 120000, "per-call timeout"),
    STR("journal", "path", journal_path, "", "journal SQLite file; empty = data_dir/journal.db"),
    INT("journal", "keep_sent_days", keep_sent_days, "30", 1, 3650,
        "records the station system has taken are forgotten after this many days"),
    {0},
};

struct parse_ctx {
    const struct config_tables *t;
    char *err;
    size_t errcap;
    int failed;
};

static int set_value(void *base, const struct cfg_option *o, const char *v, char *err,
                     size_t errcap)
{
    char *field = (char *)base + o->offset;
    switch (o->type) {
    case CFG_STR:
        if (strlen(v) >= o->size) {
            snprintf(err, errcap, "value longer than %zu characters", o->size - 1);
            return -1;
        }
        memcpy(field, v, strlen(v) + 1);
        return 0;
    case CFG_INT: {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno || end == v || *end) {
            snprintf(err, errcap, "'%s' is not a whole number", v);
            return -1;
        }
        if (n < o->min || n > o->max) {
            snprintf(err, errcap, "%ld is outside %ld..%ld", n, o->min, o->max);
            return -1;
        }
        *(int *)field = (int)n;
        return 0;
    }
    case CFG_BOOL:
        if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1")) {
            *(int *)field = 1;
            return 0;
        }
        if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0")) {
            *(int *)field = 0;
            return 0;
        }
        snprintf(err, errcap, "'%s' is not true or false", v);
        return -1;
    case CFG_ENUM: {
        size_t vl = strlen(v);
        for (const char *p = o->choices; *p;) {
            const char *bar = strchr(p, '|');
            size_t l = bar ? (size_t)(bar - p) : strlen(p);
            if (l == vl && strncmp(p, v, l) == 0 && vl < o->size) {
                memcpy(field, v, vl + 1);
                return 0;
            }
            p += l + (bar ? 1 : 0);
        }
        snprintf(err, errcap, "'%s' is not one of %s", v, o->choices);
        return -1;
    }
    }
    return -1;
}

void config_tables_init(struct config_tables *t, struct kiosk_config *core)
{
    memset(t, 0, sizeof *t);
    core->paper_width_dots = 576;
    config_tables_add(t, config_options, core);
}

void config_tables_add(struct config_tables *t, const struct cfg_option *options, void *base)
{
    if (t->n == CONFIG_TABLES_MAX)
        abort(); /* a programming error: more tables than the kiosk has services */
    t->v[t->n].options = options;
    t->v[t->n].base = base;
    t->n++;
}

void config_tables_add_class(struct config_tables *t, struct cfg_class *c)
{
    if (t->ncls == CONFIG_CLASSES_MAX)
        abort(); /* a programming error: more device classes than the table holds */
    t->cls[t->ncls++] = c;
}

void config_class_clear(struct cfg_class *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->v[i].common);
        free(c->v[i].opts);
    }
    memset(c->v, 0, sizeof c->v);
    c->n = 0;
}

const struct cfg_instance *config_class_find(const struct cfg_class *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].name, name))
            return &c->v[i];
    return NULL;
}

void config_block_defaults(const struct cfg_option *options, void *base)
{
    char err[64];
    for (const struct cfg_option *o = options; o && o->name; o++)
        if (set_value(base, o, o->def, err, sizeof err) != 0)
            abort(); /* a bad default is a programming error caught by the unit tests */
}

int config_block_set(const struct cfg_option *options, void *base, const char *name,
                     const char *value, char *err, size_t errcap)
{
    for (const struct cfg_option *o = options; o && o->name; o++)
        if (!strcmp(o->name, name))
            return set_value(base, o, value, err, errcap);
    snprintf(err, errcap, "%s: unknown key", name);
    return -1;
}

static void *block_with_defaults(const struct cfg_option *a, const struct cfg_option *b,
                                 size_t size)
{
    void *block = calloc(1, size ? size : 1);
    if (block) {
        config_block_defaults(a, block);
        config_block_defaults(b, block);
    }
    return block;
}

/* `driver = x` starts instance `name` of class c. */
static int start_instance(struct cfg_class *c, const char *name, const char *driver, char *err,
                          size_t errcap)
{
    size_t opts_size = 0;
    const struct cfg_option *opts = c->driver(driver, &opts_size);
    if (!opts) {
        snprintf(err, errcap, "%s.%s: driver: '%s' is not one of %s", c->name, name, driver,
                 c->drivers);
        return -1;
    }
    if (config_class_find(c, name)) {
        snprintf(err, errcap, "%s.%s: driver: the instance is named twice", c->name, name);
        return -1;
    }
    if (c->n == CFG_INSTANCES_MAX || strlen(name) >= sizeof c->v[0].name || !*name) {
        snprintf(err, errcap, "%s.%s: too many instances, or a bad name", c->name, name);
        return -1;
    }
    struct cfg_instance *in = &c->v[c->n];
    in->common = block_with_defaults(c->common[0], c->common[1], c->common_size);
    in->opts = block_with_defaults(opts, NULL, opts_size);
    if (!in->common || !in->opts) {
        free(in->common), free(in->opts);
        memset(in, 0, sizeof *in);
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    snprintf(in->name, sizeof in->name, "%s", name);
    snprintf(in->driver, sizeof in->driver, "%s", driver);
    c->n++;
    return 0;
}

/* A key of an instance section "<class>.<name>". 1 if `section` is one (0 or -1 in *rc),
 * 0 if it is no class's. */
static int instance_key(const struct config_tables *t, const char *section, const char *key,
                        const char *value, char *err, size_t errcap, int *rc)
{
    const char *dot = strchr(section, '.');
    struct cfg_class *c = NULL;
    for (int i = 0; dot && i < t->ncls; i++)
        if (strlen(t->cls[i]->name) == (size_t)(dot - section) &&
            !strncmp(t->cls[i]->name, section, (size_t)(dot - section)))
            c = t->cls[i];
    if (!c)
        return 0;
    const char *name = dot + 1;
    const struct cfg_instance *in = config_class_find(c, name);
    *rc = -1;
    if (!strcmp(key, "driver")) {
        if (in)
            snprintf(err, errcap, "%s.driver: given twice", section);
        else
            *rc = start_instance(c, name, value, err, errcap);
        return 1;
    }
    if (!in) {
        snprintf(err, errcap, "%s.%s: `driver` must come first in the section", section, key);
        return 1;
    }
    size_t ignored;
    const struct cfg_option *tables[3] = {c->common[0], c->common[1],
                                          c->driver(in->driver, &ignored)};
    void *bases[3] = {in->common, in->common, in->opts};
    for (int k = 0; k < 3; k++)
        for (const struct cfg_option *o = tables[k]; o && o->name; o++) {
            if (strcmp(o->name, key))
                continue;
            char why[160];
            if (set_value(bases[k], o, value, why, sizeof why) != 0)
                snprintf(err, errcap, "%s.%s: %s", section, key, why);
            else
                *rc = 0;
            return 1;
        }
    snprintf(err, errcap, "%s.%s: unknown key for driver %s", section, key, in->driver);
    return 1;
}

void config_tables_defaults(const struct config_tables *t)
{
    for (int i = 0; i < t->ncls; i++)
        config_class_clear(t->cls[i]);
    char err[64];
    for (int i = 0; i < t->n; i++)
        for (const struct cfg_option *o = t->v[i].options; o && o->name; o++)
            if (set_value(t->v[i].base, o, o->def, err, sizeof err) != 0)
                abort(); /* a bad default is a programming error caught by the unit tests */
}

int config_tables_set(const struct config_tables *t, const char *section, const char *name,
                      const char *value, char *err, size_t errcap)
{
    int rc;
    if (instance_key(t, section, name, value, err, errcap, &rc))
        return rc;
    for (int i = 0; i < t->n; i++)
        for (const struct cfg_option *o = t->v[i].options; o && o->name; o++) {
            if (strcmp(o->section, section) || strcmp(o->name, name))
                continue;
            char why[160];
            if (set_value(t->v[i].base, o, value, why, sizeof why) != 0) {
                snprintf(err, errcap, "%s.%s: %s", section, name, why);
                return -1;
            }
            return 0;
        }
    snprintf(err, errcap, "%s.%s: unknown key", section, name);
    return -1;
}

void config_defaults(struct kiosk_config *cfg)
{
    struct config_tables t;
    memset(cfg, 0, sizeof *cfg);
    config_tables_init(&t, cfg);
    config_tables_defaults(&t);
}

int config_set(struct kiosk_config *cfg, const char *section, const char *name,
               const char *value, char *err, size_t errcap)
{
    struct config_tables t;
    config_tables_init(&t, cfg);
    return config_tables_set(&t, section, name, value, err, errcap);
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *c = user;
    if (c->failed)
        return 0;
    if (config_tables_set(c->t, section, name, value, c->err, c->errcap) != 0) {
        c->failed = 1;
        return 0;
    }
    return 1;
}

/* ini_parse's result as the message the kiosk stops with. */
static int parse_result(int r, const struct parse_ctx *c, const char *name, char *err,
                        size_t errcap)
{
    if (r == 0)
        return 0;
    snprintf(err, errcap, "%s:%d: %s", name, r, c->failed ? c->err : "malformed line");
    return -1;
}

int config_tables_load(const struct config_tables *t, const char *path, char *err,
                       size_t errcap)
{
    char why[256] = "";
    struct parse_ctx c = {t, why, sizeof why, 0};
    config_tables_defaults(t);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errcap, "%s: cannot open config file", path);
        return -1;
    }
    int r = ini_parse_file(f, on_key, &c);
    fclose(f);
    return parse_result(r, &c, path, err, errcap);
}

int config_tables_parse(const struct config_tables *t, const char *text, const char *name,
                        char *err, size_t errcap)
{
    char why[256] = "";
    struct parse_ctx c = {t, why, sizeof why, 0};
    config_tables_defaults(t);
    return parse_result(ini_parse_string(text, on_key, &c), &c, name, err, errcap);
}

int config_tables_merge(const struct config_tables *t, const char *text, const char *name,
                        char *err, size_t errcap)
{
    char why[256] = "";
    struct parse_ctx c = {t, why, sizeof why, 0};
    return parse_result(ini_parse_string(text, on_key, &c), &c, name, err, errcap);
}

int config_load(struct kiosk_config *cfg, const char *path, char *err, size_t errcap)
{
    struct config_tables t;
    memset(cfg, 0, sizeof *cfg);
    config_tables_init(&t, cfg);
    return config_tables_load(&t, path, err, errcap);
}

int config_parse(struct kiosk_config *cfg, const char *text, const char *name, char *err,
                 size_t errcap)
{
    struct config_tables t;
    memset(cfg, 0, sizeof *cfg);
    config_tables_init(&t, cfg);
    return config_tables_parse(&t, text, name, err, errcap);
}
