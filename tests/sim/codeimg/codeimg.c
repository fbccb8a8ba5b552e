#include "codeimg.h"

#include <math.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pngio.h"
#include "printer/code128.h"

struct cimg *cimg_create(int w, int h, uint8_t grey)
{
    if (w < 1 || h < 1 || w > 8192 || h > 8192)
        return NULL;
    struct cimg *img = malloc(sizeof *img);
    if (!img)
        return NULL;
    img->px = malloc((size_t)w * (size_t)h);
    if (!img->px) {
        free(img);
        return NULL;
    }
    img->w = w;
    img->h = h;
    memset(img->px, grey, (size_t)w * (size_t)h);
    return img;
}

void cimg_destroy(struct cimg *img)
{
    if (!img)
        return;
    free(img->px);
    free(img);
}

/* Paints module column x black over rows y0..y1-1. */
static void bar(struct cimg *img, int x, int y0, int y1)
{
    for (int y = y0; y < y1; y++)
        img->px[(size_t)y * (size_t)img->w + (size_t)x] = 0;
}

struct cimg *cimg_qr(const char *text)
{
    return text ? cimg_qr_bytes((const uint8_t *)text, strlen(text)) : NULL;
}

struct cimg *cimg_qr_bytes(const uint8_t *data, size_t n)
{
    if (!data || n == 0 || n > 2900)
        return NULL;
    QRcode *qr = QRcode_encodeData((int)n, data, 0, QR_ECLEVEL_M);
    if (!qr)
        return NULL;
    const int quiet = 4, qw = qr->width;
    struct cimg *img = cimg_create(qw + 2 * quiet, qw + 2 * quiet, 255);
    if (img)
        for (int y = 0; y < qw; y++)
            for (int x = 0; x < qw; x++)
                if (qr->data[y * qw + x] & 1)
                    img->px[(size_t)(y + quiet) * (size_t)img->w + (size_t)(x + quiet)] = 0;
    QRcode_free(qr);
    return img;
}

/* The EAN "L" (odd parity) patterns of the left half, 7 modules each, high bit first; "R" is
 * their complement and "G" (even parity) the R pattern reversed. */
static const uint8_t ean_l[10] = {0x0d, 0x19, 0x13, 0x3d, 0x23, 0x31, 0x2f, 0x3b, 0x37, 0x0b};
/* Which of EAN-13's digits 2..7 are G, by the first digit (bit 5 = digit 2). */
static const uint8_t ean_parity[10] = {0x00, 0x0b, 0x0d, 0x0e, 0x13, 0x19, 0x1c, 0x15, 0x16, 0x1a};

enum ean_set { EAN_L, EAN_G, EAN_R };

static int ean_digit(uint8_t *mod, int at, int digit, enum ean_set set)
{
    uint8_t l = ean_l[digit], r = (uint8_t)(~l & 0x7f);
    for (int i = 0; i < 7; i++) {
        int bit;
        if (set == EAN_L)
            bit = l >> (6 - i) & 1;
        else if (set == EAN_R)
            bit = r >> (6 - i) & 1;
        else
            bit = r >> i & 1; /* R reversed */
        mod[at + i] = (uint8_t)bit;
    }
    return at + 7;
}

static int ean_guard(uint8_t *mod, int at, const char *pattern)
{
    for (; *pattern; pattern++)
        mod[at++] = *pattern == '1';
    return at;
}

int cimg_ean_complete(const char *digits, char *out, size_t cap)
{
    size_t n = digits ? strlen(digits) : 0;
    if ((n != 7 && n != 12) || cap < n + 2)
        return -1;
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return -1;
        /* weights 3, 1, 3, ... from the rightmost data digit */
        sum += (digits[i] - '0') * ((n - i) % 2 ? 3 : 1);
    }
    memcpy(out, digits, n);
    out[n] = (char)('0' + (10 - sum % 10) % 10);
    out[n + 1] = '\0';
    return 0;
}

struct cimg *cimg_ean(const char *digits, int height)
{
    size_t n = digits ? strlen(digits) : 0;
    if ((n != 13 && n != 8) || height < 1)
        return NULL;
    int d[13];
    for (size_t i = 0; i < n; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return NULL;
        d[i] = digits[i] - '0';
    }
    char check[16];
    char data[13];
    memcpy(data, digits, n - 1);
    data[n - 1] = '\0';
    if (cimg_ean_complete(data, check, sizeof check) != 0 || check[n - 1] != digits[n - 1])
        return NULL;

    uint8_t mod[95];
    int at = ean_guard(mod, 0, "101");
    if (n == 13) {
        for (int i = 1; i <= 6; i++)
            at = ean_digit(mod, at, d[i], ean_parity[d[0]] >> (6 - i) & 1 ? EAN_G : EAN_L);
        at = ean_guard(mod, at, "01010");
        for (int i = 7; i <= 12; i++)
            at = ean_digit(mod, at, d[i], EAN_R);
    } else {
        for (int i = 0; i < 4; i++)
            at = ean_digit(mod, at, d[i], EAN_L);
        at = ean_guard(mod, at, "01010");
        for (int i = 4; i < 8; i++)
            at = ean_digit(mod, at, d[i], EAN_R);
    }
    at = ean_guard(mod, at, "101");

    const int quiet = n == 13 ? 11 : 7, vq = 5;
    struct cimg *img = cimg_create(at + 2 * quiet, height + 2 * vq, 255);
    if (img)
        for (int x = 0; x < at; x++)
            if (mod[x])
                bar(img, quiet + x, vq, vq + height);
    return img;
}

struct cimg *cimg_code128(const char *text, int height)
{
    uint8_t mod[CODE128_MAX_MODULES];
    int n = code128_modules(text, mod, sizeof mod);
    if (n <= 0 || height < 1)
        return NULL;
    const int quiet = CODE128_QUIET, vq = 5;
    struct cimg *img = cimg_create(n + 2 * quiet, height + 2 * vq, 255);
    if (img)
        for (int x = 0; x < n; x++)
            if (mod[x])
                bar(img, quiet + x, vq, vq + height);
    return img;
}

void cimg_view_init(struct cimg_view *v, int w, int h, double module)
{
    memset(v, 0, sizeof *v);
    v->w = w;
    v->h = h;
    v->module = module;
    v->cx = v->cy = 0.5;
    v->dark = 0;
    v->light = 255;
    v->surround = 255;
    v->seed = 1;
}

int cimg_blur(struct cimg *img, double sigma)
{
    int r = (int)ceil(3.0 * sigma);
    if (r < 1)
        return 0;
    double *k = malloc(sizeof *k * (size_t)(2 * r + 1));
    float *tmp = malloc(sizeof *tmp * (size_t)img->w * (size_t)img->h);
    if (!k || !tmp) {
        free(k);
        free(tmp);
        return -1;
    }
    double sum = 0;
    for (int i = -r; i <= r; i++)
        sum += k[i + r] = exp(-(double)(i * i) / (2.0 * sigma * sigma));
    for (int i = 0; i <= 2 * r; i++)
        k[i] /= sum;
    const int w = img->w, h = img->h;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double a = 0;
            for (int i = -r; i <= r; i++) {
                int xx = x + i < 0 ? 0 : x + i >= w ? w - 1 : x + i;
                a += k[i + r] * img->px[(size_t)y * (size_t)w + (size_t)xx];
            }
            tmp[(size_t)y * (size_t)w + (size_t)x] = (float)a;
        }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double a = 0;
            for (int i = -r; i <= r; i++) {
                int yy = y + i < 0 ? 0 : y + i >= h ? h - 1 : y + i;
                a += k[i + r] * tmp[(size_t)yy * (size_t)w + (size_t)x];
            }
            img->px[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)lround(a < 0     ? 0
                                                                         : a > 255 ? 255
                                                                                   : a);
        }
    free(k);
    free(tmp);
    return 0;
}

struct cimg *cimg_render(const struct cimg *sym, const struct cimg_view *v)
{
    if (!sym || !v || v->module <= 0 || v->blur < 0)
        return NULL;
    struct cimg *img = cimg_create(v->w, v->h, v->surround);
    if (!img)
        return NULL;
    const double th = v->angle * M_PI / 180.0, c = cos(th), s = sin(th);
    const double ox = v->cx * v->w, oy = v->cy * v->h;
    const double hw = sym->w / 2.0, hh = sym->h / 2.0;
    /* the rotated symbol's bounding box in the frame */
    const double ex = (fabs(c) * hw + fabs(s) * hh) * v->module + 2;
    const double ey = (fabs(s) * hw + fabs(c) * hh) * v->module + 2;
    int x0 = (int)floor(ox - ex), x1 = (int)ceil(ox + ex);
    int y0 = (int)floor(oy - ey), y1 = (int)ceil(oy + ey);
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > v->w ? v->w : x1;
    y1 = y1 > v->h ? v->h : y1;
    const int span = v->light - v->dark;
    enum { SS = 4 };
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            int acc = 0;
            for (int j = 0; j < SS; j++)
                for (int i = 0; i < SS; i++) {
                    double dx = x + (i + 0.5) / SS - ox, dy = y + (j + 0.5) / SS - oy;
                    /* a symbol turned counter-clockwise on the screen (y down) */
                    double u = (dx * c - dy * s) / v->module + hw;
                    double w = (dx * s + dy * c) / v->module + hh;
                    int mu = (int)floor(u), mw = (int)floor(w);
                    if (mu < 0 || mw < 0 || mu >= sym->w || mw >= sym->h)
                        acc += v->surround;
                    else
                        acc += v->dark +
                               span * sym->px[(size_t)mw * (size_t)sym->w + (size_t)mu] / 255;
                }
            img->px[(size_t)y * (size_t)v->w + (size_t)x] =
                (uint8_t)((acc + SS * SS / 2) / (SS * SS));
        }
    if (v->blur > 0 && cimg_blur(img, v->blur) != 0) {
        cimg_destroy(img);
        return NULL;
    }
    if (v->invert)
        cimg_tone(img, 0, 255, 1);
    cimg_noise(img, v->noise, v->seed);
    return img;
}

void cimg_tone(struct cimg *img, uint8_t dark, uint8_t light, int invert)
{
    const int span = light - dark;
    size_t n = (size_t)img->w * (size_t)img->h;
    for (size_t i = 0; i < n; i++) {
        int p = dark + (span * img->px[i] + 127) / 255;
        img->px[i] = (uint8_t)(invert ? 255 - p : p);
    }
}

void cimg_noise(struct cimg *img, int amp, uint32_t seed)
{
    if (amp <= 0)
        return;
    uint32_t rng = seed ? seed : 1;
    size_t n = (size_t)img->w * (size_t)img->h;
    for (size_t i = 0; i < n; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        int p = img->px[i] + (int)(rng % (uint32_t)(2 * amp + 1)) - amp;
        img->px[i] = (uint8_t)(p < 0 ? 0 : p > 255 ? 255 : p);
    }
}

struct cimg *cimg_copy(const struct cimg *img)
{
    struct cimg *c = cimg_create(img->w, img->h, 0);
    if (c)
        memcpy(c->px, img->px, (size_t)img->w * (size_t)img->h);
    return c;
}

void cimg_paste(struct cimg *dst, const struct cimg *src, int x, int y)
{
    for (int j = 0; j < src->h; j++) {
        int yy = y + j;
        if (yy < 0 || yy >= dst->h)
            continue;
        for (int i = 0; i < src->w; i++) {
            int xx = x + i;
            if (xx >= 0 && xx < dst->w)
                dst->px[(size_t)yy * (size_t)dst->w + (size_t)xx] =
                    src->px[(size_t)j * (size_t)src->w + (size_t)i];
        }
    }
}

int cimg_write_png(const struct cimg *img, const char *path, char *err, size_t errcap)
{
    return pngio_write(path, img->w, img->h, 1, img->px, (size_t)img->w, NULL, NULL, err, errcap);
}
