#include "kiosk/flows/effect.h"

#include <stdio.h>
#include <stdlib.h>

#include "kiosk/core/log.h"

void effects_add(struct effects *e, enum effect_kind kind, int64_t i, const char *arg)
{
    if (e->n == EFFECTS_MAX) {
        log_error("effects", "more than %d effects in one step: stopping", EFFECTS_MAX);
        abort();
    }
    struct effect *f = &e->v[e->n++];
    f->kind = kind;
    f->i = i;
    snprintf(f->arg, sizeof f->arg, "%s", arg ? arg : "");
}
