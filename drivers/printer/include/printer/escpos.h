/* ESC/POS as the kiosk uses it (reference.md section 4): a receipt is a raster image sent
 * as GS v 0 bands, then feed and cut. The encoder builds that byte stream; the decoder is
 * the printer's side (the emulator): it turns a stream back into page images and answers
 * real-time status requests (DLE EOT n). */
#ifndef DRIVERS_PRINTER_ESCPOS_H
#define DRIVERS_PRINTER_ESCPOS_H

#include <stddef.h>
#include <stdint.h>

#include "printer/bitmap.h"

enum printer_state {
    PRINTER_OK,
    PRINTER_PAPER_NEAR_END, /* prints, but paper is running low */
    PRINTER_PAPER_OUT,
    PRINTER_COVER_OPEN,
    PRINTER_OFFLINE,
    PRINTER_ERROR,
    PRINTER_UNKNOWN,        /* no answer or an answer we cannot read: never "ok" */
    PRINTER_ABSENT,         /* no printer configured */
    PRINTER_STATE_LAST
};

const char *printer_state_name(enum printer_state s);
/* 1 if a job can be accepted in this state. */
int printer_state_can_print(enum printer_state s);

/* Encodes `b` as ESC @, GS v 0 in bands of at most `band_rows` rows, feed, partial cut.
 * Returns a malloc'ed buffer (caller frees) and its length in *len; NULL on no memory. */
uint8_t *escpos_encode(const struct bitmap *b, int band_rows, size_t *len);

/* The three DLE EOT requests (n = 1 printer, 2 offline cause, 4 paper). */
extern const uint8_t escpos_status_request[9];
/* Reads the answers to escpos_status_request (3 bytes, in order). Anything that is not a
 * well-formed status byte (bit 1 and bit 4 set, bits 0 and 7 clear) gives PRINTER_UNKNOWN. */
enum printer_state escpos_parse_status(const uint8_t *bytes, size_t n);

/* ---- the printer side (decoder) ---- */

struct escpos_decoder;

/* Called for each finished page (on a cut); the bitmap belongs to the decoder and is valid
 * during the call. `torn` is set when paper ran out in the middle of the page. */
typedef void (*escpos_page_fn)(const struct bitmap *page, int torn, void *user);
/* Called with the status byte to send back for DLE EOT n. */
typedef uint8_t (*escpos_status_fn)(int n, void *user);

struct escpos_decoder *escpos_decoder_create(int width_dots, escpos_page_fn page,
                                             escpos_status_fn status, void *user);
void escpos_decoder_destroy(struct escpos_decoder *d); /* NULL-safe */
/* Feeds received bytes. Status answers are appended to reply (up to replycap; their count
 * is returned in *nreply). Garbage is skipped byte by byte; nothing overruns. */
void escpos_decoder_feed(struct escpos_decoder *d, const uint8_t *data, size_t n, uint8_t *reply,
                         size_t replycap, size_t *nreply);
/* Ends the stream: a page with content that was never cut is delivered too. */
void escpos_decoder_finish(struct escpos_decoder *d);
/* Paper runs out after `rows` more raster rows (-1 = never): the rest of the page is lost
 * and the page is delivered as torn. */
void escpos_decoder_paper_limit(struct escpos_decoder *d, long rows);

#endif
