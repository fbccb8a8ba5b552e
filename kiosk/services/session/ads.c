#include "ads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "push.h"
#include "record.h"

#define MOD "session"

static const char *assets_dir(const struct ads *a)
{
    return host_config(a->h)->assets_dir;
}

/* The installed slides into the spare buffer. 0, or -1 with the reason in err. */
static int load_installed(struct ads *a, char *err, size_t errcap)
{
    char manifest[768];
    snprintf(manifest, sizeof manifest, "%s/ads/slides.ini", assets_dir(a));
    return slides_load(&a->buf[!a->cur], manifest, assets_dir(a), err, errcap);
}

/* The spare buffer goes on screen, as playlist `version`. */
static void show(struct ads *a, int64_t version)
{
    a->cur = !a->cur;
    a->version = version;
}

int ads_open(struct ads *a, struct host_svc *h, char *err, size_t errcap)
{
    a->h = h;
    if (load_installed(a, err, errcap) != 0)
        return -1;
    show(a, 0);
    ads_refresh(a);
    return 0;
}

const struct slides *ads_slides(const struct ads *a)
{
    return &a->buf[a->cur];
}

const struct price_board *ads_prices(const struct ads *a)
{
    return a->prices.n > 0 ? &a->prices : NULL;
}

/* Setting `name` into value (cap bytes): KERR_NOT_FOUND also without a journal. */
static enum kerr setting(struct ads *a, const char *name, char *value, size_t cap)
{
    struct journal *j = host_journal_reader(a->h);
    return j ? journal_setting_get(j, name, value, cap) : KERR_NOT_FOUND;
}

/* The playlist setting: 1 when another playlist went on screen. */
static int refresh_playlist(struct ads *a)
{
    char text[1024], err[512];
    struct push_playlist pl;
    enum kerr e = setting(a, "playlist", text, sizeof text);
    if (e == KERR_NOT_FOUND) {
        a->playlist_bad = 0;
        if (a->version == 0)
            return 0;
        if (load_installed(a, err, sizeof err) != 0) {
            log_error(MOD, "playlist withdrawn, but %s: playlist %lld stays", err,
                      (long long)a->version);
            return 0;
        }
        log_info(MOD, "playlist withdrawn: the installed slides again");
        show(a, 0);
        return 1;
    }
    if (e != KERR_OK || push_playlist_parse(text, &pl, err, sizeof err) != 0) {
        if (!a->playlist_bad)
            log_error(MOD, "the playlist setting does not read (%s): the slides on screen stay",
                      e != KERR_OK ? kerr_str(e) : err);
        a->playlist_bad = 1;
        return 0;
    }
    a->playlist_bad = 0;
    if (pl.version == a->version || pl.version == a->failed)
        return 0;
    if (slides_load_pushed(&a->buf[!a->cur], pl.dir, assets_dir(a), err, sizeof err) != 0) {
        log_error(MOD, "playlist %lld not shown: %s; the slides on screen stay",
                  (long long)pl.version, err);
        a->failed = pl.version;
        return 0;
    }
    log_info(MOD, "playlist %lld on screen: %s, slides: %d", (long long)pl.version, pl.dir,
             a->buf[!a->cur].n);
    show(a, pl.version);
    return 1;
}

/* The prices setting: 1 when the board changed. A setting that does not read shows no
 * board: no price is shown that the kiosk cannot vouch for. */
static int refresh_prices(struct ads *a)
{
    char text[PRICES_JSON_MAX], err[512];
    struct price_board p;
    enum kerr e = setting(a, "prices", text, sizeof text);
    if (e == KERR_NOT_FOUND) {
        memset(&p, 0, sizeof p);
        a->prices_bad = 0;
    } else if (e != KERR_OK || prices_parse(text, 0, &p, err, sizeof err) != 0) {
        if (!a->prices_bad)
            log_error(MOD, "the prices setting does not read (%s): no price board",
                      e != KERR_OK ? kerr_str(e) : err);
        a->prices_bad = 1;
        memset(&p, 0, sizeof p);
    } else {
        a->prices_bad = 0;
    }
    if (!memcmp(&p, &a->prices, sizeof p))
        return 0;
    if (p.version)
        log_info(MOD, "prices %lld on screen, grades: %d", (long long)p.version, p.n);
    memcpy(&a->prices, &p, sizeof p);
    return 1;
}

int ads_refresh(struct ads *a)
{
    int changed = refresh_playlist(a);
    return refresh_prices(a) || changed;
}

void ads_durations(const struct ads *a, int ms[SESS_SLIDES_MAX])
{
    const struct slides *s = ads_slides(a);
    for (int i = 0; i < SESS_SLIDES_MAX; i++)
        ms[i] = i < s->n ? s->v[i].seconds * 1000 : 0;
}

void ads_began(struct ads *a)
{
    a->began_wall_ms = clock_wall_ms();
}

struct play_job {
    char id[64];
    char *body;
};

static void play_free(void *arg)
{
    struct play_job *p = arg;
    free(p->body);
    free(p);
}

static enum kerr play_write(struct journal *j, void *arg, int64_t *value)
{
    struct play_job *p = arg;
    (void)value;
    return journal_record_add(j, p->id, "ad_play", p->body, clock_system_ms());
}

void ads_played(struct ads *a, const struct sess_play *p)
{
    const struct slides *s = ads_slides(a);
    if (a->version == 0 || p->slide >= s->n)
        return; /* the installed slides: the kiosk's own, nobody's proof of play */
    const struct slide *sl = &s->v[p->slide];
    const char *term = host_config(a->h)->terminal_id;
    struct ad_play rec = {.terminal = term,
                          .playlist = a->version,
                          .slide = sl->id,
                          .sha256 = sl->sha256,
                          .image = sl->image,
                          .start_ms = a->began_wall_ms,
                          .shown_ms = p->shown_ms,
                          .interrupted = p->interrupted};
    struct play_job *job = calloc(1, sizeof *job);
    if (!job || !(job->body = sess_record_play(&rec))) {
        free(job);
        log_error(MOD, "proof of play of %s lost: no memory", sl->id);
        return;
    }
    /* unique across restarts by the system's clock, as the attendant's audit lines */
    snprintf(job->id, sizeof job->id, "%s-PLAY%lld-%lld", term, (long long)clock_system_ms(),
             (long long)++a->records);
    log_debug(MOD, "played %lld/%s for %lld ms%s", (long long)a->version, sl->id,
              (long long)p->shown_ms, p->interrupted ? ", interrupted" : "");
    if (host_journal(a->h, play_write, job, play_free))
        a->writing++;
}

void ads_result(struct ads *a, const struct host_result *r)
{
    if (r->kind != HR_JOURNAL)
        return;
    a->writing--;
    if (r->err != KERR_OK)
        log_error(MOD, "a proof of play was not journaled: %s", kerr_str(r->err));
    else
        host_outbox_poke(a->h);
}

int ads_idle(const struct ads *a)
{
    return a->writing == 0;
}
