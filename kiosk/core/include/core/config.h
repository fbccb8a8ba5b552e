/* Kiosk configuration: one INI file read with inih. Every key is declared once in a table
 * (section, name, type, default, bounds, description) that drives parsing, validation
 * and the documentation check. The kiosk's own keys are in config_options; each service
 * brings a table of its own (offsets into its own block), and the host reads them all from
 * the same file. An unknown key or a bad value stops startup with the file, line and key
 * named. Every key is documented in docs/config.md. */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H

#include <stddef.h>

struct kiosk_config {
    /* [kiosk] */
    char terminal_id[32];
    char station_name[64];
    char languages[64];
    char site[16];          /* "forecourt" or "depot": the tiles the home menu offers */
    /* [display] */
    int width, height;
    int fullscreen;
    char theme[16];
    int large_text;
    char font[512];
    char font_family[64];
    /* [paths] */
    char assets_dir[512];
    char locale_dir[512];
    char data_dir[512];
    char remote_config[512]; /* pushed keys over the file's, read after it */
    /* [backend] */
    char backend_url[256];
    char backend_key[128];
    char backend_ca[512];
    int backend_timeout_ms;
    /* not a key: the receipt printer's paper width ([printer.<name>] width_dots), 576 dots
     * without a printer; slips are drawn for it */
    int paper_width_dots;
    /* [journal] */
    char journal_path[512];
    int keep_sent_days;
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

/* Table entries for a field `f` of struct `T` (designated by the macro's arguments). */
#define CFG_OFF(T, f) offsetof(T, f), sizeof(((T *)0)->f)
#define CFG_STR_OPT(T, sec, n, f, d, h) {sec, n, CFG_STR, CFG_OFF(T, f), d, 0, 0, NULL, h}
#define CFG_INT_OPT(T, sec, n, f, d, lo, hi, h) {sec, n, CFG_INT, CFG_OFF(T, f), d, lo, hi, NULL, h}
#define CFG_BOOL_OPT(T, sec, n, f, d, h) {sec, n, CFG_BOOL, CFG_OFF(T, f), d, 0, 1, NULL, h}
#define CFG_ENUM_OPT(T, sec, n, f, d, ch, h) {sec, n, CFG_ENUM, CFG_OFF(T, f), d, 0, 0, ch, h}

/* The kiosk's own option table, terminated by an entry with name == NULL. */
extern const struct cfg_option config_options[];

/* Named instances of a device class, one section each: "<class>.<name>" ([scanner.front],
 * [printer.receipt]). The section's first key is `driver`; then come that driver's keys
 * and the keys every instance of the class takes (the fault wrapper's). Each instance's
 * keys are read into blocks of their own, allocated when its section starts, with every
 * default applied first. */
#define CFG_INSTANCES_MAX 8
struct cfg_instance {
    char name[32];   /* after the dot */
    char driver[16];
    void *common;    /* the class's common keys (common_size bytes) */
    void *opts;      /* the driver's keys */
};
struct cfg_class {
    const char *name;                /* "scanner" */
    /* Keys every instance takes (section ignored; each ended by name == NULL, or NULL),
     * both as offsets into one block of common_size bytes. */
    const struct cfg_option *common[2];
    size_t common_size;
    /* The keys of the class's driver `driver` and the size of their block; NULL when the
     * class has no such driver. */
    const struct cfg_option *(*driver)(const char *driver, size_t *opts_size);
    const char *drivers;             /* "a|b|c", for the message when one is unknown */
    /* what was read */
    struct cfg_instance v[CFG_INSTANCES_MAX];
    int n;
};
/* Frees what was read (n = 0). */
void config_class_clear(struct cfg_class *c);
/* One block and its table on their own (a driver's options in a test): every default;
 * one key by name (0, or -1 with why in err). */
void config_block_defaults(const struct cfg_option *options, void *base);
int config_block_set(const struct cfg_option *options, void *base, const char *name,
                     const char *value, char *err, size_t errcap);
/* The instance called `name`, or NULL. */
const struct cfg_instance *config_class_find(const struct cfg_class *c, const char *name);

/* Every table the kiosk reads its file with: its own, each service's, and the device
 * classes'. */
#define CONFIG_TABLES_MAX 16
#define CONFIG_CLASSES_MAX 4
struct config_tables {
    struct {
        const struct cfg_option *options; /* ended by name == NULL */
        void *base;                       /* the block its offsets point into */
    } v[CONFIG_TABLES_MAX];
    int n;
    struct cfg_class *cls[CONFIG_CLASSES_MAX];
    int ncls;
};
/* Starts with the kiosk's own table over `core`; adds a service's (borrowed). */
void config_tables_init(struct config_tables *t, struct kiosk_config *core);
void config_tables_add(struct config_tables *t, const struct cfg_option *options, void *base);
/* Adds a device class (borrowed): its instances are read into it (and cleared by
 * config_tables_defaults). */
void config_tables_add_class(struct config_tables *t, struct cfg_class *c);
/* Every default; then the file or the text (as config_load/config_parse below); one key. */
void config_tables_defaults(const struct config_tables *t);
int config_tables_load(const struct config_tables *t, const char *path, char *err,
                       size_t errcap);
int config_tables_parse(const struct config_tables *t, const char *text, const char *name,
                        char *err, size_t errcap);
/* INI text over what the tables hold already (no defaults first): pushed keys over the
 * file's. -1 with "name:line: key: why" in err. */
int config_tables_merge(const struct config_tables *t, const char *text, const char *name,
                        char *err, size_t errcap);
/* One key; `section` may name an instance ("scanner.front"): `driver` starts it. */
int config_tables_set(const struct config_tables *t, const char *section, const char *name,
                      const char *value, char *err, size_t errcap);

/* The same for the kiosk's own table alone (tests, tools). */
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
