/* kiosk-update: the kiosk's updater (docs/updates.md).
 *
 *   kiosk-update boot   --config FILE     before every start of the kiosk (ExecStartPre)
 *   kiosk-update run    --config FILE     the DDI polling loop (its own unit; SIGTERM ends it)
 *   kiosk-update poll   --config FILE     one round of it (tests)
 *   kiosk-update status --config FILE     update.json and the version running
 *   kiosk-update bundle --key SEEDHEX --version X.Y.Z --dir DIR --out FILE [--created S]
 *   kiosk-update pubkey --key SEEDHEX     the public key of a signing seed
 *
 * The configuration is the kiosk's own file: its [update] section (update/options.h) and
 * [kiosk] terminal_id, with the pushed keys of [paths] remote_config over them as the kiosk
 * reads them; the other sections are the kiosk's business and are not read here. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/file.h"
#include "core/log.h"
#include "core/sign.h"
#include "round.h"
#include "update/bundle.h"
#include "update/options.h"
#include "update/slots.h"

#define CONFIG_MAX (1u << 20)

static const char usage[] =
    "usage: kiosk-update boot|run|poll|status --config FILE\n"
    "       kiosk-update bundle --key SEEDHEX --version X.Y.Z --dir DIR --out FILE [--created S]\n"
    "       kiosk-update pubkey --key SEEDHEX\n";

/* 1 when some option of the tables is in `section`. */
static int known_section(const struct cfg_option *const *tables, const char *section,
                         size_t n)
{
    for (int t = 0; tables[t]; t++)
        for (const struct cfg_option *o = tables[t]; o->name; o++)
            if (strlen(o->section) == n && !strncmp(o->section, section, n))
                return 1;
    return 0;
}

/* The lines of sections none of the tables knows are blanked (the line numbers of errors
 * stay those of the file). */
static void keep_known_sections(char *text, const struct cfg_option *const *tables)
{
    int keep = 1;
    for (char *line = text; *line;) {
        char *end = line + strcspn(line, "\n");
        char *p = line + strspn(line, " \t");
        if (*p == '[') {
            size_t n = strcspn(p + 1, "]\n");
            keep = known_section(tables, p + 1, n);
        }
        if (!keep)
            memset(line, ' ', (size_t)(end - line));
        line = *end ? end + 1 : end;
    }
}

/* The file's known sections, then the pushed keys of [paths] remote_config over them, as the
 * kiosk reads them (a pushed file that does not read is left out, as the kiosk leaves it). */
static int load_config(const char *path, struct kiosk_config *core, struct update_options *uo)
{
    static const struct cfg_option *const tables[] = {config_options, update_options_table,
                                                      NULL};
    char err[512];
    char *text = file_slurp(path, CONFIG_MAX, NULL);
    if (!text) {
        fprintf(stderr, "kiosk-update: %s: %s\n", path, strerror(errno));
        return -1;
    }
    keep_known_sections(text, tables);
    struct config_tables t;
    memset(core, 0, sizeof *core);
    config_tables_init(&t, core);
    config_tables_add(&t, update_options_table, uo);
    int rc = config_tables_parse(&t, text, path, err, sizeof err);
    char *pushed = rc == 0 && core->remote_config[0]
                       ? file_slurp(core->remote_config, CONFIG_MAX, NULL)
                       : NULL;
    if (pushed) {
        keep_known_sections(pushed, tables);
        if (config_tables_merge(&t, pushed, core->remote_config, err, sizeof err) != 0) {
            log_warn("update", "pushed configuration ignored: %s", err);
            rc = config_tables_parse(&t, text, path, err, sizeof err);
        }
        free(pushed);
    }
    free(text);
    if (rc != 0)
        fprintf(stderr, "kiosk-update: %s\n", err);
    return rc;
}

static int cmd_boot(const struct update_options *uo)
{
    char what[600];
    if (!uo->prefix[0])
        return 0; /* updates are off: nothing to check */
    int rc = slots_boot(uo->prefix, clock_system_ms(), uo->crash_window_s, what, sizeof what);
    if (rc != 0)
        log_error("update", "boot: %s", what);
    else if (what[0])
        log_info("update", "boot: %s", what);
    return 0; /* the kiosk starts whatever happened */
}

static int cmd_poll(const struct update_options *uo, const struct kiosk_config *core, int loop)
{
    char err[256];
    struct updater u;
    if (!uo->prefix[0] || !uo->ddi_url[0]) {
        fprintf(stderr, "kiosk-update: [update] prefix and ddi_url are needed to poll\n");
        return 1;
    }
    if (updater_init(&u, uo, core->terminal_id, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk-update: %s\n", err);
        return 1;
    }
    if (!loop) {
        updater_round(&u);
        return 0;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    log_info("update", "polling %s", u.base);
    for (;;) {
        int s = updater_round(&u);
        struct timespec ts = {.tv_sec = s};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGTERM || sig == SIGINT)
            break;
    }
    log_info("update", "stopping");
    return 0;
}

static int cmd_status(const struct update_options *uo)
{
    char slot[8], version[VERSION_MAX], err[512];
    struct slots_state st;
    if (!uo->prefix[0]) {
        puts("updates are off ([update] prefix is empty)");
        return 0;
    }
    slots_current(uo->prefix, slot, sizeof slot, version, sizeof version);
    printf("current: %s %s\n", slot, version);
    if (slots_read(uo->prefix, &st, err, sizeof err) != 0) {
        printf("state: %s\n", err);
        return 1;
    }
    char *json = slots_state_json(&st);
    printf("state: %s\n", json ? json : "?");
    free(json);
    return 0;
}

/* The value after argv[i] named `name`, or NULL. */
static const char *opt(int argc, char **argv, const char *name)
{
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], name))
            return argv[i + 1];
    return NULL;
}

static int cmd_bundle(int argc, char **argv)
{
    const char *key = opt(argc, argv, "--key"), *version = opt(argc, argv, "--version");
    const char *dir = opt(argc, argv, "--dir"), *out = opt(argc, argv, "--out");
    const char *created = opt(argc, argv, "--created");
    char err[512];
    if (!key || !version || !dir || !out) {
        fputs(usage, stderr);
        return 2;
    }
    int64_t when = created ? strtoll(created, NULL, 10) : clock_system_ms() / 1000;
    if (bundle_write(dir, key, version, when, out, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk-update: %s\n", err);
        return 1;
    }
    return 0;
}

static int cmd_pubkey(int argc, char **argv)
{
    const char *key = opt(argc, argv, "--key");
    char pk[65];
    if (!key || bundle_public_key(key, pk) != 0) {
        fprintf(stderr, "kiosk-update: --key takes a seed of 64 hex characters\n");
        return 2;
    }
    puts(pk);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (sign_init() != 0)
        return 1;
    if (!strcmp(cmd, "bundle"))
        return cmd_bundle(argc, argv);
    if (!strcmp(cmd, "pubkey"))
        return cmd_pubkey(argc, argv);
    const char *config = opt(argc, argv, "--config");
    static struct kiosk_config core;
    static struct update_options uo;
    if (!config) {
        fputs(usage, stderr);
        return 2;
    }
    if (load_config(config, &core, &uo) != 0)
        return !strcmp(cmd, "boot") ? 0 : 1; /* boot never stops the kiosk's start */
    if (!strcmp(cmd, "boot"))
        return cmd_boot(&uo);
    if (!strcmp(cmd, "poll") || !strcmp(cmd, "run"))
        return cmd_poll(&uo, &core, !strcmp(cmd, "run"));
    if (!strcmp(cmd, "status"))
        return cmd_status(&uo);
    fputs(usage, stderr);
    return 2;
}
