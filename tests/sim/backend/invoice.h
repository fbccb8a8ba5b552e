/* E-invoices (数电发票) in the backend simulator (docs/backend-api.md, "E-invoices"): what the
 * invoice modules share. invoice_lines.c turns a paid order into invoice lines,
 * invoice_store.c keeps settings, sales, invoices and requests, routes_invoices.c answers the
 * kiosk, invoice_admin.c the tests, invoice_seed.c seeds the directory and past sales. */
#ifndef SIM_BACKEND_INVOICE_H
#define SIM_BACKEND_INVOICE_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct sim_resp;

#define INV_STATION "ST001" /* the station of every terminal of the simulator */
#define INV_RATE_PCT 13     /* VAT on fuel and shop goods */
#define INV_PREPAID_NAME "*预付卡销售*加油卡充值" /* a fuel card's recharge: 不征税 (no VAT) */
#define INV_MAX_SALES 100   /* sales one request may name at all (max_merge is at most this) */
#define INV_MAX_GOODS 100   /* goods lines of one sale */
#define INV_MAX_EXCLUDED 16 /* coupons (at most 10), points, prepaid */
#define INV_MAX_FEN INT64_C(1000000000) /* no line or sale is bigger: products stay in int64 */
#define INV_TEXT_MAX 300 /* bytes of a buyer's name, address, bank, ... (100 hanzi) */
#define INV_NO_LEN 20    /* digits of an invoice number */
#define INV_DAY_MS INT64_C(86400000)
#define INV_TZ_S (8 * 3600) /* Asia/Shanghai: calendar months are counted in UTC+8 */

/* The rules the backend applies (POST /v1/admin/invoices/settings changes them). */
struct inv_settings {
    int64_t tax_delay_ms;     /* > 0: the tax system answers this late: requests are PENDING */
    int64_t max_merge;        /* sales on one invoice */
    int64_t window_days;      /* a sale is invoiced within this many days of being paid */
    int64_t counter_over_fen; /* a bigger invoice is issued at the counter */
    int64_t reissue_limit;    /* corrections (red-letter + new invoice) per set of sales */
};
/* The settings now (the defaults when the table is empty). */
void inv_settings_get(sqlite3 *db, struct inv_settings *s);

/* ---- sales (invoice_store.c) ---- */

/* A sale as invoicing sees it: a completed (or not yet completed) order that has a
 * transaction number, of a kiosk terminal or seeded. */
struct inv_sale {
    char order_id[72], txn_no[72], token[72], station[16], terminal[32];
    int completed;                /* the order is COMPLETED: the customer paid */
    int64_t paid_ms;              /* when (simulator clock); 0 when not completed */
    int64_t prepaid_invoiced_fen; /* paid with a fuel card whose recharge was invoiced */
    char recharge_mode[12];       /* a fuel card's recharge: the card's invoice_mode (recharge,
                                   * sale); "" for any other sale */
    cJSON *body;                  /* the priced order (owned; inv_sale_free()) */
};
/* Finds the sale whose txn_no or invoice token is `ref`: 1 with *s filled, else 0. */
int inv_sale_find(sqlite3 *db, const char *ref, struct inv_sale *s);
void inv_sale_free(struct inv_sale *s); /* NULL-safe, and safe on a sale never found */
/* 1, with 422 INVOICED_PER_SALE in r, when the sale recharges a fuel card whose
 * invoice_mode is sale: the fuel sales it pays are invoiced, never the recharge; else 0. */
int inv_sale_per_sale_card(const struct inv_sale *s, struct sim_resp *r);
/* 1 if the sale sells fuel. */
int inv_sale_has_fuel(const struct inv_sale *s);
/* The sale's calendar month in UTC+8, as year * 12 + month - 1. */
int64_t inv_month_of(int64_t ms);
/* The id of the invoice a sale is on (PENDING or ISSUED), or 0. */
int64_t inv_current(sqlite3 *db, const char *txn_no);

/* ---- lines (invoice_lines.c) ---- */

/* One line of an invoice. Money in fen; gross = amount + tax, what the customer paid for it
 * (negative on a discount line). */
struct inv_line {
    int discount;   /* 0: goods; 1: a discount line reducing the goods line before */
    int fuel;       /* goods: fuel (qty in ml, unit 升) or a shop item (qty) */
    int prepaid;    /* goods: a fuel card's recharge (预付卡销售): not taxable (不征税), no
                     * quantity, unit or price */
    int rate_pct;   /* VAT: INV_RATE_PCT, 0 on a prepaid line (and the discount of one) */
    char name[200]; /* *汽油*92号车用汽油, *饮料*农夫山泉 550ml */
    char unit[16];
    char grade[8];     /* fuel: the grade, for the station's refined-oil stock */
    int64_t qty;       /* ml of fuel, or pieces */
    int64_t price_fen; /* the price before discounts: per litre, or per piece */
    int64_t gross_fen, amount_fen, tax_fen;
};

/* What a sale pays for and does not: excluded amounts are off the goods lines. */
struct inv_excluded {
    char reason[20]; /* COUPON, POINTS, PREPAID_INVOICED */
    char label_zh[96], label_en[96];
    int64_t amount_fen; /* > 0 */
};

/* A sale's invoice: its lines, what is excluded and the sums. */
struct inv_bill {
    int nlines;
    struct inv_line lines[2 * INV_MAX_GOODS];
    int nexcluded;
    struct inv_excluded excluded[INV_MAX_EXCLUDED];
    int64_t amount_fen, tax_fen, total_fen; /* Σ lines; total = amount + tax */
};

/* The invoice lines of the priced order `order` (borrowed), paid `prepaid_fen` with a fuel
 * card whose recharge was invoiced: coupons, points and that are excluded and taken off the
 * goods lines in proportion, member discounts become discount lines; a fuel card's recharge
 * is one prepaid line, not taxable. 0, or -1 when the order is not one the simulator priced
 * (an unknown grade, sums that do not add up). */
int inv_bill_build(sqlite3 *db, const cJSON *order, int64_t prepaid_fen, struct inv_bill *b);
/* tax_fen of a line of `gross_fen` at rate_pct, tax included: round half up (half away from
 * zero for discount lines). */
int64_t inv_tax_of(int64_t gross_fen, int rate_pct);
/* The invoice's name of a fuel grade (92# -> *汽油*92号车用汽油), or NULL. */
const char *inv_fuel_name(const char *grade);
/* b's lines and excluded amounts as the API shows them (new arrays). */
cJSON *inv_lines_json(const struct inv_bill *b);
cJSON *inv_excluded_json(const struct inv_bill *b);

/* ---- buyers, delivery, checks (invoice_store.c) ---- */

/* A buyer as the request names it (borrowed strings): type individual or organization;
 * the rest "" when absent. */
struct inv_buyer {
    const char *type;
    const char *name, *tax_id, *address, *phone, *bank, *account;
};

/* Reads {"type","name","tax_id","address","phone","bank","account"} from `o`: 0, or -1 with
 * the 400 in r (INVALID_ARGUMENT, INVALID_TAX_ID). */
int inv_read_buyer(const cJSON *o, struct inv_buyer *b, struct sim_resp *r);
/* Reads a {"phone","email"} delivery into `masked` (what is kept: 138****8000, z***@qq.com,
 * both joined by ", "); `required`: one of them must be there. 0, or -1 with the 400 in r
 * (INVALID_ARGUMENT, INVALID_PHONE, INVALID_EMAIL). "" in masked when none was given. */
int inv_read_delivery(const cJSON *o, int required, char *masked, size_t cap, struct sim_resp *r);
/* A tax ID: 15..20 characters of the GB 32100 set; 18 characters: the check character too. */
int inv_taxid_ok(const char *s);
/* z***@qq.com for zhang.san@qq.com */

/* ---- invoices (invoice_store.c) ---- */

/* Who asks for an invoice: the kiosk (terminal and its Idempotency-Key) or the backend's
 * phone page. */
struct inv_ask {
    const char *by;       /* kiosk, phone, counter */
    const char *terminal; /* "" for the phone page */
    const char *key;      /* the request's Idempotency-Key, "" for none */
    int64_t now_ms;
};

/* Issues one invoice for `sales` (n of them, txn_no or token each, borrowed) to `buyer`,
 * delivered to `delivery` (masked), after every rule of POST /v1/invoices; consumes the
 * refined-oil stock. Answers in r as POST /v1/invoices does (or its refusal). The new
 * invoice's id, or 0 when refused. */
int64_t inv_issue(sqlite3 *db, const struct inv_ask *ask, const char *const *sales, int n,
                  const struct inv_buyer *buyer, const char *delivery, struct sim_resp *r);
/* Keeps what became of the request `key` of `terminal` (status ISSUED, PENDING or REFUSED
 * with its code; the invoice, 0 for none), replacing what was kept for that key; its
 * request_id ("IR" and 8 digits) into out. Nothing without a key ("" in out). */
void inv_request_record(sqlite3 *db, const char *terminal, const char *key, const char *status,
                        const char *code, int64_t invoice_id, char *out, size_t cap);
/* The issued invoice numbered `no`: its id, or 0 with 404 NOT_FOUND or 409 NOT_ISSUED
 * (pending, or cancelled by a red-letter invoice) in r. */
int64_t inv_find_issued(sqlite3 *db, const char *no, struct sim_resp *r);
/* Corrects the issued invoice `no` (POST /v1/invoices/{no}/reissue): within the window and
 * reissue_limit, a red-letter invoice cancels it (status RED) and a new one for the same
 * sales goes to `buyer`, to `delivery` (masked; "" for the old invoice's). Answers in r; the
 * new invoice's id, or 0 when refused. */
int64_t inv_reissue(sqlite3 *db, const struct inv_ask *ask, const char *no,
                    const struct inv_buyer *buyer, const char *delivery, struct sim_resp *r);
/* The next invoice number (20 digits: year in UTC+8, region 11, a sequence) into out. */
void inv_number_next(sqlite3 *db, int64_t now_ms, char out[INV_NO_LEN + 1]);
/* The invoice `id` as a sale's "invoice" shows it, or NULL. */
cJSON *inv_invoice_json(sqlite3 *db, int64_t id);
/* The download link of an invoice number into out ("" while there is none). */
void inv_download_url(const char *invoice_no, char *out, size_t cap);

#endif
