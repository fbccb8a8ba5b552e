/* The registry at run time: the services' configuration, their hooks called from the loop,
 * and everything a service may ask of the host (service.h). Results go back to the service
 * that asked, by the owner byte of a call's or a write's tag (LINK_OWNERS + its index), or
 * by the print job's, printer check's or card APDU's number. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "core/clock.h"
#include "core/codes.h"
#include "core/file.h"
#include "core/i18n.h"
#include "core/log.h"
#include "idcard/idcard.h"
#include "internal.h"
#include "journal/worker.h"
#include "ui/chrome.h"
#include "ui/slip.h"

#define TOAST_MS 6000
#define CONFIG_PUSHED_MAX (64 * 1024) /* the pushed configuration, at most */

static const struct frame_hooks *frame_of(struct host *a)
{
    return a->svc[a->frame].def->frame;
}

static void *frame_priv(struct host *a)
{
    return a->svc[a->frame].priv;
}

static int64_t owner_of(struct host_svc *h)
{
    return LINK_OWNERS + h->index;
}

/* ---- configuration and start ------------------------------------------------------------- */

/* "section.key=value" from --set. */
static int apply_set(const struct config_tables *t, const char *arg, char *err, size_t errcap)
{
    char buf[700], why[400];
    snprintf(buf, sizeof buf, "%s", arg);
    /* the key is after the last dot: a device's section has one of its own (scanner.front) */
    char *eq = strchr(buf, '='), *dot = NULL;
    if (eq) {
        *eq = '\0';
        dot = strrchr(buf, '.');
    }
    if (!dot) {
        snprintf(err, errcap, "--set %s: expected section.key=value", arg);
        return -1;
    }
    *dot = '\0';
    if (config_tables_set(t, buf, dot + 1, eq + 1, why, sizeof why) != 0) {
        snprintf(err, errcap, "--set: %s", why);
        return -1;
    }
    return 0;
}

/* Where the configuration is read into: the host's own blocks, or scratch copies of them
 * (host_config_check()). */
struct cfg_blocks {
    struct kiosk_config *cfg;
    void *svc[HOST_SERVICES_MAX];
    int *enabled;
    struct voice_config *voice;
    struct hub_config *devices;
};

static int apply_sets(const struct config_tables *t, const struct host_options *o, char *err,
                      size_t errcap)
{
    for (int i = 0; i < o->nsets; i++)
        if (apply_set(t, o->sets[i], err, errcap) != 0)
            return -1;
    return 0;
}

/* The kiosk's own keys, each service's, and an on/off switch in [services] for every tile,
 * from the file, then the pushed keys (`pushed`, or the remote_config file the file or
 * --set names), then --set (again: they win). */
static int load_blocks(struct host *a, const struct cfg_blocks *b, const char *pushed,
                       char *err, size_t errcap)
{
    struct config_tables t;
    config_tables_init(&t, b->cfg);
    for (int i = 0; i < a->nsvc; i++)
        if (a->svc[i].def->options)
            config_tables_add(&t, a->svc[i].def->options, b->svc[i]);
    config_tables_add(&t, a->tile_options, b->enabled);
    config_tables_add(&t, voice_options, b->voice);
    hub_config_init(b->devices);
    hub_config_tables(b->devices, &t);
    const struct host_options *o = a->o;
    if (o->config_path) {
        if (config_tables_load(&t, o->config_path, err, errcap) != 0)
            return -1;
    } else {
        config_tables_defaults(&t);
    }
    if (apply_sets(&t, o, err, errcap) != 0)
        return -1;
    char *file = NULL;
    if (!pushed && b->cfg->remote_config[0]) {
        size_t n = 0;
        file = file_slurp(b->cfg->remote_config, CONFIG_PUSHED_MAX, &n);
        if (!file && errno != ENOENT)
            log_warn("host", "%s: cannot read pushed config (%s): the file's config alone",
                     b->cfg->remote_config, strerror(errno));
        pushed = file;
    }
    int rc = pushed ? config_tables_merge(&t, pushed, file ? b->cfg->remote_config : "pushed",
                                          err, errcap)
                    : 0;
    int from_file = file != NULL;
    free(file);
    if (rc != 0 && from_file) {
        /* A pushed file that no longer reads (the installed file changed under it) must not
         * keep the kiosk from starting: the installed configuration alone, and say so. */
        log_error("host", "pushed configuration ignored: %s", err);
        return load_blocks(a, b, "", err, errcap);
    }
    if (rc != 0)
        return -1;
    return pushed ? apply_sets(&t, o, err, errcap) : 0;
}

static int read_config(struct host *a, char *err, size_t errcap)
{
    for (int i = 0; i < a->ntiles; i++) {
        const struct service_tile *ti = &a->svc[a->tiles[i].svc].def->tiles[a->tiles[i].tile];
        snprintf(a->tile_help[i], sizeof a->tile_help[i], "offer \"%s\"", ti->title);
        a->tile_options[i] = (struct cfg_option){"services", ti->key, CFG_BOOL,
                                                 sizeof(int) * (size_t)i, sizeof(int), "true",
                                                 0, 1, NULL, a->tile_help[i]};
    }
    a->tile_options[a->ntiles] = (struct cfg_option){0};
    struct cfg_blocks b = {.cfg = &a->cfg, .enabled = a->enabled, .voice = &a->voice_cfg,
                           .devices = &a->devices};
    for (int i = 0; i < a->nsvc; i++)
        b.svc[i] = a->svc[i].cfg;
    if (load_blocks(a, &b, NULL, err, errcap) != 0)
        return -1;
    a->cfg.paper_width_dots = hub_config_paper_width(&a->devices);
    /* the home menu keeps the tiles of this kiosk's site (their switches were read) */
    unsigned site = !strcmp(a->cfg.site, "depot") ? SITE_DEPOT : SITE_FORECOURT;
    int n = 0;
    for (int i = 0; i < a->ntiles; i++) {
        const struct service_tile *ti = &a->svc[a->tiles[i].svc].def->tiles[a->tiles[i].tile];
        if (!(ti->sites & site))
            continue;
        a->tiles[n] = a->tiles[i];
        a->enabled[n] = a->enabled[i];
        n++;
    }
    a->ntiles = n;
    return 0;
}

int host_services_open(struct host *a, const struct service_def *const *registry,
                       const struct host_options *o, char *err, size_t errcap)
{
    a->frame = -1;
    a->entered = -1;
    for (int i = 0; registry[i]; i++) {
        const struct service_def *d = registry[i];
        if (a->nsvc == HOST_SERVICES_MAX) {
            snprintf(err, errcap, "more than %d services", HOST_SERVICES_MAX);
            return -1;
        }
        struct slot *s = &a->svc[a->nsvc];
        s->def = d;
        s->h = (struct host_svc){a, a->nsvc};
        s->priv = calloc(1, d->priv_size ? d->priv_size : 1);
        s->cfg = calloc(1, d->config_size ? d->config_size : 1);
        if (!s->priv || !s->cfg) {
            snprintf(err, errcap, "out of memory");
            return -1;
        }
        if (d->frame) {
            if (a->frame >= 0) {
                snprintf(err, errcap, "two frames: %s and %s", a->svc[a->frame].def->name,
                         d->name);
                return -1;
            }
            a->frame = a->nsvc;
        }
        for (int k = 0; d->tiles && d->tiles[k].key; k++) {
            if (a->ntiles == HOST_TILES_MAX) {
                snprintf(err, errcap, "more than %d tiles", HOST_TILES_MAX);
                return -1;
            }
            a->tiles[a->ntiles].svc = a->nsvc;
            a->tiles[a->ntiles].tile = k;
            a->ntiles++;
        }
        a->nsvc++;
    }
    if (a->frame < 0) {
        snprintf(err, errcap, "no frame among the services (the session)");
        return -1;
    }
    a->o = o;
    return read_config(a, err, errcap);
}

int host_config_check(struct host_svc *h, const char *text, char *err, size_t errcap)
{
    struct host *a = h->host;
    struct kiosk_config cfg;
    struct voice_config voice;
    int enabled[HOST_TILES_MAX];
    struct hub_config *devices = calloc(1, sizeof *devices);
    struct cfg_blocks b = {.cfg = &cfg, .enabled = enabled, .voice = &voice, .devices = devices};
    int rc = devices ? 0 : -1;
    for (int i = 0; i < a->nsvc && rc == 0; i++)
        if (!(b.svc[i] = calloc(1, a->svc[i].def->config_size ? a->svc[i].def->config_size : 1)))
            rc = -1;
    if (rc != 0)
        snprintf(err, errcap, "out of memory");
    else
        rc = load_blocks(a, &b, text ? text : "", err, errcap);
    for (int i = 0; i < a->nsvc; i++)
        free(b.svc[i]);
    if (devices) {
        hub_config_clear(devices);
        free(devices);
    }
    return rc;
}

/* Opens every service, then lets each take up what a crash left. -1 with err set. */
static int start(struct host *a, char *err, size_t errcap)
{
    for (int i = 0; i < a->nsvc; i++) {
        struct slot *s = &a->svc[i];
        char why[400] = "";
        if (s->def->open && s->def->open(s->priv, &s->h, s->cfg, why, sizeof why) != 0) {
            snprintf(err, errcap, "%s: %s", s->def->name, why);
            return -1;
        }
        s->opened = 1;
    }
    int64_t now = clock_now_ms();
    for (int i = 0; i < a->nsvc; i++)
        if (a->svc[i].def->recover)
            a->svc[i].def->recover(a->svc[i].priv, now);
    return 0;
}

void host_services_start(struct host *a)
{
    char err[512];
    if (start(a, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err);
        a->exit_code = 2;
        a->quit = 1;
    }
}

void host_services_close(struct host *a)
{
    hub_config_clear(&a->devices);
    for (int i = 0; i < a->nsvc; i++) {
        struct slot *s = &a->svc[i];
        if (s->opened && s->def->close)
            s->def->close(s->priv);
        s->opened = 0;
        free(s->priv);
        free(s->cfg);
        s->priv = s->cfg = NULL;
    }
}

/* ---- the loop's turns -------------------------------------------------------------------- */

static void refresh_health(struct host *a)
{
    struct health h;
    if (!a->link)
        return;
    link_health(a->link, &h);
    if (memcmp(&h, &a->health, sizeof h) != 0) {
        a->health = h;
        a->dirty = 1; /* tiles say what is available now */
    }
}

static void deliver(struct host *a, int svc, const struct host_result *r, int64_t now)
{
    if (svc >= 0 && svc < a->nsvc && a->svc[svc].def->result)
        a->svc[svc].def->result(a->svc[svc].priv, r, now);
}

/* Print jobs and printer checks are asked about each turn (their reports wake the loop). */
static void poll_printer(struct host *a, int64_t now)
{
    if (!a->link)
        return;
    for (int i = 0; i < HOST_PRINTS_MAX; i++) {
        int ok = 0, no = a->prints[i].no;
        enum hub_job j = no ? hub_job_result(link_hub(a->link), no, &ok) : HUB_JOB_PENDING;
        if (j == HUB_JOB_PENDING)
            continue;
        struct host_result r = {.kind = HR_PRINT, .handle = (uint64_t)no,
                                .final = j == HUB_JOB_FINAL, .ok = ok};
        int svc = a->prints[i].svc;
        if (j == HUB_JOB_FINAL) {
            a->prints[i].no = 0;
            if (ok)
                a->count.prints++;
            else
                a->count.print_failures++;
        }
        deliver(a, svc, &r, now);
    }
    for (int i = 0; i < HOST_CHECKS_MAX; i++) {
        int can = 0, no = a->checks[i].no;
        if (!no || !hub_printer_answer(link_hub(a->link), no, &can))
            continue;
        a->checks[i].no = 0;
        struct host_result r = {.kind = HR_PRINTER, .handle = (uint64_t)no, .ok = can};
        deliver(a, a->checks[i].svc, &r, now);
    }
}

void host_services_turn(struct host *a, int64_t now)
{
    if (a->link)
        a->link_next_ms = link_tick(a->link, now);
    poll_printer(a, now);
    if (a->done_pending) {
        a->done_pending = 0;
        frame_of(a)->service_done(frame_priv(a), now);
        if (a->card_after_done && host_card_present(&a->svc[a->frame].h) && frame_of(a)->card)
            frame_of(a)->card(frame_priv(a), 1, now);
        a->card_after_done = 0;
        malloc_trim(0); /* the customer is done: the heap's free pages go back */
    }
    for (int i = 0; i < a->nsvc; i++) {
        const struct service_def *d = a->svc[i].def;
        int woken = a->svc[i].woken;
        a->svc[i].woken = 0;
        if (d->tick && (woken || (d->deadline && now >= d->deadline(a->svc[i].priv))))
            d->tick(a->svc[i].priv, now);
    }
    if (host_busy(&a->svc[a->frame].h)) /* money in flight keeps the session alive */
        frame_of(a)->touch(frame_priv(a), now);
    refresh_health(a);
}

int64_t host_services_deadline(struct host *a)
{
    int64_t d = a->link ? a->link_next_ms : INT64_MAX;
    for (int i = 0; i < a->nsvc; i++) {
        const struct service_def *s = a->svc[i].def;
        int64_t x = s->deadline ? s->deadline(a->svc[i].priv) : INT64_MAX;
        if (x < d)
            d = x;
    }
    return d;
}

/* A card APDU's answer, to the service that sent it; an answer nobody waits for (its slot
 * was taken by a newer one) goes nowhere. */
static void card_answer(struct host *a, const struct ev *e, int64_t now)
{
    host_services_touch(a, now); /* a card being worked with */
    for (int i = 0; i < HOST_CARDS_MAX; i++) {
        if (!a->cards[i].no || a->cards[i].no != e->i)
            continue;
        int svc = a->cards[i].svc;
        a->cards[i].no = 0;
        struct host_result r = {.kind = HR_CARD, .handle = (uint64_t)e->i, .ok = e->j >= 0,
                                .data = (const uint8_t *)e->text,
                                .len = e->j > 0 ? (size_t)e->j : 0};
        deliver(a, svc, &r, now);
        return;
    }
}

/* An ID card reading, to the service that asked for readings (wiped either way). */
static void idcard_reading(struct host *a, const struct ev *e, int64_t now)
{
    struct id_read *rd = e->ptr;
    host_services_touch(a, now); /* someone at the reader */
    if (a->idcard_ask.no) {
        struct host_result r = {.kind = HR_IDCARD, .handle = a->idcard_ask.no,
                                .ok = e->i != 0 && rd, .idcard = rd};
        deliver(a, a->idcard_ask.svc, &r, now);
    } else {
        log_info("host", "an ID card reading nobody asked for: wiped");
    }
    if (rd)
        idcard_read_wipe(rd);
}

/* A face step's report, to the service that started it. */
static void face_report(struct host *a, const struct ev *e, int64_t now)
{
    const struct face_report *fr = e->ptr;
    if (!a->face_ask.no || !fr)
        return;
    if (fr->seen) /* someone in front of the camera */
        host_services_touch(a, now);
    struct host_result r = {.kind = HR_FACE, .handle = a->face_ask.no, .face = fr};
    deliver(a, a->face_ask.svc, &r, now);
}

void host_services_event(struct host *a, const struct ev *e)
{
    int64_t now = clock_now_ms();
    if (a->link && link_event(a->link, e)) {
        refresh_health(a);
        return;
    }
    switch (e->kind) {
    case EV_QUIT:
        a->quit = 1;
        break;
    case EV_SCAN: {
        int ok = e->i == 0 && code_scan_ok(e->text);
        const char *from = a->link ? hub_instance_name(link_hub(a->link), (int)e->j) : "?";
        if (!ok)
            log_warn("host", "scan from %s refused: not a code", from);
        else
            log_info("host", "scan from %s: %s, %zu bytes", from, code_kind_name(code_classify(e->text)),
                     strlen(e->text));
        a->count.scans++;
        host_services_scan(a, ok ? e->text : "", ok, now);
        break;
    }
    case EV_BACKEND: {
        struct backend_result *r = e->ptr;
        int svc = (int)(r->tag & 0xFF) - LINK_OWNERS;
        if (r->outcome != BE_CANCELLED && (r->outcome != BE_OK || r->status >= 500))
            a->count.call_failures++;
        if (r->outcome != BE_CANCELLED) {
            struct host_result hr = {.kind = HR_CALL, .handle = r->call_id, .call = r};
            deliver(a, svc, &hr, now);
        }
        backend_result_free(r);
        return;
    }
    case EV_CARD: {
        const char *from = a->link ? hub_instance_name(link_hub(a->link), (int)e->j) : "?";
        log_info("host", "card %s %s on %s", e->i ? "put on" : "taken off", from,
                 a->tree.screen);
        host_services_card(a, e->i != 0, now);
        break;
    }
    case EV_CARD_APDU:
        card_answer(a, e, now);
        break;
    case EV_IDCARD:
        idcard_reading(a, e, now);
        break;
    case EV_FACE:
        face_report(a, e, now);
        break;
    case EV_WAKE:
        if (e->i >= 0 && e->i < a->nsvc)
            a->svc[e->i].woken = 1;
        break;
    case EV_JOURNAL: {
        struct journal_result *jr = e->ptr;
        struct host_result hr = {.kind = HR_JOURNAL, .handle = (uint64_t)(jr->tag >> 8),
                                 .err = jr->err, .value = jr->value};
        deliver(a, (int)(jr->tag & 0xFF) - LINK_OWNERS, &hr, now);
        free(jr);
        return;
    }
    default:
        break;
    }
    free(e->ptr);
}

void host_services_build(struct host *a, struct ui_tree *t)
{
    struct view v;
    memset(&v, 0, sizeof v);
    v.now_ms = clock_now_ms();
    v.station = a->cfg.station_name;
    v.out_of_service = host_out_of_service(&a->svc[a->frame].h);
    v.terminal_id = a->cfg.terminal_id;
    v.lang = i18n_lang();
    int cur = 0, n = i18n_count();
    for (int i = 0; i < n; i++)
        if (!strcmp(i18n_lang_at(i), v.lang))
            cur = i;
    /* The button names the language it switches to, in that language. */
    const char *next = n ? i18n_lang_at((cur + 1) % n) : "en_US";
    v.other_lang_label = !strcmp(next, "zh_CN") ? "中文" : "English";
    v.sound = voice_available(a->voice) ? voice_on(a->voice) : -1;
    a->svc[a->frame].def->build(frame_priv(a), t, &a->theme, &v);
    if (frame_of(a)->active(frame_priv(a)) < 0)
        a->home_shown = 1;
    if (a->toast && v.now_ms < a->toast_until_ms)
        chrome_toast(t, &a->theme, _(a->toast));
}

int host_services_tap(struct host *a, const char *id, int64_t now)
{
    const struct service_def *fd = a->svc[a->frame].def;
    if (fd->tap && fd->tap(frame_priv(a), id, now))
        return 1;
    int act = frame_of(a)->active(frame_priv(a));
    if (act >= 0 && a->svc[act].def->tap && a->svc[act].def->tap(a->svc[act].priv, id, now))
        return 1;
    for (int i = 0; i < a->nsvc; i++) /* what services lay over the frame's screens */
        if (i != a->frame && i != act && a->svc[i].def->tap &&
            a->svc[i].def->tap(a->svc[i].priv, id, now))
            return 1;
    return 0;
}

void host_services_scan(struct host *a, const char *code, int ok, int64_t now)
{
    host_services_touch(a, now);
    log_info("host", "scan on %s", a->tree.screen);
    if (frame_of(a)->scan(frame_priv(a), code, ok, now))
        return;
    int act = frame_of(a)->active(frame_priv(a));
    if (act >= 0 && a->svc[act].def->scan)
        a->svc[act].def->scan(a->svc[act].priv, code, ok, now);
    else
        host_toast(&a->svc[a->frame].h, N_("This screen does not read codes."));
}

void host_services_card(struct host *a, int present, int64_t now)
{
    const struct frame_hooks *f = frame_of(a);
    host_services_touch(a, now);
    if (f->card && f->card(frame_priv(a), present, now))
        return;
    int act = f->active(frame_priv(a));
    if (act >= 0 && act != a->frame && a->svc[act].def->card) {
        a->svc[act].def->card(a->svc[act].priv, present, now);
        /* a card that ended the service it came to (a customer's card over attendant mode)
         * is the home menu's once that service is gone */
        a->card_after_done = present && a->done_pending;
    }
}

void host_services_touch(struct host *a, int64_t now)
{
    a->touched_ms = now;
    frame_of(a)->touch(frame_priv(a), now);
}

int host_services_idle(struct host *a)
{
    for (int i = 0; i < a->nsvc; i++)
        if (a->svc[i].def->idle && !a->svc[i].def->idle(a->svc[i].priv))
            return 0;
    return !a->link || link_outbox_pending(a->link) == 0;
}

void host_services_leave(struct host *a, int64_t now)
{
    for (int i = 0; i < a->nsvc; i++)
        if (a->svc[i].def->leave)
            a->svc[i].def->leave(a->svc[i].priv, now);
}

/* ---- what a service may ask -------------------------------------------------------------- */

const struct kiosk_config *host_config(struct host_svc *h)
{
    return &h->host->cfg;
}

struct text_engine *host_text(struct host_svc *h)
{
    return h->host->text;
}

uint64_t host_call(struct host_svc *h, const struct backend_request *rq)
{
    struct backend *be = h->host->link ? link_backend(h->host->link) : NULL;
    uint64_t id = 0;
    struct backend_request r = *rq;
    r.tag = owner_of(h);
    if (!be || backend_call(be, &r, &id) != 0)
        return 0;
    return id;
}

void host_cancel(struct host_svc *h, uint64_t handle)
{
    struct backend *be = h->host->link ? link_backend(h->host->link) : NULL;
    if (be && handle)
        backend_cancel(be, handle);
}

uint64_t host_journal(struct host_svc *h, journal_job_fn fn, void *arg,
                      void (*free_arg)(void *arg))
{
    struct host *a = h->host;
    struct journal_worker *w = a->link ? link_journal_worker(a->link) : NULL;
    if (!w) {
        if (free_arg)
            free_arg(arg);
        return 0;
    }
    uint64_t seq = ++a->journal_seq;
    if (journal_worker_submit(w, fn, arg, free_arg, (int64_t)(seq << 8) | owner_of(h)) != 0)
        return 0;
    return seq;
}

struct intent_begin {
    char kind[24], flow[24], key[65];
    char *payload;
};

static enum kerr intent_begin(struct journal *j, void *arg, int64_t *value)
{
    const struct intent_begin *a = arg;
    return journal_intent_begin(j, a->kind, a->flow, a->key, a->payload, clock_system_ms(),
                                value);
}

static void intent_begin_free(void *arg)
{
    struct intent_begin *a = arg;
    free(a->payload);
    free(a);
}

uint64_t host_intent_begin(struct host_svc *h, const char *kind, const char *key,
                           const char *payload)
{
    struct intent_begin *a = calloc(1, sizeof *a);
    if (!a || !(a->payload = strdup(payload))) {
        free(a);
        return 0;
    }
    snprintf(a->kind, sizeof a->kind, "%s", kind);
    snprintf(a->flow, sizeof a->flow, "%s", h->host->svc[h->index].def->name);
    snprintf(a->key, sizeof a->key, "%s", key);
    return host_journal(h, intent_begin, a, intent_begin_free);
}

struct intent_finish {
    int64_t id;
    enum intent_state state;
    char result[40];
};

static enum kerr intent_finish(struct journal *j, void *arg, int64_t *value)
{
    const struct intent_finish *a = arg;
    (void)value;
    enum kerr e = journal_intent_finish(j, a->id, a->state, a->result, "{}", clock_system_ms());
    return e == KERR_NOT_FOUND ? KERR_OK : e; /* settled already */
}

uint64_t host_intent_finish(struct host_svc *h, int64_t id, enum intent_state state,
                            const char *result)
{
    struct intent_finish *a = id ? calloc(1, sizeof *a) : NULL;
    if (!a)
        return 0;
    *a = (struct intent_finish){.id = id, .state = state};
    snprintf(a->result, sizeof a->result, "%s", result);
    return host_journal(h, intent_finish, a, free);
}

enum kerr host_journal_now(struct host_svc *h, journal_job_fn fn, void *arg, int64_t *value)
{
    struct journal_worker *w = h->host->link ? link_journal_worker(h->host->link) : NULL;
    return w ? journal_worker_now(w, fn, arg, value) : KERR_IO;
}

struct journal *host_journal_reader(struct host_svc *h)
{
    return h->host->link ? link_journal(h->host->link) : NULL;
}

void host_outbox_poke(struct host_svc *h)
{
    if (h->host->link)
        link_outbox_poke(h->host->link);
}

int host_outbox_pending(struct host_svc *h)
{
    return h->host->link ? link_outbox_pending(h->host->link) : 0;
}

uint64_t host_print(struct host_svc *h, const struct bitmap *b, const char *title)
{
    struct host *a = h->host;
    int slot = -1;
    for (int i = 0; i < HOST_PRINTS_MAX && slot < 0; i++)
        if (!a->prints[i].no)
            slot = i;
    int no = a->link && slot >= 0 ? hub_print(link_hub(a->link), b, title) : -1;
    if (no <= 0)
        return 0;
    a->prints[slot].no = no;
    a->prints[slot].svc = h->index;
    return (uint64_t)no;
}

uint64_t host_reprint(struct host_svc *h, const char *kind, const char *payload)
{
    struct host *a = h->host;
    for (int i = 0; i < a->nsvc; i++) {
        const struct service_def *d = a->svc[i].def;
        struct slip *s = d->reprint ? d->reprint(a->svc[i].priv, kind, payload, i18n_lang())
                                    : NULL;
        if (!s)
            continue;
        log_info("host", "%s reprints a %s", d->name, kind);
        uint64_t handle = host_print(h, slip_bitmap(s), "reprint");
        slip_destroy(s);
        return handle;
    }
    log_warn("host", "no service reprints a %s", kind);
    return 0;
}

uint64_t host_printer_check(struct host_svc *h)
{
    struct host *a = h->host;
    int slot = -1;
    for (int i = 0; i < HOST_CHECKS_MAX && slot < 0; i++)
        if (!a->checks[i].no)
            slot = i;
    int no = a->link && slot >= 0 ? hub_printer_check(link_hub(a->link)) : -1;
    if (no <= 0)
        return 0;
    a->checks[slot].no = no;
    a->checks[slot].svc = h->index;
    return (uint64_t)no;
}

const char *host_printer_problem(struct host_svc *h)
{
    return h->host->link ? hub_printer_problem(link_hub(h->host->link))
                         : N_("This kiosk has no receipt printer.");
}

const char *host_scanner_problem(struct host_svc *h)
{
    return h->host->link ? hub_scanner_problem(link_hub(h->host->link))
                         : N_("This kiosk has no code scanner.");
}

int host_scanner_preview(struct host_svc *h)
{
    return h->host->link && hub_has_preview(link_hub(h->host->link));
}

uint64_t host_card_send(struct host_svc *h, const uint8_t *apdu, size_t n)
{
    struct host *a = h->host;
    if (!a->link)
        return 0;
    /* a free slot, else the oldest's: its service gave up on it long ago */
    int slot = 0;
    for (int i = 0; i < HOST_CARDS_MAX; i++) {
        if (!a->cards[i].no) {
            slot = i;
            break;
        }
        if (a->cards[i].no < a->cards[slot].no)
            slot = i;
    }
    int no = hub_card_send(link_hub(a->link), apdu, n);
    if (no <= 0)
        return 0;
    a->cards[slot].no = no;
    a->cards[slot].svc = h->index;
    return (uint64_t)no;
}

int host_card_present(struct host_svc *h)
{
    return h->host->link && hub_card_present(link_hub(h->host->link));
}

const char *host_card_problem(struct host_svc *h)
{
    return h->host->link ? hub_card_problem(link_hub(h->host->link))
                         : N_("This kiosk has no card reader.");
}

uint64_t host_idcard_read(struct host_svc *h)
{
    struct host *a = h->host;
    if (!a->link || !hub_has_idcard(link_hub(a->link)))
        return 0;
    a->idcard_ask.no = ++a->ask_seq;
    a->idcard_ask.svc = h->index;
    hub_idcard_want(link_hub(a->link), 1);
    return a->idcard_ask.no;
}

void host_idcard_stop(struct host_svc *h)
{
    struct host *a = h->host;
    if (!a->idcard_ask.no || a->idcard_ask.svc != h->index)
        return;
    a->idcard_ask.no = 0;
    if (a->link)
        hub_idcard_want(link_hub(a->link), 0);
}

const char *host_idcard_problem(struct host_svc *h)
{
    return h->host->link ? hub_idcard_problem(link_hub(h->host->link))
                         : N_("This kiosk has no ID card reader.");
}

uint64_t host_face_start(struct host_svc *h, const struct face_params *p)
{
    struct host *a = h->host;
    if (!a->link)
        return 0;
    char err[96];
    if (hub_face_start(link_hub(a->link), p, err, sizeof err) != 0) {
        log_warn("host", "the face step cannot start: %s", err);
        return 0;
    }
    a->face_ask.no = ++a->ask_seq;
    a->face_ask.svc = h->index;
    return a->face_ask.no;
}

void host_face_stop(struct host_svc *h, int keep)
{
    struct host *a = h->host;
    if (a->face_ask.svc == h->index)
        a->face_ask.no = 0;
    if (a->link)
        hub_face_stop(link_hub(a->link), keep);
}

int host_face_jpeg(struct host_svc *h, uint8_t **jpeg, size_t *len)
{
    return h->host->link ? hub_face_jpeg(link_hub(h->host->link), jpeg, len) : -1;
}

const char *host_face_problem(struct host_svc *h)
{
    return h->host->link && hub_face_possible(link_hub(h->host->link))
               ? ""
               : N_("This kiosk has no camera.");
}

void host_health(struct host_svc *h, struct health *out)
{
    *out = h->host->health;
}

void host_backend_refused(struct host_svc *h, const char *code)
{
    if (h->host->link) {
        link_backend_refused(h->host->link, code);
        refresh_health(h->host);
    }
}

#define OOS_SETTING "out_of_service"

const char *host_out_of_service(struct host_svc *h)
{
    struct host *a = h->host;
    struct journal *j = a->link ? link_journal(a->link) : NULL;
    if (!a->oos_loaded && j) { /* a kiosk without a journal is never out of service */
        a->oos_loaded = 1;
        if (journal_setting_get(j, OOS_SETTING, a->oos, sizeof a->oos) != KERR_OK)
            a->oos[0] = 0;
        else
            log_info("host", "out of service since before the start");
    }
    return a->oos[0] ? a->oos : NULL;
}

struct oos_write {
    char msg[sizeof ((struct host *)0)->oos];
};

static enum kerr oos_write(struct journal *j, void *arg, int64_t *value)
{
    const struct oos_write *w = arg;
    (void)value;
    return journal_setting_put(j, OOS_SETTING, w->msg[0] ? w->msg : NULL);
}

uint64_t host_set_out_of_service(struct host_svc *h, const char *msgid)
{
    struct host *a = h->host;
    struct oos_write *w = calloc(1, sizeof *w);
    if (!w)
        return 0;
    snprintf(w->msg, sizeof w->msg, "%s", msgid ? msgid : "");
    uint64_t handle = host_journal(h, oos_write, w, free);
    if (handle) {
        a->oos_loaded = 1;
        snprintf(a->oos, sizeof a->oos, "%s", msgid ? msgid : "");
        log_info("host", "%s", msgid ? "out of service" : "back in service");
        a->dirty = 1;
    }
    return handle;
}

int host_device_count(struct host_svc *h)
{
    return h->host->link ? hub_instance_count(link_hub(h->host->link)) : 0;
}

void host_device_at(struct host_svc *h, int i, char *name, size_t ncap,
                    enum health_state *state, char *why, size_t wcap)
{
    const struct hub *hub = link_hub(h->host->link);
    const char *w;
    *state = hub_instance_health(hub, i, &w);
    snprintf(name, ncap, "%s", hub_instance_name(hub, i));
    snprintf(why, wcap, "%s", w);
}

void host_redraw(struct host_svc *h)
{
    h->host->dirty = 1;
}

static void count_intent(const struct intent *it, void *user)
{
    (void)it;
    (void)user;
}

void host_state(struct host_svc *h, int64_t now, struct host_state *out)
{
    struct host *a = h->host;
    memset(out, 0, sizeof *out);
    out->on_frame = frame_of(a)->active(frame_priv(a)) < 0 && !a->done_pending;
    out->idle_ms = now - a->touched_ms;
    struct journal *j = host_journal_reader(h);
    int n = j ? journal_intents_unfinished(j, count_intent, NULL) : 0;
    out->intents_open = n < 0 ? 1 : n; /* a journal that cannot say is not quiet */
    for (int i = 0; i < HOST_PRINTS_MAX; i++)
        out->prints_pending += a->prints[i].no != 0;
    out->busy = host_busy(h);
    for (int i = 0; i < a->nsvc && !out->busy; i++)
        if (a->svc[i].def->idle && !a->svc[i].def->idle(a->svc[i].priv))
            out->busy = 1;
    out->home_shown = a->home_shown;
    out->backend_up = a->health.c[COMP_BACKEND] == HEALTH_OK;
    out->uptime_ms = clock_real_ms() - a->started_real_ms;
    out->scans = a->count.scans;
    out->prints = a->count.prints;
    out->print_failures = a->count.print_failures;
    out->call_failures = a->count.call_failures;
    out->sessions = a->count.sessions;
}

int host_quiet(struct host_svc *h, int64_t now, int64_t idle_ms)
{
    struct host_state s;
    host_state(h, now, &s);
    return s.on_frame && s.idle_ms >= idle_ms && !s.intents_open && !s.prints_pending &&
           !s.busy;
}

void host_restart(struct host_svc *h, enum host_restart how, const char *why)
{
    struct host *a = h->host;
    log_info("host", "%s: the kiosk %s (%s)", a->svc[h->index].def->name,
             how == HOST_RESTART_EXEC ? "starts again" : "ends to be started again", why);
    a->restart = how == HOST_RESTART_EXEC ? HOST_RUN_EXEC : HOST_EXIT_RESTART;
    a->quit = 1;
}

void host_wake(struct host_svc *h)
{
    struct ev e = {.kind = EV_WAKE, .i = h->index};
    if (evq_post(h->host->q, &e) != 0)
        log_warn("host", "%s: wake-up lost: the event queue is full",
                 h->host->svc[h->index].def->name);
}

/* The home tile of the service that takes `what`, if it can be chosen now; else -1. */
static int taker_tile(struct host_svc *h, const char *what)
{
    struct host *a = h->host;
    for (int i = 0; i < a->ntiles; i++) {
        const struct service_def *d = a->svc[a->tiles[i].svc].def;
        struct host_tile ht;
        if (!d->takes || !d->take || strcmp(d->takes, what) || a->tiles[i].tile != 0)
            continue;
        host_tile_at(h, i, &ht);
        return ht.reason == REASON_NONE ? i : -1;
    }
    return -1;
}

int host_can_hand_over(struct host_svc *h, const char *what)
{
    return taker_tile(h, what) >= 0;
}

int host_hand_over(struct host_svc *h, const char *what, const char *arg, int64_t now)
{
    struct host *a = h->host;
    int tile = taker_tile(h, what);
    if (tile < 0)
        return -1;
    struct slot *s = &a->svc[a->tiles[tile].svc];
    log_info("host", "%s hands the customer to %s (%s)", h->host->svc[h->index].def->name,
             s->def->name, what);
    frame_of(a)->switch_to(frame_priv(a), tile, now);
    a->entered = a->tiles[tile].svc;
    s->def->take(s->priv, arg, now);
    a->dirty = 1;
    return 0;
}

void host_done(struct host_svc *h)
{
    h->host->done_pending = 1; /* at the end of the turn: the service is still at work */
}

/* ---- the frame's part -------------------------------------------------------------------- */

int host_tile_count(struct host_svc *h)
{
    return h->host->ntiles;
}

void host_tile_at(struct host_svc *h, int i, struct host_tile *out)
{
    struct host *a = h->host;
    const struct slot *s = &a->svc[a->tiles[i].svc];
    out->tile = &s->def->tiles[a->tiles[i].tile];
    out->service = a->tiles[i].svc;
    out->reason = health_reason(out->tile->requires, a->enabled[i], &a->health);
    if (out->reason == REASON_NONE && !out->tile->door && host_out_of_service(h))
        out->reason = REASON_OUT_OF_SERVICE;
    if (out->reason == REASON_NONE && s->def->unavailable)
        out->reason = s->def->unavailable(s->priv);
}

void host_enter(struct host_svc *h, int tile, int64_t now)
{
    struct host *a = h->host;
    if (tile < 0 || tile >= a->ntiles)
        return;
    struct slot *s = &a->svc[a->tiles[tile].svc];
    a->entered = a->tiles[tile].svc;
    a->count.sessions++;
    log_info("host", "service %s started (%s)", s->def->name,
             s->def->tiles[a->tiles[tile].tile].key);
    if (s->def->enter)
        s->def->enter(s->priv, a->tiles[tile].tile, now);
}

void host_discard(struct host_svc *h, int64_t now)
{
    struct host *a = h->host;
    host_services_leave(a, now);
    a->entered = -1;
    a->pressed = -1;
    a->focus = -1;
    /* The next customer starts in the default language. */
    if (i18n_count())
        i18n_set_lang(i18n_lang_at(0));
    voice_set_on(a->voice, 1); /* and with sound, as the kiosk is set up */
    a->dirty = 1;
}

int host_busy(struct host_svc *h)
{
    struct host *a = h->host;
    for (int i = 0; i < a->nsvc; i++)
        if (a->svc[i].def->busy && a->svc[i].def->busy(a->svc[i].priv))
            return 1;
    return 0;
}

int host_start_with(struct host_svc *h, const char *code)
{
    struct host *a = h->host;
    for (int i = 0; i < a->ntiles; i++) {
        const struct slot *s = &a->svc[a->tiles[i].svc];
        struct host_tile ht;
        if (!s->def->start_with || s->def->start_with(s->priv, code) != a->tiles[i].tile)
            continue;
        host_tile_at(h, i, &ht);
        if (ht.reason == REASON_NONE)
            return i;
    }
    return -1;
}

const char *host_scan_hint(struct host_svc *h, const char *code)
{
    struct host *a = h->host;
    for (int i = 0; i < a->nsvc; i++) {
        const char *m = a->svc[i].def->scan_hint ? a->svc[i].def->scan_hint(a->svc[i].priv, code)
                                                 : NULL;
        if (m)
            return m;
    }
    return NULL;
}

void host_scan(struct host_svc *h, const char *code, int ok, int64_t now)
{
    struct host *a = h->host;
    if (a->entered >= 0 && a->svc[a->entered].def->scan)
        a->svc[a->entered].def->scan(a->svc[a->entered].priv, code, ok, now);
}

int host_card_start(struct host_svc *h, enum svc_reason *why)
{
    struct host *a = h->host;
    int first = -1;
    enum svc_reason first_why = REASON_NONE;
    for (int i = 0; i < a->ntiles; i++) {
        const struct slot *s = &a->svc[a->tiles[i].svc];
        struct host_tile ht;
        if (!s->def->card_start || s->def->card_start(s->priv) != a->tiles[i].tile)
            continue;
        host_tile_at(h, i, &ht);
        if (ht.reason == REASON_NONE) {
            *why = REASON_NONE;
            return i;
        }
        if (first < 0) {
            first = i;
            first_why = ht.reason;
        }
    }
    *why = first_why;
    return first;
}

void host_card(struct host_svc *h, int present, int64_t now)
{
    struct host *a = h->host;
    if (a->entered >= 0 && a->svc[a->entered].def->card)
        a->svc[a->entered].def->card(a->svc[a->entered].priv, present, now);
}

void host_toast(struct host_svc *h, const char *msgid)
{
    struct host *a = h->host;
    a->toast = msgid;
    a->toast_until_ms = clock_now_ms() + TOAST_MS;
    a->dirty = 1;
}

void host_build_active(struct host_svc *h, struct ui_tree *t, const struct theme *th,
                       const struct view *v)
{
    struct host *a = h->host;
    int act = frame_of(a)->active(frame_priv(a));
    if (act >= 0 && act != a->frame && a->svc[act].def->build)
        a->svc[act].def->build(a->svc[act].priv, t, th, v);
}

void host_build_overlays(struct host_svc *h, struct ui_tree *t, const struct theme *th,
                         const struct view *v)
{
    struct host *a = h->host;
    for (int i = 0; i < a->nsvc; i++)
        if (i != a->frame && a->svc[i].def->overlay)
            a->svc[i].def->overlay(a->svc[i].priv, t, th, v);
}
