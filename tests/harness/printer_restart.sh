#!/bin/bash
# A receipt stuck in CUPS while cupsd restarts never comes out late or twice. The printer
# holds jobs back (it refuses its port), the first customer pays, and cupsd is stopped the
# moment the receipt is queued; it starts again 6 s later (the job it kept is resumed) and
# the printer takes jobs again 6 s after that; then the next customer pays. The journal's
# receipt state of the first sale must match what came out of the printer (printed: exactly
# one page, failed: none), no page of it may come out after the next customer's receipt,
# nothing is printed twice, and CUPS holds no job that could still print.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
station_up prnrestart
# A short wait for jobs keeps the test quick. Printer status comes from CUPS only: a held
# printer refuses its port, and a direct status request would then stop the sale.
printf '[printer.receipt]\njob_wait_s = 4\nstatus_addr =\n' >>"$dir/kiosk.ini"
expect_eq "emulator: hold" "$(emu hold)" ok || exit 1
timeout 150 "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" \
    --script "$here/printer_restart.script" --out "$dir/shots" 2>"$dir/kiosk.log" &
kiosk=$!
bail() { fail "$@"; kill "$kiosk" 2>/dev/null; tail -40 "$dir/kiosk.log"; exit 1; }
i=0
until grep -q "queued on receipt" "$dir/kiosk.log"; do
    i=$((i + 1))
    [ $i -le 600 ] && kill -0 "$kiosk" 2>/dev/null || bail "the first receipt was never queued"
    sleep 0.1
done
"$here/cupsd.sh" stop "$dir/cups"
expect_eq "pages while cupsd is down" "$(pages)" 0 || bail "the printer was not holding"
sleep 6
# by now the kiosk gave up waiting and told the customer; CUPS could not confirm the cancel
unknown=$(q "SELECT print_state FROM transactions ORDER BY id LIMIT 1")
"$here/cupsd.sh" restart "$dir/cups" >/dev/null || bail "cupsd did not start again"
sleep 6
expect_eq "emulator: release" "$(emu release)" ok || bail "the printer did not release"
wait "$kiosk"
rc=$?
wait_prints
sleep 2 # a stale job would be on its way by now
wait_prints

check() {
    local t1 t2 s1 s2 n1=0 n2=0 p1=0 p2=0 n qr link1 link2
    t1=$(txn 1) t2=$(txn 2)
    [ -n "$t1" ] && [ -n "$t2" ] || fail "two sales expected in the journal" || return 1
    link1="https://inv.example/t/$(txn_json "$t1" '$.invoice_token')"
    link2="https://inv.example/t/$(txn_json "$t2" '$.invoice_token')"
    for n in $(seq 1 "$(pages)"); do
        qr=$(receipt_qr "$n")
        if [ "$qr" = "$link1" ]; then
            n1=$((n1 + 1)) p1=$n
        elif [ "$qr" = "$link2" ]; then
            n2=$((n2 + 1)) p2=$n
        else
            fail "page $n is neither sale's receipt (QR '$qr')" || return 1
        fi
    done
    s1=$(q "SELECT print_state FROM transactions WHERE txn_no='$t1'")
    s2=$(q "SELECT print_state FROM transactions WHERE txn_no='$t2'")
    echo "first sale $t1: journal '$s1', $n1 page(s); next sale $t2: journal '$s2', $n2 page(s)"
    case "$s1" in
    printed) expect_eq "pages of the first receipt (journal: printed)" "$n1" 1 || return 1 ;;
    failed) expect_eq "pages of the first receipt (journal: failed)" "$n1" 0 || return 1 ;;
    *) fail "first receipt's state '$s1' is not final" || return 1 ;;
    esac
    expect_eq "next receipt state" "$s2" printed || return 1
    expect_eq "pages of the next receipt" "$n2" 1 || return 1
    [ $n1 -eq 0 ] || [ $p1 -lt $p2 ] ||
        fail "the first receipt came out (page $p1) after the next one (page $p2)" || return 1
    expect_eq "jobs left in CUPS" "$(lpstat -h "$CUPS_SERVER" -o receipt 2>&1)" "" || return 1
    expect_eq "first receipt's state while CUPS was down" "$unknown" unknown || return 1
    check_sale "$t1" 33118 || return 1
}
check && [ $rc -eq 0 ] || {
    [ $rc -eq 0 ] ||
        fail "the kiosk's script failed (exit $rc): $(grep -m1 'restart.script:' "$dir/kiosk.log")"
    echo "kiosk log:"
    grep -E "station|printer|print" "$dir/kiosk.log" | tail -40
    exit 1
}
echo "printer restart: the first receipt's journal state matches the paper, nothing late or twice"
