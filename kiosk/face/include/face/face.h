/* Face capture's local part: finding faces in a grey camera frame, judging whether a frame
 * is good enough to send (size, centring, sharpness, brightness), and the JPEG the backend's
 * face service gets. Liveness and the comparison with the ID card's photo are the backend's.
 *
 *   detect.cpp   OpenCV's CascadeClassifier (objdetect) with a cascade Debian ships
 *                (opencv-data); the only file that includes OpenCV (docs/architecture.md
 *                says why this library, and what it costs)
 *   quality.c    pure: the guidance for one frame from its faces and its pixels
 *   jpeg.c       libturbojpeg: a grey frame as a JPEG; the only file that includes it
 *
 * Frames are grey (luma) bytes, `stride` bytes from one row to the next. Nothing here logs
 * or keeps a frame: the caller owns every buffer and wipes it. */
#ifndef KIOSK_FACE_FACE_H
#define KIOSK_FACE_FACE_H

#include <stddef.h>
#include <stdint.h>

/* Debian's opencv-data: the default cascade. */
#define FACE_CASCADE_DEFAULT "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"

struct face_box {
    int x, y, w, h; /* in the frame's pixels */
};

/* ---- detection (detect.cpp) ------------------------------------------------------------ */

struct face_detector;

/* Loads the cascade at `path`. NULL with the reason in err (a file that is missing or not
 * a cascade). */
struct face_detector *face_detector_open(const char *path, char *err, size_t errcap);
/* The faces in one frame (w x h, 16..4096 each), none smaller than min_side pixels wide:
 * how many were found (possibly more than max; the max largest are in out, largest first),
 * or -1 when the detector failed (err says). Thread-safe for one detector per thread. */
int face_detect(struct face_detector *d, const uint8_t *grey, int w, int h, int stride,
                int min_side, struct face_box *out, int max, char *err, size_t errcap);
void face_detector_close(struct face_detector *d); /* NULL-safe */

/* ---- quality (quality.c, pure) ---------------------------------------------------------- */

/* What the customer is told, in the order they are checked. */
enum face_hint {
    FACE_OK = 0,      /* one face, near enough, centred, sharp and well lit: can be sent */
    FACE_DARK,        /* the frame or the face is too dark: "too dark, face the light" */
    FACE_BRIGHT,      /* the face is washed out: "too bright" */
    FACE_NONE,        /* no face found: "look at the camera" */
    FACE_MANY,        /* more than one face: "only one person, please" */
    FACE_CLOSER,      /* the face is too small: "move closer" */
    FACE_FARTHER,     /* the face fills too much: "move back a little" */
    FACE_CENTRE,      /* the face is off the guide: "move into the oval" */
    FACE_BLURRY,      /* not sharp: "hold still" */
    FACE_HINT_LAST
};

/* Thresholds (face_limits_default() gives the ones the kiosk uses). */
struct face_limits {
    int dark;          /* mean luma of the frame or of the face box below this: FACE_DARK */
    int bright;        /* mean luma of the face box above this: FACE_BRIGHT */
    int min_width_pct; /* face width under this % of the frame width: FACE_CLOSER */
    int max_width_pct; /* over this: FACE_FARTHER */
    int centre_pct;    /* the face's centre further than this % of the frame's width or
                        * height from the frame's centre: FACE_CENTRE */
    int sharpness;     /* mean absolute Laplacian in the face box below this: FACE_BLURRY */
};
void face_limits_default(struct face_limits *l);

struct face_quality {
    enum face_hint hint;
    int score;           /* 0..100, higher is better; 0 unless hint is FACE_OK */
    struct face_box box; /* the face judged (the largest), zero when none */
    int luma;            /* mean luma of the face box (of the frame when no face) */
    int sharpness;       /* mean absolute Laplacian in the face box (0 when no face) */
};

/* Judges one frame given the faces found in it (n of them, largest first; n may exceed
 * the boxes given: only n > 1 matters then). Pure: no allocation, no I/O. */
void face_assess(const uint8_t *grey, int w, int h, int stride, const struct face_box *faces,
                 int n, const struct face_limits *l, struct face_quality *q);

/* The message id for a hint (N_() strings, translated by the caller). */
const char *face_hint_text(enum face_hint hint);

/* ---- JPEG (jpeg.c) ---------------------------------------------------------------------- */

/* Encodes a grey frame as a baseline JPEG of `quality` (1..100) into a malloc'd buffer
 * (*out, *len). 0, or -1 with the reason in err. The caller wipes and frees *out. */
int face_jpeg(const uint8_t *grey, int w, int h, int stride, int quality, uint8_t **out,
              size_t *len, char *err, size_t errcap);

#endif
