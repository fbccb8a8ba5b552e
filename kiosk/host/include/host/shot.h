/* Screenshots: writes a frame as a PNG one row at a time (through core/pngio), so taking a
 * screenshot never copies the whole frame. The PNG carries, in a tEXt chunk, where the
 * widgets that change from run to run by themselves were drawn (spinner, countdown, QR
 * code), so the golden-screenshot comparison can leave exactly those pixels out. */
#ifndef HOST_SHOT_H
#define HOST_SHOT_H

#include <SDL.h>
#include <stddef.h>

#include "ui/ui.h"

/* tEXt keyword of the volatile rectangles. Its text has one line per volatile widget,
 * "KIND X Y W H ID" (KIND spinner, countdown or qr; ID "-" when the widget has none), in
 * the picture's own pixels. A QR code's rectangle is its modules only: the white card and
 * quiet zone around it are compared like everything else. */
#define SHOT_VOLATILE_KEY "kiosk-volatile"

/* The volatile rectangles of tree `t` as drawn on `s` (the frame the tree was drawn on;
 * ARGB8888 or RGB888), in the text format above. Returns the length, or -1 when `out`
 * is too small. */
int shot_volatile_text(const SDL_Surface *s, const struct ui_tree *t, char *out, size_t cap);

/* Writes `s` (ARGB8888 or RGB888; pixels read only) to `path`, with the volatile
 * rectangles of `t` (NULL: none recorded). 0, or -1 with the reason logged. */
int shot_write_png(const SDL_Surface *s, const struct ui_tree *t, const char *path);

#endif
