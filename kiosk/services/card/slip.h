/* The fuel-card service's slip: the load receipt (圈存凭条), printed when a load is done
 * (and again when the customer asks). It is no invoice: the recharge's invoice is the
 * e-invoice service's. */
#ifndef CARD_SLIP_H
#define CARD_SLIP_H

#include "core/config.h"
#include "flow.h"
#include "ui/slip.h"
#include "ui/text.h"

/* What a load receipt shows, filled from the flow (the load just made) or from the load's
 * journaled record (a copy). The strings are borrowed. */
struct cd_receipt {
    const char *card_no;          /* its 16 digits (masked when drawn) */
    const char *holder;           /* as the chip holds it (masked when drawn); "": no line */
    int kind;                     /* enum card_kind; 0 (not in a record): no line */
    int64_t loaded_fen, balance_before_fen, balance_after_fen;
    char tac[9];                  /* hex */
    const char *load_id;
    unsigned online_serial;
    const char *recharge_txn;     /* a recharge's transaction number; "": none */
    const char *date, *time;      /* the backend's date and time of the load */
    int copy;                     /* a reprint: 副本 / COPY at the top */
};

/* The load receipt `r` in `lang` ("zh_CN"): COPY in large type at the top when r->copy, the
 * station (cfg->station_name) and terminal (cfg->terminal_id), the date and time of the
 * load, the card number masked and grouped (cd_mask_no), the holder masked, the card's kind,
 * the amount loaded, the chip's balance before and after, the TAC, the load id, the online
 * serial and, for a recharge, its transaction number. Drawn for cfg->paper_width_dots.
 * Caller destroys it; NULL on no memory. */
struct slip *cd_slip_receipt(struct text_engine *te, const struct kiosk_config *cfg,
                             const char *lang, const struct cd_receipt *r);
/* The receipt of the load the flow made (f->date, f->time, the card read, its balances). */
struct slip *cd_slip(struct text_engine *te, const struct kiosk_config *cfg, const char *lang,
                     const struct cd_flow *f);
/* A copy of the receipt of load `r` (a transaction record, cd_record_read_txn), marked as
 * one: what the record does not hold (the holder, the card's kind, a recharge's
 * transaction number) is left out. */
struct slip *cd_slip_copy(struct text_engine *te, const struct kiosk_config *cfg,
                          const char *lang, const struct cd_load_record *r);

#endif
