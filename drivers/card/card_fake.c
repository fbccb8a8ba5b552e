/* The fake card reader, in process, for tests: a card is on the reader from the start (its
 * ATR the `atr` option) and answers every command with 90 00; with `remove_after` it is
 * taken off after that many answers and never comes back. Its wait sleeps on a condition
 * variable, so wake() works as the real one's does. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "card/card.h"

struct fake_opts {
    char atr[2 * CARD_ATR_MAX + 1];
    int remove_after;
};

static const struct cfg_option fake_options[] = {
    CFG_STR_OPT(struct fake_opts, NULL, "atr", atr, "3B021450", "test: the card's ATR, in hex"),
    CFG_INT_OPT(struct fake_opts, NULL, "remove_after", remove_after, "0", 0, 1000000,
                "test: the card is taken off after answering this many commands; 0 = never"),
    {0},
};

/* The hub's priv block (zeroed before the first open). */
struct fake {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int woken;          /* under lock */
    int on_reader;      /* the card is there */
    int present;        /* reported inserted */
    int answered, remove_after;
    uint8_t atr[CARD_ATR_MAX];
    size_t atr_len;
};

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
}

static int fake_open(void *priv, const void *opts, char *err, size_t errcap)
{
    struct fake *f = priv;
    const struct fake_opts *o = opts;
    size_t len = strlen(o->atr);
    if (len % 2 || len / 2 > sizeof f->atr) {
        snprintf(err, errcap, "atr: not an ATR in hex");
        return -1;
    }
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hex_digit(o->atr[2 * i]), lo = hex_digit(o->atr[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            snprintf(err, errcap, "atr: not an ATR in hex");
            return -1;
        }
        f->atr[i] = (uint8_t)(hi << 4 | lo);
    }
    f->atr_len = len / 2;
    pthread_mutex_init(&f->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cond, &ca);
    pthread_condattr_destroy(&ca);
    f->woken = 0;
    f->remove_after = o->remove_after;
    f->on_reader = !f->remove_after || f->answered < f->remove_after; /* off stays off */
    f->present = 0;
    return 0;
}

static int fake_wait(void *priv, int ms, char *err, size_t errcap)
{
    struct fake *f = priv;
    (void)err, (void)errcap;
    if (f->on_reader != f->present) {
        f->present = f->on_reader;
        return f->present ? CARD_EV_INSERTED : CARD_EV_REMOVED;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L)
        until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&f->lock);
    while (!f->woken && pthread_cond_timedwait(&f->cond, &f->lock, &until) == 0)
        ;
    f->woken = 0;
    pthread_mutex_unlock(&f->lock);
    return CARD_EV_NONE;
}

static size_t fake_atr(void *priv, uint8_t *out, size_t cap)
{
    struct fake *f = priv;
    size_t n = f->atr_len < cap ? f->atr_len : cap;
    memcpy(out, f->atr, n);
    return n;
}

static void fake_wake(void *priv)
{
    struct fake *f = priv;
    pthread_mutex_lock(&f->lock);
    f->woken = 1;
    pthread_cond_signal(&f->cond);
    pthread_mutex_unlock(&f->lock);
}

static int fake_transmit(void *priv, const uint8_t *cmd, size_t n, uint8_t *resp, size_t cap,
                         char *err, size_t errcap)
{
    struct fake *f = priv;
    (void)cmd;
    if (!f->on_reader || !f->present) {
        snprintf(err, errcap, "no card on the reader");
        return -1;
    }
    if (n < 4 || n > CARD_APDU_MAX || cap < 2) {
        snprintf(err, errcap, "a command APDU of %zu bytes", n);
        return -1;
    }
    resp[0] = 0x90;
    resp[1] = 0x00;
    f->answered++;
    if (f->remove_after && f->answered >= f->remove_after)
        f->on_reader = 0;
    return 2;
}

static void fake_close(void *priv)
{
    struct fake *f = priv;
    pthread_cond_destroy(&f->cond);
    pthread_mutex_destroy(&f->lock);
}

static const struct card_ops fake_ops = {
    .open = fake_open,
    .wait = fake_wait,
    .atr = fake_atr,
    .wake = fake_wake,
    .transmit = fake_transmit,
    .close = fake_close,
};

const struct dev_driver card_fake = {
    .name = "fake",
    .options = fake_options,
    .opts_size = sizeof(struct fake_opts),
    .priv_size = sizeof(struct fake),
    .ops = &fake_ops,
};
