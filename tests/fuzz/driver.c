/* Replays mutated inputs through LLVMFuzzerTestOneInput without libFuzzer: a fixed seed,
 * so every run is the same. usage: fuzz_<name> [iterations] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static uint32_t rng = 20261123;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    uint8_t buf[4096];
    size_t nseeds = 0;
    while (fuzz_seeds[nseeds])
        nseeds++;
    for (long it = 0; it < iters; it++) {
        const char *seed = fuzz_seeds[next() % nseeds];
        size_t n = strlen(seed);
        if (n > sizeof buf)
            n = sizeof buf;
        memcpy(buf, seed, n);
        int muts = 1 + (int)(next() % 8);
        for (int m = 0; m < muts; m++) {
            uint32_t op = next() % 5;
            size_t pos = n ? next() % n : 0;
            if (op == 0 && n)
                buf[pos] = (uint8_t)next(); /* flip a byte */
            else if (op == 1 && n < sizeof buf) { /* insert */
                memmove(buf + pos + 1, buf + pos, n - pos);
                buf[pos] = (uint8_t)next();
                n++;
            } else if (op == 2 && n) { /* delete */
                memmove(buf + pos, buf + pos + 1, n - pos - 1);
                n--;
            } else if (op == 3) { /* truncate */
                n = pos;
            } else if (n && n * 2 <= sizeof buf) { /* duplicate */
                memcpy(buf + n, buf, n);
                n *= 2;
            }
        }
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf("%ld inputs, no crash\n", iters);
    return 0;
}
