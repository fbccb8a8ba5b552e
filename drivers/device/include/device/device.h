/* What every device class has in common. A class (drivers/<class>/) has a small vtable of
 * its own (struct scanner_ops, struct printer_ops); each of its drivers is described by a
 * struct dev_driver: its name in config, its options table and the sizes the hub allocates
 * for it. Instances are named in config, one section each ([scanner.front],
 * [printer.receipt]): `driver = <name>`, the driver's own keys, and the fault wrapper's
 * keys (device/fault.h), which every driver takes. */
#ifndef DRIVERS_DEVICE_DEVICE_H
#define DRIVERS_DEVICE_DEVICE_H

#include <stddef.h>

#include "core/config.h"

struct dev_driver {
    const char *name;                 /* `driver = name` */
    /* Its keys (section unused: the instance's section is given at parse time), as offsets
     * into an options block of opts_size bytes; ended by name == NULL. Defaults are
     * applied before the instance's keys. */
    const struct cfg_option *options;
    size_t opts_size;
    size_t priv_size;                 /* its state, zeroed before open */
    const void *ops;                  /* the class's vtable */
};

/* The driver called `name` in a NULL-terminated list, or NULL. */
const struct dev_driver *dev_driver_find(const struct dev_driver *const *list, const char *name);

#endif
