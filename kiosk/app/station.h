/* The kiosk's link to its station: the backend client with its heartbeat, the journal with
 * its outbox uploader and recovery pass, and the receipt printer on a worker thread. It turns
 * what they report into component health for the home menu. All calls are on the UI thread;
 * the blocking work happens on the backend and printer threads. */
#ifndef KIOSK_APP_STATION_H
#define KIOSK_APP_STATION_H

#include <stddef.h>
#include <stdint.h>

#include "kiosk/core/config.h"
#include "kiosk/core/evq.h"
#include "kiosk/flows/services.h"

struct station;
struct bitmap;

/* Opens what the config asks for. A component that is not configured is HEALTH_ABSENT; one
 * that fails to open is reported and HEALTH_DOWN. NULL only on a config error (err says). */
struct station *station_open(const struct kiosk_config *cfg, struct evq *q, char *err,
                             size_t errcap);
void station_close(struct station *s); /* NULL-safe */
/* Periodic work (heartbeat, status polls, outbox). Returns when it next needs a tick. */
int64_t station_tick(struct station *s, int64_t now_ms);
/* Takes an event from the queue that belongs to the station (backend results with its tags,
 * printer reports). Returns 1 if it was the station's (and frees it), 0 otherwise. */
int station_event(struct station *s, const struct ev *e);
/* The station system refused this kiosk itself (HTTP 401: its key or its clock; `code` is
 * its error code): the backend's health is HEALTH_FAULT, which takes the services that need
 * it out of use with that reason, until a heartbeat is accepted again. */
void station_backend_refused(struct station *s, const char *code);
/* A transaction was recorded: upload it now rather than at the next idle look. */
void station_outbox_poke(struct station *s);
/* Records waiting in the outbox (0 without a journal). */
int station_outbox_pending(struct station *s);
/* Current health of every component. */
void station_health(const struct station *s, struct health *out);
/* The backend client and the journal, for the flows' effects (NULL when absent). */
struct backend *station_backend(struct station *s);
struct journal *station_journal(struct station *s);
/* Queues a bitmap to print (the bitmap is copied). Returns the job's number (> 0), or -1
 * when there is no printer. */
int station_print(struct station *s, const struct bitmap *b, const char *title);
/* What station_job_result() has to say about a print job. */
enum station_job {
    STATION_JOB_PENDING = 0,     /* nothing new: queued, printing, or still being resolved */
    STATION_JOB_FINAL = 1,       /* finished, for good */
    STATION_JOB_UNCONFIRMED = 2, /* given up waiting for, and it may still print */
};
/* What became of print job `no` since the last call for it; each report is given once, in
 * the order they came:
 * - STATION_JOB_PENDING: nothing new (*ok untouched).
 * - STATION_JOB_FINAL: the spooler is done with it; *ok = 1 if it printed in full, 0 if it
 *   did not (refused, failed, cancelled, never sent, or a slip cut short by paper running
 *   out). Nothing more follows for `no`.
 * - STATION_JOB_UNCONFIRMED, *ok = 0: [printer] job_wait_s went by and the job could not be
 *   confirmed cancelled (CUPS did not answer): it may still print. The printer worker keeps
 *   asking CUPS and trying to cancel it, and sends no other job meanwhile; a
 *   STATION_JOB_FINAL for the same `no` follows once CUPS says what became of it. */
enum station_job station_job_result(struct station *s, int no, int *ok);
/* Why the printer cannot print, as a message id to translate ("" when it can). */
const char *station_printer_problem(const struct station *s);
/* Asks the printer for its state now (not at the next periodic poll). Returns the number
 * the answer will carry (see station_printer_answer()), or -1 without a printer. */
int station_printer_check(struct station *s);
/* 1 once a printer state numbered `check` or later has arrived, with *can_print whether
 * the printer can print a receipt now; 0 while waiting. */
int station_printer_answer(const struct station *s, int check, int *can_print);

#endif
