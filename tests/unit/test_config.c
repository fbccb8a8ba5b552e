#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/voice.h"
#include "core/config.h"
#include "devices/hub.h"
#include "services/registry.h"

static char path[] = "/tmp/kiosk-config-XXXXXX";

/* A service's block, as a service declares its keys. */
struct svc_cfg {
    int idle_prompt_s;
    char prefix[8];
};

static const struct cfg_option svc_options[] = {
    CFG_INT_OPT(struct svc_cfg, "session", "idle_prompt_s", idle_prompt_s, "30", 20, 600, "x"),
    CFG_STR_OPT(struct svc_cfg, "checkout", "prefix", prefix, "MQR-", "y"),
    {0},
};

static struct hub_config devices;

static int load(struct kiosk_config *c, struct svc_cfg *s, char *err, size_t errcap)
{
    struct config_tables t;
    config_tables_init(&t, c);
    config_tables_add(&t, svc_options, s);
    hub_config_clear(&devices);
    hub_config_init(&devices);
    hub_config_tables(&devices, &t);
    return config_tables_load(&t, path, err, errcap);
}

static void write_cfg(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void defaults_are_valid(void **state)
{
    (void)state;
    struct kiosk_config c;
    config_defaults(&c);
    assert_string_equal(c.languages, "zh_CN,en_US");
    assert_string_equal(c.theme, "default");
    struct svc_cfg s;
    struct config_tables t;
    config_tables_init(&t, &c);
    config_tables_add(&t, svc_options, &s);
    config_tables_defaults(&t);
    assert_int_equal(s.idle_prompt_s, 30);
    assert_string_equal(s.prefix, "MQR-");
}

static void good_file(void **state)
{
    (void)state;
    struct kiosk_config c;
    struct svc_cfg s;
    char err[256];
    write_cfg("; comment\n[kiosk]\nterminal_id = T0042\n[display]\ntheme = high_contrast\n"
              "large_text = yes\nwidth = 1920\n[session]\nidle_prompt_s = 25\n");
    assert_int_equal(load(&c, &s, err, sizeof err), 0);
    assert_string_equal(c.terminal_id, "T0042");
    assert_string_equal(c.theme, "high_contrast");
    assert_int_equal(c.large_text, 1);
    assert_int_equal(c.width, 1920);
    assert_int_equal(s.idle_prompt_s, 25);
    assert_string_equal(s.prefix, "MQR-");
}

/* Named device instances: each section's driver, its keys and the class's, into blocks of
 * their own; the fault wrapper's keys on any instance. */
static void device_instances(void **state)
{
    (void)state;
    struct kiosk_config c;
    struct svc_cfg s;
    char err[256];
    write_cfg("[scanner.pump]\ndriver = serial\ndevice = /dev/ttyACM0\nbaud = 115200\n"
              "fault_garbage_every = 3\n[printer.receipt]\ndriver = fake\nstate = paper_out\n"
              "width_dots = 384\n[scanner.front]\ndriver = keyboard\n"
              "[scanner.pump]\nsuffix = crlf\n");
    assert_int_equal(load(&c, &s, err, sizeof err), 0);
    const char *driver = NULL;
    assert_non_null(hub_config_options(&devices, "scanner", "pump", &driver));
    assert_string_equal(driver, "serial");
    assert_non_null(hub_config_options(&devices, "scanner", "front", &driver));
    assert_string_equal(driver, "keyboard");
    assert_null(hub_config_options(&devices, "scanner", "back", NULL));
    const struct fake_printer_opts *fp = hub_config_options(&devices, "printer", "receipt", &driver);
    assert_non_null(fp);
    assert_string_equal(driver, "fake");
    assert_string_equal(fp->state, "paper_out");
    assert_int_equal(fp->job_ms, 50); /* its default */
    assert_int_equal(hub_config_paper_width(&devices), 384);
    const struct fault_opts *fo = devices.cls[0].v[0].common;
    assert_int_equal(fo->garbage_every, 3);
    assert_int_equal(fo->disconnect_ms, 3000);
    /* --set starts an instance, or changes one */
    struct config_tables t;
    config_tables_init(&t, &c);
    hub_config_tables(&devices, &t);
    assert_int_equal(config_tables_set(&t, "scanner.cam", "driver", "camera", err, sizeof err), 0);
    assert_int_equal(config_tables_set(&t, "scanner.cam", "fps", "15", err, sizeof err), 0);
    assert_int_equal(config_tables_set(&t, "scanner.cam", "fps", "fast", err, sizeof err), -1);
    assert_int_equal(config_tables_set(&t, "scanner.x", "fps", "15", err, sizeof err), -1);
    assert_non_null(strstr(err, "`driver` must come first"));
    hub_config_clear(&devices);
    assert_int_equal(devices.cls[0].n, 0);
}

static void expect_error(const char *text, const char *needle)
{
    struct kiosk_config c;
    struct svc_cfg s;
    char err[512];
    write_cfg(text);
    assert_int_equal(load(&c, &s, err, sizeof err), -1);
    if (!strstr(err, needle))
        fail_msg("error '%s' does not mention '%s'", err, needle);
    /* Every error names the file. */
    assert_non_null(strstr(err, path));
}

static void bad_files(void **state)
{
    (void)state;
    expect_error("[kiosk]\nterminal_idd = x\n", ":2: kiosk.terminal_idd: unknown key");
    expect_error("[nosuch]\nx = 1\n", "nosuch.x: unknown key");
    expect_error("[session]\n\nidle_prompt_s = 10\n", ":3: session.idle_prompt_s: 10 is outside 20..600");
    expect_error("[display]\nwidth = wide\n", "'wide' is not a whole number");
    expect_error("[display]\nfullscreen = maybe\n", "'maybe' is not true or false");
    expect_error("[display]\ntheme = pink\n", "'pink' is not one of default|high_contrast");
    expect_error("[display]\nthis line has no equals sign\n", ":2: malformed line");
    char longv[700];
    memset(longv, 'a', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    char text[800];
    snprintf(text, sizeof text, "[kiosk]\nterminal_id = %s\n", longv);
    expect_error(text, "value longer than 31 characters");
    expect_error("[checkout]\nprefix = TOOLONGX\n", "checkout.prefix: value longer than 7");
    expect_error("[scanner.front]\ndriver = laser\n",
                 ":2: scanner.front: driver: 'laser' is not one of keyboard|serial|camera");
    expect_error("[scanner.front]\ndevice = /dev/ttyS0\ndriver = serial\n",
                 ":2: scanner.front.device: `driver` must come first");
    expect_error("[scanner.front]\ndriver = serial\nqueue = receipt\n",
                 ":3: scanner.front.queue: unknown key for driver serial");
    expect_error("[scanner.front]\ndriver = serial\nbaud = 12345\n", "scanner.front.baud:");
    expect_error("[scanner.front]\ndriver = serial\ndriver = camera\n", "given twice");
    expect_error("[printer.receipt]\ndriver = cups\nwidth_dots = 100\n",
                 "printer.receipt.width_dots: 100 is outside 384..576");
    expect_error("[printer.receipt]\ndriver = cups\nfault_error_every = -1\n",
                 "printer.receipt.fault_error_every");
    expect_error("[tape.front]\ndriver = x\n", "tape.front.driver: unknown key");
    hub_config_clear(&devices);
}

static void missing_file(void **state)
{
    (void)state;
    struct kiosk_config c;
    char err[256];
    assert_int_equal(config_load(&c, "/nonexistent/kiosk.ini", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/kiosk.ini: cannot open"));
}

static void set_override(void **state)
{
    (void)state;
    struct kiosk_config c;
    char err[256];
    config_defaults(&c);
    assert_int_equal(config_set(&c, "display", "height", "1080", err, sizeof err), 0);
    assert_int_equal(c.height, 1080);
    assert_int_equal(config_set(&c, "display", "height", "-5", err, sizeof err), -1);
}

/* Key `o` is documented in docs/config.md (`doc`) with its default. */
static void documented(const char *doc, const struct cfg_option *o)
{
    char row[160];
    const char *src = getenv("KIOSK_SRC"), *bld = getenv("KIOSK_BUILD");
    /* Paths baked in at build time are documented by name, not by value. */
    if (!strncmp(o->def, src, strlen(src)) || !strncmp(o->def, bld, strlen(bld)))
        snprintf(row, sizeof row, "| `%s` |", o->name);
    else if (!o->def[0])
        snprintf(row, sizeof row, "| `%s` | (empty) |", o->name);
    else
        snprintf(row, sizeof row, "| `%s` | `%s` |", o->name, o->def);
    char sec[64];
    snprintf(sec, sizeof sec, "## [%s]", o->section);
    const char *at = strstr(doc, sec);
    if (!at)
        fail_msg("docs/config.md has no section %s", sec);
    const char *end = strstr(at + 1, "\n## ");
    const char *r = strstr(at, row);
    if (!r || (end && r > end))
        fail_msg("docs/config.md's section %s has no row starting %s", sec, row);
}

/* Key `o` of a device class is documented in section `heading` ("## [scanner.<name>]"),
 * under `sub` ("### driver = serial") when not NULL, before the next section. */
static void documented_device(const char *doc, const char *heading, const char *sub,
                              const struct cfg_option *o)
{
    char row[160];
    if (!o->def[0])
        snprintf(row, sizeof row, "| `%s` | (empty) |", o->name);
    else
        snprintf(row, sizeof row, "| `%s` | `%s` |", o->name, o->def);
    const char *at = strstr(doc, heading);
    if (!at)
        fail_msg("docs/config.md has no section %s", heading);
    const char *end = strstr(at + 1, "\n## ");
    if (sub) {
        at = strstr(at, sub);
        if (!at || (end && at > end))
            fail_msg("docs/config.md's section %s has no %s", heading, sub);
        const char *next = strstr(at + 1, "\n### ");
        if (next && (!end || next < end))
            end = next;
    }
    const char *r = strstr(at, row);
    if (!r || (end && r > end))
        fail_msg("docs/config.md's %s %s has no row starting %s", heading, sub ? sub : "", row);
}

/* Calls fn for every driver name of class c. */
static void each_driver(const struct cfg_class *c, void (*fn)(const struct cfg_class *,
                                                             const char *, void *), void *user)
{
    char names[128];
    snprintf(names, sizeof names, "%s", c->drivers);
    for (char *save = NULL, *d = strtok_r(names, "|", &save); d; d = strtok_r(NULL, "|", &save))
        fn(c, d, user);
}

static void document_driver(const struct cfg_class *c, const char *driver, void *doc)
{
    char heading[64], sub[64];
    size_t size;
    snprintf(heading, sizeof heading, "## [%s.<name>]", c->name);
    snprintf(sub, sizeof sub, "### driver = %s", driver);
    const struct cfg_option *o = c->driver(driver, &size);
    assert_non_null(o);
    if (!strstr(doc, sub)) /* every driver has its subsection, with keys or without */
        fail_msg("docs/config.md has no %s", sub);
    for (; o->name; o++)
        documented_device(doc, heading, sub, o);
}

struct key_query {
    const char *name;
    int found;
};

static void driver_reads(const struct cfg_class *c, const char *driver, void *user)
{
    struct key_query *q = user;
    size_t size;
    for (const struct cfg_option *o = c->driver(driver, &size); o && o->name; o++)
        q->found |= !strcmp(o->name, q->name);
}

/* Whether a device section "class.<name>" ("device.<name>": any class's fault keys) reads
 * key `name`. */
static int device_key(const char *section, const char *name)
{
    struct hub_config hc;
    hub_config_init(&hc);
    char cls[32];
    if (sscanf(section, "%31[^.].<name>", cls) != 1 || !strstr(section, ".<name>"))
        return 0;
    if (!strcmp(name, "driver"))
        return strcmp(cls, "device") != 0;
    for (int k = 0; k < hc.n; k++) {
        const struct cfg_class *c = &hc.cls[k];
        if (!strcmp(cls, "device")) {
            for (const struct cfg_option *o = c->common[0]; o && o->name; o++)
                if (!strcmp(o->name, name))
                    return 1;
            continue;
        }
        if (strcmp(cls, c->name))
            continue;
        for (const struct cfg_option *o = c->common[1]; o && o->name; o++)
            if (!strcmp(o->name, name))
                return 1;
        struct key_query q = {name, 0};
        each_driver(c, driver_reads, &q);
        return q.found;
    }
    return 0;
}

/* Whether section.name is a key the kiosk reads. */
static int read_key(const char *section, const char *name)
{
    if (strstr(section, ".<name>"))
        return device_key(section, name);
    for (const struct cfg_option *o = config_options; o->name; o++)
        if (!strcmp(o->section, section) && !strcmp(o->name, name))
            return 1;
    for (const struct cfg_option *o = voice_options; o->name; o++)
        if (!strcmp(o->section, section) && !strcmp(o->name, name))
            return 1;
    for (int i = 0; service_registry[i]; i++) {
        const struct service_def *d = service_registry[i];
        for (const struct cfg_option *o = d->options; o && o->name; o++)
            if (!strcmp(o->section, section) && !strcmp(o->name, name))
                return 1;
        for (const struct service_tile *t = d->tiles; t && t->key; t++)
            if (!strcmp(section, "services") && !strcmp(t->key, name))
                return 1;
    }
    return 0;
}

/* Every key the kiosk reads is documented in docs/config.md with its default: its own, each
 * registered service's, and the on/off switch of every tile; and every key documented there
 * is one the kiosk reads (no dead keys). */
static void every_key_documented(void **state)
{
    (void)state;
    char p[1024];
    snprintf(p, sizeof p, "%s/docs/config.md", getenv("KIOSK_SRC"));
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    static char doc[1 << 16];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = '\0';
    for (const struct cfg_option *o = config_options; o->name; o++)
        documented(doc, o);
    for (const struct cfg_option *o = voice_options; o->name; o++)
        documented(doc, o);
    for (int i = 0; service_registry[i]; i++) {
        const struct service_def *d = service_registry[i];
        for (const struct cfg_option *o = d->options; o && o->name; o++)
            documented(doc, o);
        for (const struct service_tile *t = d->tiles; t && t->key; t++) {
            struct cfg_option sw = {"services", t->key, CFG_BOOL, 0, 0, "true", 0, 1, NULL, ""};
            documented(doc, &sw);
        }
    }
    struct hub_config hc;
    hub_config_init(&hc);
    for (int k = 0; k < hc.n; k++) {
        const struct cfg_class *c = &hc.cls[k];
        char heading[64];
        for (const struct cfg_option *o = c->common[0]; o && o->name; o++)
            documented_device(doc, "## [device.<name>]", NULL, o);
        snprintf(heading, sizeof heading, "## [%s.<name>]", c->name);
        for (const struct cfg_option *o = c->common[1]; o && o->name; o++)
            documented_device(doc, heading, NULL, o);
        each_driver(c, document_driver, doc);
    }
    char section[64] = "";
    for (char *line = doc; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char name[64];
        if (sscanf(line, "## [%63[^]]]", section) == 1)
            continue;
        if (sscanf(line, "| `%63[^`]` |", name) == 1 && section[0] && !read_key(section, name))
            fail_msg("docs/config.md documents %s.%s, which the kiosk does not read", section,
                     name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_valid), cmocka_unit_test(good_file),
        cmocka_unit_test(bad_files),          cmocka_unit_test(missing_file),
        cmocka_unit_test(set_override),       cmocka_unit_test(every_key_documented),
        cmocka_unit_test(device_instances),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
