/* The touch UI toolkit: a retained tree of widgets that a screen builds from its view
 * model, drawn by ui_render() and hit-tested by ui_hit(). Every interactive widget has a
 * stable string id ("home.fuel", "lang.toggle"): rendering, touch, scripted sessions and
 * screenshots all go through the same tree. Strings put into the tree are copied. */
#ifndef KIOSK_UI_UI_H
#define KIOSK_UI_UI_H

#include <SDL.h>
#include <stdint.h>

#include "ui/text.h"
#include "ui/theme.h"

#define UI_MAX_WIDGETS 256
#define UI_ID_LEN 40

enum ui_kind {
    UI_PANEL,     /* filled rectangle, optional border */
    UI_LABEL,     /* text, wrapped to its rect and shrunk to fit */
    UI_BUTTON,    /* tappable: text and optional sub-text / icon */
    UI_IMAGE,     /* an image file, scaled to fit (aspect kept) */
    UI_QR,        /* a QR code of `text` (libqrencode) */
    UI_SPINNER,   /* busy indicator, animated */
    UI_PROGRESS,  /* bar: value of max */
    UI_COUNTDOWN, /* ring + seconds left: value of max */
    UI_LIST,      /* scrollable viewport; widgets with .parent = this index scroll inside */
    UI_SHADE,     /* dims everything below (modal background) */
    UI_LIVE,      /* a live grey picture (the camera's preview) from the render context's
                   * `live` source, aspect kept; redrawn at the display's pace; `guide`
                   * draws an oval over it */
};

enum ui_style {
    ST_PLAIN,     /* text colour on nothing */
    ST_PRIMARY,   /* the one obvious next action */
    ST_SECONDARY, /* other actions */
    ST_TILE,      /* home menu service tile */
    ST_KEY,       /* keypad / keyboard key */
    ST_GHOST,     /* quiet action (language, back) */
    ST_CARD,      /* surface panel */
    ST_HEADER,    /* header bar */
    ST_DIALOG,    /* modal dialog panel */
    ST_DANGER,    /* destructive or warning action */
    ST_NOTICE,    /* warning banner */
};

struct ui_widget {
    char id[UI_ID_LEN];
    enum ui_kind kind;
    enum ui_style style;
    SDL_Rect r;
    char text[320];
    char sub[240];          /* buttons: second line (e.g. why a tile is unavailable) */
    char image[160];        /* UI_IMAGE or button icon: file under assets/ */
    enum font_role font;
    enum font_role sub_font; /* buttons' second line; FONT_CAPTION (0) unless set */
    enum text_align align;
    int bold;
    int unavailable;        /* drawn muted with its reason; still tappable to explain */
    int disabled;           /* drawn muted; not tappable */
    int on_escape;          /* the Escape key taps it: a dialog's way out, a screen's back */
    int on_enter;           /* Return taps it when no widget has the keyboard focus */
    int hold_ms;            /* > 0: it answers only a press held this long, not a tap (a
                             * label too: the station name, attendant mode's door) */
    int value, max;         /* progress and countdown */
    int parent;             /* index of the UI_LIST it scrolls in, or -1 */
    int scroll;             /* UI_LIST: scroll offset in px (from the view model) */
    int content_h;          /* UI_LIST: height of its content */
    int guide;              /* UI_LIVE: 0 none; else an upright oval outline over the
                             * picture, centred, `guide` percent of the picture's height
                             * tall and 3/4 as wide as tall, thick, in the theme's accent:
                             * the face step's "move into the oval" (the face check judges
                             * a face's size and centring against the same picture) */
    uint32_t fg;            /* 0 = the style's text colour */
    uint32_t bg;            /* 0 = the style's background */
};

struct ui_tree {
    char screen[32];        /* the screen that built it */
    const char *prompt;     /* what the screen says aloud: a prompt id of audio/voice.h
                             * ("pick_pump"), a static string, or NULL for nothing */
    int w, h;               /* window size it was laid out for */
    struct ui_widget v[UI_MAX_WIDGETS];
    int n;
    int modal_from;         /* first widget of the modal layer, or -1 */
    int overflow;           /* widgets dropped because the tree was full (a bug) */
};

/* Empties the tree for a new build at window size w x h (no prompt). */
void ui_begin(struct ui_tree *t, const char *screen, int w, int h);
/* Appends a widget and returns it for further setting (never NULL: on overflow a scratch
 * widget that is not drawn). `id` may be NULL for decoration. */
struct ui_widget *ui_add(struct ui_tree *t, enum ui_kind kind, enum ui_style style,
                         const char *id, SDL_Rect r, const char *text);
struct ui_widget *ui_label(struct ui_tree *t, SDL_Rect r, const char *text, enum font_role f,
                           enum text_align a);
struct ui_widget *ui_button(struct ui_tree *t, const char *id, SDL_Rect r, const char *text,
                            enum ui_style style);
/* Starts the modal layer: a shade over everything built so far; later widgets are the
 * only ones that take touches. */
void ui_modal_begin(struct ui_tree *t);
/* Numeric keypad: keys <prefix>.0 .. <prefix>.9, <prefix>.del, <prefix>.ok. */
void ui_keypad(struct ui_tree *t, const char *prefix, SDL_Rect r, const char *ok_text);
/* On-screen keyboard (digits, letters, @ . - _): keys <prefix>.<char> (letters as typed,
 * "at", "dot", "dash", "underscore"), <prefix>.shift, <prefix>.space, <prefix>.del,
 * <prefix>.ok. `upper` selects capitals. */
void ui_keyboard(struct ui_tree *t, const char *prefix, SDL_Rect r, int upper, const char *ok_text);
/* Taxpayer-ID keypad (the GB 32100 character set): large keys for the digits and the
 * letters A-H J-N P-R T U W-Y (never I O S V Z), keys <prefix>.<char> (digits, capitals),
 * <prefix>.del, <prefix>.ok. An area 1.4 times as wide as high or wider gets the digits in
 * one row (else two rows of five), then the letters in alphabetical order, seven a row (11
 * when it is twice as wide as high), then Delete and OK. */
void ui_taxpad(struct ui_tree *t, const char *prefix, SDL_Rect r, const char *ok_text);
/* One row of e-mail shortcuts to go with ui_keyboard() of the same prefix: <prefix>.qq
 * ("qq.com"), <prefix>.163 ("163.com"), <prefix>.126 ("126.com"), <prefix>.com (".com").
 * The keyboard has the @ (<prefix>.at). */
void ui_email_keys(struct ui_tree *t, const char *prefix, SDL_Rect r);
/* Text a keypad, keyboard, taxpad or e-mail key id types ("kbd.a" -> "a", "kbd.at" -> "@",
 * "kbd.qq" -> "qq.com", "tax.K" -> "K"), or NULL for control keys (del, ok, shift) and ids
 * that are not keys of `prefix`. The e-mail shortcuts type lower case whatever `upper`. */
const char *ui_key_text(const char *prefix, const char *id, int upper);

/* Widget by id, or NULL. */
struct ui_widget *ui_find(struct ui_tree *t, const char *id);
/* Where a widget really is on screen (list items are offset by their list's scroll and
 * clipped). Returns 0 if any part of it is visible. */
int ui_screen_rect(const struct ui_tree *t, int index, SDL_Rect *out);
/* Index of the tappable widget at (x, y), or -1. Only the modal layer when one is open. */
int ui_hit(const struct ui_tree *t, int x, int y);
/* Scrolls the list holding widget `index` so it is visible; returns the new scroll of
 * that list (or -1 when it is not in a list). */
int ui_scroll_into_view(struct ui_tree *t, int index);
/* Index of the UI_LIST under (x, y) in the layer that takes touches, or -1. */
int ui_list_at(const struct ui_tree *t, int x, int y);
/* Sets the scroll of list `index` to `scroll`, kept within its content; returns it. */
int ui_scroll_to(struct ui_tree *t, int index, int scroll);
/* Milliseconds until the tree needs redrawing by itself (spinner, countdown), or -1. */
int ui_tick_interval(const struct ui_tree *t);

struct ui_render_ctx {
    SDL_Renderer *r;
    const struct theme *theme;
    struct text_engine *text;
    const char *assets_dir;
    int pressed;            /* index drawn pressed (touch feedback), or -1 */
    int focused;            /* index with the keyboard focus ring, or -1 */
    int64_t now_ms;         /* animation phase */
    /* UI_LIVE's source: the newest picture as grey bytes (at most maxw x maxh) with its
     * size; 0 when there is none (the widget then shows an empty frame). NULL: none. */
    int (*live)(void *user, uint8_t *pixels, int maxw, int maxh, int *w, int *h);
    void *live_user;
};

/* Draws the whole tree. Images and QR textures are cached between frames. */
void ui_render(struct ui_render_ctx *c, const struct ui_tree *t);
/* Frees cached image/QR textures (call before destroying the renderer). */
void ui_render_cleanup(void);

#endif
