#include "kiosk/core/config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFF(f) offsetof(struct kiosk_config, f), sizeof(((struct kiosk_config *)0)->f)
#define STR(sec, n, f, d, h) {sec, n, CFG_STR, OFF(f), d, 0, 0, NULL, h}
#define INT(sec, n, f, d, lo, hi, h) {sec, n, CFG_INT, OFF(f), d, lo, hi, NULL, h}
#define BOOL(sec, n, f, d, h) {sec, n, CFG_BOOL, OFF(f), d, 0, 1, NULL, h}
#define ENUM(sec, n, f, d, ch, h) {sec, n, CFG_ENUM, OFF(f), d, 0, 0, ch, h}

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
    INT("session", "attract_slide_s", attract_slide_s, "6", 2, 600, "seconds per attract slide"),
    INT("session", "idle_s", idle_s, "60", 10, 3600, "idle seconds before asking"),
    INT("session", "idle_prompt_s", idle_prompt_s, "30", 20, 600,
        "seconds the customer has to answer 'need more time?'"),
    STR("paths", "assets_dir", assets_dir, KIOSK_ASSETS_DIR, "images, fonts, demo script"),
    STR("paths", "locale_dir", locale_dir, KIOSK_LOCALE_DIR, "compiled translation catalogs"),
    STR("paths", "data_dir", data_dir, "/var/lib/fuelkiosk", "journal and state"),
    BOOL("services", "fuel", svc_fuel, "true", "offer pay for fuel"),
    BOOL("services", "shop", svc_shop, "true", "offer shop goods"),
    BOOL("services", "invoice", svc_invoice, "true", "offer e-invoices"),
    BOOL("services", "card", svc_card, "true", "offer fuel card services"),
    BOOL("services", "depot", svc_depot, "true", "offer depot pickup"),
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
    INT("printer", "reprint_s", printer_reprint_s, "180", 0, 3600,
        "seconds the done screen offers to print the receipt again"),
    BOOL("printer", "release_slip", printer_release_slip, "false",
         "print a release slip with a barcode for the attendant after each fuel sale"),
    INT("printer", "job_wait_s", printer_job_wait_s, "20", 1, 600,
        "seconds a print job may take before the kiosk cancels it in CUPS"),
    STR("checkout", "member_prefix", member_prefix, "MQR-",
        "scanned codes starting so are member codes"),
    STR("checkout", "coupon_prefix", coupon_prefix, "CPN-",
        "scanned codes starting so are coupon codes"),
    INT("checkout", "points_max", points_max, "0", 0, 1000000,
        "most member points one order may use; 0 = as many as the station allows"),
    STR("checkout", "invoice_url", invoice_url, "https://inv.example/t/",
        "e-invoice link on receipts: this, then the sale's invoice token"),
    STR("journal", "path", journal_path, "", "journal SQLite file; empty = data_dir/journal.db"),
    BOOL("demo", "embedded", demo_embedded, "false", "start the simulators with the kiosk"),
    {0},
};

struct parse_ctx {
    struct kiosk_config *cfg;
    char *err;
    size_t errcap;
    int failed;
};

static int set_value(struct kiosk_config *cfg, const struct cfg_option *o, const char *v,
                     char *err, size_t errcap)
{
    char *field = (char *)cfg + o->offset;
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

void config_defaults(struct kiosk_config *cfg)
{
    char err[64];
    memset(cfg, 0, sizeof *cfg);
    for (const struct cfg_option *o = config_options; o->name; o++)
        if (set_value(cfg, o, o->def, err, sizeof err) != 0)
            abort(); /* a bad default is a programming error caught by the unit tests */
}

int config_set(struct kiosk_config *cfg, const char *section, const char *name,
               const char *value, char *err, size_t errcap)
{
    for (const struct cfg_option *o = config_options; o->name; o++) {
        if (strcmp(o->section, section) || strcmp(o->name, name))
            continue;
        char why[160];
        if (set_value(cfg, o, value, why, sizeof why) != 0) {
            snprintf(err, errcap, "%s.%s: %s", section, name, why);
            return -1;
        }
        return 0;
    }
    snprintf(err, errcap, "%s.%s: unknown key", section, name);
    return -1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *c = user;
    if (c->failed)
        return 0;
    if (config_set(c->cfg, section, name, value, c->err, c->errcap) != 0) {
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

int config_load(struct kiosk_config *cfg, const char *path, char *err, size_t errcap)
{
    char why[256] = "";
    struct parse_ctx c = {cfg, why, sizeof why, 0};
    config_defaults(cfg);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errcap, "%s: cannot open config file", path);
        return -1;
    }
    int r = ini_parse_file(f, on_key, &c);
    fclose(f);
    return parse_result(r, &c, path, err, errcap);
}

int config_parse(struct kiosk_config *cfg, const char *text, const char *name, char *err,
                 size_t errcap)
{
    char why[256] = "";
    struct parse_ctx c = {cfg, why, sizeof why, 0};
    config_defaults(cfg);
    return parse_result(ini_parse_string(text, on_key, &c), &c, name, err, errcap);
}
