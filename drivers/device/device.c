#include "device/device.h"

#include <string.h>

const struct dev_driver *dev_driver_find(const struct dev_driver *const *list, const char *name)
{
    for (; *list; list++)
        if (!strcmp((*list)->name, name))
            return *list;
    return NULL;
}
