#!/bin/sh
# The kiosk prints its test slip through the station in a box (backend simulator, private
# cupsd, printer emulator): the slip comes out as a PNG, its QR code reads back with ZBar,
# and the kiosk saw the station system as reachable.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1
dir=$(mktemp -d /tmp/kiosk-station-XXXXXX)
chmod 755 "$dir"
trap '"$here/station.sh" stop "$dir"; rm -rf "$dir"' EXIT
"$here/station.sh" start "$dir" "$build" >/dev/null
printf 'wait attract\npause 1500ms\n' >"$dir/s.script"
"$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --set printer.test_on_start=true \
    --script "$dir/s.script" --out "$dir/shots" 2>"$dir/kiosk.log"
i=0
while [ ! -s "$dir/receipts/receipt-0001.png" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
got=$(zbarimg -q --raw "$dir/receipts/receipt-0001.png" 2>/dev/null || true)
[ "$got" = "kiosk-test:T0001" ] || { echo "receipt QR read back as '$got'"; cat "$dir/kiosk.log"; exit 1; }
grep -q "station system reachable" "$dir/kiosk.log" || { echo "backend never reachable"; cat "$dir/kiosk.log"; exit 1; }
grep -q "printed 'printer test'" "$dir/kiosk.log" || { echo "no print logged"; exit 1; }
echo "test slip printed through CUPS; QR reads '$got'"
