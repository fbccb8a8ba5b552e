/* The camera scanner: the decoder over test images of every class of code the kiosk reads
 * (payment and member QR codes, EAN-13, EAN-8, Code 128), rotated, scaled, blurred, at low
 * contrast and inverted: each gives its exact text or no code, never another; the debounce;
 * the simulator; and the whole driver on simulated frames (one scan per presentation, newest
 * frame wins, unplugging, preview). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codeimg.h"
#include "core/clock.h"
#include "core/codes.h"
#include "scanner/camera.h"
#include "scanner/scanner.h"

static char dir[] = "/tmp/unit-camera-XXXXXX";

static int64_t ms_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

static const char *path_in(const char *name)
{
    static char p[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
    return p[i];
}

/* Appends one command line to the simulator's control file. */
static void command(const char *ctl, const char *line)
{
    FILE *f = fopen(ctl, "a");
    assert_non_null(f);
    fprintf(f, "%s\n", line);
    fclose(f);
}

/* The driver's options with the table's defaults applied (as the config reader does). */
static void defaults(struct camera_opts *o)
{
    memset(o, 0, sizeof *o);
    config_block_defaults(camera_options, o);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- options and symbologies ----------------------------------------------------------- */

static void options_table(void **state)
{
    (void)state;
    static const char *const names[] = {"source",     "device",      "width",    "height",
                                        "fps",        "symbologies", "inverted", "repeat_ms",
                                        "idle_fps",   "sim_frames",  "sim_control"};
    size_t n = 0;
    for (const struct cfg_option *c = camera_options; c->name; c++, n++) {
        assert_true(n < sizeof names / sizeof names[0]);
        assert_string_equal(c->name, names[n]);
        assert_null(c->section);
        assert_non_null(c->help);
        assert_true(c->offset + c->size <= sizeof(struct camera_opts));
    }
    assert_int_equal(n, sizeof names / sizeof names[0]);
    struct camera_opts o;
    defaults(&o);
    assert_string_equal(o.source, "v4l2");
    assert_string_equal(o.device, "/dev/video0");
    assert_int_equal(o.width, 1280);
    assert_int_equal(o.height, 720);
    assert_int_equal(o.fps, 30);
    assert_string_equal(o.symbologies, "qr,ean13,ean8,code128");
    assert_int_equal(o.inverted, 1);
    assert_int_equal(o.repeat_ms, 1500);
    assert_int_equal(o.idle_fps, 10);
    assert_string_equal(o.sim_frames, "");
    assert_string_equal(o.sim_control, "");
    assert_string_equal(scanner_camera.name, "camera");
    assert_ptr_equal(scanner_camera.options, camera_options);
    assert_int_equal(scanner_camera.opts_size, sizeof(struct camera_opts));
}

static void symbologies(void **state)
{
    (void)state;
    unsigned m = 0;
    char err[128];
    assert_int_equal(zdec_symbologies("qr,ean13,ean8,code128", &m, err, sizeof err), 0);
    assert_int_equal(m, ZDEC_ALL);
    assert_int_equal(zdec_symbologies(" qr , code128", &m, err, sizeof err), 0);
    assert_int_equal(m, ZDEC_QR | ZDEC_CODE128);
    assert_int_equal(zdec_symbologies("ean8", &m, err, sizeof err), 0);
    assert_int_equal(m, ZDEC_EAN8);
    assert_int_equal(zdec_symbologies("qr,pdf417", &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "pdf417"));
    assert_int_equal(zdec_symbologies("ean", &m, err, sizeof err), -1);
    assert_int_equal(zdec_symbologies("", &m, err, sizeof err), -1);
    assert_int_equal(zdec_symbologies(",,", &m, err, sizeof err), -1);
    assert_int_equal(zdec_symbologies(NULL, &m, err, sizeof err), -1);
    assert_string_equal(zdec_sym_name(ZDEC_EAN13), "ean13");
    assert_string_equal(zdec_sym_name(0), "?");
}

/* ---- debounce -------------------------------------------------------------------------- */

static void debounce_once_while_held(void **state)
{
    (void)state;
    struct debounce d;
    debounce_init(&d, 1500);
    assert_int_equal(debounce_seen(&d, 7, 1000), 1);
    /* held for 10 s, seen in every frame: never again */
    for (int64_t t = 1033; t <= 11000; t += 33)
        assert_int_equal(debounce_seen(&d, 7, t), 0);
    /* last seen at 10999; missed frames shorter than repeat_ms are the same presentation */
    assert_int_equal(debounce_seen(&d, 7, 10999 + 1499), 0);
    /* away for repeat_ms: a new presentation */
    assert_int_equal(debounce_seen(&d, 7, 12498 + 1500), 1);
    assert_int_equal(debounce_seen(&d, 7, 14000), 0);
}

static void debounce_codes_apart(void **state)
{
    (void)state;
    struct debounce d;
    debounce_init(&d, 1000);
    assert_int_equal(debounce_seen(&d, 1, 0), 1);
    assert_int_equal(debounce_seen(&d, 2, 10), 1); /* another code: its own */
    assert_int_equal(debounce_seen(&d, 1, 20), 0); /* the first is still the same one */
    assert_int_equal(debounce_seen(&d, 2, 500), 0);
    assert_int_equal(debounce_seen(&d, 1, 1020), 1); /* away 1000 ms */
    assert_int_equal(debounce_seen(&d, 2, 1499), 0);
    /* more codes than slots: the oldest is forgotten, the others are kept */
    debounce_init(&d, 1000);
    for (uint64_t k = 0; k < DEBOUNCE_SLOTS; k++)
        assert_int_equal(debounce_seen(&d, 100 + k, (int64_t)k), 1);
    assert_int_equal(debounce_seen(&d, 999, 50), 1);
    assert_int_equal(debounce_seen(&d, 100 + DEBOUNCE_SLOTS - 1, 60), 0);
    assert_int_equal(debounce_seen(&d, 100, 70), 1); /* the one forgotten */
    assert_true(d.n <= DEBOUNCE_SLOTS);
    /* cleared: everything is new; repeat 0: every frame */
    debounce_clear(&d);
    assert_int_equal(d.repeat_ms, 1000);
    assert_int_equal(debounce_seen(&d, 999, 80), 1);
    debounce_init(&d, 0);
    assert_int_equal(debounce_seen(&d, 5, 0), 1);
    assert_int_equal(debounce_seen(&d, 5, 0), 1);
    debounce_init(&d, -5);
    assert_int_equal(d.repeat_ms, 0);
}

/* ---- the decoder over test images ------------------------------------------------------ */

enum kind { K_QR, K_EAN, K_C128 };

struct klass {
    const char *name;
    enum kind kind;
    const char *texts[2];
    double modules[3];
    int nmodules;
    int min_pct; /* of all variants, at least this many decode */
};

#define FW 640
#define FH 480
#define PAY "134567890123456789"

static const double angles[] = {0, 10, 25, 45};
static const double blurs[] = {0, 1.0, 1.8};
static const struct {
    uint8_t dark, light;
} tones[] = {{0, 255}, {90, 165}};

static struct cimg *symbol(enum kind k, const char *text)
{
    switch (k) {
    case K_QR:
        return cimg_qr(text);
    case K_EAN:
        return cimg_ean(text, strlen(text) == 13 ? 70 : 55);
    case K_C128:
        return cimg_code128(text, 50);
    }
    return NULL;
}

struct tally {
    int total, read, clean, clean_read, by_angle[4], by_angle_read[4], inverted_read;
};

/* Decodes one frame: the exact text, or nothing; anything else fails the test. */
static int check_frame(struct zdec *z, const struct cimg *f, const char *want, const char *what)
{
    struct zdec_read r;
    int res = zdec_frame(z, f->px, f->w, f->h, f->w, &r);
    if (res == ZDEC_REFUSED)
        fail_msg("%s: refused (%s), want '%s' or nothing", what, r.why, want);
    if (res == ZDEC_CODE && strcmp(r.text, want) != 0)
        fail_msg("%s: read '%s', want '%s'", what, r.text, want);
    zdec_read_wipe(&r);
    return res == ZDEC_CODE;
}

/* The first text through every variant; the second upright, sharp and at full contrast (the
 * whole matrix twice would double the test's time for little). */
static void play_class(struct zdec *z, const struct klass *k, struct tally *t)
{
    for (int ti = 0; ti < 2 && k->texts[ti]; ti++) {
        const size_t nangles = ti ? 1 : sizeof angles / sizeof angles[0];
        const size_t nblurs = ti ? 1 : sizeof blurs / sizeof blurs[0];
        const size_t ntones = ti ? 1 : sizeof tones / sizeof tones[0];
        const char *text = k->texts[ti];
        struct cimg *sym = symbol(k->kind, text);
        assert_non_null(sym);
        for (int mi = 0; mi < k->nmodules; mi++)
            for (size_t ai = 0; ai < nangles; ai++) {
                /* The frame: a whole VGA frame for QR codes (ZBar's QR binariser works in
                 * windows of an eighth of the frame, so its size matters); for barcodes,
                 * read a line at a time, the turned symbol and a margin (ZBar's time grows
                 * with the frame). */
                double th = angles[ai] * 3.14159265358979 / 180, m = k->modules[mi];
                double c = cos(th), sn = sin(th);
                int fw = FW, fh = FH;
                if (k->kind != K_QR) {
                    fw = (int)((c * sym->w + sn * sym->h) * m) + 48;
                    fh = (int)((sn * sym->w + c * sym->h) * m) + 48;
                }
                struct cimg_view v;
                cimg_view_init(&v, fw, fh, m);
                v.angle = angles[ai];
                struct cimg *sharp = cimg_render(sym, &v);
                assert_non_null(sharp);
                for (size_t bi = 0; bi < nblurs; bi++) {
                    struct cimg *blurred = cimg_copy(sharp);
                    assert_non_null(blurred);
                    assert_int_equal(cimg_blur(blurred, blurs[bi]), 0);
                    for (size_t ci = 0; ci < ntones; ci++)
                        for (int inv = 0; inv < 2; inv++) {
                            struct cimg *f = cimg_copy(blurred);
                            assert_non_null(f);
                            cimg_tone(f, tones[ci].dark, tones[ci].light, inv);
                            cimg_noise(f, 4, (uint32_t)(ti * 1000 + mi * 100 + ai * 10 + bi));
                            char what[160];
                            snprintf(what, sizeof what,
                                     "%s '%s' module %.1f, %.0f deg, blur %.1f, grey %d..%d%s",
                                     k->name, text, k->modules[mi], angles[ai], blurs[bi],
                                     tones[ci].dark, tones[ci].light, inv ? ", inverted" : "");
                            int ok = check_frame(z, f, text, what);
                            int clean = ai == 0 && bi == 0 && ci == 0;
                            if (clean && !ok)
                                fail_msg("%s: a clean upright code did not decode", what);
                            t->total++;
                            t->read += ok;
                            t->clean += clean;
                            t->clean_read += clean && ok;
                            t->by_angle[ai]++;
                            t->by_angle_read[ai] += ok;
                            t->inverted_read += inv && ok;
                            cimg_destroy(f);
                        }
                    cimg_destroy(blurred);
                }
                cimg_destroy(sharp);
            }
        cimg_destroy(sym);
    }
}

static void images_decode_exactly(void **state)
{
    (void)state;
    static char ean13a[16], ean13b[16], ean8a[16], ean8b[16];
    assert_int_equal(cimg_ean_complete("690123456789", ean13a, sizeof ean13a), 0);
    assert_int_equal(cimg_ean_complete("400638133393", ean13b, sizeof ean13b), 0);
    assert_int_equal(cimg_ean_complete("9638507", ean8a, sizeof ean8a), 0);
    assert_int_equal(cimg_ean_complete("6901234", ean8b, sizeof ean8b), 0);
    assert_string_equal(ean13b, "4006381333931");
    assert_string_equal(ean8a, "96385074");
    assert_true(code_ean_valid(ean13a) && code_ean_valid(ean8b));
    assert_int_equal(cimg_ean_complete("12345", ean8b, sizeof ean8b), -1);
    assert_null(cimg_ean("4006381333932", 50)); /* a wrong check digit is not drawn */

    const struct klass classes[] = {
        /* Now 60, 63, 74, 77 and 40 of 100 decode. Code 128's symbols are six times wider
         * than tall: turned 25 degrees or more, no scan line crosses a whole one. */
        {"payment QR", K_QR, {"134567890123456789", "284567890123456789"}, {3, 5}, 2, 50},
        {"member QR", K_QR, {"M:88001234", "M:10000001"}, {3, 5}, 2, 50},
        {"EAN-13", K_EAN, {ean13a, ean13b}, {2, 3}, 2, 60},
        {"EAN-8", K_EAN, {ean8a, ean8b}, {2, 3}, 2, 60},
        {"Code 128", K_C128, {"134567890123456789", "REL-0042-77812"}, {2, 3}, 2, 30},
    };
    struct zdec *z = zdec_create(ZDEC_ALL, 1);
    assert_non_null(z);
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        struct tally t = {0};
        play_class(z, &classes[i], &t);
        print_message("%-10s %3d/%3d decode (clean upright %d/%d; by angle 0/10/25/45: "
                      "%d/%d %d/%d %d/%d %d/%d; inverted %d)\n",
                      classes[i].name, t.read, t.total, t.clean_read, t.clean, t.by_angle_read[0],
                      t.by_angle[0], t.by_angle_read[1], t.by_angle[1], t.by_angle_read[2],
                      t.by_angle[2], t.by_angle_read[3], t.by_angle[3], t.inverted_read);
        assert_int_equal(t.clean_read, t.clean);
        if (t.read * 100 < classes[i].min_pct * t.total)
            fail_msg("%s: %d of %d decode, want %d%%", classes[i].name, t.read, t.total,
                     classes[i].min_pct);
    }
    zdec_destroy(z);
}

static struct cimg *frame_of(enum kind k, const char *text, double module)
{
    struct cimg *sym = symbol(k, text);
    assert_non_null(sym);
    struct cimg_view v;
    cimg_view_init(&v, FW, FH, module);
    struct cimg *f = cimg_render(sym, &v);
    assert_non_null(f);
    cimg_destroy(sym);
    return f;
}

/* The symbol alone, `module` pixels a module, upright and sharp, with a white margin. */
static struct cimg *sym_img(enum kind k, const char *text, double module)
{
    struct cimg *sym = symbol(k, text);
    assert_non_null(sym);
    struct cimg_view v;
    cimg_view_init(&v, (int)(sym->w * module) + 8, (int)(sym->h * module) + 8, module);
    struct cimg *f = cimg_render(sym, &v);
    assert_non_null(f);
    cimg_destroy(sym);
    return f;
}

static int decode(struct zdec *z, const struct cimg *f, struct zdec_read *r)
{
    return zdec_frame(z, f->px, f->w, f->h, f->w, r);
}

static void frames_refused_or_one(void **state)
{
    (void)state;
    struct zdec *z = zdec_create(ZDEC_ALL, 1);
    struct zdec_read r;

    /* nothing */
    struct cimg *blank = cimg_create(FW, FH, 128);
    assert_int_equal(decode(z, blank, &r), ZDEC_NONE);
    assert_int_equal(r.nkeys, 0);

    /* two different codes: refused, not guessed */
    struct cimg *f = cimg_create(FW, FH, 255), *a = frame_of(K_QR, "M:88001234", 3);
    struct cimg *qa = sym_img(K_QR, "M:88001234", 3), *qb = sym_img(K_QR, PAY, 3);
    cimg_paste(f, qa, 80, 150);
    cimg_paste(f, qb, 400, 150);
    assert_int_equal(decode(z, f, &r), ZDEC_REFUSED);
    assert_non_null(strstr(r.why, "more than one code"));
    assert_string_equal(r.text, "");
    assert_int_equal(r.nkeys, 2);
    uint64_t pair = r.key;

    /* a phone's payment screen: a barcode and a QR code of the same number are one code */
    struct cimg *bar = sym_img(K_C128, PAY, 2);
    memset(f->px, 255, (size_t)FW * FH);
    cimg_paste(f, bar, (FW - bar->w) / 2, 40);
    cimg_paste(f, qb, (FW - qb->w) / 2, 240);
    assert_int_equal(decode(z, f, &r), ZDEC_CODE);
    assert_string_equal(r.text, PAY);
    assert_int_equal(r.nkeys, 1);
    assert_true(r.key != pair);

    /* text that cannot be a code is refused whole: control characters, invalid UTF-8, a NUL
     * byte, too long */
    struct cimg *g;
    const char *bad[] = {"M:8800\x01"
                         "1234",
                         "M:\xff\xfe"
                         "88001234"};
    for (size_t i = 0; i < 2; i++) {
        g = frame_of(K_QR, bad[i], 3);
        assert_int_equal(decode(z, g, &r), ZDEC_REFUSED);
        assert_string_equal(r.text, "");
        assert_non_null(strstr(r.why, "not text a code can hold"));
        cimg_destroy(g);
    }
    static const uint8_t nul[] = {'M', ':', '8', '8', 0, '1', '2', '3', '4'};
    struct cimg *ns = cimg_qr_bytes(nul, sizeof nul);
    struct cimg_view v;
    cimg_view_init(&v, FW, FH, 3);
    g = cimg_render(ns, &v);
    assert_int_equal(decode(z, g, &r), ZDEC_REFUSED);
    assert_int_equal(r.len, sizeof nul);
    cimg_destroy(g);
    cimg_destroy(ns);
    char longtext[CODE_SCAN_MAX + 60];
    memset(longtext, 'A', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    g = frame_of(K_QR, longtext, 3);
    assert_int_equal(decode(z, g, &r), ZDEC_REFUSED);
    assert_non_null(strstr(r.why, "too long"));
    assert_int_equal(r.len, strlen(longtext));
    cimg_destroy(g);
    longtext[CODE_SCAN_MAX] = '\0'; /* the longest a code may be */
    g = frame_of(K_QR, longtext, 3);
    assert_int_equal(decode(z, g, &r), ZDEC_CODE);
    assert_string_equal(r.text, longtext);
    cimg_destroy(g);

    /* a row stride wider than the frame */
    struct cimg *wide = cimg_create(FW + 64, FH, 0);
    for (int y = 0; y < FH; y++)
        memcpy(wide->px + (size_t)y * (FW + 64), a->px + (size_t)y * FW, FW);
    assert_int_equal(zdec_frame(z, wide->px, FW, FH, FW + 64, &r), ZDEC_CODE);
    assert_string_equal(r.text, "M:88001234");
    assert_int_equal(r.sym, ZDEC_QR);
    zdec_read_wipe(&r);
    assert_string_equal(r.text, "");
    zdec_destroy(z);

    /* only what was asked for: an EAN-13 with QR alone, an inverted code without `inverted` */
    char ean[16];
    cimg_ean_complete("690123456789", ean, sizeof ean);
    struct cimg *e = frame_of(K_EAN, ean, 3);
    z = zdec_create(ZDEC_QR, 0);
    assert_int_equal(decode(z, e, &r), ZDEC_NONE);
    struct cimg *ia = cimg_copy(a);
    cimg_tone(ia, 0, 255, 1);
    assert_int_equal(decode(z, ia, &r), ZDEC_NONE);
    assert_int_equal(decode(z, a, &r), ZDEC_CODE);
    zdec_destroy(z);
    z = zdec_create(ZDEC_EAN13, 1);
    assert_int_equal(decode(z, e, &r), ZDEC_CODE);
    assert_string_equal(r.text, ean);
    assert_int_equal(r.sym, ZDEC_EAN13);
    assert_int_equal(r.inverted, 0);
    zdec_destroy(z);
    z = zdec_create(ZDEC_QR, 1);
    assert_int_equal(decode(z, ia, &r), ZDEC_CODE);
    assert_int_equal(r.inverted, 1);
    zdec_destroy(z);
    zdec_destroy(NULL);

    struct cimg *all[] = {blank, f, a, qa, qb, bar, wide, e, ia};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        cimg_destroy(all[i]);
}

/* ---- the simulator --------------------------------------------------------------------- */

static void write_png(const struct cimg *img, const char *path)
{
    char err[256];
    if (cimg_write_png(img, path, err, sizeof err) != 0)
        fail_msg("%s", err);
}

static void sim_opts(struct camera_opts *o, int w, int h, const char *frames, const char *ctl)
{
    defaults(o);
    snprintf(o->source, sizeof o->source, "sim");
    o->width = w;
    o->height = h;
    snprintf(o->sim_frames, sizeof o->sim_frames, "%s", frames);
    snprintf(o->sim_control, sizeof o->sim_control, "%s", ctl);
}

/* The frame's pixel at (x, y) three frames on (commands apply from the next frame). */
static int pixel_after(void *st, int x, int y)
{
    struct cam_frame f;
    char err[160];
    int v = -1;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cam_source_sim.next(st, &f, 500, err, sizeof err), CAM_FRAME);
        v = f.y[(size_t)y * (size_t)f.stride + (size_t)x];
    }
    return v;
}

static void draw_counter(void *user, uint8_t *y, int w, int h, uint64_t n)
{
    (void)user;
    memset(y, (int)(n % 200), (size_t)w * (size_t)h);
}

static void sim_source(void **state)
{
    (void)state;
    const char *ctl = path_in("sim.ctl"), *black = path_in("black.png"), *big = path_in("big.png");
    struct cimg *img = cimg_create(100, 100, 0);
    write_png(img, black);
    cimg_destroy(img);
    img = cimg_create(640, 480, 40); /* twice the frame: scaled down to fit */
    write_png(img, big);
    cimg_destroy(img);
    FILE *fc = fopen(ctl, "w");
    fclose(fc);

    struct camera_opts o;
    sim_opts(&o, 320, 240, "", ctl);
    assert_ptr_equal(cam_source_find("sim"), &cam_source_sim);
    assert_ptr_equal(cam_source_find("v4l2"), &cam_source_v4l2);
    assert_null(cam_source_find("usb"));
    void *st;
    int w, h;
    char err[160];
    assert_int_equal(cam_source_sim.open(&st, &o, &w, &h, err, sizeof err), 0);
    assert_int_equal(w, 320);
    assert_int_equal(h, 240);
    /* blank at the configured rate, in real time */
    struct cam_frame f;
    int64_t t0 = ms_now();
    int frames = 0;
    while (ms_now() - t0 < 500)
        frames += cam_source_sim.next(st, &f, 50, err, sizeof err) == CAM_FRAME;
    assert_in_range(frames, 12, 17);
    assert_int_equal(f.stride, 320);
    assert_int_equal(f.y[0], 128);
    assert_int_equal(f.y[320 * 240 - 1], 128);
    /* a timeout shorter than a frame: no frame, and no longer than asked */
    t0 = ms_now();
    int r = cam_source_sim.next(st, &f, 1, err, sizeof err);
    assert_true(r == CAM_NONE || r == CAM_FRAME);
    assert_true(ms_now() - t0 < 20);

    command(ctl, "show black.png-does-not-exist");
    assert_int_equal(pixel_after(st, 160, 120), 128);
    command(ctl, "# a comment, and a line that is not a command:");
    command(ctl, "bogus");
    char line[600];
    snprintf(line, sizeof line, "show %s", black);
    command(ctl, line);
    assert_int_equal(pixel_after(st, 160, 120), 0); /* centred */
    assert_int_equal(pixel_after(st, 5, 5), 200);   /* around it */
    snprintf(line, sizeof line, "show %s", big);
    command(ctl, line);
    assert_int_equal(pixel_after(st, 5, 5), 40);
    command(ctl, "blank");
    assert_int_equal(pixel_after(st, 160, 120), 128);
    snprintf(line, sizeof line, "show %s", black);
    command(ctl, line);
    assert_int_equal(pixel_after(st, 160, 120), 0);

    /* unplugged: gone, and stays gone across opens until plugged */
    command(ctl, "unplug");
    for (int i = 0; i < 3 && (r = cam_source_sim.next(st, &f, 500, err, sizeof err)) != CAM_GONE;
         i++)
        ;
    assert_int_equal(r, CAM_GONE);
    assert_non_null(strstr(err, "unplugged"));
    cam_source_sim.close(st);
    assert_int_equal(cam_source_sim.open(&st, &o, &w, &h, err, sizeof err), -1);
    assert_non_null(strstr(err, "unplugged"));
    command(ctl, "plug");
    assert_int_equal(cam_source_sim.open(&st, &o, &w, &h, err, sizeof err), 0);
    assert_int_equal(pixel_after(st, 160, 120), 0); /* the file's last show */
    fc = fopen(ctl, "w"); /* rewritten shorter: read again from its start */
    fputs("blank\n", fc);
    fclose(fc);
    assert_int_equal(pixel_after(st, 160, 120), 128);
    cam_source_sim.close(st);
    cam_source_sim.close(NULL);

    /* a FIFO, read as it comes */
    const char *fifo = path_in("sim.fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    snprintf(o.sim_control, sizeof o.sim_control, "%s", fifo);
    assert_int_equal(cam_source_sim.open(&st, &o, &w, &h, err, sizeof err), 0);
    int wfd = open(fifo, O_WRONLY | O_NONBLOCK);
    assert_true(wfd >= 0);
    snprintf(line, sizeof line, "show %s\n", black);
    assert_int_equal(write(wfd, line, strlen(line)), (ssize_t)strlen(line));
    assert_int_equal(pixel_after(st, 160, 120), 0);
    assert_int_equal(write(wfd, "blank\n", 6), 6);
    close(wfd); /* the writer goes: nothing more, no error */
    assert_int_equal(pixel_after(st, 160, 120), 128);
    cam_source_sim.close(st);

    /* a generator draws every frame */
    o.sim_control[0] = '\0';
    o.sim_draw = draw_counter;
    assert_int_equal(cam_source_sim.open(&st, &o, &w, &h, err, sizeof err), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cam_source_sim.next(st, &f, 500, err, sizeof err), CAM_FRAME);
        assert_int_equal(f.y[100], i);
    }
    cam_source_sim.close(st);

    /* what cannot be opened */
    sim_opts(&o, 320, 240, "", path_in("no-such.ctl"));
    assert_int_equal(cam_source_sim.open(&st, &o, &w, &h, err, sizeof err), -1);
    assert_non_null(strstr(err, "no-such.ctl"));
    sim_opts(&o, 320, 240, "", dir); /* a directory */
    assert_int_equal(cam_source_sim.open(&st, &o, &w, &h, err, sizeof err), -1);
    sim_opts(&o, 8, 240, "", "");
    assert_int_equal(cam_source_sim.open(&st, &o, &w, &h, err, sizeof err), -1);
}

static void v4l2_absent(void **state)
{
    (void)state;
    struct camera_opts o;
    defaults(&o);
    void *st = NULL;
    int w, h;
    char err[160] = "";
    snprintf(o.device, sizeof o.device, "/nonexistent/video9");
    assert_int_equal(cam_source_v4l2.open(&st, &o, &w, &h, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/video9"));
    snprintf(o.device, sizeof o.device, "/dev/null");
    assert_int_equal(cam_source_v4l2.open(&st, &o, &w, &h, err, sizeof err), -1);
    assert_non_null(strstr(err, "/dev/null"));
    cam_source_v4l2.close(NULL);

    /* the driver says why, and holds nothing */
    void *priv = calloc(1, scanner_camera.priv_size);
    const struct scanner_ops *ops = scanner_camera.ops;
    assert_int_equal(ops->open(priv, &o, err, sizeof err), -1);
    snprintf(o.symbologies, sizeof o.symbologies, "qr,datamatrix");
    assert_int_equal(ops->open(priv, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "datamatrix"));
    defaults(&o);
    snprintf(o.source, sizeof o.source, "usb");
    assert_int_equal(ops->open(priv, &o, err, sizeof err), -1);
    uint8_t px[16];
    struct scan_frame sf;
    assert_int_equal(ops->preview(priv, px, 4, 4, &sf), 0);
    assert_int_equal(sf.w, 0);
    free(priv);
}

/* ---- the driver ------------------------------------------------------------------------ */

struct drv {
    void *priv;
    const struct scanner_ops *ops;
    struct camera_opts o;
};

static void drv_open(struct drv *d, const char *frames, const char *ctl, int repeat_ms)
{
    d->priv = calloc(1, scanner_camera.priv_size);
    assert_non_null(d->priv);
    d->ops = scanner_camera.ops;
    sim_opts(&d->o, FW, FH, frames, ctl);
    d->o.repeat_ms = repeat_ms;
    char err[160];
    if (d->ops->open(d->priv, &d->o, err, sizeof err) != 0)
        fail_msg("open: %s", err);
}

static void drv_close(struct drv *d)
{
    d->ops->close(d->priv);
    free(d->priv);
}

/* Reads for `ms`; returns the scans, each of which must be `want`. */
static int scans_for(struct drv *d, int ms, const char *want)
{
    int n = 0;
    int64_t end = ms_now() + ms;
    while (ms_now() < end) {
        struct scan_read s;
        char err[160];
        int64_t t0 = ms_now();
        int r = d->ops->read(d->priv, &s, 100, err, sizeof err);
        assert_true(ms_now() - t0 < 100 + 80); /* bounded: the timeout and one decode */
        assert_int_not_equal(r, SCAN_GONE);
        if (r == SCAN_CODE) {
            assert_int_equal(s.refused, 0);
            assert_string_equal(s.text, want);
            n++;
        }
    }
    return n;
}

static void driver_one_scan_per_presentation(void **state)
{
    (void)state;
    const char *code = path_in("pay.png"), *ctl = path_in("drv.ctl");
    struct cimg *f = frame_of(K_QR, PAY, 4);
    write_png(f, code);
    cimg_destroy(f);
    FILE *fc = fopen(ctl, "w");
    fclose(fc);

    struct drv d;
    drv_open(&d, code, ctl, 300);
    /* held in view for 3 s at 30 fps: one scan */
    assert_int_equal(scans_for(&d, 3000, PAY), 1);
    /* a script moves the kiosk's clock on while the phone is held up: it did not go away */
    clock_advance_ms(60000);
    assert_int_equal(scans_for(&d, 300, PAY), 0);
    struct camera_stats st;
    camera_stats(d.priv, &st);
    assert_in_range(st.frames, 88, 105);
    assert_true(st.decoded >= 60); /* a code in view: every frame is decoded */
    assert_int_equal(st.skipped, 0);
    assert_int_equal(st.scans, 1);
    assert_int_equal(st.w, FW);
    assert_true(st.scan_ms >= st.scan_frame_ms);
    /* away past repeat_ms, shown again: a second scan */
    command(ctl, "blank");
    assert_int_equal(scans_for(&d, 500, PAY), 0);
    char line[600];
    snprintf(line, sizeof line, "show %s", code);
    command(ctl, line);
    assert_int_equal(scans_for(&d, 500, PAY), 1);
    /* away for less than repeat_ms: the same presentation */
    command(ctl, "blank");
    assert_int_equal(scans_for(&d, 100, PAY), 0);
    command(ctl, line);
    assert_int_equal(scans_for(&d, 500, PAY), 0);
    camera_stats(d.priv, &st);
    assert_int_equal(st.scans, 2);
    drv_close(&d);
}

static void driver_newest_frame_wins(void **state)
{
    (void)state;
    struct drv d;
    drv_open(&d, "", "", 500);
    sleep_ms(600); /* nobody reads: frames are overwritten, not queued */
    struct camera_stats st;
    camera_stats(d.priv, &st);
    assert_in_range(st.frames, 14, 20);
    assert_int_equal(st.decoded, 0);
    struct scan_read s;
    char err[160];
    assert_int_equal(d.ops->read(d.priv, &s, 0, err, sizeof err), SCAN_NONE);
    camera_stats(d.priv, &st);
    assert_int_equal(st.decoded, 1); /* the newest only */
    assert_true(st.dropped + 1 >= st.frames - 1);
    /* a read waits for a new frame, and no longer than its timeout */
    int64_t t0 = ms_now();
    assert_int_equal(d.ops->read(d.priv, &s, 50, err, sizeof err), SCAN_NONE);
    int64_t spent = ms_now() - t0;
    assert_true(spent >= 45 && spent < 50 + 60);
    /* the same still scene without a code is not decoded again (but now and then) */
    t0 = ms_now();
    while (ms_now() - t0 < 1300)
        assert_int_equal(d.ops->read(d.priv, &s, 100, err, sizeof err), SCAN_NONE);
    camera_stats(d.priv, &st);
    assert_true(st.skipped >= 30);
    assert_in_range(st.decoded, 2, 4); /* the first, and a check every STILL_RECHECK_MS */
    drv_close(&d);
}

/* Someone walking past: every frame differs (no still scene), none holds a code. */
static void draw_walker(void *user, uint8_t *y, int w, int h, uint64_t n)
{
    (void)user;
    memset(y, (int)(n * 37 % 200), (size_t)w * (size_t)h);
}

/* A moving scene without a code is decoded at idle_fps, not at the camera's 30 fps. */
static void driver_moving_scene_at_idle_rate(void **state)
{
    (void)state;
    struct drv d;
    d.priv = calloc(1, scanner_camera.priv_size);
    assert_non_null(d.priv);
    d.ops = scanner_camera.ops;
    sim_opts(&d.o, FW, FH, "", "");
    d.o.sim_draw = draw_walker;
    d.o.idle_fps = 5;
    char err[160];
    if (d.ops->open(d.priv, &d.o, err, sizeof err) != 0)
        fail_msg("open: %s", err);
    assert_int_equal(scans_for(&d, 2000, ""), 0);
    struct camera_stats st;
    camera_stats(d.priv, &st);
    assert_true(st.frames >= 50);
    assert_in_range(st.decoded, 8, 12); /* 5 a second, not 30 */
    drv_close(&d);
}

static void driver_unplugged(void **state)
{
    (void)state;
    const char *ctl = path_in("gone.ctl");
    FILE *fc = fopen(ctl, "w");
    fclose(fc);
    struct drv d;
    drv_open(&d, "", ctl, 500);
    struct scan_read s;
    char err[160];
    assert_int_equal(d.ops->read(d.priv, &s, 200, err, sizeof err), SCAN_NONE);
    command(ctl, "unplug");
    int r = SCAN_NONE;
    int64_t t0 = ms_now();
    while (r != SCAN_GONE && ms_now() - t0 < 1000)
        r = d.ops->read(d.priv, &s, 100, err, sizeof err);
    assert_int_equal(r, SCAN_GONE);
    assert_non_null(strstr(err, "unplugged"));
    assert_int_equal(d.ops->read(d.priv, &s, 100, err, sizeof err), SCAN_GONE); /* stays */
    d.ops->close(d.priv);
    /* the hub opens it again: not there until plugged */
    assert_int_equal(d.ops->open(d.priv, &d.o, err, sizeof err), -1);
    assert_non_null(strstr(err, "unplugged"));
    command(ctl, "plug");
    assert_int_equal(d.ops->open(d.priv, &d.o, err, sizeof err), 0);
    assert_int_equal(d.ops->read(d.priv, &s, 200, err, sizeof err), SCAN_NONE);
    drv_close(&d);
}

static void driver_preview(void **state)
{
    (void)state;
    const char *code = path_in("preview.png");
    struct cimg *f = frame_of(K_QR, PAY, 4);
    write_png(f, code);
    struct drv d;
    drv_open(&d, code, "", 500);
    struct scan_read s;
    char err[160];
    while (d.ops->read(d.priv, &s, 500, err, sizeof err) == SCAN_NONE)
        ;
    static uint8_t px[320 * 320];
    struct scan_frame sf;
    assert_int_equal(d.ops->preview(d.priv, px, 320, 320, &sf), 1);
    assert_int_equal(sf.w, 320); /* 4:3 kept */
    assert_int_equal(sf.h, 240);
    assert_true(sf.seq > 0);
    /* each preview pixel is the average of its box: compare with the frame's own boxes */
    for (int y = 0; y < 240; y += 37)
        for (int x = 0; x < 320; x += 41) {
            int sum = 0;
            for (int j = 0; j < 2; j++)
                for (int i = 0; i < 2; i++)
                    sum += f->px[(size_t)(2 * y + j) * FW + (size_t)(2 * x + i)];
            assert_true(abs(px[y * 320 + x] - sum / 4) <= 10);
        }
    assert_int_equal(d.ops->preview(d.priv, px, 100, 300, &sf), 1);
    assert_int_equal(sf.w, 100);
    assert_int_equal(sf.h, 75);
    assert_int_equal(d.ops->preview(d.priv, px, 0, 300, &sf), 0);
    uint32_t seq = sf.seq;
    sleep_ms(100);
    assert_int_equal(d.ops->preview(d.priv, px, 64, 64, &sf), 1);
    assert_true(sf.seq > seq);
    d.ops->close(d.priv);
    assert_int_equal(d.ops->preview(d.priv, px, 64, 64, &sf), 0); /* closed: none */
    free(d.priv);
    cimg_destroy(f);
}

struct previewer {
    void *priv;
    const struct scanner_ops *ops;
    atomic_int stop;
    int shown;
};

static void *preview_loop(void *arg)
{
    struct previewer *p = arg;
    static uint8_t px[160 * 120];
    struct scan_frame sf;
    while (!atomic_load(&p->stop)) {
        p->shown += p->ops->preview(p->priv, px, 160, 120, &sf);
        struct camera_stats st;
        camera_stats(p->priv, &st);
        sleep_ms(1); /* a UI asks at most once a frame */
    }
    return NULL;
}

/* The UI thread previews while the worker opens, reads and closes again and again. */
static void driver_preview_while_reopening(void **state)
{
    (void)state;
    void *priv = calloc(1, scanner_camera.priv_size);
    struct previewer p = {.priv = priv, .ops = scanner_camera.ops};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, preview_loop, &p), 0);
    struct camera_opts o;
    sim_opts(&o, 320, 240, "", "");
    o.fps = 60;
    for (int i = 0; i < 4; i++) {
        char err[160];
        assert_int_equal(p.ops->open(priv, &o, err, sizeof err), 0);
        struct scan_read s;
        for (int k = 0; k < 2; k++)
            assert_int_equal(p.ops->read(priv, &s, 100, err, sizeof err), SCAN_NONE);
        p.ops->close(priv);
    }
    atomic_store(&p.stop, 1);
    pthread_join(t, NULL);
    assert_true(p.shown > 0);
    free(priv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_table),
        cmocka_unit_test(symbologies),
        cmocka_unit_test(debounce_once_while_held),
        cmocka_unit_test(debounce_codes_apart),
        cmocka_unit_test(images_decode_exactly),
        cmocka_unit_test(frames_refused_or_one),
        cmocka_unit_test(sim_source),
        cmocka_unit_test(v4l2_absent),
        cmocka_unit_test(driver_one_scan_per_presentation),
        cmocka_unit_test(driver_newest_frame_wins),
        cmocka_unit_test(driver_moving_scene_at_idle_rate),
        cmocka_unit_test(driver_unplugged),
        cmocka_unit_test(driver_preview),
        cmocka_unit_test(driver_preview_while_reopening),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
