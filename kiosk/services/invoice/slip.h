/* The e-invoice service's slip: "invoice issued", printed when the customer asks for it on
 * the issued screen. It is no invoice: it says where the invoice is (the download QR). */
#ifndef INVOICE_SLIP_H
#define INVOICE_SLIP_H

#include "core/config.h"
#include "flow.h"
#include "ui/slip.h"
#include "ui/text.h"

/* The slip of the invoice the flow issued (f->result), in `lang` ("zh_CN"): the station
 * (cfg->station_name), the invoice number, the buyer (and tax ID), amount, tax and total,
 * where it was sent (masked), the transaction numbers of the sales on it, the download QR
 * of f->result.url, and a line saying the invoice itself is the electronic file (thermal
 * paper fades). Drawn for cfg->paper_width_dots. Caller destroys it; NULL on no memory. */
struct slip *inv_slip(struct text_engine *te, const struct kiosk_config *cfg, const char *lang,
                      const struct inv_flow *f);

#endif
