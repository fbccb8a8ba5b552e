#!/bin/sh
# with_station.sh BUILD SCRIPT OUT: plays SCRIPT in the kiosk against a fresh station in a
# box; the receipts land in OUT/receipts. Exit status is the kiosk's.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1 script=$2 out=$3
. "$here/lib.sh"
station_up scn
rm -rf "$out"
mkdir -p "$out"
"$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$script" --out "$out" \
    2>"$out/kiosk.log"
rc=$?
sleep 0.5
cp "$dir"/receipts/*.png "$out/" 2>/dev/null || true
[ $rc -eq 0 ] || tail -30 "$out/kiosk.log"
exit $rc
