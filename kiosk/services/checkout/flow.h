/* Pay for fuel and shop goods: pick the pump, add goods by barcode, member points and
 * coupons, pay by showing a QR or presenting a payment code, get a receipt. A pure state
 * machine (includes core only): inputs (customer actions, backend answers, journal and
 * device reports, time) in, state and effects out. The service's glue (io.c) turns effects
 * into backend calls, journal writes and print jobs, and answers back with inputs. An
 * effect carries what it needs: a call its whole request (struct co_request), an intent,
 * lock or hand-over its record (struct co_intent, co_lock, co_handover); the sale record
 * that EFF_ORDER and EFF_TXN journal is read from the flow by record_from_flow() at the
 * moment of the effect (record.h).
 *
 * Money rules:
 *  - before any money moves, the printer is asked whether it can print; if it cannot, the
 *    customer chooses an on-screen e-receipt or goes back;
 *  - the order (EFF_ORDER) and then the payment intent (EFF_INTENT) are journaled before
 *    the payment call; the intent is settled in the same journal transaction that records
 *    the sale (EFF_TXN) or with a failed outcome (EFF_OUTCOME);
 *  - every payment is driven to PAID, CLOSED or REVERSED; a payment whose answer was lost is
 *    queried, never re-sent with a new out_trade_no; if the station system stops answering
 *    while a payment is being cancelled, the intent is handed to the app's background
 *    settlement (EFF_SETTLE) and the customer is told what happens to the money.
 *
 * A fuel card's recharge (CO_IN_START index 2, handed over by the fuel-card service) is a
 * sale of one line priced by the backend and paid by the same rules; when it is over (paid
 * and its receipt's outcome known, failed and finished, or left before paying) the flow
 * hands the customer back (EFF_HAND_OVER: arg CO_RECHARGED, data the transaction number
 * when it was paid, else "") instead of going home (EFF_HOME). */
#ifndef CHECKOUT_FLOW_H
#define CHECKOUT_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "core/effect.h"

#define CO_MAX_PUMPS 8
#define CO_MAX_SALES 4
#define CO_MAX_ITEMS 10
#define CO_MAX_QTY 99
#define CO_MAX_COUPONS 6
#define CO_MAX_DISCOUNTS 8
#define CO_PHONE_LEN 11

/* Timings (ms), from reference.md section 8. */
#define CO_QR_LIFETIME_MS 120000   /* a native QR is closed after this */
#define CO_QR_POLL_MS 2000
#define CO_USERPAYING_POLL_MS 5000
#define CO_USERPAYING_MAX_MS 60000 /* then cancel: no money taken */
#define CO_RETRY_MS 5000           /* query again after a lost answer */
#define CO_PRINTER_CHECK_MS 3000   /* no answer from the printer: it cannot print */
#define CO_CANCEL_MAX_MS 30000     /* then the cancel goes on in the background */
#define CO_ANSWER_MAX_MS 45000     /* default bound on waiting for any other answer */
#define CO_JOURNAL_MAX_MS 10000    /* a journal write that takes longer has failed */
#define CO_LEASE_MS 180000         /* a sale lock's lease when the backend does not say */
#define CO_RENEW_RETRY_MS 10000    /* a renewal that got no answer is tried again */

enum co_state {
    CO_LOADING,       /* fetching the pumps and their unpaid sales */
    CO_PUMPS,         /* the customer picks a pump */
    CO_SALES,         /* a pump has several unpaid sales: pick one */
    CO_LOCKING,       /* reserving the sale for this kiosk */
    CO_PRICING,       /* the backend prices the order (the page stays on screen) */
    CO_REVIEW,        /* the bill (fuel, goods, discounts) and the ways to pay */
    CO_LOOKUP,        /* a scanned code or typed phone number is being looked up */
    CO_MEMBER,        /* member page: phone keypad, or the member's coupons and points */
    CO_PRINTER_CHECK, /* asking the receipt printer before any money moves */
    CO_NO_PRINTER,    /* it cannot print: pay with an e-receipt instead, or go back */
    CO_JOURNALING,    /* the sale's lock, or the order and payment intent, are being written:
                       * nothing goes out before they are on disk */
    CO_QR_WAIT,       /* creating the native QR payment */
    CO_QR,            /* QR on screen, polling until paid or expired */
    CO_CODE,          /* waiting for the customer's payment code at the scanner */
    CO_PAYING,        /* payment code sent, waiting for the answer */
    CO_USERPAYING,    /* the customer confirms on the phone: query on a schedule */
    CO_CHECKING,      /* the payment's answer was lost: query on a schedule */
    CO_CANCELLING,    /* closing or reversing the payment */
    CO_COMPLETING,    /* paid: the backend marks the sale paid */
    CO_DONE,          /* receipt printed or offered on screen */
    CO_FAILED,        /* stopped: the screen says what happened and whether money moved */
    CO_IDLE,          /* no sale: before the first start, and after the app forgot one */
    CO_LAST
};

enum co_call {
    CO_CALL_PUMPS = 1,    /* GET /v1/pumps */
    CO_CALL_LOCK,         /* POST /v1/sales/{id}/lock */
    CO_CALL_PRICE,        /* POST /v1/orders */
    CO_CALL_PAY,          /* POST /v1/payments (native or micropay) */
    CO_CALL_QUERY,        /* GET /v1/payments/{otn} */
    CO_CALL_CANCEL,       /* POST /v1/payments/{otn}/cancel */
    CO_CALL_COMPLETE,     /* POST /v1/orders/{id}/complete */
    CO_CALL_PRODUCT,      /* GET /v1/products/{barcode} */
    CO_CALL_MEMBER_PHONE, /* GET /v1/members/by-phone/{phone} */
    CO_CALL_MEMBER_QR,    /* GET /v1/members/by-qr/{token} */
    CO_CALL_COUPON,       /* GET /v1/coupons/{code} */
    CO_CALL_RENEW,        /* POST /v1/sales/{id}/lock again: renews the lock's lease */
    CO_CALL_UNLOCK,       /* POST /v1/sales/{id}/unlock (background settlement only) */
    CO_CALL_LAST
};

/* What went wrong, for the failure screen. */
enum co_error {
    CO_OK,
    CO_ERR_OFFLINE,       /* the station system did not answer */
    CO_ERR_SALE_TAKEN,    /* paid already, or another terminal is taking payment */
    CO_ERR_DECLINED,      /* the payment was refused (insufficient funds, bad code) */
    CO_ERR_NOT_CONFIRMED, /* the customer did not confirm in time: cancelled */
    CO_ERR_QR_EXPIRED,    /* nobody paid the QR in time: closed */
    CO_ERR_CANCELLED,     /* the customer cancelled */
    CO_ERR_REVERSED,      /* paid, then reversed: the money goes back */
    CO_ERR_NOT_MADE,      /* the payment could not be made (no answer, then closed) */
    CO_ERR_KIOSK,         /* this kiosk cannot record payments now (journal) */
    CO_ERR_UNSETTLED,     /* cancelling did not finish: it goes on in the background */
    CO_ERR_TERMINAL,      /* the station system refused this kiosk (credentials, clock) */
    CO_ERR_UNKNOWN,       /* the payment's outcome could not be learnt: settled in the
                           * background (completed if it went through, else cancelled) */
    CO_ERR_CARD_BLOCKED,  /* a recharge: the fuel card is reported lost or blocked */
    CO_ERR_CARD_UNKNOWN,  /* a recharge: the station system does not know the card */
    CO_ERR_CARD_EXPIRED,  /* a recharge: the card has expired */
    CO_ERR_RECHARGE_LIMIT, /* a recharge: over what the card may still take today */
    CO_ERR_LAST
};

/* Notices on the bill, member and payment-code pages. */
enum co_notice {
    CO_NOTE_NONE,
    CO_NOTE_NOT_PAYCODE,    /* scanned something that is not a WeChat/Alipay payment code */
    CO_NOTE_NOT_BARCODE,    /* digits like a barcode, but the check digit is wrong */
    CO_NOTE_UNKNOWN_ITEM,   /* a valid barcode the station does not sell */
    CO_NOTE_CART_FULL,
    CO_NOTE_LOOKUP_FAILED,  /* the station system did not answer a lookup */
    CO_NOTE_UNKNOWN_CODE,   /* not a product, member, coupon or payment code */
    CO_NOTE_BAD_PHONE,      /* not an 11-digit mobile number */
    CO_NOTE_NO_MEMBER,      /* no member with that phone number or code */
    CO_NOTE_COUPON_UNKNOWN, /* no such coupon */
    CO_NOTE_COUPON_USED,    /* the coupon was used already */
    CO_NOTE_COUPON_NOT_APPLICABLE, /* minimum spend not met, or not this member's */
    CO_NOTE_COUPONS_FULL,
    CO_NOTE_PAY_FIRST,      /* a payment code scanned while there is nothing to pay */
    CO_NOTE_BAD_SCAN,       /* the scan held characters no code can contain: refused whole */
    /* a code scanned where this step takes none: what to do instead */
    CO_NOTE_PICK_PUMP_FIRST,/* pump grid: choose the pump, then scan on the bill */
    CO_NOTE_QR_ONLY,        /* QR on screen: the phone scans it; no payment code read here */
    CO_NOTE_IN_PROGRESS,    /* a payment or a question is in progress: wait */
    CO_NOTE_SALE_DONE,      /* paid: finish, then start a new sale */
    CO_NOTE_FAILED_FIRST,   /* failure screen: try again or finish first */
    CO_NOTE_RECHARGE_ONLY,  /* a card recharge's bill: only a payment code is taken here */
};

struct co_sale {
    char id[24];
    int pump;
    char grade[12];
    int64_t volume_ml, price_fen, amount_fen;
    int locked_elsewhere;
};

struct co_pump {
    int pump;
    int nsales;
    struct co_sale sales[CO_MAX_SALES];
};

enum co_mode { CO_PAY_NONE, CO_PAY_QR, CO_PAY_CODE };

struct co_item {
    char barcode[16];
    char name_zh[64], name_en[64];
    int64_t unit_fen;
    int qty;
};

/* A discount line as the backend priced it (amount negative). */
struct co_discount {
    char kind[12]; /* member, coupon, points */
    char label_zh[48], label_en[48];
    int64_t amount_fen;
};

struct co_coupon {
    char id[24];
    char title_zh[48], title_en[48];
    int64_t off_fen, min_spend_fen;
    int selected; /* applied to this bill */
    int scanned;  /* brought as a QR code (not from the member's wallet) */
};

/* The member, as the backend shows them: masked name and phone. */
struct co_member {
    char id[24];
    char name_masked[32];
    char phone_masked[16];
    char level[12];           /* gold, silver, standard */
    int64_t points;
    int64_t point_value_fen;  /* what one point pays */
};

/* The backend's pricing of the bill. */
struct co_priced {
    int64_t subtotal_fen, total_fen;
    int ndiscounts;
    struct co_discount discounts[CO_MAX_DISCOUNTS];
    int64_t points_used, points_earned, points_available;
    int64_t recharge_fen;     /* its fuel-card recharge line's amount (0: none) */
    char recharge_masked[24]; /* ... and the card as the backend masks it */
};

/* A fuel-card recharge's bounds (fen) and its card number's length. */
#define CO_RECHARGE_MIN_FEN 100
#define CO_RECHARGE_MAX_FEN 100000000
#define CO_CARD_NO_LEN 16

/* What the app configures per sale. */
struct co_config {
    int reprint_ms;          /* how long "print again" is offered; 0 = not offered */
    int call_max_ms;         /* the longest a state waits for a backend answer (the client's
                              * own timeouts and retries fit in it); 0 = CO_ANSWER_MAX_MS */
    int64_t points_max;      /* most points one order may use; 0 = as the station allows */
    const char *member_prefix, *coupon_prefix; /* member / coupon QR payloads start so */
};

struct co_flow {
    enum co_state state;
    int64_t now_ms;           /* the time of the input being handled */
    enum co_state page;       /* CO_REVIEW or CO_MEMBER: the page under a lookup/pricing */
    struct co_config cfg;
    char txn_no[40];          /* this sale's number; order and payment ids derive from it */
    char order_id[48];
    struct co_pump pumps[CO_MAX_PUMPS];
    int npumps;
    int pump_idx;             /* the pump picked */
    int shop;                 /* started as shop goods only (no pump) */
    int recharge;             /* a fuel card's recharge: one line, no pump, items, member,
                               * coupons or points; the customer goes back to the service
                               * that asked for it (EFF_HAND_OVER) */
    char recharge_card[CO_CARD_NO_LEN + 1]; /* the card's number (16 digits) */
    int64_t recharge_fen;     /* the amount to recharge */
    int has_sale;             /* a fuel sale is on the bill (shop-only purchases have none) */
    struct co_sale sale;      /* the sale being paid */
    int locked;               /* the sale is locked for this kiosk (journaled, not released) */
    enum co_state after;      /* CO_JOURNALING: CO_LOCKING, or the payment's state */
    int64_t renew_ms;         /* when the lock's lease is renewed next */
    int64_t lease_ms;         /* the lease the backend gave the lock */
    int renewals;             /* each renewal is its own request */
    struct co_item items[CO_MAX_ITEMS];
    int nitems;
    char pending_code[48];    /* the barcode / member or coupon code being looked up */
    char held_scan[64];       /* scanned while the bill was being priced: taken when it is */
    enum co_call lookup_call; /* the lookup in flight (CO_LOOKUP) */
    char phone[CO_PHONE_LEN + 1]; /* digits typed on the member keypad */
    int has_member;
    struct co_member member;
    struct co_coupon coupons[CO_MAX_COUPONS];
    int ncoupons;
    int last_coupon;          /* the coupon toggled last (undone if it does not apply) */
    int use_points;
    int pricing_round;        /* each repricing is its own request */
    int priced;               /* the bill has been priced at least once */
    struct co_priced price;
    int64_t total_fen;
    enum co_mode mode;        /* the payment being made, or asked for */
    char channel[12];         /* wechat, alipay, unionpay, ecny */
    int e_receipt;            /* the customer agreed to an on-screen receipt (no printer) */
    int attempt;              /* payment attempts: a new out_trade_no each */
    char otn[40];             /* out_trade_no of the current payment */
    char code_url[200];       /* native QR contents */
    char auth_code[32];       /* the customer's payment code until its request carries it */
    char code_masked[32];
    char pay_status[16];
    int64_t deadline_ms, next_query_ms;
    int query_inflight;       /* a payment query is on its way: never two at once */
    int unusable;             /* the last answer about the payment could not be used: it is
                               * queried before anything may cancel or reverse it */
    int cancel_sent;          /* a cancel is on its way (else CANCELLING asks first) */
    int intent_open;          /* a payment intent is journaled and not settled */
    enum co_error error;
    int money_moved;          /* for the failure screen: 0 no, 1 taken, -1 returned, 2 unknown */
    enum co_notice message;   /* a passing notice for the customer */
    int printed;              /* 0 printing, 1 printed, -1 not printed */
    int64_t done_ms;          /* when the sale finished (the reprint window starts) */
};

/* What a sale starts as (CO_IN_START's index). */
enum co_start {
    CO_START_FUEL,     /* pick the pump, then the bill */
    CO_START_SHOP,     /* shop goods only: an empty bill to scan into */
    CO_START_RECHARGE, /* a fuel card's recharge, handed over by the fuel-card service */
};

enum co_input {
    CO_IN_START,         /* text = the transaction number; index = enum co_start (a recharge:
                          * text2 = the card number, amount = the fen to recharge); cfg = what
                          * the app configures */
    CO_IN_PUMPS,         /* pumps/npumps filled */
    CO_IN_PICK_PUMP,     /* index */
    CO_IN_PICK_SALE,     /* index */
    CO_IN_LOCKED,        /* amount = the lock's lease (ms), 0 if the backend did not say */
    CO_IN_PRICED,        /* priced */
    CO_IN_PRODUCT,       /* text = name_zh, text2 = name_en, amount = unit price */
    CO_IN_MEMBER,        /* member, coupons/ncoupons: found by phone or QR */
    CO_IN_COUPON,        /* coupons[0]: a scanned coupon */
    CO_IN_ITEM_MORE,     /* index: one more of item i */
    CO_IN_ITEM_LESS,     /* index: one less (removed at zero) */
    CO_IN_OPEN_MEMBER,   /* the member page */
    CO_IN_KEY,           /* member keypad: text = "0".."9" or "del" */
    CO_IN_PHONE_OK,      /* look up the typed phone number */
    CO_IN_MEMBER_DONE,   /* back to the bill */
    CO_IN_MEMBER_FORGET, /* take the member (and their coupons and points) off the bill */
    CO_IN_TOGGLE_COUPON, /* index */
    CO_IN_TOGGLE_POINTS,
    CO_IN_PAY_QR,        /* text = channel */
    CO_IN_PAY_CODE,
    CO_IN_PRINTER,       /* ok: the printer can print */
    CO_IN_CONTINUE,      /* pay without a paper receipt (the printer cannot print) */
    CO_IN_SCAN,          /* text = the scanned code; ok = 0: it held characters no code has */
    CO_IN_PAYMENT,       /* text = payment status, text2 = code_url; call = the call answered */
    CO_IN_COMPLETED,
    CO_IN_CALL_FAILED,   /* call, err_code (or "" for no answer), unknown = maybe applied */
    CO_IN_JOURNALED,  /* what CO_JOURNALING waits for is on disk (ok = 0: it could not be) */
    CO_IN_PRINTED,       /* ok */
    CO_IN_CANCEL,        /* the customer's cancel / back */
    CO_IN_TICK,
    CO_IN_FINISH,        /* the customer is done */
    CO_IN_RETRY,         /* after a failure where nothing moved: back to the bill */
    CO_IN_REPRINT,       /* print the receipt again (done screen, within the reprint window) */
    CO_IN_LEAVE,         /* the customer's session ended (finished, timed out, the kiosk
                          * stops): a payment in flight is settled in the background
                          * (EFF_SETTLE, completed if it went through), a lock released, and
                          * the sale forgotten (CO_IDLE) */
};

/* What a call needs beyond its kind, carried in its EFF_CALL effect's data: the glue builds
 * the request from this and nothing else (api.c). */
struct co_request {
    enum co_call call;
    char subject[48];         /* sale id, out_trade_no, order id, barcode, code or phone */
    char txn_no[40];          /* idempotency keys derive from it */
    int round;                /* pricing round, renewal number: a new key each */
    /* a payment */
    char otn[40], order_id[48];
    int64_t amount_fen;
    int native;               /* a QR to show (else the customer's payment code) */
    char channel[12];
    char auth_code[32];       /* the payment code: its only copy; wiped once sent */
    /* the bill to price */
    char sale_id[24];
    int nitems;
    struct {
        char barcode[16];
        int qty;
    } items[CO_MAX_ITEMS];
    char member_id[24];
    int ncoupons;
    char coupon_ids[CO_MAX_COUPONS][24];
    int64_t points;
    /* or a fuel card's recharge (then none of the above) */
    char recharge_card[CO_CARD_NO_LEN + 1];
    int64_t recharge_fen;
};

/* What the payment intent journals (EFF_INTENT's data): enough to settle it after a crash. */
struct co_intent {
    char txn_no[40], order_id[48], sale_id[24];
    int64_t amount_fen;
    int native;
    char channel[12];
    char code_masked[32];
};

/* A pump sale's lock for this kiosk: what EFF_LOCK journals and EFF_RELEASE gives back. */
struct co_lock {
    char txn_no[40], sale_id[24];
    int64_t lease_ms;         /* its lease: a release stops trying once it is surely over */
};

/* A payment the flow stops waiting for (EFF_SETTLE's data): its number and intent, and the
 * sale's lock when that goes with it (released once the payment is closed). */
struct co_handover {
    char otn[40];
    struct co_intent intent;
    int locked;
    struct co_lock lock;
};

struct co_event {
    enum co_input in;
    int index;
    const char *text, *text2;
    int64_t amount;
    const struct co_pump *pumps;
    int npumps;
    const struct co_priced *priced;
    const struct co_member *member;
    const struct co_coupon *coupons;
    int ncoupons;
    const struct co_config *cfg;
    enum co_call call;
    const char *err_code;
    int unknown;
    int ok;
};

void co_init(struct co_flow *c);
void co_step(struct co_flow *c, const struct co_event *e, int64_t now, struct effects *out);
/* When the flow next needs a CO_IN_TICK, or INT64_MAX. */
int64_t co_deadline(const struct co_flow *c);
/* The flow waits for the answer to call `k` now. The app withdraws a call in flight that the
 * flow no longer waits for (a superseded request is never re-sent). */
int co_waits_for(const struct co_flow *c, enum co_call k);
const char *co_state_name(enum co_state s);
/* Wipes the customer's payment code (it moves into the payment's request, or is given up). */
void co_forget_code(struct co_flow *c);
/* "Print again" is offered on the done screen for reprint_ms after the sale. */
int co_can_reprint(const struct co_flow *c, int64_t now);
/* The flow holds money in flight: the session must not be discarded under it. */
int co_busy(const struct co_flow *c);
/* The wallet a channel names ("wechat" -> "WeChat"), as a message id to translate. */
const char *co_channel_label(const char *channel);
/* Points the next pricing asks to use. */
int64_t co_points_wanted(const struct co_flow *c);

/* What a recharge's hand-back names: the service that asked for it takes this. */
#define CO_RECHARGED "card.recharged"
/* A recharge as another service hands it over: "<card_no> <amount_fen>" (16 digits, one
 * space, the fen in [CO_RECHARGE_MIN_FEN, CO_RECHARGE_MAX_FEN]). Fills card (17 bytes) and
 * *fen; 0, or -1 for anything else (then both are left empty). */
int co_recharge_parse(const char *arg, char card[CO_CARD_NO_LEN + 1], int64_t *fen);
/* A card number for the screen and the slip: "1000 **** **** 2001" (grouped = 0) or, for
 * the journal (which refuses a run of 16 digits), "1000 1133 0000 2001" (grouped = 1). ""
 * for anything but 16 digits. */
void co_card_format(const char *card_no, int grouped, char *out, size_t cap);
#endif
