/* The host: runs a kiosk and names no service. One UI thread blocking in
 * SDL_WaitEventTimeout (or poll() headless), a thread-safe event queue for the backend, the
 * journal's writer and the devices, the link to the station (link.h), the services of a
 * registry (service.h) with their screens, drawn only when something changed, and scripted
 * sessions for headless runs (docs/scripts.md). */
#ifndef HOST_HOST_H
#define HOST_HOST_H

#include "host/service.h"

struct host_options {
    const char *config_path;  /* the INI file (docs/config.md), or NULL for the defaults */
    const char *const *sets;  /* --set section.key=value, applied after the file */
    int nsets;
    int headless;             /* SDL offscreen driver, software renderer */
    int windowed;             /* --window: a window instead of full screen */
    const char *script;       /* play this script (headless) */
    const char *out_dir;      /* screenshots and failure shots */
};

/* Runs the kiosk with the services of `registry` (ended by NULL; one of them the frame)
 * until it is asked to stop; returns the process exit code (0 ok, 1 script failure,
 * 2 start-up error, a bad config among them, HOST_EXIT_RESTART: a service asked to be
 * started again by the supervisor), or HOST_RUN_EXEC: run the same command again in this
 * process (host_restart()). */
int host_run(const struct host_options *o, const struct service_def *const *registry);

#endif
