/* The host's loop: it waits (SDL_WaitEventTimeout, or poll() on a wake pipe when the
 * video driver cannot block) until input, an event from another thread or the next
 * deadline of a service or the link, lets the services and the link take their turn, and
 * draws only when something changed. Start-up opens the services' configuration, the
 * window, the link and the services; the way out lets the customer's sale go as at the end
 * of a session and gives the station system a few seconds to hear of it. */
#include "host/host.h"

#include <SDL.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/sign.h"
#include "host/shot.h"
#include "internal.h"
#include "notify.h"
#include "ui/slip.h"
#include "ui/text.h"

#define SHUTDOWN_DRAIN_MS 3000

/* The screen's prompt, when it is not the one said last or the language changed: a new
 * screen's prompt cuts the one playing, a rebuild of the same screen does not repeat it, a
 * screen with none cuts it. */
static void speak(struct host *a)
{
    const char *p = a->tree.prompt ? a->tree.prompt : "", *lang = i18n_lang();
    if (!strcmp(p, a->said) && !strcmp(lang, a->said_lang))
        return;
    snprintf(a->said, sizeof a->said, "%s", p);
    snprintf(a->said_lang, sizeof a->said_lang, "%s", lang);
    voice_say(a->voice, *p ? p : NULL, lang);
}

void host_say_again(struct host *a)
{
    a->said[0] = a->said_lang[0] = '\0';
    a->dirty = 1;
}

static void rebuild(struct host *a)
{
    int w, h;
    SDL_GetRendererOutputSize(a->ren, &w, &h);
    a->tree.w = w;
    a->tree.h = h;
    host_services_build(a, &a->tree);
    host_restore_scrolls(a);
    speak(a);
    if (a->tree.overflow)
        log_error("host", "screen %s has more than %d widgets", a->tree.screen, UI_MAX_WIDGETS);
    if (a->focus >= a->tree.n)
        a->focus = -1;
}

/* UI_LIVE's source: the camera's newest frame. */
static int live_frame(void *user, uint8_t *pixels, int maxw, int maxh, int *w, int *h)
{
    struct host *a = user;
    struct scan_frame f = {0};
    if (!a->link || !hub_preview(link_hub(a->link), pixels, maxw, maxh, &f))
        return 0;
    *w = f.w, *h = f.h;
    return 1;
}

static void draw(struct host *a)
{
    struct ui_render_ctx c = {a->ren, &a->theme, a->text, a->cfg.assets_dir, a->pressed,
                              a->focus, clock_now_ms(), live_frame, a};
    ui_render(&c, &a->tree);
}

void host_present(struct host *a)
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
int host_screenshot(struct host *a, const char *name)
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
        log_info("host", "screenshot %s", path);
    return rc;
}

/* ---- video set-up ---------------------------------------------------------------------- */

static void video_close(struct host *a)
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

static int video_open(struct host *a, int w, int h, char *err, size_t errcap)
{
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (!a->o->headless && !a->o->windowed && a->cfg.fullscreen)
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
    log_info("host", "video %s, renderer %s, %dx%d", SDL_GetCurrentVideoDriver(), info.name, ow, oh);
    if (theme_make(&a->theme, a->cfg.theme, a->cfg.large_text, ow < oh ? ow : oh) != 0) {
        snprintf(err, errcap, "unknown theme '%s'", a->cfg.theme);
        return -1;
    }
    a->text = text_create(a->ren, a->cfg.font, a->cfg.font_family, err, errcap);
    if (!a->text)
        return -1;
    a->dirty = 1;
    return 0;
}

/* Resizes the window (scripts, orientation changes). The renderer follows the window; if
 * it does not, everything is opened again at the new size. */
int host_video_resize(struct host *a, int w, int h)
{
    char err[256];
    int ow, oh;
    SDL_SetWindowSize(a->win, w, h);
    SDL_PumpEvents();
    SDL_GetRendererOutputSize(a->ren, &ow, &oh);
    if (ow == w && oh == h) {
        theme_make(&a->theme, a->cfg.theme, a->cfg.large_text, w < h ? w : h);
        a->dirty = 1;
        return 0;
    }
    video_close(a);
    if (video_open(a, w, h, err, sizeof err) != 0) {
        log_error("host", "%s", err);
        return -1;
    }
    return 0;
}

void host_handle_sdl(struct host *a, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT:
        log_info("host", "quit requested");
        a->quit = 1;
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT)
            host_pointer(a, 1, e->button.x, e->button.y);
        break;
    case SDL_MOUSEBUTTONUP:
        if (e->button.button == SDL_BUTTON_LEFT)
            host_pointer(a, 0, e->button.x, e->button.y);
        break;
    case SDL_MOUSEMOTION:
        if (e->motion.state & SDL_BUTTON_LMASK)
            host_pointer_motion(a, e->motion.y);
        break;
    case SDL_MOUSEWHEEL: {
        int mx, my;
        SDL_GetMouseState(&mx, &my);
        host_wheel(a, mx, my, e->wheel.y);
        break;
    }
    case SDL_KEYDOWN:
        host_key(a, e->key.keysym.sym, e->key.keysym.mod);
        break;
    case SDL_TEXTINPUT:
        host_text_input(a, e->text.text);
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
            e->window.event == SDL_WINDOWEVENT_EXPOSED) {
            int w, h;
            SDL_GetRendererOutputSize(a->ren, &w, &h);
            theme_make(&a->theme, a->cfg.theme, a->cfg.large_text, w < h ? w : h);
            a->dirty = 1;
        }
        break;
    default:
        break;
    }
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

static void wake(void *user)
{
    struct host *a = user;
    if (a->own_wait) {
        char b = 1;
        if (write(a->wake_fd[1], &b, 1) < 0 && errno != EAGAIN)
            log_warn("host", "wake pipe: %s", strerror(errno));
        return;
    }
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = a->wake_type;
    SDL_PushEvent(&e);
}

static int64_t min64(int64_t x, int64_t y)
{
    return x < y ? x : y;
}

static void drain_events(struct host *a)
{
    struct ev dev;
    while (evq_pop(a->q, &dev)) {
        host_services_event(a, &dev);
        sign_wipe(&dev, sizeof dev); /* scanned codes do not linger on the stack */
    }
}

static void count_turn(struct host *a, int ms)
{
    a->turn_ms[ms < HOST_TURN_HIST - 1 ? ms : HOST_TURN_HIST - 1]++;
    a->turns++;
    if (ms > a->longest_turn_ms)
        a->longest_turn_ms = ms;
}

/* The turn below which `pct` percent of turns ended, in ms. */
static int turn_percentile(const struct host *a, int pct)
{
    long want = ((long)a->turns * pct + 99) / 100, seen = 0;
    for (int i = 0; i < HOST_TURN_HIST; i++)
        if ((seen += a->turn_ms[i]) >= want)
            return i;
    return HOST_TURN_HIST - 1;
}

static void loop(struct host *a)
{
    int64_t script_wait = 0;
    while (!a->quit) {
        int scripted = a->o->script && a->step < a->script.n;
        int64_t now = clock_now_ms();
        host_hold_due(a, now);
        host_services_turn(a, now);
        int64_t until = host_services_deadline(a);
        if (a->hold_id[0])
            until = min64(until, a->hold_at);
        if (a->next_tick_ms)
            until = min64(until, a->next_tick_ms);
        if (a->toast && a->toast_until_ms > now)
            until = min64(until, a->toast_until_ms);
        int64_t real = clock_real_ms(), fed = notify_watchdog(real);
        int64_t wait = until == INT64_MAX ? 60000 : until - now;
        if (fed != INT64_MAX)
            wait = min64(wait, fed - real);
        if (a->dirty || wait < 0)
            wait = 0;
        if (scripted)
            wait = min64(wait, script_wait);
        SDL_Event e;
        Uint64 work0;
        int warm = a->frames > 0;
        if (a->own_wait) {
            /* SDL would poll every millisecond here; block on the wake pipe instead. */
            struct pollfd pfd = {a->wake_fd[0], POLLIN, 0};
            if (poll(&pfd, 1, (int)min64(wait, 60000)) > 0) {
                char buf[64];
                while (read(a->wake_fd[0], buf, sizeof buf) > 0)
                    ;
            }
            work0 = SDL_GetPerformanceCounter();
            while (SDL_PollEvent(&e))
                host_handle_sdl(a, &e);
        } else if (SDL_WaitEventTimeout(&e, (int)min64(wait, 60000))) {
            work0 = SDL_GetPerformanceCounter();
            do {
                if (e.type != a->wake_type)
                    host_handle_sdl(a, &e);
            } while (SDL_PollEvent(&e));
        } else {
            work0 = SDL_GetPerformanceCounter();
        }
        drain_events(a);
        now = clock_now_ms();
        host_services_turn(a, now);
        if (a->toast && now >= a->toast_until_ms) {
            a->toast = NULL; /* its time is over */
            a->dirty = 1;
        }
        if (a->next_tick_ms && now >= a->next_tick_ms)
            a->dirty = 1;
        if (a->dirty) {
            host_present(a);
            if (a->frames == 1) {
                log_info("host", "first frame");
                notify_ready();
            }
        }
        if (a->o->script && !a->quit)
            script_wait = host_play(a);
        if (warm) /* the first frame (fonts, images) is cold start's, not a stall */
            count_turn(a, (int)((SDL_GetPerformanceCounter() - work0) * 1000 /
                                SDL_GetPerformanceFrequency()));
    }
}

/* On the way out (SIGTERM, a script's end): the customer's sale is let go as at the end of a
 * session (its lock released, a payment in flight settled in the background), and the
 * station system gets a few seconds to hear of it. What does not finish in time waits in
 * the journal for the next start. */
static void shutdown_drain(struct host *a)
{
    host_services_leave(a, clock_now_ms());
    int64_t until = clock_real_ms() + SHUTDOWN_DRAIN_MS;
    while (!host_services_idle(a) && clock_real_ms() < until) {
        drain_events(a);
        host_services_turn(a, clock_now_ms());
        struct timespec d = {0, 20 * 1000000L};
        nanosleep(&d, NULL);
    }
    if (!host_services_idle(a))
        log_warn("host", "stopping with work unfinished: the next start takes it up");
}

/* The printer test slip, when configured: at start, before any customer. */
static void print_test_slip(struct host *a)
{
    struct slip *slip = slip_test(a->text, &a->cfg, i18n_lang(), (long long)clock_wall_s());
    if (!slip || !a->link || hub_print(link_hub(a->link), slip_bitmap(slip), "printer test") < 0)
        log_warn("host", "printer test slip not printed: no printer");
    slip_destroy(slip);
}

int host_run(const struct host_options *o, const struct service_def *const *registry)
{
    static struct host host; /* large (the widget tree): not on the stack */
    struct host *a = &host;
    char err[512];
    int rc = 2;
    memset(a, 0, sizeof *a);
    a->o = o;
    /* The worker threads (journal, backend, printer) share two malloc arenas instead of one
     * each: pages an arena has touched stay in RSS for the life of the process. */
    mallopt(M_ARENA_MAX, 2);
    a->pressed = a->focus = a->drag_list = -1;
    a->started_real_ms = clock_real_ms();
    notify_open();
    a->touched_ms = clock_now_ms();
    a->wake_fd[0] = a->wake_fd[1] = -1;

    if (host_services_open(a, registry, o, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: config: %s\n", err);
        goto end;
    }
    if (o->script && script_load(&a->script, o->script, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err);
        goto end;
    }
    if (o->out_dir && make_dirs(o->out_dir) != 0) {
        fprintf(stderr, "kiosk: %s: cannot create output folder: %s\n", o->out_dir,
                strerror(errno));
        goto end;
    }
    if (i18n_init(a->cfg.locale_dir, a->cfg.languages, err, sizeof err) != 0) {
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
    int w = a->cfg.width ? a->cfg.width : 1080, h = a->cfg.height ? a->cfg.height : 1920;
    if (o->windowed && !a->cfg.width)
        w = 540, h = 960;
    if (video_open(a, w, h, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err);
        goto end_video;
    }
    /* no sound card is no error: the kiosk is silent */
    a->voice = voice_open(&a->voice_cfg, a->cfg.assets_dir, o->headless);
    a->link = link_open(&a->cfg, &a->devices, a->q, err, sizeof err);
    if (!a->link) {
        fprintf(stderr, "kiosk: %s\n", err);
        goto end_video;
    }
    link_health(a->link, &a->health);
    host_services_start(a);
    if (hub_printer_test_on_start(link_hub(a->link)) && !a->quit)
        print_test_slip(a);
    a->dirty = 1;
    log_info("host", "started: %dx%d, %s, %d services", w, h, i18n_lang(), a->nsvc);
    if (!a->quit) {
        loop(a);
        log_info("host", "%d turns: the UI thread worked p50 %d ms, p99 %d ms, longest %d ms",
                 a->turns, turn_percentile(a, 50), turn_percentile(a, 99), a->longest_turn_ms);
        notify_stopping();
        shutdown_drain(a);
    }
    rc = a->restart && !a->exit_code ? a->restart : a->exit_code;
    if (a->shots && rc == 0)
        printf("%d screenshots written to %s\n", a->shots, o->out_dir ? o->out_dir : ".");

end_video:
    /* the link's threads stop first (the journal writes what is queued), then what they
     * posted after the last turn is freed, then the services whose writes they were */
    link_close(a->link);
    a->link = NULL;
    struct ev left;
    while (a->q && evq_pop(a->q, &left)) {
        if (left.kind == EV_BACKEND)
            backend_result_free(left.ptr);
        else
            free(left.ptr);
    }
    host_services_close(a);
    voice_close(a->voice);
    a->voice = NULL;
    video_close(a);
    evq_destroy(a->q);
    for (int i = 0; i < 2; i++)
        if (a->wake_fd[i] >= 0)
            close(a->wake_fd[i]);
end_sdl:
    SDL_Quit();
end:
    host_services_close(a);
    script_free(&a->script);
    i18n_shutdown();
    return rc;
}
