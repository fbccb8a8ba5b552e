/* Input: a tap lands on the widget under the finger (pressed feedback in the same frame), a
 * finger moving over a list scrolls it, keys move a focus ring (Tab, arrows) and press the
 * focused widget (Return, Space), Escape takes the way out the screen offers, and what a
 * code scanner in keyboard mode types becomes a scan. Every input keeps the customer's
 * session alive. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/evq.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/sign.h"
#include "internal.h"

void host_remember_scroll(struct host *a, const struct ui_widget *l)
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
    /* through a copy: the widget may live in the host's own tree (gcc -O3 -Wrestrict) */
    char id[sizeof a->scrolls[0].id];
    snprintf(id, sizeof id, "%s", l->id);
    memcpy(a->scrolls[free_slot].id, id, sizeof id);
    a->scrolls[free_slot].scroll = l->scroll;
    a->scrolls[free_slot].content_h = l->content_h;
}

void host_restore_scrolls(struct host *a)
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
        host_remember_scroll(a, l);
    }
}

void host_activate(struct host *a, const char *id)
{
    int64_t now = clock_now_ms();
    log_debug("host", "activate %s on %s", id, a->tree.screen);
    host_services_touch(a, now);
    a->toast = NULL; /* the customer has acted: the hint has done its work */
    if (!strcmp(id, "lang.toggle")) {
        i18n_cycle();
        a->dirty = 1;
    } else if (!strcmp(id, "sound.toggle")) {
        voice_set_on(a->voice, !voice_on(a->voice));
        if (voice_on(a->voice))
            host_say_again(a); /* what this screen says, at once */
        a->dirty = 1;
    } else if (!host_services_tap(a, id, now)) {
        log_debug("host", "%s: nobody's widget", id);
    }
}

static int focusable(const struct ui_tree *t, int i)
{
    const struct ui_widget *w = &t->v[i];
    return w->kind == UI_BUTTON && !w->disabled && w->id[0] &&
           (t->modal_from < 0 || i >= t->modal_from);
}

static void move_focus(struct host *a, int dir)
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

/* The widget a key takes when nothing has the focus: Escape the way out (the topmost one:
 * a dialog's before the screen's), Return the screen's default. -1 when none. */
static int keyed(struct host *a, int escape)
{
    for (int i = a->tree.n - 1; i >= 0; i--) {
        const struct ui_widget *w = &a->tree.v[i];
        if ((escape ? w->on_escape : w->on_enter) && focusable(&a->tree, i))
            return i;
    }
    return -1;
}

static void activate_index(struct host *a, int i)
{
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "%s", a->tree.v[i].id);
    host_activate(a, id);
}

/* Return after typed characters: they were a scan (refused whole when it is no code). */
static int typed_scan(struct host *a)
{
    int keyboard = a->link ? hub_keyboard(link_hub(a->link)) : -1;
    struct ev e = {.kind = EV_SCAN, .j = keyboard};
    int refused;
    if (keyboard < 0 || !wedge_enter(&a->typed, e.text, sizeof e.text, &refused)) {
        wedge_clear(&a->typed); /* this kiosk has no keyboard scanner: typing is not a scan */
        return 0;
    }
    e.i = refused;
    evq_post(a->q, &e);
    sign_wipe(&e, sizeof e);
    return 1;
}

void host_key(struct host *a, SDL_Keycode k, Uint16 mod)
{
    host_services_touch(a, clock_now_ms());
    if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && typed_scan(a))
        return;
    int i;
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
        if (a->focus >= 0 && a->focus < a->tree.n && focusable(&a->tree, a->focus))
            activate_index(a, a->focus);
        else if ((i = keyed(a, 0)) >= 0)
            activate_index(a, i);
        break;
    case SDLK_ESCAPE:
        if ((i = keyed(a, 1)) >= 0)
            activate_index(a, i);
        break;
    default:
        break;
    }
}

void host_text_input(struct host *a, const char *text)
{
    wedge_text(&a->typed, text);
}

void host_pointer(struct host *a, int down, int x, int y)
{
    int hit = ui_hit(&a->tree, x, y);
    if (down) {
        wedge_clear(&a->typed); /* a touch between: what was typed is not a code */
        /* Press feedback in the same frame as the touch. */
        a->pressed = hit;
        a->drag_list = ui_list_at(&a->tree, x, y);
        a->drag_y0 = y;
        a->drag_scroll0 = a->drag_list >= 0 ? a->tree.v[a->drag_list].scroll : 0;
        a->dragging = 0;
        a->hold_id[0] = 0;
        if (hit >= 0 && a->tree.v[hit].hold_ms > 0) {
            snprintf(a->hold_id, sizeof a->hold_id, "%s", a->tree.v[hit].id);
            a->hold_at = clock_now_ms() + a->tree.v[hit].hold_ms;
        }
        host_services_touch(a, clock_now_ms());
        if (hit >= 0) {
            voice_click(a->voice);
            host_present(a);
        }
        return;
    }
    int was = a->pressed, dragged = a->dragging;
    a->pressed = -1;
    a->hold_id[0] = 0; /* let go before its time: a long press's widget ignores a tap */
    a->drag_list = -1;
    a->dragging = 0;
    a->dirty = 1;
    if (hit >= 0 && hit == was && !dragged && a->tree.v[hit].hold_ms == 0)
        activate_index(a, hit);
}

int host_hold_due(struct host *a, int64_t now)
{
    if (!a->hold_id[0] || now < a->hold_at)
        return 0;
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "%s", a->hold_id);
    a->hold_id[0] = 0;
    a->pressed = -1;
    log_info("host", "%s held", id);
    host_activate(a, id);
    return 1;
}

/* A finger moving over a list scrolls it (and is then no tap); the wheel does too. */
static void scroll_list(struct host *a, int list, int scroll)
{
    if (list < 0 || list >= a->tree.n || a->tree.v[list].kind != UI_LIST)
        return;
    ui_scroll_to(&a->tree, list, scroll);
    host_remember_scroll(a, &a->tree.v[list]);
    a->dirty = 1;
}

void host_pointer_motion(struct host *a, int y)
{
    if (a->drag_list < 0)
        return;
    int dy = y - a->drag_y0;
    if (!a->dragging && (dy > a->theme.min_target / 4 || dy < -a->theme.min_target / 4)) {
        a->dragging = 1;
        a->pressed = -1; /* a drag, not a tap */
        a->hold_id[0] = 0;
    }
    if (a->dragging) {
        host_services_touch(a, clock_now_ms());
        scroll_list(a, a->drag_list, a->drag_scroll0 - dy);
    }
}

void host_wheel(struct host *a, int x, int y, int dy)
{
    int l = ui_list_at(&a->tree, x, y);
    if (l >= 0) {
        host_services_touch(a, clock_now_ms());
        scroll_list(a, l, a->tree.v[l].scroll - dy * a->theme.min_target);
    }
}
