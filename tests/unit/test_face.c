/* The face module: every frame of tests/sim/faces gives the hint it was made for, through the
 * real detector (the default cascade) and the quality checks; face_assess() on made-up frames
 * (a dark frame, a flat face, several faces, the order of the checks, the score); the hint
 * texts; face_jpeg()'s output decodes to the frame; and the detector's errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include <unistd.h>

#include "core/pngio.h"
#include "face/face.h"

#define W 640
#define H 480
#define MIN_SIDE 64 /* 10% of the width, as the bench */

static struct face_detector *det;

/* tests/sim/faces/<name>.png as grey bytes, rows `stride` apart (the padding is 0x55). */
static uint8_t *frame(const char *name, int stride)
{
    char path[1024], err[256];
    const char *src = getenv("KIOSK_SRC");
    snprintf(path, sizeof path, "%s/tests/sim/faces/%s.png", src ? src : ".", name);
    struct pngio_image img;
    if (pngio_read_rgb(path, NULL, &img, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(img.w, W);
    assert_int_equal(img.h, H);
    uint8_t *g = malloc((size_t)stride * H);
    assert_non_null(g);
    memset(g, 0x55, (size_t)stride * H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            g[(size_t)y * (size_t)stride + (size_t)x] = img.rgb[((size_t)y * W + (size_t)x) * 3];
    pngio_free(&img);
    return g;
}

static int setup(void **state)
{
    (void)state;
    char err[256];
    det = face_detector_open(FACE_CASCADE_DEFAULT, err, sizeof err);
    if (!det)
        fprintf(stderr, "%s\n", err);
    return det ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    face_detector_close(det);
    return 0;
}

/* Detects and judges a test frame with the kiosk's limits. */
static struct face_quality judge(const char *name, int *n)
{
    uint8_t *g = frame(name, W);
    struct face_box boxes[4];
    char err[256] = "";
    *n = face_detect(det, g, W, H, W, MIN_SIDE, boxes, 4, err, sizeof err);
    assert_true(*n >= 0);
    struct face_limits l;
    face_limits_default(&l);
    struct face_quality q;
    face_assess(g, W, H, W, boxes, *n, &l, &q);
    free(g);
    return q;
}

static void test_frames(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int faces;
        enum face_hint hint;
    } cases[] = {
        {"face_ok", 1, FACE_OK},      {"face_far", 1, FACE_CLOSER}, {"face_near", 1, FACE_FARTHER},
        {"face_off", 1, FACE_CENTRE}, {"two_faces", 2, FACE_MANY},  {"no_face", 0, FACE_NONE},
        {"dark", -1, FACE_DARK},      {"blurry", 1, FACE_BLURRY},   {"bright", 1, FACE_BRIGHT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n;
        struct face_quality q = judge(cases[i].name, &n);
        if (q.hint != cases[i].hint || (cases[i].faces >= 0 && n != cases[i].faces))
            fail_msg("%s: %d faces, \"%s\"; expected %d, \"%s\"", cases[i].name, n,
                     face_hint_text(q.hint), cases[i].faces, face_hint_text(cases[i].hint));
        if (q.hint == FACE_OK)
            assert_in_range(q.score, 60, 100);
        else
            assert_int_equal(q.score, 0);
        if (cases[i].faces > 0)
            assert_true(q.box.w >= MIN_SIDE);
    }
}

/* The same frame in a padded buffer gives the same faces, and the padding is not read as
 * picture; the detector finds the same boxes every time (no threads to reorder them). */
static void test_stride_and_determinism(void **state)
{
    (void)state;
    char err[256];
    uint8_t *a = frame("two_faces", W), *b = frame("two_faces", W + 40);
    struct face_box ba[4], bb[4], bc[4];
    int na = face_detect(det, a, W, H, W, MIN_SIDE, ba, 4, err, sizeof err);
    int nb = face_detect(det, b, W, H, W + 40, MIN_SIDE, bb, 4, err, sizeof err);
    int nc = face_detect(det, a, W, H, W, MIN_SIDE, bc, 4, err, sizeof err);
    assert_int_equal(na, 2);
    assert_int_equal(nb, 2);
    assert_int_equal(nc, 2);
    assert_memory_equal(ba, bb, sizeof ba[0] * 2);
    assert_memory_equal(ba, bc, sizeof ba[0] * 2);
    assert_true(ba[0].w * ba[0].h >= ba[1].w * ba[1].h); /* largest first */

    /* max 1: the count is still 2, only the largest is written */
    struct face_box one[2] = {{0}, {-7, -7, -7, -7}};
    assert_int_equal(face_detect(det, a, W, H, W, MIN_SIDE, one, 1, err, sizeof err), 2);
    assert_memory_equal(&one[0], &ba[0], sizeof one[0]);
    assert_int_equal(one[1].x, -7);
    assert_int_equal(face_detect(det, a, W, H, W, MIN_SIDE, NULL, 0, err, sizeof err), 2);

    /* a min_side larger than both faces: none */
    assert_int_equal(face_detect(det, a, W, H, W, ba[0].w + 40, ba, 4, err, sizeof err), 0);

    struct face_limits l;
    face_limits_default(&l);
    struct face_quality qa, qb;
    face_assess(a, W, H, W, ba, na, &l, &qa);
    face_assess(b, W, H, W + 40, bb, nb, &l, &qb);
    assert_memory_equal(&qa, &qb, sizeof qa);
    free(a);
    free(b);
}

static void test_detector_errors(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(face_detector_open("/nonexistent/cascade.xml", err, sizeof err));
    assert_non_null(strstr(err, "No such file"));

    /* a file that is not a cascade */
    char path[] = "/tmp/unit-face-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char junk[] = "<?xml version=\"1.0\"?>\n<opencv_storage><x>1</x></opencv_storage>\n";
    assert_int_equal(write(fd, junk, sizeof junk - 1), (ssize_t)(sizeof junk - 1));
    close(fd);
    err[0] = 0;
    assert_null(face_detector_open(path, err, sizeof err));
    assert_true(err[0] != 0);
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "\x89PNG garbage", 12), 12);
    close(fd);
    err[0] = 0;
    assert_null(face_detector_open(path, err, sizeof err));
    assert_true(err[0] != 0);
    unlink(path);
    err[0] = 0;
    assert_null(face_detector_open(NULL, err, sizeof err));
    assert_true(err[0] != 0);
    face_detector_close(NULL);

    uint8_t g[32 * 32] = {0};
    struct face_box b[1];
    err[0] = 0;
    assert_int_equal(face_detect(det, g, 8, 8, 8, 24, b, 1, err, sizeof err), -1);
    assert_true(err[0] != 0);
    assert_int_equal(face_detect(det, g, 32, 32, 16, 24, b, 1, err, sizeof err), -1);
    assert_int_equal(face_detect(det, NULL, 32, 32, 32, 24, b, 1, err, sizeof err), -1);
    assert_int_equal(face_detect(det, g, 32, 32, 32, 24, NULL, 1, err, sizeof err), -1);
    assert_int_equal(face_detect(NULL, g, 32, 32, 32, 24, b, 1, err, sizeof err), -1);
    assert_int_equal(face_detect(det, g, 32, 32, 32, 24, b, 1, err, sizeof err), 0);
}

/* ---- face_assess() on made-up frames ---------------------------------------------------- */

static uint8_t px[H][W];

static void fill(int v)
{
    memset(px, v, sizeof px);
}

/* A checkerboard of 8-pixel squares, lo and hi, in box b: sharp detail. */
static void texture(struct face_box b, int lo, int hi)
{
    for (int y = b.y; y < b.y + b.h; y++)
        for (int x = b.x; x < b.x + b.w; x++)
            px[y][x] = (uint8_t)((((x - b.x) / 8 + (y - b.y) / 8) & 1) ? hi : lo);
}

static struct face_quality assess(const struct face_box *b, int n)
{
    struct face_limits l;
    face_limits_default(&l);
    struct face_quality q;
    face_assess(&px[0][0], W, H, W, b, n, &l, &q);
    return q;
}

static const struct face_box centred = {W / 2 - 128, H / 2 - 128, 256, 256}; /* 40% */

static void test_assess_synthetic(void **state)
{
    (void)state;
    struct face_limits l;
    face_limits_default(&l);
    assert_true(l.dark < l.bright && l.min_width_pct < l.max_width_pct && l.centre_pct > 0 &&
                l.sharpness > 0);

    /* all dark: DARK first, whatever the faces */
    fill(10);
    texture(centred, 0, 30);
    struct face_quality q = assess(&centred, 1);
    assert_int_equal(q.hint, FACE_DARK);
    assert_int_equal(q.score, 0);
    assert_int_equal(assess(NULL, 0).hint, FACE_DARK);
    assert_int_equal(assess(&centred, 3).hint, FACE_DARK);

    /* no face: NONE, the frame's luma, no box */
    fill(128);
    q = assess(NULL, 0);
    assert_int_equal(q.hint, FACE_NONE);
    assert_int_equal(q.luma, 128);
    assert_int_equal(q.box.w, 0);
    assert_int_equal(q.sharpness, 0);

    /* a flat face box, right size, centred, well lit: BLURRY */
    q = assess(&centred, 1);
    assert_int_equal(q.hint, FACE_BLURRY);
    assert_int_equal(q.sharpness, 0);
    assert_int_equal(q.luma, 128);

    /* the same with detail: OK, scored */
    texture(centred, 90, 170);
    q = assess(&centred, 1);
    assert_int_equal(q.hint, FACE_OK);
    assert_in_range(q.score, 90, 100); /* ideal size, centre, light; sharp */
    assert_int_equal(q.box.x, centred.x);
    assert_int_equal(q.luma, 130);
    assert_true(q.sharpness >= 2 * l.sharpness);

    /* several faces: MANY, even when only the largest is given or it is too small */
    assert_int_equal(assess(&centred, 2).hint, FACE_MANY);
    assert_int_equal(assess(&centred, 17).hint, FACE_MANY);
    const struct face_box tiny = {300, 220, 20, 20};
    assert_int_equal(assess(&tiny, 2).hint, FACE_MANY);
    assert_int_equal(assess(&tiny, 1).hint, FACE_CLOSER);

    /* the face box's light: dark face in a lit frame, washed-out face */
    texture(centred, 5, 40);
    assert_int_equal(assess(&centred, 1).hint, FACE_DARK);
    texture(centred, 220, 250);
    assert_int_equal(assess(&centred, 1).hint, FACE_BRIGHT);
    /* light comes before size: a small washed-out face is BRIGHT */
    texture(tiny, 220, 250);
    assert_int_equal(assess(&tiny, 1).hint, FACE_BRIGHT);

    /* size, then centring, then sharpness */
    fill(128);
    const struct face_box big = {W / 2 - 200, H / 2 - 200, 400, 400}; /* 62% */
    texture(big, 90, 170);
    assert_int_equal(assess(&big, 1).hint, FACE_FARTHER);
    const struct face_box off_big = {0, 0, 400, 400}; /* too big and off: FARTHER first */
    assert_int_equal(assess(&off_big, 1).hint, FACE_FARTHER);
    fill(128);
    const struct face_box off = {W - 256, 40, 256, 256};
    assert_int_equal(assess(&off, 1).hint, FACE_CENTRE); /* flat, yet CENTRE before BLURRY */
    texture(off, 90, 170);
    assert_int_equal(assess(&off, 1).hint, FACE_CENTRE);
    const struct face_box low = {W / 2 - 128, H - 256, 256, 256}; /* off vertically only */
    texture(low, 90, 170);
    assert_int_equal(assess(&low, 1).hint, FACE_CENTRE);

    /* limits are the limits: just inside and just outside the width bounds */
    fill(128);
    int lo = W * l.min_width_pct / 100, hi = W * l.max_width_pct / 100;
    struct face_box b = {W / 2 - lo / 2, H / 2 - lo / 2, lo, lo};
    texture(b, 90, 170);
    assert_int_equal(assess(&b, 1).hint, FACE_OK);
    b = (struct face_box){W / 2 - (lo - 1) / 2, H / 2 - (lo - 1) / 2, lo - 1, lo - 1};
    assert_int_equal(assess(&b, 1).hint, FACE_CLOSER);
    b = (struct face_box){W / 2 - hi / 2, H / 2 - 200, hi, 400};
    texture(b, 90, 170);
    assert_int_equal(assess(&b, 1).hint, FACE_OK);
    b.w = hi + 1;
    assert_int_equal(assess(&b, 1).hint, FACE_FARTHER);

    /* a box partly outside the frame is judged on its part inside */
    fill(128);
    texture((struct face_box){W - 200, 100, 200, 256}, 90, 170);
    const struct face_box out = {W - 200, 100, 500, 256};
    q = assess(&out, 1);
    assert_int_equal(q.box.w, 200);
    assert_int_equal(q.hint, FACE_CENTRE);
    /* ... and one wholly outside is no face */
    const struct face_box gone = {W + 10, 0, 100, 100};
    assert_int_equal(assess(&gone, 1).hint, FACE_NONE);

    /* bad arguments: nothing to judge */
    struct face_quality z;
    face_assess(NULL, W, H, W, NULL, 0, &l, &z);
    assert_int_equal(z.hint, FACE_NONE);
    face_assess(&px[0][0], W, H, W - 1, NULL, 0, &l, &z);
    assert_int_equal(z.hint, FACE_NONE);
}

/* The sharpness of a face does not depend on its size (it is measured on the face's own
 * scale): the same pattern at twice the size measures the same, where per pixel it would
 * measure half. */
static void test_sharpness_scale(void **state)
{
    (void)state;
    struct face_limits l;
    face_limits_default(&l);
    fill(128);
    const struct face_box small = {W / 2 - 64, H / 2 - 64, 128, 128};
    for (int y = 0; y < 128; y++)
        for (int x = 0; x < 128; x++)
            px[small.y + y][small.x + x] = (uint8_t)(((x / 4 + y / 4) & 1) ? 170 : 90);
    struct face_quality qs = assess(&small, 1);
    fill(128);
    const struct face_box large = {W / 2 - 128, H / 2 - 128, 256, 256};
    for (int y = 0; y < 256; y++)
        for (int x = 0; x < 256; x++)
            px[large.y + y][large.x + x] = (uint8_t)(((x / 8 + y / 8) & 1) ? 170 : 90);
    struct face_quality ql = assess(&large, 1);
    assert_true(qs.sharpness >= 2 * l.sharpness);
    assert_int_equal(ql.sharpness, qs.sharpness);
    assert_int_equal(ql.hint, FACE_OK);
}

static void test_hint_text(void **state)
{
    (void)state;
    for (int i = 0; i < FACE_HINT_LAST; i++) {
        const char *t = face_hint_text((enum face_hint)i);
        assert_non_null(t);
        assert_true(strlen(t) > 0);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(t, face_hint_text((enum face_hint)j));
    }
    assert_string_equal(face_hint_text(FACE_OK), "Hold still, taking your picture");
    assert_string_equal(face_hint_text(FACE_NONE), "Look at the camera");
    assert_string_equal(face_hint_text(FACE_BLURRY), "Hold still");
    assert_string_equal(face_hint_text(FACE_HINT_LAST), "Look at the camera");
    assert_string_equal(face_hint_text((enum face_hint)(-1)), "Look at the camera");
}

/* ---- JPEG --------------------------------------------------------------------------------- */

static void test_jpeg(void **state)
{
    (void)state;
    const int stride = W + 24;
    uint8_t *g = frame("face_ok", stride);
    uint8_t *jpg = NULL;
    size_t len = 0;
    char err[256];
    assert_int_equal(face_jpeg(g, W, H, stride, 85, &jpg, &len, err, sizeof err), 0);
    assert_non_null(jpg);
    assert_in_range(len, 5000, 200000);
    assert_int_equal(jpg[0], 0xFF);
    assert_int_equal(jpg[1], 0xD8);
    assert_int_equal(jpg[2], 0xFF);
    assert_int_equal(jpg[len - 2], 0xFF);
    assert_int_equal(jpg[len - 1], 0xD9);

    tjhandle tj = tjInitDecompress();
    assert_non_null(tj);
    int w = 0, h = 0, sub = -1, cs = -1;
    assert_int_equal(tjDecompressHeader3(tj, jpg, (unsigned long)len, &w, &h, &sub, &cs), 0);
    assert_int_equal(w, W);
    assert_int_equal(h, H);
    assert_int_equal(sub, TJSAMP_GRAY);
    assert_int_equal(cs, TJCS_GRAY);
    uint8_t *back = malloc((size_t)W * H);
    assert_non_null(back);
    assert_int_equal(tjDecompress2(tj, jpg, (unsigned long)len, back, W, W, H, TJPF_GRAY, 0), 0);
    tjDestroy(tj);
    long diff = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            diff += labs((long)back[y * W + x] - g[(size_t)y * (size_t)stride + (size_t)x]);
    assert_true(diff / (W * H) <= 2); /* quality 85: within 2 levels on average */
    free(back);

    /* a lower quality gives a smaller file */
    uint8_t *small = NULL;
    size_t slen = 0;
    assert_int_equal(face_jpeg(g, W, H, stride, 30, &small, &slen, err, sizeof err), 0);
    assert_true(slen < len);
    free(small);
    free(jpg);

    /* refused: bad quality, stride, sizes; *out stays NULL */
    uint8_t *none = (uint8_t *)g;
    err[0] = 0;
    assert_int_equal(face_jpeg(g, W, H, stride, 0, &none, &len, err, sizeof err), -1);
    assert_null(none);
    assert_int_equal(len, 0);
    assert_true(err[0] != 0);
    assert_int_equal(face_jpeg(g, W, H, stride, 101, &none, &len, err, sizeof err), -1);
    assert_int_equal(face_jpeg(g, W, H, W - 1, 85, &none, &len, err, sizeof err), -1);
    assert_int_equal(face_jpeg(g, 0, H, stride, 85, &none, &len, err, sizeof err), -1);
    assert_int_equal(face_jpeg(NULL, W, H, stride, 85, &none, &len, err, sizeof err), -1);
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_stride_and_determinism),
        cmocka_unit_test(test_detector_errors),
        cmocka_unit_test(test_assess_synthetic),
        cmocka_unit_test(test_sharpness_scale),
        cmocka_unit_test(test_hint_text),
        cmocka_unit_test(test_jpeg),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
