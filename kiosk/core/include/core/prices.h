/* The attract screen's price board (docs/fleet.md, "Prices"): its one schema, read and
 * written here for both ends. Operations push {"items":[...]} (the signed command carries
 * the version); the fleet agent keeps it as the journal's setting "prices",
 * {"version":N,"items":[...]}; the session reads that back and draws it. An item:
 *   {"grade":"92#","label":{"zh_CN":"92号汽油","en_US":"Petrol 92"},"fen_per_l":768}
 * Read strictly, with the same rules at both ends: what does not read is refused whole, with
 * the reason, never half used; what the fleet agent accepts and writes, the session reads
 * back exactly. Money is integer fen. Pure: cJSON and core. Fuzzed by
 * tests/fuzz/fuzz_fleet_api.c and tests/fuzz/fuzz_slides_push.c. */
#ifndef KIOSK_CORE_PRICES_H
#define KIOSK_CORE_PRICES_H

#include <stddef.h>
#include <stdint.h>

#include "core/i18n.h"

#define PRICES_MAX 8                                 /* items on the board */
#define PRICE_FEN_MAX 99999                          /* ¥999.99 a litre */
#define PRICES_VERSION_MAX INT64_C(9007199254740991) /* 2^53 - 1: exact in JSON's numbers */
/* The setting's text, with its NUL: the largest board, every character escaped, fits
 * (test_prices checks it). */
#define PRICES_JSON_MAX 8192

struct price {
    char grade[16];                 /* "92#": 1..15 bytes of text, unique on the board */
    int nlabels;                    /* 1..I18N_MAX_LANGS */
    char lang[I18N_MAX_LANGS][8];   /* its labels' languages, in the order given: "zh_CN" */
    char label[I18N_MAX_LANGS][64]; /* "92号汽油": 1..63 bytes of text */
    int64_t fen_per_l;              /* 1..PRICE_FEN_MAX */
};

struct price_board {
    int64_t version; /* 1..PRICES_VERSION_MAX */
    int n;           /* 0..PRICES_MAX; 0: no board */
    struct price v[PRICES_MAX];
};

/* Reads a price board from `json` into *b (zeroed first). With `version` 0 the text is the
 * setting and carries its own "version"; otherwise it is a push's body, which has none, and
 * b->version is `version` (1..PRICES_VERSION_MAX). 0, or -1 with why in `why` (a short
 * sentence; *b then holds nothing). */
int prices_parse(const char *json, int64_t version, struct price_board *b, char *why, size_t cap);
/* The setting: {"version":N,"items":[...]}, labels in their order. Malloc'd (the caller
 * frees it), under PRICES_JSON_MAX bytes; NULL on no memory. */
char *prices_json(const struct price_board *b);
/* The label of price p to show in `lang` (NULL: none): its label in that language, else its
 * first label, else its grade. Borrowed from p. */
const char *prices_label(const struct price *p, const char *lang);

#endif
