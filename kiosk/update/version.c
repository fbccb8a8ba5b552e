#include "update/version.h"

#include <string.h>

/* The three parts of s into v; 0, or -1 when s is not a version. */
static int parse(const char *s, long v[3])
{
    if (!s || strlen(s) >= VERSION_MAX)
        return -1;
    for (int i = 0; i < 3; i++) {
        int digits = 0;
        long n = 0;
        if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
            return -1; /* a leading zero */
        while (*s >= '0' && *s <= '9') {
            if (++digits > 9)
                return -1;
            n = n * 10 + (*s++ - '0');
        }
        if (!digits)
            return -1;
        v[i] = n;
        if (i < 2 && *s++ != '.')
            return -1;
    }
    return *s ? -1 : 0;
}

int version_valid(const char *s)
{
    long v[3];
    return parse(s, v) == 0;
}

int version_cmp(const char *a, const char *b)
{
    long x[3], y[3];
    if (parse(a, x) != 0 || parse(b, y) != 0)
        return -2;
    for (int i = 0; i < 3; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}
