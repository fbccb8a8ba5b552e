/* The camera's decoder (camera.h): ZBar's image scanner over grey ("Y800") frames. The only
 * module that uses ZBar.
 *
 * Inverted codes: ZBar 0.23.92 has ZBAR_CFG_TEST_INVERTED, but it allocates a whole copy of
 * the frame on every frame without a code (and asserts the allocation), and its inverting
 * loop works a word at a time past the end of frames whose size is not a multiple of
 * sizeof(long). So the second pass is done here, into a buffer kept between frames.
 *
 * Every pass gets a scanner of its own (creating one takes microseconds): ZBar's EAN decoder
 * joins a left half and a right half read on different scan lines, and keeps a half from one
 * frame for the next, where it can meet a half of another reading (seen in the tests: a
 * rotated EAN-13 read with the left half of an earlier frame). A frame's result depends on
 * that frame alone.
 *
 * EAN's one check digit lets about one misread in ten through, so an EAN-13/EAN-8 read must
 * come from at least EAN_MIN_QUALITY scan lines (ZBar's own floor is 4); the wrong reads seen
 * in the tests had quality 4 and 5, and a code held in front of a camera crosses dozens of
 * lines. QR codes (Reed-Solomon) and Code 128 (mod 103 check) are taken as ZBar gives them.
 *
 * Code text: the symbols' buffers are wiped once read (ZBar keeps them for later frames);
 * ZBar's own working memory (its line decoders' buffers, the QR text it assembles before
 * copying it into a symbol) is out of reach and freed unwiped.
 *
 * QR codes are read in ZBar's binary mode: the bytes as the symbol holds them, not converted
 * from a guessed character set (SJIS, Big5, Latin-1) into UTF-8. Bytes that are not UTF-8 are
 * then refused by code_scan_ok(), never turned into another text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

#include "core/codes.h"
#include "core/sign.h"
#include "scanner/camera.h"

#define EAN_MIN_QUALITY 6

struct zdec {
    unsigned mask;
    zbar_image_t *img;
    int inverted;
    uint8_t *inv; /* the inverted frame */
    size_t invcap;
    uint8_t *tight; /* the frame without row padding, when it had some */
    size_t tightcap;
};

static const struct {
    const char *name;
    unsigned bit;
    zbar_symbol_type_t type;
} syms[] = {
    {"qr", ZDEC_QR, ZBAR_QRCODE},
    {"ean13", ZDEC_EAN13, ZBAR_EAN13},
    {"ean8", ZDEC_EAN8, ZBAR_EAN8},
    {"code128", ZDEC_CODE128, ZBAR_CODE128},
};
#define NSYMS (sizeof syms / sizeof syms[0])

const char *zdec_sym_name(unsigned sym)
{
    for (size_t i = 0; i < NSYMS; i++)
        if (syms[i].bit == sym)
            return syms[i].name;
    return "?";
}

int zdec_symbologies(const char *list, unsigned *mask, char *err, size_t errcap)
{
    unsigned m = 0;
    const char *p = list ? list : "";
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        if (!n)
            break;
        size_t i = 0;
        while (i < NSYMS && !(strlen(syms[i].name) == n && !strncmp(syms[i].name, p, n)))
            i++;
        if (i == NSYMS) {
            snprintf(err, errcap, "symbologies: unknown '%.*s' (qr, ean13, ean8, code128)",
                     (int)(n > 20 ? 20 : n), p);
            return -1;
        }
        m |= syms[i].bit;
        p += n;
    }
    if (!m) {
        snprintf(err, errcap, "symbologies: none given (qr, ean13, ean8, code128)");
        return -1;
    }
    *mask = m;
    return 0;
}

struct zdec *zdec_create(unsigned mask, int inverted)
{
    struct zdec *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->img = zbar_image_create();
    if (!z->img) {
        free(z);
        return NULL;
    }
    z->mask = mask & ZDEC_ALL;
    z->inverted = inverted;
    zbar_image_set_format(z->img, zbar_fourcc('Y', '8', '0', '0'));
    return z;
}

/* A scanner for one pass: the symbologies asked for, everything else (ISBN, UPC, add-ons,
 * Code 39, ...) off. NULL on no memory. */
static zbar_image_scanner_t *scanner(unsigned mask)
{
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    if (!sc)
        return NULL;
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    for (size_t i = 0; i < NSYMS; i++)
        if (mask & syms[i].bit)
            zbar_image_scanner_set_config(sc, syms[i].type, ZBAR_CFG_ENABLE, 1);
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
    /* Where a symbol is in the frame is not used. */
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_POSITION, 0);
    return sc;
}

void zdec_destroy(struct zdec *z)
{
    if (!z)
        return;
    zbar_image_destroy(z->img);
    free(z->inv);
    free(z->tight);
    free(z);
}

void zdec_read_wipe(struct zdec_read *r)
{
    sign_wipe(r, sizeof *r);
}

/* FNV-1a, 64 bits, with a final mix: the identity of a code for the debounce. */
static uint64_t hash_bytes(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3u;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    return h;
}

static int grow(uint8_t **buf, size_t *cap, size_t n)
{
    if (*cap >= n)
        return 0;
    uint8_t *p = realloc(*buf, n);
    if (!p)
        return -1;
    *buf = p;
    *cap = n;
    return 0;
}

/* Scans `data` once; adds what it holds to *out (distinct codes by key). The first code's
 * text goes to out->text when it can be one. Returns the symbols kept. */
static int scan(struct zdec *z, const uint8_t *data, int w, int h, int inverted,
                struct zdec_read *out)
{
    zbar_image_scanner_t *sc = scanner(z->mask);
    if (!sc)
        return 0;
    zbar_image_set_size(z->img, (unsigned)w, (unsigned)h);
    zbar_image_set_data(z->img, data, (unsigned long)w * (unsigned long)h, NULL);
    int kept = 0;
    zbar_scan_image(sc, z->img);
    for (const zbar_symbol_t *s = zbar_image_first_symbol(z->img); s; s = zbar_symbol_next(s)) {
        unsigned bit = 0;
        for (size_t i = 0; i < NSYMS; i++)
            if (syms[i].type == zbar_symbol_get_type(s))
                bit = syms[i].bit;
        const char *data_s = zbar_symbol_get_data(s);
        size_t len = zbar_symbol_get_data_length(s);
        if ((bit & (ZDEC_EAN13 | ZDEC_EAN8)) && zbar_symbol_get_quality(s) < EAN_MIN_QUALITY)
            bit = 0; /* too few lines agree: not taken, nor counted as a second code */
        if (bit && data_s) {
            uint64_t key = hash_bytes(data_s, len);
            int q = zbar_symbol_get_quality(s), k = 0;
            while (k < out->nkeys && out->keys[k] != key)
                k++;
            if (k == out->nkeys && k < ZDEC_MAX_CODES) {
                out->keys[out->nkeys++] = key;
                if (k == 0) {
                    out->sym = bit;
                    out->len = len;
                    out->quality = q;
                    out->inverted = inverted;
                    if (len <= CODE_SCAN_MAX)
                        memcpy(out->text, data_s, len);
                }
                kept++;
            } else if (k == 0 && q > out->quality) {
                out->quality = q;
            }
        }
        /* ZBar keeps the symbol's buffer for the next frame: the text goes now. The buffer is
         * ZBar's own heap memory, handed out as const only so that callers do not change a
         * result they read. */
        if (data_s && len)
            sign_wipe((void *)(uintptr_t)data_s, len);
    }
    zbar_image_scanner_recycle_image(sc, z->img);
    zbar_image_set_data(z->img, NULL, 0, NULL);
    zbar_image_scanner_destroy(sc);
    return kept;
}

static int cmp_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int zdec_frame(struct zdec *z, const uint8_t *grey, int w, int h, int stride, struct zdec_read *out)
{
    memset(out, 0, sizeof *out);
    if (!z || !grey || w < 1 || h < 1 || stride < w)
        return ZDEC_NONE;
    const size_t n = (size_t)w * (size_t)h;
    const uint8_t *data = grey;
    if (stride != w) {
        if (grow(&z->tight, &z->tightcap, n) != 0)
            return ZDEC_NONE;
        for (int y = 0; y < h; y++)
            memcpy(z->tight + (size_t)y * (size_t)w, grey + (size_t)y * (size_t)stride, (size_t)w);
        data = z->tight;
    }
    if (scan(z, data, w, h, 0, out) == 0 && z->inverted && grow(&z->inv, &z->invcap, n) == 0) {
        for (size_t i = 0; i < n; i++)
            z->inv[i] = (uint8_t)(255 - data[i]);
        scan(z, z->inv, w, h, 1, out);
    }

    if (out->nkeys == 0)
        return ZDEC_NONE;
    if (out->nkeys > 1) {
        int nk = out->nkeys;
        sign_wipe(out->text, sizeof out->text);
        qsort(out->keys, (size_t)nk, sizeof out->keys[0], cmp_key);
        out->key = hash_bytes(out->keys, (size_t)nk * sizeof out->keys[0]);
        out->sym = 0;
        snprintf(out->why, sizeof out->why, "more than one code in view (%d)", nk);
        return ZDEC_REFUSED;
    }
    out->key = out->keys[0];
    if (out->len > CODE_SCAN_MAX) {
        snprintf(out->why, sizeof out->why, "too long for a code (%zu bytes)", out->len);
        return ZDEC_REFUSED;
    }
    if (strlen(out->text) != out->len || !code_scan_ok(out->text)) {
        sign_wipe(out->text, sizeof out->text);
        snprintf(out->why, sizeof out->why, "not text a code can hold (%zu bytes)", out->len);
        return ZDEC_REFUSED;
    }
    return ZDEC_CODE;
}
