/* The e-invoice service's journal payloads (record.c). */
#ifndef INVOICE_RECORD_H
#define INVOICE_RECORD_H

#include <stdint.h>

#include "flow.h"

/* The issue intent's payload: which sales, the buyer's type and (an organisation's) name
 * and tax ID, the delivery masked, the total and tax, the invoice a correction replaces.
 * JSON the caller frees; NULL on no memory. */
char *inv_record_intent(const struct inv_flow *f);
/* The invoice's journal record (and outbox body): an intent's payload with the request's
 * key, what the backend said of it (ISSUED or PENDING) and the number grouped in fours.
 * NULL when the payload does not read. *total_fen receives its total. */
char *inv_record_txn(const char *intent_payload, const char *key, const char *status,
                     const char *number, int64_t *total_fen);

#endif
