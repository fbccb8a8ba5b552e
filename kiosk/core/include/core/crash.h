/* Crash points: named instants (every journal write, before and after) at which the crash
 * tests kill the kiosk, so that "killed at every journal step" is exact and repeatable
 * instead of a race against a timer.
 *
 * With KIOSK_CRASH_AT=<name> in the environment, the process sends itself SIGKILL the first
 * time crash_point(<name>) runs (KIOSK_CRASH_AT=<name>#<n>: the n-th time). Without the
 * variable a crash point costs one comparison. Names: "<module>.<step>:before|after",
 * e.g. "journal.intent_begin:after" (docs/architecture.md lists them). */
#ifndef KIOSK_CORE_CRASH_H
#define KIOSK_CORE_CRASH_H

/* Dies here if the environment names this point (see above). `name` is borrowed. */
void crash_point(const char *name);

#endif
