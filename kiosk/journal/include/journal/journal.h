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

/* The oldest pending outbox record. Records go out strictly in order: while the oldest is
 * waiting for its retry time (next_try_ms > now), nothing newer is returned. KERR_NOT_FOUND
 * when there is nothing to send now. */
enum kerr journal_outbox_next(struct journal *j, int64_t now_ms, struct outbox_rec *rec);
void journal_outbox_rec_free(struct outbox_rec *rec);
enum kerr journal_outbox_done(struct journal *j, int64_t seq, int64_t now_ms);
/* A failed upload: attempts + 1, not tried again before next_try_ms. */
enum kerr journal_outbox_retry(struct journal *j, int64_t seq, int64_t next_try_ms);
/* A record the backend refused for good (4xx): parked as 'failed' so the queue moves on;
 * it stays in the journal for the attendant and the operations team. */
enum kerr journal_outbox_park(struct journal *j, int64_t seq, const char *reason);
int journal_outbox_pending(struct journal *j);
/* Makes every pending record due now. Retry times are on the monotonic clock, which starts
 * again at a reboot, so the kiosk calls this once at start (also a good time to retry). */
enum kerr journal_outbox_wake(struct journal *j);

/* Opens an attendant's shift; KERR_CONFLICT while another shift is open. */
enum kerr journal_shift_open(struct journal *j, const char *attendant, int64_t now_ms,
                             int64_t *id);
/* Closes shift `id` with its totals (JSON); KERR_NOT_FOUND if it is not open. */
enum kerr journal_shift_close(struct journal *j, int64_t id, const char *totals_json,
                              int64_t now_ms);
/* The open shift's id, or 0. */
int64_t journal_shift_current(struct journal *j);

/* PRAGMA integrity_check says "ok". */
int journal_integrity_ok(struct journal *j);

#endif
