#include "core/clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"

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

/* The test wall clock, read from the environment once: wall = test_epoch_ms + (monotonic
 * now - test_start_ms). test_epoch_ms < 0: no test clock, the real time of day. */
static pthread_once_t test_once = PTHREAD_ONCE_INIT;
static int64_t test_epoch_ms = -1, test_start_ms;

static void test_clock_init(void)
{
    const char *v = getenv(CLOCK_TEST_EPOCH_ENV);
    if (!v || !*v)
        return;
    char *end = NULL;
    errno = 0;
    long long s = strtoll(v, &end, 10);
    /* 2000-01-01 .. 2100-01-01: anything else is a typo, not a test date */
    if (errno || *end || s < 946684800LL || s > 4102444800LL) {
        log_warn("clock", "%s=%s is not unix seconds; the real time of day is used",
                 CLOCK_TEST_EPOCH_ENV, v);
        return;
    }
    test_start_ms = clock_real_ms();
    test_epoch_ms = (int64_t)s * 1000;
    log_info("clock", "test wall clock: starts at unix %lld", s);
}

int64_t clock_system_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_wall_ms(void)
{
    pthread_once(&test_once, test_clock_init);
    if (test_epoch_ms >= 0)
        return test_epoch_ms + (clock_real_ms() - test_start_ms);
    return clock_system_ms();
}

int64_t clock_wall_s(void)
{
    int64_t ms = clock_wall_ms();
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}
