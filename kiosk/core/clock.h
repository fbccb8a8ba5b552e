/* The kiosk's clock. Every timeout is measured against clock_now_ms(), never sleep():
 * scripted sessions and tests move it forward with clock_advance_ms() (a fake clock
 * layered on the monotonic one). */
#ifndef KIOSK_CORE_CLOCK_H
#define KIOSK_CORE_CLOCK_H

#include <stdint.h>

/* Milliseconds on a monotonic scale, plus everything clock_advance_ms() added. */
int64_t clock_now_ms(void);
/* Moves the kiosk's clock forward by `ms` (tests and scripts only). Thread-safe. */
void clock_advance_ms(int64_t ms);
/* Real monotonic milliseconds, for measurements (bench), never for timeouts. */
int64_t clock_real_ms(void);

#endif
