#include "printer/printer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Drivers in order of preference. */
static const struct printer_driver *const drivers[] = {&printer_cups, &printer_none};

struct printer *printer_create(const char *name, const struct printer_options *opt, char *err,
                               size_t errcap)
{
    const struct printer_driver *drv = NULL;
    for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
        if (!strcmp(drivers[i]->name, name))
            drv = drivers[i];
    if (!drv) {
        snprintf(err, errcap, "no printer driver called '%s'", name);
        return NULL;
    }
    struct printer *p = calloc(1, sizeof *p);
    if (!p || !(p->priv = calloc(1, drv->priv_size ? drv->priv_size : 1))) {
        free(p);
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    p->drv = drv;
    p->width_dots = opt->width_dots;
    if (drv->open(p->priv, opt, err, errcap) != 0) {
        free(p->priv);
        free(p);
        return NULL;
    }
    return p;
}

void printer_destroy(struct printer *p)
{
    if (!p)
        return;
    p->drv->close(p->priv);
    free(p->priv);
    free(p);
}

void printer_status(struct printer *p, struct printer_status *out)
{
    memset(out, 0, sizeof *out);
    p->drv->status(p->priv, out);
}

int printer_print_bitmap(struct printer *p, const struct bitmap *b, const char *title, int *job,
                         char *err, size_t errcap)
{
    size_t len;
    uint8_t *data = escpos_encode(b, 256, &len);
    if (!data) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    int r = p->drv->print(p->priv, data, len, title, job, err, errcap);
    free(data);
    return r;
}

enum job_state printer_job_state(struct printer *p, int job, char *detail, size_t cap)
{
    return p->drv->job_state(p->priv, job, detail, cap);
}

int printer_job_final(enum job_state js)
{
    return js == JOB_DONE || js == JOB_FAILED || js == JOB_GONE;
}

int printer_cancel_job(struct printer *p, int job, char *detail, size_t cap)
{
    return p->drv->cancel(p->priv, job, detail, cap);
}

/* ---- "none": no printer at this kiosk ---- */

static int none_open(void *priv, const struct printer_options *opt, char *err, size_t errcap)
{
    (void)priv, (void)opt, (void)err, (void)errcap;
    return 0;
}

static void none_status(void *priv, struct printer_status *out)
{
    (void)priv;
    out->state = PRINTER_ABSENT;
    snprintf(out->detail, sizeof out->detail, "no printer configured");
}

static int none_print(void *priv, const uint8_t *data, size_t len, const char *title, int *job,
                      char *err, size_t errcap)
{
    (void)priv, (void)data, (void)len, (void)title, (void)job;
    snprintf(err, errcap, "no printer configured");
    return -1;
}

static enum job_state none_job_state(void *priv, int job, char *detail, size_t cap)
{
    (void)priv, (void)job;
    snprintf(detail, cap, "no printer configured");
    return JOB_UNKNOWN;
}

static int none_cancel(void *priv, int job, char *detail, size_t cap)
{
    (void)priv, (void)job;
    snprintf(detail, cap, "no printer configured");
    return -1;
}

static void none_close(void *priv)
{
    (void)priv;
}

const struct printer_driver printer_none = {
    .name = "none",
    .open = none_open,
    .status = none_status,
    .print = none_print,
    .job_state = none_job_state,
    .cancel = none_cancel,
    .close = none_close,
    .priv_size = 0,
};
