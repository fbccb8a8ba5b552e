#include "scanner/scanner.h"

#include <stddef.h>

const struct dev_driver *const scanner_drivers[] = {
    &scanner_keyboard,
    &scanner_serial,
    &scanner_camera,
    NULL,
};
