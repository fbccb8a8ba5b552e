#include "notify.h"

#include <systemd/sd-daemon.h>

#include "core/log.h"

static int64_t every_ms; /* half the watchdog's interval; 0: no watchdog */
static int64_t next_ms;

void notify_open(void)
{
    uint64_t usec = 0;
    every_ms = sd_watchdog_enabled(0, &usec) > 0 ? (int64_t)(usec / 2000) : 0;
    if (every_ms > 0)
        log_info("host", "systemd watchdog: fed every %lld ms", (long long)every_ms);
    next_ms = 0;
}

void notify_ready(void)
{
    sd_notify(0, "READY=1\nSTATUS=on the screen");
}

int64_t notify_watchdog(int64_t now)
{
    if (every_ms <= 0)
        return INT64_MAX;
    if (now >= next_ms) {
        sd_notify(0, "WATCHDOG=1");
        next_ms = now + every_ms;
    }
    return next_ms;
}

void notify_stopping(void)
{
    sd_notify(0, "STOPPING=1");
}
