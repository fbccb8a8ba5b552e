/* The journal: the kiosk's durable memory of everything that moves money, loads a card or
 * issues a ticket (SQLite, WAL, synchronous=FULL). The only module that uses SQLite.
 *
 * Write-ahead rule: a flow's effect that changes the world is first written as an intent
 * (kind, idempotency key, payload) and committed with a full sync; the effect runs; its
 * outcome is written after. At start, journal_intents_unfinished() hands every intent that
 * has no outcome back to its flow, which resolves it with the backend (query, then complete
 * or reverse). A transaction and its outbox record are written in one SQLite transaction,
 * so the uploader never misses or duplicates one.
 *
 * Privacy: callers mask payment codes, ID numbers and PINs before they reach the journal;
 * journal_intent_begin() and journal_txn_add() refuse payloads that contain a run of 16 or
 * more digits (a full payment code, card or ID number) as a last line of defence.
 *
 * Every write passes crash points "journal.<function>:before" and ":after"
 * (kiosk/core/crash.h): the crash tests kill the kiosk at each of them. */
#ifndef KIOSK_JOURNAL_JOURNAL_H
#define KIOSK_JOURNAL_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct journal;

enum intent_state { INTENT_PENDING, INTENT_DONE, INTENT_FAILED, INTENT_ABANDONED };

struct intent {
    int64_t id;
    char kind[24];       /* "payment", "card_load", "ticket", "print" */
    char flow[24];       /* the flow that owns it: "checkout", "topup", ... */
    char idem_key[65];
    char *payload;       /* JSON text; owned by the journal during a callback only */
    int64_t created_ms;
};

struct outbox_rec {
    int64_t seq;
    char record_id[65];
    char kind[24];
    char *body;          /* JSON; the caller frees it with journal_outbox_rec_free() */
    int attempts;
};

/* Opens (creating and migrating) the journal at `path`. NULL with the reason in err. */
struct journal *journal_open(const char *path, char *err, size_t errcap);
/* A second connection to a journal another connection has opened, for reads only (WAL: it
 * never waits for the writer, and sees every committed write). */
struct journal *journal_open_reader(const char *path, char *err, size_t errcap);
void journal_close(struct journal *j); /* NULL-safe */

/* Writes a pending intent and commits it durably before returning. *id receives its id.
 * KERR_CONFLICT if the idempotency key is already used; KERR_INVALID for a payload that
 * looks like it holds a full code or ID number. */
enum kerr journal_intent_begin(struct journal *j, const char *kind, const char *flow,
                               const char *idem_key, const char *payload_json, int64_t now_ms,
                               int64_t *id);
/* Records the outcome of intent `id` and moves it to `state` in one transaction. */
enum kerr journal_intent_finish(struct journal *j, int64_t id, enum intent_state state,
                                const char *result, const char *detail_json, int64_t now_ms);
/* The recovery pass: calls `cb` for every pending intent, oldest first. The intent (and
 * its payload) is valid during the call only. Returns the count, or -1 on error. */
int journal_intents_unfinished(struct journal *j,
                               void (*cb)(const struct intent *it, void *user), void *user);

/* Adds a finished transaction and its outbox record in one SQLite transaction.
 * `txn_no` is unique (KERR_CONFLICT if it exists already: nothing is written twice). */
enum kerr journal_txn_add(struct journal *j, const char *txn_no, const char *kind,
                          int64_t amount_fen, const char *payload_json, int64_t now_ms);
/* Records a paid sale AND settles its payment intent as done ("PAID"), in one SQLite
 * transaction with the outbox record: after a crash either both are on disk or neither.
 * KERR_CONFLICT when the transaction was recorded already (the intent is settled now if it
 * was still pending); KERR_NOT_FOUND when both were done already. */
enum kerr journal_txn_settle(struct journal *j, int64_t intent_id, const char *txn_no,
                             const char *kind, int64_t amount_fen, const char *payload,
                             int64_t now_ms);
/* A transaction's payload (*payload: caller frees with free()), its receipt state (into
 * print_state, `cap` bytes) and when it was recorded; any out-pointer may be NULL.
 * KERR_NOT_FOUND if there is no such transaction. */
enum kerr journal_txn_get(struct journal *j, const char *txn_no, char **payload,
                          char *print_state, size_t cap, int64_t *created_ms);
/* Calls `cb` with each transaction of `kind` recorded at or after `since_ms` whose receipt
 * is still 'pending' (a crash came between recording and printing). Returns the count, or
 * -1. */
int journal_txns_unprinted(struct journal *j, const char *kind, int64_t since_ms,
                           void (*cb)(const char *txn_no, void *user), void *user);
/* Writes (or rewrites) the order about to be paid for: `body` is the sale record without
 * its payment, so that a payment found paid after a crash can still be recorded and its
 * receipt printed. KERR_INVALID for a private-looking body. */
enum kerr journal_order_put(struct journal *j, const char *order_id, const char *txn_no,
                            const char *body, int64_t now_ms);
/* The order's body (*body: caller frees with free()); KERR_NOT_FOUND if none. */
enum kerr journal_order_get(struct journal *j, const char *order_id, char **body);
/* Marks the receipt state of a transaction: "printed", "failed", "e-receipt", or "unknown"
 * (the spooler could not say yet whether it printed; a final state follows). */
enum kerr journal_txn_set_print_state(struct journal *j, const char *txn_no, const char *state);
/* Next transaction number for this terminal and day: T0001-20261123-000042. Survives
 * restarts; numbers are never reused. */
enum kerr journal_next_txn_no(struct journal *j, const char *terminal_id, int64_t unix_s,
                              char *out, size_t cap);

/* The oldest pending outbox records, for one upload. Records go out strictly in order: while
 * the oldest is waiting for its retry time (next_try_ms > now), nothing is returned. Then
 * the ones after it, in order, while they number at most `max` and their bodies add up to at
 * most `max_bytes` (the oldest goes whatever its size). `recs` (room for `max`) receives
 * them; returns how many (0: nothing to send now), or -1 when the journal cannot be read.
 * Each is freed with journal_outbox_rec_free(). */
int journal_outbox_next(struct journal *j, int64_t now_ms, struct outbox_rec *recs, int max,
                        size_t max_bytes);
void journal_outbox_rec_free(struct outbox_rec *rec);
/* Uploaded: the `n` records of `seq` are marked sent at `now_ms` (system clock), in one
 * SQLite transaction. KERR_NOT_FOUND (the others marked) when one was not pending. */
enum kerr journal_outbox_done(struct journal *j, const int64_t *seq, int n, int64_t now_ms);
/* Forgets up to `max` of the records uploaded before `before_ms` (system clock), oldest
 * first; parked ones stay. Returns how many, or -1. */
int journal_outbox_prune(struct journal *j, int64_t before_ms, int max);
/* A failed upload: attempts + 1, not tried again before next_try_ms. */
enum kerr journal_outbox_retry(struct journal *j, int64_t seq, int64_t next_try_ms);
/* A record the backend refused for good (4xx): parked as 'failed' so the queue moves on;
 * it stays in the journal for the attendant and the operations team. */
enum kerr journal_outbox_park(struct journal *j, int64_t seq, const char *reason);
int journal_outbox_pending(struct journal *j);
/* Makes every pending record due now. Retry times are on the monotonic clock, which starts
 * again at a reboot, so the kiosk calls this once at start (also a good time to retry). */
enum kerr journal_outbox_wake(struct journal *j);

/* ---- shifts and days (attendant mode) ----------------------------------------------------
 * A shift is always open: the journal opens the first one (attendant "") when it is created
 * or migrated, and every shift close opens the next in the same SQLite transaction. Every
 * transaction belongs to the shift open when it was recorded (transactions.shift_id, set by
 * journal_txn_add() and journal_txn_settle()), so a shift's totals never depend on clocks.
 * A day close rolls up every closed shift not yet in a day. */

struct shift_row {
    int64_t id;
    char attendant[24];  /* the staff number that opened it ("" for the first) */
    int64_t opened_ms, closed_ms; /* closed_ms 0 while open */
    int64_t day_id;      /* 0 until a day close rolled it up */
    char *totals;        /* JSON stored at its close, or NULL while open; valid during the
                          * callback only */
};

struct txn_row {
    int64_t id;
    char txn_no[65];
    char kind[24];       /* "sale", "invoice", "card_load", "depot_ticket", "refund", ... */
    int64_t amount_fen;
    char print_state[16];
    int64_t created_ms, shift_id;
    char *payload;       /* valid during the callback only (journal_txn_find: caller frees) */
};

/* The open shift's id (0 if the journal has none: a journal from before shifts). */
int64_t journal_shift_current(struct journal *j);
/* Shift `id`'s row (its totals malloc'd into out->totals, or NULL: caller frees).
 * KERR_NOT_FOUND if there is no such shift. */
enum kerr journal_shift_get(struct journal *j, int64_t id, struct shift_row *out);
/* Calls `cb` for every transaction of shift `id`, in the order recorded (index
 * txn_shift). Returns the count, or -1. */
int journal_shift_txns(struct journal *j, int64_t id,
                       void (*cb)(const struct txn_row *t, void *user), void *user);
/* Closes the open shift `id` and opens the next one for `next_attendant`, in one SQLite
 * transaction with the report's outbox record (kind "shift_report", `record_id`, body
 * `report_json`): after a crash either all of it is on disk or none. The shift's stored
 * totals are `totals_json`. *next receives the new shift's id. KERR_NOT_FOUND when `id` is
 * not the open shift (closed already: nothing is written); KERR_INVALID for a private-
 * looking report. Crash points "journal.shift_close:before"/":after". */
enum kerr journal_shift_close(struct journal *j, int64_t id, const char *totals_json,
                              const char *next_attendant, const char *record_id,
                              const char *report_json, int64_t now_ms, int64_t *next);
/* Calls `cb` for every closed shift of day `day_id`, oldest first; day 0: the closed shifts
 * no day close has rolled up yet (index shifts_day). Returns the count, or -1. */
int journal_day_shifts(struct journal *j, int64_t day_id,
                       void (*cb)(const struct shift_row *s, void *user), void *user);
/* The day whose report's record id is `record_id`: its id and when it was closed.
 * KERR_NOT_FOUND. */
enum kerr journal_day_find(struct journal *j, const char *record_id, int64_t *day_id,
                           int64_t *closed_ms);
/* The day close: every closed shift not yet in a day (at most up to shift `last_shift`)
 * gets the new day's id; the day's row (`totals_json`) and its report's outbox record (kind
 * "day_report", `record_id`, `report_json`) are written in the same SQLite transaction.
 * *day receives its id. KERR_NOT_FOUND when `record_id` was written already (the day is
 * closed: nothing is written twice). Crash points "journal.day_close:before"/":after". */
enum kerr journal_day_close(struct journal *j, int64_t last_shift, const char *attendant,
                            const char *totals_json, const char *record_id,
                            const char *report_json, int64_t now_ms, int64_t *day);

/* One transaction by its number (out->payload malloc'd: caller frees). KERR_NOT_FOUND. */
enum kerr journal_txn_find(struct journal *j, const char *txn_no, struct txn_row *out);
/* The transactions of `kind` whose payload's field `field` (a top-level string, e.g.
 * "refund_of") equals `value`: calls cb for each. Returns the count, or -1. */
int journal_txns_where(struct journal *j, const char *kind, const char *field,
                       const char *value, void (*cb)(const struct txn_row *t, void *user),
                       void *user);

/* A record for the outbox alone (an attendant's audit line, kind "audit"): journaled and
 * uploaded like a transaction's record. KERR_CONFLICT if record_id exists; KERR_INVALID for
 * a private-looking body. */
enum kerr journal_record_add(struct journal *j, const char *record_id, const char *kind,
                             const char *body_json, int64_t now_ms);

/* Outbox records the backend refused for good (state 'failed') that nobody has marked
 * handled yet: cb for each, oldest first. Returns the count, or -1. */
int journal_outbox_parked(struct journal *j,
                          void (*cb)(const struct outbox_rec *r, const char *reason,
                                     void *user),
                          void *user);
/* A parked record goes back in the queue (pending, due now, attempts 0). */
enum kerr journal_outbox_requeue(struct journal *j, int64_t seq);
/* A parked record is marked handled by staff number `who` (it stays, as 'failed'). */
enum kerr journal_outbox_handled(struct journal *j, int64_t seq, const char *who);

/* A setting that survives a restart (the kiosk out of service and its message): *value
 * (cap bytes) receives it; KERR_NOT_FOUND if it is not set. journal_setting_put with value
 * NULL removes it. */
enum kerr journal_setting_get(struct journal *j, const char *name, char *value, size_t cap);
enum kerr journal_setting_put(struct journal *j, const char *name, const char *value);

/* The staff the backend pushed: number, name, role and the Argon2id verifier of their PIN
 * (crypto_pwhash_str's text; the PIN itself is never stored). */
struct staff_row {
    char staff_no[24];
    char card_no[20];    /* the staff card's number (16 digits), or "" */
    char name[64];
    char role[16];       /* "attendant" | "supervisor" */
    char verifier[160];
};
/* Replaces the whole list in one SQLite transaction. */
enum kerr journal_staff_replace(struct journal *j, const struct staff_row *rows, int n,
                                int64_t now_ms);
/* KERR_NOT_FOUND if staff_no is not in the list. */
enum kerr journal_staff_get(struct journal *j, const char *staff_no, struct staff_row *out);
/* The staff member whose card is `card_no`; KERR_NOT_FOUND if none. */
enum kerr journal_staff_by_card(struct journal *j, const char *card_no, struct staff_row *out);
/* How many are listed. */
int journal_staff_count(struct journal *j);

/* The journal's size on disk in bytes (pages x page size), or -1. */
int64_t journal_size(struct journal *j);

/* PRAGMA integrity_check says "ok". */
int journal_integrity_ok(struct journal *j);

#endif
