/* The parts every customer screen shares: the layout grid (header, content, footer), the
 * header with the station's name and the screen's title, the footer with the way back
 * bottom-left and the Sound and language buttons bottom-right (the same place on every
 * screen), dialogs, and the short word over the header (toast). */
#ifndef UI_CHROME_H
#define UI_CHROME_H

#include "ui/theme.h"
#include "ui/ui.h"
#include "ui/view.h"

struct layout {
    int portrait;
    int margin, gap;
    SDL_Rect header, content, footer;
    /* the footer's right end: the language button in the corner, the Sound button beside
     * it (kept free whether or not the kiosk has sound); a screen's own buttons in the
     * footer end at sound.x - gap */
    SDL_Rect sound, lang;
};

void chrome_layout(struct layout *l, const struct ui_tree *t, const struct theme *th);
/* Header bar with the station name and the screen title (id header.title). */
void chrome_header(struct ui_tree *t, const struct layout *l, const struct view *v,
                   const char *title);
/* Footer: the back/cancel button bottom-left (back_id NULL for none), the Sound button and
 * the language button bottom-right. */
void chrome_footer(struct ui_tree *t, const struct layout *l, const struct view *v,
                   const char *back_id, const char *back_label);
/* The Sound button (id sound.toggle) at r: it says whether the kiosk speaks ("Sound: on");
 * nothing when the kiosk has no sound (v->sound < 0). */
void chrome_sound(struct ui_tree *t, SDL_Rect r, const struct view *v);
/* Modal dialog with a title, a message and up to two buttons (ids may be NULL). */
void chrome_dialog(struct ui_tree *t, const struct theme *th, const char *title,
                   const char *message, const char *ok_id, const char *ok_label,
                   const char *alt_id, const char *alt_label);
/* The step bar at the top of the content: "1  Bill   2  Pay   3  Done", n message ids (to
 * translate), step `cur` marked (its label's id steps.current). Returns its height. */
int chrome_steps(struct ui_tree *t, const struct layout *l, const struct theme *th,
                 const char *const *names, int n, int cur);
/* A short message (already translated) over the header band of whatever is on screen; it
 * takes no touches. Id "toast". */
/* Pieces the services' screens share. A label with an id (NULL for none). */
struct ui_widget *chrome_text(struct ui_tree *t, const char *id, SDL_Rect r, const char *text,
                              enum font_role f, enum text_align a);
/* The screen's one primary action at r (Return taps it). */
struct ui_widget *chrome_primary(struct ui_tree *t, const char *id, SDL_Rect r, const char *text);
/* The left (0) or right (1) column of a landscape screen (a gap between); all of `a` in
 * portrait. */
SDL_Rect chrome_column(const struct layout *l, SDL_Rect a, int right);
/* Shrinks the heights h[0..n-1] alike so that they add up to at most `room`, each down to
 * `least` at the smallest (0 stays 0): the words in them shrink to fit (landscape, large
 * text). Returns their sum. */
int chrome_fit(int *h, int n, int room, int least);
void chrome_toast(struct ui_tree *t, const struct theme *th, const char *text);

#endif
