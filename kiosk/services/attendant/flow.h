/* Attendant mode (站务模式) in one flow: staff log in at the kiosk itself (a staff card on
 * the card reader, or the station name held for 3 s, then staff number and PIN), then close
 * the shift or the day, reprint a receipt, refund a sale with a supervisor's approval, look
 * at the devices, take the kiosk out of service and print a test slip when the paper was
 * changed. Pure: events in, state and effects out (core/effect.h); no SDL, no curl, no
 * SQLite. The glue (io.c) reads the journal, runs the effects and feeds answers back; the
 * screens read the flow. docs/attendant.md has the journeys and the crash table.
 *
 *   STAFF_NO --ok--> PIN --ok--> VERIFYING --ok--> MENU
 *                                          --wrong--> PIN (a note: tries left) | LOCKED
 *   MENU --shift close--> UNFINISHED (while anything is unfinished: waits, re-checked;
 *        a supervisor may carry them over) --> SUMMARY --close--> WORKING --> CLOSED
 *   MENU --day close--> SUMMARY (day) --close--> WORKING --> CLOSED
 *   CLOSED --print the report again--> WORKING --> CLOSED
 *   MENU --reprint--> TXN (type or scan) --> [APPROVE, depot tickets] --> WORKING --> RESULT
 *   MENU --refund--> TXN --> LINES (the sale's lines: some or all; a reason) --> APPROVE
 *        --> WORKING --> RESULT
 *   MENU --devices--> HEALTH;  --out of service--> SERVICE;  --paper changed--> WORKING
 *   every state --60 s without a touch, a customer's card--> logged out (EFF_HOME, arg
 *   "idle", "customer" or "back", data the staff number: the glue audits who and why)
 *
 * What an operation does (the journal's writes, the calls, the prints) is the glue's, in
 * steps the flow does not see: the flow asks with EFF_CALL (i = enum at_op) and hears back
 * AT_IN_DONE with the outcome. Every action is audited by the glue (EFF_TXN's "audit").
 *
 * Privacy: a PIN lives in the flow only while it is typed; it moves into the verify effect
 * (data: struct at_login) and is wiped from the flow at once. Staff numbers are not private;
 * names are shown as the backend gives them. */
#ifndef ATTENDANT_FLOW_H
#define ATTENDANT_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "core/effect.h"

#define AT_IDLE_MS 60000       /* no touch for this long: logged out */
#define AT_TRIES 5             /* wrong PINs before a staff number is locked ... */
#define AT_LOCK_MS 300000      /* ... for this long */
#define AT_VERIFY_MS 8000      /* a verification unanswered by then has failed */
#define AT_RECHECK_MS 2000     /* unfinished items are looked at again this often */
#define AT_STAFF_MAX 12        /* digits of a staff number (numbers only: the keypad's) */
#define AT_PIN_MAX 8           /* digits of a PIN (at least 4) */
#define AT_TXN_MAX 40          /* characters of a transaction number */
#define AT_LOCKS 8             /* staff numbers locked at once (the oldest lock drops) */
#define AT_LINES_MAX 16        /* a sale's lines shown for a refund */
#define AT_UNFINISHED_MAX 8    /* unfinished items listed */

enum at_state {
    AT_IDLE,           /* not in attendant mode */
    AT_STAFF_NO,       /* the keypad: staff number */
    AT_PIN,            /* the keypad: PIN (dots); note = why the last try failed */
    AT_VERIFYING,      /* the PIN is being checked (the backend, else the cached verifier) */
    AT_LOCKED,         /* this staff number is locked until locked_until */
    AT_MENU,           /* what an attendant can do */
    AT_UNFINISHED,     /* shift close: items not finished yet (listed); waits for them */
    AT_SUMMARY,        /* shift or day close (op): the totals; "close and print" */
    AT_TXN,            /* reprint or refund (op): a transaction number, typed or scanned */
    AT_LINES,          /* refund: the sale's lines to refund, and the reason */
    AT_APPROVE_NO,     /* a supervisor's approval: their staff number ... */
    AT_APPROVE_PIN,    /* ... and PIN */
    AT_APPROVING,      /* the supervisor's PIN is being checked */
    AT_WORKING,        /* operation `op` is under way (a spinner and what it does) */
    AT_CLOSED,         /* the shift or day is closed; its report printed or not */
    AT_RESULT,         /* an operation's outcome: ok or note */
    AT_HEALTH,         /* the devices, the link, the journal, the outbox */
    AT_SERVICE,        /* out of service: choose a message; or back in service */
    AT_STATE_LAST
};

/* Operations (EFF_CALL's i; AT_IN_DONE's index). */
enum at_op {
    AT_OP_NONE,
    AT_OP_VERIFY,      /* check a PIN: data struct at_login (role answered) */
    AT_OP_SHIFT_LOAD,  /* read the shift: unfinished items and totals (the glue fills the
                        * view's part) */
    AT_OP_SHIFT_CLOSE, /* close the shift (intent, close + next shift + report record,
                        * print); arg "carry" when a supervisor carried items over */
    AT_OP_DAY_LOAD,    /* read the day's shifts: their sum and the day's own totals */
    AT_OP_DAY_CLOSE,   /* close the day (intent, roll-up + report record, print) */
    AT_OP_TXN_LOAD,    /* find transaction `txn` (for a reprint or a refund) */
    AT_OP_REPRINT,     /* print it again, marked as a copy */
    AT_OP_REFUND,      /* refund: data struct at_refund_ask (intent, call, record, receipt) */
    AT_OP_REPRINT_REPORT, /* print the closed shift's or day's report again */
    AT_OP_HEALTH,      /* read the devices and the journal's figures again */
    AT_OP_TEST_SLIP,   /* print a test slip */
    AT_OP_PAPER,       /* paper changed: a test slip, the printer checked again */
    AT_OP_OUT_OF_SERVICE, /* arg: the message id ("" for back in service) */
    AT_OP_OUTBOX_RETRY,   /* the parked record at index (of the health view's list) again */
    AT_OP_OUTBOX_HANDLED, /* ... marked handled */
    AT_OP_LAST
};

enum at_role { AT_ROLE_NONE, AT_ROLE_ATTENDANT, AT_ROLE_SUPERVISOR };

/* Why something did not happen (the PIN's note, RESULT's, a refund's). */
enum at_note {
    AT_NOTE_NONE,
    AT_NOTE_WRONG_PIN,     /* wrong staff number or PIN (tries_left) */
    AT_NOTE_LOCKED,        /* too many wrong PINs */
    AT_NOTE_NOT_SUPERVISOR,/* the approver is not a supervisor (or is the one asking) */
    AT_NOTE_OFFLINE,       /* the backend did not answer and nothing is cached for them */
    AT_NOTE_NOT_FOUND,     /* no such transaction */
    AT_NOTE_NOT_REFUNDABLE,/* not a sale, refunded already, nothing left to refund */
    AT_NOTE_REFUSED,       /* the backend refused the refund */
    AT_NOTE_PRINT_FAILED,  /* it did not print */
    AT_NOTE_KIOSK,         /* the journal could not write it */
    AT_NOTE_UNFINISHED,    /* the close waits for unfinished items */
    AT_NOTE_SHIFT_FIRST,   /* day close: the open shift has transactions; close it first */
    AT_NOTE_LAST
};

/* A PIN check (EFF_CALL AT_OP_VERIFY's data): the glue asks the backend and, when it does
 * not answer, the cached verifier; it wipes this once used. */
struct at_login {
    char staff_no[AT_STAFF_MAX + 1];
    char pin[AT_PIN_MAX + 1];
    int approval;      /* 1: a supervisor approving (not a login) */
};

/* One line of a sale, as a refund shows it (the glue fills them at AT_OP_TXN_LOAD). */
struct at_line {
    char barcode[24];      /* "" for the fuel line */
    char name[64];         /* in the sale's language pair: the glue picks zh or en (as
                            * long as checkout keeps them) */
    int64_t qty;           /* units (shop) or ml (fuel) */
    int64_t amount_fen;    /* what the line was paid, after its share of nothing: its own
                            * price x qty */
    int refunded;          /* refunded already */
    int chosen;            /* chosen for this refund */
};

/* A refund as it is asked (EFF_CALL AT_OP_REFUND's data). */
struct at_refund {
    char txn_no[AT_TXN_MAX + 1];
    int whole;             /* the whole sale */
    int nlines;
    struct at_line lines[AT_LINES_MAX];
    int64_t amount_fen;    /* the sum refunded */
    int reason;            /* index into at_reasons */
    char approver[AT_STAFF_MAX + 1];
};

/* A refund as the flow asks for it (EFF_CALL AT_OP_REFUND's data): the lines chosen are
 * bits of `chosen` over the flow's refund.lines (the glue read them). */
struct at_refund_ask {
    char txn_no[AT_TXN_MAX + 1];
    int whole;
    uint32_t chosen;
    int64_t amount_fen;
    int reason;
    char approver[AT_STAFF_MAX + 1];
};

/* Refund reasons offered (message ids, the glue records the index and the English). */
extern const char *const at_reasons[];
#define AT_REASONS 4

enum at_input {
    AT_IN_DOOR,        /* the station name was held: the staff-number keypad */
    AT_IN_CARD,        /* a staff card: text = its staff number (the PIN keypad) */
    AT_IN_KEY,         /* a keypad: text = a digit, "del", "clear" or "ok" */
    AT_IN_SCAN,        /* a code scanned (TXN: a receipt's QR or barcode, as typed) */
    AT_IN_CHOOSE,      /* MENU: index = enum at_op chosen; SERVICE: index = a message (-1:
                        * back in service); CLOSED: print the report again;
                        * LINES: index = a line to toggle (-1: the whole sale); HEALTH:
                        * index = a parked record (with op RETRY or HANDLED) */
    AT_IN_REASON,      /* LINES: index = a reason */
    AT_IN_NEXT,        /* the screen's primary button (close and print, refund, OK) */
    AT_IN_CARRY,       /* UNFINISHED: close with them carried over (a supervisor) */
    AT_IN_BACK,        /* back (MENU: log out) */
    AT_IN_DONE,        /* operation index (enum at_op) ended: ok; role for VERIFY; note */
    AT_IN_CUSTOMER,    /* a customer is at the kiosk (a card that is not a staff card):
                        * logged out at once */
    AT_IN_TICK,
};

struct at_event {
    enum at_input in;
    const char *text;
    int index, ok;
    int role;          /* DONE of VERIFY: enum at_role */
    enum at_note note; /* DONE: why not */
    int needs_approval;/* DONE of TXN_LOAD: a depot ticket (a reprint needs a supervisor) */
    int unfinished;    /* DONE of SHIFT_LOAD: items not finished yet */
    const char *name;  /* DONE of VERIFY: the staff member's name */
    const struct at_refund *refund; /* DONE of TXN_LOAD for a refund: the sale's lines,
                                     * and in amount_fen what is left to refund */
};

/* The whole flow: the view model the screens read (with the glue's view). */
struct at_flow {
    enum at_state state;
    enum at_op op;             /* SUMMARY/TXN/WORKING/CLOSED/RESULT: what for */
    enum at_op after_approval; /* what runs once a supervisor approved */
    enum at_note note;
    int busy;                  /* a spinner */
    int64_t wait_until;        /* the deadline of what is in flight, or 0 */
    int64_t last_touch;        /* logged out AT_IDLE_MS after */
    int by_card;               /* logged in with a staff card */
    char typed[AT_TXN_MAX + 1];/* the keypad's digits (STAFF_NO, TXN, APPROVE_NO) */
    char pin[AT_PIN_MAX + 1];  /* PIN, APPROVE_PIN: wiped when it moves into the effect */
    char staff_no[AT_STAFF_MAX + 1]; /* who is logging in, then who is logged in */
    char name[32];
    enum at_role role;
    char approver[AT_STAFF_MAX + 1]; /* the supervisor who approved the operation */
    int tries_left;
    int64_t locked_until;      /* LOCKED: until then */
    struct at_lock {
        char staff_no[AT_STAFF_MAX + 1];
        int wrong;             /* wrong PINs in a row */
        int64_t until;         /* locked until, or 0 */
    } locks[AT_LOCKS];
    int locks_changed;         /* a count or a lock changed: the glue keeps them (then
                                * clears this) */
    char txn[AT_TXN_MAX + 1];  /* TXN: the transaction found */
    int unfinished;            /* UNFINISHED: how many (the glue's view lists them) */
    int carry;                 /* a supervisor carried them over */
    struct at_refund refund;   /* LINES: what is being refunded */
    int64_t refundable_fen;    /* LINES: what is left of the sale to refund */
    enum at_op closed;         /* CLOSED: AT_OP_SHIFT_CLOSE or AT_OP_DAY_CLOSE */
    int oos_message;           /* SERVICE: the message chosen */
};

void at_init(struct at_flow *f);
void at_step(struct at_flow *f, const struct at_event *e, int64_t now, struct effects *out);
int64_t at_deadline(const struct at_flow *f);
const char *at_state_name(enum at_state s);
/* 1 while a staff member is logged in (MENU and everything after it). */
int at_logged_in(const struct at_flow *f);

/* The locks as the glue keeps them across a restart (a setting in the journal): a line
 * "<staff_no> <wrong> <until>" for each staff number with wrong PINs counted, `until` on
 * the system's clock (unix ms, 0: not locked). `now` is the flow's clock and `sys` the
 * system's at the same instant. Returns the length written, 0 when nothing is counted,
 * -1 when `cap` is too small. */
int at_locks_format(const struct at_flow *f, int64_t now, int64_t sys, char *out, size_t cap);
/* Reads them back at a start: a lock keeps what was left of it, never more than AT_LOCK_MS
 * whatever the clock did meanwhile; lines that do not read are skipped, a staff number's
 * last line counts. Returns the staff numbers with wrong PINs counted now. */
int at_locks_load(struct at_flow *f, const char *text, int64_t now, int64_t sys);

#endif
