#include "printer/escpos.h"

#include <stdlib.h>
#include <string.h>

static const char *const state_names[PRINTER_STATE_LAST] = {
    "ok", "paper near end", "paper out", "cover open", "offline", "error", "unknown", "absent",
};

const char *printer_state_name(enum printer_state s)
{
    return s < PRINTER_STATE_LAST ? state_names[s] : "unknown";
}

int printer_state_can_print(enum printer_state s)
{
    return s == PRINTER_OK || s == PRINTER_PAPER_NEAR_END;
}

uint8_t *escpos_encode(const struct bitmap *b, int band_rows, size_t *len)
{
    if (band_rows < 1)
        band_rows = 256;
    size_t bands = (size_t)(b->height + band_rows - 1) / (size_t)band_rows;
    size_t cap = 2 + bands * 8 + (size_t)b->stride * (size_t)b->height + 3 + 4;
    uint8_t *out = malloc(cap), *p = out;
    if (!out)
        return NULL;
    *p++ = 0x1B; /* ESC @: initialise */
    *p++ = 0x40;
    for (int y = 0; y < b->height; y += band_rows) {
        int rows = b->height - y < band_rows ? b->height - y : band_rows;
        *p++ = 0x1D; /* GS v 0 m xL xH yL yH */
        *p++ = 0x76;
        *p++ = 0x30;
        *p++ = 0x00;
        *p++ = (uint8_t)(b->stride & 0xFF);
        *p++ = (uint8_t)(b->stride >> 8);
        *p++ = (uint8_t)(rows & 0xFF);
        *p++ = (uint8_t)(rows >> 8);
        size_t nbytes = (size_t)b->stride * (size_t)rows;
        memcpy(p, b->bits + (size_t)y * (size_t)b->stride, nbytes);
        p += nbytes;
    }
    *p++ = 0x1B; /* ESC d 3: feed three lines past the cutter */
    *p++ = 0x64;
    *p++ = 0x03;
    *p++ = 0x1D; /* GS V 66 0: feed and partial cut */
    *p++ = 0x56;
    *p++ = 0x42;
    *p++ = 0x00;
    *len = (size_t)(p - out);
    return out;
}

const uint8_t escpos_status_request[9] = {0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x04};

static int well_formed(uint8_t b)
{
    return (b & 0x93) == 0x12; /* bits 1 and 4 set, bits 0 and 7 clear */
}

enum printer_state escpos_parse_status(const uint8_t *s, size_t n)
{
    if (n < 3 || !well_formed(s[0]) || !well_formed(s[1]) || !well_formed(s[2]))
        return PRINTER_UNKNOWN;
    if (s[0] & 0x08)
        return PRINTER_OFFLINE;
    if (s[2] & 0x60)
        return PRINTER_PAPER_OUT;
    if (s[1] & 0x20)
        return PRINTER_PAPER_OUT; /* stopped by paper end */
    if (s[1] & 0x04)
        return PRINTER_COVER_OPEN;
    if (s[1] & 0x40)
        return PRINTER_ERROR;
    if (s[2] & 0x0C)
        return PRINTER_PAPER_NEAR_END;
    return PRINTER_OK;
}

/* ---- decoder ---- */

#define LINE_DOTS 30
#define MAX_PENDING (1u << 20)
#define PAGE_MAX_ROWS 16384

struct escpos_decoder {
    int width;
    escpos_page_fn page;
    escpos_status_fn status;
    void *user;
    struct bitmap *cur;
    int used_rows;   /* rows of cur that hold content or feed */
    int content;     /* anything black on the page */
    int torn;
    long paper_rows; /* rows left before paper runs out; -1 = unlimited */
    uint8_t *pend;
    size_t npend, cap;
};

struct escpos_decoder *escpos_decoder_create(int width, escpos_page_fn page,
                                             escpos_status_fn status, void *user)
{
    struct escpos_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->width = width;
    d->page = page;
    d->status = status;
    d->user = user;
    d->paper_rows = -1;
    d->cur = bitmap_create(width, 0);
    if (!d->cur) {
        free(d);
        return NULL;
    }
    return d;
}

void escpos_decoder_destroy(struct escpos_decoder *d)
{
    if (!d)
        return;
    bitmap_destroy(d->cur);
    free(d->pend);
    free(d);
}

void escpos_decoder_paper_limit(struct escpos_decoder *d, long rows)
{
    d->paper_rows = rows;
}

/* Hands the page over (when something is on it, or the paper ran out) and starts the next
 * one in the same memory. Blank feed is counted, not drawn, until a page is delivered. */
static void deliver(struct escpos_decoder *d)
{
    if ((d->content || d->torn) && bitmap_grow(d->cur, d->used_rows) == 0 && d->page)
        d->page(d->cur, d->torn, d->user);
    d->cur->height = 0; /* bitmap_grow whitens the rows again */
    d->used_rows = 0;
    d->content = 0;
    d->torn = 0;
}

/* Reserves `rows` more rows on the page; returns how many fit on the remaining paper and
 * sets *base to the first of them. A page is cut once it would pass PAGE_MAX_ROWS (about
 * 2 m of paper): nobody tears off more at once, and a runaway feed cannot grow it further. */
static int advance(struct escpos_decoder *d, int rows, int *base)
{
    if (d->used_rows + rows > PAGE_MAX_ROWS) /* rows: at most 255 lines */
        deliver(d);
    if (d->paper_rows >= 0 && rows > d->paper_rows) {
        rows = (int)d->paper_rows;
        d->torn = 1;
    }
    if (d->paper_rows >= 0)
        d->paper_rows -= rows;
    *base = d->used_rows;
    d->used_rows += rows;
    return rows;
}

/* Parses one command at p[0..n). Returns bytes consumed, 0 if more bytes are needed. */
static size_t parse_one(struct escpos_decoder *d, const uint8_t *p, size_t n, uint8_t *reply,
                        size_t replycap, size_t *nreply)
{
    int base;
    switch (p[0]) {
    case 0x0A: /* LF */
        (void)advance(d, LINE_DOTS, &base);
        return 1;
    case 0x10: /* DLE EOT n */
        if (n < 3)
            return 0;
        if (p[1] == 0x04 && (p[2] == 1 || p[2] == 2 || p[2] == 3 || p[2] == 4)) {
            if (*nreply < replycap)
                reply[(*nreply)++] = d->status ? d->status(p[2], d->user) : 0x12;
            return 3;
        }
        return 1;
    case 0x1B: /* ESC */
        if (n < 2)
            return 0;
        if (p[1] == 0x40)
            return 2; /* initialise: what is on paper stays there */
        if (p[1] == 0x64) {
            if (n < 3)
                return 0;
            (void)advance(d, LINE_DOTS * p[2], &base);
            return 3;
        }
        return 1;
    case 0x1D: /* GS */
        if (n < 2)
            return 0;
        if (p[1] == 0x56) { /* GS V m [n]: cut */
            if (n < 3)
                return 0;
            int m = p[2];
            size_t len = (m == 0x41 || m == 0x42) ? 4 : 3;
            if (m != 0 && m != 1 && m != 0x30 && m != 0x31 && m != 0x41 && m != 0x42)
                return 1;
            if (n < len)
                return 0;
            deliver(d);
            return len;
        }
        if (p[1] == 0x76) { /* GS v 0 m xL xH yL yH d... */
            if (n < 8)
                return 0;
            if (p[2] != 0x30 || p[3] > 3)
                return 1;
            int xb = p[4] | (p[5] << 8), rows = p[6] | (p[7] << 8);
            if (xb < 1 || xb > 512 || rows < 1 || rows > 4096)
                return 1; /* not a raster header we believe: skip a byte */
            size_t need = 8 + (size_t)xb * (size_t)rows;
            if (n < need)
                return 0;
            int fit = advance(d, rows, &base);
            if (bitmap_grow(d->cur, base + fit) != 0)
                fit = 0;
            for (int y = 0; y < fit; y++)
                for (int x = 0; x < xb * 8 && x < d->width; x++)
                    if ((p[8 + (size_t)y * (size_t)xb + (size_t)(x / 8)] >> (7 - x % 8)) & 1) {
                        bitmap_set(d->cur, x, base + y, 1);
                        d->content = 1;
                    }
            return need;
        }
        return 1;
    default:
        return 1; /* text or a command we do not render: skip */
    }
}

void escpos_decoder_feed(struct escpos_decoder *d, const uint8_t *data, size_t n, uint8_t *reply,
                         size_t replycap, size_t *nreply)
{
    *nreply = 0;
    if (n == 0)
        return;
    if (d->npend + n > MAX_PENDING) {
        /* A command that never completes: drop what is pending rather than grow. */
        d->npend = 0;
    }
    if (d->npend + n > d->cap) {
        size_t nc = d->cap ? d->cap : 4096;
        while (nc < d->npend + n)
            nc *= 2;
        uint8_t *np = realloc(d->pend, nc);
        if (!np)
            return;
        d->pend = np;
        d->cap = nc;
    }
    memcpy(d->pend + d->npend, data, n);
    d->npend += n;
    size_t off = 0;
    while (off < d->npend) {
        size_t used = parse_one(d, d->pend + off, d->npend - off, reply, replycap, nreply);
        if (used == 0)
            break;
        off += used;
    }
    memmove(d->pend, d->pend + off, d->npend - off);
    d->npend -= off;
}

void escpos_decoder_finish(struct escpos_decoder *d)
{
    d->npend = 0;
    if (d->content || d->torn)
        deliver(d);
}
