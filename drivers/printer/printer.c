#include "printer/printer.h"

#include "core/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INT(n, f, d, lo, hi, h) CFG_INT_OPT(struct printer_common, NULL, n, f, d, lo, hi, h)
#define BOOL(n, f, d, h) CFG_BOOL_OPT(struct printer_common, NULL, n, f, d, h)

const struct cfg_option printer_common_options[] = {
    INT("width_dots", width_dots, "576", 384, 576, "paper width in dots (384|576)"),
    INT("job_wait_s", job_wait_s, "20", 1, 600,
        "seconds a print job may take before the kiosk cancels it"),
    BOOL("test_on_start", test_on_start, "false", "print a test slip when the kiosk starts"),
    {0},
};

const struct dev_driver *const printer_drivers[] = {&printer_cups, &printer_fake, NULL};

static const struct printer_ops fault_ops;


struct printer *printer_create(const struct dev_driver *drv, const void *opts,
                               const struct printer_common *common, char *err, size_t errcap)
{
    struct printer *p = calloc(1, sizeof *p);
    if (!p || !(p->drv_priv = calloc(1, drv->priv_size ? drv->priv_size : 1))) {
        free(p);
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    p->ops = drv->ops;
    p->priv = p->drv_priv;
    p->width_dots = common->width_dots;
    if (fault_any(&common->fault)) {
        p->fault.plan.o = common->fault;
        p->fault.inner = p->ops;
        p->fault.inner_priv = p->drv_priv;
        p->ops = &fault_ops;
        p->priv = p;
    }
    if (p->ops->open(p->priv, opts, err, errcap) != 0) {
        free(p->drv_priv);
        free(p);
        return NULL;
    }
    return p;
}

void printer_destroy(struct printer *p)
{
    if (!p)
        return;
    p->ops->close(p->priv);
    free(p->drv_priv);
    free(p);
}

void printer_status(struct printer *p, struct printer_status *out)
{
    memset(out, 0, sizeof *out);
    p->ops->status(p->priv, out);
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
    int r = p->ops->print(p->priv, data, len, title, job, err, errcap);
    free(data);
    return r;
}

enum job_state printer_job_state(struct printer *p, int job, char *detail, size_t cap)
{
    return p->ops->job_state(p->priv, job, detail, cap);
}

int printer_job_final(enum job_state js)
{
    return js == JOB_DONE || js == JOB_FAILED || js == JOB_GONE;
}

int printer_cancel_job(struct printer *p, int job, char *detail, size_t cap)
{
    return p->ops->cancel(p->priv, job, detail, cap);
}

/* ---- the fault wrapper (device/fault.h) ---- */

static enum fault_kind fault_call(struct printer *p)
{
    fault_delay(&p->fault.plan);
    return fault_next(&p->fault.plan, clock_real_ms());
}

static int fault_open(void *priv, const void *opts, char *err, size_t errcap)
{
    struct printer *p = priv;
    return p->fault.inner->open(p->fault.inner_priv, opts, err, errcap);
}

static void fault_status(void *priv, struct printer_status *out)
{
    struct printer *p = priv;
    switch (fault_call(p)) {
    case FAULT_DISCONNECT:
        out->state = PRINTER_OFFLINE;
        snprintf(out->detail, sizeof out->detail, "fault: printer unplugged");
        return;
    case FAULT_ERROR:
        out->state = PRINTER_ERROR;
        snprintf(out->detail, sizeof out->detail, "fault: printer error");
        return;
    case FAULT_GARBAGE:
        out->state = PRINTER_UNKNOWN; /* an answer that cannot be read is never "ok" */
        snprintf(out->detail, sizeof out->detail, "fault: unreadable status");
        return;
    default:
        p->fault.inner->status(p->fault.inner_priv, out);
    }
}

static int fault_print(void *priv, const uint8_t *data, size_t len, const char *title, int *job,
                       char *err, size_t errcap)
{
    struct printer *p = priv;
    switch (fault_call(p)) {
    case FAULT_NONE:
        return p->fault.inner->print(p->fault.inner_priv, data, len, title, job, err, errcap);
    default:
        snprintf(err, errcap, "fault: the job was refused");
        return -1;
    }
}

static enum job_state fault_job_state(void *priv, int job, char *detail, size_t cap)
{
    struct printer *p = priv;
    switch (fault_call(p)) {
    case FAULT_NONE:
        return p->fault.inner->job_state(p->fault.inner_priv, job, detail, cap);
    default:
        snprintf(detail, cap, "fault: the spooler did not answer");
        return JOB_UNKNOWN;
    }
}

static int fault_cancel(void *priv, int job, char *detail, size_t cap)
{
    struct printer *p = priv;
    switch (fault_call(p)) {
    case FAULT_NONE:
        return p->fault.inner->cancel(p->fault.inner_priv, job, detail, cap);
    default:
        snprintf(detail, cap, "fault: the spooler did not answer");
        return -1;
    }
}

static void fault_close(void *priv)
{
    struct printer *p = priv;
    p->fault.inner->close(p->fault.inner_priv);
}

static const struct printer_ops fault_ops = {
    .open = fault_open,
    .status = fault_status,
    .print = fault_print,
    .job_state = fault_job_state,
    .cancel = fault_cancel,
    .close = fault_close,
};

/* ---- "fake": in memory, for unit tests ---- */

static const struct cfg_option fake_options[] = {
    CFG_ENUM_OPT(struct fake_printer_opts, NULL, "state", state, "ok",
                 "ok|paper_near_end|paper_out|cover_open|offline|error",
                 "test: the state it reports"),
    CFG_INT_OPT(struct fake_printer_opts, NULL, "job_ms", job_ms, "50", 0, 600000,
                "test: how long a job prints"),
    {0},
};

static int fake_open(void *priv, const void *opts, char *err, size_t errcap)
{
    static const char *const names[] = {"ok", "paper_near_end", "paper_out", "cover_open",
                                        "offline", "error"};
    const struct fake_printer_opts *o = opts;
    struct fake_printer *f = priv;
    (void)err, (void)errcap;
    f->job_ms = o->job_ms;
    f->state = PRINTER_OK;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(o->state, names[i]))
            f->state = (enum printer_state)i; /* the same order as enum printer_state */
    return 0;
}

static void fake_status(void *priv, struct printer_status *out)
{
    struct fake_printer *f = priv;
    out->state = f->state;
    snprintf(out->detail, sizeof out->detail, "fake printer: %s", printer_state_name(f->state));
}

static int fake_print(void *priv, const uint8_t *data, size_t len, const char *title, int *job,
                      char *err, size_t errcap)
{
    struct fake_printer *f = priv;
    (void)data, (void)title;
    if (f->refuse || f->jobs == (int)(sizeof f->started_ms / sizeof f->started_ms[0])) {
        snprintf(err, errcap, "fake printer: job refused");
        return -1;
    }
    f->started_ms[f->jobs++] = clock_real_ms();
    f->bytes += len;
    *job = f->jobs;
    return 0;
}

static enum job_state fake_job_state(void *priv, int job, char *detail, size_t cap)
{
    struct fake_printer *f = priv;
    if (job < 1 || job > f->jobs) {
        snprintf(detail, cap, "no such job");
        return JOB_GONE;
    }
    if (f->cancelled[job - 1]) {
        snprintf(detail, cap, "cancelled");
        return JOB_FAILED;
    }
    if (clock_real_ms() - f->started_ms[job - 1] < f->job_ms) {
        snprintf(detail, cap, "printing");
        return JOB_PRINTING;
    }
    snprintf(detail, cap, "completed");
    return JOB_DONE;
}

static int fake_cancel(void *priv, int job, char *detail, size_t cap)
{
    struct fake_printer *f = priv;
    f->cancels++;
    if (job >= 1 && job <= f->jobs && clock_real_ms() - f->started_ms[job - 1] < f->job_ms)
        f->cancelled[job - 1] = 1;
    snprintf(detail, cap, "cancel taken");
    return 0;
}

static void fake_close(void *priv)
{
    (void)priv;
}

static const struct printer_ops fake_ops = {
    .open = fake_open,
    .status = fake_status,
    .print = fake_print,
    .job_state = fake_job_state,
    .cancel = fake_cancel,
    .close = fake_close,
};

const struct dev_driver printer_fake = {
    .name = "fake",
    .options = fake_options,
    .opts_size = sizeof(struct fake_printer_opts),
    .priv_size = sizeof(struct fake_printer),
    .ops = &fake_ops,
};
