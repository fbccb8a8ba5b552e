/* Screens: functions that build a widget tree from the view model. One file per screen;
 * chrome.c holds the parts every customer screen shares (header, footer with Back and the
 * language button, the layout grid). */
#ifndef KIOSK_UI_SCREENS_H
#define KIOSK_UI_SCREENS_H

#include "kiosk/ui/theme.h"
#include "kiosk/ui/ui.h"
#include "kiosk/ui/view.h"

/* Builds the tree for the view's current state, at the size already in t->w x t->h;
 * t->screen names the screen ("attract", "home", "more_time"). */
void screens_build(struct ui_tree *t, const struct theme *th, const struct view *v);

/* Layout shared by screens: margins and the content area between header and footer. */
struct layout {
    int portrait;
    int margin, gap;
    SDL_Rect header, content, footer;
};

void chrome_layout(struct layout *l, const struct ui_tree *t, const struct theme *th);
/* Header bar with the station name and the screen title. */
void chrome_header(struct ui_tree *t, const struct layout *l, const struct view *v,
                   const char *title);
/* Footer: the back/cancel button bottom-left (back_id NULL for none) and the language
 * button bottom-right, the same place on every customer screen. */
void chrome_footer(struct ui_tree *t, const struct layout *l, const struct view *v,
                   const char *back_id, const char *back_label);
/* Modal dialog with a title, a message and up to two buttons (ids may be NULL). */
void chrome_dialog(struct ui_tree *t, const struct theme *th, const char *title,
                   const char *message, const char *ok_id, const char *ok_label,
                   const char *alt_id, const char *alt_label);
/* A short message (already translated) over the header band of whatever is on screen; it
 * takes no touches. Id "toast". */
void chrome_toast(struct ui_tree *t, const struct theme *th, const char *text);

void screen_attract(struct ui_tree *t, const struct theme *th, const struct view *v);
void screen_home(struct ui_tree *t, const struct theme *th, const struct view *v);
/* Pay for fuel (view->co); names the screen after the flow's state: pumps, review, pay_qr,
 * pay_code, wait, done, failed. */
void screen_checkout(struct ui_tree *t, const struct theme *th, const struct view *v);
/* The member page of pay-for-fuel (phone keypad; the member's coupons and points), in
 * area `a` below the step bar. */
void screen_member(struct ui_tree *t, const struct theme *th, const struct view *v,
                   const struct layout *l, SDL_Rect a);
/* Customer-facing text of a checkout notice, in the current language ("" for none). */
const char *checkout_notice_text(enum co_notice n);
/* The "need more time?" prompt over whatever is built so far. */
/* The notice after a restart mid-payment (v->notice), as a dialog over the screen. */
void screen_notice(struct ui_tree *t, const struct theme *th, const struct view *v);
void screen_more_time(struct ui_tree *t, const struct theme *th, const struct view *v);

#endif
