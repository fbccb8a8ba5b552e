/* The fault wrapper: it sits around any driver and makes it misbehave on purpose, from config
 * (the fault_* keys every instance takes) or from a test. Each class wraps its own vtable
 * (scanner/fault.c, printer/fault.c); what to do at each call is decided here, purely, so the
 * same plan gives the same faults in every class. */
#ifndef DRIVERS_DEVICE_FAULT_H
#define DRIVERS_DEVICE_FAULT_H

#include <stdint.h>

#include "core/config.h"

struct fault_opts {
    int delay_ms;         /* added before every call */
    int error_every;      /* every Nth call fails (0 = never) */
    int garbage_every;    /* every Nth read returns garbage instead of what the device said */
    int disconnect_every; /* every Nth call the device goes away ... */
    int disconnect_ms;    /* ... for this long (it then comes back by itself) */
};

/* The fault_* keys, as offsets into a struct fault_opts. */
extern const struct cfg_option fault_options[];

/* 1 if the plan asks for any fault at all. */
int fault_any(const struct fault_opts *o);

enum fault_kind {
    FAULT_NONE = 0,
    FAULT_ERROR,      /* this call fails */
    FAULT_GARBAGE,    /* this read returns garbage */
    FAULT_DISCONNECT, /* the device is gone (until the plan brings it back) */
};

struct fault {
    struct fault_opts o;
    unsigned long calls;
    int64_t away_until_ms; /* gone until then */
};

/* What call number `f->calls + 1`, made at `now_ms`, gets. */
enum fault_kind fault_next(struct fault *f, int64_t now_ms);
/* Sleeps the plan's delay_ms (before a call; the wrappers run on device workers). */
void fault_delay(const struct fault *f);

#endif
