/* A code scanner in keyboard (USB HID "wedge") mode types its code and presses Return; a
 * person at a keyboard can do the same. This frames what is typed into scans: every byte
 * typed since the last Return or touch, kept as it came (nothing no code can contain is
 * dropped, which would make another code of it), refused whole when it is not a code.
 * Pure; the buffer is wiped whenever a scan is taken or given up. */
#ifndef DRIVERS_SCANNER_WEDGE_H
#define DRIVERS_SCANNER_WEDGE_H

#include <stddef.h>

#include "core/codes.h"

struct wedge {
    char buf[CODE_SCAN_MAX + 1];
    size_t n;
    int overflow; /* more was typed than any code holds */
};

/* Text typed (UTF-8 from the keyboard, or whatever bytes a broken scanner sends). */
void wedge_text(struct wedge *w, const char *text);
/* Return: 1 when something was typed, with it in out (`cap` bytes, at least
 * CODE_SCAN_MAX + 1) and *refused set when it cannot be a code (too long, invalid UTF-8, a
 * control character); 0 when nothing was. Either way the buffer is wiped. */
int wedge_enter(struct wedge *w, char *out, size_t cap, int *refused);
/* A touch between keys: what was typed is not a scan. Wiped. */
void wedge_clear(struct wedge *w);

#endif
