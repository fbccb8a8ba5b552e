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
    STR("backend", "url", backend_url, "", "backend base URL; empty = no backend"),
    STR("backend", "key", backend_key, "", "terminal signing key (hex, 32 bytes)"),
    STR("backend", "ca_file", backend_ca, "", "CA bundle for TLS; empty = system"),
    INT("backend", "timeout_ms", backend_timeout_ms, "8000", 100, 120000, "per-call timeout"),
    ENUM("printer", "driver", printer_driver, "none", "none|cups", "receipt printer driver"),
    STR("printer", "queue", printer_queue, "receipt", "CUPS queue name"),
    STR("printer", "server", printer_server, "", "CUPS server (host:port or socket); empty = default"),
    STR("printer", "status_addr", printer_status_addr, "",
        "host:port for DLE EOT status where the link allows; empty = CUPS only"),
    INT("printer", "width_dots", printer_width_dots, "576", 384, 576, "paper width in dots (384|576)"),
    BOOL("printer", "test_on_start", printer_test_on_start, "false",
         "print a test slip when the kiosk starts"),
    INT("printer", "job_wait_s", printer_job_wait_s, "20", 1, 600,
        "seconds a print job may take before the kiosk cancels it in CUPS"),
    STR("journal", "path", journal_path, "", "journal SQLite file; empty = data_dir/journal.db"),
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

void config_tables_defaults(const struct config_tables *t)
{
    char err[64];
    for (int i = 0; i < t->n; i++)
        for (const struct cfg_option *o = t->v[i].options; o && o->name; o++)
            if (set_value(t->v[i].base, o, o->def, err, sizeof err) != 0)
                abort(); /* a bad default is a programming error caught by the unit tests */
}

int config_tables_set(const struct config_tables *t, const char *section, const char *name,
                      const char *value, char *err, size_t errcap)
{
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
