#include "redact.h"

#include <string.h>
#include <strings.h>

#include "core/codes.h"

#define KEYWORD_REACH 24 /* bytes before a short number where a keyword makes it private */
#define TOKEN_MAX 64     /* the longest number or address handed to a mask */

struct out {
    char *p;
    size_t n, cap;
    int full;
};

/* Appends k bytes, or nothing once they do not fit (the line ends there). */
static void put(struct out *o, const char *s, size_t k)
{
    if (o->full || o->n + k >= o->cap) {
        o->full = 1;
        return;
    }
    memcpy(o->p + o->n, s, k);
    o->n += k;
}

static void stars(struct out *o, size_t k)
{
    while (k--)
        put(o, "*", 1);
}

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

static int mail_local(char c)
{
    return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("._%+-", c));
}

static int mail_domain(char c)
{
    return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-';
}

/* A keyword that makes a short number private ends in the KEYWORD_REACH bytes before at. */
static int keyword_before(const char *line, size_t at)
{
    static const char *const words[] = {"code", "pin", "otp", "token", "passw", "member"};
    for (size_t i = at > KEYWORD_REACH ? at - KEYWORD_REACH : 0; i < at; i++)
        for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
            size_t k = strlen(words[w]);
            if (i + k <= at && !strncasecmp(line + i, words[w], k))
                return 1;
        }
    return 0;
}

/* The length of an email address at s (a local part, '@', a domain with a dot), or 0. */
static size_t mail_at(const char *s)
{
    size_t i = 0, dot = 0;
    while (mail_local(s[i]))
        i++;
    if (i == 0 || s[i] != '@')
        return 0;
    size_t d = ++i;
    while (mail_domain(s[i]))
        dot |= s[i++] == '.';
    return dot && i > d + 2 ? i : 0;
}

/* The length of the valid UTF-8 character at s (not a control character), or 0. */
static size_t char_at(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return c >= 0x20 && c != 0x7F ? 1 : 0;
    size_t k = c >= 0xC2 && c <= 0xDF   ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0; /* overlong, a surrogate, beyond U+10FFFF */
    return k;
}

/* A run of `run` digits at line + i (and an ID number's X after it when x). */
static int number(struct out *o, const char *line, size_t i, size_t run, int x)
{
    char tok[TOKEN_MAX], masked[TOKEN_MAX];
    size_t k = run + (size_t)x;
    if (k < TOKEN_MAX) {
        memcpy(tok, line + i, k);
        tok[k] = '\0';
    }
    if (k == 18 && (x || code_id_valid(tok))) {
        mask_id(tok, masked, sizeof masked);
    } else if (run == 11 && code_phone_valid(tok)) {
        mask_phone(tok, masked, sizeof masked);
    } else if (run >= 16 && k < TOKEN_MAX) {
        mask_code(tok, masked, sizeof masked);
    } else if (run >= 11 || (run >= 4 && keyword_before(line, i))) {
        stars(o, k);
        return 1;
    } else {
        put(o, line + i, k);
        return 0;
    }
    put(o, masked, strlen(masked));
    return 1;
}

int fl_redact(const char *line, char *out, size_t cap)
{
    struct out o = {out, 0, cap, cap == 0};
    int count = 0;
    size_t len = strlen(line), i = 0;
    while (i < len && !o.full) {
        size_t m = i == 0 || !mail_local(line[i - 1]) ? mail_at(line + i) : 0;
        if (m) {
            char tok[TOKEN_MAX] = "", masked[TOKEN_MAX];
            if (m < TOKEN_MAX) {
                memcpy(tok, line + i, m);
                tok[m] = '\0';
                mask_email(tok, masked, sizeof masked);
                put(&o, masked, strlen(masked));
            } else {
                stars(&o, m);
            }
            count++;
            i += m;
            continue;
        }
        if (digit(line[i])) {
            size_t j = i;
            while (digit(line[j]))
                j++;
            int x = j - i == 17 && (line[j] == 'X' || line[j] == 'x');
            count += number(&o, line, i, j - i, x);
            i = j + (size_t)x;
            continue;
        }
        size_t k = char_at((const unsigned char *)line + i);
        if (k) {
            put(&o, line + i, k);
            i += k;
        } else {
            put(&o, "?", 1);
            i++;
        }
    }
    if (cap)
        out[o.n] = '\0';
    return count;
}
