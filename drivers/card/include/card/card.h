/* Card readers: a smart card (contact or contactless) on a reader, spoken to in ISO 7816-4
 * APDUs. A driver says when a card comes and goes, and exchanges one command APDU for one
 * response APDU with the card on the reader; what the commands mean is the card service's
 * business (kiosk/services/card), not the driver's.
 *   pcsc  any PC/SC reader through pcscd (libpcsclite lives in card_pcsc.c and nowhere else)
 *   fake  in process, for tests: a card on the reader from the start that answers 90 00
 * The hub (kiosk/devices) runs one worker thread per instance: open, then in a loop either
 * one queued APDU exchange or a wait of at most 200 ms for the card to come or go; the
 * reader is closed and opened again, with a back-off, when it or the PC/SC service goes
 * away.
 *
 * APDU data is private (a VERIFY carries the customer's PIN): a driver never logs it and
 * wipes its copies; its error texts say what failed, never what was sent. */
#ifndef DRIVERS_CARD_CARD_H
#define DRIVERS_CARD_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "device/device.h"

#define CARD_APDU_MAX 261 /* a short command APDU: header (4), Lc, 255 data bytes, Le */
#define CARD_RESP_MAX 258 /* a short response APDU: 256 data bytes, SW1 SW2 */
#define CARD_ATR_MAX 33   /* ISO 7816-3 */

/* What wait() saw. */
enum card_event {
    CARD_EV_GONE = -1,    /* the reader or the PC/SC service went away: err says; the hub
                           * closes the driver and opens it again until it is back */
    CARD_EV_NONE = 0,     /* nothing changed within the time (or wake() was called) */
    CARD_EV_INSERTED = 1, /* a card was put on the reader (atr() has its ATR) */
    CARD_EV_REMOVED = 2,  /* the card was taken off */
};

/* Every slot but wake() is called on the instance's worker thread, one at a time. */
struct card_ops {
    /* Opens the reader described by `opts` (the driver's options block): for PC/SC a
     * context, and a reader whose name starts with the `reader` option. 0, or -1 with the
     * reason in err ("no PC/SC service", "reader not found"): the hub reports the reader
     * DOWN with it and tries again later. A card already on the reader is reported by the
     * first wait(), as CARD_EV_INSERTED. */
    int (*open)(void *priv, const void *opts, char *err, size_t errcap);
    /* Waits at most ms for the card to come or go (enum card_event). Never blocks longer:
     * the hub stops a worker, and sends a queued APDU, when a wait returns. A card taken off
     * and put back between two waits is reported as CARD_EV_REMOVED, then CARD_EV_INSERTED
     * at the next wait. */
    int (*wait)(void *priv, int ms, char *err, size_t errcap);
    /* The ATR of the card reported inserted last, into out (at most cap bytes): its length,
     * 0 when the reader gave none (a card that does not answer: transmit() will fail). */
    size_t (*atr)(void *priv, uint8_t *out, size_t cap);
    /* Called from ANOTHER thread, between a successful open() and its close(): makes a
     * wait() under way (or the next one) return CARD_EV_NONE now, so a queued APDU does not
     * wait for the slice to run out. May block briefly (PC/SC: SCardCancel is a round trip
     * to pcscd); the hub calls it from a thread of its own, never the UI thread. */
    void (*wake)(void *priv);
    /* One exchange with the card on the reader: command APDU cmd (n bytes, 4..261), its
     * response APDU (data then SW1 SW2) into resp (cap >= CARD_RESP_MAX). Returns the
     * response's length, which may be 0 or 1 when the card went away mid-command (the
     * outcome is then unknown), or -1 with the reason in err: no card, the card went away,
     * it does not answer, the reader or the service is gone. A status 61xx is followed by
     * GET RESPONSE and 6Cxx by the same command with Le = xx, so the response is the
     * card's last word. Nothing of cmd or resp is logged or kept. */
    int (*transmit)(void *priv, const uint8_t *cmd, size_t n, uint8_t *resp, size_t cap,
                    char *err, size_t errcap);
    /* Releases what open() took (not priv itself). Called only after a successful open. */
    void (*close)(void *priv);
};

extern const struct dev_driver card_pcsc;
extern const struct dev_driver card_fake;
/* Every card reader driver, NULL-terminated (one line per driver). */
extern const struct dev_driver *const card_drivers[];

#endif
