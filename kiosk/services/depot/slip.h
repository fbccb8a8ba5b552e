/* The loading ticket (提油单): what the loading bay and the gate accept. */
#ifndef DEPOT_SLIP_H
#define DEPOT_SLIP_H

#include "core/config.h"
#include "flow.h"
#include "ui/slip.h"
#include "ui/text.h"

/* The ticket `k` in `lang` ("zh_CN"): the depot's name (cfg->station_name), the terminal
 * (cfg->terminal_id), 补打 / REPRINT in large type at the top when k->reprint, the ticket
 * number, the order, the product and quantity (dp_quantity), the plate, the bay, valid to,
 * issued at, the driver's name and ID number masked, a QR and a Code 128 of the ticket
 * number for the gate and the bay's reader. Drawn for cfg->paper_width_dots. Caller destroys
 * it; NULL on no memory. */
struct slip *dp_slip(struct text_engine *te, const struct kiosk_config *cfg, const char *lang,
                     const struct dp_ticket *k);

#endif
