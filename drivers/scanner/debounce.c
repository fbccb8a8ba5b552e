/* The camera's debounce (camera.h): one slot per code in view, by key. */
#include <string.h>

#include "scanner/camera.h"

void debounce_init(struct debounce *d, int repeat_ms)
{
    memset(d, 0, sizeof *d);
    d->repeat_ms = repeat_ms < 0 ? 0 : repeat_ms;
}

void debounce_clear(struct debounce *d)
{
    int repeat = d->repeat_ms;
    memset(d, 0, sizeof *d);
    d->repeat_ms = repeat;
}

int debounce_seen(struct debounce *d, uint64_t key, int64_t now_ms)
{
    /* Forget the codes that have been away long enough: they would scan again anyway. */
    int kept = 0, found = -1;
    for (int i = 0; i < d->n; i++) {
        if (now_ms - d->v[i].seen_ms >= d->repeat_ms && d->v[i].key != key)
            continue;
        d->v[kept] = d->v[i];
        if (d->v[kept].key == key)
            found = kept;
        kept++;
    }
    d->n = kept;

    if (found >= 0) {
        int fresh = now_ms - d->v[found].seen_ms >= d->repeat_ms;
        if (now_ms > d->v[found].seen_ms)
            d->v[found].seen_ms = now_ms;
        return fresh;
    }
    if (d->n == DEBOUNCE_SLOTS) { /* full: forget the one seen longest ago */
        int oldest = 0;
        for (int i = 1; i < d->n; i++)
            if (d->v[i].seen_ms < d->v[oldest].seen_ms)
                oldest = i;
        d->v[oldest] = d->v[--d->n];
    }
    d->v[d->n].key = key;
    d->v[d->n].seen_ms = now_ms;
    d->n++;
    return 1;
}
