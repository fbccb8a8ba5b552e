/* Screenshots: writes an ARGB8888 surface as a PNG one row at a time (libpng), so taking a
 * screenshot never copies the whole frame. The only module that uses libpng. */
#ifndef KIOSK_APP_SHOT_H
#define KIOSK_APP_SHOT_H

#include <SDL.h>

/* Writes `s` (ARGB8888; pixels read only) to `path`. 0, or -1 with the reason logged. */
int shot_write_png(const SDL_Surface *s, const char *path);

#endif
