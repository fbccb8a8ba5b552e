/* kiosk-bench-camera: the camera scanner's figures (a benchmark, not a test: nothing is
 * asserted). ZBar's decode time of a 1280x720 grey frame holding one QR code (p50/p95 over
 * 200 runs; target p95 <= 20 ms), clean and as a camera delivers it (lower contrast, sensor
 * noise), and of a frame without a code (both passes: normal and inverted); the latency from
 * the frame that carries a code being published to read() returning its scan, with the
 * simulator at 30 fps; the CPU the camera takes while nothing is shown; peak RSS.
 * usage: kiosk-bench-camera [RUNS] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "codeimg.h"
#include "core/log.h"
#include "scanner/camera.h"
#include "scanner/scanner.h"

#define W 1280
#define H 720
#define PAY "134567890123456789"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

static int cmp(const void *a, const void *b)
{
    double d = *(const double *)a - *(const double *)b;
    return (d > 0) - (d < 0);
}

static double pct(double *v, int n, int p)
{
    qsort(v, (size_t)n, sizeof v[0], cmp);
    int i = (n * p + 99) / 100 - 1;
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/* A 1280x720 frame of the payment code, 5 pixels a module (a phone at reading distance). */
static struct cimg *qr_frame(int realistic)
{
    struct cimg *sym = cimg_qr(PAY);
    struct cimg_view v;
    cimg_view_init(&v, W, H, 5);
    if (realistic) { /* a screen seen by a camera: not quite black, not quite white, noise */
        v.dark = 35;
        v.light = 215;
        v.surround = 150;
        v.angle = 8;
        v.blur = 0.6;
        v.noise = 2;
    }
    struct cimg *f = cimg_render(sym, &v);
    cimg_destroy(sym);
    return f;
}

static void decode_times(const char *what, const struct cimg *f, int runs, int want_code)
{
    struct zdec *z = zdec_create(ZDEC_ALL, 1);
    double *t = malloc(sizeof *t * (size_t)runs);
    int read = 0;
    for (int i = 0; i < runs; i++) {
        struct zdec_read r;
        double t0 = now_ms();
        int res = zdec_frame(z, f->px, f->w, f->h, f->w, &r);
        t[i] = now_ms() - t0;
        read += res == ZDEC_CODE && !strcmp(r.text, PAY);
        zdec_read_wipe(&r);
    }
    printf("camera decode %dx%d %-28s p50 %5.1f ms  p95 %5.1f ms  (%d runs%s)\n", f->w, f->h, what,
           pct(t, runs, 50), pct(t, runs, 95), runs,
           want_code ? (read == runs ? ", all read" : ", NOT ALL READ") : "");
    free(t);
    zdec_destroy(z);
}

static void command(const char *ctl, const char *line)
{
    FILE *f = fopen(ctl, "a");
    if (f) {
        fprintf(f, "%s\n", line);
        fclose(f);
    }
}

/* Noisy frames without a code, cycled by the simulator: an empty kiosk front (`user` NULL),
 * or someone moving in front of it (a light square crossing the frame). */
static struct cimg *noise[4];
static void draw_noise(void *user, uint8_t *y, int w, int h, uint64_t n)
{
    memcpy(y, noise[n % 4]->px, (size_t)w * (size_t)h);
    if (!user)
        return;
    int x0 = (int)(n * 37 % (uint64_t)(w - 240));
    for (int r = 200; r < 440 && r < h; r++)
        memset(y + (size_t)r * (size_t)w + (size_t)x0, 200, 240);
}

/* The simulator at 30 fps, W x H, every symbology, inverted codes too; the rest as the
 * option table's defaults. */
static void sim_opts(struct camera_opts *o, int repeat_ms)
{
    memset(o, 0, sizeof *o);
    config_block_defaults(camera_options, o);
    snprintf(o->source, sizeof o->source, "sim");
    o->width = W;
    o->height = H;
    o->repeat_ms = repeat_ms;
}

static void latency(int shows)
{
    char dir[] = "/tmp/kiosk-bench-camera-XXXXXX", code[128], ctl[128], line[160], err[160];
    if (!mkdtemp(dir))
        return;
    snprintf(code, sizeof code, "%s/pay.png", dir);
    snprintf(ctl, sizeof ctl, "%s/ctl", dir);
    struct cimg *f = qr_frame(1);
    cimg_write_png(f, code, err, sizeof err);
    cimg_destroy(f);
    FILE *fc = fopen(ctl, "w");
    if (fc)
        fclose(fc);

    void *priv = calloc(1, scanner_camera.priv_size);
    const struct scanner_ops *ops = scanner_camera.ops;
    struct camera_opts o;
    sim_opts(&o, 100);
    snprintf(o.sim_control, sizeof o.sim_control, "%s", ctl);
    if (ops->open(priv, &o, err, sizeof err) != 0) {
        printf("camera latency: cannot open the simulator: %s\n", err);
        free(priv);
        return;
    }
    double *lat = malloc(sizeof *lat * (size_t)shows);
    int n = 0;
    snprintf(line, sizeof line, "show %s", code);
    for (int i = 0; i < shows; i++) {
        struct scan_read s;
        command(ctl, "blank");
        for (double t0 = now_ms(); now_ms() - t0 < 250;)
            ops->read(priv, &s, 50, err, sizeof err);
        command(ctl, line);
        int r = SCAN_NONE;
        for (double t0 = now_ms(); r != SCAN_CODE && now_ms() - t0 < 3000;)
            r = ops->read(priv, &s, 100, err, sizeof err);
        if (r == SCAN_CODE) {
            struct camera_stats st;
            camera_stats(priv, &st);
            lat[n++] = (double)(st.scan_ms - st.scan_frame_ms);
        }
    }
    struct camera_stats st;
    camera_stats(priv, &st);
    if (n)
        printf("camera frame -> scan at 30 fps %dx%d: median %.0f ms, p95 %.0f ms (%d of %d "
               "shown codes read; %llu frames, %llu decoded, %llu dropped)\n",
               W, H, pct(lat, n, 50), pct(lat, n, 95), n, shows, (unsigned long long)st.frames,
               (unsigned long long)st.decoded, (unsigned long long)st.dropped);
    else
        printf("camera frame -> scan: no code was read\n");
    ops->close(priv);
    free(lat);
    free(priv);
    unlink(code);
    unlink(ctl);
    rmdir(dir);
}

/* The CPU the camera takes while no code is shown, for 3 s: `busy` someone moving in front
 * of it (every frame decoded: both passes, normal and inverted, as none holds a code), else
 * an empty still scene (decoded about once a second). */
static void idle_cpu(int busy)
{
    void *priv = calloc(1, scanner_camera.priv_size);
    const struct scanner_ops *ops = scanner_camera.ops;
    struct camera_opts o;
    sim_opts(&o, 1500);
    o.sim_draw = draw_noise;
    o.sim_user = busy ? (void *)&o : NULL;
    char err[160];
    if (ops->open(priv, &o, err, sizeof err) == 0) {
        struct scan_read s;
        double c0 = cpu_ms(), t0 = now_ms();
        while (now_ms() - t0 < 3000)
            ops->read(priv, &s, 100, err, sizeof err);
        double cpu = cpu_ms() - c0, wall = now_ms() - t0;
        struct camera_stats st;
        camera_stats(priv, &st);
        printf("camera CPU, %s (30 fps %dx%d, sensor noise): %.0f%% of a core; %.1f frames "
               "decoded a second of %.1f captured\n",
               busy ? "someone moving, no code" : "empty still scene", W, H, 100.0 * cpu / wall,
               (double)st.decoded * 1000.0 / wall, (double)st.frames * 1000.0 / wall);
        ops->close(priv);
    }
    free(priv);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 200;
    if (runs < 1)
        runs = 200;
    log_set_level(LOG_WARN);
    struct cimg *clean = qr_frame(0), *real = qr_frame(1), *empty = cimg_create(W, H, 120);
    cimg_noise(empty, 2, 7);
    decode_times("one QR, clean", clean, runs, 1);
    decode_times("one QR, as a camera sees it", real, runs, 1);
    decode_times("no code, sensor noise", empty, runs, 0);
    cimg_destroy(clean);
    cimg_destroy(real);
    cimg_destroy(empty);
    latency(30);
    for (int i = 0; i < 4; i++) {
        noise[i] = cimg_create(W, H, 120);
        cimg_noise(noise[i], 2, (uint32_t)(i + 1));
    }
    idle_cpu(0);
    idle_cpu(1);
    for (int i = 0; i < 4; i++)
        cimg_destroy(noise[i]);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("camera peak RSS (decoder, simulator and capture at %dx%d): %.1f MB\n", W, H,
           (double)ru.ru_maxrss / 1024.0);
    return 0;
}
