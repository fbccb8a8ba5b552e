#!/bin/bash
# Nothing lost, nothing twice, for loading tickets (docs/depot.md). Order PO2611300009 (code
# PK2611300009) is picked up by 王建国: his ID card on the reader, his face before the
# camera. The kiosk
#  - is killed (SIGKILL) at each crash point of the ticket: before and after its intent is
#    written, before the ticket call, before and after the record, before the print, after
#    it (before the intent is settled), before and after the outbox marks the record sent;
#  - is killed while the ticket call waits on a slow backend, after the ticket call's answer
#    was lost, and while the ticket prints.
# Each time the kiosk starts again and finishes what was left on its own. Then, against the
# backend's own records: the order has one ticket, issued once; the journal is intact, with
# the ticket recorded once and no ticket intent open; at least one page came out and every
# page carries the same ticket number (a page printed again after a crash is marked 补打).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
station_up depotcrash
out=$dir/out
mkdir -p "$out"
depot_site
id_reader || exit 1
face_camera
ORDER=PO2611300009 TICKET=TK2611300009
failures=0 cases=0

printf 'wait attract\nscan PK2611300009\nwait depot_order 10s\npause 30s\n' >"$dir/pickup.script"
printf 'wait attract 10s\npause 2s\nsettled\n' >"$dir/resume.script"


# fresh: the backend and the journal as new, no pages; the card on the reader, the face
# before the camera.
fresh() {
    admin POST /v1/admin/reset >/dev/null
    admin DELETE /v1/admin/faults >/dev/null
    rm -f "$dir"/journal.db* "$dir"/receipts/*.png
    : >"$dir/case.log"
    id_say "place wang"
    face_show face_ok
}

# verify NAME [none]: one ticket, recorded once, every page it; or (none: killed before the
# intent was durable) no ticket, no record, no page: the driver starts again.
verify() {
    local name=$1 st n page
    [ "$(q 'PRAGMA integrity_check')" = ok ] || { fail "$name: journal damaged"; return 1; }
    st=$(depot_state $ORDER) || { fail "$name: no order"; return 1; }
    if [ "${2:-}" = none ]; then
        expect_eq "$name: backend status, tickets issued" "$(echo "$st" | cut -d' ' -f1,2)" "OPEN 0" || return 1
        expect_eq "$name: ticket records" "$(q "SELECT count(*) FROM transactions WHERE kind='depot_ticket'")" 0 || return 1
        expect_eq "$name: open ticket intents" "$(q "SELECT count(*) FROM intents WHERE kind='depot_ticket' AND state='pending'")" 0 || return 1
        wait_prints
        expect_eq "$name: pages" "$(pages)" 0
        return
    fi
    expect_eq "$name: backend status, tickets issued" "$(echo "$st" | cut -d' ' -f1,2)" "ISSUED 1" || return 1
    expect_eq "$name: ticket records" "$(q "SELECT count(*) FROM transactions WHERE txn_no='depot-$ORDER'")" 1 || return 1
    expect_eq "$name: open ticket intents" "$(q "SELECT count(*) FROM intents WHERE kind='depot_ticket' AND state='pending'")" 0 || return 1
    wait_prints
    n=$(pages)
    [ "$n" -ge 1 ] && [ "$n" -le 2 ] || { fail "$name: $n pages"; return 1; }
    for page in $(seq 1 "$n"); do
        expect_eq "$name: page $page" "$(receipt_barcode "$page")" "$TICKET" || return 1
    done
    ! grep -a -q -E '110105198203154413|王建国' "$dir/case.log" "$dir"/journal.db* ||
        { fail "$name: the ID number or the name is in a log or the journal"; return 1; }
}

finish_case() {
    if kiosk_play "$dir/resume.script" && verify "$1" "${2:-}"; then
        echo "ok: $1 ($(pages) page(s))"
    else
        failures=$((failures + 1))
        tail -20 "$dir/case.log"
    fi
}

# crash_case POINT [none]: the pickup, killed at the crash point; then a start that finishes
# it (none: nothing was issued, and nothing is).
crash_case() {
    local point=$1
    cases=$((cases + 1))
    fresh
    if ! crash_at "$dir/pickup.script" "$point"; then
        fail "$point: the kiosk was not killed there (exit $crash_rc)"
        failures=$((failures + 1))
        tail -5 "$dir/case.log"
        return
    fi
    finish_case "killed at $point" "${2:-}"
}

# kill_case NAME PATTERN FAULT: the pickup, with FAULT on the backend ("" for none), killed
# from outside once the kiosk's log shows PATTERN.
kill_case() {
    local name=$1
    cases=$((cases + 1))
    fresh
    [ -z "$3" ] || admin POST /v1/admin/faults "$3" >/dev/null
    if ! kill_when "$dir/pickup.script" "$2"; then
        fail "$name: never saw '$2'"
        failures=$((failures + 1))
        return
    fi
    admin DELETE /v1/admin/faults >/dev/null
    sleep 2 # the slow backend finishes what it was doing
    finish_case "$name"
}

crash_case journal.intent_begin:before none
for point in journal.intent_begin:after depot.intent:after \
    depot.ticket:before depot.record:before journal.txn_add:before journal.txn_add:after \
    depot.print:before depot.print:after journal.intent_finish:before \
    journal.outbox_done:before journal.outbox_done:after; do
    crash_case "$point"
done
kill_case "killed while the ticket call waits on a slow backend" "journaling -> issuing" \
    '{"route":"/v1/depot/orders/","method":"POST","latency_ms":5000,"count":1}'
kill_case "killed after the ticket call's answer was lost" "journaling -> issuing" \
    '{"route":"/v1/depot/orders/PO2611300009/ticket","method":"POST","drop_after_processing":true,"count":10}'
kill_case "killed while the ticket prints" "ticket TK2611300009 printing" ""

echo "depot crash recovery: $((cases - failures)) of $cases cases held"
[ $failures -eq 0 ]
