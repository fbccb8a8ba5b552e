#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>

#include "core/evq.h"

static atomic_int wakes;

static void on_wake(void *user)
{
    (void)user;
    atomic_fetch_add(&wakes, 1);
}

static void *producer(void *arg)
{
    struct evq *q = arg;
    for (int i = 0; i < 1000; i++) {
        struct ev e = {.kind = EV_SCAN, .i = i};
        while (evq_post(q, &e) != 0)
            ;
    }
    return NULL;
}

static void ordered_across_threads(void **state)
{
    (void)state;
    struct evq *q = evq_create(64);
    assert_non_null(q);
    evq_set_wake(q, on_wake, NULL);
    pthread_t th;
    pthread_create(&th, NULL, producer, q);
    int64_t next = 0;
    while (next < 1000) {
        struct ev e;
        if (evq_pop(q, &e)) {
            assert_int_equal(e.i, next);
            next++;
        }
    }
    pthread_join(th, NULL);
    assert_true(atomic_load(&wakes) >= 1000);
    evq_destroy(q);
}

static void full_queue_counts_drops(void **state)
{
    (void)state;
    struct evq *q = evq_create(2);
    struct ev e = {.kind = EV_SCAN};
    assert_int_equal(evq_post(q, &e), 0);
    assert_int_equal(evq_post(q, &e), 0);
    assert_int_equal(evq_post(q, &e), -1);
    assert_int_equal(evq_dropped(q), 1);
    struct ev out;
    assert_int_equal(evq_pop(q, &out), 1);
    assert_int_equal(evq_pop(q, &out), 1);
    assert_int_equal(evq_pop(q, &out), 0);
    evq_destroy(q);
    evq_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ordered_across_threads),
        cmocka_unit_test(full_queue_counts_drops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
