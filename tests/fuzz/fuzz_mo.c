/* Translation catalogs: a damaged .mo file is refused with a message, never trusted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "core/i18n.h"


static char dir[64];

static void cleanup(void)
{
    char path[160];
    snprintf(path, sizeof path, "%s/xx_XX/LC_MESSAGES/kiosk.mo", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/xx_XX/LC_MESSAGES", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/xx_XX", dir);
    rmdir(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128], err[256];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/kiosk-fuzz-mo-%d", (int)getpid());
        mkdir(dir, 0755);
        snprintf(path, sizeof path, "%s/xx_XX", dir);
        mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/xx_XX/LC_MESSAGES", dir);
        mkdir(path, 0755);
        atexit(cleanup);
    }
    snprintf(path, sizeof path, "%s/xx_XX/LC_MESSAGES/kiosk.mo", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    if (i18n_init(dir, "xx_XX", err, sizeof err) == 0) {
        (void)i18n_get("a");
        (void)i18n_get("zzz");
        i18n_shutdown();
    }
    return 0;
}
