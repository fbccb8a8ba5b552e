/* Scripted sessions: a script's steps played against the running kiosk, one a loop turn,
 * as a customer would (taps land through hit testing, scans come through the event queue),
 * with checks on what the screen shows. A failing step writes a screenshot and ends the run
 * with exit code 1. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/evq.h"
#include "core/log.h"
#include "internal.h"

static void script_fail(struct host *a, const struct step *st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void script_fail(struct host *a, const struct step *st, const char *fmt, ...)
{
    char why[512], shot[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s:%d: %s\n", a->script.path, st->line, why);
    snprintf(shot, sizeof shot, "fail-line-%d", st->line);
    host_screenshot(a, shot);
    a->exit_code = 1;
    a->quit = 1;
}

/* Taps a widget the way a finger would: at its centre, through hit testing. A finger waits
 * for the widget to show up and for whatever covers it (a busy overlay while the backend
 * answers) to go away, so a tap that cannot land yet is tried again for up to 5 s.
 * Returns 1 while it is still waiting. */
/* A tap, or a press held as long as the widget asks (hold): the kiosk's clock moves on
 * meanwhile. */
static int script_tap(struct host *a, const struct step *st, int hold)
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
        host_remember_scroll(a, &a->tree.v[w->parent]);
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
    if (hold && w->hold_ms <= 0) {
        script_fail(a, st, "widget '%s' takes a tap, not a long press", st->arg);
        return 0;
    }
    if (!hold && w->hold_ms > 0) {
        script_fail(a, st, "widget '%s' takes a long press (hold), not a tap", st->arg);
        return 0;
    }
    int hold_ms = w->hold_ms; /* the press may draw a new tree */
    host_pointer(a, 1, r.x + r.w / 2, r.y + r.h / 2);
    if (hold) {
        clock_advance_ms(hold_ms);
        host_hold_due(a, clock_now_ms());
    }
    host_pointer(a, 0, r.x + r.w / 2, r.y + r.h / 2);
    return 0;
}

static void post_text(struct host *a, enum ev_kind kind, const char *text)
{
    struct ev e = {.kind = kind, .j = -1}; /* a scan from no scanner: the script */
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
int64_t host_play(struct host *a)
{
    while (a->step < a->script.n && !a->quit) {
        const struct step *st = &a->script.steps[a->step];
        if (a->dirty)
            host_present(a);
        if (a->step_start_ms == 0)
            a->step_start_ms = clock_real_ms();
        switch (st->kind) {
        case STEP_TAP:
        case STEP_HOLD:
            if (script_tap(a, st, st->kind == STEP_HOLD))
                return 5;
            break;
        case STEP_TYPE: {
            /* as the keyboard delivers it: text input events, a few characters each */
            char chunk[8];
            for (size_t o = 0; o < strlen(st->arg); o += 4) {
                snprintf(chunk, sizeof chunk, "%.4s", st->arg + o);
                host_text_input(a, chunk);
            }
            break;
        }
        case STEP_KEY: {
            SDL_Keycode k = key_by_name(st->arg);
            if (k == SDLK_UNKNOWN) {
                script_fail(a, st, "unknown key '%s'", st->arg);
                break;
            }
            host_key(a, k, 0);
            break;
        }
        case STEP_SCAN:
            post_text(a, EV_SCAN, st->arg);
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
            if (!host_services_idle(a)) {
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
            host_services_turn(a, clock_now_ms());
            break;
        case STEP_PAUSE: {
            int64_t left = st->ms - (clock_real_ms() - a->step_start_ms);
            if (left > 0)
                return left; /* the loop sleeps like an idle kiosk */
            break;
        }
        case STEP_SHOT:
            if (host_screenshot(a, st->arg) != 0)
                script_fail(a, st, "cannot write screenshot '%s'", st->arg);
            else
                a->shots++;
            break;
        case STEP_SIZE:
            if (host_video_resize(a, st->w, st->h) != 0)
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
        log_info("host", "script %s: all %d steps held", a->script.path, a->script.n);
        a->quit = 1;
    }
    return 0;
}

