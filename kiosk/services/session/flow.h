/* The customer session: attract loop -> home menu -> a service, the "why is this tile
 * unavailable" dialog, the inactivity prompt ("need more time?") and the return to attract
 * with the customer's data wiped. Pure state machine: inputs in, state and effects out;
 * times are passed in. Tiles are the host's, by index. */
#ifndef SESSION_FLOW_H
#define SESSION_FLOW_H

#include <stdint.h>

#include "core/effect.h"
#include "core/health.h"

enum sess_state {
    SESS_ATTRACT,  /* idle: slideshow, touch anywhere to start */
    SESS_HOME,     /* home menu of services */
    SESS_SERVICE,  /* inside a service flow */
    SESS_ASK_MORE, /* "need more time?" over the screen the customer left */
    SESS_LAST
};

enum sess_input {
    SI_TOUCH,     /* any customer input (keeps the session alive) */
    SI_START,     /* tap on attract */
    SI_CHOOSE,    /* tile `tile` tapped; its availability in `reason` */
    SI_DISMISS,   /* the explain dialog's OK */
    SI_HOME,      /* back to the home menu (flow finished or cancelled) */
    SI_SWITCH,    /* the customer's service handed them to tile `tile`'s service */
    SI_MORE_TIME, /* "yes, more time" */
    SI_END,       /* "no, finish" / cancel the session */
    SI_TICK,      /* time passed: check timers */
    SI_LAST
};

/* At most this many slides (a manifest's [slide1] .. [slide8]). */
#define SESS_SLIDES_MAX 8

struct sess_event {
    enum sess_input in;
    int tile;
    enum svc_reason reason;
};

struct sess_flow {
    enum sess_state state;
    enum sess_state resume;   /* where "more time" returns to */
    int tile;                 /* the tile whose service runs in SESS_SERVICE */
    int explain;              /* the tile whose "why unavailable" dialog is open, or -1 */
    enum svc_reason explain_reason;
    int64_t last_input_ms;
    int64_t ask_deadline_ms;
    int64_t slide_next_ms;
    int64_t slide_since_ms;   /* when the slide on screen began (attract) */
    int slide, nslides;
    int idle_ms, prompt_ms, slide_ms;
    int slide_each_ms[SESS_SLIDES_MAX]; /* how long each slide stays */
};

/* A slide that left the attract screen: which, when it began and for how long it was shown
 * (kiosk clock), and whether a customer ended it (the attract screen gave way to the home
 * menu) rather than the next slide. */
struct sess_play {
    int slide;
    int64_t since_ms, shown_ms;
    int interrupted;
};

/* Starts in SESS_ATTRACT at time now, each of the nslides slides shown for slide_ms.
 * Durations in milliseconds. */
void sess_init(struct sess_flow *s, int idle_ms, int prompt_ms, int slide_ms, int nslides,
                  int64_t now);
/* A new slideshow of n slides (at most SESS_SLIDES_MAX), slide i shown for ms[i] (0: the
 * slide_ms sess_init was given); on attract it starts again at its first slide, at now. The
 * attract screen turns its slides even with one or none, so that each showing is a round of
 * its own. */
void sess_set_slides(struct sess_flow *s, int n, const int *ms, int64_t now);
/* Feeds one input at time now; appends effects to out: EFF_REDRAW, EFF_ENTER_SERVICE (i =
 * the tile), EFF_DISCARD (the customer's data goes). */
void sess_step(struct sess_flow *s, const struct sess_event *e, int64_t now, struct effects *out);
/* 1 when the step from `was` to `s` (at now) took a slide off the attract screen: *out says
 * which. */
int sess_played(const struct sess_flow *was, const struct sess_flow *s, int64_t now,
                struct sess_play *out);
/* 1 when the step from `was` to `s` put a slide on the attract screen (the next one, or the
 * first when the session returned to attract); a new round of slides when s->slide is 0. */
int sess_slide_began(const struct sess_flow *was, const struct sess_flow *s);
/* When the session next needs an SI_TICK, or INT64_MAX. */
int64_t sess_deadline(const struct sess_flow *s);
/* Seconds left to answer the prompt (for the countdown), 0 when not asking. */
int sess_prompt_left_s(const struct sess_flow *s, int64_t now);
const char *sess_state_name(enum sess_state st);

#endif
