/* Slips for the receipt printer, drawn as 1-bit raster: text through the kiosk's CJK font
 * (SDL_ttf), QR codes (libqrencode), Code 128 barcodes, rules. The printer driver turns
 * them into ESC/POS. */
#ifndef UI_SLIP_H
#define UI_SLIP_H

#include "core/config.h"
#include "printer/bitmap.h"
#include "ui/text.h"

struct slip;

enum slip_align { SLIP_LEFT, SLIP_CENTER, SLIP_RIGHT };

/* A slip `width` dots wide (384 or 576). NULL on no memory. */
struct slip *slip_create(struct text_engine *te, int width);
void slip_destroy(struct slip *s); /* NULL-safe */
/* Appends wrapped text; px is the font size in dots (203 dpi: 24 = small, 32 = normal). */
void slip_text(struct slip *s, const char *utf8, int px, int bold, enum slip_align a);
/* Two texts on one line: `left` at the margin, `right` flush right (item and amount). */
void slip_pair(struct slip *s, const char *left, const char *right, int px, int bold);
void slip_rule(struct slip *s);
void slip_gap(struct slip *s, int dots);
/* A QR code of `text`, centred, `module` dots per module. */
void slip_qr(struct slip *s, const char *text, int module);
/* A Code 128 barcode of `text` (printable ASCII), centred, `height` dots tall. */
void slip_barcode(struct slip *s, const char *text, int height);
/* The finished image (owned by the slip). */
const struct bitmap *slip_bitmap(const struct slip *s);

/* The printer test slip an attendant (or the demo) prints: station, terminal, time, the
 * printer's width and a QR code to check the print quality. Caller destroys it. */
struct slip *slip_test(struct text_engine *te, const struct kiosk_config *cfg, const char *lang,
                       long long unix_s);

#endif
