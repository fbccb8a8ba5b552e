#include "ui/theme.h"

#include <string.h>

int theme_make(struct theme *t, const char *name, int large_text, int short_side)
{
    static const int base_px[FONT_ROLE_LAST] = {30, 38, 52, 72, 112};
    memset(t, 0, sizeof *t);
    if (strcmp(name, "default") == 0) {
        t->name = "default";
        t->bg = 0xF3F5F8FF;
        t->surface = 0xFFFFFFFF;
        t->surface_alt = 0xE6EBF2FF;
        t->text = 0x101828FF;
        t->text_dim = 0x475467FF;
        t->primary = 0x0B5FD6FF;
        t->on_primary = 0xFFFFFFFF;
        t->accent = 0xE8590CFF;
        t->warn = 0xB54708FF;
        t->danger = 0xC01B1BFF;
        t->ok = 0x067647FF;
        t->border = 0xC9D1DCFF;
        t->header_bg = 0x0A2A5EFF;
        t->on_header = 0xFFFFFFFF;
        t->shade = 0x0A142899;
        t->notice_bg = 0xFEF0C7FF;
        t->on_notice = 0x7A2E0EFF;
    } else if (strcmp(name, "high_contrast") == 0) {
        t->name = "high_contrast";
        t->bg = 0x000000FF;
        t->surface = 0x000000FF;
        t->surface_alt = 0x1A1A1AFF;
        t->text = 0xFFFFFFFF;
        t->text_dim = 0xFFFFFFFF;
        t->primary = 0xFFE000FF;
        t->on_primary = 0x000000FF;
        t->accent = 0xFFE000FF;
        t->warn = 0xFFB000FF;
        t->danger = 0xFF6B6BFF;
        t->ok = 0x6BFF8FFF;
        t->border = 0xFFFFFFFF;
        t->header_bg = 0x000000FF;
        t->on_header = 0xFFFFFFFF;
        t->shade = 0x000000CC;
        t->notice_bg = 0xFFE000FF;
        t->on_notice = 0x000000FF;
    } else {
        return -1;
    }
    if (short_side <= 0)
        short_side = 1080;
    for (int i = 0; i < FONT_ROLE_LAST; i++) {
        int px = base_px[i] * (large_text ? 5 : 4) / 4;
        t->font_px[i] = px * short_side / 1080;
        if (t->font_px[i] < 12)
            t->font_px[i] = 12;
    }
    t->min_target = 96 * short_side / 1080;
    if (t->min_target < 48)
        t->min_target = 48;
    t->radius = 18 * short_side / 1080;
    return 0;
}
