#include "core/backoff.h"

int64_t backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, uint32_t *seed)
{
    int64_t ceiling = base_ms > 0 ? base_ms : 1;
    for (int i = 1; i < attempt && ceiling < cap_ms; i++)
        ceiling *= 2;
    if (ceiling > cap_ms)
        ceiling = cap_ms;
    uint32_t x = *seed ? *seed : 0x9E3779B9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *seed = x;
    return (int64_t)(x % (uint64_t)(ceiling + 1));
}
