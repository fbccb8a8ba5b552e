#include "kiosk/core/clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t offset_ms;

int64_t clock_real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_now_ms(void)
{
    return clock_real_ms() + atomic_load(&offset_ms);
}

void clock_advance_ms(int64_t ms)
{
    if (ms > 0)
        atomic_fetch_add(&offset_ms, ms);
}
