/* The depot pickup's screens (提油): scan the pickup code (or type it), the order and "put
 * your ID card on the reader", the face step (the camera's picture with an oval to fit in and
 * one line of advice), the waits, the ticket taken, and the ways it ends (a code that cannot
 * be used, a ticket issued already, an ID card not on the order, the counter, no printer,
 * failed). They read a dp_view and draw with the ui toolkit only; screens.c has the frame,
 * the shared pieces and the screens that wait or end, screens_face.c the face step. */
#ifndef DEPOT_SCREENS_H
#define DEPOT_SCREENS_H

#include "flow.h"
#include "ui/chrome.h"
#include "ui/theme.h"
#include "ui/ui.h"
#include "ui/view.h"

struct dp_view {
    struct view base;             /* ui/view.h */
    const struct dp_flow *f;
    int live;                     /* a camera can show its picture (UI_LIVE) */
    const char *printer_problem;  /* why the printer cannot print (message id), or "" */
    const char *reader_problem;   /* why the ID card reader cannot be used (message id), or "" */
    const char *camera_problem;   /* why the camera cannot be used (message id), or "" */
};

/* Builds the screen of the flow's state into `t` (begun at its size by the caller), named
 * dp_screen_name(v->f): the header, the step bar (code, ID card, face, ticket), the screen,
 * the footer (Back or Finish bottom-left where there is a way out, Sound and language
 * bottom-right). Widget ids: docs/scripts.md "Depot pickup". */
void dp_screen(struct ui_tree *t, const struct theme *th, const struct dp_view *v);
/* What happened, in the current language ("" for DP_OK). Static. */
const char *dp_error_text(enum dp_error e);

/* ---- shared by screens.c and screens_face.c ---------------------------------------------- */

/* The face step (screens_face.c). */
void dp_screen_face(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                    const struct layout *l, SDL_Rect a);

#endif
