#!/bin/sh
# The test command (README, .ci/run): installs what it needs, builds, runs every test
# through ctest and prints ctest's summary.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
"$root/scripts/build.sh"
cd "${KIOSK_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j"$(nproc)" --timeout 600
