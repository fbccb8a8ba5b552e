#!/bin/sh
# Before anyone starts, "pay for fuel" and "shop" say why they cannot be used: the kiosk
# cannot write its journal; the station system cannot be reached (and a tap explains that
# nothing was charged and what to do instead).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
station_up offline
# a journal that cannot be written: nothing is sold (no record of money, no money)
cat >"$dir/nojournal.script" <<'SCRIPT'
wait attract
tap attract.start
wait home
await home.fuel 无法记录付款
unavailable home.fuel
unavailable home.shop
SCRIPT
"$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --set journal.path=/proc/none/journal.db \
    --script "$dir/nojournal.script" --out "$dir/shots" 2>"$dir/kiosk.log" ||
    { tail -20 "$dir/kiosk.log"; exit 1; }
kill -TERM "$SIM_PID"   # the station system goes away
cat >"$dir/offline.script" <<'SCRIPT'
wait attract
tap attract.start
wait home
await home.fuel 网络中断
unavailable home.fuel
unavailable home.shop
expect home.shop 网络中断
tap home.fuel
expect dialog.message 未扣任何款项
shot offline-zh-portrait
tap dialog.ok
wait home
SCRIPT
"$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$dir/offline.script" \
    --out "$dir/shots" 2>"$dir/kiosk.log" || { tail -20 "$dir/kiosk.log"; exit 1; }
echo "no journal, then offline: pay for fuel and shop say why before anyone starts"
