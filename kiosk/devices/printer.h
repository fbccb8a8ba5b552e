/* A printer instance's worker, for the hub (private to kiosk/devices). All calls but the
 * worker's own are on the UI thread. */
#ifndef KIOSK_DEVICES_PRINTER_H
#define KIOSK_DEVICES_PRINTER_H

#include "core/evq.h"
#include "printer/printer.h"

struct prn;

/* Opens the printer (driver `drv`, its options, the common keys) and starts its worker;
 * its events carry `index`. NULL with err when the driver refuses its options. */
struct prn *prn_open(const char *name, int index, const struct dev_driver *drv, const void *opts,
                     const struct printer_common *common, struct evq *q, char *err,
                     size_t errcap);
/* Stops the worker (a job being followed gets a short grace) and closes the printer. */
void prn_close(struct prn *s);
/* An EV_PRINTER of this instance (ev.i >> 8 == index): kept. */
void prn_event(struct prn *s, const struct ev *e);
/* See hub.h: hub_print, hub_job_result, hub_printer_check, hub_printer_answer. */
int prn_print(struct prn *s, const struct bitmap *b, const char *title);
int prn_job_result(struct prn *s, int no, int *ok);
int prn_check(struct prn *s);
int prn_answer(const struct prn *s, int check, int *can_print);
/* The last state reported (PRINTER_UNKNOWN before the first). */
enum printer_state prn_state(const struct prn *s);

#endif
