/* Code 128 barcodes for the release slip an attendant scans: the symbol as a row of modules,
 * and drawn into a receipt bitmap. Pure, no allocation of its own apart from growing the
 * caller's bitmap. */
#ifndef DRIVERS_PRINTER_CODE128_H
#define DRIVERS_PRINTER_CODE128_H

#include <stddef.h>
#include <stdint.h>

#include "printer/bitmap.h"

#define CODE128_MAX_TEXT 48
/* Modules in the longest symbol: start + 48 data + check (11 each) + stop (13). */
#define CODE128_MAX_MODULES (11 * (CODE128_MAX_TEXT + 2) + 13)
/* Quiet zone each side, in modules, that code128_draw leaves at the least. */
#define CODE128_QUIET 10

/* Encodes `text` (printable ASCII 32..126, 1..48 chars, NUL-terminated, borrowed) as Code 128
 * modules into the caller's `modules` (cap bytes): modules[i] = 1 bar, 0 space, starting with
 * the first bar of the start symbol and ending with the stop pattern's final bar; no quiet
 * zones. Uses code set C for runs of 4 or more digits (an even number of digits; switching
 * sets where that is shorter) and code set B otherwise, with the mod-103 check symbol. The
 * result is 11 * (symbols incl. start and check) + 13; CODE128_MAX_MODULES always suffices.
 * Returns the number of modules written, or -1 if text is NULL, empty, too long, has a
 * character outside 32..126, or cap is too small (then `modules` may be partly written). */
int code128_modules(const char *text, uint8_t *modules, size_t cap);

/* Draws `text` as a Code 128 barcode into `b` (borrowed, stays the caller's) at rows
 * y..y+height-1, horizontally centred, with a quiet zone of at least CODE128_QUIET modules
 * each side, modules as wide as fit in b->width (at least 1 dot, at most 4). Grows the bitmap
 * with bitmap_grow if it is shorter than y + height; only ever sets dots black. Returns the
 * module width used, or -1 (bitmap untouched) if it cannot fit even at 1 dot per module, the
 * text is invalid, y < 0, height < 1 or the bitmap cannot grow. */
int code128_draw(struct bitmap *b, int y, int height, const char *text);

#endif
