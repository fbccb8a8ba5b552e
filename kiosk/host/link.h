/* The kiosk's link to its station: the backend client with its heartbeat, the journal (its
 * writer on a worker thread, a reader here) with its outbox uploader, and the receipt
 * printer on a worker thread, and the devices (devices/hub.h). It turns what they report
 * into component health for the home menu. All calls are on the UI thread; the blocking work happens on the backend, journal
 * and printer threads. */
#ifndef HOST_LINK_H
#define HOST_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/evq.h"
#include "core/health.h"
#include "devices/hub.h"

struct link;
struct bitmap;
struct journal_worker;

/* The owner byte (tag & 0xFF) of the link's own backend calls and journal writes; owners
 * from LINK_OWNERS up are the host's to give out. */
#define LINK_OWNER_HEARTBEAT 1
#define LINK_OWNER_OUTBOX 2
#define LINK_OWNER_PRUNE 3
#define LINK_OWNERS 16

/* Opens what the config asks for. A component that is not configured is HEALTH_ABSENT; one
 * that fails to open is reported and HEALTH_DOWN. NULL only on a config error (err says). */
struct link *link_open(const struct kiosk_config *cfg, const struct hub_config *devices,
                       struct evq *q, char *err, size_t errcap);
void link_close(struct link *s); /* NULL-safe */
/* Periodic work (heartbeat, status polls, outbox). Returns when it next needs a tick. */
int64_t link_tick(struct link *s, int64_t now_ms);
/* Takes an event from the queue that belongs to the link (backend results and journal
 * writes with its owners, printer reports). Returns 1 if it was the link's (and frees it),
 * 0 otherwise. */
int link_event(struct link *s, const struct ev *e);
/* The station system refused this kiosk itself (HTTP 401: its key or its clock; `code` is
 * its error code): the backend's health is HEALTH_FAULT, which takes the services that need
 * it out of use with that reason, until a heartbeat is accepted again. */
void link_backend_refused(struct link *s, const char *code);
/* A transaction was recorded: upload it now rather than at the next idle look. */
void link_outbox_poke(struct link *s);
/* Records waiting in the outbox (0 without a journal). */
int link_outbox_pending(struct link *s);
/* Current health of every component. */
void link_health(const struct link *s, struct health *out);
/* The devices (scanners). */
struct hub *link_hub(struct link *s);
/* The backend client, the journal's reader and its writer (NULL when absent). */
struct backend *link_backend(struct link *s);
struct journal *link_journal(struct link *s);
struct journal_worker *link_journal_worker(struct link *s);
#endif
