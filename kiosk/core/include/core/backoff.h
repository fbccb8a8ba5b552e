/* Retry delays: exponential backoff with full jitter, from a caller-held seed so tests are
 * deterministic. Used by the backend client and the outbox uploader. */
#ifndef KIOSK_CORE_BACKOFF_H
#define KIOSK_CORE_BACKOFF_H

#include <stdint.h>

/* Delay before retry number `attempt` (1 = the first retry): uniformly drawn from
 * [0, min(cap_ms, base_ms * 2^(attempt-1))]. Advances *seed (xorshift32). */
int64_t backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, uint32_t *seed);

#endif
