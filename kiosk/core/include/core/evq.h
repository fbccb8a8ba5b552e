/* Thread-safe event queue: device threads and the network layer post events, the UI
 * thread drains them. Posting calls the wake callback so a loop blocked in
 * SDL_WaitEventTimeout returns (the app sets it; core does not know SDL). */
#ifndef KIOSK_CORE_EVQ_H
#define KIOSK_CORE_EVQ_H

#include <stddef.h>
#include <stdint.h>

/* Event kinds. Values are appended, never renumbered. */
enum ev_kind {
    EV_NONE = 0,
    EV_QUIT = 1,        /* SIGTERM/SIGINT or a fatal error: end the loop cleanly */
    EV_SCAN = 2,        /* a scanner read something: text = the code, i = 1 when it is refused
                         * (not a code), j = the instance it came from (-1: a script) */
                        /* 3, 4, 5: retired (card in, card out, health: nothing posted
                         * them; EV_CARD took their place) */
    EV_BACKEND = 6,     /* a backend call finished: ptr = result (receiver frees) */
    EV_PRINTER = 7,     /* a print job or status check finished */
    EV_JOURNAL = 8,     /* a journal write finished: ptr = struct journal_result (receiver frees) */
    EV_DEVICE = 9,      /* a device instance's health changed: i = instance, j = health_state,
                         * text = why */
    EV_CARD = 10,       /* a card was put on a card reader (i = 1) or taken off (i = 0):
                         * j = the instance, text = its ATR in hex ("" when taken off, or
                         * when the card gave none) */
    EV_CARD_APDU = 11,  /* a command APDU's answer (devices/hub.h hub_card_send()): i = the
                         * request's number, j = the response's length (0..256; under 2 when
                         * the card went away mid-command) or -1 (no card, it went away, an
                         * error), text = the response's bytes (not a string) */
    EV_IDCARD = 12,     /* an ID card reader read a card (i = 1: ptr = struct id_read, which
                         * the receiver wipes and frees) or could not (i = 0: text = why, in
                         * words for the log); j = the instance */
    EV_FACE = 13,       /* the face step judged a frame: ptr = struct face_report (receiver
                         * frees) */
    EV_WAKE = 14,       /* a service's own thread has news (host_wake()): i = the service */
    EV_LAST
};

struct ev {
    enum ev_kind kind;
    int64_t i, j;
    char text[256]; /* NUL-terminated (EV_CARD_APDU: j bytes); copied into the event */
    void *ptr;      /* ownership passes to whoever drains the event */
};

typedef void (*evq_wake_fn)(void *user);

struct evq;

/* Creates an empty queue that holds at most `cap` events; NULL on allocation failure. */
struct evq *evq_create(size_t cap);
/* Frees the queue. Events still queued are dropped (their ptr is not freed). NULL-safe. */
void evq_destroy(struct evq *q);
void evq_set_wake(struct evq *q, evq_wake_fn fn, void *user);
/* Copies `e` into the queue. Returns 0, or -1 when the queue is full (the event is lost
 * and counted; callers that cannot lose an event must keep it themselves). */
int evq_post(struct evq *q, const struct ev *e);
/* Takes the oldest event into *out. Returns 1 if one was taken, 0 if empty. */
int evq_pop(struct evq *q, struct ev *out);
/* Events dropped because the queue was full. */
size_t evq_dropped(const struct evq *q);

#endif
