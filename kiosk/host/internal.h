/* The host's own parts, shared by its files: host.c (the loop, the screen, start and stop),
 * services.c (the registry at run time and everything a service may ask), input.c (touch,
 * keys, scrolling, a keyboard-mode scanner) and play.c (scripted sessions). Nothing here
 * names a service. */
#ifndef HOST_INTERNAL_H
#define HOST_INTERNAL_H

#include <SDL.h>
#include <stdint.h>

#include "audio/voice.h"
#include "core/config.h"
#include "core/evq.h"
#include "core/health.h"
#include "host/host.h"
#include "host/script.h"
#include "host/service.h"
#include "link.h"
#include "scanner/wedge.h"
#include "ui/theme.h"
#include "ui/ui.h"

#define HOST_SERVICES_MAX 16
#define HOST_TILES_MAX 16
#define HOST_PRINTS_MAX 32
#define HOST_CHECKS_MAX 8
#define HOST_CARDS_MAX 16
#define HOST_TURN_HIST 1001 /* ms; the last bucket holds everything longer */

struct host;

struct host_svc {
    struct host *host;
    int index;
};

struct slot {
    const struct service_def *def;
    void *priv;
    void *cfg;
    struct host_svc h;
    int opened;                   /* its open hook succeeded: its close hook runs */
    int woken;                    /* host_wake(): its tick runs this turn */
};

struct host {
    const struct host_options *o;
    struct kiosk_config cfg;
    struct hub_config devices;    /* the device instances named in the config file */
    struct slot svc[HOST_SERVICES_MAX];
    int nsvc;
    int frame;                    /* the frame's index */
    int entered;                  /* the service entered last, or -1 */
    int done_pending;             /* the customer's service is over: home, this turn */
    /* the home menu: every service's tiles, and their [services] switches */
    struct {
        int svc, tile;
    } tiles[HOST_TILES_MAX];
    int ntiles;
    int enabled[HOST_TILES_MAX];
    struct cfg_option tile_options[HOST_TILES_MAX + 1];
    char tile_help[HOST_TILES_MAX][96];

    SDL_Window *win;
    SDL_Renderer *ren;
    struct theme theme;
    struct text_engine *text;
    struct ui_tree tree;
    struct evq *q;
    Uint32 wake_type;
    int wake_fd[2];               /* pipe: threads wake a loop that waits in poll() */
    int own_wait;                 /* the video driver cannot block: wait in poll() ourselves */
    struct link *link;
    struct health health;
    int64_t link_next_ms;
    uint64_t journal_seq;
    /* print jobs and printer checks, and whose they are */
    struct {
        int no, svc;
    } prints[HOST_PRINTS_MAX];
    struct {
        int no, svc;
    } checks[HOST_CHECKS_MAX];
    /* card APDUs waiting for their answer, and whose they are */
    struct {
        int no, svc;
    } cards[HOST_CARDS_MAX];
    /* who asked for ID card readings and for the face step (the latest asker only), with the
     * handle its results carry (0: nobody) */
    struct {
        uint64_t no;
        int svc;
    } idcard_ask, face_ask;
    uint64_t ask_seq;

    /* input */
    int pressed, focus;
    /* touch scrolling: the list being dragged, and each list's scroll kept across rebuilds
     * of the same screen (a newly grown list shows its end: the item just added) */
    int drag_list, drag_y0, drag_scroll0, dragging;
    int card_after_done;         /* the card put on ended the service: the frame takes it */
    char oos[160];               /* out of service: the message id ("" in service) ... */
    int oos_loaded;              /* ... read from the journal's settings once */
    char hold_id[UI_ID_LEN];     /* a widget held down that answers a long press ... */
    int64_t hold_at;             /* ... once it has been held until then */
    struct {
        char id[UI_ID_LEN];
        int scroll, content_h;
    } scrolls[4];
    char scrolls_screen[32];
    struct wedge typed;           /* a code scanner in keyboard mode types its code, then Return */
    const char *toast;            /* a short word over the screen (a message id) */
    int64_t toast_until_ms;

    /* sound ([sound] in the config): the prompt said last (a prompt id, "" for none) and in
     * which language; a screen whose prompt or language differs says its own */
    struct voice_config voice_cfg;
    struct voice *voice;
    char said[VOICE_ID_LEN];
    char said_lang[16];

    /* how long the UI thread worked in each turn (input, services, drawing), in ms: a stall
     * here is a frozen screen (logged at the end) */
    int turn_ms[HOST_TURN_HIST];
    int turns, longest_turn_ms;

    /* what host_state() tells: since start */
    int64_t started_real_ms;
    int64_t touched_ms;           /* the last touch, key, scan or card (kiosk clock) */
    int home_shown;               /* the frame's own screen has been drawn */
    struct {
        long scans, prints, print_failures, call_failures, sessions;
    } count;

    int dirty;
    int quit, exit_code;
    int restart;                  /* host_restart(): what host_run returns, or 0 */
    int64_t next_tick_ms;         /* animation redraw, or 0 */
    int frames;

    /* scripted session */
    struct script script;
    int step;
    int64_t step_start_ms;
    int shots;
};

/* host.c */
void host_present(struct host *a);
/* The screen's prompt is said again at the next frame (the Sound button turned on). */
void host_say_again(struct host *a);
int host_screenshot(struct host *a, const char *name);
int host_video_resize(struct host *a, int w, int h);
void host_handle_sdl(struct host *a, const SDL_Event *e);

/* services.c */
int host_services_open(struct host *a, const struct service_def *const *registry,
                       const struct host_options *o, char *err, size_t errcap);
void host_services_start(struct host *a);
void host_services_close(struct host *a);
void host_services_turn(struct host *a, int64_t now);
int64_t host_services_deadline(struct host *a);
/* An event for the link or a service. */
void host_services_event(struct host *a, const struct ev *e);
void host_services_build(struct host *a, struct ui_tree *t);
int host_services_tap(struct host *a, const char *id, int64_t now);
void host_services_scan(struct host *a, const char *code, int ok, int64_t now);
void host_services_card(struct host *a, int present, int64_t now);
void host_services_touch(struct host *a, int64_t now);
int host_services_idle(struct host *a);
void host_services_leave(struct host *a, int64_t now);

/* input.c */
void host_activate(struct host *a, const char *id);
void host_pointer(struct host *a, int down, int x, int y);
/* A widget held long enough (ui_widget.hold_ms) is activated now: 1 if one was. */
int host_hold_due(struct host *a, int64_t now);
void host_pointer_motion(struct host *a, int y);
void host_wheel(struct host *a, int x, int y, int dy);
void host_key(struct host *a, SDL_Keycode k, Uint16 mod);
void host_text_input(struct host *a, const char *text);
void host_remember_scroll(struct host *a, const struct ui_widget *l);
void host_restore_scrolls(struct host *a);

/* play.c: the next step; how long the loop may block before the script needs another turn */
int64_t host_play(struct host *a);

#endif
