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
    assert_int_equal(journal_outbox_next(j, 100, &r), KERR_OK);
    assert_string_equal(r.record_id, "T0001-20261123-000001");
    int64_t first = r.seq;
    journal_outbox_rec_free(&r);
    /* the oldest is backing off: nothing newer jumps the queue */
    assert_int_equal(journal_outbox_retry(j, first, 5000), KERR_OK);
    assert_int_equal(journal_outbox_next(j, 100, &r), KERR_NOT_FOUND);
    /* after a restart every pending record is due again */
    assert_int_equal(journal_outbox_wake(j), KERR_OK);
    assert_int_equal(journal_outbox_next(j, 100, &r), KERR_OK);
    journal_outbox_rec_free(&r);
    assert_int_equal(journal_outbox_retry(j, first, 5000), KERR_OK);
    assert_int_equal(journal_outbox_next(j, 5000, &r), KERR_OK);
    assert_int_equal(r.seq, first);
    assert_int_equal(r.attempts, 2);
    journal_outbox_rec_free(&r);
    assert_int_equal(journal_outbox_done(j, first, 5001), KERR_OK);
    assert_int_equal(journal_outbox_done(j, first, 5002), KERR_NOT_FOUND); /* once */
    assert_int_equal(journal_outbox_next(j, 5002, &r), KERR_OK);
    assert_string_equal(r.record_id, "T0001-20261123-000002");
    /* a record the backend refuses for good is parked; the queue moves on */
    assert_int_equal(journal_outbox_park(j, r.seq, "400 INVALID_ARGUMENT"), KERR_OK);
    journal_outbox_rec_free(&r);
    assert_int_equal(journal_outbox_next(j, 5002, &r), KERR_NOT_FOUND);
    assert_int_equal(journal_outbox_pending(j), 0);
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

static void shifts(void **state)
{
    (void)state;
    char err[256];
    struct journal *j = journal_open(db, err, sizeof err);
    int64_t a, b;
    assert_int_equal(journal_shift_current(j), 0);
    assert_int_equal(journal_shift_open(j, "A01", 100, &a), KERR_OK);
    assert_int_equal(journal_shift_current(j), a);
    assert_int_equal(journal_shift_open(j, "A02", 200, &b), KERR_CONFLICT); /* one at a time */
    assert_int_equal(journal_shift_close(j, a, "{\"sales_fen\":33118}", 300), KERR_OK);
    assert_int_equal(journal_shift_close(j, a, "{}", 400), KERR_NOT_FOUND); /* closed once */
    assert_int_equal(journal_shift_open(j, "A02", 500, &b), KERR_OK);
    assert_true(b > a);
    assert_int_equal(journal_shift_open(j, "", 600, NULL), KERR_INVALID);
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
        cmocka_unit_test_setup(orders_and_settled_sales, setup),
        cmocka_unit_test_setup(shifts, setup),
        cmocka_unit_test_setup(newer_schema_refused, setup),
        cmocka_unit_test_setup(not_a_database, setup),
        cmocka_unit_test_setup(worker_writes_in_order, setup),
        cmocka_unit_test_setup(crash_at_random_moments, setup),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
