/* The e-invoice records of the backend simulator: settings, sales as invoicing knows them,
 * buyers and delivery (kept masked), invoice numbers, and issuing an invoice after every rule
 * of POST /v1/invoices (docs/backend-api.md, "E-invoices"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/codes.h"
#include "invoice.h"
#include "json.h"
#include "sim.h"

/* ---- settings ---- */

void inv_settings_get(sqlite3 *db, struct inv_settings *s)
{
    *s = (struct inv_settings){0, 5, 30, 1000000, 1}; /* the defaults (reset restores them) */
    sqlite3_stmt *st = sim_q(db, "SELECT tax_delay_ms, max_merge, window_days, counter_over_fen,"
                                 " reissue_limit FROM inv_settings WHERE id = 1");
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->tax_delay_ms = sqlite3_column_int64(st, 0);
        s->max_merge = sqlite3_column_int64(st, 1);
        s->window_days = sqlite3_column_int64(st, 2);
        s->counter_over_fen = sqlite3_column_int64(st, 3);
        s->reissue_limit = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
}

/* ---- sales ---- */

int inv_sale_find(sqlite3 *db, const char *ref, struct inv_sale *s)
{
    memset(s, 0, sizeof *s);
    if (!ref || !*ref)
        return 0;
    /* a transaction number or a token names one sale; should two orders claim it, the
     * completed one (the customer paid), then the latest */
    sqlite3_stmt *st = sim_q(db, "SELECT id, txn_no, invoice_token, station, terminal, status,"
                                 " completed_ms, prepaid_invoiced_fen, body FROM orders"
                                 " WHERE txn_no = ?1 OR invoice_token = ?1"
                                 " ORDER BY status = 'COMPLETED' DESC, rowid DESC LIMIT 1");
    sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        snprintf(s->order_id, sizeof s->order_id, "%s", sim_col(st, 0));
        snprintf(s->txn_no, sizeof s->txn_no, "%s", sim_col(st, 1));
        snprintf(s->token, sizeof s->token, "%s", sim_col(st, 2));
        snprintf(s->station, sizeof s->station, "%s",
                 *sim_col(st, 3) ? sim_col(st, 3) : INV_STATION);
        snprintf(s->terminal, sizeof s->terminal, "%s", sim_col(st, 4));
        s->completed = !strcmp(sim_col(st, 5), "COMPLETED");
        s->paid_ms = s->completed ? sqlite3_column_int64(st, 6) : 0;
        s->prepaid_invoiced_fen = sqlite3_column_int64(st, 7);
        s->body = cJSON_Parse(sim_col(st, 8));
        /* a sale is known by its transaction number: a token alone names no sale */
        found = s->txn_no[0] != '\0' && s->body != NULL;
    }
    sqlite3_finalize(st);
    if (found) {
        /* a fuel card's recharge: how that card is invoiced */
        st = sim_q(db, "SELECT c.invoice_mode FROM card_recharges r JOIN cards c"
                       " ON c.card_no = r.card_no WHERE r.order_id = ?");
        sqlite3_bind_text(st, 1, s->order_id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(s->recharge_mode, sizeof s->recharge_mode, "%s", sim_col(st, 0));
        sqlite3_finalize(st);
    }
    if (!found)
        inv_sale_free(s);
    return found;
}

void inv_sale_free(struct inv_sale *s)
{
    if (!s)
        return;
    cJSON_Delete(s->body);
    s->body = NULL;
}

int inv_sale_per_sale_card(const struct inv_sale *s, struct sim_resp *r)
{
    if (strcmp(s->recharge_mode, "sale"))
        return 0;
    char m[200];
    snprintf(m, sizeof m,
             "%s recharges a fuel card invoiced per sale: the fuel it buys is "
             "invoiced, not the recharge",
             s->txn_no);
    sim_error(r, 422, "INVOICED_PER_SALE", m);
    return 1;
}

int inv_sale_has_fuel(const struct inv_sale *s)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(s->body, "lines"))
    {
        const char *kind = sim_jstr(l, "kind");
        if (kind && !strcmp(kind, "fuel"))
            return 1;
    }
    return 0;
}

int64_t inv_month_of(int64_t ms)
{
    time_t t = (time_t)(ms / 1000 + INV_TZ_S);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon;
}

int64_t inv_current(sqlite3 *db, const char *txn_no)
{
    sqlite3_stmt *st = sim_q(db, "SELECT i.id FROM inv_sales s JOIN inv_invoices i "
                                 "ON i.id = s.invoice_id WHERE s.txn_no = ? "
                                 "AND i.status IN ('PENDING','ISSUED') ORDER BY i.id DESC LIMIT 1");
    sqlite3_bind_text(st, 1, txn_no, -1, SQLITE_STATIC);
    int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return id;
}

/* ---- buyers and delivery ---- */

int inv_taxid_ok(const char *s)
{
    static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY"; /* GB 32100 */
    size_t n = s ? strlen(s) : 0;
    if (n < 15 || n > 20)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr(set, s[i]))
            return 0;
    return n != 18 || code_taxid_valid(s);
}

/* local@domain.tld: a local part of [A-Za-z0-9._%+-], a domain of [A-Za-z0-9-] labels with
 * at least one dot, a top level of 2+ letters; at most 254 bytes. */
static int email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    size_t n = strlen(s);
    if (!at || at == s || n > 254 || strchr(at + 1, '@') || at - s > 64)
        return 0;
    for (const char *p = s; p < at; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("._%+-", *p)))
            return 0;
    const char *dom = at + 1, *dot = strrchr(dom, '.');
    if (!dot || dot == dom || strlen(dot + 1) < 2)
        return 0;
    for (const char *p = dom; *p; p++) {
        int alnum =
            (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
        if (*p == '.' ? p == dom || p[-1] == '.' : !(alnum || *p == '-'))
            return 0;
        if (p > dot && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return 0;
    }
    return 1;
}

/* A text field of `o` into *out: "" when absent or null; -1 when not a string or longer than
 * INV_TEXT_MAX bytes. */
static int text_field(const cJSON *o, const char *name, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = "";
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || strlen(v->valuestring) > INV_TEXT_MAX)
        return -1;
    *out = v->valuestring;
    return 0;
}

int inv_read_buyer(const cJSON *o, struct inv_buyer *b, struct sim_resp *r)
{
    static const char *const names[] = {"type",  "name", "tax_id", "address",
                                        "phone", "bank", "account"};
    const char **fields[] = {&b->type,  &b->name, &b->tax_id, &b->address,
                             &b->phone, &b->bank, &b->account};
    char m[96];
    if (!cJSON_IsObject(o)) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'buyer' must be an object");
        return -1;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (text_field(o, names[i], fields[i]) != 0) {
            snprintf(m, sizeof m, "field 'buyer.%s' must be a string of at most %d bytes", names[i],
                     INV_TEXT_MAX);
            sim_error(r, 400, "INVALID_ARGUMENT", m);
            return -1;
        }
    int org = !strcmp(b->type, "organization");
    if (!org && strcmp(b->type, "individual")) {
        sim_error(r, 400, "INVALID_ARGUMENT",
                  "field 'buyer.type' must be 'individual' or 'organization'");
        return -1;
    }
    if (!*b->name) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'buyer.name' is required");
        return -1;
    }
    /* an organisation needs its taxpayer ID; an individual may give one */
    if ((org || *b->tax_id) && !inv_taxid_ok(b->tax_id)) {
        sim_error(r, 400, "INVALID_TAX_ID",
                  "not a taxpayer ID: 15..20 characters of the GB 32100 set, and an "
                  "18-character code needs its check character right");
        return -1;
    }
    return 0;
}

int inv_read_delivery(const cJSON *o, int required, char *masked, size_t cap, struct sim_resp *r)
{
    const char *phone = "", *email = "";
    masked[0] = '\0';
    if ((o && !cJSON_IsNull(o) && !cJSON_IsObject(o)) || text_field(o, "phone", &phone) != 0 ||
        text_field(o, "email", &email) != 0) {
        sim_error(r, 400, "INVALID_ARGUMENT",
                  "field 'delivery' must be an object of strings 'phone' and 'email'");
        return -1;
    }
    if (required && !*phone && !*email) {
        sim_error(r, 400, "INVALID_ARGUMENT", "the invoice needs a 'phone' or an 'email' to go to");
        return -1;
    }
    if (*phone && !code_phone_valid(phone)) {
        sim_error(r, 400, "INVALID_PHONE", "not a mobile number: 11 digits, 1[3-9]...");
        return -1;
    }
    if (*email && !email_ok(email)) {
        sim_error(r, 400, "INVALID_EMAIL", "not an email address: local@domain.tld");
        return -1;
    }
    char p[16] = "", e[300] = "";
    if (*phone)
        mask_phone(phone, p, sizeof p);
    if (*email)
        mask_email(email, e, sizeof e);
    snprintf(masked, cap, "%s%s%s", p, *p && *e ? ", " : "", e);
    return 0;
}

/* ---- invoices ---- */

void inv_number_next(sqlite3 *db, int64_t now_ms, char out[INV_NO_LEN + 1])
{
    sqlite3_stmt *st = sim_q(db, "INSERT INTO inv_counter (id, next) VALUES (1, 1) "
                                 "ON CONFLICT(id) DO UPDATE SET next = next + 1 RETURNING next");
    int64_t seq = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    time_t t = (time_t)(now_ms / 1000 + INV_TZ_S);
    struct tm tm;
    gmtime_r(&t, &tm);
    /* 20 digits: year (2), region (2: 11), sequence (16) */
    unsigned yy = (unsigned)(tm.tm_year + 1900) % 100u;
    unsigned long long n = (unsigned long long)(seq > 0 ? seq : 0) % 10000000000000000ULL;
    snprintf(out, INV_NO_LEN + 1, "%02u11%016llu", yy, n);
}

void inv_download_url(const char *invoice_no, char *out, size_t cap)
{
    if (invoice_no && *invoice_no)
        snprintf(out, cap, "https://inv.example/d/%s", invoice_no);
    else if (cap)
        out[0] = '\0';
}

/* Corrections made so far for the sales of `sales_key`. */
static int64_t reissues_of(sqlite3 *db, const char *sales_key)
{
    sqlite3_stmt *st = sim_q(db, "SELECT count(*) FROM inv_invoices "
                                 "WHERE sales_key = ? AND red_of != ''");
    sqlite3_bind_text(st, 1, sales_key, -1, SQLITE_STATIC);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return n;
}

cJSON *inv_invoice_json(sqlite3 *db, int64_t id)
{
    sqlite3_stmt *st = sim_q(db, "SELECT invoice_no, status, issued_ms, buyer_name, delivery,"
                                 " by_channel, sales_key FROM inv_invoices WHERE id = ?");
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return NULL;
    }
    struct inv_settings set;
    inv_settings_get(db, &set);
    char url[96];
    inv_download_url(sim_col(st, 0), url, sizeof url);
    int64_t left = set.reissue_limit - reissues_of(db, sim_col(st, 6));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "invoice_no", sim_col(st, 0));
    cJSON_AddStringToObject(o, "status", sim_col(st, 1));
    cJSON_AddNumberToObject(o, "issued_unix", (double)(sqlite3_column_int64(st, 2) / 1000));
    cJSON_AddStringToObject(o, "buyer_name", sim_col(st, 3));
    cJSON_AddStringToObject(o, "delivery", sim_col(st, 4));
    cJSON_AddStringToObject(o, "download_url", url);
    cJSON_AddStringToObject(o, "by", sim_col(st, 5));
    cJSON_AddNumberToObject(o, "reissues_left", (double)(left > 0 ? left : 0));
    sqlite3_finalize(st);
    return o;
}

/* The sales of one request, found and checked, with their lines. */
struct inv_batch {
    int n;
    struct inv_sale sales[INV_MAX_SALES];
    int64_t amount_fen, tax_fen, total_fen;
};

static void batch_free(struct inv_batch *b)
{
    for (int i = 0; i < b->n; i++)
        inv_sale_free(&b->sales[i]);
    free(b);
}

/* Finds every sale of the request; 0, or -1 with the refusal in r. */
static int find_sales(sqlite3 *db, const char *const *refs, int n, struct inv_batch *b,
                      struct sim_resp *r)
{
    for (int i = 0; i < n; i++) {
        struct inv_sale *s = &b->sales[b->n];
        if (!inv_sale_find(db, refs[i], s)) {
            sim_error(r, 404, "SALE_NOT_FOUND", "a sale of the request is not known");
            return -1;
        }
        b->n++;
        for (int j = 0; j < b->n - 1; j++)
            if (!strcmp(b->sales[j].txn_no, s->txn_no)) {
                sim_error(r, 400, "INVALID_ARGUMENT", "field 'sales' names a sale twice");
                return -1;
            }
    }
    return 0;
}

/* What may go on one invoice together: one station, fuel of one calendar month. */
static int merge_ok(const struct inv_batch *b, struct sim_resp *r)
{
    int64_t month = -1;
    for (int i = 0; i < b->n; i++) {
        const struct inv_sale *s = &b->sales[i];
        if (strcmp(s->station, b->sales[0].station)) {
            sim_error(r, 422, "MERGE_NOT_ALLOWED", "sales of different stations");
            return 0;
        }
        if (!s->completed || !inv_sale_has_fuel(s))
            continue;
        if (month >= 0 && inv_month_of(s->paid_ms) != month) {
            sim_error(r, 422, "MERGE_NOT_ALLOWED", "fuel of different calendar months");
            return 0;
        }
        month = inv_month_of(s->paid_ms);
    }
    return 1;
}

/* The rules for one sale, in order: sold here, paid, not invoiced yet, within the window,
 * not a recharge of a card invoiced per sale, something left to invoice. Its bill in *bill.
 * 0, or -1 with the refusal in r. */
static int sale_ok(sqlite3 *db, const struct inv_sale *s, const struct inv_settings *set,
                   int64_t now_ms, struct inv_bill *bill, struct sim_resp *r)
{
    char m[160];
    if (strcmp(s->station, INV_STATION)) {
        snprintf(m, sizeof m, "%s was sold at another station (%s)", s->txn_no, s->station);
        sim_error(r, 422, "OTHER_STATION", m);
        return -1;
    }
    if (!s->completed) {
        snprintf(m, sizeof m, "%s is not paid", s->txn_no);
        sim_error(r, 422, "NOT_PAID", m);
        return -1;
    }
    int64_t on = inv_current(db, s->txn_no);
    if (on) {
        cJSON *d = inv_invoice_json(db, on);
        if (!d)
            d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "txn_no", s->txn_no);
        snprintf(m, sizeof m, "%s is on an invoice already", s->txn_no);
        sim_error_details(r, 409, "ALREADY_INVOICED", m, d);
        return -1;
    }
    if (now_ms - s->paid_ms > set->window_days * INV_DAY_MS) {
        snprintf(m, sizeof m, "%s was paid more than %lld days ago", s->txn_no,
                 (long long)set->window_days);
        sim_error(r, 422, "OUT_OF_WINDOW", m);
        return -1;
    }
    if (inv_sale_per_sale_card(s, r))
        return -1;
    if (inv_bill_build(db, s->body, s->prepaid_invoiced_fen, bill) != 0) {
        sim_error(r, 500, "INTERNAL", "the sale's order cannot be read");
        return -1;
    }
    if (bill->total_fen <= 0) {
        snprintf(m, sizeof m, "%s was paid with a fuel card whose recharge was invoiced",
                 s->txn_no);
        sim_error(r, 422, "RECHARGE_INVOICED", m);
        return -1;
    }
    return 0;
}

/* The refined-oil stock of each grade the bills sell (summed in need_ml, by grade index of
 * grades[]); 0 when there is enough of each, else -1 with the refusal in r. */
static int stock_ok(sqlite3 *db, const char grades[][8], const int64_t *need_ml, int ngrades,
                    struct sim_resp *r)
{
    for (int g = 0; g < ngrades; g++) {
        sqlite3_stmt *st = sim_q(db, "SELECT stock_ml FROM inv_stock WHERE grade = ?");
        sqlite3_bind_text(st, 1, grades[g], -1, SQLITE_STATIC);
        /* a grade the station keeps no count of has plenty */
        int64_t have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : INT64_MAX;
        sqlite3_finalize(st);
        if (need_ml[g] > have) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "name", inv_fuel_name(grades[g]));
            cJSON_AddStringToObject(d, "grade", grades[g]);
            sim_error_details(r, 422, "REFINED_OIL_STOCK",
                              "the station's refined-oil stock is not enough for this invoice", d);
            return -1;
        }
    }
    return 0;
}

/* Takes the invoiced fuel off the stock. */
static void stock_take(sqlite3 *db, const char grades[][8], const int64_t *need_ml, int ngrades)
{
    for (int g = 0; g < ngrades; g++) {
        sqlite3_stmt *st =
            sim_q(db, "UPDATE inv_stock SET stock_ml = stock_ml - ? WHERE grade = ?");
        sqlite3_bind_int64(st, 1, need_ml[g]);
        sqlite3_bind_text(st, 2, grades[g], -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
}

/* Keeps what became of the request `key` of `terminal` (a refusal's code, or the invoice);
 * its request_id into out. Nothing without a key. */
void inv_request_record(sqlite3 *db, const char *terminal, const char *key, const char *status,
                        const char *code, int64_t invoice_id, char *out, size_t cap)
{
    if (cap)
        out[0] = '\0';
    if (!key || !*key)
        return;
    sqlite3_stmt *st =
        sim_q(db, "INSERT INTO inv_requests (terminal, key, status, code, "
                  "invoice_id) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (terminal, key) "
                  "DO UPDATE SET status = ?3, code = ?4, invoice_id = ?5 RETURNING id");
    sqlite3_bind_text(st, 1, terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, invoice_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, cap, "IR%08lld", (long long)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
}

/* The refusal in r as the request's outcome. */
static void record_refusal(sqlite3 *db, const struct inv_ask *ask, const struct sim_resp *r)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->body, "error");
    char id[24];
    inv_request_record(db, ask->terminal, ask->key, "REFUSED", sim_jstr(e, "code"), 0, id,
                       sizeof id);
}

/* sales_key: the sorted transaction numbers joined by ",", the set of sales an invoice is
 * for (corrections are counted per set). */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sales_key_of(const struct inv_batch *b, char *out, size_t cap)
{
    const char *txn[INV_MAX_SALES];
    for (int i = 0; i < b->n; i++)
        txn[i] = b->sales[i].txn_no;
    qsort(txn, (size_t)b->n, sizeof txn[0], cmp_str);
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < b->n && o < cap; i++) {
        int w = snprintf(out + o, cap - o, "%s%s", i ? "," : "", txn[i]);
        o += w > 0 ? (size_t)w : 0;
    }
}

int64_t inv_issue(sqlite3 *db, const struct inv_ask *ask, const char *const *sales, int n,
                  const struct inv_buyer *buyer, const char *delivery, struct sim_resp *r)
{
    struct inv_settings set;
    inv_settings_get(db, &set);
    struct inv_batch *b = calloc(1, sizeof *b);
    struct inv_bill *bill = malloc(sizeof *bill);
    char grades[4][8] = {{0}}, m[96];
    int64_t need[4] = {0}, id = 0;
    int ngrades = 0;
    if (!b || !bill) {
        sim_error(r, 500, "INTERNAL", "out of memory");
        goto end;
    }
    if (n > set.max_merge) {
        snprintf(m, sizeof m, "at most %lld sales on one invoice", (long long)set.max_merge);
        sim_error(r, 422, "MERGE_NOT_ALLOWED", m);
        goto refused;
    }
    if (find_sales(db, sales, n, b, r) != 0 || !merge_ok(b, r))
        goto refused;
    for (int i = 0; i < b->n; i++) {
        if (sale_ok(db, &b->sales[i], &set, ask->now_ms, bill, r) != 0)
            goto refused;
        b->amount_fen += bill->amount_fen;
        b->tax_fen += bill->tax_fen;
        b->total_fen += bill->total_fen;
        for (int l = 0; l < bill->nlines; l++) {
            const struct inv_line *line = &bill->lines[l];
            if (!line->fuel)
                continue;
            int g = 0;
            while (g < ngrades && strcmp(grades[g], line->grade))
                g++;
            if (g == ngrades && ngrades < 4)
                snprintf(grades[ngrades++], sizeof grades[0], "%s", line->grade);
            if (g < ngrades)
                need[g] += line->qty;
        }
    }
    if (b->total_fen > set.counter_over_fen) {
        sim_error(r, 422, "COUNTER_ONLY", "an invoice this big is issued at the counter");
        goto refused;
    }
    if (stock_ok(db, grades, need, ngrades, r) != 0)
        goto refused;
    stock_take(db, grades, need, ngrades);

    /* issued now, or, with a slow tax system, once tax_delay_ms have passed (the router's
     * sim_invoices_tick() finishes it) */
    int pending = set.tax_delay_ms > 0;
    char no[INV_NO_LEN + 1] = "", key[INV_MAX_SALES * 72];
    if (!pending)
        inv_number_next(db, ask->now_ms, no);
    sales_key_of(b, key, sizeof key);
    sqlite3_stmt *st = sim_q(db, "INSERT INTO inv_invoices (invoice_no, req_key, terminal, "
                                 "status, by_channel, sales_key, buyer_type, buyer_name, tax_id, "
                                 "address, phone, bank, account, delivery, amount_fen, tax_fen, "
                                 "total_fen, created_ms, ready_ms, issued_ms, sends) "
                                 "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    char phone[INV_TEXT_MAX + 1];
    /* a buyer's mobile number is personal: kept masked (a company's landline is not) */
    if (code_phone_valid(buyer->phone))
        mask_phone(buyer->phone, phone, sizeof phone);
    else
        snprintf(phone, sizeof phone, "%s", buyer->phone);
    const char *text[] = {no,
                          ask->key,
                          ask->terminal,
                          pending ? "PENDING" : "ISSUED",
                          ask->by,
                          key,
                          buyer->type,
                          buyer->name,
                          buyer->tax_id,
                          buyer->address,
                          phone,
                          buyer->bank,
                          buyer->account,
                          delivery};
    for (int i = 0; i < 14; i++)
        sqlite3_bind_text(st, i + 1, text[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 15, b->amount_fen);
    sqlite3_bind_int64(st, 16, b->tax_fen);
    sqlite3_bind_int64(st, 17, b->total_fen);
    sqlite3_bind_int64(st, 18, ask->now_ms);
    sqlite3_bind_int64(st, 19, ask->now_ms + set.tax_delay_ms);
    sqlite3_bind_int64(st, 20, pending ? 0 : ask->now_ms);
    sqlite3_bind_int(st, 21, pending ? 0 : 1); /* issued: sent to the customer once */
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_finalize(st);
        sim_error(r, 500, "INTERNAL", sqlite3_errmsg(db));
        goto end;
    }
    sqlite3_finalize(st);
    id = sqlite3_last_insert_rowid(db);
    for (int i = 0; i < b->n; i++) {
        st = sim_q(db, "INSERT INTO inv_sales (invoice_id, txn_no) VALUES (?, ?)");
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, b->sales[i].txn_no, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    char req[24], url[96];
    inv_request_record(db, ask->terminal, ask->key, pending ? "PENDING" : "ISSUED", "", id, req,
                       sizeof req);
    inv_download_url(no, url, sizeof url);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "request_id", req);
    cJSON_AddStringToObject(o, "status", pending ? "PENDING" : "ISSUED");
    cJSON_AddStringToObject(o, "invoice_no", no);
    cJSON_AddStringToObject(o, "download_url", url);
    cJSON_AddNumberToObject(o, "amount_fen", (double)b->amount_fen);
    cJSON_AddNumberToObject(o, "tax_fen", (double)b->tax_fen);
    cJSON_AddNumberToObject(o, "total_fen", (double)b->total_fen);
    sim_ok(r, o);
    goto end;
refused:
    record_refusal(db, ask, r);
end:
    if (b)
        batch_free(b);
    free(bill);
    return id;
}

void sim_invoices_tick(sqlite3 *db, int64_t now_ms)
{
    /* one at a time, in the order they were asked for: numbers follow that order */
    for (;;) {
        sqlite3_stmt *st = sim_q(db, "SELECT id, ready_ms FROM inv_invoices WHERE status = "
                                     "'PENDING' AND ready_ms <= ? ORDER BY ready_ms, id LIMIT 1");
        sqlite3_bind_int64(st, 1, now_ms);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_finalize(st);
            return;
        }
        int64_t id = sqlite3_column_int64(st, 0), ready = sqlite3_column_int64(st, 1);
        sqlite3_finalize(st);
        char no[INV_NO_LEN + 1];
        inv_number_next(db, ready, no);
        /* the backend sends it itself once the tax system has issued it */
        st = sim_q(db, "UPDATE inv_invoices SET status = 'ISSUED', invoice_no = ?, "
                       "issued_ms = ?, sends = sends + 1 WHERE id = ?");
        sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, ready);
        sqlite3_bind_int64(st, 3, id);
        int ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_finalize(st);
        if (!ok)
            return;
        st = sim_q(db, "UPDATE inv_requests SET status = 'ISSUED' WHERE invoice_id = ?");
        sqlite3_bind_int64(st, 1, id);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
}

/* ---- corrections ---- */

/* The invoice numbered `no`: its id, status and sales key, or 0. */
static int64_t invoice_by_no(sqlite3 *db, const char *no, char *status, size_t scap,
                             char *sales_key, size_t kcap)
{
    sqlite3_stmt *st = sim_q(db, "SELECT id, status, sales_key FROM inv_invoices "
                                 "WHERE invoice_no = ? AND invoice_no != ''");
    sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
    int64_t id = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        snprintf(status, scap, "%s", sim_col(st, 1));
        snprintf(sales_key, kcap, "%s", sim_col(st, 2));
    }
    sqlite3_finalize(st);
    return id;
}

int64_t inv_find_issued(sqlite3 *db, const char *no, struct sim_resp *r)
{
    char status[16] = "", key[16];
    int64_t id = invoice_by_no(db, no, status, sizeof status, key, sizeof key);
    if (!id) {
        sim_error(r, 404, "NOT_FOUND", "no such invoice");
        return 0;
    }
    if (strcmp(status, "ISSUED")) {
        sim_error(r, 409, "NOT_ISSUED",
                  !strcmp(status, "RED") ? "this invoice was cancelled by a red-letter invoice"
                                         : "this invoice is not issued yet");
        return 0;
    }
    return id;
}

int64_t inv_reissue(sqlite3 *db, const struct inv_ask *ask, const char *no,
                    const struct inv_buyer *buyer, const char *delivery, struct sim_resp *r)
{
    struct inv_settings set;
    inv_settings_get(db, &set);
    char status[16], key[INV_MAX_SALES * 72], m[96];
    int64_t old = inv_find_issued(db, no, r);
    if (!old)
        goto refused;
    invoice_by_no(db, no, status, sizeof status, key, sizeof key);
    /* every sale of the invoice must still be within the window */
    sqlite3_stmt *st = sim_q(db, "SELECT count(*) FROM inv_sales s JOIN orders o "
                                 "ON o.txn_no = s.txn_no AND o.status = 'COMPLETED' "
                                 "WHERE s.invoice_id = ? AND o.completed_ms < ?");
    sqlite3_bind_int64(st, 1, old);
    sqlite3_bind_int64(st, 2, ask->now_ms - set.window_days * INV_DAY_MS);
    int late = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    if (late) {
        snprintf(m, sizeof m, "a sale of this invoice was paid more than %lld days ago",
                 (long long)set.window_days);
        sim_error(r, 422, "OUT_OF_WINDOW", m);
        goto refused;
    }
    if (reissues_of(db, key) >= set.reissue_limit) {
        snprintf(m, sizeof m, "corrected %lld times already", (long long)set.reissue_limit);
        sim_error(r, 409, "REISSUE_LIMIT", m);
        goto refused;
    }
    /* the red-letter invoice cancels the old one; the new one takes its sales */
    char red[INV_NO_LEN + 1], fresh[INV_NO_LEN + 1] = "", phone[INV_TEXT_MAX + 1];
    int pending = set.tax_delay_ms > 0;
    inv_number_next(db, ask->now_ms, red);
    if (!pending)
        inv_number_next(db, ask->now_ms, fresh);
    st = sim_q(db, "UPDATE inv_invoices SET status = 'RED', red_invoice_no = ? WHERE id = ?");
    sqlite3_bind_text(st, 1, red, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, old);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (code_phone_valid(buyer->phone))
        mask_phone(buyer->phone, phone, sizeof phone);
    else
        snprintf(phone, sizeof phone, "%s", buyer->phone);
    st = sim_q(db, "INSERT INTO inv_invoices (invoice_no, req_key, terminal, status, by_channel,"
                   " sales_key, buyer_type, buyer_name, tax_id, address, phone, bank, account,"
                   " delivery, amount_fen, tax_fen, total_fen, created_ms, ready_ms, issued_ms,"
                   " red_of, sends) SELECT ?1, ?2, ?3, ?4, ?5, sales_key, ?6, ?7, ?8, ?9, ?10, ?11,"
                   " ?12, CASE WHEN ?13 = '' THEN delivery ELSE ?13 END, amount_fen, tax_fen,"
                   " total_fen, ?14, ?15, ?16, invoice_no, ?17 FROM inv_invoices WHERE id = ?18");
    const char *text[] = {
        fresh,          ask->key,    ask->terminal, pending ? "PENDING" : "ISSUED",
        ask->by,        buyer->type, buyer->name,   buyer->tax_id,
        buyer->address, phone,       buyer->bank,   buyer->account,
        delivery};
    for (int i = 0; i < 13; i++)
        sqlite3_bind_text(st, i + 1, text[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 14, ask->now_ms);
    sqlite3_bind_int64(st, 15, ask->now_ms + set.tax_delay_ms);
    sqlite3_bind_int64(st, 16, pending ? 0 : ask->now_ms);
    sqlite3_bind_int(st, 17, pending ? 0 : 1);
    sqlite3_bind_int64(st, 18, old);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    if (!ok) {
        sim_error(r, 500, "INTERNAL", sqlite3_errmsg(db));
        return 0;
    }
    int64_t id = sqlite3_last_insert_rowid(db);
    st = sim_q(db, "INSERT INTO inv_sales (invoice_id, txn_no) SELECT ?, txn_no FROM inv_sales "
                   "WHERE invoice_id = ?");
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, old);
    sqlite3_step(st);
    sqlite3_finalize(st);
    char req[24], url[96];
    inv_request_record(db, ask->terminal, ask->key, pending ? "PENDING" : "ISSUED", "", id, req,
                       sizeof req);
    inv_download_url(fresh, url, sizeof url);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "red_invoice_no", red);
    cJSON_AddStringToObject(o, "invoice_no", fresh);
    cJSON_AddStringToObject(o, "status", pending ? "PENDING" : "ISSUED");
    cJSON_AddStringToObject(o, "download_url", url);
    sim_ok(r, o);
    return id;
refused:
    record_refusal(db, ask, r);
    return 0;
}
