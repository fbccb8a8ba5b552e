#include "kiosk/app/app.h"

#include <SDL.h>
#include <SDL_image.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "drivers/printer/escpos.h"
#include "kiosk/app/checkout_io.h"
#include "kiosk/app/receipt.h"
#include "kiosk/app/script.h"
#include "kiosk/app/shot.h"
#include "kiosk/app/slides.h"
#include "kiosk/app/station.h"
#include "kiosk/backend/backend.h"
#include "kiosk/core/clock.h"
#include "kiosk/core/codes.h"
#include "kiosk/core/evq.h"
#include "kiosk/core/i18n.h"
#include "kiosk/core/log.h"
#include "kiosk/core/sign.h"
#include "kiosk/core/wedge.h"
#include "kiosk/flows/session.h"
#include "kiosk/ui/screens/screens.h"
#include "kiosk/ui/text.h"
#include "kiosk/ui/ui.h"

#define TOAST_MS 6000
#define SHUTDOWN_DRAIN_MS 3000

struct app {
    const struct app_options *o;
    const struct kiosk_config *cfg;
    SDL_Window *win;
    SDL_Renderer *ren;
    struct theme theme;
    struct text_engine *text;
    struct ui_tree tree;
    struct evq *q;
    Uint32 wake_type;
    int wake_fd[2];       /* pipe: device threads wake a loop that waits in poll() */
    int own_wait;         /* the video driver cannot block: wait in poll() ourselves */
    struct session sess;
    struct slides slides;
    struct station *station;
    struct checkout_io *cio;
    const struct checkout *bench_co; /* --bench-render: a sale to draw, without a station */
    struct health health;
    int64_t station_next_ms;
    int explain_open;
    enum service explain_svc;
    enum svc_reason explain_reason;
    int pressed, focus;
    /* touch scrolling: the list being dragged, and each list's scroll kept across rebuilds
     * of the same screen (a newly grown list shows its end: the item just added) */
    int drag_list, drag_y0, drag_scroll0, dragging;
    struct {
        char id[UI_ID_LEN];
        int scroll, content_h;
    } scrolls[4];
    char scrolls_screen[32];
    int dirty;
    int quit, exit_code;
    int64_t next_tick_ms; /* animation redraw, or 0 */
    /* scripted session */
    struct script script;
    int step;
    int64_t step_start_ms;
    struct wedge typed;   /* a code scanner in keyboard mode types its code, then Return */
    /* What a code scanned where nothing takes it means here (shown for a few seconds). */
    const char *toast;    /* message id */
    int64_t toast_until_ms;
    int frames;
    int shots; /* screenshots written by the script */
};

/* ---- view model and drawing ------------------------------------------------------------ */

static const char *lang_label(const char *code)
{
    /* The button names the language it switches to, in that language. */
    return strcmp(code, "zh_CN") == 0 ? "中文" : "English";
}

static void make_view(struct app *a, struct view *v)
{
    memset(v, 0, sizeof *v);
    v->sess = &a->sess;
    v->now_ms = clock_now_ms();
    v->station = a->cfg->station_name;
    v->terminal_id = a->cfg->terminal_id;
    v->lang = i18n_lang();
    int cur = 0;
    for (int i = 0; i < i18n_count(); i++)
        if (!strcmp(i18n_lang_at(i), v->lang))
            cur = i;
    int n = i18n_count();
    v->other_lang_label = lang_label(n ? i18n_lang_at((cur + 1) % n) : "en_US");
    v->nslides = a->slides.n;
    if (a->slides.n > 0) {
        int i = a->sess.slide % a->slides.n;
        v->slide.image = a->slides.v[i].image;
        v->slide.bg = a->slides.v[i].bg;
        v->slide.title = slides_title(&a->slides, i, v->lang);
        v->slide.subtitle = slides_subtitle(&a->slides, i, v->lang);
    } else {
        v->slide.title = _("Welcome");
        v->slide.subtitle = "";
    }
    const int enabled[SVC_LAST] = {a->cfg->svc_fuel, a->cfg->svc_shop, a->cfg->svc_invoice,
                                   a->cfg->svc_card, a->cfg->svc_depot};
    for (int i = 0; i < SVC_LAST; i++)
        v->reason[i] = service_reason((enum service)i, enabled[i], &a->health);
    /* A payment left open (a restart, a customer who walked away) is being settled: new
     * sales wait until it is, so that no sale is paid twice. */
    if (a->cio && cio_settling(a->cio))
        for (int i = SVC_FUEL; i <= SVC_SHOP; i++)
            if (v->reason[i] == REASON_NONE)
                v->reason[i] = REASON_SETTLING;
    v->explain_open = a->explain_open;
    v->explain_svc = a->explain_svc;
    v->explain_reason = a->explain_reason;
    v->prompt_left_s = session_prompt_left_s(&a->sess, v->now_ms);
    v->prompt_total_s = a->cfg->idle_prompt_s;
    v->co = a->cio ? cio_flow(a->cio) : a->bench_co;
    v->invoice_url = a->cio ? cio_invoice_url(a->cio)
                     : a->bench_co ? "https://inv.example/t/abcdefghijkmnpqrstuvwxy"
                                   : "";
    v->printer_ok = a->health.c[COMP_PRINTER] == HEALTH_OK ||
                    a->health.c[COMP_PRINTER] == HEALTH_DEGRADED;
    v->printer_problem = a->station ? _(station_printer_problem(a->station)) : "";
    if (a->cio && cio_notice(a->cio)->state != NOTICE_NONE)
        v->notice = cio_notice(a->cio);
    v->toast = a->toast && v->now_ms < a->toast_until_ms ? _(a->toast) : NULL;
}

/* Keeps a list's scroll for the next rebuild. */
static void remember_scroll(struct app *a, const struct ui_widget *l)
{
    int free_slot = -1;
    for (int i = 0; i < 4; i++) {
        if (!strcmp(a->scrolls[i].id, l->id)) {
            free_slot = i;
            break;
        }
        if (free_slot < 0 && !a->scrolls[i].id[0])
            free_slot = i;
    }
    if (free_slot < 0)
        free_slot = 0;
    snprintf(a->scrolls[free_slot].id, sizeof a->scrolls[0].id, "%s", l->id);
    a->scrolls[free_slot].scroll = l->scroll;
    a->scrolls[free_slot].content_h = l->content_h;
}

/* Gives the rebuilt tree's lists their scroll back (a new screen starts at the top). */
static void restore_scrolls(struct app *a)
{
    struct ui_tree *t = &a->tree;
    if (strcmp(a->scrolls_screen, t->screen)) {
        memset(a->scrolls, 0, sizeof a->scrolls);
        snprintf(a->scrolls_screen, sizeof a->scrolls_screen, "%s", t->screen);
    }
    for (int i = 0; i < t->n; i++) {
        struct ui_widget *l = &t->v[i];
        if (l->kind != UI_LIST || !l->id[0])
            continue;
        for (int k = 0; k < 4; k++)
            if (!strcmp(a->scrolls[k].id, l->id)) {
                int grown = l->content_h > a->scrolls[k].content_h;
                ui_scroll_to(t, i, grown ? l->content_h : a->scrolls[k].scroll);
                break;
            }
        remember_scroll(a, l);
    }
}

static void rebuild(struct app *a)
{
    struct view v;
    int w, h;
    SDL_GetRendererOutputSize(a->ren, &w, &h);
    a->tree.w = w;
    a->tree.h = h;
    make_view(a, &v);
    screens_build(&a->tree, &a->theme, &v);
    restore_scrolls(a);
    if (a->tree.overflow)
        log_error("app", "screen %s has more than %d widgets", a->tree.screen, UI_MAX_WIDGETS);
    if (a->focus >= a->tree.n)
        a->focus = -1;
}

static void draw(struct app *a)
{
    struct ui_render_ctx c = {a->ren, &a->theme, a->text, a->cfg->assets_dir, a->pressed,
                              a->focus, clock_now_ms()};
    ui_render(&c, &a->tree);
}

static void present(struct app *a)
{
    rebuild(a);
    draw(a);
    SDL_RenderPresent(a->ren);
    a->frames++;
    a->dirty = 0;
    int tick = ui_tick_interval(&a->tree);
    a->next_tick_ms = tick > 0 ? clock_now_ms() + tick : 0;
}

/* Draws the current frame and writes it to <out>/<name>.png, with where the tree's volatile
 * widgets are (shot.h). With the software renderer the frame is read straight from the
 * window surface; otherwise it is read back. */
static int screenshot(struct app *a, const char *name)
{
    char path[1024];
    int w, h, rc = -1;
    rebuild(a);
    draw(a);
    snprintf(path, sizeof path, "%s/%s.png", a->o->out_dir ? a->o->out_dir : ".", name);
    SDL_Surface *win = a->o->headless ? SDL_GetWindowSurface(a->win) : NULL;
    if (win) {
        rc = shot_write_png(win, &a->tree, path);
    } else {
        SDL_GetRendererOutputSize(a->ren, &w, &h);
        SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
        if (s && SDL_RenderReadPixels(a->ren, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels,
                                      s->pitch) == 0)
            rc = shot_write_png(s, &a->tree, path);
        SDL_FreeSurface(s);
    }
    SDL_RenderPresent(a->ren);
    if (rc == 0)
        log_info("app", "screenshot %s", path);
    return rc;
}

/* ---- video set-up ---------------------------------------------------------------------- */

static void video_close(struct app *a)
{
    text_destroy(a->text);
    a->text = NULL;
    ui_render_cleanup();
    if (a->ren)
        SDL_DestroyRenderer(a->ren);
    if (a->win)
        SDL_DestroyWindow(a->win);
    a->ren = NULL;
    a->win = NULL;
}

static int video_open(struct app *a, int w, int h, char *err, size_t errcap)
{
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (!a->o->headless && !a->o->windowed && a->cfg->fullscreen)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    if (!a->o->headless && a->o->windowed)
        flags |= SDL_WINDOW_RESIZABLE;
    a->win = SDL_CreateWindow("Fuel kiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h,
                              flags);
    if (!a->win) {
        snprintf(err, errcap, "cannot create window: %s", SDL_GetError());
        return -1;
    }
    if (!a->o->headless)
        a->ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!a->ren)
        a->ren = SDL_CreateRenderer(a->win, -1, SDL_RENDERER_SOFTWARE);
    if (!a->ren) {
        snprintf(err, errcap, "cannot create renderer: %s", SDL_GetError());
        return -1;
    }
    int ow, oh;
    SDL_RendererInfo info;
    SDL_GetRendererInfo(a->ren, &info);
    SDL_GetRendererOutputSize(a->ren, &ow, &oh);
    log_info("app", "video %s, renderer %s, %dx%d", SDL_GetCurrentVideoDriver(), info.name, ow, oh);
    if (theme_make(&a->theme, a->cfg->theme, a->cfg->large_text, ow < oh ? ow : oh) != 0) {
        snprintf(err, errcap, "unknown theme '%s'", a->cfg->theme);
        return -1;
    }
    a->text = text_create(a->ren, a->cfg->font, a->cfg->font_family, err, errcap);
    if (!a->text)
        return -1;
    a->dirty = 1;
    return 0;
}

/* Resizes the window (scripts, orientation changes). The renderer follows the window; if
 * it does not, everything is opened again at the new size. */
static int video_resize(struct app *a, int w, int h)
{
    char err[256];
    int ow, oh;
    SDL_SetWindowSize(a->win, w, h);
    SDL_PumpEvents();
    SDL_GetRendererOutputSize(a->ren, &ow, &oh);
    if (ow == w && oh == h) {
        theme_make(&a->theme, a->cfg->theme, a->cfg->large_text, w < h ? w : h);
        a->dirty = 1;
        return 0;
    }
    video_close(a);
    if (video_open(a, w, h, err, sizeof err) != 0) {
        log_error("app", "%s", err);
        return -1;
    }
    return 0;
}

/* ---- flow effects and input ------------------------------------------------------------ */

static void discard_customer_data(struct app *a)
{
    if (a->cio)
        cio_abandon(a->cio, clock_now_ms());
    a->explain_open = 0;
    a->pressed = -1;
    a->focus = -1;
    /* The next customer starts in the default language. */
    if (i18n_count())
        i18n_set_lang(i18n_lang_at(0));
}

static void run_effects(struct app *a, const struct effects *fx)
{
    for (int i = 0; i < fx->n; i++) {
        const struct effect *e = &fx->v[i];
        switch (e->kind) {
        case EFF_REDRAW:
            a->dirty = 1;
            break;
        case EFF_DISCARD:
            discard_customer_data(a);
            a->dirty = 1;
            break;
        case EFF_EXPLAIN:
            a->explain_open = 1;
            a->explain_svc = service_by_key(e->arg);
            a->explain_reason = (enum svc_reason)e->i;
            a->dirty = 1;
            break;
        case EFF_ENTER_SERVICE:
            log_info("app", "service %s started", e->arg);
            if ((e->i == SVC_FUEL || e->i == SVC_SHOP) && a->cio)
                cio_start(a->cio, e->i == SVC_SHOP, clock_now_ms());
            break;
        default:
            break;
        }
    }
}

static void session_input(struct app *a, enum sess_input in, enum service svc, enum svc_reason r)
{
    struct effects fx = {.n = 0};
    struct sess_event ev = {in, svc, r};
    session_step(&a->sess, &ev, clock_now_ms(), &fx);
    run_effects(a, &fx);
}

/* Taps on the pay-for-fuel screens. Returns 1 if the id was one of them. */
static int checkout_input_for(struct app *a, const char *id)
{
    /* widgets that are one input each */
    static const struct {
        const char *id;
        enum co_input in;
    } plain[] = {
        {"review.member", CI_OPEN_MEMBER}, {"member.done", CI_MEMBER_DONE},
        {"member.forget", CI_MEMBER_FORGET}, {"member.points", CI_TOGGLE_POINTS},
        {"member.key.ok", CI_PHONE_OK},   {"co.continue", CI_CONTINUE},
        {"failed.retry", CI_RETRY},       {"pay.code", CI_PAY_CODE},
        {"co.cancel", CI_CANCEL},         {"done.reprint", CI_REPRINT},
        {"done.ok", CI_FINISH},           {"failed.ok", CI_FINISH},
    };
    /* widgets numbered <prefix><n><suffix> */
    static const struct {
        const char *prefix, *suffix;
        enum co_input in;
    } numbered[] = {
        {"item.", ".more", CI_ITEM_MORE}, {"item.", ".less", CI_ITEM_LESS},
        {"sale.", "", CI_PICK_SALE},      {"coupon.", "", CI_TOGGLE_COUPON},
    };
    struct co_event e = {.in = CI_TICK};
    int n;
    char tail;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0] && e.in == CI_TICK; i++)
        if (!strcmp(id, plain[i].id))
            e.in = plain[i].in;
    for (size_t i = 0; i < sizeof numbered / sizeof numbered[0] && e.in == CI_TICK; i++) {
        size_t pl = strlen(numbered[i].prefix);
        char *end;
        if (strncmp(id, numbered[i].prefix, pl) || id[pl] < '0' || id[pl] > '9')
            continue;
        long v = strtol(id + pl, &end, 10);
        if (!strcmp(end, numbered[i].suffix) && v < 1000)
            e = (struct co_event){.in = numbered[i].in, .index = (int)v};
    }
    if (e.in != CI_TICK) {
        /* found */
    } else if (sscanf(id, "pump.%d%c", &n, &tail) == 1) {
        const struct checkout *c = cio_flow(a->cio);
        for (int i = 0; i < c->npumps; i++)
            if (c->pumps[i].pump == n)
                e = (struct co_event){.in = CI_PICK_PUMP, .index = i};
        if (e.in == CI_TICK)
            return 1;
    } else if (!strncmp(id, "member.key.", 11)) {
        e = (struct co_event){.in = CI_KEY, .text = id + 11};
    } else if (!strncmp(id, "pay.qr.", 7)) {
        e = (struct co_event){.in = CI_PAY_QR, .text = id + 7};
    } else {
        return 0;
    }
    cio_input(a->cio, &e, clock_now_ms());
    return 1;
}

static void activate(struct app *a, const char *id)
{
    log_debug("app", "activate %s on %s", id, a->tree.screen);
    session_input(a, SI_TOUCH, SVC_LAST, REASON_NONE);
    a->toast = NULL; /* the customer has acted: the hint has done its work */
    if (!strcmp(id, "attract.start")) {
        session_input(a, SI_START, SVC_LAST, REASON_NONE);
    } else if (!strcmp(id, "lang.toggle")) {
        i18n_cycle();
        a->dirty = 1;
    } else if (!strcmp(id, "dialog.ok")) {
        a->explain_open = 0;
        a->dirty = 1;
    } else if (!strcmp(id, "notice.ok")) {
        if (a->cio)
            cio_notice_close(a->cio);
        a->dirty = 1;
    } else if (!strcmp(id, "home.done") || !strcmp(id, "timeout.end")) {
        session_input(a, SI_END, SVC_LAST, REASON_NONE);
    } else if (!strcmp(id, "timeout.more")) {
        session_input(a, SI_MORE_TIME, SVC_LAST, REASON_NONE);
    } else if (a->cio && checkout_input_for(a, id)) {
        /* handled */
    } else if (!strncmp(id, "home.", 5)) {
        enum service s = service_by_key(id + 5);
        if (s != SVC_LAST) {
            struct view v;
            make_view(a, &v);
            session_input(a, SI_CHOOSE, s, v.reason[s]);
        }
    }
}

static int focusable(const struct ui_tree *t, int i)
{
    const struct ui_widget *w = &t->v[i];
    return w->kind == UI_BUTTON && !w->disabled && w->id[0] &&
           (t->modal_from < 0 || i >= t->modal_from);
}

static void move_focus(struct app *a, int dir)
{
    int n = a->tree.n, i = a->focus;
    for (int k = 0; k < n; k++) {
        i = i < 0 ? (dir > 0 ? 0 : n - 1) : (i + dir + n) % n;
        if (focusable(&a->tree, i)) {
            a->focus = i;
            break;
        }
    }
    a->dirty = 1;
}

/* Escape: the dialog's way out, else the screen's back/finish button. */
static void escape(struct app *a)
{
    static const char *const ids[] = {"dialog.ok", "notice.ok", "timeout.more", "home.done"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct ui_widget *w = ui_find(&a->tree, ids[i]);
        if (w && focusable(&a->tree, (int)(w - a->tree.v))) {
            activate(a, ids[i]);
            return;
        }
    }
}

static void post_text(struct app *a, enum ev_kind kind, const char *text);

/* Return after typed characters: they were a scan (refused whole when it is no code). */
static int typed_scan(struct app *a)
{
    struct ev e = {.kind = EV_SCAN};
    int refused;
    if (!wedge_enter(&a->typed, e.text, sizeof e.text, &refused))
        return 0;
    log_info("app", "keyboard scanner: %zu bytes%s", strlen(e.text), refused ? ", not a code" : "");
    e.i = refused;
    evq_post(a->q, &e);
    sign_wipe(&e, sizeof e);
    return 1;
}

static void key_down(struct app *a, SDL_Keycode k, Uint16 mod)
{
    session_input(a, SI_TOUCH, SVC_LAST, REASON_NONE);
    if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && typed_scan(a))
        return;
    switch (k) {
    case SDLK_TAB:
        move_focus(a, (mod & KMOD_SHIFT) ? -1 : 1);
        break;
    case SDLK_RIGHT:
    case SDLK_DOWN:
        move_focus(a, 1);
        break;
    case SDLK_LEFT:
    case SDLK_UP:
        move_focus(a, -1);
        break;
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
    case SDLK_SPACE:
        if (a->tree.screen[0] && !strcmp(a->tree.screen, "attract") && a->tree.modal_from < 0)
            activate(a, "attract.start");
        else if (a->focus >= 0 && focusable(&a->tree, a->focus))
            activate(a, a->tree.v[a->focus].id);
        break;
    case SDLK_ESCAPE:
        escape(a);
        break;
    default:
        break;
    }
}

static void pointer(struct app *a, int down, int x, int y)
{
    int hit = ui_hit(&a->tree, x, y);
    if (down) /* a touch between: what was typed is not a code */
        wedge_clear(&a->typed);
    if (down) {
        /* Press feedback in the same frame as the touch. */
        a->pressed = hit;
        a->drag_list = ui_list_at(&a->tree, x, y);
        a->drag_y0 = y;
        a->drag_scroll0 = a->drag_list >= 0 ? a->tree.v[a->drag_list].scroll : 0;
        a->dragging = 0;
        session_input(a, SI_TOUCH, SVC_LAST, REASON_NONE);
        if (hit >= 0)
            present(a);
        return;
    }
    int was = a->pressed, dragged = a->dragging;
    a->pressed = -1;
    a->drag_list = -1;
    a->dragging = 0;
    a->dirty = 1;
    if (hit >= 0 && hit == was && !dragged) {
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "%s", a->tree.v[hit].id);
        activate(a, id);
    }
}

/* A finger moving over a list scrolls it (and is then no tap); the wheel does too. */
static void scroll_list(struct app *a, int list, int scroll)
{
    if (list < 0 || list >= a->tree.n || a->tree.v[list].kind != UI_LIST)
        return;
    ui_scroll_to(&a->tree, list, scroll);
    remember_scroll(a, &a->tree.v[list]);
    a->dirty = 1;
}

static void pointer_motion(struct app *a, int y)
{
    if (a->drag_list < 0)
        return;
    int dy = y - a->drag_y0;
    if (!a->dragging && (dy > a->theme.min_target / 4 || dy < -a->theme.min_target / 4)) {
        a->dragging = 1;
        a->pressed = -1; /* a drag, not a tap */
    }
    if (a->dragging) {
        session_input(a, SI_TOUCH, SVC_LAST, REASON_NONE);
        scroll_list(a, a->drag_list, a->drag_scroll0 - dy);
    }
}

static void toast(struct app *a, const char *msgid)
{
    a->toast = msgid;
    a->toast_until_ms = clock_now_ms() + TOAST_MS;
    a->dirty = 1;
}

/* A code scanned outside pay-for-fuel and shop: a product barcode on attract or home starts
 * the shop with it; anything else gets a short word on what to do (never silence). `code`
 * is NULL for a scan that was refused (not a code). */
static void scan_elsewhere(struct app *a, const char *code)
{
    log_info("app", "scan on %s", a->tree.screen);
    if (!code) {
        toast(a, N_("The scanner read something that is not a code. Please scan again."));
        return;
    }
    if (a->sess.state == SESS_ASK_MORE) {
        toast(a, N_("Tap \"Yes, I need more time\" first, then scan again."));
        return;
    }
    if (a->sess.state == SESS_ATTRACT)
        session_input(a, SI_START, SVC_LAST, REASON_NONE);
    if (a->sess.state != SESS_HOME) {
        toast(a, N_("This screen does not read codes."));
        return;
    }
    struct view v;
    make_view(a, &v);
    if (code_ean_valid(code) && v.reason[SVC_SHOP] == REASON_NONE && a->cio) {
        /* what the customer means: buy this item */
        session_input(a, SI_CHOOSE, SVC_SHOP, REASON_NONE);
        struct co_event ce = {.in = CI_SCAN, .text = code, .ok = 1};
        cio_input(a->cio, &ce, clock_now_ms());
    } else if (code_paycode_kind(code) != PAYCODE_INVALID) {
        toast(a, N_("To pay, choose \"Pay for fuel\" and your pump first. Then show your payment code."));
    } else if (code_ean_valid(code)) {
        toast(a, N_("The shop cannot be used at this kiosk now. Please pay at the counter."));
    } else {
        toast(a, N_("Choose \"Pay for fuel\" or \"Shop\" first, then scan your member code or coupon on the bill."));
    }
}

static void handle_device_event(struct app *a, const struct ev *e)
{
    if ((a->cio && cio_event(a->cio, e, clock_now_ms())) ||
        (a->station && station_event(a->station, e))) {
        struct health h;
        station_health(a->station, &h);
        if (memcmp(&h, &a->health, sizeof h) != 0) {
            a->health = h;
            a->dirty = 1; /* tiles say what is available now */
        }
        return;
    }
    switch (e->kind) {
    case EV_QUIT:
        a->quit = 1;
        break;
    case EV_SCAN: {
        int ok = e->i == 0 && code_scan_ok(e->text);
        session_input(a, SI_TOUCH, SVC_LAST, REASON_NONE);
        if (!ok)
            log_warn("app", "scan of %zu bytes refused: not a code", strlen(e->text));
        if (a->cio && a->sess.state == SESS_SERVICE &&
            (a->sess.svc == SVC_FUEL || a->sess.svc == SVC_SHOP)) {
            struct co_event ce = {.in = CI_SCAN, .text = ok ? e->text : "", .ok = ok};
            cio_input(a->cio, &ce, clock_now_ms());
        } else {
            scan_elsewhere(a, ok ? e->text : NULL);
        }
        break;
    }
    case EV_CARD_IN:
    case EV_CARD_OUT:
        session_input(a, SI_TOUCH, SVC_LAST, REASON_NONE);
        log_info("app", "card %s on %s", e->kind == EV_CARD_IN ? "inserted" : "removed",
                 a->tree.screen);
        break;
    case EV_BACKEND:
        backend_result_free(e->ptr);
        return;
    default:
        break;
    }
    free(e->ptr);
}

static void handle_sdl(struct app *a, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT:
        log_info("app", "quit requested");
        a->quit = 1;
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT)
            pointer(a, 1, e->button.x, e->button.y);
        break;
    case SDL_MOUSEBUTTONUP:
        if (e->button.button == SDL_BUTTON_LEFT)
            pointer(a, 0, e->button.x, e->button.y);
        break;
    case SDL_MOUSEMOTION:
        if (e->motion.state & SDL_BUTTON_LMASK)
            pointer_motion(a, e->motion.y);
        break;
    case SDL_MOUSEWHEEL: {
        int mx, my;
        SDL_GetMouseState(&mx, &my);
        int l = ui_list_at(&a->tree, mx, my);
        if (l >= 0) {
            session_input(a, SI_TOUCH, SVC_LAST, REASON_NONE);
            scroll_list(a, l, a->tree.v[l].scroll - e->wheel.y * a->theme.min_target);
        }
        break;
    }
    case SDL_KEYDOWN:
        key_down(a, e->key.keysym.sym, e->key.keysym.mod);
        break;
    case SDL_TEXTINPUT:
        wedge_text(&a->typed, e->text.text);
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
            e->window.event == SDL_WINDOWEVENT_EXPOSED) {
            int w, h;
            SDL_GetRendererOutputSize(a->ren, &w, &h);
            theme_make(&a->theme, a->cfg->theme, a->cfg->large_text, w < h ? w : h);
            a->dirty = 1;
        }
        break;
    default:
        break;
    }
}

static void wake(void *user)
{
    struct app *a = user;
    if (a->own_wait) {
        char b = 1;
        if (write(a->wake_fd[1], &b, 1) < 0 && errno != EAGAIN)
            log_warn("app", "wake pipe: %s", strerror(errno));
        return;
    }
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = a->wake_type;
    SDL_PushEvent(&e);
}

/* ---- scripted sessions ----------------------------------------------------------------- */

static void script_fail(struct app *a, const struct step *st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void script_fail(struct app *a, const struct step *st, const char *fmt, ...)
{
    char why[512], shot[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s:%d: %s\n", a->script.path, st->line, why);
    snprintf(shot, sizeof shot, "fail-line-%d", st->line);
    screenshot(a, shot);
    a->exit_code = 1;
    a->quit = 1;
}

/* Taps a widget the way a finger would: at its centre, through hit testing. A finger waits
 * for the widget to show up and for whatever covers it (a busy overlay while the backend
 * answers) to go away, so a tap that cannot land yet is tried again for up to 5 s.
 * Returns 1 while it is still waiting. */
static int script_tap(struct app *a, const struct step *st)
{
    int waiting = clock_real_ms() - a->step_start_ms < 5000;
    struct ui_widget *w = ui_find(&a->tree, st->arg);
    if (!w) {
        if (!waiting)
            script_fail(a, st, "no widget '%s' on screen '%s'", st->arg, a->tree.screen);
        return waiting;
    }
    int idx = (int)(w - a->tree.v);
    if (w->parent >= 0) {
        ui_scroll_into_view(&a->tree, idx); /* as a finger would scroll to it first */
        remember_scroll(a, &a->tree.v[w->parent]);
    }
    SDL_Rect r;
    if (ui_screen_rect(&a->tree, idx, &r) != 0) {
        if (!waiting)
            script_fail(a, st, "widget '%s' is not visible on screen '%s'", st->arg,
                        a->tree.screen);
        return waiting;
    }
    int hit = ui_hit(&a->tree, r.x + r.w / 2, r.y + r.h / 2);
    if (hit != idx) {
        if (!waiting)
            script_fail(a, st, "widget '%s' cannot be tapped: %s is on top", st->arg,
                        hit >= 0 ? a->tree.v[hit].id : "nothing tappable");
        return waiting;
    }
    pointer(a, 1, r.x + r.w / 2, r.y + r.h / 2);
    pointer(a, 0, r.x + r.w / 2, r.y + r.h / 2);
    return 0;
}

static void post_text(struct app *a, enum ev_kind kind, const char *text)
{
    struct ev e = {.kind = kind};
    snprintf(e.text, sizeof e.text, "%s", text);
    evq_post(a->q, &e);
}

static SDL_Keycode key_by_name(const char *n)
{
    static const struct {
        const char *name;
        SDL_Keycode k;
    } keys[] = {{"Tab", SDLK_TAB},   {"Return", SDLK_RETURN}, {"Escape", SDLK_ESCAPE},
                {"Left", SDLK_LEFT}, {"Right", SDLK_RIGHT},   {"Up", SDLK_UP},
                {"Down", SDLK_DOWN}, {"Space", SDLK_SPACE}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(keys[i].name, n))
            return keys[i].k;
    return SDLK_UNKNOWN;
}

/* Plays the next step. Returns how long the loop may block before the script needs
 * another turn (ms): 0 for the next step at once, more while a step waits. */
static int64_t script_turn(struct app *a)
{
    while (a->step < a->script.n && !a->quit) {
        const struct step *st = &a->script.steps[a->step];
        if (a->dirty)
            present(a);
        if (a->step_start_ms == 0)
            a->step_start_ms = clock_real_ms();
        switch (st->kind) {
        case STEP_TAP:
            if (script_tap(a, st))
                return 5;
            break;
        case STEP_TYPE: {
            /* as the keyboard delivers it: text input events, a few characters each */
            SDL_Event e = {.type = SDL_TEXTINPUT};
            for (size_t o = 0; o < strlen(st->arg); o += 4) {
                snprintf(e.text.text, sizeof e.text.text, "%.4s", st->arg + o);
                handle_sdl(a, &e);
            }
            break;
        }
        case STEP_KEY: {
            SDL_Keycode k = key_by_name(st->arg);
            if (k == SDLK_UNKNOWN) {
                script_fail(a, st, "unknown key '%s'", st->arg);
                break;
            }
            key_down(a, k, 0);
            break;
        }
        case STEP_SCAN:
            post_text(a, EV_SCAN, st->arg);
            break;
        case STEP_CARD_IN:
            post_text(a, EV_CARD_IN, st->arg);
            break;
        case STEP_CARD_OUT:
            post_text(a, EV_CARD_OUT, "");
            break;
        case STEP_WAIT:
            if (strcmp(a->tree.screen, st->arg) != 0) {
                if (clock_real_ms() - a->step_start_ms < st->ms)
                    return 5; /* let the loop run, look again soon */
                script_fail(a, st, "waited for screen '%s', still on '%s'", st->arg,
                            a->tree.screen);
            }
            break;
        case STEP_EXPECT: {
            struct ui_widget *w = ui_find(&a->tree, st->arg);
            if (!w)
                script_fail(a, st, "no widget '%s' on screen '%s'", st->arg, a->tree.screen);
            else if (st->text[0] && !strstr(w->text, st->text) && !strstr(w->sub, st->text))
                script_fail(a, st, "widget '%s' says '%s'", st->arg, w->text);
            break;
        }
        case STEP_AVAILABLE:
        case STEP_AWAIT: {
            struct ui_widget *w = ui_find(&a->tree, st->arg);
            int held = w && (st->kind == STEP_AVAILABLE
                                 ? !(w->unavailable || w->disabled)
                                 : (strstr(w->text, st->text) || strstr(w->sub, st->text)));
            if (!held) {
                if (clock_real_ms() - a->step_start_ms < 15000)
                    return 5; /* devices and the backend answer in their own time */
                script_fail(a, st, "widget '%s' %s after 15 s", st->arg,
                            !w ? "never appeared" : st->kind == STEP_AVAILABLE
                                                        ? "is still unavailable"
                                                        : "never said the text");
            }
            break;
        }
        case STEP_SETTLED:
            if ((a->cio && !cio_idle(a->cio)) ||
                (a->station && station_outbox_pending(a->station) > 0)) {
                if (clock_real_ms() - a->step_start_ms < 15000)
                    return 20;
                script_fail(a, st, "payments, receipts or uploads still open after 15 s");
            }
            break;
        case STEP_ABSENT:
            if (ui_find(&a->tree, st->arg))
                script_fail(a, st, "widget '%s' is on screen '%s'", st->arg, a->tree.screen);
            break;
        case STEP_UNAVAILABLE: {
            struct ui_widget *w = ui_find(&a->tree, st->arg);
            if (!w || !(w->unavailable || w->disabled))
                script_fail(a, st, "widget '%s' is %s", st->arg, w ? "available" : "missing");
            break;
        }
        case STEP_ADVANCE:
            clock_advance_ms(st->ms);
            session_input(a, SI_TICK, SVC_LAST, REASON_NONE);
            break;
        case STEP_PAUSE: {
            int64_t left = st->ms - (clock_real_ms() - a->step_start_ms);
            if (left > 0)
                return left; /* the loop sleeps like an idle kiosk */
            break;
        }
        case STEP_SHOT:
            if (screenshot(a, st->arg) != 0)
                script_fail(a, st, "cannot write screenshot '%s'", st->arg);
            else
                a->shots++;
            break;
        case STEP_SIZE:
            if (video_resize(a, st->w, st->h) != 0)
                script_fail(a, st, "cannot resize to %dx%d", st->w, st->h);
            break;
        case STEP_LAST:
            break;
        }
        a->step++;
        a->step_start_ms = 0;
        if (a->step < a->script.n)
            return 0; /* one step per loop turn: events and effects settle in between */
    }
    if (a->step >= a->script.n && !a->quit) {
        log_info("app", "script %s: all %d steps held", a->script.path, a->script.n);
        a->quit = 1;
    }
    return 0;
}

/* ---- benchmarks ------------------------------------------------------------------------ */

static int cmp_double(const void *x, const void *y)
{
    double d = *(const double *)x - *(const double *)y;
    return (d > 0) - (d < 0);
}

/* Renders the current state n + 1 times: the first frame (text and images not cached yet)
 * is reported on its own; p50/p99 are over the n frames after it. */
static void bench_case(struct app *a, const char *label, int n)
{
    double *ms = calloc((size_t)n + 1, sizeof *ms);
    if (!ms)
        return;
    Uint64 f = SDL_GetPerformanceFrequency();
    for (int i = 0; i <= n; i++) {
        Uint64 t0 = SDL_GetPerformanceCounter();
        a->dirty = 1;
        present(a);
        ms[i] = (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 / (double)f;
    }
    double first = ms[0];
    qsort(ms + 1, (size_t)n, sizeof *ms, cmp_double);
    int w, h;
    SDL_GetRendererOutputSize(a->ren, &w, &h);
    int i99 = (n * 99) / 100;
    printf("render %-12s %4dx%-4d %s first=%6.2fms p50=%5.2fms p99=%5.2fms\n", label, w, h,
           i18n_lang(), first, ms[1 + n / 2], ms[1 + (i99 < n ? i99 : n - 1)]);
    free(ms);
}

static void bench_step(struct checkout *c, struct co_event e)
{
    struct effects fx = {.n = 0};
    checkout_step(c, &e, clock_now_ms(), &fx);
}

/* A driver with a member card and shop goods at pump 1, driven through the flow itself with
 * the backend's answers made up: the bill the checkout screens are drawn from. */
static void bench_sale_flow(struct checkout *c)
{
    static struct co_pump pumps[1] = {{1, 1, {{"S1001", 1, "92#", 45120, 734, 33118, 0}}}};
    static const struct co_config cfg = {.reprint_ms = 180000, .member_prefix = "MQR-"};
    struct co_priced p = {.subtotal_fen = 33718, .total_fen = 16416, .ndiscounts = 4,
                          .points_used = 153, .points_earned = 164, .points_available = 153,
                          .discounts = {{"member", "会员优惠", "Member discount", -902},
                                        {"coupon", "满200减10", "¥10 off ¥200", -1000},
                                        {"coupon", "立减5元", "¥5 off", -500},
                                        {"points", "积分抵扣", "Points", -15300}}};
    struct co_member m = {"M001", "张**", "138****8000", "gold", 2380, 100};
    struct co_coupon cps[2] = {{"C100", "满200减10", "¥10 off ¥200", 1000, 20000, 0, 0},
                               {"C101", "便利店立减5元", "¥5 off shop goods", 500, 0, 0, 0}};
    bench_step(c, (struct co_event){.in = CI_START, .text = "T0001-20261123-000042", .cfg = &cfg});
    bench_step(c, (struct co_event){.in = CI_PUMPS, .pumps = pumps, .npumps = 1});
    bench_step(c, (struct co_event){.in = CI_PICK_PUMP});
    bench_step(c, (struct co_event){.in = CI_LOCKED});
    bench_step(c, (struct co_event){.in = CI_PRICED, .priced = &p});
    bench_step(c, (struct co_event){.in = CI_SCAN, .text = "6920000010004", .ok = 1});
    bench_step(c, (struct co_event){.in = CI_PRODUCT, .text = "农夫山泉 550ml",
                                    .text2 = "Nongfu Spring water 550ml", .amount = 200});
    bench_step(c, (struct co_event){.in = CI_PRICED, .priced = &p});
    bench_step(c, (struct co_event){.in = CI_SCAN, .text = "MQR-7F3A91", .ok = 1});
    bench_step(c, (struct co_event){.in = CI_MEMBER, .member = &m, .coupons = cps, .ncoupons = 2});
    bench_step(c, (struct co_event){.in = CI_PRICED, .priced = &p});
}

/* The pay-for-fuel screens of sale `c`: the bill, the member page, the QR, paid. */
static void bench_checkout(struct app *a, int n, const struct checkout *c)
{
    struct checkout k = *c;
    a->bench_co = &k;
    a->sess.state = SESS_SERVICE;
    a->sess.svc = SVC_FUEL;
    bench_case(a, "bill", n);
    bench_step(&k, (struct co_event){.in = CI_OPEN_MEMBER});
    bench_case(a, "member", n);
    k = *c;
    bench_step(&k, (struct co_event){.in = CI_PAY_QR, .text = "wechat"});
    bench_step(&k, (struct co_event){.in = CI_PRINTER, .ok = 1});
    bench_step(&k, (struct co_event){.in = CI_PAYMENT, .call = CALL_PAY, .text = "CREATED",
                                     .text2 = "weixin://wxpay/bizpayurl?pr=T0001-P1"});
    bench_case(a, "pay_qr", n);
    struct effects fx = {.n = 0}; /* the next poll asks, and hears it is paid */
    checkout_step(&k, &(struct co_event){.in = CI_TICK}, checkout_deadline(&k), &fx);
    bench_step(&k, (struct co_event){.in = CI_PAYMENT, .call = CALL_QUERY, .text = "PAID"});
    bench_step(&k, (struct co_event){.in = CI_COMPLETED});
    bench_step(&k, (struct co_event){.in = CI_PRINTED, .ok = 1});
    bench_case(a, "done", n);
    a->bench_co = NULL;
}

static void bench_render(struct app *a, int n)
{
    static const int sizes[2][2] = {{1080, 1920}, {1920, 1080}};
    static struct checkout sale;
    bench_sale_flow(&sale);
    for (int s = 0; s < 2; s++) {
        if (video_resize(a, sizes[s][0], sizes[s][1]) != 0)
            return;
        for (int l = 0; l < i18n_count(); l++) {
            i18n_set_lang(i18n_lang_at(l));
            int64_t now = clock_now_ms();
            session_init(&a->sess, a->cfg->idle_s * 1000, a->cfg->idle_prompt_s * 1000,
                         a->cfg->attract_slide_s * 1000, a->slides.n, now);
            for (int k = 0; k < (a->slides.n ? a->slides.n : 1); k++) {
                char label[32];
                a->sess.slide = k;
                snprintf(label, sizeof label, "attract.%d", k + 1);
                bench_case(a, label, n);
            }
            a->sess.state = SESS_HOME;
            bench_case(a, "home", n);
            a->explain_open = 1;
            a->explain_svc = SVC_CARD;
            a->explain_reason = REASON_CARD_READER;
            bench_case(a, "home+dialog", n);
            a->explain_open = 0;
            a->sess.state = SESS_ASK_MORE;
            a->sess.resume = SESS_HOME;
            a->sess.ask_deadline_ms = clock_now_ms() + 25000;
            bench_case(a, "more_time", n);
            bench_checkout(a, n, &sale);
        }
    }
    printf("text cache %zu KiB\n", text_cache_bytes(a->text) / 1024);
}

/* A sale as busy as receipts get: fuel, two items, four discounts, a member. */
static void bench_sale(struct sale_record *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->txn_no, sizeof r->txn_no, "T0001-20261123-000042");
    snprintf(r->invoice_token, sizeof r->invoice_token, "abcdefghijkmnpqrstuvwxy");
    r->paid_unix = 1795392000;
    r->has_fuel = 1;
    r->pump = 3;
    snprintf(r->grade, sizeof r->grade, "92#");
    r->volume_ml = 45120, r->price_fen = 734, r->fuel_fen = 33118;
    r->nitems = 2;
    r->items[0] = (struct co_item){"6920000010004", "农夫山泉 550ml", "Nongfu Spring water 550ml", 200, 2};
    r->items[1] = (struct co_item){"6920000010370", "红牛 250ml", "Red Bull 250ml", 600, 1};
    r->ndiscounts = 4;
    r->discounts[0] = (struct co_discount){"member", "会员优惠", "Member discount", -902};
    r->discounts[1] = (struct co_discount){"coupon", "满200减10", "¥10 off ¥200", -1000};
    r->discounts[2] = (struct co_discount){"coupon", "立减5元", "¥5 off", -500};
    r->discounts[3] = (struct co_discount){"points", "积分抵扣", "Points", -15300};
    r->subtotal_fen = 34118, r->total_fen = 16416, r->points_used = 153, r->points_earned = 164;
    snprintf(r->member_phone, sizeof r->member_phone, "138****8000");
    snprintf(r->member_level, sizeof r->member_level, "gold");
    snprintf(r->channel, sizeof r->channel, "wechat");
    snprintf(r->mode, sizeof r->mode, "micropay");
    snprintf(r->code_masked, sizeof r->code_masked, "1345**********1234");
}

/* Draws a full sale receipt and encodes it as ESC/POS, n times; prints p50/p99. */
static void bench_receipt(struct app *a, int n)
{
    double *ms = calloc((size_t)n, sizeof *ms);
    if (!ms)
        return;
    struct sale_record r;
    bench_sale(&r);
    Uint64 f = SDL_GetPerformanceFrequency();
    size_t bytes = 0;
    int height = 0;
    for (int i = 0; i < n; i++) {
        Uint64 t0 = SDL_GetPerformanceCounter();
        struct slip *s = receipt_sale(a->text, a->cfg, i18n_lang(), &r, 0);
        const struct bitmap *b = s ? slip_bitmap(s) : NULL;
        uint8_t *data = b ? escpos_encode(b, 256, &bytes) : NULL;
        ms[i] = (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 / (double)f;
        height = b ? b->height : 0;
        free(data);
        slip_destroy(s);
    }
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    int i99 = (n * 99) / 100;
    printf("receipt (sale: fuel, 2 items, 4 discounts, member; %d dots wide, %d rows, %zu bytes "
           "ESC/POS): draw + encode p50=%.2fms p99=%.2fms   [target <= 20 ms]\n",
           a->cfg->printer_width_dots, height, bytes, ms[n / 2], ms[i99 < n ? i99 : n - 1]);
    free(ms);
}

/* ---- the loop -------------------------------------------------------------------------- */

static int64_t min64(int64_t x, int64_t y)
{
    return x < y ? x : y;
}

/* Checkout timers and print results; a payment in flight keeps the session alive; the
 * flow's end takes the customer home. */
static void checkout_turn(struct app *a, int64_t now)
{
    cio_tick(a->cio, now);
    if (checkout_busy(cio_flow(a->cio)))
        session_input(a, SI_TOUCH, SVC_LAST, REASON_NONE);
    if (cio_take_redraw(a->cio))
        a->dirty = 1;
    if (cio_take_home(a->cio))
        session_input(a, SI_HOME, SVC_LAST, REASON_NONE);
}

static void loop(struct app *a)
{
    int64_t script_wait = 0;
    while (!a->quit) {
        int scripted = a->o->script && a->step < a->script.n;
        int64_t now = clock_now_ms();
        if (a->station)
            a->station_next_ms = station_tick(a->station, now);
        if (a->cio)
            checkout_turn(a, now);
        int64_t until = min64(session_deadline(&a->sess), a->station ? a->station_next_ms : INT64_MAX);
        if (a->cio)
            until = min64(until, cio_deadline(a->cio));
        if (a->next_tick_ms)
            until = min64(until, a->next_tick_ms);
        if (a->toast && a->toast_until_ms > now)
            until = min64(until, a->toast_until_ms);
        int64_t wait = until == INT64_MAX ? 60000 : until - now;
        if (a->dirty || wait < 0)
            wait = 0;
        if (scripted)
            wait = min64(wait, script_wait);
        SDL_Event e;
        if (a->own_wait) {
            /* SDL would poll every millisecond here; block on the wake pipe instead. */
            struct pollfd pfd = {a->wake_fd[0], POLLIN, 0};
            if (poll(&pfd, 1, (int)min64(wait, 60000)) > 0) {
                char buf[64];
                while (read(a->wake_fd[0], buf, sizeof buf) > 0)
                    ;
            }
            while (SDL_PollEvent(&e))
                handle_sdl(a, &e);
        } else if (SDL_WaitEventTimeout(&e, (int)min64(wait, 60000))) {
            do {
                if (e.type != a->wake_type)
                    handle_sdl(a, &e);
            } while (SDL_PollEvent(&e));
        }
        struct ev dev;
        while (evq_pop(a->q, &dev)) {
            handle_device_event(a, &dev);
            sign_wipe(&dev, sizeof dev); /* scanned codes do not linger on the stack */
        }
        if (a->cio)
            checkout_turn(a, clock_now_ms());
        now = clock_now_ms();
        if (a->toast && now >= a->toast_until_ms) {
            a->toast = NULL; /* its time is over */
            a->dirty = 1;
        }
        if (now >= session_deadline(&a->sess))
            session_input(a, SI_TICK, SVC_LAST, REASON_NONE);
        if (a->next_tick_ms && now >= a->next_tick_ms) {
            a->dirty = 1;
            if (a->sess.state == SESS_ASK_MORE)
                session_input(a, SI_TICK, SVC_LAST, REASON_NONE);
        }
        if (a->dirty)
            present(a);
        if (a->o->bench_first_frame && a->frames > 0) {
            printf("first-frame\n");
            fflush(stdout);
            a->quit = 1;
        }
        if (a->o->script && !a->quit)
            script_wait = script_turn(a);
    }
}

/* On the way out (SIGTERM, a script's end): the customer's sale is let go as at the end of a
 * session (its lock released, a payment in flight settled in the background), and the
 * station system gets a few seconds to hear of it. What does not finish in time waits in
 * the journal for the next start. */
static void shutdown_drain(struct app *a)
{
    if (!a->cio)
        return;
    cio_abandon(a->cio, clock_now_ms());
    int64_t until = clock_real_ms() + SHUTDOWN_DRAIN_MS;
    while (cio_settling(a->cio) && clock_real_ms() < until) {
        struct ev e;
        while (evq_pop(a->q, &e))
            handle_device_event(a, &e);
        cio_tick(a->cio, clock_now_ms());
        struct timespec d = {0, 20 * 1000000L};
        nanosleep(&d, NULL);
    }
    if (cio_settling(a->cio))
        log_warn("app", "stopping with work unfinished: the next start takes it up");
}

/* mkdir -p: creates `path` and any missing parents. 0 or -1 with errno set. */
static int make_dirs(const char *path)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int app_run(const struct app_options *o)
{
    struct app app;
    struct app *a = &app;
    char err[512];
    int rc = 2;
    memset(a, 0, sizeof *a);
    a->o = o;
    a->cfg = &o->cfg;
    a->pressed = a->focus = a->drag_list = -1;

    if (o->script && script_load(&a->script, o->script, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err);
        return 2;
    }
    if (o->out_dir && make_dirs(o->out_dir) != 0) {
        fprintf(stderr, "kiosk: %s: cannot create output folder: %s\n", o->out_dir,
                strerror(errno));
        goto end;
    }
    if (i18n_init(a->cfg->locale_dir, a->cfg->languages, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err);
        goto end;
    }
    char manifest[768];
    snprintf(manifest, sizeof manifest, "%s/ads/slides.ini", a->cfg->assets_dir);
    if (slides_load(&a->slides, manifest, a->cfg->assets_dir, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err);
        goto end;
    }
    if (o->headless) {
        /* Plain memory framebuffer and the software renderer: without these hints SDL
         * would back the window surface with Mesa's software OpenGL, three times slower. */
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    }
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        fprintf(stderr, "kiosk: cannot start video: %s\n", SDL_GetError());
        goto end;
    }
    a->wake_type = SDL_RegisterEvents(1);
    /* Drivers that can block in SDL_WaitEventTimeout (x11, wayland) get SDL's wait; with the
     * others the loop blocks in poll() on a pipe and only wakes for work. Input on such
     * drivers is limited to what arrives through the event queue (headless runs). */
    const char *drv = SDL_GetCurrentVideoDriver();
    a->own_wait = drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy"));
    a->wake_fd[0] = a->wake_fd[1] = -1;
    if (a->own_wait && (pipe(a->wake_fd) != 0 || fcntl(a->wake_fd[0], F_SETFL, O_NONBLOCK) != 0 ||
                        fcntl(a->wake_fd[1], F_SETFL, O_NONBLOCK) != 0)) {
        fprintf(stderr, "kiosk: cannot create wake pipe: %s\n", strerror(errno));
        goto end_sdl;
    }
    a->q = evq_create(256);
    if (!a->q) {
        fprintf(stderr, "kiosk: out of memory\n");
        goto end_sdl;
    }
    evq_set_wake(a->q, wake, a);
    int w = a->cfg->width ? a->cfg->width : 1080, h = a->cfg->height ? a->cfg->height : 1920;
    if (o->windowed && !a->cfg->width)
        w = 540, h = 960;
    if (video_open(a, w, h, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err);
        goto end_video;
    }
    session_init(&a->sess, a->cfg->idle_s * 1000, a->cfg->idle_prompt_s * 1000,
                 a->cfg->attract_slide_s * 1000, a->slides.n, clock_now_ms());
    if (!o->bench_render && !o->bench_first_frame && !o->bench_receipt) {
        a->station = station_open(a->cfg, a->q, err, sizeof err);
        if (!a->station) {
            fprintf(stderr, "kiosk: %s\n", err);
            goto end_video;
        }
        station_health(a->station, &a->health);
        a->cio = cio_create(a->station, a->cfg, &a->text);
        if (a->cio)
            cio_recover(a->cio);
        if (a->cfg->printer_test_on_start) {
            struct slip *slip = receipt_test_slip(a->text, a->cfg, i18n_lang(),
                                                  (long long)clock_wall_s());
            if (!slip || station_print(a->station, slip_bitmap(slip), "printer test") < 0)
                log_warn("app", "printer test slip not printed: no printer");
            slip_destroy(slip);
        }
    }
    a->dirty = 1;
    log_info("app", "started: %dx%d, %s, %d slides", w, h, i18n_lang(), a->slides.n);

    if (o->bench_render > 0 || o->bench_receipt > 0) {
        if (o->bench_render > 0)
            bench_render(a, o->bench_render);
        if (o->bench_receipt > 0)
            bench_receipt(a, o->bench_receipt);
        rc = 0;
    } else {
        loop(a);
        rc = a->exit_code;
        shutdown_drain(a);
    }
    if (a->shots && rc == 0)
        printf("%d screenshots written to %s\n", a->shots, o->out_dir ? o->out_dir : ".");

end_video:
    cio_destroy(a->cio);
    station_close(a->station);
    /* the station's threads are stopped: what they posted after the last turn is freed */
    struct ev left;
    while (a->q && evq_pop(a->q, &left)) {
        if (left.kind == EV_BACKEND)
            backend_result_free(left.ptr);
        else
            free(left.ptr);
    }
    video_close(a);
    evq_destroy(a->q);
    for (int i = 0; i < 2; i++)
        if (a->wake_fd[i] >= 0)
            close(a->wake_fd[i]);
end_sdl:
    SDL_Quit();
end:
    script_free(&a->script);
    i18n_shutdown();
    return rc;
}
