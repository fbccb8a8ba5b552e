/* The depot pickup's journal records: the loading ticket's intent (before the ticket is
 * issued; it stays open until the ticket has printed) and its transaction record (once the
 * backend has issued it), which the outbox uploads as a `depot_ticket` record. Masked
 * fields only: the journal refuses what looks like a full ID number. Pure: cJSON only. */
#ifndef DEPOT_RECORD_H
#define DEPOT_RECORD_H

#include "flow.h"

/* The intent's payload (JSON), or NULL (no memory). Free with free(). */
char *dp_record_intent(const struct dp_ticket *k);
/* The transaction record of an issued ticket (JSON), or NULL. Free with free(). */
char *dp_record_txn(const struct dp_ticket *k);
/* Reads an intent's payload or a record back into k. 0, or -1 (not one of ours). */
int dp_record_read(const char *payload, struct dp_ticket *k);
/* The journal's transaction number of an order's ticket: "depot-<order_id>". */
void dp_record_txn_no(const char *order_id, char *out, size_t cap);

#endif
