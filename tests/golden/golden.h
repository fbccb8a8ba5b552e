/* Golden screenshots: a screenshot is compared with a reference picture kept in the source
 * tree (tests/golden/<scenario>/<shot>.png), at half resolution. See docs/scripts.md,
 * "Golden screenshots", for the rule and how the references are updated. */
#ifndef KIOSK_TESTS_GOLDEN_H
#define KIOSK_TESTS_GOLDEN_H

#include <stddef.h>

/* References are stored and compared at 1/GOLDEN_SCALE of the screen in each direction,
 * each pixel the average of a GOLDEN_SCALE x GOLDEN_SCALE block. */
#define GOLDEN_SCALE 2
/* A pixel differs when one of its channels differs by more than this (of 255). */
#define GOLDEN_TOLERANCE 16
/* A picture fails when more than this many of its pixels differ (at half resolution). */
#define GOLDEN_CAP 24

#define GOLDEN_MAX_MASKS 32

/* A widget that changes by itself, as recorded by the screenshot writer (app/shot.h). */
struct golden_mask {
    char kind[16];
    char id[48];
    int x, y, w, h;
};

struct golden_pic {
    int w, h;
    unsigned char *rgb; /* w * h * 3 */
    struct golden_mask m[GOLDEN_MAX_MASKS];
    int nm;
};

/* Reads a PNG with its volatile rectangles. 0, or -1 with the reason in err. */
int golden_load(const char *path, struct golden_pic *p, char *err, size_t errcap);
/* Writes `p` with its volatile rectangles. 0, or -1 with the reason in err. */
int golden_save(const char *path, const struct golden_pic *p, char *err, size_t errcap);
void golden_free(struct golden_pic *p);
/* The picture at 1/GOLDEN_SCALE: pixels averaged, rectangles grown to whole pixels. */
int golden_shrink(const struct golden_pic *full, struct golden_pic *out);

/* How two pictures of the same size compare: the pixels outside every volatile rectangle
 * (of either) whose channels differ by more than GOLDEN_TOLERANCE; with `diff` non-NULL,
 * also a picture of them (red over a faded copy of `act`, volatile rectangles tinted
 * blue). Returns the number of differing pixels. */
long golden_count(const struct golden_pic *ref, const struct golden_pic *act,
                  struct golden_pic *diff);

/* Checks the font files listed in `sums` (sha256sum format: "HEX  PATH" lines) against
 * their recorded SHA-256. 0, or -1 with what differs (and what to do) in err. */
int golden_fonts_check(const char *sums, char *err, size_t errcap);

/* The whole check of one screenshot. `shot` is the full-size screenshot (a kiosk PNG with
 * its volatile rectangles), `ref` the reference; `out_dir`/`name` where NAME.actual.png
 * and NAME.diff.png go when they differ (removed when they match). `what` names the
 * picture in messages. Returns 0 when it matches, 1 when it does not (or has no
 * reference), -1 when it cannot be checked; msg says which and why. */
int golden_check(const char *shot, const char *ref, const char *out_dir, const char *name,
                 const char *what, char *msg, size_t msgcap);

/* References in `ref_dir` that no check of this run names (`names`, n of them): each is
 * reported on stderr and listed in <out_dir>/golden-stale.txt for golden-update to
 * delete. Returns how many there are. */
int golden_stale(const char *ref_dir, const char *const *names, int n, const char *out_dir);

#endif
