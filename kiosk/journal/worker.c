#include "journal/worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

struct job {
    struct job *next;
    journal_job_fn fn;
    void *arg;
    void (*free_arg)(void *arg);
    int64_t tag;
};

struct journal_worker {
    struct journal *writer, *reader;
    struct evq *q;
    pthread_t thread;
    int started;
    pthread_mutex_t lock;
    pthread_cond_t cond, idle;
    struct job *head, *tail;
    int pending, running, stop;
};

static void *run(void *p)
{
    struct journal_worker *w = p;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->cond, &w->lock);
        struct job *jb = w->head;
        if (!jb)
            break; /* stopping, and everything queued has run */
        w->head = jb->next;
        if (!w->head)
            w->tail = NULL;
        w->running = 1;
        pthread_mutex_unlock(&w->lock);
        struct journal_result *r = calloc(1, sizeof *r);
        int64_t value = 0;
        enum kerr e = jb->fn(w->writer, jb->arg, &value);
        if (jb->free_arg)
            jb->free_arg(jb->arg);
        if (r) {
            *r = (struct journal_result){.tag = jb->tag, .err = e, .value = value};
            struct ev ev = {.kind = EV_JOURNAL, .ptr = r};
            if (evq_post(w->q, &ev) != 0) {
                log_error("journal", "event queue full: a journal result is lost");
                free(r);
            }
        }
        free(jb);
        pthread_mutex_lock(&w->lock);
        w->pending--;
        w->running = 0;
        pthread_cond_broadcast(&w->idle);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct journal_worker *journal_worker_open(const char *path, struct evq *q, char *err,
                                           size_t errcap)
{
    struct journal_worker *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    w->q = q;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    pthread_cond_init(&w->idle, NULL);
    if (!(w->writer = journal_open(path, err, errcap)) ||
        !(w->reader = journal_open_reader(path, err, errcap))) {
        journal_worker_close(w);
        return NULL;
    }
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        snprintf(err, errcap, "cannot start the journal's thread");
        journal_worker_close(w);
        return NULL;
    }
    w->started = 1;
    return w;
}

void journal_worker_close(struct journal_worker *w)
{
    if (!w)
        return;
    if (w->started) {
        pthread_mutex_lock(&w->lock);
        w->stop = 1;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
    }
    journal_close(w->reader);
    journal_close(w->writer);
    pthread_cond_destroy(&w->idle);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

int journal_worker_submit(struct journal_worker *w, journal_job_fn fn, void *arg,
                          void (*free_arg)(void *arg), int64_t tag)
{
    struct job *jb = calloc(1, sizeof *jb);
    if (!jb) {
        if (free_arg)
            free_arg(arg);
        return -1;
    }
    *jb = (struct job){.fn = fn, .arg = arg, .free_arg = free_arg, .tag = tag};
    pthread_mutex_lock(&w->lock);
    if (w->tail)
        w->tail->next = jb;
    else
        w->head = jb;
    w->tail = jb;
    w->pending++;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    return 0;
}

enum kerr journal_worker_now(struct journal_worker *w, journal_job_fn fn, void *arg,
                             int64_t *value)
{
    pthread_mutex_lock(&w->lock);
    while (w->pending)
        pthread_cond_wait(&w->idle, &w->lock);
    /* the worker waits for work while this runs: the lock keeps it from taking any */
    int64_t v = 0;
    enum kerr e = fn(w->writer, arg, &v);
    pthread_mutex_unlock(&w->lock);
    if (value)
        *value = v;
    return e;
}

struct journal *journal_worker_reader(struct journal_worker *w)
{
    return w->reader;
}

int journal_worker_pending(struct journal_worker *w)
{
    pthread_mutex_lock(&w->lock);
    int n = w->pending;
    pthread_mutex_unlock(&w->lock);
    return n;
}
