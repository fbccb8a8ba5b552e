#!/bin/sh
# The test command (README, .ci/run): installs what it needs, builds, runs every test
# through ctest and prints ctest's summary. Then the same code must build warning-free as
# Debug (other optimisation, other warnings), and its unit and fuzz tests must pass under
# AddressSanitizer + UBSan.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
"$root/scripts/build.sh"
cd "${KIOSK_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j"$(nproc)" --timeout 600
echo "== Debug build"
KIOSK_BUILD_DIR="$root/build-debug" "$root/scripts/build.sh" -DCMAKE_BUILD_TYPE=Debug
echo "== AddressSanitizer + UBSan: unit and fuzz tests"
KIOSK_BUILD_DIR="$root/build-asan" "$root/scripts/build.sh" -DKIOSK_SANITIZE=ON
cd "$root/build-asan"
ctest --output-on-failure -j"$(nproc)" --timeout 600 -R '^(unit|fuzz)_'
