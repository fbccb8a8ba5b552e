/* The kiosk's configuration (INI): any text either stops with a reason, or gives a config
 * whose every value keeps the table's bounds. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    static struct kiosk_config cfg;
    char err[512];
    if (config_parse(&cfg, text, "fuzz.ini", err, sizeof err) == 0) {
        for (const struct cfg_option *o = config_options; o->name; o++) {
            const char *field = (const char *)&cfg + o->offset;
            if (o->type == CFG_INT) {
                int v;
                memcpy(&v, field, sizeof v);
                if (v < o->min || v > o->max)
                    abort(); /* out of the table's bounds */
            } else if ((o->type == CFG_STR || o->type == CFG_ENUM) &&
                       strnlen(field, o->size) == o->size) {
                abort(); /* not terminated */
            }
        }
    } else if (!err[0]) {
        abort(); /* refused without a reason */
    }
    free(text);
    return 0;
}
