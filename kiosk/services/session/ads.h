/* The attract screen's content as the operations team pushed it (docs/fleet.md): the
 * playlist in force and the price board, read from the journal's settings the fleet agent
 * writes, at start and at every new round of slides; and the proof of play of every slide a
 * pushed playlist shows, one "ad_play" record each, journaled on the journal's thread and
 * uploaded by the outbox.
 *
 * The playlist: the installed one (assets/ads/slides.ini) until a pushed one loads; a pushed
 * one that does not load (no folder, a bad manifest, an image missing or not a PNG) is
 * logged, not tried again until its version changes, and the slides on screen stay. The
 * setting removed: the installed slides again. */
#ifndef SESSION_ADS_H
#define SESSION_ADS_H

#include <stdint.h>

#include "core/prices.h"
#include "flow.h"
#include "host/service.h"
#include "slides.h"

struct ads {
    struct host_svc *h;
    struct slides buf[2];   /* the slides on screen (buf[cur]) and a playlist being loaded */
    int cur;
    int64_t version;        /* of the slides on screen: 0 the installed ones */
    int64_t failed;         /* a pushed version that did not load: not tried again */
    int playlist_bad;       /* the setting did not read last time (said once) */
    int prices_bad;
    struct price_board prices; /* n 0: no price board */
    int64_t began_wall_ms;  /* when the slide on screen began: business time */
    int64_t records;        /* proof-of-play records asked since start */
    int writing;            /* of them, not written yet */
};

/* Loads the installed slides (the kiosk does not start without them: -1 with the reason in
 * err), then what is pushed. */
int ads_open(struct ads *a, struct host_svc *h, char *err, size_t errcap);
/* The slides on screen. */
const struct slides *ads_slides(const struct ads *a);
/* The price board, or NULL when there is none. */
const struct price_board *ads_prices(const struct ads *a);
/* Reads the settings again (a new round of slides): 1 when the playlist on screen or the
 * prices changed. */
int ads_refresh(struct ads *a);
/* How long each slide on screen stays, in ms (0: the session's default), into ms[]. */
void ads_durations(const struct ads *a, int ms[SESS_SLIDES_MAX]);
/* A slide went on the attract screen now. */
void ads_began(struct ads *a);
/* A slide left it: its proof of play is journaled (a pushed playlist's only). */
void ads_played(struct ads *a, const struct sess_play *p);
/* A journal write of ours answered (HR_JOURNAL): a record written goes up now. */
void ads_result(struct ads *a, const struct host_result *r);
/* No proof of play is still being written (the outbox then has it). */
int ads_idle(const struct ads *a);

#endif
