#!/bin/bash
# Crash safety of e-invoicing, at every journal step of the flow. The kiosk issues an invoice
# for the past sale T0002-20261101-000101 to a phone and is killed (SIGKILL)
#  - at each crash point: before and after the issue intent is written, just before the
#    issue call, before and after the invoice is recorded (its intent settled), before and
#    after its outbox record is marked sent;
#  - while the issue call waits on a slow backend;
#  - after the backend issued it but the answer was lost (the kiosk still asking).
# Each time it is started again (twice) and the run checks against the simulator's own
# records: the journal is intact with no intent left open; the sale is on at most one
# invoice and was never asked for under a second key; when the backend issued it, the
# journal holds that invoice once and the backend's journal received its record once; when
# it did not, the intent was dropped as never seen (the customer was not charged anything
# and may ask again). The phone number is nowhere in full.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
station_up invcrash
out=$dir/out
mkdir -p "$out"
printf '[invoice]\nstatus_retry_s = 1\n' >>"$dir/kiosk.ini"
TXN=T0002-20261101-000101
PHONE=13800138000
failures=0 cases=0

{
    printf 'wait attract\ntap attract.start\nwait home\ntap home.invoice\nwait inv_collect 5s\n'
    printf 'scan T000220261101000101\nawait inv.sale.0 %s\ntap inv.next\nwait inv_delivery\n' "$TXN"
    for ((i = 0; i < ${#PHONE}; i++)); do printf 'tap inv.key.%s\n' "${PHONE:i:1}"; done
    printf 'tap inv.next\nwait inv_preview\ntap inv.issue\npause 15s\n'
} >"$dir/issue.script"
printf 'wait attract\nsettled\n' >"$dir/idle.script"


fresh() {
    admin POST /v1/admin/reset >/dev/null
    rm -f "$dir"/journal.db*
    : >"$dir/case.log"
}

# verify NAME: what the journal and the backend say after the restarts agrees.
verify() {
    local name=$1 n keys
    [ "$(q 'PRAGMA integrity_check')" = ok ] || { fail "$name: journal damaged"; return 1; }
    expect_eq "$name: open intents" "$(q "SELECT count(*) FROM intents WHERE state='pending'")" 0 || return 1
    n=$(invoice_count "$TXN")
    keys=$(admin GET /v1/admin/invoices | python3 -c 'import json,sys
print(len({r["key"] for r in json.load(sys.stdin)["requests"] if r["terminal"]=="T0001"}))')
    [ "$keys" -le 1 ] || { fail "$name: the kiosk asked under $keys keys"; return 1; }
    case $n in
    0)
        expect_eq "$name: journal invoices" "$(q "SELECT count(*) FROM transactions WHERE kind='invoice'")" 0 || return 1
        [ "$(q "SELECT count(*) FROM intents WHERE kind='invoice'")" = 0 ] ||
            expect_eq "$name: the intent" "$(q "SELECT state FROM intents WHERE kind='invoice'")" abandoned || return 1
        ;;
    1)
        check_invoice "$TXN" individual ISSUED 22020 || { fail "$name"; return 1; }
        expect_eq "$name: journal invoices" "$(q "SELECT count(*) FROM transactions WHERE kind='invoice'")" 1 || return 1
        expect_eq "$name: recorded as" "$(q "SELECT json_extract(payload,'\$.status') FROM transactions WHERE kind='invoice'")" ISSUED || return 1
        expect_eq "$name: outbox" "$(q "SELECT count(*) FROM outbox WHERE state<>'sent'")" 0 || return 1
        expect_eq "$name: records at the backend" "$(admin GET /v1/admin/journal | python3 -c 'import json,sys
print(sum(1 for r in json.load(sys.stdin)["records"] if r["kind"]=="invoice"))')" 1 || return 1
        ;;
    *)
        fail "$name: $TXN is on $n invoices"
        return 1
        ;;
    esac
    ! grep -a -q -F "$PHONE" "$dir/case.log" "$dir/sim.log" "$dir"/journal.db* ||
        { fail "$name: the phone number is in full in a log or the journal"; return 1; }
}

restarts() {
    kiosk_play "$dir/idle.script" || { fail "$1: the first start after the crash"; return 1; }
    kiosk_play "$dir/idle.script" || { fail "$1: the second start after the crash"; return 1; }
}

# run_case NAME CRASH_POINT [SETUP]: issues the invoice, killed at the crash point
run_case() {
    local name=$1 point=$2 setup=${3:-}
    cases=$((cases + 1))
    fresh
    [ -n "$setup" ] && eval "$setup"
    if ! crash_at "$dir/issue.script" "$point"; then
        fail "$name: the kiosk was not killed at $point (exit $crash_rc)"
        failures=$((failures + 1))
        tail -5 "$dir/case.log"
        return
    fi
    admin DELETE /v1/admin/faults >/dev/null
    if restarts "$name" && verify "$name"; then
        echo "ok: killed at $point"
    else
        failures=$((failures + 1))
        tail -20 "$dir/case.log"
    fi
}

# kill_case NAME PATTERN SETUP: issues the invoice, killed from outside once the kiosk's log
# shows PATTERN
kill_case() {
    local name=$1
    cases=$((cases + 1))
    fresh
    eval "$3"
    if ! kill_when "$dir/issue.script" "$2"; then
        fail "$name: never saw '$2'"
        failures=$((failures + 1))
        return
    fi
    admin DELETE /v1/admin/faults >/dev/null
    sleep 2 # the slow backend finishes what it was doing
    if restarts "$name" && verify "$name"; then
        echo "ok: $name"
    else
        failures=$((failures + 1))
        tail -20 "$dir/case.log"
    fi
}

for point in journal.intent_begin:before journal.intent_begin:after invoice.issue:before \
    journal.txn_settle:before journal.txn_settle:after journal.outbox_done:before \
    journal.outbox_done:after; do
    run_case "$point" "$point"
done
kill_case "killed while the issue call waits on a slow backend" "issue request .* sent" \
    "admin POST /v1/admin/faults '{\"route\":\"/v1/invoices\",\"method\":\"POST\",\"latency_ms\":3000,\"count\":1}' >/dev/null"
kill_case "killed after the issue's answer was lost" "issue request .* sent" \
    "admin POST /v1/admin/faults '{\"route\":\"/v1/invoices\",\"method\":\"POST\",\"drop_after_processing\":true,\"count\":10}' >/dev/null"

echo "invoice crash recovery: $((cases - failures)) of $cases cases held"
[ $failures -eq 0 ]
