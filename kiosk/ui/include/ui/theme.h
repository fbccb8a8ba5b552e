/* Colours and the type scale. Two colour themes (default, high contrast) and a
 * large-text variant; all sizes scale with the window's short side. */
#ifndef KIOSK_UI_THEME_H
#define KIOSK_UI_THEME_H

#include <stdint.h>

enum font_role { FONT_CAPTION, FONT_BODY, FONT_TITLE, FONT_HEADLINE, FONT_DISPLAY, FONT_ROLE_LAST };

struct theme {
    const char *name;
    uint32_t bg, surface, surface_alt, text, text_dim, primary, on_primary, accent,
        warn, danger, ok, border, header_bg, on_header, shade, notice_bg, on_notice;
    int font_px[FONT_ROLE_LAST]; /* at a 1080 px short side */
    int min_target;              /* smallest touch target, px (>= 48) */
    int radius;
};

/* Builds the theme named `name` ("default" or "high_contrast"), with larger type when
 * `large_text`, scaled for a window whose short side is `short_side` px. 0 or -1. */
int theme_make(struct theme *t, const char *name, int large_text, int short_side);

#endif
