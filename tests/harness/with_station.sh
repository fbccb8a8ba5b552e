#!/bin/bash
# with_station.sh BUILD SCRIPT OUT: plays SCRIPT in the kiosk against a fresh station in a
# box; the screenshots and the printed receipts (PNG) land in OUT.
#
# A scenario may come with SCRIPT's name ending in .sh instead of .script, sourced here. It
# may define `setup` (run before the kiosk starts: faults, printer state, extra config in
# $dir/kiosk.ini) and `check` (run after the kiosk ends well: the journal, the receipts and
# the backend's own records, with the helpers in lib.sh). Exit status: the kiosk's, then
# the check's.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1 script=$2 out=$3
# The golden-screenshot environment (test wall clock KIOSK_TEST_EPOCH, TZ, the pinned fonts'
# FONTCONFIG_FILE) as ctest sets it, so that a run by hand draws the same pictures.
[ -f "$build/golden/env.sh" ] && . "$build/golden/env.sh"
. "$here/lib.sh"
station_up scn
rm -rf "$out"
mkdir -p "$out"
hooks=${script%.script}.sh
[ -f "$hooks" ] && . "$hooks"
if declare -F setup >/dev/null; then setup || { echo "setup failed"; exit 1; }; fi
"$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$script" --out "$out" \
    2>"$out/kiosk.log"
rc=$?
wait_prints
cp "$dir"/receipts/*.png "$out/" 2>/dev/null || true
if [ $rc -ne 0 ]; then
    tail -30 "$out/kiosk.log"
    exit $rc
fi
if declare -F check >/dev/null; then
    check || { echo "check failed; kiosk log:"; tail -30 "$out/kiosk.log"; exit 1; }
fi
exit 0
