/* The e-invoice flow (数电发票): which sales, the buyer, delivery, a preview, issuing, and
 * what the backend said. Pure: events in, state and effects out (core/effect.h); no SDL,
 * no curl, no SQLite. The glue (io.c) turns taps, scans and answers into events and runs
 * the effects; the screens (screens.c) read the state.
 *
 *   COLLECT --scan/type--> (lookup) --Next--> DELIVERY (title: individual by default;
 *      ^                                                  phone and/or email) --Next--> PREVIEW
 *   TXN keypad                 DELIVERY --company--> TAXID --(lookup)--> COMPANY --> DELIVERY
 *                              DELIVERY/TAXID --title QR--> (resolve) --> COMPANY or DELIVERY
 *   PREVIEW --Issue--> ISSUING --ISSUED--> ISSUED (number, QR, slip)
 *           --PENDING / no answer by 10 s--> SUBMITTED
 *           --refused--> REFUSED (what to do) / EXISTING (already invoiced: resend, correct)
 *
 * A sale handed over by checkout's done screen starts with its lookup, and goes on to
 * delivery by itself: for an individual to a phone, 3 taps and 11 digits from the done
 * screen. Phone numbers and emails live only here, and only until the session
 * ends (inv_wipe). */
#ifndef INVOICE_FLOW_H
#define INVOICE_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "core/effect.h"

#define INV_MAX_SALES 10      /* however many the backend allows, at most this */
#define INV_MAX_LINES 24      /* invoice lines across the sales */
#define INV_MAX_EXCLUDED 8
#define INV_TXN_LEN 24        /* T0001-20261123-000042 */
#define INV_TXN_DIGITS 18     /* what the customer types: the digits of it */
#define INV_TAXID_LEN 20
#define INV_EMAIL_LEN 64
#define INV_NAME_LEN 200      /* a company's name can be very long */
#define INV_NO_LEN 20         /* an invoice number: 20 digits */
#define INV_WAIT_MS 10000     /* issuing longer than this: "submitted", the customer goes */
#define INV_POLL_MS 1500      /* asking after a PENDING request meanwhile */

enum inv_state {
    INV_IDLE,
    INV_COLLECT,     /* the sales to invoice: scan a receipt, or type its number */
    INV_TXN,         /* the transaction-number keypad */
    INV_TAXID,       /* the taxpayer-ID keypad */
    INV_COMPANY,     /* the company the backend found: confirm it */
    INV_DELIVERY,    /* the title (individual, or a company: TAXID; or scan a title QR) and
                      * where to send it: phone and/or email */
    INV_PREVIEW,     /* the invoice as it will be issued */
    INV_ISSUING,     /* asked; waiting up to INV_WAIT_MS */
    INV_ISSUED,      /* the number and the download QR */
    INV_SUBMITTED,   /* the tax system is slow: it will be sent */
    INV_EXISTING,    /* the sale is invoiced already: that invoice; resend or correct */
    INV_RESENT,      /* sent again */
    INV_REFUSED,     /* a rule says no: why and what to do */
    INV_STATE_LAST
};

/* The backend calls (the glue's api.c builds them). */
enum inv_call {
    INV_CALL_NONE,
    INV_CALL_SALE,     /* GET /v1/invoices/sales/{ref} */
    INV_CALL_COMPANY,  /* GET /v1/companies/{tax_id} */
    INV_CALL_TITLE,    /* POST /v1/invoices/titles */
    INV_CALL_ISSUE,    /* POST /v1/invoices (or .../reissue when correcting) */
    INV_CALL_STATUS,   /* GET /v1/invoices/requests/{key} */
    INV_CALL_RESEND,   /* POST /v1/invoices/{no}/resend */
    INV_CALL_CLOSE,    /* POST /v1/invoices/requests/{key}/close: the glue's, for a request
                        * nobody waits for (what became of it; never seen: closed for good) */
    INV_CALL_LAST
};

/* What the customer is told (a message each; the screens word them). */
enum inv_note {
    INV_NOTE_NONE,
    INV_NOTE_NOT_RECEIPT,    /* scanned something that is no receipt code */
    INV_NOTE_PAYMENT_CODE,   /* scanned a payment code here: not sent anywhere */
    INV_NOTE_DUPLICATE,      /* that receipt is on the list already */
    INV_NOTE_TOO_MANY,       /* more than the backend's max_merge */
    INV_NOTE_OTHER_STATION,  /* sold at another station */
    INV_NOTE_OTHER_MONTH,    /* fuel of another calendar month: invoice it on its own */
    INV_NOTE_OUT_OF_WINDOW,  /* too old to invoice here */
    INV_NOTE_NOT_FOUND,      /* no such sale */
    INV_NOTE_NOT_PAID,
    INV_NOTE_NOTHING_LEFT,   /* all of it was paid with an invoiced fuel card */
    INV_NOTE_INVOICED,       /* on an invoice already (merge list: taken off) */
    INV_NOTE_BAD_SUMS,       /* the backend's lines do not add up: not shown, not issued */
    INV_NOTE_TXN_SHORT,      /* the keypad's number is not complete */
    INV_NOTE_TAXID_LENGTH,   /* not 15..20 characters */
    INV_NOTE_TAXID_CHECK,    /* 18 characters, check character wrong: refused here */
    INV_NOTE_COMPANY_UNKNOWN,
    INV_NOTE_TITLE_UNKNOWN,  /* the title QR is not known (expired?) */
    INV_NOTE_PHONE_BAD,
    INV_NOTE_EMAIL_BAD,
    INV_NOTE_NO_DELIVERY,    /* neither phone nor email */
    INV_NOTE_OFFLINE,        /* the station system did not answer: try again */
    INV_NOTE_UNUSABLE,       /* it answered what the kiosk cannot use */
    INV_NOTE_OVER_LIMIT,     /* more than the kiosk may invoice: the counter issues it */
    INV_NOTE_REFUSED,        /* the lookup was refused for a reason the kiosk does not know */
    INV_NOTE_LAST
};

/* Why an issue was refused (INV_REFUSED). */
enum inv_refusal {
    INV_REF_NONE,
    INV_REF_STOCK,           /* refined-oil stock: ask at the counter */
    INV_REF_RECHARGE,        /* the fuel card's recharge was invoiced (充值已开票) */
    INV_REF_COUNTER,         /* over the kiosk's limit: at the counter */
    INV_REF_WINDOW,          /* too old */
    INV_REF_MERGE,           /* these sales cannot go on one invoice */
    INV_REF_REISSUE_LIMIT,   /* the title was corrected already */
    INV_REF_JOURNAL,         /* the kiosk could not keep its record: nothing was asked */
    INV_REF_OTHER,           /* anything else the backend refused */
};

/* One line as the invoice shows it. Money in fen; amount excludes tax. */
struct inv_line {
    char name[96];           /* "*汽油*92号车用汽油" */
    char unit[12];           /* "升", "瓶", "" for a discount or a recharge line */
    int discount;            /* a discount line (negative amounts) */
    int64_t qty_ml;          /* fuel: millilitres (0 otherwise) */
    int64_t qty;             /* goods: pieces; 0 with qty_ml 0: no quantity (a recharge) */
    int64_t price_fen;       /* per litre or piece, tax included; 0 without a quantity */
    int rate_pct;
    int64_t amount_fen, tax_fen;
    int not_taxable;         /* rate 0 because 不征税 (zero_rate NOT_TAXABLE): a recharge */
};

/* What is not invoiced, and why (greyed out). */
struct inv_excluded {
    char reason[20];         /* POINTS, COUPON, PREPAID_INVOICED */
    char label_zh[48], label_en[48];
    int64_t amount_fen;
};

/* An invoice that exists (already invoiced, or just issued). */
struct inv_invoice {
    char number[INV_NO_LEN + 1];
    char status[12];         /* ISSUED, PENDING */
    char buyer_name[INV_NAME_LEN];
    char delivery[72];       /* masked: 138****8000, z***@qq.com */
    char url[200];           /* download (PDF/OFD) */
    char by[12];             /* kiosk, phone, counter */
    int reissues_left;
};

/* A sale as the backend answered it for invoicing. */
struct inv_sale {
    char txn_no[INV_TXN_LEN + 4];
    char station[16];
    int64_t paid_unix;
    int has_fuel;
    int nlines, nexcluded;
    struct inv_line lines[INV_MAX_LINES];
    struct inv_excluded excluded[INV_MAX_EXCLUDED];
    int64_t amount_fen, tax_fen, total_fen;
    int invoiced;            /* `invoice` holds the invoice it is on */
    struct inv_invoice invoice;
    /* the backend's rules */
    int max_merge, window_days, fuel_same_month, reissue_limit;
    int64_t counter_over_fen;
};

/* The buyer (购买方). */
struct inv_buyer {
    int organisation;
    char name[INV_NAME_LEN];
    char tax_id[INV_TAXID_LEN + 1];
    char address[160], phone[32], bank[96], account[40];
    int extras;              /* put address, phone, bank and account on the invoice */
};

/* What an answer brought (api.c fills it; only the part of its call). */
struct inv_answer {
    int ok;                  /* 2xx and readable */
    int transport;           /* no answer at all (down, timeout) */
    int status;              /* HTTP status */
    char code[40];           /* the error's code */
    struct inv_sale sale;    /* INV_CALL_SALE */
    struct inv_buyer buyer;  /* INV_CALL_COMPANY, INV_CALL_TITLE (name, tax id, extras) */
    char issue_status[12];   /* INV_CALL_ISSUE, _STATUS, _CLOSE: ISSUED, PENDING, REFUSED;
                              * CLOSE also CLOSED (never seen, and now never issued) */
    struct inv_invoice invoice; /* ISSUE/STATUS: the invoice; ALREADY_INVOICED: the old one */
    char detail[96];         /* a refusal's detail (the product short of stock) */
};

enum inv_input {
    INV_IN_START,            /* the home tile */
    INV_IN_TAKE,             /* handed over with a sale: text = its txn_no */
    INV_IN_SCAN,             /* text = the code (ok 0: not a code) */
    INV_IN_KEY,              /* a keypad key: text = what it types, "del" or "ok" */
    INV_IN_TYPE_TXN,         /* open the transaction keypad */
    INV_IN_REMOVE,           /* take sale `index` off the list */
    INV_IN_NEXT,             /* the screen's primary "continue" */
    INV_IN_BACK,
    INV_IN_INDIVIDUAL,       /* delivery: the title is the customer's own */
    INV_IN_ORGANISATION,     /* delivery: a company's (its tax ID next) */
    INV_IN_EXTRAS,           /* the company's screen: its address, phone and bank on the
                              * invoice, or not */
    INV_IN_FIELD,            /* delivery: edit field `index` (0 phone, 1 email) */
    INV_IN_SHIFT,            /* email keyboard: capitals */
    INV_IN_ISSUE,
    INV_IN_PRINT,            /* print the "invoice issued" slip */
    INV_IN_RESEND,           /* existing invoice: send it again to the delivery typed */
    INV_IN_CORRECT,          /* existing invoice: correct its title (red-letter + reissue) */
    INV_IN_FINISH,
    INV_IN_ANSWER,           /* call `call` answered: `answer` */
    INV_IN_INTENT_WRITTEN,   /* the issue intent is durable: ok 1, or 0 (journal failed) */
    INV_IN_TICK,
};

struct inv_event {
    enum inv_input in;
    const char *text;
    int index, ok;
    enum inv_call call;
    const struct inv_answer *answer;
};

/* The whole flow: the view model the screens read. */
struct inv_flow {
    enum inv_state state;
    enum inv_note note;              /* what the current screen says above its content */
    enum inv_refusal refusal;
    char refusal_detail[96];
    int busy;                        /* a call the screen waits for (spinner) */
    enum inv_call waiting;           /* which */
    int handed;                      /* came from checkout with its sale */
    /* the sales */
    int nsales;
    struct inv_sale sales[INV_MAX_SALES];
    /* keypads */
    char txn_digits[INV_TXN_DIGITS + 1];
    char taxid[INV_TAXID_LEN + 1];
    /* buyer and delivery */
    struct inv_buyer buyer;
    int field;                       /* delivery: 0 phone, 1 email being typed */
    int shift;
    char phone[12];
    char email[INV_EMAIL_LEN + 1];
    /* the request */
    char idem_key[48];               /* inv- + 40 hex of SHA-256 of the sorted txn_nos */
    int correcting;                  /* the issue is a red-letter reissue of `existing` */
    int resending;                   /* delivery is typed to send `existing` again */
    int offline;                     /* issuing: the station system did not answer; the
                                      * kiosk asks again in the background */
    struct inv_invoice existing;     /* the invoice the sale is on already */
    struct inv_invoice result;       /* what was issued */
    int64_t asked_ms, poll_ms;       /* when the issue was asked; next poll */
    int intent_open;
    int sent;                        /* the issue call is made (its intent is durable) */
    int printed;                     /* slip: 0 none, 1 asked */
};

/* What EFF_CALL carries (data): the call and its subject; the issue's body comes from the
 * flow's state (inv_flow's sales, buyer, phone, email), as the glue builds it then. */
struct inv_request {
    enum inv_call call;
    char subject[208];               /* ref, tax id, title QR text, invoice number, key */
    int reissue;                     /* ISSUE: correct `subject`'s invoice */
};

void inv_init(struct inv_flow *f);
void inv_step(struct inv_flow *f, const struct inv_event *e, int64_t now, struct effects *out);
/* When the flow next needs INV_IN_TICK, or INT64_MAX. */
int64_t inv_deadline(const struct inv_flow *f);
/* The screen of the state: inv_collect, inv_txn, inv_taxid, inv_company,
 * inv_delivery, inv_preview, inv_issuing, inv_issued, inv_submitted, inv_existing,
 * inv_resent, inv_refused. */
const char *inv_screen_name(const struct inv_flow *f);
/* The sums of what will be invoiced (every sale's lines). */
void inv_totals(const struct inv_flow *f, int64_t *amount, int64_t *tax, int64_t *total);
/* 1 if a sale's lines add up to its amount, tax and total (checked before showing). */
int inv_sale_adds_up(const struct inv_sale *s);
/* The transaction number a scanned text names, into out: "T0001-20261123-000042" or
 * "T000120261123000042" (a release slip's barcode); or the token of a receipt's e-invoice
 * link (the last part of an http(s) address). 1 if it names one. Bare digits are not one:
 * a payment code is 18 digits too. */
int inv_ref_of(const char *text, char *out, size_t cap);
/* `s` in groups of `group` for reading back (and for the journal, which keeps no run of 16
 * digits): "2611 0000 0000 0000 0012", "9111 0105 MA01 B6F4 2H". Cut to fit `cap`. */
void inv_grouped(const char *s, int group, char *out, size_t cap);
/* 1 if `s` looks like an email address (local@domain.tld, printable ASCII). */
int inv_email_valid(const char *s);
/* Forgets what the customer typed (phone, email, names): memory wiped. */
void inv_wipe(struct inv_flow *f);

#endif
