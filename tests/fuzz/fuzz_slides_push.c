/* What operations push for the attract screen, read from the journal's settings (the fleet
 * agent keeps them; a bug there or a damaged journal makes them anything): the first byte
 * picks the "playlist" setting (even) or the "prices" (odd), the rest is its text. Either it
 * is refused with a reason and nothing half read, or: a playlist's version 1..2^53, its
 * folder absolute, without "..", terminated; prices (core/prices.h) of a version 1..2^53-1,
 * at most PRICES_MAX of 1..PRICE_FEN_MAX fen a litre, each with a grade and 1..I18N_MAX_LANGS
 * labels of printable text, terminated, nothing past their counts, a label to show in any
 * language, and written again they read back the same. */
#include <stdlib.h>
#include <string.h>

#include "core/prices.h"
#include "fuzz.h"
#include "push.h"

static int text_ok(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == 0 || n == cap)
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

static int zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static void playlist(const char *text)
{
    struct push_playlist pl;
    char err[256] = "";
    if (push_playlist_parse(text, &pl, err, sizeof err) != 0) {
        if (!err[0] || !zero(&pl, sizeof pl))
            abort();
        return;
    }
    if (pl.version < 1 || pl.version > PUSH_VERSION_MAX || !text_ok(pl.dir, sizeof pl.dir) ||
        pl.dir[0] != '/' || strstr(pl.dir, ".."))
        abort();
}

static void prices(const char *text)
{
    static struct price_board p, again;
    char err[256] = "";
    if (prices_parse(text, 0, &p, err, sizeof err) != 0) {
        if (!err[0] || !zero(&p, sizeof p))
            abort();
        return;
    }
    if (p.version < 1 || p.version > PRICES_VERSION_MAX || p.n < 0 || p.n > PRICES_MAX)
        abort();
    for (int i = 0; i < p.n; i++) {
        const struct price *it = &p.v[i];
        if (it->fen_per_l < 1 || it->fen_per_l > PRICE_FEN_MAX ||
            !text_ok(it->grade, sizeof it->grade) || it->nlabels < 1 ||
            it->nlabels > I18N_MAX_LANGS)
            abort();
        for (int k = 0; k < I18N_MAX_LANGS; k++)
            if (k < it->nlabels ? !text_ok(it->lang[k], sizeof it->lang[k]) ||
                                      !text_ok(it->label[k], sizeof it->label[k])
                                : !zero(it->lang[k], sizeof it->lang[k]) ||
                                      !zero(it->label[k], sizeof it->label[k]))
                abort();
        static const char *const langs[] = {"zh_CN", "en_US", "", "xx", NULL};
        for (size_t k = 0; k < sizeof langs / sizeof langs[0]; k++)
            if (!text_ok(prices_label(it, langs[k]), sizeof it->label[0]))
                abort();
    }
    for (int i = p.n; i < PRICES_MAX; i++)
        if (!zero(&p.v[i], sizeof p.v[i]))
            abort(); /* nothing past the count */
    /* written again (as the fleet agent would), it reads back the same */
    char *json = prices_json(&p);
    if (!json || strlen(json) >= PRICES_JSON_MAX ||
        prices_parse(json, 0, &again, err, sizeof err) != 0 || memcmp(&p, &again, sizeof p))
        abort();
    free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    if (data[0] & 1)
        prices(text);
    else
        playlist(text);
    free(text);
    return 0;
}
