/* The e-invoice service's screens (数电发票): the receipts to invoice, the transaction-number
 * keypad, title and delivery, the taxpayer-ID keypad, the company found, the preview, the
 * wait, and what became of it. They read an inv_view and draw with the ui toolkit only;
 * screens_entry.c has the screens where the customer types, screens_outcome.c those after
 * Issue. */
#ifndef INVOICE_SCREENS_H
#define INVOICE_SCREENS_H

#include <stddef.h>

#include "flow.h"
#include "ui/chrome.h"
#include "ui/theme.h"
#include "ui/ui.h"
#include "ui/view.h"

struct inv_view {
    struct view base;             /* ui/view.h */
    const struct inv_flow *f;
    int preview;                  /* a camera can show what it sees: lay a UI_LIVE widget where
                                   * a code is asked for */
    const char *scanner_problem;  /* why no scanner can read a code now, or "" */
    int printer_ok;               /* a slip can be printed now */
};

/* Builds the screen of the flow's state into `t` (begun at its size by the caller), named
 * inv_screen_name(v->f): the header, the step bar, the screen, the footer (Back bottom-left
 * where there is a way back, Sound and language bottom-right). */
void inv_screen(struct ui_tree *t, const struct theme *th, const struct inv_view *v);
/* Customer-facing text of a note, in the current language ("" for none). Static. */
const char *inv_note_text(enum inv_note n);

/* ---- shared by screens.c, screens_entry.c and screens_outcome.c ----------------------- */

/* The note (f->note) as a notice label "inv.notice" at the top of *a, which shrinks by the
 * height it takes; 0 without a note. */
int inv_notice(struct ui_tree *t, const struct theme *th, const struct inv_view *v, SDL_Rect *a);
/* The screen's one primary action at r. */
struct ui_widget *inv_primary(struct ui_tree *t, const char *id, SDL_Rect r, const char *text);
/* A bold headline (id may be NULL) at the top of *a, which shrinks by `h`. */
struct ui_widget *inv_headline(struct ui_tree *t, const char *id, SDL_Rect *a, int h,
                               const char *text);
/* A spinner and what is being waited for, in a row at r (ids inv.busy, inv.busy.text). */
void inv_busy_row(struct ui_tree *t, const struct theme *th, SDL_Rect r, const char *text);
/* What the flow is waiting for, in words ("Looking up your receipt..."). */
const char *inv_busy_text(const struct inv_flow *f);
/* A live camera picture (id "inv.live") framed in r, 16:9 at most r's size, with the
 * caption under it; returns the height used. */
int inv_live(struct ui_tree *t, const struct theme *th, SDL_Rect r, const char *caption);
/* "138 0013 8000" from the digits typed, "_" for the rest. */
void inv_phone_text(const char *digits, char *out, size_t cap);
/* The part of `rect` at the left (0) or right (1) of a landscape split; all of it in
 * portrait. */
SDL_Rect inv_column(const struct layout *l, SDL_Rect a, int right);
/* A label with an id (NULL for none). */
struct ui_widget *inv_text(struct ui_tree *t, const char *id, SDL_Rect r, const char *text,
                           enum font_role f, enum text_align a);
/* A row: words left (id.label), figure right (id), the words taking split_pct of it. */
void inv_pair_row(struct ui_tree *t, SDL_Rect r, const char *left, const char *right,
                  enum font_role f, int bold, const char *id, int split_pct);
/* Where the invoice goes, as typed, masked: "138****8000 · z***@qq.com" ("" for none). */
void inv_typed_delivery(const struct inv_flow *f, char *out, size_t cap);

void inv_screen_txn(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                    const struct layout *l, SDL_Rect a);
void inv_screen_taxid(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                      const struct layout *l, SDL_Rect a);
void inv_screen_delivery(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                         const struct layout *l, SDL_Rect a);
/* screens_outcome.c */
void inv_screen_issuing(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                        const struct layout *l, SDL_Rect a);
void inv_screen_issued(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                       const struct layout *l, SDL_Rect a);
void inv_screen_submitted(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                          const struct layout *l, SDL_Rect a);
void inv_screen_existing(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                         const struct layout *l, SDL_Rect a);
void inv_screen_resent(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                       const struct layout *l, SDL_Rect a);
void inv_screen_refused(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                        const struct layout *l, SDL_Rect a);

#endif
