/* The fuel-card service's screens (加油卡): insert the card, the wait while it is read, the
 * PIN, the card and what can be done with it, the recharge amount, the load (圈存) and its
 * outcome, the allocation to sub-cards (预分配), the history, and the ways it ends (PIN
 * locked, card removed, failed). They read a cd_view and draw with the ui toolkit only;
 * screens.c has the frame, the pieces the others share and the screens that end or wait,
 * screens_entry.c the keypads (PIN, amount, allocation), screens_card.c the menu, the load
 * and its outcome and the history, screens_alloc.c the allocation. */
#ifndef CARD_SCREENS_H
#define CARD_SCREENS_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "ui/chrome.h"
#include "ui/theme.h"
#include "ui/ui.h"
#include "ui/view.h"

struct cd_view {
    struct view base;             /* ui/view.h */
    const struct cd_flow *f;
    int printer_ok;               /* a receipt can be printed now */
    const char *reader_problem;   /* why the card reader cannot be used, or "" */
};

/* Builds the screen of the flow's state into `t` (begun at its size by the caller), named
 * cd_screen_name(v->f): the header, the step bar, the screen, the footer (Back or Finish
 * bottom-left where there is a way out, Sound and language bottom-right). */
void cd_screen(struct ui_tree *t, const struct theme *th, const struct cd_view *v);
/* What happened, in the current language ("" for CD_OK). Static. */
const char *cd_error_text(enum cd_error e);
/* What to do about it, in the current language. Static. */
const char *cd_error_advice(enum cd_error e);

/* ---- shared by screens.c and screens_*.c ------------------------------------------------ */

/* The note (f->note) in words, in the current language, into out ("" for none). */
void cd_note_text(const struct cd_flow *f, char *out, size_t cap);
/* The note as a notice label "card.note" at the top of *a (at most a->h high: its words
 * shrink), which shrinks by the height it takes; 0 without a note. */
int cd_notice(struct ui_tree *t, const struct theme *th, const struct cd_flow *f, SDL_Rect *a);
/* The height cd_notice() would take with room enough (0 without a note). */
int cd_notice_h(const struct theme *th, const struct cd_flow *f);
/* A bold headline (id may be NULL) at the top of *a, which shrinks by `h`. */
struct ui_widget *cd_headline(struct ui_tree *t, const char *id, SDL_Rect *a, int h,
                              const char *text);
/* A secondary action at r in title type, with its second line `sub` (may be NULL). */
struct ui_widget *cd_action(struct ui_tree *t, const char *id, SDL_Rect r, const char *text,
                            const char *sub);
/* A row: words left (id.label), figure right (id), the words taking split_pct of it. */
void cd_pair_row(struct ui_tree *t, SDL_Rect r, const char *left, const char *right,
                 enum font_role f, int bold, const char *id, int split_pct);
/* The card in one line: "1000 **** **** 2001 · 刘*". */
void cd_card_line(const struct cd_flow *f, char *out, size_t cap);
/* The holder as shown: the backend's masked name, else the chip's, masked. */
void cd_holder_text(const struct cd_flow *f, char *out, size_t cap);
/* "Personal card", "Company main card", "Company sub-card" (translated). */
const char *cd_kind_text(enum card_kind k);
/* The yuan typed on a keypad as money: "¥500.00" ("¥0.00" for none). */
void cd_typed_money(const char *digits, char *out, size_t cap);
/* The yuan typed, in fen (0 for none). */
int64_t cd_typed_fen(const char *digits);
/* Widgets built since `from` scroll in list `li`. */
void cd_adopt(struct ui_tree *t, int from, int li);
/* Mutes the widgets built since `from`. */
void cd_mute(struct ui_tree *t, int from, int muted);
/* A big spinner (id "card.busy"), what is being waited for (card.busy.text) and a quieter
 * line (card.busy.detail, may be NULL), centred in r from `y`. Returns where they end. */
int cd_wait_block(struct ui_tree *t, const struct theme *th, const struct layout *l, SDL_Rect r,
                  int y, const char *text, const char *detail);
/* The station system has not answered for 10 s and more (a wait that can be slow). */
int cd_slow(const struct cd_view *v);
/* An end screen: a title (id title_id; colour title_fg, 0 for the text's), a message
 * (msg_id), a quieter line (more_id; more may be NULL) and Done ("card.finish") at the
 * bottom (in landscape: of the right column). */
void cd_message(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                const struct layout *l, SDL_Rect a, const char *title_id, const char *title,
                uint32_t title_fg, const char *msg_id, const char *msg, const char *more_id,
                const char *more);
/* The way out at the end: "Done" and, while the card is in the reader, "please take your
 * card" under it. */
struct ui_widget *cd_finish(struct ui_tree *t, const struct cd_view *v, SDL_Rect r);

/* screens_entry.c */
void cd_screen_pin(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                   const struct layout *l, SDL_Rect a);
void cd_screen_amount(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                      const struct layout *l, SDL_Rect a);
void cd_screen_alloc_keypad(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                            const struct layout *l, SDL_Rect a);
/* screens_card.c */
void cd_screen_menu(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                    const struct layout *l, SDL_Rect a);
void cd_screen_loading(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                       const struct layout *l, SDL_Rect a);
void cd_screen_done(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                    const struct layout *l, SDL_Rect a);
void cd_screen_history(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                       const struct layout *l, SDL_Rect a);
/* screens_alloc.c */
void cd_screen_subcards(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                        const struct layout *l, SDL_Rect a);
void cd_screen_alloc_confirm(struct ui_tree *t, const struct theme *th,
                             const struct cd_view *v, const struct layout *l, SDL_Rect a);
void cd_screen_allocating(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                          const struct layout *l, SDL_Rect a);
void cd_screen_allocated(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                         const struct layout *l, SDL_Rect a);

#endif
