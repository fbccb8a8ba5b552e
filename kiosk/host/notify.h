/* The service manager's view of the kiosk (systemd, Type=notify; the only user of
 * libsystemd): ready once the first frame is on the screen, the watchdog fed from the loop
 * itself (a loop that stops turning is a kiosk systemd restarts), stopping on the way out.
 * Without NOTIFY_SOCKET (a terminal, the tests) nothing is sent. */
#ifndef HOST_NOTIFY_H
#define HOST_NOTIFY_H

#include <stdint.h>

/* Reads the watchdog's interval (WATCHDOG_USEC), if any. */
void notify_open(void);
void notify_ready(void);
/* Feeds the watchdog when half its interval has passed since the last time (`now`: the
 * real clock, ms). Returns when it is next due, or INT64_MAX without a watchdog. */
int64_t notify_watchdog(int64_t now);
void notify_stopping(void);

#endif
