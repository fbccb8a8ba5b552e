#include "device/fault.h"

#include <stddef.h>
#include <time.h>

#define INT(n, f, d, lo, hi, h) CFG_INT_OPT(struct fault_opts, NULL, n, f, d, lo, hi, h)

const struct cfg_option fault_options[] = {
    INT("fault_delay_ms", delay_ms, "0", 0, 60000, "test: delay added before every call"),
    INT("fault_error_every", error_every, "0", 0, 1000000, "test: every Nth call fails; 0 = never"),
    INT("fault_garbage_every", garbage_every, "0", 0, 1000000,
        "test: every Nth read returns garbage; 0 = never"),
    INT("fault_disconnect_every", disconnect_every, "0", 0, 1000000,
        "test: every Nth call the device goes away; 0 = never"),
    INT("fault_disconnect_ms", disconnect_ms, "3000", 0, 3600000,
        "test: how long a fault disconnect lasts"),
    {0},
};

void fault_delay(const struct fault *f)
{
    int ms = f->o.delay_ms;
    if (ms > 0) {
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
}

int fault_any(const struct fault_opts *o)
{
    return o->delay_ms || o->error_every || o->garbage_every || o->disconnect_every;
}

static int every(int n, unsigned long call)
{
    return n > 0 && call % (unsigned long)n == 0;
}

enum fault_kind fault_next(struct fault *f, int64_t now_ms)
{
    if (now_ms < f->away_until_ms)
        return FAULT_DISCONNECT;
    unsigned long call = ++f->calls;
    if (every(f->o.disconnect_every, call)) {
        f->away_until_ms = now_ms + f->o.disconnect_ms;
        return FAULT_DISCONNECT;
    }
    if (every(f->o.error_every, call))
        return FAULT_ERROR;
    if (every(f->o.garbage_every, call))
        return FAULT_GARBAGE;
    return FAULT_NONE;
}
