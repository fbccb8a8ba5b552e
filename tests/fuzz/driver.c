/* Runs a fuzz target without libFuzzer: every file of its corpus (FUZZ_CORPUS, a folder),
 * then mutations of them from a fixed seed, so every run is the same.
 * usage: fuzz_<name> [iterations] [corpus folder] */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define FUZZ_MAX_INPUT 65536
#define FUZZ_MAX_FILES 4096

static uint32_t rng = 20261123;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

struct input {
    uint8_t *data;
    size_t n;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every regular file of `dir` (sorted by name, at most FUZZ_MAX_INPUT bytes each). */
static int load_corpus(const char *dir, struct input *in, int cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char *names[FUZZ_MAX_FILES];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < FUZZ_MAX_FILES)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], by_name);
    int got = 0;
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        free(names[i]);
        FILE *f = fopen(path, "rb");
        if (!f || got == cap) {
            if (f)
                fclose(f);
            continue;
        }
        in[got].data = malloc(FUZZ_MAX_INPUT);
        in[got].n = in[got].data ? fread(in[got].data, 1, FUZZ_MAX_INPUT, f) : 0;
        fclose(f);
        if (in[got].data)
            got++;
    }
    return got;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    const char *dir = argc > 2 ? argv[2] : FUZZ_CORPUS;
    static struct input corpus[FUZZ_MAX_FILES];
    static uint8_t buf[2 * FUZZ_MAX_INPUT];
    int ncorpus = load_corpus(dir, corpus, FUZZ_MAX_FILES);
    for (int i = 0; i < ncorpus; i++)
        LLVMFuzzerTestOneInput(corpus[i].data, corpus[i].n); /* each as it is */
    for (long it = 0; it < iters; it++) {
        size_t n = 0;
        if (ncorpus) {
            const struct input *seed = &corpus[next() % (uint32_t)ncorpus];
            n = seed->n;
            memcpy(buf, seed->data, n);
        }
        int muts = 1 + (int)(next() % 8);
        for (int m = 0; m < muts; m++) {
            uint32_t op = next() % 6;
            size_t pos = n ? next() % n : 0;
            if (op == 0 && n) {
                buf[pos] = (uint8_t)next(); /* flip a byte */
            } else if (op == 1 && n < sizeof buf) { /* insert */
                memmove(buf + pos + 1, buf + pos, n - pos);
                buf[pos] = (uint8_t)next();
                n++;
            } else if (op == 2 && n) { /* delete */
                memmove(buf + pos, buf + pos + 1, n - pos - 1);
                n--;
            } else if (op == 3) { /* truncate */
                n = pos;
            } else if (op == 4 && ncorpus) { /* splice another input in */
                const struct input *o = &corpus[next() % (uint32_t)ncorpus];
                size_t take = o->n ? next() % o->n : 0;
                if (pos + take <= sizeof buf) {
                    memcpy(buf + pos, o->data, take);
                    if (pos + take > n)
                        n = pos + take;
                }
            } else if (n && n * 2 <= sizeof buf) { /* duplicate */
                memcpy(buf + n, buf, n);
                n *= 2;
            }
        }
        LLVMFuzzerTestOneInput(buf, n);
    }
    for (int i = 0; i < ncorpus; i++)
        free(corpus[i].data);
    printf("%d corpus files and %ld mutations of them, no crash\n", ncorpus, iters);
    return 0;
}
