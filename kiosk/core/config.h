/* Kiosk configuration: one INI file read with inih. Every key is declared once in a table
 * (section, name, type, default, bounds, description) that drives parsing, validation
 * and the documentation check. An unknown key or a bad value stops startup with the
 * file, line and key named. Every key is documented in docs/config.md. */
#ifndef KIOSK_CORE_CONFIG_H
#define KIOSK_CORE_CONFIG_H

#include <stddef.h>

struct kiosk_config {
    /* [kiosk] */
    char terminal_id[32];
    char station_name[64];
    char languages[64];
    /* [display] */
    int width, height;
    int fullscreen;
    char theme[16];
    int large_text;
    char font[512];
    char font_family[64];
    /* [session] */
    int attract_slide_s;
    int idle_s;
    int idle_prompt_s;
    /* [paths] */
    char assets_dir[512];
    char locale_dir[512];
    char data_dir[512];
    /* [services] */
    int svc_fuel, svc_shop, svc_invoice, svc_card, svc_depot;
    /* [backend] */
    char backend_url[256];
    char backend_key[128];
    char backend_ca[512];
    int backend_timeout_ms;
    /* [printer] */
    char printer_driver[16];
    char printer_queue[64];
    char printer_server[256];
    char printer_status_addr[128];
    int printer_width_dots;
    int printer_test_on_start;
    int printer_reprint_s;
    int printer_release_slip;
    int printer_job_wait_s;
    /* [checkout] */
    char member_prefix[24];
    char coupon_prefix[24];
    int points_max;
    char invoice_url[128];
    /* [journal] */
    char journal_path[512];
    /* [demo] */
    int demo_embedded;
};

enum cfg_type { CFG_STR, CFG_INT, CFG_BOOL, CFG_ENUM };

struct cfg_option {
    const char *section;
    const char *name;
    enum cfg_type type;
    size_t offset;
    size_t size;        /* CFG_STR: buffer size */
    const char *def;    /* default, as text */
    long min, max;      /* CFG_INT bounds */
    const char *choices; /* CFG_ENUM: "a|b|c" */
    const char *help;
};

/* The option table, terminated by an entry with name == NULL. */
extern const struct cfg_option config_options[];

/* Fills cfg with every default. */
void config_defaults(struct kiosk_config *cfg);
/* Defaults, then the file at `path`. On any error returns -1 with "file:line: key: why"
 * in err. The file must exist. */
int config_load(struct kiosk_config *cfg, const char *path, char *err, size_t errcap);
/* The same from INI text (pushed config, tests, the fuzzer); `name` names it in err. */
int config_parse(struct kiosk_config *cfg, const char *text, const char *name, char *err,
                 size_t errcap);
/* Sets one key as if it came from a file (for --set section.key=value). */
int config_set(struct kiosk_config *cfg, const char *section, const char *name,
               const char *value, char *err, size_t errcap);

#endif
