#!/bin/bash
# Crash safety of pay-for-fuel, tested at every journal step. The kiosk is killed (SIGKILL)
#  - at each crash point: before and after every journal write of the flow (the order, the
#    payment intent, the settled sale, the receipt's state, the outbox upload), and just
#    after the payment answered, before the order is completed;
#  - while the payment call is in flight with the backend answering slowly;
#  - after the payment's answers were lost on the way back (the kiosk was still asking);
#  - for a declined payment, around the write of its failed outcome.
# Each time it is started again (twice) and the run checks: the journal is intact, no
# payment is left open, a paid payment is recorded exactly once (receipt printed, sale
# marked paid at the backend, the backend's journal holding the record once), an unpaid one
# is closed and nothing is recorded, and no sale was charged twice. Whoever stood at the
# kiosk is told on screen what became of their payment (the restart notice), and only then.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
station_up crash
shots=$build/scenario/crash_recovery # the restart notice's screenshots
rm -rf "$shots" && mkdir -p "$shots"
CODE_OK=134567890123451234
CODE_DECLINED=134567890123459993
failures=0 cases=0

pay_script() { # pay_script CODE
    cat <<SCRIPT
wait attract
tap attract.start
wait home
available home.fuel
tap home.fuel
wait pumps 5s
tap pump.1
wait review 5s
scan $1
pause 20s
SCRIPT
}

# restart [SCRIPT]: one more start of the kiosk (recovery, receipts, uploads), playing SCRIPT
# if given
restart() {
    if [ -n "${1:-}" ]; then cp "$1" "$dir/idle.script"; else printf 'wait attract\nsettled\n' >"$dir/idle.script"; fi
    "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$dir/idle.script" \
        --out "$shots" 2>>"$dir/case.log"
}

# restarts NAME: the two starts after the crash; the first plays $look when it is set
restarts() {
    local first=$look
    look=""
    restart "$first" || {
        fail "$1: the first start after the crash: $(grep -a "idle.script:[0-9]" "$dir/case.log" | tail -1)"
        return 1
    }
    restart || { fail "$1: the second start after the crash"; return 1; }
}

fresh() { # a new backend and a new kiosk journal, no faults, paper in
    admin POST /v1/admin/reset >/dev/null
    rm -f "$dir"/journal.db* "$dir"/receipts/*.png
    emu clear >/dev/null
    : >"$dir/case.log"
}

# verify NAME NOTICE: the journal and the backend agree after the restarts, and the restart
# notice ended saying NOTICE ("paid", "no money taken", or "" for no notice).
verify() {
    local name=$1 notice=$2 t order paid n
    if [ -n "$notice" ]; then
        grep -q "restart notice: .*, $notice\$" "$dir/case.log" ||
            { fail "$name: the restart notice never said '$notice'"; return 1; }
    elif grep -q "restart notice:" "$dir/case.log"; then
        fail "$name: a restart notice nobody needed: $(grep "restart notice:" "$dir/case.log")"
        return 1
    fi
    [ "$(q 'PRAGMA integrity_check')" = ok ] || { fail "$name: journal damaged"; return 1; }
    expect_eq "$name: open intents" "$(q "SELECT count(*) FROM intents WHERE state='pending'")" 0 || return 1
    paid=$(admin GET /v1/admin/payments | python3 -c 'import json,sys
p=[x for x in json.load(sys.stdin)["payments"] if x["status"]=="PAID"]
print(len(p))')
    n=$(q "SELECT count(*) FROM transactions")
    if [ "$paid" = 0 ]; then
        expect_eq "$name: sales recorded without money" "$n" 0 || return 1
        [ "$(admin GET /v1/admin/sales/S1001 | json "['status']")" != paid ] ||
            { fail "$name: S1001 marked paid without money"; return 1; }
        admin GET /v1/admin/payments | python3 -c 'import json,sys
bad=[x for x in json.load(sys.stdin)["payments"] if x["status"] not in ("CLOSED","REVERSED")]
sys.exit(1 if bad else 0)' || { fail "$name: a payment was left open at the backend"; return 1; }
        check_no_lock_left || { fail "$name"; return 1; }
        return 0
    fi
    expect_eq "$name: PAID payments" "$paid" 1 || return 1
    expect_eq "$name: sales recorded" "$n" 1 || return 1
    t=$(txn 1)
    check_sale "$t" 33118 || { fail "$name"; return 1; }
    expect_eq "$name: receipt" "$(q "SELECT print_state FROM transactions")" printed || return 1
    check_receipt "$(pages)" "$t" || return 1
    expect_eq "$name: S1001" "$(admin GET /v1/admin/sales/S1001 | json "['status']")" paid
}

# look: a script for the first restart of the next case (screenshots of the notice)
look=""

# run_case NAME CRASH_POINT CODE NOTICE [SETUP]: pays pump 1, killed at the crash point;
# NOTICE is what the restart notice ends saying, or "if unprinted" ("paid" when the journal
# at the crash holds a sale whose receipt is not printed yet, else none)
run_case() {
    local name=$1 point=$2 code=$3 notice=$4 setup=${5:-}
    cases=$((cases + 1))
    fresh
    [ -n "$setup" ] && eval "$setup"
    pay_script "$code" >"$dir/pay.script"
    { KIOSK_CRASH_AT=$point "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" \
        --script "$dir/pay.script" --out "$shots" 2>>"$dir/case.log"; } 2>/dev/null
    local rc=$?
    if [ $rc -ne 137 ] || ! grep -q "crash point ${point%%#*}" "$dir/case.log"; then
        fail "$name: the kiosk was not killed at $point (exit $rc)"
        failures=$((failures + 1))
        tail -5 "$dir/case.log"
        return
    fi
    admin DELETE /v1/admin/faults >/dev/null
    if [ "$notice" = "if unprinted" ]; then # the journal at the crash tells
        notice=""
        [ "$(q "SELECT count(*) FROM transactions WHERE print_state='pending'")" = 1 ] && notice=paid
    fi
    if restarts "$name" && wait_prints && verify "$name" "$notice"; then
        echo "ok: killed at $point"
    else
        failures=$((failures + 1))
        tail -25 "$dir/case.log"
    fi
}

# kill_case NAME PATTERN SETUP [RESTART_SETUP]: pays pump 1 and is killed from outside once
# the kiosk log shows PATTERN (a payment in flight); RESTART_SETUP runs before the restart.
kill_case() {
    local name=$1 pattern=$2 setup=$3 restart_setup=${4:-}
    cases=$((cases + 1))
    fresh
    eval "$setup"
    pay_script "$CODE_OK" >"$dir/pay.script"
    "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$dir/pay.script" \
        --out "$shots" 2>"$dir/run.log" &
    local pid=$! i=0
    until grep -q "$pattern" "$dir/run.log" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 150 ]; then
            fail "$name: never saw '$pattern'"
            kill -KILL $pid 2>/dev/null
            wait $pid 2>/dev/null
            failures=$((failures + 1))
            return
        fi
        sleep 0.1
    done
    sleep 0.5 # the request is at the backend now
    { kill -KILL $pid; wait $pid; } 2>/dev/null
    cat "$dir/run.log" >>"$dir/case.log"
    admin DELETE /v1/admin/faults >/dev/null
    sleep 3 # the slow backend finishes what it was doing
    [ -n "$restart_setup" ] && eval "$restart_setup"
    if restarts "$name" && wait_prints && verify "$name" paid; then
        echo "ok: $name"
    else
        failures=$((failures + 1))
        tail -25 "$dir/case.log"
    fi
}

# what the restart notice says: nothing before the payment intent is written, the outcome
# while a payment is open or its receipt is not printed yet, nothing once it is (killed at
# the outbox upload, the receipt is usually still printing: the journal at the crash tells).
# The first intent the flow writes is the pump sale's lock (#1), the second the payment's
# (#2): a lock left by a crash is released at the next start.
for spec in journal.intent_begin:before= journal.intent_begin:after= \
    journal.order_put:before= journal.order_put:after= "journal.intent_begin:before#2=" \
    "journal.intent_begin:after#2=no money taken" checkout.complete:before=paid \
    journal.txn_settle:before=paid journal.txn_settle:after=paid \
    journal.txn_set_print_state:before=paid journal.txn_set_print_state:after= \
    "journal.outbox_done:before=if unprinted" "journal.outbox_done:after=if unprinted"; do
    point=${spec%%=*}
    case $point in
    checkout.complete:before) look="$here/restart_paid.script" ;;
    journal.intent_begin:after#2) look="$here/restart_not_paid.script" ;;
    esac
    run_case "$point" "$point" "$CODE_OK" "${spec#*=}"
done
# paid and recorded, killed before its lock's record is settled (the sale is paid: the
# release finds it so, and the journal's lock is settled)
run_case "paid, lock not settled yet" journal.intent_finish:before "$CODE_OK" paid
# the declined payment: killed around its failed outcome
run_case "declined, outcome" journal.intent_finish:before "$CODE_DECLINED" "no money taken"
run_case "declined, outcome written" journal.intent_finish:after "$CODE_DECLINED" ""
# a slow backend: killed after the answer arrived, and while the call was in flight
run_case "slow backend" journal.txn_settle:before "$CODE_OK" paid \
    "admin POST /v1/admin/faults '{\"route\":\"/v1/payments\",\"method\":\"POST\",\"latency_ms\":1500,\"count\":1}' >/dev/null"
kill_case "killed while the payment call waits on a slow backend" "journaling -> paying" \
    "admin POST /v1/admin/faults '{\"route\":\"/v1/payments\",\"method\":\"POST\",\"latency_ms\":2500,\"count\":1}' >/dev/null"
# the payment's answers lost on the way back: the kiosk is asking when it dies; after the
# restart the backend fails the first question too, all four attempts (the notice says so)
look="$here/restart_checking.script"
kill_case "killed after the payment's answer was lost" "paying -> checking" \
    "admin POST /v1/admin/faults '{\"route\":\"/v1/payments\",\"method\":\"POST\",\"drop_after_processing\":true,\"count\":10}' >/dev/null" \
    "admin POST /v1/admin/faults '{\"route\":\"/v1/payments/\",\"method\":\"GET\",\"status\":503,\"count\":4}' >/dev/null"
# and lost answers with a crash point: killed before the order is completed
run_case "lost answer, then killed before completing" checkout.complete:before "$CODE_OK" paid \
    "admin POST /v1/admin/faults '{\"route\":\"/v1/payments\",\"method\":\"POST\",\"drop_after_processing\":true,\"count\":10}' >/dev/null"

echo "crash recovery: $((cases - failures)) of $cases cases held"
[ $failures -eq 0 ]
