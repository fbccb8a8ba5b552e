/* kiosk-bench-shift-close: attendant mode's shift and day close figures (a benchmark, not a
 * test: nothing is asserted). A journal in a temporary folder holds 100,000 sales (checkout's
 * record_encode, a realistic mix: three grades, four channels, shop goods, discounts, points,
 * now and then a fuel card's recharge) in 10,000 closed shifts of 10, each closed with its
 * totals (tot_to_json) and its report record, as journal_shift_close writes them. Then, for an
 * open shift of N = 10, 100 and 1,000 sales (recorded with journal_txn_add), the shift close's
 * totals: journal_shift_txns() with tot_add() on each row, p50/p95/max over RUNS runs (and
 * the query alone, without tot_add, to tell SQLite's share from cJSON's); and the day close's
 * read: journal_day_shifts() with tot_from_json() and tot_sum() over the 10,000 shifts no
 * day has rolled up, then over a day of 3 shifts once a day close rolled the rest up. Target:
 * a shift's totals in <= 100 ms. Last, SQLite's plan of both queries (EXPLAIN QUERY PLAN on
 * the journal's file: the SQL is journal.c's, copied here).
 *
 * Seeding goes through the journal's API (one SQLite transaction per call, synchronous=FULL)
 * for the first shifts; when that pace would take more than SEED_BUDGET_S for all of them, the
 * rest are written with SQLite directly, in one transaction, row for row as journal_txn_add
 * and journal_shift_close write them (KIOSK_BENCH_SEED=api forces the API all the way).
 * usage: kiosk-bench-shift-close [SHIFTS [RUNS]] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../checkout/record.h"
#include "core/log.h"
#include "journal/journal.h"
#include "totals.h"

#define PER_SHIFT 10
#define API_SHIFTS 50                  /* shifts seeded through the API before the pace is judged */
#define SEED_BUDGET_S 60               /* the API for all of it when it takes at most this long */
#define DAY0_MS INT64_C(1767225600000) /* 2026-01-01 00:00 UTC */
#define SHIFT_MS (8 * 3600 * 1000)

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double d = *(const double *)a - *(const double *)b;
    return (d > 0) - (d < 0);
}

/* The p-th percentile of v (sorts v). */
static double pct(double *v, int n, int p)
{
    qsort(v, (size_t)n, sizeof v[0], cmp);
    int i = (n * p + 99) / 100 - 1;
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static void line(const char *what, double *v, int n)
{
    double p50 = pct(v, n, 50), p95 = pct(v, n, 95);
    printf("%s: p50 %.2f ms, p95 %.2f ms, max %.2f ms (%d runs)\n", what, p50, p95, v[n - 1], n);
}

/* ---- sales ------------------------------------------------------------------------------- */

static int64_t sales_made;

/* Sale number n, as checkout journals it: its number, its record (malloc'd) and total. */
static char *sale(int64_t n, int64_t at_ms, char *txn_no, size_t cap, int64_t *total)
{
    static const char *const grades[] = {"92#", "95#", "0#"};
    static const char *const channels[] = {"wechat", "alipay", "unionpay", "ecny"};
    struct sale_record r;
    memset(&r, 0, sizeof r);
    time_t t = (time_t)(at_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(txn_no, cap, "T0001-%04d%02d%02d-%06lld", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             (long long)(n % 1000000));
    snprintf(r.txn_no, sizeof r.txn_no, "%s", txn_no);
    snprintf(r.order_id, sizeof r.order_id, "PO%010lld", (long long)n);
    snprintf(r.out_trade_no, sizeof r.out_trade_no, "KT%010lld", (long long)n);
    snprintf(r.invoice_token, sizeof r.invoice_token, "tk%08llx-%08llx", (long long)n * 7919,
             (long long)n * 104729);
    r.paid_unix = at_ms / 1000;
    if (n % 5 != 4) { /* four sales in five are fuel */
        r.has_fuel = 1;
        snprintf(r.sale_id, sizeof r.sale_id, "S%lld", (long long)n);
        r.pump = (int)(n % 8) + 1;
        snprintf(r.grade, sizeof r.grade, "%s", grades[n % 3]);
        r.volume_ml = 15000 + n % 40 * 1000;
        r.price_fen = 700 + (int64_t)(n % 3) * 45;
        r.fuel_fen = (r.price_fen * r.volume_ml + 500) / 1000;
    }
    if (n % 17 == 0) {
        r.has_recharge = 1;
        snprintf(r.recharge_card, sizeof r.recharge_card, "1000 1133 0000 2001");
        r.recharge_fen = 50000;
    }
    for (int i = 0; i < (int)(n % 3); i++) {
        struct co_item *it = &r.items[r.nitems++];
        snprintf(it->barcode, sizeof it->barcode, "692000001000%c", '0' + i);
        snprintf(it->name_zh, sizeof it->name_zh, "农夫山泉 550ml");
        snprintf(it->name_en, sizeof it->name_en, "Nongfu Spring 550 ml");
        it->qty = 1 + i;
        it->unit_fen = 200 + i * 150;
    }
    r.subtotal_fen = r.fuel_fen + r.recharge_fen;
    for (int i = 0; i < r.nitems; i++)
        r.subtotal_fen += r.items[i].unit_fen * r.items[i].qty;
    if (n % 2) {
        struct co_discount *d = &r.discounts[r.ndiscounts++];
        snprintf(d->kind, sizeof d->kind, "member");
        snprintf(d->label_zh, sizeof d->label_zh, "会员优惠");
        snprintf(d->label_en, sizeof d->label_en, "Member discount");
        d->amount_fen = -(r.subtotal_fen / 50);
        snprintf(r.member_phone, sizeof r.member_phone, "138****%04lld", (long long)(n % 10000));
        snprintf(r.member_level, sizeof r.member_level, "gold");
        r.points_earned = r.subtotal_fen / 100;
    }
    if (n % 9 == 0 && r.subtotal_fen >= 20000) { /* ¥10 off ¥200 */
        struct co_discount *d = &r.discounts[r.ndiscounts++];
        snprintf(d->kind, sizeof d->kind, "coupon");
        snprintf(d->label_zh, sizeof d->label_zh, "满200减10");
        snprintf(d->label_en, sizeof d->label_en, "¥10 off ¥200");
        d->amount_fen = -1000;
    }
    r.total_fen = r.subtotal_fen;
    for (int i = 0; i < r.ndiscounts; i++)
        r.total_fen += r.discounts[i].amount_fen;
    snprintf(r.channel, sizeof r.channel, "%s", channels[n % 4]);
    snprintf(r.mode, sizeof r.mode, n % 3 ? "native" : "micropay");
    snprintf(r.code_masked, sizeof r.code_masked, n % 3 ? "" : "1345****9012");
    r.e_receipt = n % 4 == 3;
    *total = r.total_fen;
    return record_encode(&r);
}

/* The totals of one shift's sales as journal_shift_close stores them, and its report. */
static char *shift_totals(int64_t first, int n, int64_t at_ms)
{
    struct totals t;
    tot_init(&t);
    for (int i = 0; i < n; i++) {
        char no[40];
        int64_t total;
        char *p = sale(first + i, at_ms, no, sizeof no, &total);
        tot_add(&t, "sale", total, "printed", p);
        free(p);
    }
    return tot_to_json(&t);
}

/* ---- seeding ----------------------------------------------------------------------------- */

/* One shift of PER_SHIFT sales through the API, closed. 0 or -1. */
static int api_shift(struct journal *j, int64_t shift_no)
{
    int64_t at = DAY0_MS + shift_no * SHIFT_MS, first = sales_made + 1;
    for (int i = 0; i < PER_SHIFT; i++) {
        char no[40];
        int64_t total;
        char *p = sale(++sales_made, at + i * 60000, no, sizeof no, &total);
        enum kerr e = p ? journal_txn_add(j, no, "sale", total, p, at + i * 60000) : KERR_NOMEM;
        free(p);
        if (e != KERR_OK) {
            fprintf(stderr, "journal_txn_add %s: %s\n", no, kerr_str(e));
            return -1;
        }
    }
    char *totals = shift_totals(first, PER_SHIFT, at);
    char ref[48];
    snprintf(ref, sizeof ref, "T0001-S%06lld", (long long)journal_shift_current(j));
    int64_t next;
    enum kerr e = totals ? journal_shift_close(j, journal_shift_current(j), totals, "S0001", ref,
                                               totals, at + SHIFT_MS, &next)
                         : KERR_NOMEM;
    free(totals);
    if (e != KERR_OK)
        fprintf(stderr, "journal_shift_close: %s\n", kerr_str(e));
    return e == KERR_OK ? 0 : -1;
}

static int sql(sqlite3 *db, const char *text)
{
    char *msg = NULL;
    if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int step(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Shifts [from, to) straight into the file, in one transaction, as journal_txn_add and
 * journal_shift_close would write them (the uploader has sent their records). */
static int sql_shifts(const char *path, int64_t from, int64_t to)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *txn = NULL, *box = NULL, *close = NULL, *open = NULL;
    int rc = -1;
    if (sqlite3_open(path, &db) != SQLITE_OK || sql(db, "BEGIN IMMEDIATE") != 0)
        goto end;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO transactions (txn_no, kind, amount_fen, payload, "
                           "created_ms, shift_id, print_state) VALUES (?, 'sale', ?, ?, ?, "
                           "(SELECT id FROM shifts WHERE closed_ms IS NULL ORDER BY id LIMIT 1),"
                           " 'printed')",
                           -1, &txn, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO outbox (record_id, kind, body, state, attempts, sent_ms)"
                           " VALUES (?, ?, ?, 'sent', 1, ?)",
                           -1, &box, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "UPDATE shifts SET closed_ms = ?, totals = ? WHERE closed_ms IS NULL",
                           -1, &close, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO shifts (attendant, opened_ms) VALUES ('S0001', ?)", -1,
                           &open, NULL) != SQLITE_OK)
        goto end;
    for (int64_t s = from; s < to; s++) {
        int64_t at = DAY0_MS + s * SHIFT_MS, first = sales_made + 1;
        for (int i = 0; i < PER_SHIFT; i++) {
            char no[40];
            int64_t total;
            char *p = sale(++sales_made, at + i * 60000, no, sizeof no, &total);
            sqlite3_bind_text(txn, 1, no, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(txn, 2, total);
            sqlite3_bind_text(txn, 3, p, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(txn, 4, at + i * 60000);
            sqlite3_bind_text(box, 1, no, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(box, 2, "sale", -1, SQLITE_STATIC);
            sqlite3_bind_text(box, 3, p, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(box, 4, at + i * 60000 + 1000);
            int bad = step(txn) != 0 || step(box) != 0;
            free(p);
            if (bad)
                goto end;
        }
        char *totals = shift_totals(first, PER_SHIFT, at), ref[48];
        snprintf(ref, sizeof ref, "T0001-S%06lld", (long long)s + 1);
        sqlite3_bind_int64(close, 1, at + SHIFT_MS);
        sqlite3_bind_text(close, 2, totals, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(open, 1, at + SHIFT_MS);
        sqlite3_bind_text(box, 1, ref, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(box, 2, "shift_report", -1, SQLITE_STATIC);
        sqlite3_bind_text(box, 3, totals, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(box, 4, at + SHIFT_MS + 1000);
        int bad = !totals || step(close) != 0 || step(open) != 0 || step(box) != 0;
        free(totals);
        if (bad)
            goto end;
    }
    rc = sql(db, "COMMIT");
end:
    if (rc != 0)
        fprintf(stderr, "seeding with SQLite: %s\n", db ? sqlite3_errmsg(db) : "no database");
    sqlite3_finalize(txn);
    sqlite3_finalize(box);
    sqlite3_finalize(close);
    sqlite3_finalize(open);
    sqlite3_close(db);
    return rc;
}

/* ---- measuring --------------------------------------------------------------------------- */

static void add_cb(const struct txn_row *t, void *user)
{
    tot_add(user, t->kind, t->amount_fen, t->print_state, t->payload);
}

struct day {
    struct totals sum;
    int bad;
};

static void day_cb(const struct shift_row *s, void *user)
{
    struct day *d = user;
    struct totals one;
    if (!s->totals || tot_from_json(s->totals, &one) != 0) {
        d->bad++;
        return;
    }
    tot_sum(&d->sum, &one);
}

/* The open shift's totals, RUNS times: with tot_add, and the query alone. */
static void shift_figures(struct journal *j, int n, int runs)
{
    double *v = calloc((size_t)runs, sizeof *v), *q = calloc((size_t)runs, sizeof *q);
    double js = 0;
    struct totals t;
    int64_t id = journal_shift_current(j);
    int got = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        tot_init(&t);
        got = journal_shift_txns(j, id, add_cb, &t);
        double t1 = now_ms();
        journal_shift_txns(j, id, NULL, NULL);
        double t2 = now_ms();
        char *s = tot_to_json(&t);
        js += now_ms() - t2;
        free(s);
        v[r] = t1 - t0;
        q[r] = t2 - t1;
    }
    char what[128];
    snprintf(what, sizeof what, "shift close, totals of %d sales (journal_shift_txns + tot_add)",
             n);
    line(what, v, runs);
    snprintf(what, sizeof what, "  the query alone (%d rows, no callback)", got);
    line(what, q, runs);
    printf("  tot_to_json: %.3f ms; totals: %lld sales, %lld unreadable\n", js / runs,
           (long long)t.sales, (long long)t.unreadable);
    free(v);
    free(q);
}

static void day_figures(struct journal *j, int runs, const char *what)
{
    double *v = calloc((size_t)runs, sizeof *v);
    struct day d;
    int n = 0;
    for (int r = 0; r < runs; r++) {
        memset(&d, 0, sizeof d);
        tot_init(&d.sum);
        double t0 = now_ms();
        n = journal_day_shifts(j, 0, day_cb, &d);
        v[r] = now_ms() - t0;
    }
    char w[160];
    snprintf(w, sizeof w,
             "day close read, %d %s (journal_day_shifts + tot_from_json + tot_sum)", n, what);
    line(w, v, runs);
    printf("  the day: %lld sales, %lld fen, %d shifts unreadable\n", (long long)d.sum.sales,
           (long long)d.sum.sales_fen, d.bad);
    free(v);
}

static void plan(const char *path, const char *what, const char *query)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char text[512];
    snprintf(text, sizeof text, "EXPLAIN QUERY PLAN %s", query);
    printf("plan of %s:\n  %s\n", what, query);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, text, -1, &st, NULL) != SQLITE_OK) {
        printf("  (no plan: %s)\n", db ? sqlite3_errmsg(db) : "no database");
    } else {
        sqlite3_bind_int64(st, 1, 1);
        while (sqlite3_step(st) == SQLITE_ROW)
            printf("  %s%s\n", sqlite3_column_int(st, 1) ? "  " : "",
                   (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    int shifts = argc > 1 ? atoi(argv[1]) : 10000, runs = argc > 2 ? atoi(argv[2]) : 50;
    if (shifts < API_SHIFTS || runs < 1) {
        fprintf(stderr, "usage: kiosk-bench-shift-close [SHIFTS (>= %d) [RUNS]]\n", API_SHIFTS);
        return 2;
    }
    log_set_quiet(1);
    char dir[] = "/tmp/kiosk-bench-shift-XXXXXX", path[64], err[256];
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/journal.db", dir);
    struct journal *j = journal_open(path, err, sizeof err);
    if (!j) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    /* the first shifts through the API, timed; the rest the same way if it is quick enough */
    const char *force = getenv("KIOSK_BENCH_SEED");
    double t0 = now_ms();
    int64_t s = 0;
    for (; s < API_SHIFTS; s++)
        if (api_shift(j, s) != 0)
            return 1;
    double per_shift = (now_ms() - t0) / API_SHIFTS;
    /* the pace falls as the file grows (1.6 times slower by the end here): judged at half */
    int api_all =
        (force && !strcmp(force, "api")) || per_shift * shifts <= SEED_BUDGET_S * 1000.0 / 2;
    printf("seeding through the API: %.2f ms a shift of %d sales (%.2f ms a journal_txn_add + "
           "the close); all %d shifts would take %.0f s: %s\n",
           per_shift, PER_SHIFT, per_shift / (PER_SHIFT + 1), shifts, per_shift * shifts / 1000,
           api_all ? "through the API" : "the rest with SQLite directly, in one transaction");
    t0 = now_ms();
    if (api_all) {
        for (; s < shifts; s++)
            if (api_shift(j, s) != 0)
                return 1;
    } else {
        journal_close(j);
        if (sql_shifts(path, s, shifts) != 0)
            return 1;
        s = shifts;
        if (!(j = journal_open(path, err, sizeof err))) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
    }
    printf("seeded %lld sales in %lld closed shifts (%.1f s more), journal %.1f MB\n",
           (long long)sales_made, (long long)s, (now_ms() - t0) / 1000,
           (double)journal_size(j) / 1e6);

    /* the open shift: 10, 100, then 1,000 sales */
    int64_t at = DAY0_MS + s * SHIFT_MS, have = 0;
    static const int sizes[] = {10, 100, 1000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (; have < sizes[k]; have++) {
            char no[40];
            int64_t total;
            char *p = sale(++sales_made, at + have * 1000, no, sizeof no, &total);
            if (!p || journal_txn_add(j, no, "sale", total, p, at + have * 1000) != KERR_OK)
                return 1;
            free(p);
        }
        shift_figures(j, sizes[k], runs);
    }

    /* the day: every closed shift not rolled up yet, then a day of three */
    day_figures(j, runs, "closed shifts not rolled up");
    int64_t last = journal_shift_current(j) - 1, day;
    if (journal_day_close(j, last, "S0001", "{}", "T0001-D-bench", "{}", at, &day) != KERR_OK)
        return 1;
    /* the open shift (1,000 sales) and two more of PER_SHIFT make a day of three */
    char ref[48];
    int64_t next;
    snprintf(ref, sizeof ref, "T0001-S%06lld", (long long)journal_shift_current(j));
    char *big = shift_totals(sales_made - have + 1, (int)have, at);
    if (!big || journal_shift_close(j, journal_shift_current(j), big, "S0001", ref, big,
                                    at + SHIFT_MS, &next) != KERR_OK)
        return 1;
    free(big);
    for (int k = 1; k <= 2; k++)
        if (api_shift(j, s + k) != 0)
            return 1;
    day_figures(j, runs, "shifts of a day");

    plan(path, "a shift's transactions (journal_shift_txns)",
         "SELECT id, txn_no, kind, amount_fen, print_state, created_ms, shift_id, payload "
         "FROM transactions WHERE shift_id = ? ORDER BY id");
    plan(path, "the day's shifts (journal_day_shifts)",
         "SELECT id, attendant, opened_ms, closed_ms, day_id, totals FROM shifts "
         "WHERE day_id IS NULL AND closed_ms IS NOT NULL ORDER BY id");
    journal_close(j);
    char rm[128];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    if (system(rm) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return 0;
}
