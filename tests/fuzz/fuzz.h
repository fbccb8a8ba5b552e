/* Fuzz targets: each takes arbitrary bytes and must neither crash, hang nor leak. Built as
 * libFuzzer targets with -DKIOSK_FUZZ=ON (clang), and always as plain programs that replay
 * a fixed-seed stream of mutated inputs under ctest (fuzz_<name>). */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Seed inputs the mutations start from, NULL-terminated (each a NUL-terminated string;
 * binary targets may embed escapes). */
extern const char *const fuzz_seeds[];

#endif
