/* The camera scanner's parts (the driver itself is scanner_camera, scanner.h): public so the
 * tests and the bench can drive each on its own.
 *
 *   frame sources  where grey frames come from: V4L2 through libv4l2 (frames_v4l2.c) or the
 *                  simulator (frames_sim.c: PNG files or blank frames at a set fps, in real
 *                  time, steered by a control file while the kiosk runs)
 *   decoder        ZBar over one grey frame (zdecode.c): the symbologies asked for, inverted
 *                  codes, text checks; never more than one code per frame
 *   debounce       a code held in front of the camera scans once (debounce.c, pure)
 *   driver         camera.c: a capture thread keeps only the newest frame (a single slot,
 *                  overwritten: frames are dropped while the decoder is busy, never queued);
 *                  read() on the hub's worker is the decode thread. A still scene without a
 *                  code is not decoded over and over.
 *
 * Privacy: a code's text is never logged (its length and symbology are), and every buffer of
 * ours that held one is wiped after use. */
#ifndef DRIVERS_SCANNER_CAMERA_H
#define DRIVERS_SCANNER_CAMERA_H

#include <stddef.h>
#include <stdint.h>

#include "core/codes.h"
#include "core/config.h"

/* ---- options --------------------------------------------------------------------------- */

/* A frame generator (tests, bench): draws frame number `n` (from 0) into `y` (w * h grey
 * bytes, tight rows) on the simulator's thread. */
typedef void (*cam_draw_fn)(void *user, uint8_t *y, int w, int h, uint64_t n);

/* The driver's options block (camera_options' offsets point into it). */
struct camera_opts {
    char source[8];        /* "v4l2" | "sim" */
    char device[256];      /* v4l2: the device node */
    int width, height;     /* frame size asked for (v4l2: the camera may give another) */
    int fps;               /* frames a second asked for (sim: given) */
    char symbologies[64];  /* comma list of qr, ean13, ean8, code128 */
    int inverted;          /* also read white-on-black codes */
    int repeat_ms;         /* a code scans again after it has been out of view this long */
    int idle_fps;          /* frames decoded a second while nothing is in view */
    char sim_frames[512];  /* sim: the PNG shown from the start ("" = blank grey) */
    char sim_control[512]; /* sim: a file or FIFO of commands ("" = none): cam_source_sim */
    /* Not from config (tests, bench): when set, the simulator draws every frame with it
     * instead of showing images, and sim_frames is not read. */
    cam_draw_fn sim_draw;
    void *sim_user;
};

/* source, device, width, height, fps, symbologies, inverted, repeat_ms, idle_fps, sim_frames,
 * sim_control (section NULL), as offsets into a struct camera_opts; ended by name == NULL. */
extern const struct cfg_option camera_options[];

/* ---- frame sources --------------------------------------------------------------------- */

#define CAM_MAX_SIDE 4096 /* the widest and tallest frame a source gives */

struct cam_frame {
    const uint8_t *y; /* the grey (luma) plane, borrowed until the next call to next() or
                       * close() */
    int stride;       /* bytes from one row to the next (>= w) */
};

enum cam_next {
    CAM_GONE = -1, /* the device went away (unplugged, an I/O error): err says */
    CAM_NONE = 0,  /* no frame within the time */
    CAM_FRAME = 1, /* *f holds a frame */
};

struct cam_source_ops {
    const char *name; /* `source = name` */
    /* Opens the source for `o` (borrowed for the call; strings are copied). On success *st
     * is the source's state (owned by the source until close) and *w x *h the size every
     * frame will have (16..CAM_MAX_SIDE each). 0, or -1 with the reason in err (nothing
     * held). */
    int (*open)(void **st, const struct camera_opts *o, int *w, int *h, char *err, size_t errcap);
    /* Waits at most timeout_ms for the next frame (see enum cam_next). Frames come at the
     * source's own pace; one that is late is not made up for. */
    int (*next)(void *st, struct cam_frame *f, int timeout_ms, char *err, size_t errcap);
    /* Releases everything open() took, st included. NULL-safe. */
    void (*close)(void *st);
};

extern const struct cam_source_ops cam_source_v4l2;
/* The simulator. Frames are sim_frames' image (any PNG, made grey and centred on a light grey
 * frame, scaled down when larger than the frame) or blank grey (128), every 1/fps s. Its
 * control (sim_control) is read before every frame, a command a line:
 *   show FILE.png   that image from the next frame on (one that cannot be read: blank)
 *   blank           blank frames
 *   unplug          the device goes away: next() gives CAM_GONE, and open() fails, until
 *   plug            brings it back
 * FILE is a path as given (relative ones from the kiosk's working directory). Commands that
 * come between two frames apply together. A regular file is followed as it grows (append to
 * it; one rewritten shorter is read again from its start); at open it is read from the start,
 * so the state it leaves (the last show/blank, unplugged or not) survives a reopen. A FIFO is
 * read as it comes: what was consumed is not seen again, so after `unplug` on a FIFO the
 * next open starts plugged, from sim_frames. */
extern const struct cam_source_ops cam_source_sim;
/* The source called `name`, or NULL. */
const struct cam_source_ops *cam_source_find(const char *name);

/* ---- decoder --------------------------------------------------------------------------- */

/* Symbologies, as bits. */
#define ZDEC_QR 0x1u
#define ZDEC_EAN13 0x2u
#define ZDEC_EAN8 0x4u
#define ZDEC_CODE128 0x8u
#define ZDEC_ALL (ZDEC_QR | ZDEC_EAN13 | ZDEC_EAN8 | ZDEC_CODE128)

/* Parses a comma list ("qr,ean13,ean8,code128", spaces allowed) into *mask. 0, or -1 with
 * the reason in err (an unknown name, or none). */
int zdec_symbologies(const char *list, unsigned *mask, char *err, size_t errcap);
/* "qr", "ean13", "ean8", "code128" for one bit; "?" otherwise. */
const char *zdec_sym_name(unsigned sym);

enum zdec_result {
    ZDEC_NONE = 0,    /* no code in the frame */
    ZDEC_CODE = 1,    /* one code (text) */
    ZDEC_REFUSED = 2, /* something that is not a code, or more than one code (why) */
};

#define ZDEC_MAX_CODES 8
/* What one frame held. Holds code text: zdec_read_wipe() it when done. */
struct zdec_read {
    char text[CODE_SCAN_MAX + 1]; /* ZDEC_CODE: the code, NUL-terminated; else "" */
    char why[64];                 /* ZDEC_REFUSED: why, in words (never the bytes) */
    unsigned sym;                 /* the code's symbology (one ZDEC_ bit; 0 for several) */
    size_t len;                   /* its length in bytes (of the raw data when refused) */
    int quality;                  /* ZBar's quality (the highest among equal reads) */
    int inverted;                 /* found on the inverted frame (white on black) */
    /* Identity of what was seen, for the debounce: `key` for the result as a whole, keys[]
     * for each distinct code in view (hashes of their bytes: no text is kept). */
    uint64_t key;
    uint64_t keys[ZDEC_MAX_CODES];
    int nkeys;
};

/* A decoder: used by one thread at a time. Each frame is decoded on its own: nothing of an
 * earlier frame carries over (ZBar's EAN decoder would join half a code from one frame to
 * half of another). An EAN-13/EAN-8 read on fewer than 6 of ZBar's scan lines is not taken:
 * with a single check digit, wrong reads get through, and they come from few lines. */
struct zdec;
/* A decoder of the symbologies in `mask` (ZDEC_ bits; everything else is off); `inverted`:
 * when a frame holds no code, it is tried again inverted. NULL on no memory. */
struct zdec *zdec_create(unsigned mask, int inverted);
void zdec_destroy(struct zdec *z); /* NULL-safe */
/* Decodes one w x h grey frame (`grey`, `stride` bytes a row; borrowed for the call) into
 * *out (see enum zdec_result). The same text read twice (a phone's QR code and its barcode
 * of one payment code) is one code; two different texts are refused as "more than one code
 * in view": which one the customer meant is not guessed. Text that code_scan_ok() refuses
 * (too long, a NUL byte, invalid UTF-8, control characters) is refused whole. */
int zdec_frame(struct zdec *z, const uint8_t *grey, int w, int h, int stride,
               struct zdec_read *out);
/* Overwrites what `r` holds. */
void zdec_read_wipe(struct zdec_read *r);

/* ---- debounce -------------------------------------------------------------------------- */

/* A code held still in front of the camera scans once, and again only after it has been out
 * of view (seen in no frame) for repeat_ms. Each code is followed on its own (up to
 * DEBOUNCE_SLOTS at once; past that the one seen longest ago is forgotten), by a key (a hash
 * of its bytes), so a code that flickers in and out of single frames, or shares a frame with
 * another, is not read twice. Pure. */
#define DEBOUNCE_SLOTS 16
struct debounce {
    int repeat_ms;
    int n;
    struct {
        uint64_t key;
        int64_t seen_ms; /* last frame it was in */
    } v[DEBOUNCE_SLOTS];
};

void debounce_init(struct debounce *d, int repeat_ms);
/* Code `key` is in the frame of now_ms (not before the last frame's time): 1 when it is to be
 * reported (not in view within repeat_ms), 0 when it is the same presentation. Either way it
 * counts as seen now. */
int debounce_seen(struct debounce *d, uint64_t key, int64_t now_ms);
/* Forgets everything (a reopened camera starts afresh). */
void debounce_clear(struct debounce *d);

/* ---- the driver ------------------------------------------------------------------------ */

/* What the driver instance has done since open (tests, bench, health detail). */
struct camera_stats {
    uint64_t frames;       /* published by the capture thread */
    uint64_t decoded;      /* taken by read() and decoded */
    uint64_t skipped;      /* taken by read() and not decoded: the same still scene as the
                            * last decoded frame, which held nothing (see camera.c) */
    uint64_t dropped;      /* overwritten before read() took them */
    uint64_t scans;        /* scans read() returned (codes and refused) */
    int64_t scan_frame_ms; /* the last scan's frame: when it was published (clock_real_ms) */
    int64_t scan_ms;       /* ... and when read() returned it */
    int64_t decode_us;     /* the last frame's decode time */
    int w, h;              /* the frames' size (0 when closed) */
};
/* Fills *out for the instance whose priv is `priv` (zeroes when it is not open).
 * Thread-safe. */
void camera_stats(void *priv, struct camera_stats *out);

#endif
