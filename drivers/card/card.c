#include "card/card.h"

#include <stddef.h>

const struct dev_driver *const card_drivers[] = {
    &card_pcsc,
    &card_fake,
    NULL,
};
