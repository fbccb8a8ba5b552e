#!/bin/bash
# Nothing lost, nothing twice, for a shift close (docs/attendant.md, the crash table). A sale
# paid with a payment code goes into shift 1 (attendant_crash_sale.script); then staff 1001
# logs in and closes the shift (attendant_crash_close.script), and the kiosk
#  - is killed (SIGKILL) at each crash point of the close: after its intent is written,
#    before the close's journal write, before and after the SQLite transaction that closes
#    the shift, opens the next and writes the report's outbox record, before and after the
#    report prints, before and after the intent is settled;
#  - is killed while the report prints.
# Each time the kiosk starts again untouched (attendant_crash_resume.script) and finishes
# the close on its own. Then: the journal holds shift 1 closed once with the sale's totals,
# shift 2 open, the shift_close intent done and no attendant intent open; the backend got
# one shift_report, under T0001-S000001; the report came out as the crash table says (the
# original, or a copy marked 副本, or both: a copy is told by its height, one line more than
# the original of the run without a crash) and every report page's QR reads back the
# reference and the sale's figures; the PIN and the payment code are nowhere.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
station_up attendantcrash
out=$dir/out
mkdir -p "$out"
SALE=$here/attendant_crash_sale.script
CLOSE=$here/attendant_crash_close.script
RESUME=$here/attendant_crash_resume.script
REF=T0001-S000001 PIN=246810 CODE=134567890123451234 FEN=33118
failures=0 cases=0

# fresh: the backend and the journal as new, no pages; then the sale, to its end.
fresh() {
    admin POST /v1/admin/reset >/dev/null
    admin DELETE /v1/admin/faults >/dev/null
    rm -f "$dir"/journal.db* "$dir"/receipts/*.png
    : >"$dir/case.log"
    kiosk_play "$SALE" || { fail "the sale did not go through"; tail -20 "$dir/case.log"; return 1; }
    wait_prints
}

# height N: the height in pixels of printed page N.
height() {
    python3 -c 'import struct, sys; print(struct.unpack(">I", open(sys.argv[1], "rb").read()[20:24])[0])' \
        "$(ls "$dir"/receipts/receipt-*.png | sed -n "${1}p")"
}

# kinds: the report pages, o (the original, as tall as in the run without a crash) or c (a
# copy: taller).
kinds() {
    local page h k=""
    for page in $(seq 2 "$(pages)"); do
        h=$(height "$page")
        if [ "$h" = "$ORIGINAL" ]; then k=${k}o; elif [ "$h" -gt "$ORIGINAL" ]; then k=${k}c; else k=$k?; fi
    done
    echo "$k"
}

reports() { # the backend's shift_report records, as "record_id" lines
    admin GET /v1/admin/journal | python3 -c 'import json, sys
for r in json.load(sys.stdin)["records"]:
    if r["kind"] == "shift_report": print(r["record_id"])'
}

# verify NAME KINDS: the close done once, its report up once and printed as KINDS says (see
# kinds), nothing private kept.
verify() {
    local name=$1 t n page
    [ "$(q 'PRAGMA integrity_check')" = ok ] || { fail "$name: journal damaged"; return 1; }
    t=$(txn 1)
    expect_eq "$name: sales recorded" "$(q 'SELECT count(*) FROM transactions')" 1 || return 1
    expect_eq "$name: the sale's amount" "$(q "SELECT amount_fen FROM transactions WHERE txn_no='$t'")" $FEN || return 1
    expect_eq "$name: the sale's shift" "$(q "SELECT shift_id FROM transactions WHERE txn_no='$t'")" 1 || return 1
    expect_eq "$name: closed shifts" "$(q 'SELECT group_concat(id) FROM shifts WHERE closed_ms IS NOT NULL')" 1 || return 1
    expect_eq "$name: shift 1's sales_fen" "$(q "SELECT json_extract(totals, '\$.sales_fen') FROM shifts WHERE id=1")" $FEN || return 1
    expect_eq "$name: open shifts" "$(q 'SELECT group_concat(id) FROM shifts WHERE closed_ms IS NULL')" 2 || return 1
    expect_eq "$name: shift_close intents" "$(q "SELECT group_concat(idem_key || ':' || state) FROM intents WHERE kind='shift_close'")" "$REF:done" || return 1
    expect_eq "$name: open attendant intents" "$(q "SELECT count(*) FROM intents WHERE flow='attendant' AND state='pending'")" 0 || return 1
    expect_eq "$name: report records in the outbox" "$(q "SELECT group_concat(record_id || ':' || state) FROM outbox WHERE kind='shift_report'")" "$REF:sent" || return 1
    expect_eq "$name: shift reports at the backend" "$(reports | tr '\n' ' ')" "$REF " || return 1
    wait_prints
    n=$(pages)
    [ "$n" -ge 2 ] && [ "$n" -le 3 ] || { fail "$name: $n pages (receipt + reports)"; return 1; }
    for page in $(seq 2 "$n"); do
        expect_eq "$name: page $page's QR" "$(receipt_qr "$page")" \
            "$REF;sales=1,$FEN;refunds=0,0;net=$FEN" || return 1
    done
    expect_eq "$name: report pages (o original, c copy)" "$(kinds)" "$2" || return 1
    check_private $PIN $CODE || return 1
    ! grep -a -q -F -e $PIN -e $CODE "$dir/case.log" ||
        { fail "$name: the PIN or the payment code is in the kiosk's log"; return 1; }
    # who closed: the report says, and the next shift is theirs
    expect_eq "$name: the report's attendant" "$(q "SELECT json_extract(body, '\$.attendant') FROM outbox WHERE kind='shift_report'")" 1001 || return 1
    expect_eq "$name: shift 2's attendant" "$(q 'SELECT attendant FROM shifts WHERE id=2')" 1001
}

finish_case() {
    if kiosk_play "$RESUME" && verify "$1" "$2"; then
        echo "ok: $1 (report pages: $2)"
    else
        failures=$((failures + 1))
        grep -a "attendant\|crash point\|shift report" "$dir/case.log" | tail -8
    fi
}

# crash_case POINT KINDS: the close, killed at the crash point; then a start that finishes
# it, with the report pages KINDS.
crash_case() {
    local point=$1
    cases=$((cases + 1))
    fresh || { failures=$((failures + 1)); return; }
    if ! crash_at "$CLOSE" "$point"; then
        fail "$point: the kiosk was not killed there (exit $crash_rc)"
        failures=$((failures + 1))
        tail -5 "$dir/case.log"
        return
    fi
    finish_case "killed at $point" "$2"
}

# The close without a crash: the checks hold for the journey itself, and the original's
# height is taken.
cases=$((cases + 1))
ORIGINAL=0
if fresh && kiosk_play "$CLOSE" && wait_prints && [ "$(pages)" = 2 ] && ORIGINAL=$(height 2) &&
    verify "no crash" o; then
    echo "ok: no crash"
else
    failures=$((failures + 1))
    tail -20 "$dir/case.log"
fi
# The crash table: killed before the report printed, one copy; after, the original and a
# copy; after the intent is settled, nothing more.
crash_case journal.intent_begin:after c
crash_case attendant.shift:before c
crash_case journal.shift_close:before c
crash_case journal.shift_close:after c
crash_case attendant.print:before c
crash_case attendant.print:after oc
crash_case journal.intent_finish:before oc
crash_case journal.intent_finish:after o

# Killed while the report prints: the printer refuses its port, so the report waits in CUPS
# (printer status from CUPS only: a direct status request would fail the print at once);
# the kiosk is killed, the printer takes jobs again and the report comes out, then the
# start after prints the copy.
cases=$((cases + 1))
printf '[printer.receipt]\nstatus_addr =\n' >>"$dir/kiosk.ini"
if fresh && expect_eq "emulator: hold" "$(emu hold)" ok &&
    kill_when "$CLOSE" "summary -> working" && expect_eq "emulator: release" "$(emu release)" ok; then
    finish_case "killed while the report prints" oc
else
    fail "killed while the report prints: the case did not run"
    failures=$((failures + 1))
    emu release >/dev/null
fi

echo "shift close crash recovery: $((cases - failures)) of $cases cases held"
[ $failures -eq 0 ]
