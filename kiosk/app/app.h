/* The application: one UI thread blocking in SDL_WaitEventTimeout, a thread-safe event
 * queue for devices and the network, the session flow and its effects, rendering only when
 * something changed, and scripted sessions for headless runs. */
#ifndef KIOSK_APP_APP_H
#define KIOSK_APP_APP_H

#include "kiosk/core/config.h"

struct app_options {
    struct kiosk_config cfg;
    int headless;             /* SDL offscreen driver, software renderer */
    int windowed;             /* --window: a window instead of full screen */
    const char *script;       /* play this script (headless) */
    const char *out_dir;      /* screenshots and failure shots */
    int bench_first_frame;    /* print "first-frame" after the first present and exit */
    int bench_render;         /* render every screen N times per size and print p50/p99 */
    int bench_receipt;        /* draw and ESC/POS-encode the test slip N times */
};

/* Runs the kiosk until quit; returns the process exit code (0 ok, 1 script failure,
 * 2 start-up error). */
int app_run(const struct app_options *o);

#endif
