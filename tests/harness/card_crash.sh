#!/bin/bash
# Nothing lost, nothing twice, for fuel-card loads (docs/card.md). Card 1000113300002002
# holds 1500 fen on its chip and 30000 in its account; the kiosk loads the account onto the
# chip, and
#  - is killed (SIGKILL) at each crash point of the load: before and after its intent is
#    written, just before CREDIT FOR LOAD, before and after the record (which settles the
#    intent), before and after the outbox marks the record sent;
#  - is killed while the confirm waits on a slow backend, and after the confirm's answer
#    was lost;
#  - has the card pulled after each APDU of the load, and during each (carried out by the
#    card or not).
# Each time the card stays in (or goes back in) and the kiosk starts again, takes the PIN
# and resolves what was left. Then, against the virtual card's and the simulator's own
# records: chip + account + pending loads = 31500 (nothing lost), at most one load on the
# chip and at the backend (nothing twice), none pending or flagged, the journal intact with
# no load intent open and the load journaled at most once.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
station_up cardcrash
out=$dir/out
mkdir -p "$out"
card_reader || exit 1
CARD=1000113300002002
failures=0 cases=0

pin='tap card.pin.1\ntap card.pin.2\ntap card.pin.3\ntap card.pin.4\ntap card.pin.5\ntap card.pin.6\ntap card.pin.ok\n'
printf "wait card_pin 20s\n$pin""wait card_menu 20s\nshot menu\npause 1s\ntap card.load\npause 8s\n" \
    >"$dir/load.script"
printf "wait card_pin 30s\n$pin""wait card_menu 30s\nsettled\n" >"$dir/resume.script"


# fresh: the backend, the card's chip and the journal as issued; the card in the reader.
fresh() {
    card_say pull
    admin POST /v1/admin/reset >/dev/null
    admin DELETE /v1/admin/faults >/dev/null
    rm -f "$dir"/journal.db* "$dir"/cards/*.state
    : >"$dir/case.log"
    sleep 1
    card_say "insert $CARD"
}

# verify NAME: the card's money adds up, once.
verify() {
    local name=$1 st chip acct alloc pend loaded flagged onchip
    [ "$(q 'PRAGMA integrity_check')" = ok ] || { fail "$name: journal damaged"; return 1; }
    st=$(card_state $CARD) || { fail "$name: no card state"; return 1; }
    read -r chip acct alloc pend loaded flagged <<<"$st"
    onchip=$(card_balance $CARD | cut -d' ' -f2)
    expect_eq "$name: chip + account + pending" $((chip + acct + alloc + pend)) 31500 || return 1
    [ "$loaded" -le 1 ] && [ "$onchip" -le 1 ] ||
        { fail "$name: loaded twice (backend $loaded, chip $onchip)"; return 1; }
    expect_eq "$name: pending, flagged" "$pend $flagged" "0 0" || return 1
    expect_eq "$name: loads on the chip and confirmed" "$onchip" "$loaded" || return 1
    expect_eq "$name: open load intents" "$(q "SELECT count(*) FROM intents WHERE kind='card_load' AND state='pending'")" 0 || return 1
    expect_eq "$name: loads journaled" "$(q "SELECT count(*) FROM transactions WHERE kind='card_load'")" "$loaded" || return 1
    ! grep -a -q -F 123456 "$dir/case.log" "$dir/vcard.log" "$dir"/journal.db* ||
        { fail "$name: the PIN is in a log or the journal"; return 1; }
}

finish_case() {
    if kiosk_play "$dir/resume.script" && verify "$1"; then
        echo "ok: $1"
    else
        failures=$((failures + 1))
        tail -20 "$dir/case.log"
    fi
}

# crash_case POINT: the load, killed at the crash point; then a start that resolves it.
crash_case() {
    local point=$1
    cases=$((cases + 1))
    fresh
    if ! crash_at "$dir/load.script" "$point"; then
        fail "$point: the kiosk was not killed there (exit $crash_rc)"
        failures=$((failures + 1))
        tail -5 "$dir/case.log"
        return
    fi
    finish_case "killed at $point"
}

# kill_case NAME PATTERN FAULT: the load, with FAULT on the backend, killed from outside
# once the kiosk's log shows PATTERN.
kill_case() {
    local name=$1
    cases=$((cases + 1))
    fresh
    admin POST /v1/admin/faults "$3" >/dev/null
    if ! kill_when "$dir/load.script" "$2"; then
        fail "$name: never saw '$2'"
        failures=$((failures + 1))
        return
    fi
    admin DELETE /v1/admin/faults >/dev/null
    sleep 2
    finish_case "$name"
}

# pull_case FAULT: the load with the card pulled as FAULT says (armed on the menu); put back
# a second after, the same kiosk resolves it.
pull_case() {
    local fault=$1 i=0
    cases=$((cases + 1))
    fresh
    : >"$dir/vcard.mark"
    "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$dir/pull.script" \
        --out "$out" 2>"$dir/run.log" &
    local pid=$!
    until grep -q "screenshot .*/menu.png" "$dir/run.log" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 300 ] || break
        sleep 0.1
    done
    local before
    before=$(grep -c "pulled (" "$dir/vcard.log")
    card_say "$fault"
    i=0
    until [ "$(grep -c "pulled (" "$dir/vcard.log")" -gt "$before" ]; do
        i=$((i + 1))
        [ $i -le 200 ] || break
        sleep 0.1
    done
    # Put it back once the kiosk has seen it go (as a driver would): a card put back within
    # pcscd's polling interval would never have been away for it.
    i=0
    until grep -q "card taken off" "$dir/run.log"; do
        i=$((i + 1))
        [ $i -le 100 ] || break
        sleep 0.1
    done
    sleep 0.5
    card_say "insert $CARD"
    wait $pid
    local rc=$?
    cat "$dir/run.log" >>"$dir/case.log"
    if [ $rc -eq 0 ] && verify "pulled: $fault"; then
        echo "ok: pulled: $fault"
    else
        fail "pulled: $fault (kiosk exit $rc)"
        failures=$((failures + 1))
        tail -20 "$dir/case.log"
    fi
}
printf "wait card_pin 20s\n$pin""wait card_menu 20s\nshot menu\npause 1s\ntap card.load\nwait card_pin 30s\n$pin""wait card_menu 30s\nsettled\n" \
    >"$dir/pull.script"

for point in journal.intent_begin:before journal.intent_begin:after card.intent:after \
    card.credit:before card.record:before journal.txn_settle:before journal.txn_settle:after \
    journal.outbox_done:before journal.outbox_done:after; do
    crash_case "$point"
done
kill_case "killed while the confirm waits on a slow backend" "card_load.*confirm\|loads/.*/confirm" \
    '{"route":"/v1/cards/1000113300002002/loads/","method":"POST","latency_ms":5000,"count":1}'
kill_case "killed after the confirm's answer was lost" "loads/.*/confirm" \
    '{"route":"/v1/cards/1000113300002002/loads/","method":"POST","drop_after_processing":true,"count":10}'
for n in 1 2 3; do
    pull_case "pull-after $n"
    pull_case "pull-during $n apply"
    pull_case "pull-during $n drop"
done

echo "fuel-card crash recovery: $((cases - failures)) of $cases cases held"
[ $failures -eq 0 ]
