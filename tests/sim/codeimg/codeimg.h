/* Test images of codes, as a camera would see them: QR codes (libqrencode), EAN-13 and
 * EAN-8 (drawn here, from the standard's tables) and Code 128 (the project's own encoder,
 * printer/code128.h) are drawn black on white at one pixel per module, then placed into a
 * grey frame rotated, scaled, blurred, at a lower contrast, inverted (a phone in dark mode)
 * and with sensor noise. The camera's tests, its bench and the simulator's scenarios use
 * them; kiosk-codeimg writes them as PNG files. Nothing here is used by the kiosk. */
#ifndef TESTS_SIM_CODEIMG_H
#define TESTS_SIM_CODEIMG_H

#include <stddef.h>
#include <stdint.h>

/* An 8-bit grey image: w * h bytes, rows top to bottom, no padding; 0 black, 255 white. */
struct cimg {
    int w, h;
    uint8_t *px; /* owned */
};

/* A w x h image filled with `grey`; NULL on a bad size (1..8192 each) or no memory. */
struct cimg *cimg_create(int w, int h, uint8_t grey);
void cimg_destroy(struct cimg *img); /* NULL-safe */

/* Symbols, one pixel per module, black on white, with their quiet zones. NULL when the text
 * cannot be that symbol (or no memory). `text` is borrowed. */
/* QR code, error correction level M, 8-bit mode, 4-module quiet zone. */
struct cimg *cimg_qr(const char *text);
/* The same from `n` bytes (any bytes, NUL included). */
struct cimg *cimg_qr_bytes(const uint8_t *data, size_t n);
/* EAN-13 (13 digits) or EAN-8 (8 digits), its check digit right; bars `height` modules tall,
 * quiet zones of 11 (EAN-13) or 7 (EAN-8) modules each side and 5 above and below. */
struct cimg *cimg_ean(const char *digits, int height);
/* Code 128 (printer/code128.h's text rules), bars `height` modules tall, 10-module quiet
 * zones each side and 5 above and below. */
struct cimg *cimg_code128(const char *text, int height);

/* `digits` (7 or 12 digits, borrowed) with its EAN check digit appended, into out (cap >= 14).
 * 0, or -1 when digits is not 7 or 12 digits. */
int cimg_ean_complete(const char *digits, char *out, size_t cap);

/* How a symbol is seen. */
struct cimg_view {
    int w, h;         /* the frame */
    double module;    /* pixels per module in the frame (> 0) */
    double angle;     /* rotation, degrees, counter-clockwise */
    double cx, cy;    /* where the symbol's centre is, as a fraction of w and h (0.5 = middle) */
    uint8_t dark;     /* what black prints as (0 for full contrast) */
    uint8_t light;    /* what white prints as (255) */
    uint8_t surround; /* the frame outside the symbol, before inversion (the screen's white
                       * or a background) */
    double blur;      /* radius in pixels of a Gaussian-like blur (0 = sharp) */
    int invert;       /* 1: white on black (after the contrast) */
    int noise;        /* +-noise grey levels of uniform sensor noise (0 = none) */
    uint32_t seed;    /* of the noise */
};

/* Fills `v` for a w x h frame: centred, `module` pixels a module, upright, full contrast, white
 * surround, sharp, not inverted, no noise. */
void cimg_view_init(struct cimg_view *v, int w, int h, double module);

/* `sym` (borrowed) as seen through `v`: a new w x h frame (each pixel the average of 4 x 4
 * samples, as a sensor integrates light), or NULL on a bad view or no memory. */
struct cimg *cimg_render(const struct cimg *sym, const struct cimg_view *v);

/* The steps of cimg_render after the sampling, for callers that vary one of them over the
 * same frame (blur and the tone curve commute: both are linear). */
/* A Gaussian blur of standard deviation sigma (pixels), in place. 0, or -1 on no memory. */
int cimg_blur(struct cimg *img, double sigma);
/* Maps black to `dark` and white to `light` (linearly), then inverts when `invert`. */
void cimg_tone(struct cimg *img, uint8_t dark, uint8_t light, int invert);
/* Adds +-amp grey levels of uniform noise from `seed` (xorshift32). */
void cimg_noise(struct cimg *img, int amp, uint32_t seed);
/* A copy of img, or NULL on no memory. */
struct cimg *cimg_copy(const struct cimg *img);

/* Pastes `src` into `dst` with its top-left corner at (x, y), clipped. */
void cimg_paste(struct cimg *dst, const struct cimg *src, int x, int y);

/* Writes img as an 8-bit grey PNG. 0, or -1 with the reason in err. */
int cimg_write_png(const struct cimg *img, const char *path, char *err, size_t errcap);

#endif
