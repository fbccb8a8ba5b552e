#!/bin/sh
# Crash safety of a payment: the kiosk is killed (SIGKILL) while the customer confirms on the
# phone. At the next start the recovery pass asks the backend: a payment that went through is
# completed and recorded exactly once; one that did not is cancelled; nothing stays open.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
station_up crash
q() { sqlite3 "$dir/journal.db" "$1"; }
fail() { echo "$*"; tail -20 "$dir/kiosk.log"; exit 1; }

# pay_and_kill PUMP CODE: starts paying at PUMP with CODE, kills the kiosk once the customer
# is confirming on the phone
pay_and_kill() {
    cat >"$dir/pay.script" <<SCRIPT
wait attract
tap attract.start
wait home
available home.fuel
tap home.fuel
wait pumps 5s
tap pump.$1
wait review 5s
tap pay.code
wait pay_code
scan $2
pause 60s
SCRIPT
    "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$dir/pay.script" \
        --out "$dir/shots" 2>"$dir/pay$1.log" &
    pid=$!
    i=0
    until grep -q "paying -> userpaying" "$dir/pay$1.log" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 100 ] || fail "never reached USERPAYING"; sleep 0.1
    done
    kill -KILL $pid
    wait $pid 2>/dev/null
    cat "$dir/pay$1.log" >>"$dir/kiosk.log"
}
restart() {
    printf 'wait attract\npause 3s\n' >"$dir/idle.script"
    "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$dir/idle.script" \
        --out "$dir/shots" 2>>"$dir/kiosk.log"
}

# 1. never confirmed: cancelled at restart, no money, no transaction
pay_and_kill 6 134567890123459992
[ "$(q "SELECT count(*) FROM intents WHERE state='pending'")" = 1 ] || fail "intent not journaled before the payment"
restart
[ "$(q "SELECT count(*) FROM intents WHERE state='pending'")" = 0 ] || fail "intent left open after recovery"
admin GET /v1/admin/payments/$(q "SELECT idem_key FROM intents ORDER BY id DESC LIMIT 1") | grep -q '"status":"CLOSED"' ||
    fail "the unconfirmed payment was not closed"
[ "$(q "SELECT count(*) FROM transactions")" = 0 ] || fail "a transaction was recorded without money"

# 2. confirmed while the kiosk was down: completed and recorded once, uploaded once
pay_and_kill 4 134567890123459991
admin POST /v1/admin/clock '{"advance_ms":11000}' >/dev/null   # the customer confirmed
restart
restart
[ "$(q "SELECT count(*) FROM intents WHERE state='pending'")" = 0 ] || fail "intent left open"
[ "$(q "SELECT count(*) FROM transactions")" = 1 ] || fail "expected exactly one transaction, got $(q "SELECT count(*) FROM transactions")"
[ "$(q "SELECT amount_fen FROM transactions")" = 84365 ] || fail "wrong amount recorded"
admin GET /v1/admin/journal | grep -o '"record_id"' | wc -l | grep -qx 1 || fail "backend did not get the sale exactly once"
admin GET /v1/pumps >/dev/null
echo "crash recovery: unconfirmed payment cancelled, confirmed payment completed and recorded once"
