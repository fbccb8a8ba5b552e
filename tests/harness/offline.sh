#!/bin/sh
# Backend unreachable: before anyone starts, "pay for fuel" and "shop" say the station system
# cannot be reached, and a tap explains that nothing was charged and what to do instead.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
station_up offline
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
echo "offline: pay for fuel and shop say why before anyone starts"
