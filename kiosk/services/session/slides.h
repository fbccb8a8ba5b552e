/* The attract slideshow: a manifest (assets/ads/slides.ini) of slides, each an image under
 * assets/, a background colour and its words in every language. Operations push new ads
 * by replacing the manifest and images. */
#ifndef KIOSK_APP_SLIDES_H
#define KIOSK_APP_SLIDES_H

#include <stddef.h>
#include <stdint.h>

#include "core/i18n.h"

#define SLIDES_MAX 8

struct slide {
    char image[128];
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
 * title.<lang>, subtitle.<lang>) and checks that each image is a readable PNG under
 * assets_dir. -1 with file, line and reason in err. */
int slides_load(struct slides *s, const char *manifest, const char *assets_dir, char *err,
                size_t errcap);
/* Reads a manifest from text (`name` names it in err), without looking at the images. */
int slides_parse(struct slides *s, const char *text, const char *name, char *err, size_t errcap);
/* Title and subtitle of slide i in `lang`, falling back to the first language given. */
const char *slides_title(const struct slides *s, int i, const char *lang);
const char *slides_subtitle(const struct slides *s, int i, const char *lang);

#endif
