/* The depot pickup's glue: the flow's effects run through the host (backend calls, the ID
 * card reader, the face step, journal writes, the printer), answers and readings go back to
 * the flow. The ID card's photo is held here (never in the flow) from the reading until the
 * face step ends. Loading tickets whose intent is still open (a restart, a print that
 * failed, a ticket call that got no answer) are followed in the background until they have
 * printed: the ticket asked for again with the same key, recorded, printed (marked 补打 when
 * it may have come out before). */
#ifndef DEPOT_IO_H
#define DEPOT_IO_H

#include <stdint.h>

#include "flow.h"
#include "host/service.h"
#include "idcard/idframe.h"

struct dp_options {
    char depot[16];            /* this depot's code */
    char code_prefix[8];       /* what pickup codes begin with */
    char cascade[256];         /* the face detector's cascade */
    int face_width, face_height; /* the frames the face step judges */
    int min_face_pct;
    int jpeg_quality;
    int retry_s;               /* a ticket call that got no answer is asked again after this */
};

#define DP_OPEN_MAX 8

/* A loading ticket followed in the background. */
enum dp_bg_stage {
    BG_NONE,
    BG_CALL,      /* ask the backend for the ticket (the same key) */
    BG_RECORD,    /* the ticket is being recorded */
    BG_PRINT,     /* waiting for the printer to print it (asked every few seconds) */
    BG_PRINTING,  /* its print job */
};

struct dp_open {
    enum dp_bg_stage stage;
    int64_t intent;
    struct dp_ticket k;
    int recorded;              /* its record is in the journal */
    uint64_t call, job, writing, check;
    int64_t next_at;           /* when the stage is tried next */
};

struct depot_io {
    struct host_svc *h;
    const struct dp_options *opt;
    struct dp_flow f;
    struct dp_config cfg;
    uint64_t calls[DP_CALL_LAST];
    uint64_t writing;          /* the flow's intent or record being journaled */
    uint64_t printing;         /* the flow's ticket */
    uint64_t checking;         /* the printer check */
    uint64_t id_ask, face_ask;
    int64_t intent;            /* the flow's ticket intent, once journaled (0: none) */
    char late[40];             /* the flow gave up on its intent before it landed: settled
                                * as not done (why) once it does */
    uint8_t photo[IDF_PHOTO_LEN]; /* the ID card's photo, for the face check */
    int has_photo;
    struct dp_ticket last;     /* the flow's ticket as last sent to the printer */
    struct dp_open open[DP_OPEN_MAX];
};

int dp_io_open(struct depot_io *io, struct host_svc *h, const struct dp_options *opt,
               char *err, size_t errcap);
void dp_io_recover(struct depot_io *io, int64_t now);
void dp_io_input(struct depot_io *io, const struct dp_event *e, int64_t now);
void dp_io_result(struct depot_io *io, const struct host_result *r, int64_t now);
void dp_io_tick(struct depot_io *io, int64_t now);
int64_t dp_io_deadline(const struct depot_io *io);
/* The customer left: the reader and the camera stop, everything of theirs is wiped. */
void dp_io_leave(struct depot_io *io, int64_t now);
/* The service's reprint hook: the ticket of journaled record `payload` (kind
 * "depot_ticket") again, the same number, marked 补打; NULL for another kind or a record
 * that does not read (an intent's payload has no ticket). Caller destroys it. */
struct slip *dp_io_reprint(struct depot_io *io, const char *kind, const char *payload,
                           const char *lang);
/* Nothing in flight (background tickets waiting for the printer do not count). */
int dp_io_idle(const struct depot_io *io);

#endif
