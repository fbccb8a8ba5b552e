/* What the operations team pushes for the attract screen, as the fleet agent keeps it in
 * the journal's settings (docs/fleet.md): the playlist in force, "playlist" =
 * {"version":N,"dir":"/absolute/folder"} (the folder holds its slides.ini and images), and
 * the prices, "prices" = {"version":N,"items":[{"grade":"92#","label":{"zh_CN":"92号汽油",
 * "en_US":"Petrol 92"},"fen_per_l":768},...]}. Both are read strictly: a setting that does
 * not read is refused whole, with the reason, never half used. */
#ifndef SESSION_PUSH_H
#define SESSION_PUSH_H

#include <stddef.h>
#include <stdint.h>

#include "core/i18n.h"

/* Versions are whole numbers 1 .. 2^53 (exact in JSON). */
#define PUSH_VERSION_MAX INT64_C(9007199254740992)

struct push_playlist {
    int64_t version;
    char dir[256]; /* absolute, no "..": where its slides.ini is */
};

/* Reads the "playlist" setting into *out. 0, or -1 with the reason in err. */
int push_playlist_parse(const char *json, struct push_playlist *out, char *err, size_t errcap);

#define PRICES_MAX 8
#define PRICE_FEN_MAX 99999 /* ¥999.99 a litre */

struct price {
    char grade[16];                           /* "92#" */
    char lang[I18N_MAX_LANGS][16];            /* the languages of its label, in order given */
    char label[I18N_MAX_LANGS][64];           /* "92号汽油", "Petrol 92" */
    int64_t fen_per_l;                        /* 1 .. PRICE_FEN_MAX */
};

struct prices {
    int64_t version;
    struct price v[PRICES_MAX];
    int n;                                    /* 0 .. PRICES_MAX */
};

/* Reads the "prices" setting into *out. 0, or -1 with the reason in err (then *out holds no
 * item). */
int push_prices_parse(const char *json, struct prices *out, char *err, size_t errcap);
/* Item i's label in `lang`; else its first label; else its grade. */
const char *push_price_label(const struct prices *p, int i, const char *lang);

#endif
