/* kiosk: the fuel station self-service kiosk. See README.md and docs/. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"
#include "services/registry.h"

#define MAX_SETS 64

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kiosk [--config FILE] [--set section.key=value]... [--window]\n"
            "             [--headless [--script FILE] [--out DIR]]\n"
            "  --config FILE      INI configuration (docs/config.md)\n"
            "  --set s.k=v        override one configuration key\n"
            "  --window           a window instead of full screen\n"
            "  --headless         no display: SDL offscreen driver, software renderer\n"
            "  --script FILE      play a scripted session (docs/scripts.md); exit 0 if it holds\n"
            "  --out DIR          where screenshots go (default: current folder)\n");
}

int main(int argc, char **argv)
{
    struct host_options o;
    static const char *sets[MAX_SETS];
    memset(&o, 0, sizeof o);
    o.sets = sets;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--config") && more) {
            o.config_path = argv[++i];
        } else if (!strcmp(a, "--set") && more) {
            if (o.nsets == MAX_SETS) {
                fprintf(stderr, "kiosk: more than %d --set\n", MAX_SETS);
                return 2;
            }
            sets[o.nsets++] = argv[++i];
        } else if (!strcmp(a, "--window")) {
            o.windowed = 1;
        } else if (!strcmp(a, "--headless")) {
            o.headless = 1;
        } else if (!strcmp(a, "--script") && more) {
            o.script = argv[++i];
        } else if (!strcmp(a, "--out") && more) {
            o.out_dir = argv[++i];
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
    int rc = host_run(&o, service_registry);
    if (rc != HOST_RUN_EXEC)
        return rc;
    /* The same command again (pushed configuration is read at start), without the script:
     * it was played. Should exec fail, the supervisor starts the kiosk. */
    char *again[argc + 1];
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && !strcmp(argv[i], "--script") && i + 1 < argc) {
            i++;
            continue;
        }
        again[n++] = argv[i];
    }
    again[n] = NULL;
    fflush(NULL);
    execv("/proc/self/exe", again);
    fprintf(stderr, "kiosk: cannot start again: %s\n", strerror(errno));
    return HOST_EXIT_RESTART;
}
