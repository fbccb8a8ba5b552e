/* The attract slideshow: a manifest of slides, each an image, a background colour, its
 * words in every language, and for proof of play an id, how long it stays and its image's
 * SHA-256. The installed one is assets/ads/slides.ini (images under assets/); a pushed
 * playlist is a folder of its own (docs/fleet.md) whose slides.ini names images in that
 * folder. */
#ifndef KIOSK_APP_SLIDES_H
#define KIOSK_APP_SLIDES_H

#include <stddef.h>
#include <stdint.h>

#include "core/i18n.h"
#include "flow.h"

#define SLIDES_MAX SESS_SLIDES_MAX

/* The longest image path the renderer takes (struct ui_widget's image), NUL included. */
#define SLIDE_PATH_MAX 160

struct slide {
    char image[128];             /* as the manifest names it */
    char path[SLIDE_PATH_MAX];   /* where the renderer finds it: a path under assets/ */
    char id[33];                 /* the asset's id (proof of play): "slide<N>" by default */
    char sha256[65];             /* its image's SHA-256, 64 lower-case hex, or "" */
    int seconds;                 /* how long it stays, 3..60; 0: the session's default */
    uint32_t bg;
    char lang[I18N_MAX_LANGS][16];
    char title[I18N_MAX_LANGS][240];
    char subtitle[I18N_MAX_LANGS][240];
};

struct slides {
    struct slide v[SLIDES_MAX];
    int n;
};

/* Reads `manifest` (sections [slide1] .. [slide8]; keys image, bg = #RRGGBB,
 * title.<lang>, subtitle.<lang>, and id = [A-Za-z0-9._-]{1,32}, seconds = 3..60,
 * sha256 = 64 hex; an image's name is printable UTF-8; ids and images never hold a run of 16
 * digits, which the journal would refuse in a record) and checks that each image is a readable PNG under assets_dir. -1
 * with file, line and reason in err. */
int slides_load(struct slides *s, const char *manifest, const char *assets_dir, char *err,
                size_t errcap);
/* Reads the pushed playlist in folder `dir` (its slides.ini, at least one slide, images in
 * that folder) and points each slide's path there from assets_dir. -1 with the reason in
 * err. */
int slides_load_pushed(struct slides *s, const char *dir, const char *assets_dir, char *err,
                       size_t errcap);
/* The path from folder `from` to `to`, both absolute and without "." or ".." parts
 * ("/usr/share/kiosk/assets", "/var/lib/kiosk/ads/3" -> "../../../../var/lib/kiosk/ads/3").
 * -1 when it does not fit in cap bytes. */
int slides_rel_path(const char *from, const char *to, char *out, size_t cap);
/* Reads a manifest from text (`name` names it in err), without looking at the images. */
int slides_parse(struct slides *s, const char *text, const char *name, char *err, size_t errcap);
/* Title and subtitle of slide i in `lang`, falling back to the first language given. */
const char *slides_title(const struct slides *s, int i, const char *lang);
const char *slides_subtitle(const struct slides *s, int i, const char *lang);

#endif
