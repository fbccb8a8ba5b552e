/* Receipt printers. One interface, drivers chosen by name in config ([printer] driver):
 * "cups" (raw jobs through a CUPS queue, status from the printer where the link allows and
 * from CUPS) and "none". Every call blocks for at most the configured timeout, so the app
 * runs them on a worker thread and posts the results to the loop. */
#ifndef DRIVERS_PRINTER_PRINTER_H
#define DRIVERS_PRINTER_PRINTER_H

#include <stddef.h>
#include <stdint.h>

#include "printer/bitmap.h"
#include "printer/escpos.h"

struct printer_options {
    const char *server;      /* CUPS server "host:port"; NULL/"" = CUPS default */
    const char *queue;       /* CUPS queue */
    const char *status_addr; /* "host:port" of the printer for DLE EOT; NULL/"" = none */
    int width_dots;          /* 384 or 576 */
    int timeout_ms;          /* bound on every blocking call */
};

struct printer_status {
    enum printer_state state;
    char detail[200];        /* what the printer and the spooler said, for logs and health */
};

/* Where a job is. DONE, FAILED and GONE are final: the job will not (again) reach the paper. */
enum job_state {
    JOB_PENDING,  /* waiting in the spooler, held or stopped: it may still print */
    JOB_PRINTING, /* being sent to the printer */
    JOB_DONE,     /* the printer took all of it */
    JOB_FAILED,   /* cancelled or aborted */
    JOB_GONE,     /* the spooler answered and has no such job (purged, or its spool lost) */
    JOB_UNKNOWN,  /* the spooler could not be asked */
};

struct printer_driver {
    const char *name;
    /* Sets up priv (priv_size bytes, zeroed) from opt; opt's strings are copied.
     * 0, or -1 with the reason in err. */
    int (*open)(void *priv, const struct printer_options *opt, char *err, size_t errcap);
    /* Fills out with the printer's state now: from the printer itself where the link
     * allows (answers that cannot be read give PRINTER_UNKNOWN, never OK), and from the
     * spooler (stopped queue, media-empty, offline reasons). */
    void (*status)(void *priv, struct printer_status *out);
    /* Submits `len` bytes of ESC/POS as one raw job. *job receives the job id.
     * 0, or -1 with the reason in err (nothing was queued). */
    int (*print)(void *priv, const uint8_t *data, size_t len, const char *title, int *job,
                 char *err, size_t errcap);
    /* Where job `job` is now; detail receives the spooler's words. */
    enum job_state (*job_state)(void *priv, int job, char *detail, size_t cap);
    /* Asks the spooler to cancel job `job`. 0 if the spooler took the request (the job is
     * cancelled, or was final already: job_state() tells which), -1 with the reason in
     * detail if it could not be reached or refused. Whether the job is gone is for
     * job_state() to say: a cancel can come too late. */
    int (*cancel)(void *priv, int job, char *detail, size_t cap);
    /* Releases what open() took (not priv itself). */
    void (*close)(void *priv);
    size_t priv_size;
};

struct printer {
    const struct printer_driver *drv;
    void *priv;
    int width_dots;
};

extern const struct printer_driver printer_cups;
extern const struct printer_driver printer_none;

/* A printer using the driver called `driver`. NULL with the reason in err. */
struct printer *printer_create(const char *driver, const struct printer_options *opt, char *err,
                               size_t errcap);
void printer_destroy(struct printer *p); /* NULL-safe */
void printer_status(struct printer *p, struct printer_status *out);
/* Encodes `b` as ESC/POS and submits it. 0 or -1 with err. */
int printer_print_bitmap(struct printer *p, const struct bitmap *b, const char *title, int *job,
                         char *err, size_t errcap);
enum job_state printer_job_state(struct printer *p, int job, char *detail, size_t cap);
/* 1 for DONE, FAILED and GONE: the spooler will do nothing more with the job. */
int printer_job_final(enum job_state js);
/* Asks the spooler to cancel job `job` (see the driver's `cancel`): 0, or -1 with detail. */
int printer_cancel_job(struct printer *p, int job, char *detail, size_t cap);

#endif
