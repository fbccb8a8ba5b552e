#include "kiosk/flows/effect.h"

#include <stdio.h>

int effects_add(struct effects *e, enum effect_kind kind, int64_t i, const char *arg)
{
    if (e->n == EFFECTS_MAX)
        return -1;
    struct effect *f = &e->v[e->n++];
    f->kind = kind;
    f->i = i;
    snprintf(f->arg, sizeof f->arg, "%s", arg ? arg : "");
    return 0;
}
