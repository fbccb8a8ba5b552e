#include "core/codes.h"

#include <stdio.h>
#include <stdint.h>
#include <string.h>

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int code_ean_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if ((n != 13 && n != 8) || !all_digits(s, n))
        return 0;
    /* Weights 3,1,3,1... from the digit left of the check digit. */
    int sum = 0;
    for (size_t i = 0; i < n - 1; i++) {
        int d = s[n - 2 - i] - '0';
        sum += (i % 2 == 0) ? 3 * d : d;
    }
    return (10 - sum % 10) % 10 == s[n - 1] - '0';
}

enum paycode_kind code_paycode_kind(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 16 || n > 24 || !all_digits(s, n))
        return PAYCODE_INVALID;
    int head = (s[0] - '0') * 10 + (s[1] - '0');
    if (n == 18 && head >= 10 && head <= 15)
        return PAYCODE_WECHAT;
    if (head >= 25 && head <= 30)
        return PAYCODE_ALIPAY;
    return PAYCODE_INVALID;
}

int code_phone_valid(const char *s)
{
    return s && strlen(s) == 11 && all_digits(s, 11) && s[0] == '1' && s[1] >= '3';
}

int code_date_valid(const char *d)
{
    if (!d || strnlen(d, 9) != 8 || !all_digits(d, 8))
        return 0;
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    int m = (d[4] - '0') * 10 + (d[5] - '0');
    int day = (d[6] - '0') * 10 + (d[7] - '0');
    if (y < 1900 || y > 2099 || m < 1 || m > 12 || day < 1 || day > days[m - 1])
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m != 2 || day <= 28 || leap;
}

/* The 8 characters at s, as a date (an ID number's birth date). */
static int code_date_valid_at(const char *s)
{
    char d[9];
    memcpy(d, s, 8);
    d[8] = '\0';
    return code_date_valid(d);
}

int code_id_valid(const char *s)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    if (!s || strlen(s) != 18 || !all_digits(s, 17) || s[0] == '0' || !code_date_valid_at(s + 6))
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (s[i] - '0') * w[i];
    char c = s[17] == 'x' ? 'X' : s[17];
    return check[sum % 11] == c;
}

int code_digit_run(const char *s, int n)
{
    int run = 0;
    for (; s && *s; s++)
        if ((run = *s >= '0' && *s <= '9' ? run + 1 : 0) >= n)
            return 1;
    return 0;
}

int code_scan_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > CODE_SCAN_MAX)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p, len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                                         : (c & 0xF8) == 0xF0   ? 4
                                                                : 0;
        if (len == 0)
            return 0; /* a stray continuation byte, or no UTF-8 lead byte at all */
        uint32_t cp = len == 1 ? c : c & (0x7Fu >> len);
        for (unsigned i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0; /* cut short */
            cp = cp << 6 | (p[i] & 0x3F);
        }
        static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0; /* overlong, beyond Unicode, or a surrogate */
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
            return 0; /* a control character: no code holds one */
        p += len;
    }
    return 1;
}

enum code_kind code_classify(const char *s)
{
    if (!code_scan_ok(s))
        return CODE_NOT_A_CODE;
    if (code_paycode_kind(s) != PAYCODE_INVALID)
        return CODE_PAYMENT;
    if (code_ean_valid(s))
        return CODE_PRODUCT;
    if (code_phone_valid(s))
        return CODE_PHONE;
    if (code_id_valid(s))
        return CODE_ID_NUMBER;
    if (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8))
        return CODE_URL;
    return CODE_OTHER;
}

const char *code_kind_name(enum code_kind k)
{
    switch (k) {
    case CODE_PAYMENT: return "payment code";
    case CODE_PRODUCT: return "product barcode";
    case CODE_PHONE: return "mobile number";
    case CODE_ID_NUMBER: return "ID number";
    case CODE_URL: return "web address";
    case CODE_OTHER: return "other code";
    default: return "not a code";
    }
}

int code_taxid_valid(const char *s)
{
    static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    size_t n = s ? strlen(s) : 0;
    if (n < 15 || n > 20)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
            return 0;
    }
    if (n != 18)
        return 1;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        const char *p = strchr(set, s[i]);
        if (!p)
            return 0;
        sum += (int)(p - set) * w[i];
    }
    int c = 31 - sum % 31;
    if (c == 31)
        c = 0;
    return set[c] == s[17];
}

/* Keeps `head` and `tail` characters, stars in between (at least 4 stars). */
static void mask_middle(const char *s, size_t head, size_t tail, char *out, size_t cap)
{
    size_t n = s ? strlen(s) : 0;
    if (cap == 0)
        return;
    if (n <= head + tail) {
        /* Too short to show any part safely. */
        size_t k = n < cap - 1 ? n : cap - 1;
        memset(out, '*', k);
        out[k] = '\0';
        return;
    }
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        out[o++] = (i < head || i >= n - tail) ? s[i] : '*';
    out[o] = '\0';
}

void mask_phone(const char *s, char *out, size_t cap)
{
    mask_middle(s, 3, 4, out, cap);
}

void mask_id(const char *s, char *out, size_t cap)
{
    if (!out || !cap)
        return;
    int ok = s && strnlen(s, 19) == 18 && all_digits(s, 17) &&
             ((s[17] >= '0' && s[17] <= '9') || s[17] == 'X' || s[17] == 'x');
    if (ok)
        snprintf(out, cap, "%.3s***********%.4s", s, s + 14);
    else
        snprintf(out, cap, "******************"); /* not a number: nothing of it shown */
}

void mask_code(const char *s, char *out, size_t cap)
{
    mask_middle(s, 4, 4, out, cap);
}

void mask_email(const char *s, char *out, size_t cap)
{
    const char *at = s ? strchr(s, '@') : NULL;
    if (!cap)
        return;
    if (!at || at == s || (unsigned char)s[0] >= 0x80) {
        snprintf(out, cap, "***");
        return;
    }
    /* a domain is no one's, unless it is a number (a phone number's QQ-style mailbox) */
    int run = 0, numbered = 0;
    for (const char *p = at + 1; *p; p++) {
        run = *p >= '0' && *p <= '9' ? run + 1 : 0;
        numbered |= run >= 4;
    }
    snprintf(out, cap, "%c***@%s", s[0], numbered ? "***" : at + 1);
}

/* The length of the valid UTF-8 character at s (shortest form, a scalar value), else 0. */
static size_t utf8_char(const unsigned char *s)
{
    unsigned c = s[0];
    size_t len = c < 0x80             ? 1
                 : (c & 0xE0) == 0xC0 ? 2
                 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (len <= 1)
        return len;
    uint32_t cp = c & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0; /* also stops at the NUL */
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

void mask_name(const char *name, char *out, size_t cap)
{
    if (!out || !cap)
        return;
    out[0] = '\0';
    if (!name || !name[0])
        return;
    const unsigned char *s = (const unsigned char *)name;
    size_t o = 0, first = utf8_char(s);
    /* a control character is not shown either */
    if ((first == 1 && (s[0] < 0x20 || s[0] == 0x7F)) ||
        (first == 2 && s[0] == 0xC2 && s[1] < 0xA0))
        first = 0;
    if (first) {
        if (first + 1 > cap)
            return; /* not even the first character fits */
        memcpy(out, s, first);
        o = first;
        s += first;
    }
    /* One star per character left (a byte that is not UTF-8 counts as one; the first
     * character, when it is not UTF-8 text, is a star too). */
    while (*s && o + 1 < cap) {
        size_t k = utf8_char(s);
        s += k ? k : 1;
        out[o++] = '*';
    }
    out[o] = '\0';
}
