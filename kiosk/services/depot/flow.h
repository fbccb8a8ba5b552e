/* Depot pickup (油库自助提油) in one flow: a truck driver scans the pickup code the oil
 * company's app gave, the order is shown, the driver puts their ID card on the reader, the
 * backend says whether the holder is one of the order's drivers, a face check follows, and
 * the loading ticket (提油单) is issued once and printed. Pure: events in, state and effects
 * out (core/effect.h); no SDL, no curl, no SQLite, no devices. The glue (io.c) turns taps,
 * scans, ID card readings, face reports and answers into events and runs the effects; the
 * screens read the flow. docs/depot.md has the journey and the crash table.
 *
 *   SCAN --code--> LOOKUP --open--> ORDER (reader armed) --ID card--> DRIVER --ok--> FACE
 *   FACE (camera, guidance) --a good frame held--> FACE_CHECK --match--> PRINTER
 *        --no match--> FACE_RETRY --again--> FACE (3 tries, then COUNTER)
 *        --busy--> FACE_BUSY --again--> FACE_CHECK (the same frame)
 *   PRINTER --can print--> JOURNALING (the intent) --> ISSUING --> RECORDING --> PRINTING
 *   PRINTING --printed--> DONE; --failed--> PRINT_FAILED (printed again, marked 补打, when
 *   the printer is back: the glue)
 *   LOOKUP --issued already--> ISSUED; --unknown/expired/used/other depot--> REFUSED
 *   ORDER --a card that is expired, not yet valid, a bad number, unreadable--> ORDER with a
 *   note; DRIVER --not authorised--> NOT_AUTHORISED
 *
 * Privacy: the flow keeps the ID number only from the reading to the driver call (it moves
 * into the call's request, as checkout's payment code does) and the name only masked; the
 * photo and the face frames never enter the flow (the glue holds the photo for the face
 * call; the host holds the frames). */
#ifndef DEPOT_FLOW_H
#define DEPOT_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "core/effect.h"

#define DP_FACE_TRIES 3        /* no-match answers before "please go to the counter" */
#define DP_FACE_HOLD_MS 800    /* a good frame must stay good this long before it is sent */
#define DP_FACE_MAX_MS 30000   /* the face step's limit without a good frame: its advice
                                * stays, a "try again" is offered */
#define DP_CALL_MS 20000       /* a backend answer that does not come by then: offline */
#define DP_JOURNAL_MS 10000    /* a journal write that takes longer has failed */
#define DP_PRINTER_MS 3000     /* a printer check unanswered by then: cannot print */

enum dp_state {
    DP_IDLE,
    DP_SCAN,           /* "scan your pickup code" (the camera's picture), or type it */
    DP_LOOKUP,         /* GET the pickup order */
    DP_ORDER,          /* the order, "put your ID card on the reader" (the reader armed) */
    DP_DRIVER,         /* POST driver: is the card's holder one of the order's drivers */
    DP_FACE,           /* the camera with the oval and the advice; waits for a good frame */
    DP_FACE_CHECK,     /* POST face: the backend compares */
    DP_FACE_RETRY,     /* no match: tries left, "try again" */
    DP_FACE_BUSY,      /* the face service is busy: "try again" sends the same frame */
    DP_PRINTER,        /* the printer checked before anything is issued */
    DP_JOURNALING,     /* the ticket's intent is being written */
    DP_ISSUING,        /* POST ticket (idempotency key: the order id) */
    DP_RECORDING,      /* the ticket is being recorded in the journal */
    DP_PRINTING,       /* the ticket is printing */
    DP_DONE,           /* printed: take it, go to bay N */
    DP_PRINT_FAILED,   /* issued, not printed: staff are called, it prints when paper is
                        * back */
    DP_ISSUED,         /* the order's ticket was issued already (when, where): a reprint
                        * needs an attendant */
    DP_REFUSED,        /* the code cannot be used (dp_error) */
    DP_NOT_AUTHORISED, /* this ID card is not one of the order's drivers */
    DP_COUNTER,        /* please go to the counter (three no-matches, a refusal) */
    DP_NO_PRINTER,     /* the printer cannot print: nothing was issued */
    DP_FAILED,         /* stopped (dp_error): the station system, the journal */
    DP_STATE_LAST
};

enum dp_call {
    DP_CALL_NONE,
    DP_CALL_PICKUP,    /* GET /v1/depots/{depot}/pickups/{code} */
    DP_CALL_DRIVER,    /* POST /v1/depot/orders/{id}/driver */
    DP_CALL_FACE,      /* POST /v1/depot/orders/{id}/face */
    DP_CALL_TICKET,    /* POST /v1/depot/orders/{id}/ticket */
    DP_CALL_LAST
};

/* Why (REFUSED, COUNTER, FAILED) or what a screen warns of (ORDER's note). */
enum dp_error {
    DP_OK,
    DP_ERR_UNKNOWN_CODE,   /* no order with this code */
    DP_ERR_EXPIRED_ORDER,  /* the order's validity has passed */
    DP_ERR_USED,           /* loaded already, or cancelled */
    DP_ERR_OTHER_DEPOT,    /* an order for another depot (its name shown) */
    DP_ERR_NOT_CODE,       /* what was scanned is not a pickup code */
    DP_ERR_ID_EXPIRED,     /* the ID card has expired */
    DP_ERR_ID_NOT_YET,     /* the ID card is not valid yet */
    DP_ERR_ID_BAD,         /* the card's number or dates do not check out */
    DP_ERR_ID_UNREADABLE,  /* the card could not be read (lifted, garbage): put it back */
    DP_ERR_ID_KIND,        /* a card the kiosk cannot take (a foreigner's card) */
    DP_ERR_NO_MATCH,       /* the face did not match DP_FACE_TRIES times */
    DP_ERR_OFFLINE,        /* the station system did not answer */
    DP_ERR_KIOSK,          /* this kiosk cannot record the ticket (journal) */
    DP_ERR_REFUSED,        /* a refusal of the backend not named above */
    DP_ERR_LAST
};

/* The pickup order (DP_CALL_PICKUP). */
struct dp_order {
    char order_id[40];
    char code[48];
    char product[48];          /* its name ("0号柴油") */
    char unit[4];              /* "L" or "t" */
    int64_t quantity_milli;    /* thousandths of the unit: ml, or kg */
    char plate[24];            /* "京A·12345" */
    char valid_from[32], valid_to[32]; /* ISO 8601 as the backend gives them */
    char depot[16], depot_name[48];
    char bay[8];
    char status[12];           /* OPEN, ISSUED */
    char ticket_no[40];        /* ISSUED: the ticket, when and where */
    char issued_at[32];
    char issued_by[32];        /* the terminal */
    char id_salt[65];          /* the key of the driver call's id_proof (hex) */
};

/* What an answer brought (api.c fills the part of its call). */
struct dp_answer {
    int ok;                    /* 2xx and readable */
    int transport;             /* no answer at all */
    int status;
    char code[40];             /* the error code of a refusal */
    struct dp_order order;     /* PICKUP (and a 403 OTHER_DEPOT's depot_name) */
    char driver_ref[48];       /* DRIVER */
    char name_masked[32];
    int match;                 /* FACE: 1 MATCH, 0 NO_MATCH */
    int score;
    char check_id[40];
    char ticket_no[40];        /* TICKET */
    char bay[8];
    char issued_at[32];
    char issued_by[32];
    int first;                 /* 1: issued by this call; 0: the order's ticket from before */
};

/* The ID card as the flow keeps it (from the glue's reading: idcard.h). */
struct dp_id {
    char id_no[19];            /* kept only until the driver call is built, then wiped */
    char name_masked[32];      /* 张* */
    char id_masked[24];        /* 110***********1234 */
    int kind;                  /* enum id_kind */
    int verdict;               /* enum idf_verdict on today's date */
};

enum dp_input {
    DP_IN_START,       /* the home tile */
    DP_IN_CODE,        /* a scanned or typed code: text (ok 0: refused by the scanner) */
    DP_IN_ANSWER,      /* call `call` answered: answer */
    DP_IN_ID,          /* an ID card was read: id */
    DP_IN_ID_FAILED,   /* a card is on the reader but could not be read */
    DP_IN_FACE,        /* the face step's report on the newest frame: index = enum
                        * face_hint, ok = a frame that can be sent is held (the glue has
                        * it) */
    DP_IN_JOURNAL,     /* the intent or the record is durable: ok 1, or 0 */
    DP_IN_PRINTER,     /* the printer check: ok = it can print */
    DP_IN_PRINTED,     /* the ticket's print job: ok = printed */
    DP_IN_KEY,         /* the code keypad: text = a character, "del", "clear" or "ok" */
    DP_IN_TYPE,        /* scan screen: type the code instead */
    DP_IN_NEXT,        /* the screen's primary button (continue, try again) */
    DP_IN_BACK,
    DP_IN_FINISH,
    DP_IN_TICK,
};

struct dp_event {
    enum dp_input in;
    const char *text;
    int index, ok;
    enum dp_call call;
    const struct dp_answer *answer;
    const struct dp_id *id;
};

/* What the app configures. */
struct dp_config {
    const char *terminal;      /* "T0001" */
    const char *depot;         /* this depot's code ([depot] depot) */
    const char *code_prefix;   /* what a pickup code begins with ("PK") */
    uint32_t today;            /* YYYYMMDD, China time (the glue sets it before each step) */
};

#define DP_CODE_MAX 40         /* typed characters */

/* The whole flow: the view model the screens read. */
struct dp_flow {
    struct dp_config cfg;
    enum dp_state state;
    enum dp_error error;       /* REFUSED, COUNTER, FAILED; ORDER's note about the card */
    int busy;                  /* a spinner: something is in flight */
    int64_t wait_until;        /* the deadline of what is in flight, or 0 */
    int typing;                /* SCAN: the keypad is shown */
    char typed[DP_CODE_MAX + 1];
    struct dp_order order;
    struct dp_id id;           /* id_no wiped once the driver call is built */
    char driver_ref[48];
    int face_hint;             /* enum face_hint of the newest frame */
    int64_t face_good_since;   /* a good frame has been held since, or 0 */
    int64_t face_started;      /* DP_FACE began */
    int face_tries;            /* face checks answered NO_MATCH */
    int face_calls;            /* frames sent to be compared (the idempotency key's suffix) */
    int driver_calls;          /* ID cards sent to the backend for this order */
    int face_timed_out;        /* DP_FACE_MAX_MS passed without a good frame */
    char check_id[40];         /* the MATCH's check */
    char ticket_no[40];        /* DP_ISSUING's answer */
    char issued_at[32];
};

/* The face step's hints as the flow sees them (enum face_hint in face/face.h: 0 is FACE_OK);
 * DP_HINT_STARTING before the first report. */
#define DP_HINT_OK 0
#define DP_HINT_STARTING (-1)


/* What EFF_CALL carries (data). The glue builds the wire request from it (api.c); for the
 * face call it adds the frame and the card's photo, which the flow never holds. */
struct dp_request {
    enum dp_call call;
    char code[48];             /* PICKUP */
    char depot[16];
    char order_id[40];         /* the others */
    char id_no[19];            /* DRIVER: proved with an HMAC keyed by id_salt (api.c), never
                                * sent; wiped from the effect once the call is built */
    char id_salt[65];
    int id_kind;
    char driver_ref[48];       /* FACE, TICKET */
    char check_id[40];         /* TICKET */
    char terminal[32];         /* TICKET */
    int attempt;               /* DRIVER, FACE: 1.. (the idempotency key's suffix: a new card
                                * or frame is a new request, the same frame again is not) */
};

/* What EFF_INTENT and EFF_TXN carry (data): the ticket, for the journal and the print.
 * Masked fields only. */
struct dp_ticket {
    char order_id[40];
    char code[48];
    char ticket_no[40];        /* EFF_TXN */
    char product[48];
    char unit[4];
    int64_t quantity_milli;
    char plate[24];
    char bay[8];
    char valid_to[32];
    char issued_at[32];
    char issued_by[32];
    char name_masked[32];
    char id_masked[24];
    char driver_ref[48];       /* the ticket call's body, as sent (a retry sends it again) */
    char check_id[40];
    int reprint;               /* print it marked 补打 */
};

/* Effects the flow makes besides the common ones:
 *  EFF_CALL: data = struct dp_request;
 *  EFF_ID_READ: i = 1 arm the ID card reader (readings come as DP_IN_ID), 0 disarm;
 *  EFF_FACE: i = 1 start the face step (reports come as DP_IN_FACE), 0 stop it and wipe
 *    the frames; i = 2 keep the held frame for the call but stop looking;
 *  EFF_PRINTER_CHECK;
 *  EFF_INTENT / EFF_TXN: data = struct dp_ticket (EFF_TXN records the ticket; the intent
 *    stays open until it has printed);
 *  EFF_PRINT: data = struct dp_ticket (print it);
 *  EFF_OUTCOME: i = 1 (done: printed) or 2 (failed: nothing was issued), arg = why: the
 *    ticket's intent settled;
 *  EFF_SETTLE: data = struct dp_ticket: the ticket call got no answer: the glue follows
 *    the open intent in the background (the same call again until it answers, then the
 *    record and the print);
 *  EFF_DISCARD: the glue wipes what it holds for the flow (the card's photo, the frames);
 *  EFF_HOME. */

void dp_init(struct dp_flow *f, const struct dp_config *cfg);
void dp_step(struct dp_flow *f, const struct dp_event *e, int64_t now, struct effects *out);
/* When the flow next needs DP_IN_TICK, or INT64_MAX. */
int64_t dp_deadline(const struct dp_flow *f);
/* The state's name, for logs ("scan", "face_check"). */
const char *dp_state_name(enum dp_state s);
/* The screen of the state: "depot_scan", "depot_order", "depot_face", ... */
const char *dp_screen_name(const struct dp_flow *f);
/* 1 while a ticket is being issued or printed (the session must not end under it). */
int dp_busy(const struct dp_flow *f);
/* 1 when `code` is a pickup code (the prefix, then 6..30 of [A-Za-z0-9]). */
int dp_code_ok(const struct dp_config *cfg, const char *code);
/* A quantity for a screen or a ticket: "30,000 L", "25.500 t". */
void dp_quantity(const char *unit, int64_t milli, char *out, size_t cap);
/* Everything of the customer's is wiped (the session ended). */
void dp_wipe(struct dp_flow *f);

#endif
