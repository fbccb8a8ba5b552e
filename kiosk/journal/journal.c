#include "journal/journal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/codes.h"
#include "core/crash.h"
#include "core/log.h"
#include "slowsync.h"

struct journal {
    sqlite3 *db;
};

/* The open shift's id: there is one from migration 3 on (index shifts_open). */
#define OPEN_SHIFT "SELECT id FROM shifts WHERE closed_ms IS NULL ORDER BY id LIMIT 1"

/* Numbered schema migrations: migrations[i] takes user_version i to i + 1. Append only. */
static const char *const migrations[] = {
    /* 1: intents, outcomes, transactions, outbox, shifts, counters */
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
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
    /* 2: orders: what is about to be paid for, written before the payment intent */
    "CREATE TABLE orders ("
    "  order_id TEXT PRIMARY KEY, txn_no TEXT NOT NULL, body TEXT NOT NULL,"
    "  updated_ms INTEGER NOT NULL);",
    /* 3: attendant mode: every transaction in a shift, shifts in days, settings, staff,
     * parked records marked handled; the first shift opened here, and it takes every
     * transaction recorded before it */
    "ALTER TABLE transactions ADD COLUMN shift_id INTEGER;"
    "CREATE INDEX txn_shift ON transactions(shift_id, id);"
    "ALTER TABLE shifts ADD COLUMN day_id INTEGER;"
    "CREATE INDEX shifts_day ON shifts(day_id, id);"
    "CREATE INDEX shifts_open ON shifts(id) WHERE closed_ms IS NULL;"
    "CREATE TABLE days ("
    "  id INTEGER PRIMARY KEY, attendant TEXT NOT NULL, closed_ms INTEGER NOT NULL,"
    "  record_id TEXT NOT NULL UNIQUE, totals TEXT NOT NULL);"
    "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE staff ("
    "  staff_no TEXT PRIMARY KEY, card_no TEXT NOT NULL, name TEXT NOT NULL,"
    "  role TEXT NOT NULL, verifier TEXT NOT NULL, updated_ms INTEGER NOT NULL);"
    "CREATE INDEX staff_card ON staff(card_no);"
    "ALTER TABLE outbox ADD COLUMN handled TEXT;"
    "INSERT INTO shifts (attendant, opened_ms)"
    "  SELECT '', kiosk_wall_ms()"
    "  WHERE NOT EXISTS (SELECT 1 FROM shifts WHERE closed_ms IS NULL);"
    "UPDATE transactions SET shift_id = (" OPEN_SHIFT ") WHERE shift_id IS NULL;",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

static const char *const state_names[] = {"pending", "done", "failed", "abandoned"};

static int exec(struct journal *j, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(j->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("journal", "%s", msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int user_version(struct journal *j)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(j->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int migrate(struct journal *j, char *err, size_t errcap)
{
    int v = user_version(j);
    if (v < 0 || v > NMIGRATIONS) {
        snprintf(err, errcap, "journal schema version %d is newer than this kiosk knows (%d)", v,
                 NMIGRATIONS);
        return -1;
    }
    for (; v < NMIGRATIONS; v++) {
        char pragma[48];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", v + 1);
        if (exec(j, "BEGIN IMMEDIATE") != 0 || exec(j, migrations[v]) != 0 ||
            exec(j, pragma) != 0 || exec(j, "COMMIT") != 0) {
            exec(j, "ROLLBACK");
            snprintf(err, errcap, "journal migration %d failed", v + 1);
            return -1;
        }
        log_info("journal", "schema %d -> %d", v, v + 1);
    }
    return 0;
}

/* kiosk_wall_ms(): the kiosk's business time in SQL (the first shift's opening is shown on
 * its report, so it follows the test wall clock like every business time). */
static void wall_ms(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_int64(c, clock_wall_ms());
}

/* Each connection's page cache is bounded (the kiosk's memory stays flat over a day). */
#define CACHE_KIB 512

static struct journal *open_db(const char *path, int flags, char *err, size_t errcap)
{
    struct journal *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &j->db, flags, journal_slowsync_vfs()) != SQLITE_OK) {
        snprintf(err, errcap, "%s: %s", path, j->db ? sqlite3_errmsg(j->db) : "cannot open");
        journal_close(j);
        return NULL;
    }
    sqlite3_busy_timeout(j->db, 5000);
    sqlite3_create_function(j->db, "kiosk_wall_ms", 0, SQLITE_UTF8, NULL, wall_ms, NULL, NULL);
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%d;", CACHE_KIB);
    if (exec(j, pragma) != 0) {
        snprintf(err, errcap, "%s: not a usable journal", path);
        journal_close(j);
        return NULL;
    }
    return j;
}

struct journal *journal_open(const char *path, char *err, size_t errcap)
{
    struct journal *j = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err, errcap);
    if (!j)
        return NULL;
    if (exec(j, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;") !=
            0 ||
        migrate(j, err, errcap) != 0) {
        if (!err[0])
            snprintf(err, errcap, "%s: not a usable journal", path);
        journal_close(j);
        return NULL;
    }
    return j;
}

struct journal *journal_open_reader(const char *path, char *err, size_t errcap)
{
    struct journal *j = open_db(path, SQLITE_OPEN_READWRITE, err, errcap);
    if (j && exec(j, "PRAGMA query_only = 1;") != 0) {
        snprintf(err, errcap, "%s: cannot read the journal", path);
        journal_close(j);
        return NULL;
    }
    return j;
}

void journal_close(struct journal *j)
{
    if (!j)
        return;
    sqlite3_close(j->db);
    free(j);
}

static enum kerr step_done(struct journal *j, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return KERR_OK;
    if (rc == SQLITE_CONSTRAINT)
        return KERR_CONFLICT;
    log_error("journal", "%s", sqlite3_errmsg(j->db));
    return KERR_IO;
}

static sqlite3_stmt *prep(struct journal *j, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
        log_error("journal", "prepare: %s", sqlite3_errmsg(j->db));
        return NULL;
    }
    return st;
}

enum kerr journal_intent_begin(struct journal *j, const char *kind, const char *flow,
                               const char *idem_key, const char *payload, int64_t now_ms,
                               int64_t *id)
{
    if (!kind || !flow || !idem_key || !*idem_key || strlen(idem_key) > 64 || !payload)
        return KERR_INVALID;
    if (code_digit_run(payload, CODE_PRIVATE_RUN)) {
        log_error("journal", "refused a %s intent whose payload holds a full code", kind);
        return KERR_INVALID;
    }
    sqlite3_stmt *st = prep(j, "INSERT INTO intents (kind, flow, idem_key, payload, state,"
                               " created_ms, updated_ms) VALUES (?, ?, ?, ?, 'pending', ?, ?)");
    if (!st)
        return KERR_IO;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, flow, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, idem_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, payload, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now_ms);
    sqlite3_bind_int64(st, 6, now_ms);
    crash_point("journal.intent_begin:before");
    /* Autocommit: with synchronous=FULL the commit is synced before this returns. */
    enum kerr e = step_done(j, st);
    if (e == KERR_OK && id)
        *id = sqlite3_last_insert_rowid(j->db);
    if (e == KERR_OK)
        crash_point("journal.intent_begin:after");
    return e;
}

/* Moves pending intent `id` to `state` with its outcome, inside the caller's transaction. */
static enum kerr finish_in_txn(struct journal *j, int64_t id, enum intent_state state,
                               const char *result, const char *detail, int64_t now_ms)
{
    sqlite3_stmt *st = prep(j, "UPDATE intents SET state = ?, updated_ms = ? "
                               "WHERE id = ? AND state = 'pending'");
    enum kerr e = KERR_IO;
    if (st) {
        sqlite3_bind_text(st, 1, state_names[state], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now_ms);
        sqlite3_bind_int64(st, 3, id);
        e = step_done(j, st);
    }
    if (e == KERR_OK && sqlite3_changes(j->db) != 1)
        e = KERR_NOT_FOUND; /* unknown, or finished already */
    if (e == KERR_OK) {
        st = prep(j, "INSERT INTO outcomes (intent_id, result, detail, at_ms) VALUES (?,?,?,?)");
        e = KERR_IO;
        if (st) {
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_text(st, 2, result, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, detail ? detail : "{}", -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, now_ms);
            e = step_done(j, st);
        }
    }
    return e;
}

/* Commits what the caller began, or rolls it back; `e` is how far it got. */
static enum kerr end_txn(struct journal *j, enum kerr e)
{
    if (e != KERR_OK || exec(j, "COMMIT") != 0) {
        exec(j, "ROLLBACK");
        return e != KERR_OK ? e : KERR_IO;
    }
    return KERR_OK;
}

enum kerr journal_intent_finish(struct journal *j, int64_t id, enum intent_state state,
                                const char *result, const char *detail, int64_t now_ms)
{
    if (state > INTENT_ABANDONED || state == INTENT_PENDING || !result)
        return KERR_INVALID;
    if (detail && code_digit_run(detail, CODE_PRIVATE_RUN))
        return KERR_INVALID;
    crash_point("journal.intent_finish:before");
    if (exec(j, "BEGIN IMMEDIATE") != 0)
        return KERR_IO;
    enum kerr e = end_txn(j, finish_in_txn(j, id, state, result, detail, now_ms));
    if (e == KERR_OK)
        crash_point("journal.intent_finish:after");
    return e;
}

int journal_intents_unfinished(struct journal *j, void (*cb)(const struct intent *, void *),
                               void *user)
{
    sqlite3_stmt *st = prep(j, "SELECT id, kind, flow, idem_key, payload, created_ms "
                               "FROM intents WHERE state = 'pending' ORDER BY id");
    if (!st)
        return -1;
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct intent it;
        memset(&it, 0, sizeof it);
        it.id = sqlite3_column_int64(st, 0);
        snprintf(it.kind, sizeof it.kind, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(it.flow, sizeof it.flow, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(it.idem_key, sizeof it.idem_key, "%s", (const char *)sqlite3_column_text(st, 3));
        it.payload = (char *)sqlite3_column_text(st, 4);
        it.created_ms = sqlite3_column_int64(st, 5);
        if (cb)
            cb(&it, user);
        n++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? n : -1;
}

/* Inserts a pending outbox record inside the caller's transaction (or on its own).
 * KERR_CONFLICT if record_id exists. */
static enum kerr outbox_insert(struct journal *j, const char *record_id, const char *kind,
                               const char *body)
{
    sqlite3_stmt *st = prep(j, "INSERT INTO outbox (record_id, kind, body, state) "
                               "VALUES (?, ?, ?, 'pending')");
    if (!st)
        return KERR_IO;
    sqlite3_bind_text(st, 1, record_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
    return step_done(j, st);
}

/* Inserts a transaction (in the open shift) and its outbox record inside the caller's
 * transaction. */
static enum kerr txn_insert(struct journal *j, const char *txn_no, const char *kind,
                            int64_t amount_fen, const char *payload, int64_t now_ms)
{
    enum kerr e = KERR_IO;
    sqlite3_stmt *st = prep(j, "INSERT INTO transactions (txn_no, kind, amount_fen, payload,"
                               " created_ms, shift_id) VALUES (?, ?, ?, ?, ?, (" OPEN_SHIFT "))");
    if (st) {
        sqlite3_bind_text(st, 1, txn_no, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, amount_fen);
        sqlite3_bind_text(st, 4, payload, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, now_ms);
        e = step_done(j, st);
    }
    if (e == KERR_OK)
        e = outbox_insert(j, txn_no, kind, payload);
    return e;
}

static int txn_args_ok(const char *txn_no, const char *kind, const char *payload)
{
    return txn_no && *txn_no && strlen(txn_no) <= 64 && kind && payload &&
           !code_digit_run(payload, CODE_PRIVATE_RUN);
}

enum kerr journal_txn_add(struct journal *j, const char *txn_no, const char *kind,
                          int64_t amount_fen, const char *payload, int64_t now_ms)
{
    if (!txn_args_ok(txn_no, kind, payload))
        return KERR_INVALID;
    crash_point("journal.txn_add:before");
    if (exec(j, "BEGIN IMMEDIATE") != 0)
        return KERR_IO;
    enum kerr e = end_txn(j, txn_insert(j, txn_no, kind, amount_fen, payload, now_ms));
    if (e == KERR_OK)
        crash_point("journal.txn_add:after");
    return e;
}

enum kerr journal_txn_settle(struct journal *j, int64_t intent_id, const char *txn_no,
                             const char *kind, int64_t amount_fen, const char *payload,
                             int64_t now_ms)
{
    if (!txn_args_ok(txn_no, kind, payload) || intent_id <= 0)
        return KERR_INVALID;
    crash_point("journal.txn_settle:before");
    if (exec(j, "BEGIN IMMEDIATE") != 0)
        return KERR_IO;
    enum kerr e = txn_insert(j, txn_no, kind, amount_fen, payload, now_ms), added = e;
    if (e == KERR_CONFLICT)
        e = KERR_OK; /* recorded already: only the intent is left to settle */
    if (e == KERR_OK) {
        e = finish_in_txn(j, intent_id, INTENT_DONE, "PAID", "{}", now_ms);
        if (e == KERR_NOT_FOUND && added == KERR_OK)
            e = KERR_OK; /* settled already, but the sale was not recorded: record it */
    }
    e = end_txn(j, e);
    if (e == KERR_OK)
        crash_point("journal.txn_settle:after");
    return e == KERR_OK && added == KERR_CONFLICT ? KERR_CONFLICT : e;
}

enum kerr journal_txn_get(struct journal *j, const char *txn_no, char **payload,
                          char *print_state, size_t cap, int64_t *created_ms)
{
    sqlite3_stmt *st = prep(j, "SELECT payload, print_state, created_ms FROM transactions "
                               "WHERE txn_no = ?");
    if (!st)
        return KERR_IO;
    sqlite3_bind_text(st, 1, txn_no, -1, SQLITE_STATIC);
    enum kerr e = KERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        e = KERR_OK;
        if (payload && !(*payload = strdup((const char *)sqlite3_column_text(st, 0))))
            e = KERR_NOMEM;
        if (print_state)
            snprintf(print_state, cap, "%s", (const char *)sqlite3_column_text(st, 1));
        if (created_ms)
            *created_ms = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return e;
}

int journal_txns_unprinted(struct journal *j, const char *kind, int64_t since_ms,
                           void (*cb)(const char *txn_no, void *user), void *user)
{
    sqlite3_stmt *st = prep(j, "SELECT txn_no FROM transactions WHERE print_state = 'pending'"
                               " AND created_ms >= ? AND kind = ? ORDER BY id");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, since_ms);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    int n = 0, rc;
    char no[72];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        snprintf(no, sizeof no, "%s", (const char *)sqlite3_column_text(st, 0));
        cb(no, user);
        n++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? n : -1;
}

enum kerr journal_order_put(struct journal *j, const char *order_id, const char *txn_no,
                            const char *body, int64_t now_ms)
{
    if (!order_id || !*order_id || !txn_args_ok(txn_no, "order", body))
        return KERR_INVALID;
    sqlite3_stmt *st = prep(j, "INSERT INTO orders (order_id, txn_no, body, updated_ms) "
                               "VALUES (?, ?, ?, ?) ON CONFLICT(order_id) DO UPDATE SET "
                               "body = excluded.body, updated_ms = excluded.updated_ms");
    if (!st)
        return KERR_IO;
    sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, txn_no, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now_ms);
    crash_point("journal.order_put:before");
    enum kerr e = step_done(j, st);
    if (e == KERR_OK)
        crash_point("journal.order_put:after");
    return e;
}

enum kerr journal_order_get(struct journal *j, const char *order_id, char **body)
{
    sqlite3_stmt *st = prep(j, "SELECT body FROM orders WHERE order_id = ?");
    if (!st)
        return KERR_IO;
    sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
    enum kerr e = KERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW)
        e = (*body = strdup((const char *)sqlite3_column_text(st, 0))) ? KERR_OK : KERR_NOMEM;
    sqlite3_finalize(st);
    return e;
}

enum kerr journal_txn_set_print_state(struct journal *j, const char *txn_no, const char *state)
{
    sqlite3_stmt *st = prep(j, "UPDATE transactions SET print_state = ? WHERE txn_no = ?");
    if (!st)
        return KERR_IO;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, txn_no, -1, SQLITE_STATIC);
    crash_point("journal.txn_set_print_state:before");
    enum kerr e = step_done(j, st);
    if (e == KERR_OK && sqlite3_changes(j->db) != 1)
        return KERR_NOT_FOUND;
    if (e == KERR_OK)
        crash_point("journal.txn_set_print_state:after");
    return e;
}

enum kerr journal_next_txn_no(struct journal *j, const char *terminal_id, int64_t unix_s,
                              char *out, size_t cap)
{
    char day[16], name[48];
    time_t t = (time_t)unix_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(day, sizeof day, "%Y%m%d", &tm);
    snprintf(name, sizeof name, "txn:%s", day);
    if (exec(j, "BEGIN IMMEDIATE") != 0)
        return KERR_IO;
    sqlite3_stmt *st = prep(j, "INSERT INTO counters (name, value) VALUES (?, 1) "
                               "ON CONFLICT(name) DO UPDATE SET value = value + 1 "
                               "RETURNING value");
    int64_t v = -1;
    if (st) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (v < 0 || exec(j, "COMMIT") != 0) {
        exec(j, "ROLLBACK");
        return KERR_IO;
    }
    snprintf(out, cap, "%s-%s-%06lld", terminal_id, day, (long long)v);
    return KERR_OK;
}

int journal_outbox_next(struct journal *j, int64_t now_ms, struct outbox_rec *recs, int max,
                        size_t max_bytes)
{
    memset(recs, 0, sizeof *recs * (size_t)(max > 0 ? max : 0));
    sqlite3_stmt *st = max > 0 ? prep(j, "SELECT seq, record_id, kind, body, attempts, "
                                         "next_try_ms FROM outbox WHERE state = 'pending' "
                                         "ORDER BY seq LIMIT ?")
                               : NULL;
    if (!st)
        return max > 0 ? -1 : 0;
    sqlite3_bind_int(st, 1, max);
    int n = 0, rc;
    size_t bytes = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t len = (size_t)sqlite3_column_bytes(st, 3);
        if (n == 0 && sqlite3_column_int64(st, 5) > now_ms)
            break; /* the oldest waits for its retry time: nothing newer jumps the queue */
        if (n > 0 && bytes + len > max_bytes)
            break;
        struct outbox_rec *r = &recs[n];
        r->seq = sqlite3_column_int64(st, 0);
        snprintf(r->record_id, sizeof r->record_id, "%s", sqlite3_column_text(st, 1));
        snprintf(r->kind, sizeof r->kind, "%s", sqlite3_column_text(st, 2));
        r->body = strdup((const char *)sqlite3_column_text(st, 3));
        r->attempts = sqlite3_column_int(st, 4);
        if (!r->body)
            break;
        bytes += len;
        n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        for (int i = 0; i < n; i++)
            journal_outbox_rec_free(&recs[i]);
        log_error("journal", "outbox: %s", sqlite3_errmsg(j->db));
        return -1;
    }
    return n;
}

void journal_outbox_rec_free(struct outbox_rec *rec)
{
    if (!rec)
        return;
    free(rec->body);
    rec->body = NULL;
}

static enum kerr outbox_update(struct journal *j, const char *sql, int64_t seq, int64_t v,
                               const char *text)
{
    sqlite3_stmt *st = prep(j, sql);
    if (!st)
        return KERR_IO;
    sqlite3_bind_int64(st, 1, v);
    if (text)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, text ? 3 : 2, seq);
    enum kerr e = step_done(j, st);
    if (e == KERR_OK && sqlite3_changes(j->db) != 1)
        return KERR_NOT_FOUND;
    return e;
}

enum kerr journal_outbox_done(struct journal *j, const int64_t *seq, int n, int64_t now_ms)
{
    crash_point("journal.outbox_done:before");
    if (exec(j, "BEGIN IMMEDIATE") != 0)
        return KERR_IO;
    enum kerr e = KERR_OK;
    int missing = 0;
    for (int i = 0; i < n && e == KERR_OK; i++) {
        e = outbox_update(j, "UPDATE outbox SET state = 'sent', sent_ms = ? "
                             "WHERE seq = ? AND state = 'pending'",
                          seq[i], now_ms, NULL);
        if (e == KERR_NOT_FOUND) { /* not pending any more: the others still go */
            missing = 1;
            e = KERR_OK;
        }
    }
    if (e != KERR_OK || exec(j, "COMMIT") != 0) {
        exec(j, "ROLLBACK");
        return e != KERR_OK ? e : KERR_IO;
    }
    crash_point("journal.outbox_done:after");
    return missing ? KERR_NOT_FOUND : KERR_OK;
}

int journal_outbox_prune(struct journal *j, int64_t before_ms, int max)
{
    sqlite3_stmt *st = prep(j, "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox "
                               "WHERE state = 'sent' AND sent_ms < ? ORDER BY seq LIMIT ?)");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, before_ms);
    sqlite3_bind_int(st, 2, max);
    return step_done(j, st) == KERR_OK ? sqlite3_changes(j->db) : -1;
}

enum kerr journal_outbox_retry(struct journal *j, int64_t seq, int64_t next_try_ms)
{
    return outbox_update(j, "UPDATE outbox SET attempts = attempts + 1, next_try_ms = ? "
                            "WHERE seq = ? AND state = 'pending'",
                         seq, next_try_ms, NULL);
}

enum kerr journal_outbox_park(struct journal *j, int64_t seq, const char *reason)
{
    return outbox_update(j, "UPDATE outbox SET attempts = attempts + ?, state = 'failed', "
                            "reason = ? WHERE seq = ? AND state = 'pending'",
                         seq, 1, reason ? reason : "");
}

enum kerr journal_outbox_wake(struct journal *j)
{
    sqlite3_stmt *st = prep(j, "UPDATE outbox SET next_try_ms = 0 WHERE state = 'pending'");
    return st ? step_done(j, st) : KERR_IO;
}

int journal_outbox_pending(struct journal *j)
{
    sqlite3_stmt *st = prep(j, "SELECT count(*) FROM outbox WHERE state = 'pending'");
    int n = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A parked record goes back to the head of the queue, due now; it is no longer handled. */
enum kerr journal_outbox_requeue(struct journal *j, int64_t seq)
{
    crash_point("journal.outbox_requeue:before");
    enum kerr e = outbox_update(j, "UPDATE outbox SET state = 'pending', attempts = ?, "
                                   "next_try_ms = 0, reason = NULL, handled = NULL "
                                   "WHERE seq = ? AND state = 'failed'",
                                seq, 0, NULL);
    if (e == KERR_OK)
        crash_point("journal.outbox_requeue:after");
    return e;
}

enum kerr journal_outbox_handled(struct journal *j, int64_t seq, const char *who)
{
    if (!who || !*who)
        return KERR_INVALID;
    sqlite3_stmt *st = prep(j, "UPDATE outbox SET handled = ? "
                               "WHERE seq = ? AND state = 'failed' AND handled IS NULL");
    if (!st)
        return KERR_IO;
    sqlite3_bind_text(st, 1, who, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, seq);
    crash_point("journal.outbox_handled:before");
    enum kerr e = step_done(j, st);
    if (e == KERR_OK && sqlite3_changes(j->db) != 1)
        return KERR_NOT_FOUND; /* not parked, or handled already */
    if (e == KERR_OK)
        crash_point("journal.outbox_handled:after");
    return e;
}

int journal_outbox_parked(struct journal *j,
                          void (*cb)(const struct outbox_rec *r, const char *reason, void *user),
                          void *user)
{
    sqlite3_stmt *st = prep(j, "SELECT seq, record_id, kind, body, attempts, reason FROM outbox "
                               "WHERE state = 'failed' AND handled IS NULL ORDER BY seq");
    if (!st)
        return -1;
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct outbox_rec r;
        memset(&r, 0, sizeof r);
        r.seq = sqlite3_column_int64(st, 0);
        snprintf(r.record_id, sizeof r.record_id, "%s", sqlite3_column_text(st, 1));
        snprintf(r.kind, sizeof r.kind, "%s", sqlite3_column_text(st, 2));
        r.body = (char *)sqlite3_column_text(st, 3); /* SQLite's: valid during the call */
        r.attempts = sqlite3_column_int(st, 4);
        const char *reason = (const char *)sqlite3_column_text(st, 5);
        if (cb)
            cb(&r, reason ? reason : "", user);
        n++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? n : -1;
}

static int record_args_ok(const char *record_id, const char *kind, const char *body)
{
    return record_id && *record_id && strlen(record_id) <= 64 && kind && *kind &&
           strlen(kind) < sizeof ((struct outbox_rec *)0)->kind && body;
}

enum kerr journal_record_add(struct journal *j, const char *record_id, const char *kind,
                             const char *body, int64_t now_ms)
{
    (void)now_ms; /* the outbox keeps no time of its own; the body carries it */
    if (!record_args_ok(record_id, kind, body))
        return KERR_INVALID;
    if (code_digit_run(body, CODE_PRIVATE_RUN)) {
        log_error("journal", "refused a %s record whose body holds a full code", kind);
        return KERR_INVALID;
    }
    crash_point("journal.record_add:before");
    /* One statement in autocommit: the record is on disk when this returns. */
    enum kerr e = outbox_insert(j, record_id, kind, body);
    if (e == KERR_OK)
        crash_point("journal.record_add:after");
    return e;
}

/* ---- shifts and days ---- */

#define SHIFT_COLS "SELECT id, attendant, opened_ms, closed_ms, day_id, totals FROM shifts "

/* The row under `st` (columns SHIFT_COLS); totals points into SQLite's memory. */
static void read_shift(sqlite3_stmt *st, struct shift_row *s)
{
    memset(s, 0, sizeof *s);
    s->id = sqlite3_column_int64(st, 0);
    snprintf(s->attendant, sizeof s->attendant, "%s", (const char *)sqlite3_column_text(st, 1));
    s->opened_ms = sqlite3_column_int64(st, 2);
    s->closed_ms = sqlite3_column_int64(st, 3); /* NULL reads as 0 */
    s->day_id = sqlite3_column_int64(st, 4);
    s->totals = (char *)sqlite3_column_text(st, 5);
}

#define TXN_COLS                                                                                   \
    "SELECT id, txn_no, kind, amount_fen, print_state, created_ms, shift_id, payload "            \
    "FROM transactions "

/* The row under `st` (columns TXN_COLS); payload points into SQLite's memory. */
static void read_txn(sqlite3_stmt *st, struct txn_row *t)
{
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    snprintf(t->txn_no, sizeof t->txn_no, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(t->kind, sizeof t->kind, "%s", (const char *)sqlite3_column_text(st, 2));
    t->amount_fen = sqlite3_column_int64(st, 3);
    snprintf(t->print_state, sizeof t->print_state, "%s",
             (const char *)sqlite3_column_text(st, 4));
    t->created_ms = sqlite3_column_int64(st, 5);
    t->shift_id = sqlite3_column_int64(st, 6);
    t->payload = (char *)sqlite3_column_text(st, 7);
}

/* Steps `st` (columns TXN_COLS) to the end, calling cb for each row; finalizes it. */
static int each_txn(sqlite3_stmt *st, void (*cb)(const struct txn_row *t, void *user),
                    void *user)
{
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct txn_row t;
        read_txn(st, &t);
        if (cb)
            cb(&t, user);
        n++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? n : -1;
}

int64_t journal_shift_current(struct journal *j)
{
    sqlite3_stmt *st = prep(j, OPEN_SHIFT);
    int64_t id = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

enum kerr journal_shift_get(struct journal *j, int64_t id, struct shift_row *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = prep(j, SHIFT_COLS "WHERE id = ?");
    if (!st)
        return KERR_IO;
    sqlite3_bind_int64(st, 1, id);
    enum kerr e = KERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        read_shift(st, out);
        e = KERR_OK;
        if (out->totals && !(out->totals = strdup(out->totals)))
            e = KERR_NOMEM;
    }
    sqlite3_finalize(st);
    return e;
}

int journal_shift_txns(struct journal *j, int64_t id,
                       void (*cb)(const struct txn_row *t, void *user), void *user)
{
    sqlite3_stmt *st = prep(j, TXN_COLS "WHERE shift_id = ? ORDER BY id");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    return each_txn(st, cb, user);
}

enum kerr journal_shift_close(struct journal *j, int64_t id, const char *totals,
                              const char *next_attendant, const char *record_id,
                              const char *report, int64_t now_ms, int64_t *next)
{
    if (!totals || !next_attendant ||
        strlen(next_attendant) >= sizeof ((struct shift_row *)0)->attendant ||
        !record_args_ok(record_id, "shift_report", report))
        return KERR_INVALID;
    if (code_digit_run(report, CODE_PRIVATE_RUN) || code_digit_run(totals, CODE_PRIVATE_RUN)) {
        log_error("journal", "refused a shift report that holds a full code");
        return KERR_INVALID;
    }
    crash_point("journal.shift_close:before");
    if (exec(j, "BEGIN IMMEDIATE") != 0)
        return KERR_IO;
    enum kerr e = KERR_IO;
    sqlite3_stmt *st = prep(j, "UPDATE shifts SET closed_ms = ?, totals = ? "
                               "WHERE id = ? AND closed_ms IS NULL");
    if (st) {
        sqlite3_bind_int64(st, 1, now_ms);
        sqlite3_bind_text(st, 2, totals, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, id);
        e = step_done(j, st);
    }
    if (e == KERR_OK && sqlite3_changes(j->db) != 1)
        e = KERR_NOT_FOUND; /* not the open shift: closed already, or unknown */
    int64_t opened = 0;
    if (e == KERR_OK) {
        st = prep(j, "INSERT INTO shifts (attendant, opened_ms) VALUES (?, ?)");
        e = KERR_IO;
        if (st) {
            sqlite3_bind_text(st, 1, next_attendant, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, now_ms);
            e = step_done(j, st);
            opened = sqlite3_last_insert_rowid(j->db);
        }
    }
    if (e == KERR_OK)
        e = outbox_insert(j, record_id, "shift_report", report);
    e = end_txn(j, e);
    if (e != KERR_OK)
        return e;
    if (next)
        *next = opened;
    crash_point("journal.shift_close:after");
    return KERR_OK;
}

int journal_day_shifts(struct journal *j, int64_t day_id,
                       void (*cb)(const struct shift_row *s, void *user), void *user)
{
    sqlite3_stmt *st = prep(j, day_id ? SHIFT_COLS "WHERE day_id = ? ORDER BY id"
                                      : SHIFT_COLS "WHERE day_id IS NULL AND closed_ms IS NOT "
                                                   "NULL ORDER BY id");
    if (!st)
        return -1;
    if (day_id)
        sqlite3_bind_int64(st, 1, day_id);
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct shift_row s;
        read_shift(st, &s);
        if (cb)
            cb(&s, user);
        n++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? n : -1;
}

enum kerr journal_day_find(struct journal *j, const char *record_id, int64_t *day_id,
                           int64_t *closed_ms)
{
    sqlite3_stmt *st = prep(j, "SELECT id, closed_ms FROM days WHERE record_id = ?");
    if (!st)
        return KERR_IO;
    sqlite3_bind_text(st, 1, record_id, -1, SQLITE_STATIC);
    enum kerr e = KERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *day_id = sqlite3_column_int64(st, 0);
        *closed_ms = sqlite3_column_int64(st, 1);
        e = KERR_OK;
    }
    sqlite3_finalize(st);
    return e;
}

enum kerr journal_day_close(struct journal *j, int64_t last_shift, const char *attendant,
                            const char *totals, const char *record_id, const char *report,
                            int64_t now_ms, int64_t *day)
{
    if (!attendant || !totals || !record_args_ok(record_id, "day_report", report))
        return KERR_INVALID;
    if (code_digit_run(report, CODE_PRIVATE_RUN) || code_digit_run(totals, CODE_PRIVATE_RUN)) {
        log_error("journal", "refused a day report that holds a full code");
        return KERR_INVALID;
    }
    crash_point("journal.day_close:before");
    if (exec(j, "BEGIN IMMEDIATE") != 0)
        return KERR_IO;
    enum kerr e = KERR_IO;
    sqlite3_stmt *st = prep(j, "INSERT INTO days (attendant, closed_ms, record_id, totals) "
                               "VALUES (?, ?, ?, ?)");
    if (st) {
        sqlite3_bind_text(st, 1, attendant, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now_ms);
        sqlite3_bind_text(st, 3, record_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, totals, -1, SQLITE_STATIC);
        e = step_done(j, st);
    }
    if (e == KERR_CONFLICT)
        e = KERR_NOT_FOUND; /* record_id is the day's key: this day is closed already */
    int64_t id = sqlite3_last_insert_rowid(j->db);
    if (e == KERR_OK) {
        st = prep(j, "UPDATE shifts SET day_id = ? "
                     "WHERE closed_ms IS NOT NULL AND day_id IS NULL AND id <= ?");
        e = KERR_IO;
        if (st) {
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int64(st, 2, last_shift);
            e = step_done(j, st);
        }
    }
    if (e == KERR_OK)
        e = outbox_insert(j, record_id, "day_report", report);
    e = end_txn(j, e);
    if (e != KERR_OK)
        return e;
    if (day)
        *day = id;
    crash_point("journal.day_close:after");
    return KERR_OK;
}

enum kerr journal_txn_find(struct journal *j, const char *txn_no, struct txn_row *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = prep(j, TXN_COLS "WHERE txn_no = ?");
    if (!st)
        return KERR_IO;
    sqlite3_bind_text(st, 1, txn_no, -1, SQLITE_STATIC);
    enum kerr e = KERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        read_txn(st, out);
        e = (out->payload = strdup(out->payload)) ? KERR_OK : KERR_NOMEM;
    }
    sqlite3_finalize(st);
    return e;
}

/* A JSON field name the query may name: [a-z_]+. */
static int plain_name(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
            return 0;
    return 1;
}

int journal_txns_where(struct journal *j, const char *kind, const char *field,
                       const char *value, void (*cb)(const struct txn_row *t, void *user),
                       void *user)
{
    if (!kind || !plain_name(field) || !value)
        return -1;
    /* A payload that is not JSON matches nothing rather than failing the whole query. */
    sqlite3_stmt *st = prep(j, TXN_COLS "WHERE kind = ? AND CASE WHEN json_valid(payload) "
                                        "THEN json_extract(payload, '$.' || ?) END = ? "
                                        "ORDER BY id");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    return each_txn(st, cb, user);
}

/* ---- settings and staff ---- */

enum kerr journal_setting_get(struct journal *j, const char *name, char *value, size_t cap)
{
    if (!name || !value || cap == 0)
        return KERR_INVALID;
    sqlite3_stmt *st = prep(j, "SELECT value FROM settings WHERE name = ?");
    if (!st)
        return KERR_IO;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    enum kerr e = KERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int n = snprintf(value, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        e = n >= 0 && (size_t)n < cap ? KERR_OK : KERR_RANGE;
    }
    sqlite3_finalize(st);
    return e;
}

enum kerr journal_setting_put(struct journal *j, const char *name, const char *value)
{
    if (!name || !*name)
        return KERR_INVALID;
    sqlite3_stmt *st = prep(j, value ? "INSERT INTO settings (name, value) VALUES (?, ?) "
                                       "ON CONFLICT(name) DO UPDATE SET value = excluded.value"
                                     : "DELETE FROM settings WHERE name = ?");
    if (!st)
        return KERR_IO;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (value)
        sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    crash_point("journal.setting_put:before");
    enum kerr e = step_done(j, st);
    if (e == KERR_OK)
        crash_point("journal.setting_put:after");
    return e;
}

/* Binds a fixed-size field of the caller's row, never reading past its end. */
#define BIND_FIELD(st, i, f) sqlite3_bind_text(st, i, f, (int)strnlen(f, sizeof f), SQLITE_STATIC)

enum kerr journal_staff_replace(struct journal *j, const struct staff_row *rows, int n,
                                int64_t now_ms)
{
    if (n < 0 || (n > 0 && !rows))
        return KERR_INVALID;
    for (int i = 0; i < n; i++)
        if (!rows[i].staff_no[0])
            return KERR_INVALID;
    crash_point("journal.staff_replace:before");
    if (exec(j, "BEGIN IMMEDIATE") != 0)
        return KERR_IO;
    sqlite3_stmt *st = prep(j, "DELETE FROM staff");
    enum kerr e = st ? step_done(j, st) : KERR_IO;
    for (int i = 0; i < n && e == KERR_OK; i++) {
        const struct staff_row *r = &rows[i];
        st = prep(j, "INSERT INTO staff (staff_no, card_no, name, role, verifier, updated_ms) "
                     "VALUES (?, ?, ?, ?, ?, ?)");
        if (!st) {
            e = KERR_IO;
            break;
        }
        BIND_FIELD(st, 1, r->staff_no);
        BIND_FIELD(st, 2, r->card_no);
        BIND_FIELD(st, 3, r->name);
        BIND_FIELD(st, 4, r->role);
        BIND_FIELD(st, 5, r->verifier);
        sqlite3_bind_int64(st, 6, now_ms);
        e = step_done(j, st); /* KERR_CONFLICT: a staff number listed twice */
    }
    e = end_txn(j, e);
    if (e == KERR_OK)
        crash_point("journal.staff_replace:after");
    return e;
}

/* The staff row `key` names (by staff number or card number, per `sql`). */
static enum kerr staff_one(struct journal *j, const char *sql, const char *key,
                           struct staff_row *out)
{
    memset(out, 0, sizeof *out);
    if (!key || !*key)
        return KERR_NOT_FOUND; /* "" is the card of staff without one: it names nobody */
    sqlite3_stmt *st = prep(j, sql);
    if (!st)
        return KERR_IO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    enum kerr e = KERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(out->staff_no, sizeof out->staff_no, "%s", sqlite3_column_text(st, 0));
        snprintf(out->card_no, sizeof out->card_no, "%s", sqlite3_column_text(st, 1));
        snprintf(out->name, sizeof out->name, "%s", sqlite3_column_text(st, 2));
        snprintf(out->role, sizeof out->role, "%s", sqlite3_column_text(st, 3));
        snprintf(out->verifier, sizeof out->verifier, "%s", sqlite3_column_text(st, 4));
        e = KERR_OK;
    }
    sqlite3_finalize(st);
    return e;
}

enum kerr journal_staff_get(struct journal *j, const char *staff_no, struct staff_row *out)
{
    return staff_one(j, "SELECT staff_no, card_no, name, role, verifier FROM staff "
                        "WHERE staff_no = ?",
                     staff_no, out);
}

enum kerr journal_staff_by_card(struct journal *j, const char *card_no, struct staff_row *out)
{
    return staff_one(j, "SELECT staff_no, card_no, name, role, verifier FROM staff "
                        "WHERE card_no = ? ORDER BY staff_no LIMIT 1",
                     card_no, out);
}

int journal_staff_count(struct journal *j)
{
    sqlite3_stmt *st = prep(j, "SELECT count(*) FROM staff");
    int n = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

int64_t journal_size(struct journal *j)
{
    sqlite3_stmt *st = prep(j, "SELECT page_count * page_size "
                               "FROM pragma_page_count(), pragma_page_size()");
    int64_t n = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int journal_integrity_ok(struct journal *j)
{
    sqlite3_stmt *st = prep(j, "PRAGMA integrity_check");
    int ok = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    return ok;
}
