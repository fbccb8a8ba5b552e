#include "flow.h"

#include <stddef.h>

#include "core/log.h"

static const char *const names[SESS_LAST] = {"attract", "home", "service", "ask_more"};

const char *sess_state_name(enum sess_state st)
{
    return st < SESS_LAST ? names[st] : "?";
}

/* Every state change goes through here, logged old -> new. */
static void set_state(struct sess_flow *s, enum sess_state st, struct effects *out)
{
    if (s->state != st)
        log_info("session", "%s -> %s", names[s->state], names[st]);
    s->state = st;
    effects_add(out, EFF_REDRAW, 0, NULL);
}

/* How long slide i stays on screen. */
static int slide_len(const struct sess_flow *s, int i)
{
    return i < SESS_SLIDES_MAX && s->slide_each_ms[i] > 0 ? s->slide_each_ms[i] : s->slide_ms;
}

/* Slide i goes on the attract screen at now. */
static void show_slide(struct sess_flow *s, int i, int64_t now)
{
    s->slide = i;
    s->slide_since_ms = now;
    s->slide_next_ms = now + slide_len(s, i);
}

void sess_init(struct sess_flow *s, int idle_ms, int prompt_ms, int slide_ms, int nslides,
                  int64_t now)
{
    *s = (struct sess_flow){0};
    s->state = SESS_ATTRACT;
    s->idle_ms = idle_ms;
    s->prompt_ms = prompt_ms;
    s->slide_ms = slide_ms;
    s->nslides = nslides;
    s->last_input_ms = now;
    s->explain = -1;
    show_slide(s, 0, now);
}

void sess_set_slides(struct sess_flow *s, int n, const int *ms, int64_t now)
{
    s->nslides = n < SESS_SLIDES_MAX ? n : SESS_SLIDES_MAX;
    for (int i = 0; i < SESS_SLIDES_MAX; i++)
        s->slide_each_ms[i] = i < s->nslides && ms[i] > 0 ? ms[i] : 0;
    if (s->state == SESS_ATTRACT)
        show_slide(s, 0, now);
}

static void to_attract(struct sess_flow *s, int64_t now, struct effects *out)
{
    effects_add(out, EFF_DISCARD, 0, NULL);
    s->explain = -1;
    show_slide(s, 0, now);
    set_state(s, SESS_ATTRACT, out);
}

void sess_step(struct sess_flow *s, const struct sess_event *e, int64_t now, struct effects *out)
{
    switch (e->in) {
    case SI_TOUCH:
        if (s->state != SESS_ASK_MORE)
            s->last_input_ms = now;
        break;
    case SI_START:
        if (s->state == SESS_ATTRACT) {
            s->last_input_ms = now;
            set_state(s, SESS_HOME, out);
        }
        break;
    case SI_CHOOSE:
        if (s->state != SESS_HOME || s->explain >= 0)
            break;
        s->last_input_ms = now;
        if (e->reason != REASON_NONE) {
            s->explain = e->tile; /* say why, before anyone starts */
            s->explain_reason = e->reason;
            effects_add(out, EFF_REDRAW, 0, NULL);
            break;
        }
        s->tile = e->tile;
        effects_add(out, EFF_ENTER_SERVICE, e->tile, NULL);
        set_state(s, SESS_SERVICE, out);
        break;
    case SI_DISMISS:
        if (s->explain >= 0) {
            s->explain = -1;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case SI_SWITCH:
        if (s->state == SESS_SERVICE) {
            s->last_input_ms = now;
            s->tile = e->tile;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case SI_HOME:
        if (s->state == SESS_SERVICE || s->state == SESS_ASK_MORE) {
            s->last_input_ms = now;
            effects_add(out, EFF_DISCARD, 0, NULL);
            set_state(s, SESS_HOME, out);
        }
        break;
    case SI_MORE_TIME:
        if (s->state == SESS_ASK_MORE) {
            s->last_input_ms = now;
            set_state(s, s->resume, out);
        }
        break;
    case SI_END:
        if (s->state != SESS_ATTRACT)
            to_attract(s, now, out);
        break;
    case SI_TICK:
        if (s->state == SESS_ATTRACT && now >= s->slide_next_ms) {
            show_slide(s, s->nslides > 1 ? (s->slide + 1) % s->nslides : 0, now);
            if (s->nslides > 1)
                effects_add(out, EFF_REDRAW, 0, NULL);
        } else if ((s->state == SESS_HOME || s->state == SESS_SERVICE) &&
                   now - s->last_input_ms >= s->idle_ms) {
            s->resume = s->state;
            s->ask_deadline_ms = now + s->prompt_ms;
            set_state(s, SESS_ASK_MORE, out);
        } else if (s->state == SESS_ASK_MORE && now >= s->ask_deadline_ms) {
            log_info("session", "no answer to the inactivity prompt: session ended");
            to_attract(s, now, out);
        } else if (s->state == SESS_ASK_MORE) {
            effects_add(out, EFF_REDRAW, 0, NULL); /* the countdown moved */
        }
        break;
    case SI_LAST:
        break;
    }
}

int64_t sess_deadline(const struct sess_flow *s)
{
    switch (s->state) {
    case SESS_ATTRACT:
        return s->slide_next_ms;
    case SESS_HOME:
    case SESS_SERVICE:
        return s->last_input_ms + s->idle_ms;
    case SESS_ASK_MORE:
        return s->ask_deadline_ms;
    case SESS_LAST:
        break;
    }
    return INT64_MAX;
}

int sess_played(const struct sess_flow *was, const struct sess_flow *s, int64_t now,
                struct sess_play *out)
{
    if (was->state != SESS_ATTRACT || was->nslides < 1 ||
        (s->state == SESS_ATTRACT && s->slide_since_ms == was->slide_since_ms))
        return 0;
    *out = (struct sess_play){was->slide, was->slide_since_ms, now - was->slide_since_ms,
                              s->state != SESS_ATTRACT};
    return 1;
}

int sess_slide_began(const struct sess_flow *was, const struct sess_flow *s)
{
    return s->state == SESS_ATTRACT &&
           (was->state != SESS_ATTRACT || was->slide_since_ms != s->slide_since_ms);
}

int sess_prompt_left_s(const struct sess_flow *s, int64_t now)
{
    if (s->state != SESS_ASK_MORE)
        return 0;
    int64_t left = s->ask_deadline_ms - now;
    return left <= 0 ? 0 : (int)((left + 999) / 1000);
}
