#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "journal/journal.h"
#include "journal/worker.h"

static char dir[] = "/tmp/kiosk-journal-XXXXXX";
static char db[600];

static int setup(void **state)
{
    (void)state;
    static int made;
    if (!made && !mkdtemp(dir))
        return -1;
    made = 1;
    static int n;
    snprintf(db, sizeof db, "%s/j%d.db", dir, n++);
    return 0;
}

static void count_cb(const struct intent *it, void *user)
{
    int64_t *last = user;
    assert_true(it->id > *last); /* oldest first */
    *last = it->id;
}

static void intents_and_recovery(void **state)
{
    (void)state;
    char err[256];
    struct journal *j = journal_open(db, err, sizeof err);
    assert_non_null(j);
    int64_t a, b, c;
    assert_int_equal(journal_intent_begin(j, "payment", "checkout", "k1", "{}", 1, &a), KERR_OK);
    assert_int_equal(journal_intent_begin(j, "payment", "checkout", "k2", "{}", 2, &b), KERR_OK);
    assert_int_equal(journal_intent_begin(j, "ticket", "pickup", "k3", "{}", 3, &c), KERR_OK);
    /* the same idempotency key twice is refused */
    assert_int_equal(journal_intent_begin(j, "payment", "checkout", "k1", "{}", 4, NULL),
                     KERR_CONFLICT);
    assert_int_equal(journal_intent_finish(j, b, INTENT_DONE, "paid", "{}", 5), KERR_OK);
    /* an outcome is written once */
    assert_int_equal(journal_intent_finish(j, b, INTENT_FAILED, "x", "{}", 6), KERR_NOT_FOUND);
    assert_int_equal(journal_intent_finish(j, 999, INTENT_DONE, "x", "{}", 6), KERR_NOT_FOUND);
    journal_close(j);

    /* After a restart the recovery pass hands back exactly the unfinished ones. */
    j = journal_open(db, err, sizeof err);
    int64_t last = 0;
    assert_int_equal(journal_intents_unfinished(j, count_cb, &last), 2);
    assert_int_equal(last, c);
    assert_true(journal_integrity_ok(j));
    journal_close(j);
    journal_close(NULL);
}

static void privacy_guard(void **state)
{
    (void)state;
    char err[256];
    struct journal *j = journal_open(db, err, sizeof err);
    assert_int_equal(journal_intent_begin(j, "payment", "checkout", "p1",
                                          "{\"auth_code\":\"134567890123456789\"}", 1, NULL),
                     KERR_INVALID);
    assert_int_equal(journal_txn_add(j, "T-1", "sale", 100, "{\"id\":\"11010519491231002X\"}", 1),
                     KERR_INVALID);
    assert_int_equal(journal_intent_begin(j, "payment", "checkout", "p2",
                                          "{\"auth_code\":\"1345**********6789\"}", 1, NULL),
                     KERR_OK);
    journal_close(j);
}

static void txn_numbers_and_outbox_order(void **state)
{
    (void)state;
    char err[256], no[64];
    struct journal *j = journal_open(db, err, sizeof err);
    assert_int_equal(journal_next_txn_no(j, "T0001", 1795392000, no, sizeof no), KERR_OK);
    assert_string_equal(no, "T0001-20261123-000001");
    assert_int_equal(journal_txn_add(j, no, "sale", 33118, "{\"n\":1}", 10), KERR_OK);
    assert_int_equal(journal_txn_add(j, no, "sale", 33118, "{\"n\":1}", 10), KERR_CONFLICT);
    journal_close(j);
    j = journal_open(db, err, sizeof err);
    /* numbers continue after a restart */
    assert_int_equal(journal_next_txn_no(j, "T0001", 1795392000, no, sizeof no), KERR_OK);
    assert_string_equal(no, "T0001-20261123-000002");
    assert_int_equal(journal_txn_add(j, no, "sale", 500, "{\"n\":2}", 11), KERR_OK);
    assert_int_equal(journal_txn_set_print_state(j, no, "printed"), KERR_OK);
    assert_int_equal(journal_txn_set_print_state(j, "nope", "printed"), KERR_NOT_FOUND);
    assert_int_equal(journal_outbox_pending(j), 2);

    struct outbox_rec r;
    assert_int_equal(journal_outbox_next(j, 100, &r, 1, 1 << 20), 1);
    assert_string_equal(r.record_id, "T0001-20261123-000001");
    int64_t first = r.seq;
    journal_outbox_rec_free(&r);
    /* the oldest is backing off: nothing newer jumps the queue */
    assert_int_equal(journal_outbox_retry(j, first, 5000), KERR_OK);
    assert_int_equal(journal_outbox_next(j, 100, &r, 1, 1 << 20), 0);
    /* after a restart every pending record is due again */
    assert_int_equal(journal_outbox_wake(j), KERR_OK);
    assert_int_equal(journal_outbox_next(j, 100, &r, 1, 1 << 20), 1);
    journal_outbox_rec_free(&r);
    assert_int_equal(journal_outbox_retry(j, first, 5000), KERR_OK);
    assert_int_equal(journal_outbox_next(j, 5000, &r, 1, 1 << 20), 1);
    assert_int_equal(r.seq, first);
    assert_int_equal(r.attempts, 2);
    journal_outbox_rec_free(&r);
    assert_int_equal(journal_outbox_done(j, &first, 1, 5001), KERR_OK);
    assert_int_equal(journal_outbox_done(j, &first, 1, 5002), KERR_NOT_FOUND); /* once */
    assert_int_equal(journal_outbox_next(j, 5002, &r, 1, 1 << 20), 1);
    assert_string_equal(r.record_id, "T0001-20261123-000002");
    /* a record the backend refuses for good is parked; the queue moves on */
    assert_int_equal(journal_outbox_park(j, r.seq, "400 INVALID_ARGUMENT"), KERR_OK);
    journal_outbox_rec_free(&r);
    assert_int_equal(journal_outbox_next(j, 5002, &r, 1, 1 << 20), 0);
    assert_int_equal(journal_outbox_pending(j), 0);
    journal_close(j);
}

/* Records go up in batches, in order, bounded in number and in bytes; a batch is marked sent
 * in one go; records sent long enough ago are forgotten, parked ones never. */
static void outbox_batches(void **state)
{
    (void)state;
    char err[256], id[32], body[80];
    struct journal *j = journal_open(db, err, sizeof err);
    assert_non_null(j);
    for (int i = 0; i < 7; i++) {
        snprintf(id, sizeof id, "AD-%d", i);
        snprintf(body, sizeof body, "{\"slide\":\"s%d\",\"pad\":\"%s\"}", i,
                 i == 3 ? "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" : "");
        assert_int_equal(journal_record_add(j, id, "ad_play", body, 10 + i), KERR_OK);
    }
    struct outbox_rec r[8];
    /* at most 4 */
    assert_int_equal(journal_outbox_next(j, 0, r, 4, 1 << 20), 4);
    assert_string_equal(r[0].record_id, "AD-0");
    assert_string_equal(r[3].record_id, "AD-3");
    for (int i = 0; i < 4; i++)
        journal_outbox_rec_free(&r[i]);
    /* at most 80 bytes of bodies: AD-3's long body waits for the next batch */
    assert_int_equal(journal_outbox_next(j, 0, r, 8, 80), 3);
    int64_t seq[3] = {r[0].seq, r[1].seq, r[2].seq};
    for (int i = 0; i < 3; i++)
        journal_outbox_rec_free(&r[i]);
    assert_int_equal(journal_outbox_done(j, seq, 3, 1000), KERR_OK);
    /* the oldest goes whatever its size */
    assert_int_equal(journal_outbox_next(j, 0, r, 8, 10), 1);
    assert_string_equal(r[0].record_id, "AD-3");
    int64_t big = r[0].seq;
    journal_outbox_rec_free(&r[0]);
    /* a batch with one not pending any more: the others are marked all the same */
    assert_int_equal(journal_outbox_park(j, big, "400 INVALID_ARGUMENT"), KERR_OK);
    assert_int_equal(journal_outbox_next(j, 0, r, 8, 1 << 20), 3);
    int64_t rest[4] = {big, r[0].seq, r[1].seq, r[2].seq};
    for (int i = 0; i < 3; i++)
        journal_outbox_rec_free(&r[i]);
    assert_int_equal(journal_outbox_done(j, rest, 4, 5000), KERR_NOT_FOUND);
    assert_int_equal(journal_outbox_pending(j), 0);
    /* forgotten: sent before 2000 (AD-0..2), at most 2 at a time; the parked one stays */
    assert_int_equal(journal_outbox_prune(j, 2000, 2), 2);
    assert_int_equal(journal_outbox_prune(j, 2000, 2), 1);
    assert_int_equal(journal_outbox_prune(j, 2000, 2), 0);
    assert_int_equal(journal_outbox_prune(j, 9000, 100), 3);
    assert_int_equal(journal_outbox_parked(j, NULL, NULL), 1);
    assert_int_equal(journal_outbox_next(j, 0, r, 0, 100), 0);
    journal_close(j);
}

static void unprinted_cb(const char *txn_no, void *user)
{
    snprintf(user, 64, "%s", txn_no);
}

/* The order, then the intent; the sale recorded and the intent settled in one transaction;
 * a repeat (recovery after a crash) records nothing twice. */
static void orders_and_settled_sales(void **state)
{
    (void)state;
    char err[256], *body = NULL, ps[16];
    struct journal *j = journal_open(db, err, sizeof err);
    assert_int_equal(journal_order_put(j, "T-9-O", "T-9", "{\"total_fen\":100}", 1), KERR_OK);
    assert_int_equal(journal_order_put(j, "T-9-O", "T-9", "{\"total_fen\":90}", 2), KERR_OK);
    assert_int_equal(journal_order_put(j, "T-9-O", "T-9", "{\"code\":\"134567890123456789\"}", 3),
                     KERR_INVALID);
    assert_int_equal(journal_order_get(j, "T-9-O", &body), KERR_OK);
    assert_string_equal(body, "{\"total_fen\":90}");
    free(body);
    assert_int_equal(journal_order_get(j, "nope", &body), KERR_NOT_FOUND);
    int64_t id;
    assert_int_equal(journal_intent_begin(j, "payment", "checkout", "T-9-P1", "{}", 4, &id), KERR_OK);
    assert_int_equal(journal_txn_settle(j, id, "T-9", "sale", 90, "{\"n\":9}", 5), KERR_OK);
    int64_t last = 0;
    assert_int_equal(journal_intents_unfinished(j, count_cb, &last), 0);
    assert_int_equal(journal_outbox_pending(j), 1);
    /* again: recorded already, settled already */
    assert_int_equal(journal_txn_settle(j, id, "T-9", "sale", 90, "{\"n\":9}", 6), KERR_NOT_FOUND);
    assert_int_equal(journal_outbox_pending(j), 1);
    /* a sale recorded before its intent was settled: only the intent is left to settle */
    int64_t id2;
    assert_int_equal(journal_intent_begin(j, "payment", "checkout", "T-10-P1", "{}", 7, &id2), KERR_OK);
    assert_int_equal(journal_txn_add(j, "T-10", "sale", 5, "{}", 8), KERR_OK);
    assert_int_equal(journal_txn_settle(j, id2, "T-10", "sale", 5, "{}", 9), KERR_CONFLICT);
    assert_int_equal(journal_intents_unfinished(j, count_cb, &last), 0);
    /* receipts still to print, and what was recorded */
    char no[64] = "";
    assert_int_equal(journal_txns_unprinted(j, "sale", 6, unprinted_cb, no), 1);
    assert_string_equal(no, "T-10");
    assert_int_equal(journal_txn_set_print_state(j, "T-10", "printed"), KERR_OK);
    assert_int_equal(journal_txns_unprinted(j, "sale", 0, unprinted_cb, no), 1); /* T-9 */
    /* another kind of transaction (an invoice) is no receipt to print */
    assert_int_equal(journal_txn_add(j, "inv-1", "invoice", 5, "{}", 9), KERR_OK);
    assert_int_equal(journal_txns_unprinted(j, "sale", 0, unprinted_cb, no), 1);
    assert_int_equal(journal_txns_unprinted(j, "invoice", 0, unprinted_cb, no), 1);
    assert_int_equal(journal_txn_get(j, "T-9", &body, ps, sizeof ps, &last), KERR_OK);
    assert_string_equal(body, "{\"n\":9}");
    assert_string_equal(ps, "pending");
    assert_int_equal(last, 5);
    free(body);
    assert_int_equal(journal_txn_get(j, "T-404", &body, NULL, 0, NULL), KERR_NOT_FOUND);
    assert_true(journal_integrity_ok(j));
    journal_close(j);
}

/* One integer from the journal through a second, raw connection. */
static int64_t sql_int(const char *sql)
{
    sqlite3 *raw;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(raw, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return v;
}

struct txn_list {
    int n;
    char no[8][65];
    int64_t shift[8];
};

static void txn_list_cb(const struct txn_row *t, void *user)
{
    struct txn_list *l = user;
    assert_true(l->n < 8);
    assert_non_null(t->payload);
    snprintf(l->no[l->n], sizeof l->no[0], "%s", t->txn_no);
    l->shift[l->n++] = t->shift_id;
}

/* A shift is always open; transactions belong to it; its close writes its totals, opens
 * the next and queues its report in one transaction, once. */
static void shifts(void **state)
{
    (void)state;
    char err[256];
    struct journal *j = journal_open(db, err, sizeof err);
    assert_int_equal(sql_int("PRAGMA user_version"), 3);
    int64_t a = journal_shift_current(j), b = 0, x = 0;
    assert_true(a > 0); /* the first shift, opened with the journal */
    struct shift_row s;
    assert_int_equal(journal_shift_get(j, a, &s), KERR_OK);
    assert_string_equal(s.attendant, "");
    assert_true(s.opened_ms > 1700000000000LL); /* the wall clock at creation */
    assert_int_equal(s.closed_ms, 0);
    assert_int_equal(s.day_id, 0);
    assert_null(s.totals);
    assert_int_equal(journal_shift_get(j, 999, &s), KERR_NOT_FOUND);

    assert_int_equal(journal_txn_add(j, "T-1", "sale", 100, "{\"n\":1}", 10), KERR_OK);
    assert_int_equal(journal_txn_add(j, "T-2", "invoice", 200, "{\"n\":2}", 11), KERR_OK);
    int64_t it;
    assert_int_equal(journal_intent_begin(j, "payment", "checkout", "T-3-P", "{}", 12, &it),
                     KERR_OK);
    assert_int_equal(journal_txn_settle(j, it, "T-3", "sale", 300, "{\"n\":3}", 13), KERR_OK);
    struct txn_row t;
    assert_int_equal(journal_txn_find(j, "T-3", &t), KERR_OK);
    assert_int_equal(t.shift_id, a);
    free(t.payload);

    /* a private-looking report is refused and nothing is written */
    assert_int_equal(journal_shift_close(j, a, "{}", "A01", "SR-1",
                                         "{\"card\":\"6222021234567890123\"}", 20, &b),
                     KERR_INVALID);
    assert_int_equal(journal_shift_current(j), a);
    assert_int_equal(journal_outbox_pending(j), 3);

    assert_int_equal(journal_shift_close(j, a, "{\"sales_fen\":400}", "A01", "SR-1",
                                         "{\"shift\":1}", 1000, &b),
                     KERR_OK);
    assert_true(b > a);
    assert_int_equal(journal_shift_current(j), b);
    assert_int_equal(journal_shift_get(j, a, &s), KERR_OK);
    assert_int_equal(s.closed_ms, 1000);
    assert_string_equal(s.totals, "{\"sales_fen\":400}");
    free(s.totals);
    assert_int_equal(journal_shift_get(j, b, &s), KERR_OK);
    assert_string_equal(s.attendant, "A01");
    assert_int_equal(s.opened_ms, 1000);
    assert_null(s.totals);
    assert_int_equal(journal_outbox_pending(j), 4);
    assert_int_equal(sql_int("SELECT count(*) FROM outbox WHERE record_id = 'SR-1' AND "
                             "kind = 'shift_report' AND body = '{\"shift\":1}' AND "
                             "state = 'pending'"),
                     1);

    /* closed once: the second close writes nothing */
    assert_int_equal(journal_shift_close(j, a, "{}", "A02", "SR-1b", "{}", 1100, &x),
                     KERR_NOT_FOUND);
    assert_int_equal(journal_shift_current(j), b);
    assert_int_equal(journal_outbox_pending(j), 4);
    assert_int_equal(sql_int("SELECT count(*) FROM shifts"), 2);
    /* all or nothing: a report whose record exists already leaves the shift open */
    assert_int_equal(journal_shift_close(j, b, "{}", "A02", "SR-1", "{}", 1200, &x),
                     KERR_CONFLICT);
    assert_int_equal(journal_shift_current(j), b);
    assert_int_equal(sql_int("SELECT count(*) FROM shifts"), 2);

    /* each shift lists its own transactions, in the order recorded */
    assert_int_equal(journal_txn_add(j, "T-4", "sale", 400, "{\"n\":4}", 1300), KERR_OK);
    struct txn_list l = {0};
    assert_int_equal(journal_shift_txns(j, a, txn_list_cb, &l), 3);
    assert_string_equal(l.no[0], "T-1");
    assert_string_equal(l.no[1], "T-2");
    assert_string_equal(l.no[2], "T-3");
    assert_int_equal(l.shift[2], a);
    memset(&l, 0, sizeof l);
    assert_int_equal(journal_shift_txns(j, b, txn_list_cb, &l), 1);
    assert_string_equal(l.no[0], "T-4");
    assert_int_equal(journal_shift_txns(j, 999, NULL, NULL), 0);
    journal_close(j);

    /* after a restart the same shift is still open */
    j = journal_open(db, err, sizeof err);
    assert_int_equal(journal_shift_current(j), b);
    assert_true(journal_integrity_ok(j));
    journal_close(j);
}

static void count_shift_cb(const struct shift_row *s, void *user)
{
    int64_t *last = user;
    assert_true(s->id > *last); /* oldest first */
    assert_true(s->closed_ms > 0);
    assert_int_equal(s->day_id, 0);
    assert_non_null(s->totals);
    *last = s->id;
}

/* A day close rolls up the closed shifts not yet in a day (up to last_shift), once. */
static void days(void **state)
{
    (void)state;
    char err[256];
    struct journal *j = journal_open(db, err, sizeof err);
    int64_t s1 = journal_shift_current(j), s2, s3, s4, d1, d2 = 0, last = 0;
    assert_int_equal(journal_day_shifts(j, 0, count_shift_cb, &last), 0);
    assert_int_equal(journal_shift_close(j, s1, "{}", "A01", "SR-1", "{}", 100, &s2), KERR_OK);
    assert_int_equal(journal_shift_close(j, s2, "{}", "A02", "SR-2", "{}", 200, &s3), KERR_OK);
    assert_int_equal(journal_day_shifts(j, 0, count_shift_cb, &last), 2);
    assert_int_equal(last, s2);

    /* at most up to last_shift */
    assert_int_equal(journal_day_close(j, s1, "S01", "{\"d\":1}", "DR-1", "{\"day\":1}", 300,
                                       &d1),
                     KERR_OK);
    struct shift_row s;
    assert_int_equal(journal_shift_get(j, s1, &s), KERR_OK);
    assert_int_equal(s.day_id, d1);
    free(s.totals);
    assert_int_equal(journal_shift_get(j, s2, &s), KERR_OK);
    assert_int_equal(s.day_id, 0);
    free(s.totals);
    /* closed once: nothing is written twice */
    assert_int_equal(journal_day_close(j, s2, "S01", "{}", "DR-1", "{}", 400, &d2),
                     KERR_NOT_FOUND);
    assert_int_equal(d2, 0);
    assert_int_equal(sql_int("SELECT count(*) FROM days"), 1);
    assert_int_equal(sql_int("SELECT count(*) FROM outbox WHERE kind = 'day_report'"), 1);
    assert_int_equal(journal_shift_get(j, s2, &s), KERR_OK);
    assert_int_equal(s.day_id, 0);
    free(s.totals);
    assert_int_equal(journal_day_close(j, s2, "S01", "{}", "DR-2",
                                       "{\"card\":\"6222021234567890123\"}", 400, &d2),
                     KERR_INVALID);

    /* the open shift is never rolled up, even when last_shift names it */
    assert_int_equal(journal_shift_close(j, s3, "{}", "A03", "SR-3", "{}", 500, &s4), KERR_OK);
    assert_int_equal(journal_day_close(j, s4, "S01", "{\"d\":2}", "DR-2", "{\"day\":2}", 600,
                                       &d2),
                     KERR_OK);
    assert_true(d2 > d1);
    assert_int_equal(journal_shift_get(j, s2, &s), KERR_OK);
    assert_int_equal(s.day_id, d2);
    free(s.totals);
    assert_int_equal(journal_shift_get(j, s3, &s), KERR_OK);
    assert_int_equal(s.day_id, d2);
    free(s.totals);
    assert_int_equal(journal_shift_get(j, s4, &s), KERR_OK);
    assert_int_equal(s.day_id, 0);
    assert_int_equal(s.closed_ms, 0);
    assert_int_equal(journal_day_shifts(j, 0, NULL, NULL), 0);
    assert_int_equal(sql_int("SELECT count(*) FROM outbox WHERE record_id = 'DR-2' AND "
                             "kind = 'day_report' AND body = '{\"day\":2}'"),
                     1);
    assert_int_equal(sql_int("SELECT count(*) FROM days WHERE id = (SELECT max(id) FROM days) "
                             "AND attendant = 'S01' AND closed_ms = 600 AND totals = '{\"d\":2}'"),
                     1);
    journal_close(j);
}

static void txn_find_and_where(void **state)
{
    (void)state;
    char err[256];
    struct journal *j = journal_open(db, err, sizeof err);
    assert_int_equal(journal_txn_add(j, "S-1", "sale", 1000, "{\"n\":1}", 10), KERR_OK);
    assert_int_equal(journal_txn_add(j, "R-1", "refund", -300, "{\"refund_of\":\"S-1\"}", 11),
                     KERR_OK);
    assert_int_equal(journal_txn_add(j, "R-2", "refund", -1, "{\"refund_of\":\"S-2\"}", 12),
                     KERR_OK);
    assert_int_equal(journal_txn_add(j, "R-3", "refund", -2, "not json", 13), KERR_OK);
    assert_int_equal(journal_txn_add(j, "X-1", "sale", 5, "{\"refund_of\":\"S-1\"}", 14), KERR_OK);
    assert_int_equal(journal_txn_add(j, "R-4", "refund", -200,
                                     "{\"refund_of\":\"S-1\",\"n\":4}", 15),
                     KERR_OK);

    struct txn_row t;
    assert_int_equal(journal_txn_find(j, "S-1", &t), KERR_OK);
    assert_string_equal(t.txn_no, "S-1");
    assert_string_equal(t.kind, "sale");
    assert_int_equal(t.amount_fen, 1000);
    assert_string_equal(t.print_state, "pending");
    assert_int_equal(t.created_ms, 10);
    assert_int_equal(t.shift_id, journal_shift_current(j));
    assert_string_equal(t.payload, "{\"n\":1}");
    free(t.payload);
    assert_int_equal(journal_txn_find(j, "nope", &t), KERR_NOT_FOUND);

    struct txn_list l = {0};
    assert_int_equal(journal_txns_where(j, "refund", "refund_of", "S-1", txn_list_cb, &l), 2);
    assert_string_equal(l.no[0], "R-1");
    assert_string_equal(l.no[1], "R-4");
    assert_int_equal(journal_txns_where(j, "refund", "refund_of", "S-9", NULL, NULL), 0);
    /* only a plain field name */
    assert_int_equal(journal_txns_where(j, "refund", "refund-of", "S-1", NULL, NULL), -1);
    assert_int_equal(journal_txns_where(j, "refund", "a.b", "S-1", NULL, NULL), -1);
    assert_int_equal(journal_txns_where(j, "refund", "", "S-1", NULL, NULL), -1);
    assert_int_equal(journal_txns_where(j, "refund", NULL, "S-1", NULL, NULL), -1);
    journal_close(j);
}

struct parked {
    int n;
    int64_t seq;
    char reason[64], kind[24], body[64];
};

static void parked_cb(const struct outbox_rec *r, const char *reason, void *user)
{
    struct parked *p = user;
    p->n++;
    p->seq = r->seq;
    snprintf(p->reason, sizeof p->reason, "%s", reason);
    snprintf(p->kind, sizeof p->kind, "%s", r->kind);
    snprintf(p->body, sizeof p->body, "%s", r->body);
}

/* Outbox-only records; parked records requeued or marked handled. */
static void records_and_parked(void **state)
{
    (void)state;
    char err[256];
    struct journal *j = journal_open(db, err, sizeof err);
    assert_int_equal(journal_record_add(j, "AU-1", "audit", "{\"what\":\"drawer\"}", 1), KERR_OK);
    assert_int_equal(journal_record_add(j, "AU-1", "audit", "{}", 2), KERR_CONFLICT);
    assert_int_equal(journal_record_add(j, "AU-2", "audit", "{\"card\":\"6222021234567890\"}", 3),
                     KERR_INVALID);
    assert_int_equal(journal_record_add(j, "", "audit", "{}", 3), KERR_INVALID);
    assert_int_equal(journal_outbox_pending(j), 1);

    struct outbox_rec r;
    assert_int_equal(journal_outbox_next(j, 0, &r, 1, 1 << 20), 1);
    assert_string_equal(r.record_id, "AU-1");
    assert_string_equal(r.kind, "audit");
    int64_t seq = r.seq;
    journal_outbox_rec_free(&r);
    assert_int_equal(journal_outbox_retry(j, seq, 9000), KERR_OK);
    assert_int_equal(journal_outbox_handled(j, seq, "A01"), KERR_NOT_FOUND); /* not parked */
    assert_int_equal(journal_outbox_requeue(j, seq), KERR_NOT_FOUND);
    assert_int_equal(journal_outbox_park(j, seq, "400 INVALID_ARGUMENT"), KERR_OK);

    struct parked p = {0};
    assert_int_equal(journal_outbox_parked(j, parked_cb, &p), 1);
    assert_int_equal(p.seq, seq);
    assert_string_equal(p.reason, "400 INVALID_ARGUMENT");
    assert_string_equal(p.kind, "audit");
    assert_string_equal(p.body, "{\"what\":\"drawer\"}");

    /* requeued: pending, due now, attempts 0 */
    assert_int_equal(journal_outbox_requeue(j, seq), KERR_OK);
    assert_int_equal(journal_outbox_parked(j, NULL, NULL), 0);
    assert_int_equal(journal_outbox_next(j, 0, &r, 1, 1 << 20), 1);
    assert_int_equal(r.seq, seq);
    assert_int_equal(r.attempts, 0);
    journal_outbox_rec_free(&r);
    assert_int_equal(sql_int("SELECT count(*) FROM outbox WHERE reason IS NULL"), 1);

    /* parked again, then handled: it stays, as failed, but is no longer listed */
    assert_int_equal(journal_outbox_park(j, seq, "400"), KERR_OK);
    assert_int_equal(journal_outbox_parked(j, NULL, NULL), 1);
    assert_int_equal(journal_outbox_handled(j, seq, ""), KERR_INVALID);
    assert_int_equal(journal_outbox_handled(j, seq, "A01"), KERR_OK);
    assert_int_equal(journal_outbox_handled(j, seq, "A02"), KERR_NOT_FOUND); /* once */
    assert_int_equal(journal_outbox_parked(j, NULL, NULL), 0);
    assert_int_equal(journal_outbox_pending(j), 0);
    assert_int_equal(sql_int("SELECT count(*) FROM outbox WHERE state = 'failed' AND "
                             "handled = 'A01'"),
                     1);
    assert_int_equal(journal_outbox_requeue(j, 999), KERR_NOT_FOUND);
    journal_close(j);
}

static void settings_staff_size(void **state)
{
    (void)state;
    char err[256], v[32];
    struct journal *j = journal_open(db, err, sizeof err);
    assert_int_equal(journal_setting_get(j, "out_of_service", v, sizeof v), KERR_NOT_FOUND);
    assert_int_equal(journal_setting_put(j, "out_of_service", "pump 3 closed"), KERR_OK);
    assert_int_equal(journal_setting_put(j, "out_of_service", "pump 4 closed"), KERR_OK);
    journal_close(j);
    j = journal_open(db, err, sizeof err); /* survives a restart */
    assert_int_equal(journal_setting_get(j, "out_of_service", v, sizeof v), KERR_OK);
    assert_string_equal(v, "pump 4 closed");
    assert_int_equal(journal_setting_get(j, "out_of_service", v, 4), KERR_RANGE);
    assert_int_equal(journal_setting_put(j, "out_of_service", NULL), KERR_OK);
    assert_int_equal(journal_setting_get(j, "out_of_service", v, sizeof v), KERR_NOT_FOUND);
    assert_int_equal(journal_setting_put(j, "out_of_service", NULL), KERR_OK); /* gone already */

    assert_int_equal(journal_staff_count(j), 0);
    struct staff_row rows[3] = {
        {"A01", "6200000000000001", "Li Lei", "attendant", "$argon2id$v=19$a"},
        {"S01", "", "Han Meimei", "supervisor", "$argon2id$v=19$b"},
        {"A02", "", "Wang Fang", "attendant", "$argon2id$v=19$c"},
    };
    assert_int_equal(journal_staff_replace(j, rows, 3, 100), KERR_OK);
    assert_int_equal(journal_staff_count(j), 3);
    struct staff_row s;
    assert_int_equal(journal_staff_get(j, "S01", &s), KERR_OK);
    assert_string_equal(s.name, "Han Meimei");
    assert_string_equal(s.role, "supervisor");
    assert_string_equal(s.card_no, "");
    assert_string_equal(s.verifier, "$argon2id$v=19$b");
    assert_int_equal(journal_staff_by_card(j, "6200000000000001", &s), KERR_OK);
    assert_string_equal(s.staff_no, "A01");
    assert_int_equal(journal_staff_by_card(j, "", &s), KERR_NOT_FOUND); /* no card, nobody */
    assert_int_equal(journal_staff_by_card(j, "6200000000000009", &s), KERR_NOT_FOUND);
    assert_int_equal(journal_staff_get(j, "Z99", &s), KERR_NOT_FOUND);

    /* replaced whole; a list with a number twice is refused and the old list stays */
    assert_int_equal(journal_staff_replace(j, rows + 1, 1, 200), KERR_OK);
    assert_int_equal(journal_staff_count(j), 1);
    assert_int_equal(journal_staff_get(j, "A01", &s), KERR_NOT_FOUND);
    struct staff_row twice[2] = {rows[0], rows[0]};
    assert_int_equal(journal_staff_replace(j, twice, 2, 300), KERR_CONFLICT);
    assert_int_equal(journal_staff_count(j), 1);
    assert_int_equal(journal_staff_get(j, "S01", &s), KERR_OK);
    assert_int_equal(journal_staff_replace(j, NULL, 0, 400), KERR_OK);
    assert_int_equal(journal_staff_count(j), 0);

    assert_true(journal_size(j) > 0);
    assert_int_equal(journal_size(j) % 512, 0);
    journal_close(j);
}

/* A journal written by the kiosk before shifts (schema 2): migration 3 opens the first
 * shift and hands it every transaction recorded so far. */
static void migration_from_schema_2(void **state)
{
    (void)state;
    static const char *const v2 =
        "CREATE TABLE intents ("
        "  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, flow TEXT NOT NULL,"
        "  idem_key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL,"
        "  state TEXT NOT NULL CHECK (state IN ('pending','done','failed','abandoned')),"
        "  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
        "CREATE INDEX intents_pending ON intents(state, id);"
        "CREATE TABLE outcomes ("
        "  intent_id INTEGER NOT NULL UNIQUE REFERENCES intents(id), result TEXT NOT NULL,"
        "  detail TEXT NOT NULL, at_ms INTEGER NOT NULL);"
        "CREATE TABLE transactions ("
        "  id INTEGER PRIMARY KEY, txn_no TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
        "  amount_fen INTEGER NOT NULL, payload TEXT NOT NULL, created_ms INTEGER NOT NULL,"
        "  print_state TEXT NOT NULL DEFAULT 'pending');"
        "CREATE TABLE outbox ("
        "  seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL UNIQUE,"
        "  kind TEXT NOT NULL, body TEXT NOT NULL,"
        "  state TEXT NOT NULL CHECK (state IN ('pending','sent','failed')),"
        "  attempts INTEGER NOT NULL DEFAULT 0, next_try_ms INTEGER NOT NULL DEFAULT 0,"
        "  sent_ms INTEGER, reason TEXT);"
        "CREATE INDEX outbox_pending ON outbox(state, seq);"
        "CREATE TABLE shifts ("
        "  id INTEGER PRIMARY KEY, attendant TEXT NOT NULL, opened_ms INTEGER NOT NULL,"
        "  closed_ms INTEGER, totals TEXT);"
        "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        "CREATE TABLE orders ("
        "  order_id TEXT PRIMARY KEY, txn_no TEXT NOT NULL, body TEXT NOT NULL,"
        "  updated_ms INTEGER NOT NULL);"
        "INSERT INTO transactions (txn_no, kind, amount_fen, payload, created_ms)"
        "  VALUES ('OLD-1', 'sale', 100, '{}', 1), ('OLD-2', 'sale', 200, '{}', 2);"
        "INSERT INTO outbox (record_id, kind, body, state) VALUES"
        "  ('OLD-1', 'sale', '{}', 'sent'), ('OLD-2', 'sale', '{}', 'failed');"
        "PRAGMA user_version = 2;";
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, v2, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);

    char err[256];
    struct journal *j = journal_open(db, err, sizeof err);
    assert_non_null(j);
    assert_int_equal(sql_int("PRAGMA user_version"), 3);
    int64_t a = journal_shift_current(j);
    assert_true(a > 0);
    assert_int_equal(sql_int("SELECT count(*) FROM shifts WHERE closed_ms IS NULL"), 1);
    struct txn_list l = {0};
    assert_int_equal(journal_shift_txns(j, a, txn_list_cb, &l), 2);
    assert_string_equal(l.no[0], "OLD-1");
    assert_string_equal(l.no[1], "OLD-2");
    /* a record parked before the migration is listed as parked */
    assert_int_equal(journal_outbox_parked(j, NULL, NULL), 1);
    assert_int_equal(journal_txn_add(j, "NEW-1", "sale", 1, "{}", 3), KERR_OK);
    assert_int_equal(journal_shift_txns(j, a, NULL, NULL), 3);
    assert_true(journal_integrity_ok(j));
    journal_close(j);
    /* opened again: nothing migrates twice, no second shift */
    j = journal_open(db, err, sizeof err);
    assert_int_equal(journal_shift_current(j), a);
    assert_int_equal(sql_int("SELECT count(*) FROM shifts"), 1);
    journal_close(j);
}

static void newer_schema_refused(void **state)
{
    (void)state;
    char err[256];
    struct journal *j = journal_open(db, err, sizeof err);
    journal_close(j);
    sqlite3 *raw;
    sqlite3_open(db, &raw);
    sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(raw);
    err[0] = '\0';
    assert_null(journal_open(db, err, sizeof err));
    assert_non_null(strstr(err, "schema version 99 is newer"));
}

static void not_a_database(void **state)
{
    (void)state;
    char err[256] = "";
    FILE *f = fopen(db, "w");
    fputs("this is not sqlite, just some text that is long enough to look like a header......",
          f);
    fclose(f);
    assert_null(journal_open(db, err, sizeof err));
    assert_true(err[0] != '\0');
}

struct seen {
    int64_t id;
    int found;
};

static void find_cb(const struct intent *it, void *user)
{
    struct seen *s = user;
    if (it->id == s->id)
        s->found = 1;
}

/* SIGKILL the writer at random moments; every time the journal must be intact, hold every
 * step that was reported done, and list the intent that was begun but not finished. */
struct begin_arg {
    char key[32];
};

static enum kerr begin_job(struct journal *j, void *arg, int64_t *value)
{
    struct begin_arg *a = arg;
    return journal_intent_begin(j, "payment", "checkout", a->key, "{}", 1, value);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes run on the worker, in order, each answered as an event; the reader sees them once
 * they are committed. With a slow disk (the fault VFS: every sync 200 ms longer) the caller
 * is not held up by the sync, and the answer comes only once the intent is durable. */
static void worker_writes_in_order(void **state)
{
    (void)state;
    char err[256];
    setenv("KIOSK_JOURNAL_SLOW_SYNC_MS", "200", 1);
    struct evq *q = evq_create(16);
    struct journal_worker *w = journal_worker_open(db, q, err, sizeof err);
    assert_non_null(w);
    int64_t t0 = mono_ms();
    for (int i = 0; i < 3; i++) {
        struct begin_arg *a = calloc(1, sizeof *a);
        snprintf(a->key, sizeof a->key, "K%d", i);
        assert_int_equal(journal_worker_submit(w, begin_job, a, free, 100 + i), 0);
    }
    assert_true(mono_ms() - t0 < 50); /* queued: the caller does not wait for the disk */
    int64_t last = 0;
    for (int i = 0; i < 3; i++) {
        struct ev e;
        int64_t until = mono_ms() + 10000;
        while (!evq_pop(q, &e) && mono_ms() < until) {
            struct timespec d = {0, 5000000};
            nanosleep(&d, NULL);
        }
        assert_int_equal(e.kind, EV_JOURNAL);
        struct journal_result *r = e.ptr;
        assert_int_equal(r->tag, 100 + i); /* in the order submitted */
        assert_int_equal(r->err, KERR_OK);
        assert_true(r->value > last);
        last = r->value;
        free(r);
    }
    assert_true(mono_ms() - t0 >= 3 * 200); /* each one synced, slowly */
    int64_t n = 0;
    assert_int_equal(journal_intents_unfinished(journal_worker_reader(w), count_cb, &n), 3);
    struct begin_arg a = {"K9"};
    int64_t id = 0;
    assert_int_equal(journal_worker_now(w, begin_job, &a, &id), KERR_OK);
    assert_true(id > last);
    journal_worker_close(w);
    evq_destroy(q);
    unsetenv("KIOSK_JOURNAL_SLOW_SYNC_MS");
}

static void crash_at_random_moments(void **state)
{
    (void)state;
    const char *crasher = getenv("JOURNAL_CRASHER");
    assert_non_null(crasher);
    srand(20261123);
    int recovered = 0;
    for (int run = 0; run < 25; run++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        char key[16];
        snprintf(key, sizeof key, "r%d", run);
        pid_t pid = fork();
        if (pid == 0) {
            dup2(p[1], 1);
            close(p[0]);
            execl(crasher, crasher, db, key, (char *)NULL);
            _exit(127);
        }
        close(p[1]);
        /* Let the writer get going (its first step reported), however loaded the machine
         * is, then kill it at a random moment in the middle of its writes. */
        static char out[1 << 20];
        size_t n = 0;
        ssize_t r;
        while (n == 0 && (r = read(p[0], out, sizeof out - 1)) > 0)
            n = (size_t)r;
        struct timespec d = {0, (rand() % 40 + 1) * 1000000L};
        nanosleep(&d, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        /* What the writer reported before it died. */
        while ((r = read(p[0], out + n, sizeof out - 1 - n)) > 0)
            n += (size_t)r;
        close(p[0]);
        out[n] = '\0';
        int64_t last_begun = 0, last_finished = 0;
        char last_txn[64] = "";
        for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
            long long v;
            char t[64];
            if (sscanf(line, "BEGUN %lld", &v) == 1)
                last_begun = v;
            else if (sscanf(line, "FINISHED %lld", &v) == 1)
                last_finished = v;
            else if (sscanf(line, "TXN %63s", t) == 1)
                snprintf(last_txn, sizeof last_txn, "%s", t);
        }
        char err[256];
        struct journal *j = journal_open(db, err, sizeof err);
        assert_non_null(j);
        assert_true(journal_integrity_ok(j));
        journal_close(j);

        sqlite3 *raw;
        assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
        sqlite3_stmt *st;
        static const char *const invariants[] = {
            /* every transaction has exactly one outbox record and the other way round */
            "SELECT count(*) FROM transactions t LEFT JOIN outbox o ON o.record_id = t.txn_no "
            "WHERE o.seq IS NULL",
            "SELECT count(*) FROM outbox o LEFT JOIN transactions t ON o.record_id = t.txn_no "
            "WHERE t.id IS NULL",
            /* finished intents have one outcome, pending ones none */
            "SELECT count(*) FROM intents i LEFT JOIN outcomes o ON o.intent_id = i.id "
            "WHERE (i.state = 'pending') != (o.intent_id IS NULL)",
        };
        for (size_t k = 0; k < sizeof invariants / sizeof invariants[0]; k++) {
            assert_int_equal(sqlite3_prepare_v2(raw, invariants[k], -1, &st, NULL), SQLITE_OK);
            assert_int_equal(sqlite3_step(st), SQLITE_ROW);
            if (sqlite3_column_int(st, 0) != 0)
                fail_msg("run %d: broken invariant: %s", run, invariants[k]);
            sqlite3_finalize(st);
        }
        /* what was reported durable is there */
        if (last_txn[0]) {
            assert_int_equal(sqlite3_prepare_v2(raw, "SELECT count(*) FROM transactions "
                                                     "WHERE txn_no = ?", -1, &st, NULL),
                             SQLITE_OK);
            sqlite3_bind_text(st, 1, last_txn, -1, SQLITE_STATIC);
            assert_int_equal(sqlite3_step(st), SQLITE_ROW);
            assert_int_equal(sqlite3_column_int(st, 0), 1);
            sqlite3_finalize(st);
        }
        if (last_finished) {
            assert_int_equal(sqlite3_prepare_v2(raw, "SELECT state FROM intents WHERE id = ?",
                                                -1, &st, NULL),
                             SQLITE_OK);
            sqlite3_bind_int64(st, 1, last_finished);
            assert_int_equal(sqlite3_step(st), SQLITE_ROW);
            assert_string_equal((const char *)sqlite3_column_text(st, 0), "done");
            sqlite3_finalize(st);
        }
        sqlite3_close(raw);
        /* The intent begun last without a reported outcome is never lost: either the
         * recovery pass lists it, or its outcome was committed just before the kill. */
        if (last_begun && last_begun != last_finished) {
            j = journal_open(db, err, sizeof err);
            struct seen s = {last_begun, 0};
            assert_true(journal_intents_unfinished(j, find_cb, &s) >= 0);
            journal_close(j);
            if (!s.found) {
                assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
                assert_int_equal(sqlite3_prepare_v2(raw, "SELECT count(*) FROM intents i JOIN "
                                                         "outcomes o ON o.intent_id = i.id "
                                                         "WHERE i.id = ? AND i.state = 'done'",
                                                    -1, &st, NULL),
                                 SQLITE_OK);
                sqlite3_bind_int64(st, 1, last_begun);
                assert_int_equal(sqlite3_step(st), SQLITE_ROW);
                if (sqlite3_column_int(st, 0) != 1)
                    fail_msg("run %d: intent %lld begun, neither pending nor finished", run,
                             (long long)last_begun);
                sqlite3_finalize(st);
                sqlite3_close(raw);
            } else {
                recovered++;
            }
        }
    }
    /* With a third of the intents left open on purpose, recovery must have had work. */
    assert_true(recovered > 0);
}

static int teardown_all(void **state)
{
    (void)state;
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(intents_and_recovery, setup),
        cmocka_unit_test_setup(privacy_guard, setup),
        cmocka_unit_test_setup(txn_numbers_and_outbox_order, setup),
        cmocka_unit_test_setup(outbox_batches, setup),
        cmocka_unit_test_setup(orders_and_settled_sales, setup),
        cmocka_unit_test_setup(shifts, setup),
        cmocka_unit_test_setup(days, setup),
        cmocka_unit_test_setup(txn_find_and_where, setup),
        cmocka_unit_test_setup(records_and_parked, setup),
        cmocka_unit_test_setup(settings_staff_size, setup),
        cmocka_unit_test_setup(migration_from_schema_2, setup),
        cmocka_unit_test_setup(newer_schema_refused, setup),
        cmocka_unit_test_setup(not_a_database, setup),
        cmocka_unit_test_setup(worker_writes_in_order, setup),
        cmocka_unit_test_setup(crash_at_random_moments, setup),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
