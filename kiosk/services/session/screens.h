/* The session's screens: the attract slideshow, the home menu, the "why is this tile
 * unavailable" dialog and the "need more time?" prompt. They read a sess_view and draw with
 * the ui toolkit only; what the customer's service draws, and what other services lay over
 * attract and home, come in through the view's two builders. */
#ifndef SESSION_SCREENS_H
#define SESSION_SCREENS_H

#include <stdint.h>

#include "core/health.h"
#include "core/prices.h"
#include "flow.h"
#include "ui/theme.h"
#include "ui/ui.h"
#include "ui/view.h"

/* A tile of the home menu, as the screen draws it. */
struct home_tile {
    const char *key;                 /* widget id home.<key> */
    const char *title, *blurb, *icon; /* message ids; icon under assets/ */
    enum svc_reason reason;          /* why it cannot be chosen now, or REASON_NONE */
    int door;                        /* not on the menu: opened by the frame's gesture */
};

/* The attract slide on screen. */
struct slide_view {
    const char *image;               /* file under assets/, or "" */
    uint32_t bg;                     /* RGBA background */
    const char *title, *subtitle;    /* in the current language */
};

/* The station name held this long on the home menu opens the door tile (attendant mode). */
#define SESS_DOOR_HOLD_MS 3000

struct sess_view {
    struct view base;
    const struct sess_flow *s;
    struct slide_view slide;
    int nslides;
    const struct price_board *prices; /* the price board on attract, or NULL (none) */
    const struct home_tile *tiles;
    int ntiles;
    int prompt_left_s, prompt_total_s;
    /* The customer's service (SESS_SERVICE), and what other services lay over attract and
     * home (a restart notice): drawn into the tree by whoever made the view. */
    void (*build_active)(void *ctx, struct ui_tree *t, const struct theme *th);
    void (*build_overlays)(void *ctx, struct ui_tree *t, const struct theme *th);
    void *ctx;
};

/* Begins the tree at its size (t->w x t->h) and builds the session's state: attract, home
 * (with its dialog), the customer's service, and the prompt over either. Names the screen
 * ("attract", "home", "more_time", or the service's own). */
void sess_build(struct ui_tree *t, const struct theme *th, const struct sess_view *v);

void sess_screen_attract(struct ui_tree *t, const struct theme *th, const struct sess_view *v);
void sess_screen_home(struct ui_tree *t, const struct theme *th, const struct sess_view *v);
void sess_screen_more_time(struct ui_tree *t, const struct theme *th, const struct sess_view *v);

#endif
