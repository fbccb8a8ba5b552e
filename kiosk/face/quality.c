/* The guidance for one frame: pure integer arithmetic over the caller's pixels.
 *
 * Sharpness is the mean absolute Laplacian (4 p - its four neighbours) over the face box
 * seen at a fixed scale: the box is divided into square cells of f x f pixels, f the box's
 * width / 64 (at least 1), so it is 64 to 127 cells across, and the Laplacian is taken over
 * the cells' means. A sharp face has strong second derivatives at its eyes, brows, lips and
 * hair line; motion or focus blur flattens them. Measured on the face's own scale, the figure
 * does not depend on how near the customer stands (per pixel, a face twice as wide has a
 * quarter of the Laplacian), and the cells average out most of the sensor's noise, which
 * per pixel would count as detail. It still scales with the face's contrast: a dim face
 * measures less sharp (the thresholds are set with that margin). */
#include "face/face.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"

void face_limits_default(struct face_limits *l)
{
    /* Set on tests/sim/faces with the default cascade (its README.md): the face in
     * face_ok.png is boxed at 39% of the frame's width, face_far's at 16%, face_near's at
     * 61% (no square box over 75% fits in 4:3); sharp faces measure 12..20 at every size,
     * blurry.png 3, a face in dim light (luma 68) or slightly soft 7. A face darker than 50
     * is too dark to be judged or sent (at 45 it also measures blurry). */
    *l = (struct face_limits){
        .dark = 50,
        .bright = 210,
        .min_width_pct = 25,
        .max_width_pct = 55,
        .centre_pct = 15,
        .sharpness = 6,
    };
}

/* The part of `b` inside a w x h frame (empty: w or h 0). */
static struct face_box clip(struct face_box b, int w, int h)
{
    long long x0 = b.x, y0 = b.y, x1 = (long long)b.x + b.w, y1 = (long long)b.y + b.h;
    x0 = x0 < 0 ? 0 : x0 > w ? w : x0;
    y0 = y0 < 0 ? 0 : y0 > h ? h : y0;
    x1 = x1 < x0 ? x0 : x1 > w ? w : x1;
    y1 = y1 < y0 ? y0 : y1 > h ? h : y1;
    return (struct face_box){(int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0)};
}

static int mean_luma(const uint8_t *grey, int stride, struct face_box b)
{
    if (b.w <= 0 || b.h <= 0)
        return 0;
    uint64_t sum = 0;
    for (int y = b.y; y < b.y + b.h; y++) {
        const uint8_t *row = grey + (size_t)y * (size_t)stride + (size_t)b.x;
        uint32_t rs = 0; /* at most 4096 * 255 */
        for (int x = 0; x < b.w; x++)
            rs += row[x];
        sum += rs;
    }
    return (int)(sum / ((uint64_t)b.w * (uint64_t)b.h));
}

#define SHARP_CELLS 64 /* the face box's width in cells, at least (see the top) */

static int mean_laplacian(const uint8_t *grey, int stride, struct face_box b)
{
    int f = b.w / SHARP_CELLS > 1 ? b.w / SHARP_CELLS : 1;
    int cw = b.w / f, ch = b.h / f; /* cw < 2 * SHARP_CELLS */
    if (cw < 3 || ch < 3)
        return 0;
    int32_t rows[3][2 * SHARP_CELLS]; /* the cell sums of the last three rows of cells */
    uint64_t sum = 0;
    for (int r = 0; r < ch; r++) {
        int32_t *cur = rows[r % 3];
        memset(cur, 0, sizeof rows[0]);
        for (int j = 0; j < f; j++) {
            const uint8_t *p = grey + (size_t)(b.y + r * f + j) * (size_t)stride + (size_t)b.x;
            for (int c = 0; c < cw; c++, p += f)
                for (int i = 0; i < f; i++)
                    cur[c] += p[i];
        }
        if (r < 2)
            continue;
        const int32_t *up = rows[(r - 2) % 3], *mid = rows[(r - 1) % 3];
        for (int c = 1; c < cw - 1; c++)
            sum += (uint32_t)abs(4 * mid[c] - mid[c - 1] - mid[c + 1] - up[c] - cur[c]);
    }
    return (int)(sum / ((uint64_t)f * (uint64_t)f * (uint64_t)(cw - 2) * (uint64_t)(ch - 2)));
}

/* 100 at `best`, falling linearly to 0 at `best` +- `span` (clamped). */
static int closeness(long long v, long long best, long long span)
{
    if (span <= 0)
        return 100;
    long long d = llabs(v - best);
    return d >= span ? 0 : (int)(100 - 100 * d / span);
}

void face_assess(const uint8_t *grey, int w, int h, int stride, const struct face_box *faces, int n,
                 const struct face_limits *l, struct face_quality *q)
{
    memset(q, 0, sizeof *q);
    q->hint = FACE_NONE;
    if (!grey || !l || w < 1 || h < 1 || stride < w)
        return;
    int frame = mean_luma(grey, stride, (struct face_box){0, 0, w, h});
    q->luma = frame;
    if (n >= 1 && faces) {
        q->box = clip(faces[0], w, h);
        if (q->box.w > 0 && q->box.h > 0) {
            q->luma = mean_luma(grey, stride, q->box);
            q->sharpness = mean_laplacian(grey, stride, q->box);
        }
    }
    const struct face_box *b = &q->box;
    int have_face = b->w > 0 && b->h > 0;
    /* The centre's offset from the frame's, in thousandths of the frame's width or height. */
    long long off_x = llabs(2LL * b->x + b->w - w) * 500 / w;
    long long off_y = llabs(2LL * b->y + b->h - h) * 500 / h;
    long long off = off_x > off_y ? off_x : off_y;
    long long width_pm = (long long)b->w * 1000 / w;

    if (frame < l->dark)
        q->hint = FACE_DARK;
    else if (n < 1)
        q->hint = FACE_NONE;
    else if (n > 1)
        q->hint = FACE_MANY;
    else if (!have_face)
        q->hint = FACE_NONE; /* one face said, but no box in the frame */
    else if (q->luma < l->dark)
        q->hint = FACE_DARK;
    else if (q->luma > l->bright)
        q->hint = FACE_BRIGHT;
    else if (width_pm < l->min_width_pct * 10LL)
        q->hint = FACE_CLOSER;
    else if (width_pm > l->max_width_pct * 10LL)
        q->hint = FACE_FARTHER;
    else if (off > l->centre_pct * 10LL)
        q->hint = FACE_CENTRE;
    else if (q->sharpness < l->sharpness)
        q->hint = FACE_BLURRY;
    else
        q->hint = FACE_OK;
    if (q->hint != FACE_OK)
        return;

    /* Each part 0..100: 100 at its ideal, 0 at the limit that would have refused it. */
    int size = closeness(width_pm, (l->min_width_pct + l->max_width_pct) * 5LL,
                         (l->max_width_pct - l->min_width_pct) * 5LL);
    int centring = closeness(off, 0, l->centre_pct * 10LL);
    int sharp = l->sharpness > 0 ? closeness(q->sharpness, 2LL * l->sharpness, l->sharpness) : 100;
    if (q->sharpness > 2 * l->sharpness)
        sharp = 100; /* sharper than twice the threshold is as good as it gets */
    int light = closeness(q->luma, (l->dark + l->bright) / 2, (l->bright - l->dark) / 2);
    int score = (size + centring + sharp + light) / 4;
    q->score = score < 1 ? 1 : score;
}

static const char *const hint_text[FACE_HINT_LAST] = {
    [FACE_OK] = N_("Hold still, taking your picture"),
    [FACE_DARK] = N_("Too dark: face the light"),
    [FACE_BRIGHT] = N_("Too bright"),
    [FACE_NONE] = N_("Look at the camera"),
    [FACE_MANY] = N_("Only one person, please"),
    [FACE_CLOSER] = N_("Move closer"),
    [FACE_FARTHER] = N_("Move back a little"),
    [FACE_CENTRE] = N_("Move into the oval"),
    [FACE_BLURRY] = N_("Hold still"),
};

const char *face_hint_text(enum face_hint hint)
{
    if ((int)hint < 0 || hint >= FACE_HINT_LAST)
        return hint_text[FACE_NONE];
    return hint_text[hint];
}
