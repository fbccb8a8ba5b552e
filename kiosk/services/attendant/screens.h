/* Attendant mode's screens (站务): the staff number and PIN keypads, the lock, the menu, the
 * unfinished items a shift close waits for, the shift's or day's totals, the transaction
 * keypad (reprint, refund), a sale's lines to refund with the reasons, a supervisor's
 * approval, the spinner of an operation, its outcome, the devices' health and the out of
 * service choice. They read an at_view and draw with the ui toolkit only. Widget ids:
 * docs/scripts.md "Attendant mode". */
#ifndef ATTENDANT_SCREENS_H
#define ATTENDANT_SCREENS_H

#include "flow.h"
#include "totals.h"
#include "ui/chrome.h"
#include "ui/theme.h"
#include "ui/ui.h"
#include "ui/view.h"

#define AT_HEALTH_ROWS 16
#define AT_PARKED_ROWS 8

/* One line of the health page: a device instance, or one of the kiosk's figures. */
struct at_health_row {
    char what[48];         /* "printer.receipt", or a message id ("Station system") */
    int translate;         /* 1: `what` is a message id */
    int state;             /* enum health_state */
    char detail[96];       /* its last error, or a figure ("12 records", "3.2 MB") */
};

/* A record the backend refused for good (the health page: retry or mark handled). */
struct at_parked_row {
    char record_id[48];
    char kind[24];
    char reason[64];
};

/* An unfinished item a shift close waits for. */
struct at_unfinished_row {
    char kind[24];         /* the intent's kind ("payment", "card_load", "depot_ticket") */
    char ref[48];          /* its key, shortened */
    int64_t since_ms;      /* wall clock, ms */
};

struct at_view {
    struct view base;                  /* ui/view.h */
    const struct at_flow *f;
    /* SUMMARY / CLOSED */
    const struct totals *totals;       /* the shift's or the day's */
    int64_t shift_id;                  /* the shift (or the day) closing or closed */
    int64_t opened_ms, closed_ms;      /* wall clock */
    int shifts;                        /* DAY: how many shifts it rolls up */
    int day_matches;                   /* DAY: the shifts add up to the day */
    char day_mismatch[64];             /* DAY: the first figure that does not */
    int report_printed;                /* CLOSED: 1 printed, 0 not (print again offered) */
    /* UNFINISHED */
    const struct at_unfinished_row *unfinished;
    int nunfinished;
    /* TXN / RESULT: the transaction found */
    char txn_kind[24];
    int64_t txn_amount_fen;
    /* HEALTH */
    const struct at_health_row *health;
    int nhealth;
    const struct at_parked_row *parked;
    int nparked;
    /* SERVICE */
    const char *out_of_service;        /* the message now (a message id), or NULL: in
                                        * service */
};

/* Out-of-service messages offered (message ids). */
extern const char *const at_oos_messages[];
#define AT_OOS_MESSAGES 3

/* Builds the screen of the flow's state into `t` (begun at its size by the caller),
 * t->screen = "at_<state>" ("at_pin", "at_menu", "at_summary", ...): the header, the
 * screen, the footer (Back bottom-left where there is a way back; in MENU it logs out;
 * the language bottom-right). */
void at_screen(struct ui_tree *t, const struct theme *th, const struct at_view *v);
/* What a note says, in the current language ("" for AT_NOTE_NONE). Static. */
const char *at_note_text(enum at_note n);

/* ---- shared by screens.c and screens_ops.c ---------------------------------------------- */

/* A bold headline (id) at the top of *a, `h` high, which shrinks by it. */
struct ui_widget *at_headline(struct ui_tree *t, const char *id, SDL_Rect *a, int h,
                              const char *text, enum text_align al);
/* A notice (id) at the top of *a, `h` high at most (its words shrink to what *a has), which
 * shrinks by what it takes. */
void at_notice(struct ui_tree *t, const struct theme *th, const char *id, SDL_Rect *a, int h,
               const char *text, enum font_role f);
/* A spinner (at.busy) and what is being waited for (at.busy.text) with a quieter line
 * (at.busy.detail, may be NULL): centred in r when `y` < 0, else from y. Returns where they
 * end. */
int at_wait_block(struct ui_tree *t, const struct theme *th, const struct layout *l, SDL_Rect r,
                  int y, const char *text, const char *detail);
/* Widgets built since `from` scroll in list `li`. */
void at_adopt(struct ui_tree *t, int from, int li);
/* Mutes the widgets built since `from` when `muted`. */
void at_mute(struct ui_tree *t, int from, int muted);
/* "11-30 14:05" from wall-clock ms ("-" for none). */
void at_when(int64_t wall_ms, char *out, size_t cap);
/* The height a button needs for a line of title type with a line of body type under it
 * (its `sub`). */
int at_two_lines_h(const struct theme *th);
/* The primary action of a screen at the bottom of `a` (in landscape: of its right column);
 * returns the rect it took. */
SDL_Rect at_primary_rect(const struct theme *th, const struct layout *l, SDL_Rect a);

/* screens_ops.c: the shift and the day, the refund's lines, the devices */
void at_screen_unfinished(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                          const struct layout *l, SDL_Rect a);
void at_screen_summary(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                       const struct layout *l, SDL_Rect a);
void at_screen_lines(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                     const struct layout *l, SDL_Rect a);
void at_screen_health(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                      const struct layout *l, SDL_Rect a);

#endif
