/* Pay for fuel's slips: the customer's receipt and the release slip for the attendant. */
#ifndef CHECKOUT_RECEIPT_H
#define CHECKOUT_RECEIPT_H

#include "printer/bitmap.h"
#include "core/config.h"
#include "record.h"
#include "ui/slip.h"
#include "ui/text.h"

/* The customer's receipt for a sale: station, terminal, transaction, time; pump, grade,
 * volume, unit price; a fuel card's recharge (the card masked); items; each discount; points used and earned; the payment (masked
 * code); the masked member phone; the e-invoice QR (invoice_base + the sale's invoice
 * token). `copy` marks a reprint. Caller destroys it; NULL on no memory. */
struct slip *receipt_sale(struct text_engine *te, const struct kiosk_config *cfg,
                          const char *invoice_base, const char *lang,
                          const struct sale_record *r, int copy);
/* The release slip (放行小票) the attendant takes at the pump: pump, grade, volume, amount,
 * transaction, time and the transaction number as a Code 128 barcode. */
struct slip *receipt_release(struct text_engine *te, const struct kiosk_config *cfg,
                             const char *lang, const struct sale_record *r);
/* The e-invoice link of a sale into out (invoice_base + its token). */
void receipt_invoice_url(const char *invoice_base, const struct sale_record *r, char *out,
                         size_t cap);

#endif
