#include "core/money.h"

#include <stdio.h>
#include <string.h>

char *money_format(int64_t fen, char *buf, size_t cap)
{
    char digits[32];
    char out[48];
    size_t o = 0;
    int neg = fen < 0;
    /* Work on the magnitude as unsigned so INT64_MIN is safe. */
    uint64_t mag = neg ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    uint64_t yuan = mag / 100;
    unsigned cents = (unsigned)(mag % 100);

    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)yuan);
    if (n < 0)
        n = 0;
    if (neg)
        out[o++] = '-';
    memcpy(out + o, "\xc2\xa5", 2); /* ¥ */
    o += 2;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    snprintf(out + o, sizeof out - o, ".%02u", cents);
    snprintf(buf, cap, "%s", out);
    return buf;
}

char *volume_format(int64_t ml, char *buf, size_t cap)
{
    int neg = ml < 0;
    uint64_t mag = neg ? (uint64_t)0 - (uint64_t)ml : (uint64_t)ml;
    uint64_t cl = (mag + 5) / 10; /* centilitres, half up */
    snprintf(buf, cap, "%s%llu.%02llu L", neg ? "-" : "", (unsigned long long)(cl / 100),
             (unsigned long long)(cl % 100));
    return buf;
}

int money_parse(const char *s, int64_t *fen)
{
    int64_t yuan = 0;
    int cents = 0, decimals = -1, any = 0;
    if (!s)
        return -1;
    if (strncmp(s, "\xc2\xa5", 2) == 0)
        s += 2;
    for (; *s; s++) {
        if (*s == ',' && decimals < 0)
            continue;
        if (*s == '.' && decimals < 0) {
            decimals = 0;
            continue;
        }
        if (*s < '0' || *s > '9')
            return -1;
        int d = *s - '0';
        any = 1;
        if (decimals < 0) {
            if (yuan > (INT64_MAX / 100 - d) / 10)
                return -1;
            yuan = yuan * 10 + d;
        } else {
            if (decimals >= 2)
                return -1;
            cents = cents * 10 + d;
            decimals++;
        }
    }
    if (!any)
        return -1;
    if (decimals == 1)
        cents *= 10;
    *fen = yuan * 100 + cents;
    return 0;
}

int64_t money_mul_volume(int64_t price, int64_t ml)
{
    if (price < 0 || ml < 0)
        return -1;
    if (ml != 0 && price > (INT64_MAX - 500) / ml)
        return -1;
    return (price * ml + 500) / 1000;
}
