#!/bin/sh
# Fuzzing (tests/fuzz/README.md): installs clang and its fuzzer runtime, configures a
# fuzzing build in ./build-fuzz (every library instrumented for libFuzzer and ASan + UBSan;
# the normal build is untouched) and runs the `fuzz` target: each libFuzzer target for
# FUZZ_SECONDS (default 60) seconds, growing and minimising tests/fuzz/corpus/.
# usage: scripts/fuzz.sh [TARGET...]   (default: every target)
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
if ! dpkg-query -W -f='${Status}' clang libclang-rt-14-dev 2>/dev/null | grep -q "^install ok installed.*install ok installed$"; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends clang libclang-rt-14-dev
fi
build=${KIOSK_FUZZ_BUILD_DIR:-$root/build-fuzz}
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIOSK_FUZZ=ON \
    -DKIOSK_FUZZ_SECONDS="${FUZZ_SECONDS:-60}" >/dev/null
if [ $# -eq 0 ]; then
    cmake --build "$build" -j"$(nproc)" --target fuzz
else
    for t in "$@"; do cmake --build "$build" -j"$(nproc)" --target "libfuzzer_$t"; done
    "$root/tools/fuzz.sh" "$build/tests/fuzz" "$root/tests/fuzz" "${FUZZ_SECONDS:-60}" "$@"
fi
