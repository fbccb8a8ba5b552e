#!/bin/bash
# The kiosk prints its test slip through the station in a box (backend simulator, private
# cupsd, printer emulator): the slip comes out as a PNG, its QR code reads back with ZBar,
# and the kiosk saw the station system as reachable. Then the paper runs out in the middle
# of a slip: the kiosk does not claim it printed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
station_up slip
printf 'wait attract\npause 3s\n' >"$dir/s.script"
"$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --set printer.receipt.test_on_start=true \
    --script "$dir/s.script" --out "$dir/shots" 2>"$dir/kiosk.log"
i=0
while [ ! -s "$dir/receipts/receipt-0001.png" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
got=$(zbarimg -q --raw "$dir/receipts/receipt-0001.png" 2>/dev/null || true)
[ "$got" = "kiosk-test:T0001" ] || { echo "receipt QR read back as '$got'"; cat "$dir/kiosk.log"; exit 1; }
grep -q "station system reachable" "$dir/kiosk.log" || { echo "backend never reachable"; cat "$dir/kiosk.log"; exit 1; }
grep -q "printed 'printer test'" "$dir/kiosk.log" || { echo "no print logged"; exit 1; }
# paper runs out 200 rows into the next slip
exec 3<>"/dev/tcp/127.0.0.1/$EMU_CONTROL_PORT"
printf 'paper-out-after 200\n' >&3
read -r answer <&3
exec 3>&-
[ "$answer" = ok ] || { echo "emulator control said '$answer'"; exit 1; }
"$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --set printer.receipt.test_on_start=true \
    --script "$dir/s.script" --out "$dir/shots" 2>"$dir/kiosk2.log"
i=0
while [ ! -s "$dir/receipts/receipt-0002-torn.png" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$dir/receipts/receipt-0002-torn.png" ] || { echo "no torn slip"; ls "$dir/receipts"; exit 1; }
grep -q "may be cut short: printer paper out" "$dir/kiosk2.log" ||
    { echo "the kiosk did not notice the short slip:"; grep -i print "$dir/kiosk2.log"; exit 1; }
if grep -q "printed 'printer test'" "$dir/kiosk2.log"; then echo "claimed a torn slip printed"; exit 1; fi
echo "test slip printed through CUPS, QR reads '$got'; a slip cut short by paper out is reported, not claimed"
