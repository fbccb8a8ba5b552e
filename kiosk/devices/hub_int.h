/* The hub's insides, shared by its parts: hub.c (the classes, scanners, card readers, the
 * UI thread's side), idreader.c (the ID card readers' workers) and face.c (the face step).
 * Nothing outside kiosk/devices includes this. */
#ifndef KIOSK_DEVICES_HUB_INT_H
#define KIOSK_DEVICES_HUB_INT_H

#include <pthread.h>
#include <stdint.h>

#include "card/card.h"
#include "core/config.h"
#include "core/evq.h"
#include "core/health.h"
#include "device/device.h"
#include "devices/hub.h"
#include "idcard/idcard.h"
#include "scanner/scanner.h"

struct hub_class {
    const char *name;                        /* config sections [name.x] */
    enum component comp;                     /* the health its instances make up */
    const struct dev_driver *const *drivers; /* NULL-terminated */
    const char *default_instance;            /* a kiosk that names none has this one, or NULL */
    const char *default_driver;
    const struct cfg_option *common;         /* its keys after the fault wrapper's, or NULL */
    size_t common_size;                      /* a block that starts with struct fault_opts */
    void *(*worker)(void *dev);              /* an instance's thread (struct dev), or NULL
                                              * when the class runs its own */
};

struct prn;
struct face_step;

#define CARD_QUEUE 8 /* APDUs waiting for the card reader's worker */

/* A command APDU for the card (its bytes may be a PIN: wiped once sent). */
struct card_req {
    int no;
    size_t n;
    uint8_t apdu[CARD_APDU_MAX];
};

struct dev {
    struct hub *hub;
    int index;
    char name[64];                  /* "scanner.front" */
    const struct hub_class *cls;
    const struct dev_driver *drv;
    struct prn *prn;                /* a printer's worker */
    int test_on_start;
    /* a scanner's */
    const struct scanner_ops *ops;  /* what the worker calls: the driver's, or the fault
                                     * wrapper's around it */
    void *priv;                     /* what ops take */
    void *drv_priv;                 /* the driver's own state */
    struct scanner_fault fault;     /* the wrapper's state, when it is on */
    void *opts;                     /* the driver's options (copied) */
    int opened;                     /* the UI thread may ask for a preview, or queue an APDU */
    pthread_t thread;
    int has_thread;
    /* a card reader's: its APDU queue and the waker (under the hub's lock), and the
     * driver's context as the waker sees it (under ctx_lock, which only the worker and the
     * waker take: a wake that blocks on pcscd never holds up the UI thread) */
    const struct card_ops *card;
    struct card_req queue[CARD_QUEUE];
    int queued;
    int wake_asked;
    pthread_cond_t waker_cond;
    pthread_t waker;
    int has_waker;
    pthread_mutex_t ctx_lock;
    int ctx_open;
    int card_present;               /* the UI thread's, from EV_CARD */
    /* an ID card reader's (idreader.c) */
    const struct idcard_ops *idcard;
    int id_wanted;                  /* under the hub's lock: a service wants readings */
    /* kept by the UI thread from EV_DEVICE */
    enum health_state health;
    char why[256];
};

struct hub {
    struct evq *q;
    int receipt;          /* the receipt printer's instance, or -1 */
    int card;             /* the card reader's instance (the first [card.*]), or -1 */
    int card_seq;         /* the last APDU's number (the UI thread's) */
    int idcard;           /* the ID card reader's instance (the first [idcard.*]), or -1 */
    struct face_step *face; /* the face step (face.c), or NULL */
    struct dev dev[HUB_INSTANCES_MAX];
    int n;
    pthread_mutex_t lock; /* stop, and each dev's `opened` */
    pthread_cond_t wake;
    int stop;
};

/* The worker's view of its health: posted when it changes. */
struct reported {
    enum health_state state;
    char why[200];
};

#define READ_SLICE_MS 200    /* a read returns at least this often: the worker can stop */
#define REOPEN_FIRST_MS 500  /* a device that is not there is looked for again ... */
#define REOPEN_MAX_MS 5000   /* ... backing off up to this */


/* 1 once the hub is stopping. */
int hub_stopping(struct hub *h);
/* Sleeps up to ms, or until the hub stops. */
void hub_nap(struct hub *h, int64_t ms);
/* Posts the instance's health when it changed since *r. */
void hub_report(struct dev *d, struct reported *r, enum health_state st, const char *why);
/* The UI thread may (1) or may not (0) use the instance now. */
void hub_set_opened(struct dev *d, int opened);

/* idreader.c: an ID card reader's worker thread. */
void *idcard_worker(void *arg);
/* face.c: stops the face step and frees it (hub_close). */
void face_step_free(struct hub *h);

#endif
