/* The devices. Every configured instance of every device class ([scanner.front],
 * [scanner.pump], [printer.receipt], [card.reader], [idcard.reader]) runs on a worker thread of its own,
 * which opens it, turns what it reads into events for the UI thread and reports its health;
 * a scanner or a card reader that goes away (unplugged, an I/O error, pcscd stopped) is
 * closed and opened again, with a back-off, until it is back, without a restart; a printer
 * is asked for its state every 15 s. The classes are listed once, in hub.c. All calls are
 * on the UI thread. */
#ifndef KIOSK_DEVICES_HUB_H
#define KIOSK_DEVICES_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/evq.h"
#include "core/health.h"
#include "printer/printer.h"
#include "scanner/scanner.h"

#define HUB_CLASSES_MAX 6
#define HUB_INSTANCES_MAX 8

/* The classes' sections in the config file. */
struct hub_config {
    struct cfg_class cls[HUB_CLASSES_MAX];
    char driver_names[HUB_CLASSES_MAX][96]; /* each class's drivers, "a|b|c" */
    int n;
};
/* Sets up every class's config (nothing read yet). */
void hub_config_init(struct hub_config *c);
/* Adds the classes to the tables the kiosk reads its file with. */
void hub_config_tables(struct hub_config *c, struct config_tables *t);
/* Frees what was read. */
void hub_config_clear(struct hub_config *c);
/* The options of instance `name` of class `cls` as read (the driver's block), or NULL. */
const void *hub_config_options(const struct hub_config *c, const char *cls, const char *name,
                               const char **driver);

struct hub;

/* Starts a worker for every configured instance (a kiosk whose file names no scanner has
 * the keyboard one). A device that is not there now is not an error: its health says so
 * and its worker keeps trying. NULL only when the kiosk cannot run (err says). */
struct hub *hub_open(const struct hub_config *c, struct evq *q, char *err, size_t errcap);
/* Stops every worker (each within a read's timeout) and closes the devices. NULL-safe. */
void hub_close(struct hub *h);

/* Takes an EV_DEVICE or EV_PRINTER event: 1 if it was the hub's (what it carries is kept).
 * The card reader's EV_CARD is noted (hub_card_present()) and left for the services: 0
 * (another [card.*] instance's is dropped: 1). */
int hub_event(struct hub *h, const struct ev *e);
/* The health of the components the hub's classes stand for (COMP_SCANNER: OK when every
 * scanner works, DEGRADED when some do, DOWN when none does, ABSENT without scanners;
 * COMP_PRINTER: the receipt printer's; COMP_CARD_READER likewise for the card readers: OK
 * when the reader is there and the PC/SC service answers); the others are left as they
 * are. */
void hub_health(const struct hub *h, struct health *out);
/* Why the scanners cannot read codes now, as a message id to translate ("" when one can). */
const char *hub_scanner_problem(const struct hub *h);

/* Instance `i` as "class.name" (for logs), or "script" for -1. */
const char *hub_instance_name(const struct hub *h, int i);
/* How many instances there are; instance i's health and why (the UI thread's view). */
int hub_instance_count(const struct hub *h);
enum health_state hub_instance_health(const struct hub *h, int i, const char **why);
/* The keyboard scanner's instance, whose scans the host frames from key events; -1 when
 * this kiosk has none (typed text is then not a scan). */
int hub_keyboard(const struct hub *h);
/* 1 when a scanner can show a live preview (a camera). */
int hub_has_preview(const struct hub *h);
/* The newest camera frame, scaled into `pixels` (at most maxw x maxh grey bytes). 0 when
 * there is none. */
int hub_preview(struct hub *h, uint8_t *pixels, int maxw, int maxh, struct scan_frame *out);

/* ---- the receipt printer: the first [printer.*] instance (none: the kiosk has no printer) */

/* The paper width the config gives the receipt printer (576 without one). */
int hub_config_paper_width(const struct hub_config *c);
/* 1 when the receipt printer should print a test slip at start. */
int hub_printer_test_on_start(const struct hub *h);
/* Its last reported state (PRINTER_ABSENT without a printer, UNKNOWN before the first). */
enum printer_state hub_printer_state(const struct hub *h);
/* Why it cannot print, as a message id to translate ("" when it can). */
const char *hub_printer_problem(const struct hub *h);
/* Queues a bitmap to print (the bitmap is copied). Returns the job's number (> 0), or -1
 * when there is no printer. */
int hub_print(struct hub *h, const struct bitmap *b, const char *title);
/* What hub_job_result() has to say about a print job. */
enum hub_job {
    HUB_JOB_PENDING = 0,     /* nothing new: queued, printing, or still being resolved */
    HUB_JOB_FINAL = 1,       /* finished, for good */
    HUB_JOB_UNCONFIRMED = 2, /* given up waiting for, and it may still print */
};
/* What became of print job `no` since the last call for it; each report is given once, in
 * the order they came:
 * - HUB_JOB_PENDING: nothing new (*ok untouched).
 * - HUB_JOB_FINAL: the spooler is done with it; *ok = 1 if it printed in full, 0 if it
 *   did not (refused, failed, cancelled, never sent, or a slip cut short by paper running
 *   out). Nothing more follows for `no`.
 * - HUB_JOB_UNCONFIRMED, *ok = 0: job_wait_s went by and the job could not be confirmed
 *   cancelled (CUPS did not answer): it may still print. The printer's worker keeps asking
 *   CUPS and trying to cancel it, and sends no other job meanwhile; a HUB_JOB_FINAL for
 *   the same `no` follows once CUPS says what became of it. */
enum hub_job hub_job_result(struct hub *h, int no, int *ok);
/* Asks the printer for its state now (not at the next periodic poll). Returns the number
 * the answer will carry (see hub_printer_answer()), or -1 without a printer. */
int hub_printer_check(struct hub *h);
/* 1 once a printer state numbered `check` or later has arrived, with *can_print whether
 * the printer can print a receipt now; 0 while waiting. */
int hub_printer_answer(const struct hub *h, int check, int *can_print);

/* ---- the card reader: the first [card.*] instance (none: the kiosk has no card reader) ---- */

/* Queues one command APDU (copied, 4..261 bytes) for the card on the reader: the number its
 * answer will carry (> 0; an EV_CARD_APDU with i = that number), or -1 without a card
 * reader. The worker is woken, so the command goes at once. A command the card cannot get
 * (no card on the reader as last reported, the reader not open, a bad length, too many
 * queued) is answered at once with -1. The APDU's bytes are never logged (a VERIFY carries
 * the PIN): only lengths and status words. */
int hub_card_send(struct hub *h, const uint8_t *apdu, size_t n);
/* 1 when a card is on the reader, as last reported (EV_CARD taken by hub_event()). */
int hub_card_present(const struct hub *h);
/* Why the card reader cannot be used now, as a message id to translate ("" when it can). */
const char *hub_card_problem(const struct hub *h);

/* ---- the ID card reader: the first [idcard.*] instance (none: the kiosk has none) -------- */

/* Whether a service wants readings now (1) or not (0). While it does, the reader's worker
 * looks for a card every few hundred milliseconds and reads each card put on once (EV_IDCARD
 * with the reading, or with why it could not be read); while nobody does, no card is read.
 * Without an ID card reader: nothing. */
void hub_idcard_want(struct hub *h, int want);
/* 1 when the kiosk has an ID card reader (working or not). */
int hub_has_idcard(const struct hub *h);
/* Why the ID card reader cannot be used now, as a message id to translate ("" when it can). */
const char *hub_idcard_problem(const struct hub *h);

/* ---- the face step: the first camera's frames judged for a face (face.c) ---------------- */

struct face_params {
    char cascade[256];  /* the detector's cascade file */
    int width, height;  /* the frames judged: the camera's picture scaled into this */
    int min_face_pct;   /* faces narrower than this % of the width are not looked for */
    int jpeg_quality;   /* the frame sent (1..100) */
};

/* What the face step says of the newest frame it judged (EV_FACE's ptr). */
struct face_report {
    int hint;           /* enum face_hint (face/face.h) */
    int score;          /* 0..100 (0 unless FACE_OK) */
    int seen;           /* a face was found in the frame (someone is in front of it) */
    int held;           /* a frame good enough to send is held (the best so far) */
    int failed;         /* the step cannot run (no camera, no detector): why says */
    char why[96];
};

/* Starts the face step on the first camera: a thread of its own takes the camera's newest
 * frame, finds faces (face_detect), judges it (face_assess), keeps the best good frame, and
 * posts an EV_FACE when what it says changes (and at least every 250 ms). Starting it when
 * it runs starts it afresh (the best frame dropped). 0, or -1 (no camera; err says). */
int hub_face_start(struct hub *h, const struct face_params *p, char *err, size_t errcap);
/* Stops looking (the thread joined). keep = 1 keeps the best frame for hub_face_jpeg();
 * 0 wipes every frame. NULL-safe, and harmless when it does not run. */
void hub_face_stop(struct hub *h, int keep);
/* The best frame as a JPEG (malloc'd: the caller wipes and frees it). 0, or -1 when no good
 * frame is held. */
int hub_face_jpeg(struct hub *h, uint8_t **jpeg, size_t *len);
/* 1 when a camera can give the face step frames. */
int hub_face_possible(const struct hub *h);

#endif
