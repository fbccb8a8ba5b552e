/* What the session journals and uploads (docs/backend-api.md, "Journal records"): the proof
 * of play of each slide a pushed playlist showed on the attract screen ("ad_play" records).
 * Nothing private is in them. */
#ifndef SESSION_RECORD_H
#define SESSION_RECORD_H

#include <stdint.h>

/* One slide shown. */
struct ad_play {
    const char *terminal;
    int64_t playlist;     /* the pushed playlist's version */
    const char *slide;    /* the slide's id: the asset, for the operations team */
    const char *sha256;   /* the image's SHA-256 (64 hex), or "" when the manifest gives none */
    const char *image;    /* the image's file name, as its manifest names it */
    int64_t start_ms;     /* when it went on screen: business time, unix ms */
    int64_t shown_ms;     /* how long it was on screen */
    int interrupted;      /* a customer ended it (touch, scan, card) */
};

/* The "ad_play" record's body: the terminal, the playlist, the slide, the asset (its
 * SHA-256 in eight groups of eight, as the journal keeps no run of 16 digits, or else the
 * image's file name), start, duration and whether a customer interrupted it. malloc'd JSON,
 * or NULL (no memory). */
char *sess_record_play(const struct ad_play *p);

#endif
