/* kiosk: the fuel station self-service kiosk. See README.md and docs/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/app/app.h"
#include "kiosk/core/config.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kiosk [--config FILE] [--set section.key=value]... [--window]\n"
            "             [--headless [--script FILE] [--out DIR]]\n"
            "             [--bench-first-frame] [--bench-render N] [--bench-receipt N]\n"
            "  --config FILE      INI configuration (docs/config.md)\n"
            "  --set s.k=v        override one configuration key\n"
            "  --window           a window instead of full screen\n"
            "  --headless         no display: SDL offscreen driver, software renderer\n"
            "  --script FILE      play a scripted session (docs/scripts.md); exit 0 if it holds\n"
            "  --out DIR          where screenshots go (default: current folder)\n");
}

static int set_override(struct kiosk_config *cfg, const char *arg)
{
    char buf[700], err[400];
    snprintf(buf, sizeof buf, "%s", arg);
    char *dot = strchr(buf, '.'), *eq = strchr(buf, '=');
    if (!dot || !eq || dot > eq) {
        fprintf(stderr, "kiosk: --set %s: expected section.key=value\n", arg);
        return -1;
    }
    *dot = *eq = '\0';
    if (config_set(cfg, buf, dot + 1, eq + 1, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: --set: %s\n", err);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct app_options o;
    const char *config_path = NULL;
    memset(&o, 0, sizeof o);
    config_defaults(&o.cfg);

    /* The config file first, so --set overrides it whatever the order. */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config_path = argv[++i];
    if (config_path) {
        char err[600];
        if (config_load(&o.cfg, config_path, err, sizeof err) != 0) {
            fprintf(stderr, "kiosk: config: %s\n", err);
            return 2;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--config") && more) {
            i++;
        } else if (!strcmp(a, "--set") && more) {
            if (set_override(&o.cfg, argv[++i]) != 0)
                return 2;
        } else if (!strcmp(a, "--window")) {
            o.windowed = 1;
        } else if (!strcmp(a, "--headless")) {
            o.headless = 1;
        } else if (!strcmp(a, "--script") && more) {
            o.script = argv[++i];
        } else if (!strcmp(a, "--out") && more) {
            o.out_dir = argv[++i];
        } else if (!strcmp(a, "--bench-first-frame")) {
            o.bench_first_frame = 1;
        } else if (!strcmp(a, "--bench-render") && more) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 100000) {
                fprintf(stderr, "kiosk: --bench-render takes a count of 1..100000\n");
                return 2;
            }
            o.bench_render = (int)n;
        } else if (!strcmp(a, "--bench-receipt") && more) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 100000) {
                fprintf(stderr, "kiosk: --bench-receipt takes a count of 1..100000\n");
                return 2;
            }
            o.bench_receipt = (int)n;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "kiosk: unknown or incomplete argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (o.script && !o.headless) {
        fprintf(stderr, "kiosk: --script needs --headless\n");
        return 2;
    }
    return app_run(&o);
}
