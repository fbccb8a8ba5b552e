/* The app side of pay-for-fuel and shop goods: runs the checkout flow's effects (backend
 * calls, journal writes, printer checks, receipts) and turns backend answers and printer
 * reports into flow inputs. It also settles payments nobody waits for any more: those left
 * unfinished by a crash or power cut (found at start) and those a customer walked away
 * from while the station system was unreachable. */
#ifndef KIOSK_APP_CHECKOUT_IO_H
#define KIOSK_APP_CHECKOUT_IO_H

#include <stdint.h>

#include "kiosk/app/station.h"
#include "kiosk/core/config.h"
#include "kiosk/core/evq.h"
#include "kiosk/flows/checkout.h"
#include "kiosk/ui/text.h"
#include "kiosk/ui/view.h"

struct checkout_io;

/* `st`, `cfg` borrowed for the object's life; `te` points at the app's text engine (which a
 * window resize may replace). NULL on no memory. */
struct checkout_io *cio_create(struct station *st, const struct kiosk_config *cfg,
                               struct text_engine *const *te);
void cio_destroy(struct checkout_io *io); /* NULL-safe */
const struct checkout *cio_flow(const struct checkout_io *io);
/* The e-invoice link of the finished sale ("" before). */
const char *cio_invoice_url(const struct checkout_io *io);
/* Starts a new sale (a new transaction number): at the pumps, or with an empty bill for shop
 * goods only. */
void cio_start(struct checkout_io *io, int shop_only, int64_t now);
/* The recovery pass, at start: every payment intent left unfinished is settled with the
 * backend (paid -> completed, recorded once, receipt printed; otherwise cancelled and the
 * sale released), and recent sales whose receipt never printed are printed. */
void cio_recover(struct checkout_io *io);
/* What whoever stands at the kiosk is told after a restart in the middle of a payment: the
 * latest payment the recovery pass found open (or paid but not yet printed), if it began
 * within the last RESTART_NOTICE_MS. Shown until it is closed, a new sale starts, its
 * outcome has been shown for RESTART_NOTICE_SHOW_MS, or the payment began RESTART_NOTICE_MS
 * ago (a backend that never answers). */
#define RESTART_NOTICE_MS (10 * 60 * 1000)
#define RESTART_NOTICE_SHOW_MS (60 * 1000)
const struct restart_notice *cio_notice(const struct checkout_io *io);
void cio_notice_close(struct checkout_io *io);
/* Payments are being settled in the background: new sales wait (no sale is paid twice). */
int cio_settling(const struct checkout_io *io);
/* Nothing in the background: no payment being settled, no receipt still printing. */
int cio_idle(const struct checkout_io *io);
/* Feeds one customer input. */
void cio_input(struct checkout_io *io, const struct co_event *e, int64_t now);
/* Takes a backend answer meant for the checkout (1), or leaves it (0). */
int cio_event(struct checkout_io *io, const struct ev *e, int64_t now);
/* Timers, printer answers and print results. */
void cio_tick(struct checkout_io *io, int64_t now);
int64_t cio_deadline(const struct checkout_io *io);
/* Since the last call: did the view change (redraw), is the flow over (go home)? */
int cio_take_redraw(struct checkout_io *io);
int cio_take_home(struct checkout_io *io);
/* The customer left (inactivity or finish): release what the sale held, forget it. */
void cio_abandon(struct checkout_io *io, int64_t now);

#endif
