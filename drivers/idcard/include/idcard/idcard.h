/* ID card readers: the second-generation resident identity card (二代身份证) and the
 * residence permits, read through the reader's SAM (GA 467 serial protocol, idframe.h).
 *   serial  a reader on a serial line (device/serial.h; 115200 8N1 by default)
 *   fake    in process, for tests: one card on the reader from the start
 * The hub (kiosk/devices) runs one worker thread per instance. While a service asks for
 * readings (hub_idcard_want()) it polls: find card, select card, read text + photo, read
 * the appended address; a card is read once per placement and posted as EV_IDCARD. While
 * nobody asks, the card is left alone. The port is closed and opened again, with a
 * back-off, when the reader goes away.
 *
 * What a card says is private (name, ID number, address, photo): a driver never logs it
 * (only commands, status bytes and lengths) and wipes every buffer that held it. */
#ifndef DRIVERS_IDCARD_IDCARD_H
#define DRIVERS_IDCARD_IDCARD_H

#include <stddef.h>
#include <stdint.h>

#include "device/device.h"
#include "idcard/idframe.h"

/* One reading. Private: wipe it (idcard_read_wipe) as soon as it has been used. */
struct id_read {
    struct id_identity id;
    uint8_t photo[IDF_PHOTO_LEN]; /* the WLT photo as the card gives it (its decoder is the
                                   * vendor's: it goes to the backend undecoded) */
    int has_photo;
};

/* What poll() saw. */
enum idcard_poll {
    IDC_GONE = -1,  /* the reader went away (unplugged, an I/O error, no answer at all): err
                     * says; the hub closes the driver and opens it again until it is back */
    IDC_NONE = 0,   /* no card on the reader */
    IDC_READ = 1,   /* a card was read: *out holds it */
    IDC_FAILED = 2, /* a card is there but could not be read (lifted mid-read, a status
                     * other than success, garbage or a bad checksum on the wire): err says
                     * what in words fit for the log ("read: SW3 41", "checksum"), never
                     * what the card holds */
};

/* Every slot is called on the instance's worker thread, one at a time. */
struct idcard_ops {
    /* Opens the reader described by `opts` (the driver's options block) and asks the SAM for
     * its status. 0, or -1 with the reason in err ("/dev/ttyUSB0: no such device", "SAM status
     * 60"): the hub reports the reader DOWN with it and tries again later. */
    int (*open)(void *priv, const void *opts, char *err, size_t errcap);
    /* One look: find card; if there is one, select it, read text + photo and the appended
     * address (a reader that has none for this card answers 91: not an error). Returns
     * within timeout_ms plus one frame's time (each answer is waited for at most the
     * driver's own frame timeout). A card whose text does not decode (idf_text) is
     * IDC_FAILED. *out is written only for IDC_READ; the driver's own copies are wiped. */
    int (*poll)(void *priv, struct id_read *out, int timeout_ms, char *err, size_t errcap);
    /* Asks the reader whether it is still there without reading a card (the SAM's status):
     * 0, or IDC_GONE with the reason in err. Called now and then while nobody wants
     * readings, so a reader unplugged is noticed before a customer needs it. */
    int (*status)(void *priv, char *err, size_t errcap);
    /* Releases what open() took (not priv itself). Called only after a successful open. */
    void (*close)(void *priv);
};

/* Wipes a reading (explicit_bzero of all of it). */
void idcard_read_wipe(struct id_read *r);

extern const struct dev_driver idcard_serial;
extern const struct dev_driver idcard_fake;
/* Every ID card reader driver, NULL-terminated (one line per driver). */
extern const struct dev_driver *const idcard_drivers[];

#endif
