/* Code 128 (ISO/IEC 15417) encoder: code sets B and C, shortest symbol by a small dynamic
 * programme over the two sets, mod-103 check, drawn as bars into a receipt bitmap. */
#include "printer/code128.h"

#include <string.h>

/* Bar/space widths in modules, bar first, for symbol values 0..105; each sums to 11. The stop
 * pattern (106) has a fourth bar and sums to 13. */
static const char *const PATTERN[107] = {
    "212222", "222122", "222221", "121223", "121322", /*   0 */
    "131222", "122213", "122312", "132212", "221213", /*   5 */
    "221312", "231212", "112232", "122132", "122231", /*  10 */
    "113222", "123122", "123221", "223211", "221132", /*  15 */
    "221231", "213212", "223112", "312131", "311222", /*  20 */
    "321122", "321221", "312212", "322112", "322211", /*  25 */
    "212123", "212321", "232121", "111323", "131123", /*  30 */
    "131321", "112313", "132113", "132311", "211313", /*  35 */
    "231113", "231311", "112133", "112331", "132131", /*  40 */
    "113123", "113321", "133121", "313121", "211331", /*  45 */
    "231131", "213113", "213311", "213131", "311123", /*  50 */
    "311321", "331121", "312113", "312311", "332111", /*  55 */
    "314111", "221411", "431111", "111224", "111422", /*  60 */
    "121124", "121421", "141122", "141221", "112214", /*  65 */
    "112412", "122114", "122411", "142112", "142211", /*  70 */
    "241211", "221114", "413111", "241112", "134111", /*  75 */
    "111242", "121142", "121241", "114212", "124112", /*  80 */
    "124211", "411212", "421112", "421211", "212141", /*  85 */
    "214121", "412121", "111143", "111341", "131141", /*  90 */
    "114113", "114311", "411113", "411311", "113141", /*  95 */
    "114131", "311141", "411131", "211412", "211214", /* 100 */
    "211232", "2331112",                              /* 105 */
};

enum {
    CODE_C = 99,   /* in set B: switch to C */
    CODE_B = 100,  /* in set C: switch to B */
    START_B = 104,
    START_C = 105,
    STOP = 106,
    INF = 1 << 20,
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Value in code set B of a printable ASCII character. */
static int value_b(char c)
{
    return (unsigned char)c - 32;
}

/* Symbol values (start, data, check; no stop) for `text` of length n (1..48, validated).
 * Returns how many. */
static int encode_symbols(const char *text, int n, int *sym)
{
    /* run[i]: length of the run of digits that position i belongs to (0 for a non-digit). */
    int run[CODE128_MAX_TEXT + 1];
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && is_digit(text[j]))
            j++;
        if (j == i) {
            run[i++] = 0;
            continue;
        }
        for (int k = i; k < j; k++)
            run[k] = j - i;
        i = j;
    }
    /* cost_b[i] / cost_c[i]: fewest data symbols to encode text[i..] starting in set B / C;
     * pair[i]: encoding the digit pair at i in set C and going on from there (INF if the pair
     * is not part of a run of 4 or more digits). */
    int cost_b[CODE128_MAX_TEXT + 2], cost_c[CODE128_MAX_TEXT + 2], pair[CODE128_MAX_TEXT + 1];
    cost_b[n] = cost_c[n] = 0;
    cost_b[n + 1] = cost_c[n + 1] = INF;
    for (int i = n - 1; i >= 0; i--) {
        int ok = i + 1 < n && run[i] >= 4 && is_digit(text[i + 1]);
        pair[i] = ok ? 1 + cost_c[i + 2] : INF;
        int stay_b = 1 + cost_b[i + 1], to_c = 1 + pair[i];
        cost_b[i] = stay_b <= to_c ? stay_b : to_c;
        int to_b = 2 + cost_b[i + 1];
        cost_c[i] = pair[i] <= to_b ? pair[i] : to_b;
    }

    int count = 0, set_c = cost_c[0] < cost_b[0];
    sym[count++] = set_c ? START_C : START_B;
    for (int i = 0; i < n;) {
        if (set_c) {
            if (pair[i] <= 2 + cost_b[i + 1]) {
                sym[count++] = (text[i] - '0') * 10 + (text[i + 1] - '0');
                i += 2;
            } else {
                sym[count++] = CODE_B;
                set_c = 0;
            }
        } else if (pair[i] < cost_b[i + 1]) {
            sym[count++] = CODE_C;
            set_c = 1;
        } else {
            sym[count++] = value_b(text[i++]);
        }
    }
    long check = sym[0];
    for (int k = 1; k < count; k++)
        check += (long)k * sym[k];
    sym[count++] = (int)(check % 103);
    return count;
}

int code128_modules(const char *text, uint8_t *modules, size_t cap)
{
    if (!text || !modules)
        return -1;
    int n = 0;
    while (text[n] && n <= CODE128_MAX_TEXT) {
        unsigned char c = (unsigned char)text[n];
        if (c < 32 || c > 126)
            return -1;
        n++;
    }
    if (n < 1 || n > CODE128_MAX_TEXT)
        return -1;

    int sym[CODE128_MAX_TEXT + 3];
    int count = encode_symbols(text, n, sym);
    sym[count++] = STOP;
    size_t total = 11 * (size_t)(count - 1) + 13;
    if (cap < total)
        return -1;

    size_t m = 0;
    for (int k = 0; k < count; k++) {
        const char *p = PATTERN[sym[k]];
        for (int e = 0; p[e]; e++)
            for (int w = 0; w < p[e] - '0'; w++)
                modules[m++] = (uint8_t)(e % 2 == 0);
    }
    return (int)m;
}

int code128_draw(struct bitmap *b, int y, int height, const char *text)
{
    if (!b || y < 0 || height < 1)
        return -1;
    uint8_t mod[CODE128_MAX_MODULES];
    int n = code128_modules(text, mod, sizeof mod);
    if (n < 0)
        return -1;
    int scale = b->width / (n + 2 * CODE128_QUIET);
    if (scale < 1)
        return -1;
    if (scale > 4)
        scale = 4;
    if ((long)y + height > b->height) {
        if ((long)y + height > 65535 || bitmap_grow(b, y + height) != 0)
            return -1;
    }
    int x0 = (b->width - n * scale) / 2;
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && mod[j] == mod[i])
            j++;
        if (mod[i])
            bitmap_fill(b, x0 + i * scale, y, (j - i) * scale, height);
        i = j;
    }
    return scale;
}
