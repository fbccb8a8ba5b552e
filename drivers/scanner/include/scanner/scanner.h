/* Code scanners. Three drivers deliver the same thing, a scan: the code's text and the
 * instance it came from; the flows do not care which read it.
 *   keyboard  a USB HID scanner in keyboard ("wedge") mode: the host's keyboard input,
 *             framed by scanner/wedge.h (no worker: read is NULL)
 *   serial    a payment-code imager on a serial line (termios; scanner/lineframe.h frames
 *             its lines)
 *   camera    V4L2 frames (through libv4l2, any pixel format arrives grey) or simulated
 *             frames, decoded with ZBar off the UI thread (scanner/camera.h)
 * The hub (kiosk/devices) runs one worker thread per instance: open, then read in a loop,
 * closing and reopening (with a back-off) when the device goes away. */
#ifndef DRIVERS_SCANNER_SCANNER_H
#define DRIVERS_SCANNER_SCANNER_H

#include <stddef.h>
#include <stdint.h>

#include "core/codes.h"
#include "device/device.h"
#include "device/fault.h"

/* One scan. Scanned text is data from outside: a read that cannot be a code (too long,
 * invalid UTF-8, control characters, line noise) is refused whole, never cleaned into
 * another code. */
struct scan_read {
    char text[CODE_SCAN_MAX + 1]; /* the code, NUL-terminated ("" when refused) */
    int refused;                  /* 1: something came that cannot be a code */
    char why[64];                 /* when refused: why, in words, for the log (never the
                                   * bytes themselves: they may be most of a payment code) */
};

enum scan_result {
    SCAN_GONE = -1, /* the device went away (unplugged, I/O error): err says; the hub closes
                     * it and opens it again until it is back */
    SCAN_NONE = 0,  /* nothing within the time */
    SCAN_CODE = 1,  /* *out holds a scan (a code, or refused) */
};

/* A grey frame for the preview. */
struct scan_frame {
    int w, h;         /* pixels; 0 when there is none */
    uint32_t seq;     /* increases with every new frame */
};

struct scanner_ops {
    /* Opens the device described by `opts` (the driver's options block). 0, or -1 with the
     * reason in err: the device is not there (yet); the hub tries again later. */
    int (*open)(void *priv, const void *opts, char *err, size_t errcap);
    /* Waits at most timeout_ms for one scan (see enum scan_result). Never blocks longer:
     * the hub stops a worker by waiting for its read to return. NULL for the keyboard
     * driver, whose scans the host frames from its key events. */
    int (*read)(void *priv, struct scan_read *out, int timeout_ms, char *err, size_t errcap);
    /* Optional (cameras): the newest frame, scaled into `pixels` (at most maxw x maxh grey
     * bytes, aspect kept), for a live preview. Called from the UI thread while read() runs
     * on the worker: must be thread-safe. 0 when there is no frame. */
    int (*preview)(void *priv, uint8_t *pixels, int maxw, int maxh, struct scan_frame *out);
    /* Releases what open() took (not priv itself). Called only after a successful open. */
    void (*close)(void *priv);
};

/* The fault wrapper (device/fault.h) around any scanner driver: delays, failed opens and
 * reads, garbage (a refused scan), disconnects (SCAN_GONE, and opens fail until the plan
 * brings the device back; the plan runs on the real clock, as devices do). Its priv is a
 * struct scanner_fault, filled before open. */
struct scanner_fault {
    struct fault plan;
    const struct scanner_ops *inner;
    void *inner_priv;
};
extern const struct scanner_ops scanner_fault_ops;

extern const struct dev_driver scanner_keyboard;
extern const struct dev_driver scanner_serial;
extern const struct dev_driver scanner_camera;
/* Every scanner driver, NULL-terminated (one line per driver). */
extern const struct dev_driver *const scanner_drivers[];

#endif
