/* The ID card reader class: the driver list and what every driver shares. */
#include "idcard/idcard.h"

#include <stddef.h>
#include <string.h>

const struct dev_driver *const idcard_drivers[] = {
    &idcard_serial,
    &idcard_fake,
    NULL,
};

void idcard_read_wipe(struct id_read *r)
{
    if (r)
        explicit_bzero(r, sizeof *r);
}
