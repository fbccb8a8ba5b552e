/* For the flow tests: where an effect stands in what a step asked for. */
#ifndef TEST_EFFECTS_FIND_H
#define TEST_EFFECTS_FIND_H

#include "core/effect.h"

/* The index of the first effect of kind k (and i, unless i < 0) in fx, or -1. */
static inline int effects_find(const struct effects *fx, enum effect_kind k, int64_t i)
{
    for (int n = 0; n < fx->n; n++)
        if (fx->v[n].kind == k && (i < 0 || fx->v[n].i == i))
            return n;
    return -1;
}

#endif
