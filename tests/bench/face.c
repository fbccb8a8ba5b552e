/* kiosk-bench-face: the face module's figures (a benchmark, not a test: nothing is
 * asserted). The time to load the default cascade; face_detect() and face_assess() on each
 * 640x480 frame of tests/sim/faces, RUNS times each (p50/p95/max per frame, wall clock and
 * the thread's CPU: the difference is time the machine gave to others), with the smallest
 * face 64 pixels wide (10% of the width), then 96; face_jpeg() at quality 85; and the
 * process's memory before and after OpenCV and the cascade are used (/proc/self/status).
 * usage: kiosk-bench-face [FACES_DIR [RUNS]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pngio.h"
#include "face/face.h"

#ifndef KIOSK_FACES_DIR
#define KIOSK_FACES_DIR "tests/sim/faces"
#endif

static const char *const names[] = {"face_ok", "face_far", "face_near", "face_off", "two_faces",
                                    "no_face", "dark",     "blurry",    "bright"};
#define N_IMAGES (int)(sizeof names / sizeof names[0])

static double ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double d = *(const double *)a - *(const double *)b;
    return (d > 0) - (d < 0);
}

/* The p-th percentile of v (sorts v). */
static double pct(double *v, int n, int p)
{
    qsort(v, (size_t)n, sizeof v[0], cmp);
    int i = (n * p + 99) / 100 - 1;
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static void line(const char *what, double *v, int n)
{
    double p50 = pct(v, n, 50), p95 = pct(v, n, 95);
    printf("%s: p50 %.1f ms, p95 %.1f ms, max %.1f ms\n", what, p50, p95, v[n - 1]);
}

/* The process's memory now, from /proc/self/status. */
static void memory(const char *when)
{
    FILE *f = fopen("/proc/self/status", "r");
    long rss = -1, hwm = -1, anon = -1, file = -1;
    char buf[256];
    while (f && fgets(buf, sizeof buf, f)) {
        sscanf(buf, "VmRSS: %ld kB", &rss);
        sscanf(buf, "VmHWM: %ld kB", &hwm);
        sscanf(buf, "RssAnon: %ld kB", &anon);
        sscanf(buf, "RssFile: %ld kB", &file);
    }
    if (f)
        fclose(f);
    printf("face memory %s: VmRSS %.1f MB (anon %.1f, file %.1f), VmHWM %.1f MB\n", when,
           rss / 1024.0, anon / 1024.0, file / 1024.0, hwm / 1024.0);
}

struct frame {
    int w, h;
    uint8_t *grey;
};

static int load(const char *dir, const char *name, struct frame *f)
{
    char path[1024], err[256];
    struct pngio_image img;
    if (snprintf(path, sizeof path, "%s/%s.png", dir, name) >= (int)sizeof path ||
        pngio_read_rgb(path, NULL, &img, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk-bench-face: %s: %s\n", name, err);
        return -1;
    }
    f->w = img.w;
    f->h = img.h;
    f->grey = malloc((size_t)img.w * (size_t)img.h);
    for (size_t i = 0; f->grey && i < (size_t)img.w * (size_t)img.h; i++) {
        const unsigned char *p = img.rgb + 3 * i;
        f->grey[i] = (uint8_t)((77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8);
    }
    pngio_free(&img);
    return f->grey ? 0 : -1;
}

/* RUNS detections of every frame with faces at least min_side wide: the figures (their lines
 * named with `label`), and with `verbose` what each frame gives. */
static void run(struct face_detector *d, struct frame *frames, int runs, int min_side,
                const char *label, int verbose)
{
    const int total = N_IMAGES * runs;
    double *det = malloc(sizeof *det * (size_t)total), *cpu = malloc(sizeof *cpu * (size_t)total);
    double *qa = malloc(sizeof *qa * (size_t)total), *all = malloc(sizeof *all * (size_t)total);
    double *mine = malloc(sizeof *mine * (size_t)runs);
    if (!det || !cpu || !qa || !all || !mine) {
        fprintf(stderr, "kiosk-bench-face: out of memory\n");
        exit(1);
    }
    struct face_limits lim;
    face_limits_default(&lim);
    int k = 0;
    for (int i = 0; i < N_IMAGES; i++) {
        const struct frame *f = &frames[i];
        struct face_box boxes[4];
        struct face_quality q;
        int n = 0;
        char err[256];
        for (int r = 0; r < runs; r++, k++) {
            double c0 = ms(CLOCK_THREAD_CPUTIME_ID), t0 = ms(CLOCK_MONOTONIC);
            n = face_detect(d, f->grey, f->w, f->h, f->w, min_side, boxes, 4, err, sizeof err);
            double t1 = ms(CLOCK_MONOTONIC);
            cpu[k] = ms(CLOCK_THREAD_CPUTIME_ID) - c0;
            face_assess(f->grey, f->w, f->h, f->w, boxes, n, &lim, &q);
            double t2 = ms(CLOCK_MONOTONIC);
            det[k] = mine[r] = t1 - t0;
            qa[k] = t2 - t1;
            all[k] = t2 - t0;
            if (n < 0) {
                fprintf(stderr, "kiosk-bench-face: %s\n", err);
                exit(1);
            }
        }
        if (verbose) {
            printf("face %-9s %d face(s)", names[i], n);
            if (n > 0)
                printf(" [%d,%d %dx%d = %d%%]", boxes[0].x, boxes[0].y, boxes[0].w, boxes[0].h,
                       boxes[0].w * 100 / f->w);
            printf(", luma %d, sharpness %d: \"%s\" (score %d); detect p50 %.1f ms\n", q.luma,
                   q.sharpness, face_hint_text(q.hint), q.score, pct(mine, runs, 50));
        }
    }
    char what[96];
    snprintf(what, sizeof what, "face detect %dx%d%s", frames[0].w, frames[0].h, label);
    line(what, det, total);
    snprintf(what, sizeof what, "face detect %dx%d, thread CPU (min side %d)", frames[0].w,
             frames[0].h, min_side);
    line(what, cpu, total);
    if (verbose) {
        line("face assess 640x480", qa, total);
        line("face detect + assess 640x480", all, total);
    }
    free(det);
    free(cpu);
    free(qa);
    free(all);
    free(mine);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : KIOSK_FACES_DIR;
    int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 200;
    if (runs < 1 || runs > 100000)
        runs = 200;
    struct frame frames[N_IMAGES];
    for (int i = 0; i < N_IMAGES; i++)
        if (load(dir, names[i], &frames[i]) != 0)
            return 1;
    memory("before OpenCV is used (its libraries mapped)");

    char err[256];
    double t0 = ms(CLOCK_MONOTONIC);
    struct face_detector *d = face_detector_open(FACE_CASCADE_DEFAULT, err, sizeof err);
    double t1 = ms(CLOCK_MONOTONIC);
    if (!d) {
        fprintf(stderr, "kiosk-bench-face: %s\n", err);
        return 1;
    }
    printf("face cascade load: %.1f ms (%s)\n", t1 - t0, FACE_CASCADE_DEFAULT);
    memory("after the cascade is loaded");

    run(d, frames, runs, 64, "", 1);
    memory("after the detections");
    run(d, frames, runs, 96, " (min side 96)", 0);

    double *jt = malloc(sizeof *jt * (size_t)runs);
    size_t jlen = 0;
    for (int r = 0; jt && r < runs; r++) {
        uint8_t *jpg = NULL;
        double j0 = ms(CLOCK_MONOTONIC);
        if (face_jpeg(frames[0].grey, frames[0].w, frames[0].h, frames[0].w, 85, &jpg, &jlen, err,
                      sizeof err) != 0) {
            fprintf(stderr, "kiosk-bench-face: %s\n", err);
            return 1;
        }
        jt[r] = ms(CLOCK_MONOTONIC) - j0;
        explicit_bzero(jpg, jlen);
        free(jpg);
    }
    if (jt) {
        char what[64];
        snprintf(what, sizeof what, "face jpeg 640x480 q85 (%zu bytes)", jlen);
        line(what, jt, runs);
        free(jt);
    }
    face_detector_close(d);
    memory("at the end");
    for (int i = 0; i < N_IMAGES; i++)
        free(frames[i].grey);
    return 0;
}
