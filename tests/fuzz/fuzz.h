/* Fuzz targets: each takes arbitrary bytes and must neither crash, hang nor leak; flow
 * targets also abort when a money rule breaks. Built as libFuzzer targets in a fuzzing
 * build (-DKIOSK_FUZZ=ON with clang: every library instrumented, see tests/fuzz/README.md),
 * and always as plain programs (driver.c) that ctest runs: they replay every file of the
 * target's corpus (tests/fuzz/corpus/<name>/), so whatever fuzzing ever found stays a
 * regression test, then a fixed-seed stream of mutations of it. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A flow target's script: the input's bytes one at a time, then `extra` more from a
 * xorshift stream seeded with `rng` (a short input still plays a long journey), then 0. */
struct fuzz_script {
    const uint8_t *p;
    size_t n;
    uint32_t rng;
    int extra;
};

static inline uint8_t fuzz_next(struct fuzz_script *s)
{
    if (s->n) {
        s->n--;
        return *s->p++;
    }
    if (s->extra <= 0)
        return 0;
    s->extra--;
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 17;
    s->rng ^= s->rng << 5;
    return (uint8_t)(s->rng >> 11);
}

/* 1 while the script has bytes left. */
static inline int fuzz_more(const struct fuzz_script *s)
{
    return s->n || s->extra > 0;
}

#endif
