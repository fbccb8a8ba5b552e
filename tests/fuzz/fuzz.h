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

#endif
