/* The fuel card service's glue: the flow's effects run through the host (APDUs to the card
 * reader, backend calls, journal writes, the receipt, the hand-over to checkout for a
 * recharge), answers and card events go back to the flow. Loads whose intent a restart
 * left open are kept by load id until the card comes back and the flow resolves them. */
#ifndef CARD_IO_H
#define CARD_IO_H

#include <stdint.h>

#include "flow.h"
#include "host/service.h"

struct cd_options {
    char aid[40];              /* the fuel-card application (hex) */
    char presets[48];          /* recharge presets in yuan, "100,200,500,1000" */
    int pin_len;
};

#define CD_OPEN_MAX 16

struct card_io {
    struct host_svc *h;
    const struct cd_options *opt;
    struct cd_flow f;
    struct cd_config cfg;
    uint64_t apdu;                 /* the APDU in flight */
    uint64_t calls[CD_CALL_LAST];
    uint64_t writing;              /* the intent or record being journaled */
    struct {                       /* load intents still open, by load id (the intent's key) */
        char load_id[65];
        int64_t intent;
    } open[CD_OPEN_MAX];
    uint64_t shuffles;             /* PIN keypads shown (the shuffle's seed moves on) */
};

/* Reads the options into the flow's config: 0, or -1 with the reason in err. */
int cd_io_open(struct card_io *io, struct host_svc *h, const struct cd_options *opt, char *err,
               size_t errcap);
void cd_io_recover(struct card_io *io, int64_t now);
void cd_io_input(struct card_io *io, const struct cd_event *e, int64_t now);
void cd_io_result(struct card_io *io, const struct host_result *r, int64_t now);
void cd_io_tick(struct card_io *io, int64_t now);
int64_t cd_io_deadline(const struct card_io *io);
/* The customer left: the PIN and what was read are wiped. */
void cd_io_leave(struct card_io *io, int64_t now);
int cd_io_idle(const struct card_io *io);
/* The service's reprint hook: a copy of the receipt of journaled load `payload` (kind
 * "card_load"), marked as one; NULL for another kind or a record that does not read.
 * Caller destroys it. */
struct slip *cd_io_reprint(struct card_io *io, const char *kind, const char *payload,
                           const char *lang);

#endif
