/* Effects: what a flow asks its service's glue to do. Flows are pure (no SDL, curl or
 * SQLite): an input event goes in, the flow's new state and a list of effects come out, and
 * the glue executes the effects in order. An effect carries all it needs (a call's request
 * fields travel in `data`, a struct the flow's module defines), so the glue never reaches
 * into the flow to finish one. Kinds are appended, never renumbered. */
#ifndef CORE_EFFECT_H
#define CORE_EFFECT_H

#include <stddef.h>
#include <stdint.h>

enum effect_kind {
    EFF_NONE = 0,
    EFF_REDRAW = 1,         /* the view model changed */
    EFF_DISCARD = 2,        /* wipe the customer's data (cart, member, codes) */
    EFF_ENTER_SERVICE = 3,  /* start the service of tile i */
                            /* 4: retired (the session flow keeps its explain dialog) */
    EFF_CALL = 5,           /* call the backend: i = the flow's call kind, arg = its subject */
    EFF_INTENT = 6,         /* write the flow's pending intent (durably) before its effect */
    EFF_OUTCOME = 7,        /* settle the flow's intent as not done: i = enum intent_state */
    EFF_TXN = 8,            /* record the finished transaction (and its outbox record) and
                             * settle the flow's intent as done, in one journal transaction */
    EFF_PRINT = 9,          /* print the flow's receipt */
    EFF_HOME = 10,          /* the flow is over: back to the home menu */
    EFF_ORDER = 11,         /* journal what is about to be paid for (before EFF_INTENT) */
    EFF_PRINTER_CHECK = 12, /* ask the receipt printer now whether it can print */
    EFF_SETTLE = 13,        /* the flow stops waiting: settle its open intent in the
                             * background (query first; i = 1: then cancel it, as the
                             * customer was told; i = 0: complete it if it went through) */
    EFF_LOCK = 14,          /* journal the lock of the sale in arg, before the lock call */
    EFF_RELEASE = 15,       /* release the sale in arg: unlocked in the background (retried),
                             * its journaled lock settled */
    EFF_APDU = 16,          /* send the command APDU in data to the card on the reader */
    EFF_HAND_OVER = 17,     /* hand the customer to the service that takes arg, with data
                             * (a string) */
    EFF_ID_READ = 18,       /* i = 1: the ID card reader reads for the flow; 0: it stops */
    EFF_FACE = 19,          /* i = 1: the face step starts (the camera's frames judged);
                             * 0: it stops and its frames are wiped; 2: it stops looking and
                             * keeps its best frame for the call that sends it */
    EFF_LAST
};

#define EFFECT_DATA_MAX 768

struct effect {
    enum effect_kind kind;
    int64_t i;
    char arg[64];
    size_t ndata;
    unsigned char data[EFFECT_DATA_MAX]; /* the kind's own payload, as its flow defines it */
};

#define EFFECTS_MAX 16

struct effects {
    struct effect v[EFFECTS_MAX];
    int n;
};

/* Appends an effect. A flow never makes more than EFFECTS_MAX in one step; one more would
 * drop an effect (an intent, say), so the process stops instead, in every build. */
void effects_add(struct effects *e, enum effect_kind kind, int64_t i, const char *arg);
/* The same with a payload of n <= EFFECT_DATA_MAX bytes (copied; more stops the process).
 * Returns the effect (its data may be completed in place). */
struct effect *effects_add_data(struct effects *e, enum effect_kind kind, int64_t i,
                                const char *arg, const void *data, size_t n);

#endif
