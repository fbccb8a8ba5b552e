/* The attract slideshow's manifest (INI, pushed by operations): any text either stops with
 * a reason, or gives at most SLIDES_MAX slides whose image paths never leave their folder,
 * each with an id of 1..32 of [A-Za-z0-9._-] (unique), a duration of 0 or 3..60 s and a
 * SHA-256 of 64 lower-case hex or none; and the proof-of-play record of each slide never
 * holds a run of 16 digits (the journal would refuse it). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "record.h"
#include "slides.h"

static int terminated(const char *s, size_t cap)
{
    return strnlen(s, cap) < cap;
}

static void check_slide(const struct slides *s, int i)
{
    const struct slide *sl = &s->v[i];
    if (!terminated(sl->image, sizeof sl->image) || strstr(sl->image, "..") ||
        !terminated(sl->id, sizeof sl->id) || !terminated(sl->sha256, sizeof sl->sha256))
        abort(); /* a path out of its folder, or not terminated */
    size_t n = strlen(sl->id);
    if (n < 1 || strspn(sl->id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789._-") != n)
        abort();
    for (int k = 0; k < i; k++)
        if (!strcmp(s->v[k].id, sl->id))
            abort();
    if (sl->seconds != 0 && (sl->seconds < 3 || sl->seconds > 60))
        abort();
    n = strlen(sl->sha256);
    if ((n != 0 && n != 64) || strspn(sl->sha256, "0123456789abcdef") != n)
        abort();
    struct ad_play p = {"T0001", 1, sl->id, sl->sha256, sl->image, 1795399200123, 6000, 0};
    char *body = sess_record_play(&p);
    int run = 0;
    for (const char *c = body; c && *c; c++)
        if ((run = *c >= '0' && *c <= '9' ? run + 1 : 0) >= 16)
            abort();
    free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    static struct slides s;
    char err[512];
    if (slides_parse(&s, text, "fuzz.ini", err, sizeof err) == 0) {
        if (s.n < 0 || s.n > SLIDES_MAX)
            abort();
        for (int i = 0; i < s.n; i++)
            check_slide(&s, i);
    } else if (!err[0]) {
        abort();
    }
    free(text);
    return 0;
}
