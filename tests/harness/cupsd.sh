#!/bin/sh
# A private cupsd for the demo and the tests: its own config, spool and logs under DIR,
# listening on a free loopback port, with a raw queue `receipt` (no driver: the ESC/POS
# bytes reach the printer unchanged) pointing at socket://127.0.0.1:PRINTER_PORT.
#
#   cupsd.sh start DIR PRINTER_PORT   prints CUPS_SERVER=127.0.0.1:PORT when it answers
#   cupsd.sh stop DIR                 stops it by the pid it recorded
#   cupsd.sh restart DIR              starts it again after a stop, on the same port with the
#                                     same config, queue and spool (jobs it kept are resumed)
#
# Runs as root here: cupsd then insists that its files are owned by root and not writable
# by others, and drops to the `lp` user for backends, so the spool is made world-readable.
set -eu
cmd=${1:-}; dir=${2:-}
usage="usage: cupsd.sh start DIR PRINTER_PORT | stop DIR | restart DIR"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "$usage" >&2; exit 2; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# run_cupsd: starts cupsd on the config in $dir (listening on $port) and waits until it
# answers there itself (at most 10 s): another test's server may have taken the port
# between its probe and cupsd's bind, and would answer in its place. 1 (this one stopped)
# when it does not.
run_cupsd() {
    cupsd -f -c "$dir/cupsd.conf" -s "$dir/cups-files.conf" >>"$dir/log/stderr" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/cupsd.pid"
    i=0
    until ss -Hltnp "sport = :$port" | grep -q "pid=$pid," &&
        lpstat -h "127.0.0.1:$port" -r 2>/dev/null | grep -q "is running"; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            return 1
        fi
        sleep 0.1
    done
}

not_started() {
    echo "cupsd did not start:" >&2
    cat "$dir/log/stderr" "$dir/log/error_log" >&2 2>/dev/null || true
    exit 1
}

case "$cmd" in
start)
    eport=${3:?PRINTER_PORT}
    mkdir -p "$dir/spool/tmp" "$dir/cache" "$dir/state/certs" "$dir/log" "$dir/ppd"
    chmod 0755 "$dir" "$dir/spool" "$dir/cache" "$dir/state" "$dir/log" "$dir/ppd"
    chmod 1777 "$dir/spool/tmp"
    # Backends run as the lp user and must reach the spool: every folder above it needs o+x.
    d=$(cd "$dir" && pwd)
    while [ "$d" != "/" ]; do
        [ -n "$(find "$d" -maxdepth 0 -perm -o+x)" ] || { echo "cupsd.sh: $d is not traversable by lp (chmod o+x)" >&2; exit 1; }
        d=$(dirname "$d")
    done
    port=$(free_port)
    cat >"$dir/cupsd.conf" <<CONF
Listen 127.0.0.1:$port
Listen $dir/cups.sock
LogLevel warn
MaxLogSize 0
Browsing No
WebInterface No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
CONF
    cat >"$dir/cups-files.conf" <<CONF
ServerRoot $dir
RequestRoot $dir/spool
CacheDir $dir/cache
StateDir $dir/state
DataDir /usr/share/cups
ServerBin /usr/lib/cups
AccessLog $dir/log/access_log
ErrorLog $dir/log/error_log
PageLog $dir/log/page_log
TempDir $dir/spool/tmp
CONF
    tries=1
    until run_cupsd; do # on another port
        [ $tries -lt 3 ] || not_started
        tries=$((tries + 1)) port=$(free_port)
        sed -i "s/^Listen 127\.0\.0\.1:.*/Listen 127.0.0.1:$port/" "$dir/cupsd.conf"
    done
    lpadmin -h "127.0.0.1:$port" -p receipt -E -v "socket://127.0.0.1:$eport" \
        -o printer-error-policy=retry-job
    cupsenable -h "127.0.0.1:$port" receipt
    cupsaccept -h "127.0.0.1:$port" receipt
    echo "CUPS_SERVER=127.0.0.1:$port"
    ;;
stop)
    [ -f "$dir/cupsd.pid" ] || exit 0
    pid=$(cat "$dir/cupsd.pid")
    kill -TERM "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/cupsd.pid"
    ;;
restart)
    [ -f "$dir/cupsd.conf" ] || { echo "cupsd.sh: no cupsd was started in $dir" >&2; exit 1; }
    [ ! -f "$dir/cupsd.pid" ] || "$0" stop "$dir"
    port=$(sed -n 's/^Listen 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$dir/cupsd.conf")
    run_cupsd || not_started
    echo "CUPS_SERVER=127.0.0.1:$port"
    ;;
*)
    echo "$usage" >&2; exit 2 ;;
esac
