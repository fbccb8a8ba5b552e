/* The kiosk's clocks. Every timeout is measured against clock_now_ms(), never sleep():
 * scripted sessions and tests move it forward with clock_advance_ms() (a fake clock
 * layered on the monotonic one). Business time (the date in a transaction number, when a
 * sale was paid, the printer test slip) is clock_wall_*(): the real time of day, or in
 * tests a fixed instant that then advances with the monotonic clock. */
#ifndef KIOSK_CORE_CLOCK_H
#define KIOSK_CORE_CLOCK_H

#include <stdint.h>

/* Milliseconds on a monotonic scale, plus everything clock_advance_ms() added. */
int64_t clock_now_ms(void);
/* Moves the kiosk's clock forward by `ms` (tests and scripts only). Thread-safe. */
void clock_advance_ms(int64_t ms);
/* Real monotonic milliseconds, for measurements (bench), never for timeouts. */
int64_t clock_real_ms(void);

/* Environment variable of the test wall clock: unix seconds. */
#define CLOCK_TEST_EPOCH_ENV "KIOSK_TEST_EPOCH"
/* Business wall-clock time, in unix milliseconds / seconds. With KIOSK_TEST_EPOCH=<unix
 * seconds> in the environment it is that instant the first time it is read, then it
 * advances with the real monotonic clock (like the real time of day, not with
 * clock_advance_ms()), so screenshots and receipts show the same date and time on every
 * run. Otherwise CLOCK_REALTIME. Not for request signatures (the backend checks their
 * skew against its real time) nor for the journal's own bookkeeping. Thread-safe. */
int64_t clock_wall_ms(void);
int64_t clock_wall_s(void);
/* The system's time of day in unix milliseconds, also under the test wall clock: the
 * journal's own timestamps (when an intent was written, the age of what a restart finds)
 * and request signatures. */
int64_t clock_system_ms(void);

#endif
