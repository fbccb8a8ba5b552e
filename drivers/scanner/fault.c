/* The fault wrapper around a scanner driver (scanner.h, device/fault.h). */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "scanner/scanner.h"

static int fault_open(void *priv, const void *opts, char *err, size_t errcap)
{
    struct scanner_fault *f = priv;
    fault_delay(&f->plan);
    switch (fault_next(&f->plan, clock_real_ms())) {
    case FAULT_DISCONNECT:
        snprintf(err, errcap, "fault: device unplugged");
        return -1;
    case FAULT_ERROR:
        snprintf(err, errcap, "fault: open failed");
        return -1;
    default:
        return f->inner->open(f->inner_priv, opts, err, errcap);
    }
}

static int fault_read(void *priv, struct scan_read *out, int timeout_ms, char *err,
                      size_t errcap)
{
    struct scanner_fault *f = priv;
    fault_delay(&f->plan);
    switch (fault_next(&f->plan, clock_real_ms())) {
    case FAULT_DISCONNECT:
        snprintf(err, errcap, "fault: device unplugged");
        return SCAN_GONE;
    case FAULT_ERROR:
        snprintf(err, errcap, "fault: read error");
        return SCAN_GONE;
    case FAULT_GARBAGE:
        memset(out, 0, sizeof *out);
        out->refused = 1;
        snprintf(out->why, sizeof out->why, "line noise (fault)");
        return SCAN_CODE;
    default:
        return f->inner->read(f->inner_priv, out, timeout_ms, err, errcap);
    }
}

static int fault_preview(void *priv, uint8_t *pixels, int maxw, int maxh, struct scan_frame *out)
{
    struct scanner_fault *f = priv;
    return f->inner->preview ? f->inner->preview(f->inner_priv, pixels, maxw, maxh, out) : 0;
}

static void fault_close(void *priv)
{
    struct scanner_fault *f = priv;
    f->inner->close(f->inner_priv);
}

const struct scanner_ops scanner_fault_ops = {
    .open = fault_open,
    .read = fault_read,
    .preview = fault_preview,
    .close = fault_close,
};
