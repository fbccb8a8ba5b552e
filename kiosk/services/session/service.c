/* The session as a service of the host: the frame. It runs the session flow (flow.c) on
 * the host's input, asks the host for the home menu's tiles, starts the customer's service
 * and takes them home when it ends; the attract screen shows what operations pushed, and
 * every slide of a pushed playlist it shows leaves a proof of play (ads.c). */
#include <stdio.h>
#include <string.h>

#include "ads.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/i18n.h"
#include "core/log.h"
#include "flow.h"
#include "screens.h"
#include "session/service.h"

#define TILES_MAX 16

struct sess_config {
    int attract_slide_s, idle_s, idle_prompt_s;
};

struct sess {
    struct host_svc *h;
    const struct sess_config *cfg;
    struct sess_flow s;
    struct ads ads;
    int64_t card_until;  /* a card put on whose tile could not be chosen: tried again until
                          * then (a kiosk that starts with a card on its reader knows the
                          * station system's health only after the first heartbeat) ... */
    int64_t card_next;   /* ... next at this time */
};

#define CARD_RETRY_MS 10000
#define CARD_RETRY_EVERY_MS 250

static const struct cfg_option options[] = {
    CFG_INT_OPT(struct sess_config, "session", "attract_slide_s", attract_slide_s, "6", 2, 600,
                "seconds per attract slide, unless the slide gives its own"),
    CFG_INT_OPT(struct sess_config, "session", "idle_s", idle_s, "60", 10, 3600,
                "idle seconds before asking"),
    CFG_INT_OPT(struct sess_config, "session", "idle_prompt_s", idle_prompt_s, "30", 20, 600,
                "seconds the inactivity prompt waits"),
    {0},
};

static void run(struct sess *p, const struct effects *fx, int64_t now)
{
    for (int i = 0; i < fx->n; i++) {
        const struct effect *e = &fx->v[i];
        switch (e->kind) {
        case EFF_REDRAW:
            host_redraw(p->h);
            break;
        case EFF_DISCARD:
            host_discard(p->h, now);
            break;
        case EFF_ENTER_SERVICE:
            host_enter(p->h, (int)e->i, now);
            break;
        default:
            break;
        }
    }
}

/* The slides on screen go to the flow, the show starting again at its first. */
static void set_slides(struct sess *p, int64_t now)
{
    int ms[SESS_SLIDES_MAX];
    ads_durations(&p->ads, ms);
    sess_set_slides(&p->s, ads_slides(&p->ads)->n, ms, now);
}

/* A step of the flow, and what it did to the attract screen: a slide that left it has its
 * proof of play; at a new round of slides what operations pushed is read again. */
static void input(struct sess *p, enum sess_input in, int tile, enum svc_reason r, int64_t now)
{
    struct effects fx = {.n = 0};
    struct sess_event ev = {in, tile, r};
    struct sess_flow was = p->s;
    struct sess_play played;
    sess_step(&p->s, &ev, now, &fx);
    if (sess_played(&was, &p->s, now, &played))
        ads_played(&p->ads, &played);
    if (sess_slide_began(&was, &p->s)) {
        if (p->s.slide == 0 && ads_refresh(&p->ads)) {
            set_slides(p, now);
            host_redraw(p->h);
        }
        ads_began(&p->ads);
    }
    run(p, &fx, now);
}

static int sess_open(void *priv, struct host_svc *h, const void *cfg, char *err, size_t errcap)
{
    struct sess *p = priv;
    int64_t now = clock_now_ms();
    p->h = h;
    p->cfg = cfg;
    if (ads_open(&p->ads, h, err, errcap) != 0)
        return -1;
    sess_init(&p->s, p->cfg->idle_s * 1000, p->cfg->idle_prompt_s * 1000,
                 p->cfg->attract_slide_s * 1000, 0, now);
    set_slides(p, now);
    ads_began(&p->ads);
    log_info("session", "%d slides", ads_slides(&p->ads)->n);
    return 0;
}

static void sess_result(void *priv, const struct host_result *r, int64_t now)
{
    struct sess *p = priv;
    (void)now;
    ads_result(&p->ads, r);
}

static int sess_idle(const void *priv)
{
    const struct sess *p = priv;
    return ads_idle(&p->ads);
}

static int find_tile(struct sess *p, const char *key, struct host_tile *out)
{
    for (int i = 0; i < host_tile_count(p->h); i++) {
        host_tile_at(p->h, i, out);
        if (!strcmp(out->tile->key, key) && !out->tile->door)
            return i;
    }
    return -1;
}

/* The tile behind the frame's gesture `door`, or -1. */
static int door_tile(struct sess *p, const char *door, struct host_tile *out)
{
    for (int i = 0; i < host_tile_count(p->h); i++) {
        host_tile_at(p->h, i, out);
        if (out->tile->door && !strcmp(out->tile->door, door))
            return i;
    }
    return -1;
}

static int sess_tap(void *priv, const char *id, int64_t now)
{
    struct sess *p = priv;
    struct host_tile ht;
    if (!strcmp(id, "attract.start")) {
        input(p, SI_START, 0, REASON_NONE, now);
    } else if (!strcmp(id, "dialog.ok")) {
        input(p, SI_DISMISS, 0, REASON_NONE, now);
    } else if (!strcmp(id, "home.done") || !strcmp(id, "timeout.end")) {
        input(p, SI_END, 0, REASON_NONE, now);
    } else if (!strcmp(id, "timeout.more")) {
        input(p, SI_MORE_TIME, 0, REASON_NONE, now);
    } else if (!strcmp(id, "hdr.station")) {
        int i = door_tile(p, TILE_DOOR_HOLD, &ht);
        if (i < 0 || p->s.state != SESS_HOME)
            return 1; /* nobody behind the door: nothing happens */
        if (p->s.explain >= 0)
            input(p, SI_DISMISS, 0, REASON_NONE, now);
        input(p, SI_CHOOSE, i, ht.reason, now);
    } else if (!strncmp(id, "home.", 5)) {
        int i = find_tile(p, id + 5, &ht);
        if (i < 0)
            return 0;
        input(p, SI_CHOOSE, i, ht.reason, now);
    } else {
        return 0;
    }
    return 1;
}

/* A code scanned outside the customer's service: on attract or home a code that starts a
 * service (a product barcode: the shop) starts it with the code; anything else gets a short
 * word on what to do (never silence). */
static int sess_scan(void *priv, const char *code, int ok, int64_t now)
{
    struct sess *p = priv;
    if (p->s.state == SESS_SERVICE)
        return 0; /* the customer's service takes it */
    if (!ok) {
        host_toast(p->h, N_("The scanner read something that is not a code. Please scan again."));
        return 1;
    }
    if (p->s.state == SESS_ASK_MORE) {
        host_toast(p->h, N_("Tap \"Yes, I need more time\" first, then scan again."));
        return 1;
    }
    if (p->s.state == SESS_ATTRACT)
        input(p, SI_START, 0, REASON_NONE, now);
    if (p->s.state != SESS_HOME || p->s.explain >= 0) {
        host_toast(p->h, N_("This screen does not read codes."));
        return 1;
    }
    int tile = host_start_with(p->h, code);
    if (tile >= 0) { /* what the customer means: this service, with this code */
        input(p, SI_CHOOSE, tile, REASON_NONE, now);
        host_scan(p->h, code, 1, now);
        return 1;
    }
    const char *hint = host_scan_hint(p->h, code);
    host_toast(p->h, hint ? hint : N_("This screen does not read codes."));
    return 1;
}

static int sess_active(const void *priv)
{
    const struct sess *p = priv;
    struct host_tile ht;
    int shown = p->s.state == SESS_SERVICE ||
                (p->s.state == SESS_ASK_MORE && p->s.resume == SESS_SERVICE);
    if (!shown || p->s.tile >= host_tile_count(p->h))
        return -1;
    host_tile_at(p->h, p->s.tile, &ht);
    return ht.service;
}

/* A card put on the reader outside the customer's service starts a session, as a scan on
 * attract does, and the service whose tile starts with a card is entered and given the
 * card; when that tile cannot be chosen now, the home menu says why, as for a tap. A card
 * is put on on purpose: over the frame's own screens it also answers "need more time?" and
 * closes the "why unavailable" dialog. A card taken off here concerns nobody. */
static int sess_card(void *priv, int present, int64_t now)
{
    struct sess *p = priv;
    if (sess_active(p) >= 0)
        return 0; /* the customer's service takes it (also under the prompt) */
    if (!present) {
        p->card_until = 0;
        return 1;
    }
    if (p->s.state == SESS_ASK_MORE)
        input(p, SI_MORE_TIME, 0, REASON_NONE, now);
    if (p->s.state == SESS_ATTRACT)
        input(p, SI_START, 0, REASON_NONE, now);
    if (p->s.state != SESS_HOME)
        return 1;
    if (p->s.explain >= 0)
        input(p, SI_DISMISS, 0, REASON_NONE, now);
    enum svc_reason why = REASON_NONE;
    int tile = host_card_start(p->h, &why);
    if (tile < 0)
        return 1; /* nothing here takes a card */
    input(p, SI_CHOOSE, tile, why, now);
    if (why == REASON_NONE)
        host_card(p->h, 1, now);
    p->card_until = why == REASON_NONE ? 0 : now + CARD_RETRY_MS;
    p->card_next = now + CARD_RETRY_EVERY_MS;
    return 1;
}

/* The card put on while its tile could not be chosen is still there, and now it can be:
 * its service starts as if the card had just been put on. */
static void card_again(struct sess *p, int64_t now)
{
    enum svc_reason why = REASON_NONE;
    p->card_next = now + CARD_RETRY_EVERY_MS;
    if (now >= p->card_until || sess_active(p) >= 0 || !host_card_present(p->h)) {
        p->card_until = 0; /* too late, taken off, or the customer went somewhere else */
        return;
    }
    if (p->s.state != SESS_HOME)
        return;
    int tile = host_card_start(p->h, &why);
    if (tile < 0 || why != REASON_NONE)
        return;
    p->card_until = 0;
    if (p->s.explain >= 0)
        input(p, SI_DISMISS, 0, REASON_NONE, now);
    input(p, SI_CHOOSE, tile, why, now);
    host_card(p->h, 1, now);
}

static void sess_service_done(void *priv, int64_t now)
{
    input(priv, SI_HOME, 0, REASON_NONE, now);
}

static void sess_switch(void *priv, int tile, int64_t now)
{
    input(priv, SI_SWITCH, tile, REASON_NONE, now);
}

static void sess_touch(void *priv, int64_t now)
{
    input(priv, SI_TOUCH, 0, REASON_NONE, now);
}

static void sess_tick(void *priv, int64_t now)
{
    struct sess *p = priv;
    if (p->card_until && now >= p->card_next)
        card_again(p, now);
    if (now >= sess_deadline(&p->s))
        input(p, SI_TICK, 0, REASON_NONE, now);
}

static int64_t sess_due(const void *priv)
{
    const struct sess *p = priv;
    int64_t d = sess_deadline(&p->s);
    return p->card_until && p->card_next < d ? p->card_next : d;
}

struct build_ctx {
    struct host_svc *h;
    const struct view *v;
};

static void build_active(void *ctx, struct ui_tree *t, const struct theme *th)
{
    struct build_ctx *b = ctx;
    host_build_active(b->h, t, th, b->v);
}

static void build_overlays(void *ctx, struct ui_tree *t, const struct theme *th)
{
    struct build_ctx *b = ctx;
    host_build_overlays(b->h, t, th, b->v);
}

static void sess_build_screen(const void *priv, struct ui_tree *t, const struct theme *th,
                              const struct view *v)
{
    const struct sess *p = priv;
    struct home_tile tiles[TILES_MAX];
    struct sess_view sv;
    memset(&sv, 0, sizeof sv);
    sv.base = *v;
    sv.s = &p->s;
    const struct slides *sl = ads_slides(&p->ads);
    sv.nslides = sl->n;
    sv.prices = ads_prices(&p->ads);
    if (sl->n > 0) {
        int i = p->s.slide % sl->n;
        sv.slide.image = sl->v[i].path;
        sv.slide.bg = sl->v[i].bg;
        sv.slide.title = slides_title(sl, i, v->lang);
        sv.slide.subtitle = slides_subtitle(sl, i, v->lang);
    } else {
        sv.slide.title = _("Welcome");
        sv.slide.subtitle = "";
    }
    int n = host_tile_count(p->h);
    for (int i = 0; i < n && i < TILES_MAX; i++) {
        struct host_tile ht;
        host_tile_at(p->h, i, &ht);
        tiles[i] = (struct home_tile){ht.tile->key, ht.tile->title, ht.tile->blurb,
                                      ht.tile->icon, ht.reason, ht.tile->door != NULL};
    }
    sv.tiles = tiles;
    sv.ntiles = n < TILES_MAX ? n : TILES_MAX;
    sv.prompt_left_s = sess_prompt_left_s(&p->s, v->now_ms);
    sv.prompt_total_s = p->cfg->idle_prompt_s;
    struct build_ctx ctx = {p->h, v};
    sv.build_active = build_active;
    sv.build_overlays = build_overlays;
    sv.ctx = &ctx;
    sess_build(t, th, &sv);
}

static const struct frame_hooks frame = {
    .active = sess_active,
    .service_done = sess_service_done,
    .switch_to = sess_switch,
    .scan = sess_scan,
    .touch = sess_touch,
    .card = sess_card,
};

const struct service_def session_service = {
    .name = "session",
    .frame = &frame,
    .priv_size = sizeof(struct sess),
    .options = options,
    .config_size = sizeof(struct sess_config),
    .open = sess_open,
    .tap = sess_tap,
    .result = sess_result,
    .tick = sess_tick,
    .deadline = sess_due,
    .build = sess_build_screen,
    .idle = sess_idle,
};
