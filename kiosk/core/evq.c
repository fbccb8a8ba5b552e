#include "core/evq.h"

#include <pthread.h>
#include <stdlib.h>

struct evq {
    pthread_mutex_t lock;
    struct ev *ring;
    size_t cap, head, len, dropped;
    evq_wake_fn wake;
    void *wake_user;
};

struct evq *evq_create(size_t cap)
{
    struct evq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->ring = calloc(cap, sizeof *q->ring);
    if (!q->ring) {
        free(q);
        return NULL;
    }
    q->cap = cap;
    pthread_mutex_init(&q->lock, NULL);
    return q;
}

void evq_destroy(struct evq *q)
{
    if (!q)
        return;
    pthread_mutex_destroy(&q->lock);
    free(q->ring);
    free(q);
}

void evq_set_wake(struct evq *q, evq_wake_fn fn, void *user)
{
    pthread_mutex_lock(&q->lock);
    q->wake = fn;
    q->wake_user = user;
    pthread_mutex_unlock(&q->lock);
}

int evq_post(struct evq *q, const struct ev *e)
{
    evq_wake_fn wake;
    void *user;
    pthread_mutex_lock(&q->lock);
    if (q->len == q->cap) {
        q->dropped++;
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    q->ring[(q->head + q->len) % q->cap] = *e;
    q->len++;
    wake = q->wake;
    user = q->wake_user;
    pthread_mutex_unlock(&q->lock);
    if (wake)
        wake(user);
    return 0;
}

int evq_pop(struct evq *q, struct ev *out)
{
    int got = 0;
    pthread_mutex_lock(&q->lock);
    if (q->len) {
        *out = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->len--;
        got = 1;
    }
    pthread_mutex_unlock(&q->lock);
    return got;
}

size_t evq_dropped(const struct evq *q)
{
    return q->dropped;
}
