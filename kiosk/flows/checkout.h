/* Pay for fuel: pick the pump, see the sale, pay by showing a QR or presenting a payment
 * code, get a receipt. A pure state machine: inputs (customer actions, backend answers,
 * time) in, state and effects out. The app turns effects into backend calls, journal
 * writes and print jobs, and answers back with inputs.
 *
 * Money rule: the payment intent is journaled (EFF_INTENT) before the payment call; every
 * payment is driven to PAID, CLOSED or REVERSED; a payment whose answer was lost is queried,
 * never re-sent with a new out_trade_no. */
#ifndef KIOSK_FLOWS_CHECKOUT_H
#define KIOSK_FLOWS_CHECKOUT_H

#include <stdint.h>

#include "kiosk/flows/effect.h"

#define CO_MAX_PUMPS 8
#define CO_MAX_SALES 4
#define CO_MAX_ITEMS 10
#define CO_MAX_QTY 99

/* Timings (ms), from reference.md section 8. */
#define CO_QR_LIFETIME_MS 120000   /* a native QR is closed after this */
#define CO_QR_POLL_MS 2000
#define CO_USERPAYING_POLL_MS 5000
#define CO_USERPAYING_MAX_MS 60000 /* then cancel: no money taken */
#define CO_RETRY_MS 5000           /* query again after a lost answer */

enum co_state {
    CO_LOADING,    /* fetching the pumps and their unpaid sales */
    CO_PUMPS,      /* the customer picks a pump */
    CO_SALES,      /* a pump has several unpaid sales: pick one */
    CO_LOCKING,    /* reserving the sale for this kiosk */
    CO_PRICING,    /* the backend prices the order */
    CO_REVIEW,     /* the bill (fuel and shop goods) and the ways to pay */
    CO_LOOKUP,     /* a scanned barcode is being looked up */
    CO_QR_WAIT,    /* creating the native QR payment */
    CO_QR,         /* QR on screen, polling until paid or expired */
    CO_CODE,       /* waiting for the customer's payment code at the scanner */
    CO_PAYING,     /* payment code sent, waiting for the answer */
    CO_USERPAYING, /* the customer confirms on the phone: query on a schedule */
    CO_CANCELLING, /* closing or reversing the payment */
    CO_COMPLETING, /* paid: the backend marks the sale paid */
    CO_DONE,       /* receipt printed or offered */
    CO_FAILED,     /* stopped: the screen says what happened and whether money moved */
    CO_LAST
};

enum co_call {
    CALL_PUMPS = 1,  /* GET /v1/pumps */
    CALL_LOCK,       /* POST /v1/sales/{id}/lock */
    CALL_UNLOCK,     /* POST /v1/sales/{id}/unlock */
    CALL_PRICE,      /* POST /v1/orders */
    CALL_PAY,        /* POST /v1/payments (native or micropay) */
    CALL_QUERY,      /* GET /v1/payments/{otn} */
    CALL_CANCEL,     /* POST /v1/payments/{otn}/cancel */
    CALL_COMPLETE,   /* POST /v1/orders/{id}/complete */
    CALL_PRODUCT,    /* GET /v1/products/{barcode} */
};

/* What went wrong, for the failure screen. */
enum co_error {
    CO_OK,
    CO_ERR_OFFLINE,     /* the station system did not answer */
    CO_ERR_SALE_TAKEN,  /* paid already, or another terminal is taking payment */
    CO_ERR_DECLINED,    /* the payment was refused (insufficient funds, closed) */
    CO_ERR_NOT_CONFIRMED, /* the customer did not confirm in time: cancelled */
    CO_ERR_QR_EXPIRED,  /* nobody paid the QR in time: closed */
    CO_ERR_CANCELLED,   /* the customer cancelled */
    CO_ERR_REVERSED,    /* paid, then reversed: the money goes back */
    CO_ERR_LAST
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

/* Notices on the bill and payment-code screens. */
enum co_notice {
    CO_NOTE_NONE,
    CO_NOTE_NOT_PAYCODE,  /* scanned something that is not a WeChat/Alipay payment code */
    CO_NOTE_NOT_BARCODE,  /* not an EAN-13/EAN-8 with a valid check digit */
    CO_NOTE_UNKNOWN_ITEM, /* a valid barcode the station does not sell */
    CO_NOTE_CART_FULL,
    CO_NOTE_LOOKUP_FAILED /* the station system did not answer the lookup */
};

struct checkout {
    enum co_state state;
    char txn_no[40];          /* this sale's number; order and payment ids derive from it */
    struct co_pump pumps[CO_MAX_PUMPS];
    int npumps;
    int pump_idx;             /* the pump picked */
    int has_sale;             /* a fuel sale is on the bill (shop-only purchases have none) */
    struct co_sale sale;      /* the sale being paid */
    struct co_item items[CO_MAX_ITEMS];
    int nitems;
    char pending_code[16];    /* the barcode being looked up */
    int pricing_round;        /* each repricing is its own request */
    char order_id[48];
    int64_t total_fen;
    enum co_mode mode;
    char channel[12];         /* wechat, alipay, ... */
    int attempt;              /* payment attempts: a new out_trade_no each */
    char otn[40];             /* out_trade_no of the current payment */
    char code_url[200];       /* native QR contents */
    char auth_code[32];       /* the customer's payment code, wiped once sent */
    char code_masked[32];
    char pay_status[16];
    int64_t pay_started_ms, deadline_ms, next_query_ms;
    int intent_open;          /* a payment intent is journaled without an outcome */
    enum co_error error;
    int money_moved;          /* for the failure screen: 0 no, 1 taken, -1 returned */
    enum co_notice message;   /* a passing notice for the customer */
    int printed;              /* 0 pending, 1 printed, -1 not printed */
    int64_t done_ms;          /* when the sale finished (the reprint window starts) */
    int reprint_ms;           /* how long "print again" is offered; 0 = not offered */
};

enum co_input {
    CI_START,       /* text = the transaction number; index 0 = fuel, 1 = shop goods only;
                     * amount = how long reprints are offered (ms) */
    CI_PRODUCT,     /* text = name_zh, text2 = name_en, amount = unit price */
    CI_ITEM_MORE,   /* index: one more of item i */
    CI_ITEM_LESS,   /* index: one less (removed at zero) */
    CI_PUMPS,       /* pumps/npumps filled */
    CI_PICK_PUMP,   /* index */
    CI_PICK_SALE,   /* index */
    CI_LOCKED,
    CI_PRICED,      /* text = order id, amount = total */
    CI_PAY_QR,      /* text = channel */
    CI_PAY_CODE,
    CI_SCAN,        /* text = the scanned code */
    CI_PAYMENT,     /* text = payment status, text2 = code_url */
    CI_COMPLETED,
    CI_CALL_FAILED, /* call, err_code (or "" for no answer), unknown = maybe applied */
    CI_PRINTED,     /* ok */
    CI_CANCEL,      /* the customer's cancel / back */
    CI_TICK,
    CI_FINISH,      /* the customer is done */
    CI_REPRINT,     /* print the receipt again (done screen, within the reprint window) */
};

struct co_event {
    enum co_input in;
    int index;
    const char *text, *text2;
    int64_t amount;
    const struct co_pump *pumps;
    int npumps;
    enum co_call call;
    const char *err_code;
    int unknown;
    int ok;
};

void checkout_init(struct checkout *c);
void checkout_step(struct checkout *c, const struct co_event *e, int64_t now, struct effects *out);
/* When the flow next needs a CI_TICK, or INT64_MAX. */
int64_t checkout_deadline(const struct checkout *c);
const char *checkout_state_name(enum co_state s);
/* Wipes the customer's payment code: the app calls it as soon as the payment request that
 * carries it has been built (the code lives no longer than that). */
void checkout_forget_code(struct checkout *c);
/* "Print again" is offered on the done screen for reprint_ms after the sale. */
int checkout_can_reprint(const struct checkout *c, int64_t now);
/* The flow holds money in flight: the session must not be discarded under it. */
int checkout_busy(const struct checkout *c);

#endif
