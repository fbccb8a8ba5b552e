/* The parts every customer screen shares: the layout grid (header, content, footer), the
 * header with the station's name and the screen's title, the footer with the way back
 * bottom-left and the language button bottom-right (the same place on every screen),
 * dialogs, and the short word over the header (toast). */
#ifndef UI_CHROME_H
#define UI_CHROME_H

#include "ui/theme.h"
#include "ui/ui.h"
#include "ui/view.h"

struct layout {
    int portrait;
    int margin, gap;
    SDL_Rect header, content, footer;
};

void chrome_layout(struct layout *l, const struct ui_tree *t, const struct theme *th);
/* Header bar with the station name and the screen title (id header.title). */
void chrome_header(struct ui_tree *t, const struct layout *l, const struct view *v,
                   const char *title);
/* Footer: the back/cancel button bottom-left (back_id NULL for none) and the language
 * button bottom-right. */
void chrome_footer(struct ui_tree *t, const struct layout *l, const struct view *v,
                   const char *back_id, const char *back_label);
/* Modal dialog with a title, a message and up to two buttons (ids may be NULL). */
void chrome_dialog(struct ui_tree *t, const struct theme *th, const char *title,
                   const char *message, const char *ok_id, const char *ok_label,
                   const char *alt_id, const char *alt_label);
/* A short message (already translated) over the header band of whatever is on screen; it
 * takes no touches. Id "toast". */
void chrome_toast(struct ui_tree *t, const struct theme *th, const char *text);

#endif
