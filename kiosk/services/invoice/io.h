/* The e-invoice service's glue: the flow's effects run through the host (backend calls,
 * journal writes, the slip), answers go back to the flow, and issue requests whose fate is
 * not known (a crash, a backend that stopped answering, a customer who left) are asked
 * about in the background until the backend says. */
#ifndef INVOICE_IO_H
#define INVOICE_IO_H

#include <stdint.h>

#include "flow.h"
#include "host/service.h"

struct inv_options {
    int status_retry_s;   /* the background asks again after this */
    int slip;             /* offer the "invoice issued" slip */
};

#define INV_BG_MAX 16

/* An issue request whose outcome is not known yet. */
struct inv_bg {
    int64_t intent;       /* its journal intent (0: free slot) */
    char key[65];         /* its idempotency key (as the journal keeps it) */
    char *payload;        /* the intent's payload */
    uint64_t call;        /* the status call in flight, or 0 */
    int64_t next_ms;
};

struct invoice {
    struct host_svc *h;
    const struct inv_options *opt;
    struct inv_flow f;
    uint64_t calls[INV_CALL_LAST];
    uint64_t writing;     /* the intent's journal write */
    int64_t intent;       /* the open issue intent */
    char *payload;        /* its payload */
    struct inv_bg bg[INV_BG_MAX];
};

void inv_io_open(struct invoice *io, struct host_svc *h, const struct inv_options *opt);
void inv_io_close(struct invoice *io);
void inv_io_recover(struct invoice *io, int64_t now);
void inv_io_input(struct invoice *io, const struct inv_event *e, int64_t now);
void inv_io_result(struct invoice *io, const struct host_result *r, int64_t now);
void inv_io_tick(struct invoice *io, int64_t now);
int64_t inv_io_deadline(const struct invoice *io);
/* The customer left: what they typed is wiped; an open request goes to the background. */
void inv_io_leave(struct invoice *io, int64_t now);
int inv_io_idle(const struct invoice *io);

#endif
