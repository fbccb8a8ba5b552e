/* The kiosk's configuration (INI), with the device classes' instance sections
 * ([scanner.front], [printer.receipt]): any text either stops with a reason, or gives a
 * config whose every value keeps its table's bounds, the kiosk's own and every device
 * instance's (its driver's keys and the class's). Nothing leaks across parses. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/config.h"
#include "devices/hub.h"

/* Every value of `base` keeps the bounds of `options`. */
static void check_block(const struct cfg_option *options, const void *base)
{
    for (const struct cfg_option *o = options; o && o->name; o++) {
        const char *field = (const char *)base + o->offset;
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    static struct kiosk_config cfg;
    static struct hub_config devices;
    struct config_tables t;
    char err[512];
    memset(&cfg, 0, sizeof cfg);
    config_tables_init(&t, &cfg);
    hub_config_init(&devices);
    hub_config_tables(&devices, &t);
    if (config_tables_parse(&t, text, "fuzz.ini", err, sizeof err) == 0) {
        check_block(config_options, &cfg);
        for (int k = 0; k < devices.n; k++) {
            const struct cfg_class *c = &devices.cls[k];
            if (c->n > CFG_INSTANCES_MAX)
                abort();
            for (int i = 0; i < c->n; i++) {
                size_t opts_size;
                const struct cfg_option *opts = c->driver(c->v[i].driver, &opts_size);
                if (!opts || !c->v[i].name[0])
                    abort(); /* an instance without a known driver or a name */
                check_block(c->common[0], c->v[i].common);
                check_block(c->common[1], c->v[i].common);
                check_block(opts, c->v[i].opts);
            }
        }
    } else if (!err[0]) {
        abort(); /* refused without a reason */
    }
    hub_config_clear(&devices);
    free(text);
    return 0;
}
