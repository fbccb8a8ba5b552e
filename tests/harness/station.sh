#!/bin/sh
# A station in a box for the demo and the tests: the backend simulator, the ESC/POS printer
# emulator and a private cupsd with a raw `receipt` queue pointing at the emulator.
#
#   station.sh start DIR BUILD_DIR   starts them; writes DIR/kiosk.ini (the kiosk's config
#                                    for this station) and DIR/station.env (ports, pids)
#   station.sh stop DIR              stops every process it started, by pid
#
# Everything listens on 127.0.0.1 on ports picked free at run time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: station.sh start DIR BUILD_DIR | stop DIR" >&2; exit 2; }
KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

wait_file() { # wait_file FILE SECONDS: until FILE is non-empty
    i=0
    while [ ! -s "$1" ] && [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$1" ]
}

case "$cmd" in
start)
    build=${3:?BUILD_DIR}
    mkdir -p "$dir/receipts" "$dir/cups"
    "$build/tests/sim/backend/kiosk-backend-sim" --port 0 --port-file "$dir/sim.port" \
        --db "$dir/backend.db" --terminal "T0001:$KEY" \
        --auto-pay-native-ms "${SIM_AUTO_PAY_MS:-4000}" >"$dir/sim.log" 2>&1 &
    echo "SIM_PID=$!" >"$dir/station.env"
    # EMU_RAW=DIR: the printer also keeps the raw bytes it got (tools/fuzz-corpus.sh)
    "$build/tests/sim/printer/escpos-printer-emu" --port 0 --control-port 0 \
        --port-file "$dir/emu.port" --out "$dir/receipts" ${EMU_RAW:+--raw "$EMU_RAW"} \
        >"$dir/emu.log" 2>&1 &
    echo "EMU_PID=$!" >>"$dir/station.env"
    wait_file "$dir/sim.port" 10 || { echo "backend simulator did not start:" >&2; cat "$dir/sim.log" >&2; exit 1; }
    wait_file "$dir/emu.port" 10 || { echo "printer emulator did not start:" >&2; cat "$dir/emu.log" >&2; exit 1; }
    sim_port=$(cat "$dir/sim.port")
    read -r emu_port emu_ctl <"$dir/emu.port"
    cups=$("$here/cupsd.sh" start "$dir/cups" "$emu_port" | sed -n 's/^CUPS_SERVER=//p')
    [ -n "$cups" ] || { echo "private cupsd did not start" >&2; exit 1; }
    {
        echo "SIM_PORT=$sim_port"
        echo "EMU_PORT=$emu_port"
        echo "EMU_CONTROL_PORT=$emu_ctl"
        echo "CUPS_SERVER=$cups"
    } >>"$dir/station.env"
    cat >"$dir/kiosk.ini" <<INI
; written by tests/harness/station.sh for the station in $dir
[kiosk]
terminal_id = T0001
station_name = 朝阳路加油站 · Chaoyang Rd Station
[backend]
url = http://127.0.0.1:$sim_port
key = $KEY
[printer.receipt]
driver = cups
server = $cups
queue = receipt
status_addr = 127.0.0.1:$emu_port
[paths]
data_dir = $dir
INI
    echo "station up: backend http://127.0.0.1:$sim_port, CUPS $cups, printer emulator $emu_port (control $emu_ctl), receipts in $dir/receipts"
    ;;
stop)
    [ -f "$dir/station.env" ] || exit 0
    . "$dir/station.env"
    "$here/cupsd.sh" stop "$dir/cups" 2>/dev/null || true
    # device simulators and helpers a test started ($dir/pids), then the station's own
    for pid in $(cat "$dir/pids" 2>/dev/null) ${EMU_PID:-} ${SIM_PID:-}; do
        kill -TERM "$pid" 2>/dev/null || continue
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -f "$dir/station.env"
    ;;
*)
    echo "usage: station.sh start DIR BUILD_DIR | stop DIR" >&2; exit 2 ;;
esac
