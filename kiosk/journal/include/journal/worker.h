/* The journal's writer on its own thread. Every write syncs the disk (synchronous=FULL), and
 * a sync can take hundreds of milliseconds on a kiosk's flash; on the UI thread that would
 * freeze the screen. So writes run here, in the order they were submitted, and each answers
 * with an EV_JOURNAL event; the flow that asked waits in a state until its intent is
 * durable, and frames keep flowing. The UI thread reads through its own connection (WAL:
 * readers never wait for the writer).
 *
 * With KIOSK_JOURNAL_SLOW_SYNC_MS=N in the environment every sync of the journal takes N ms
 * more (a fault-injecting SQLite VFS wrapped around the real one): the tests use it to show
 * that frames keep flowing while an intent is written, and that it is durable before its
 * effect. */
#ifndef KIOSK_JOURNAL_WORKER_H
#define KIOSK_JOURNAL_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/evq.h"
#include "journal/journal.h"

struct journal_worker;

/* A write to run on the worker: fn(writer, arg, &value) returns the outcome and may set
 * value (an intent's id). */
typedef enum kerr (*journal_job_fn)(struct journal *j, void *arg, int64_t *value);

/* What comes back, as the ptr of an EV_JOURNAL event (the receiver frees it with free()). */
struct journal_result {
    int64_t tag;     /* the submitter's */
    enum kerr err;
    int64_t value;
};

/* Opens (creating and migrating) the journal at `path`: a writer on a new thread that posts
 * its results to `q`, and a reader for the calling thread. NULL with the reason in err. */
struct journal_worker *journal_worker_open(const char *path, struct evq *q, char *err,
                                           size_t errcap);
/* Runs what is queued, then stops the thread and closes both connections. NULL-safe. */
void journal_worker_close(struct journal_worker *w);
/* Queues fn(writer, arg) after everything submitted before. `arg` belongs to the worker from
 * here: free_arg(arg) is called once fn has run (free_arg may be NULL). 0, or -1 with no
 * memory (then nothing is queued and arg is freed). */
int journal_worker_submit(struct journal_worker *w, journal_job_fn fn, void *arg,
                          void (*free_arg)(void *arg), int64_t tag);
/* Runs fn on the calling thread after everything queued has run (start-up and recovery,
 * before the loop: nothing to keep flowing yet). */
enum kerr journal_worker_now(struct journal_worker *w, journal_job_fn fn, void *arg,
                             int64_t *value);
/* The reader: journal_txn_get(), journal_order_get(), journal_outbox_next() and the other
 * reads, on the thread that opened the worker. */
struct journal *journal_worker_reader(struct journal_worker *w);
/* Writes queued and not run yet. */
int journal_worker_pending(struct journal_worker *w);

#endif
