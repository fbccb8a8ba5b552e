/* The fuel-card service's slip: the load receipt (圈存凭条), printed when a load is done
 * (and again when the customer asks). It is no invoice: the recharge's invoice is the
 * e-invoice service's. */
#ifndef CARD_SLIP_H
#define CARD_SLIP_H

#include "core/config.h"
#include "flow.h"
#include "ui/slip.h"
#include "ui/text.h"

/* The receipt of the load the flow made, in `lang` ("zh_CN"): the station
 * (cfg->station_name) and terminal (cfg->terminal_id), the backend's date and time of the
 * load (f->date, f->time), the card number masked and grouped (cd_mask_no), the holder
 * masked, the card's kind, the amount loaded, the chip's balance before and after, the TAC,
 * the load id, the online serial and, for a recharge, its transaction number. Drawn for
 * cfg->paper_width_dots. Caller destroys it; NULL on no memory. */
struct slip *cd_slip(struct text_engine *te, const struct kiosk_config *cfg, const char *lang,
                     const struct cd_flow *f);

#endif
