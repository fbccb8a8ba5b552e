/* Receipt printers, a device class (drivers/<class>/, device/device.h). Instances are named
 * in config ([printer.receipt]): `driver = cups` (raw jobs through a CUPS queue, status
 * from the printer where the link allows and from CUPS) or `fake` (in memory, for tests),
 * with the keys every printer takes (paper width, how long a job may take) and the fault
 * wrapper's. Every call blocks for at most the driver's timeout, so the kiosk runs them on
 * a worker thread (kiosk/devices/printer.c) and posts the results to the loop. */
#ifndef DRIVERS_PRINTER_PRINTER_H
#define DRIVERS_PRINTER_PRINTER_H

#include <stddef.h>
#include <stdint.h>

#include "device/device.h"
#include "device/fault.h"
#include "printer/bitmap.h"
#include "printer/escpos.h"

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

/* The keys every printer instance takes (the fault wrapper's first). */
struct printer_common {
    struct fault_opts fault;
    int width_dots;    /* 384 or 576 */
    int job_wait_s;    /* a job not printed by then is cancelled */
    int test_on_start; /* print a test slip when the kiosk starts */
};
extern const struct cfg_option printer_common_options[];

struct printer_ops {
    /* Sets up priv (zeroed) from the driver's options block; strings are copied.
     * 0, or -1 with the reason in err. */
    int (*open)(void *priv, const void *opts, char *err, size_t errcap);
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
};

extern const struct dev_driver printer_cups;
extern const struct dev_driver printer_fake;
/* Every printer driver, NULL-terminated (one line per driver). */
extern const struct dev_driver *const printer_drivers[];

/* The in-process fake (printer "fake", for unit tests): jobs are taken in memory and are
 * PRINTING for `job_ms`, then DONE. A test reaches its state through printer->drv_priv and
 * may change `state` and `refuse` between calls. */
struct fake_printer_opts {
    char state[16]; /* what status() reports at first: ok|paper_out|cover_open|offline|... */
    int job_ms;
};
struct fake_printer {
    enum printer_state state; /* what status() says */
    int refuse;               /* print() fails */
    int jobs, cancels;        /* jobs taken, cancel() calls */
    size_t bytes;             /* ESC/POS bytes taken */
    int job_ms;
    int64_t started_ms[64];   /* when job i + 1 was taken */
    int cancelled[64];
};

struct printer {
    const struct printer_ops *ops;
    void *priv;       /* what ops take: the driver's state, or the fault wrapper's */
    void *drv_priv;   /* the driver's state */
    int width_dots;
    struct {
        struct fault plan;
        const struct printer_ops *inner;
        void *inner_priv;
    } fault;
};

/* A printer using driver `drv` with its options block `opts` (copied) and the common keys;
 * the fault wrapper sits around it when `common->fault` asks for any fault. NULL with the
 * reason in err. */
struct printer *printer_create(const struct dev_driver *drv, const void *opts,
                               const struct printer_common *common, char *err, size_t errcap);
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
