#include "core/effect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

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
    f->ndata = 0;
}

struct effect *effects_add_data(struct effects *e, enum effect_kind kind, int64_t i,
                                const char *arg, const void *data, size_t n)
{
    if (n > EFFECT_DATA_MAX) {
        log_error("effects", "a payload of %zu bytes (most is %d): stopping", n, EFFECT_DATA_MAX);
        abort();
    }
    effects_add(e, kind, i, arg);
    struct effect *f = &e->v[e->n - 1];
    if (n)
        memcpy(f->data, data, n); /* a call without a payload passes NULL */
    f->ndata = n;
    return f;
}
