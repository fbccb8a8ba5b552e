# fuel_slow_journal: every journal sync takes 400 ms (the fault VFS), as on a worn SD card.
# The sale still completes, the UI thread never waits on a sync (its longest turn stays
# well under one sync), and the order and payment intent are on disk before the payment
# request leaves.
setup() { export KIOSK_JOURNAL_SLOW_SYNC_MS=400; }
check() {
    local t longest intent_at pay_at
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    longest=$(sed -n 's/.*turns: .* longest \([0-9]*\) ms.*/\1/p' "$out/kiosk.log" | tail -1)
    [ -n "$longest" ] || fail "the kiosk's log has no turn-time figures" || return 1
    [ "$longest" -lt 300 ] || fail "the UI thread waited $longest ms in one turn (a sync is 400 ms)" || return 1
    intent_at=$(grep -n "order and payment intent on disk" "$out/kiosk.log" | head -1 | cut -d: -f1)
    pay_at=$(grep -n "POST /v1/payments" "$out/kiosk.log" | head -1 | cut -d: -f1)
    [ -n "$intent_at" ] && [ -n "$pay_at" ] || fail "the log lacks the intent or the payment line" || return 1
    [ "$intent_at" -lt "$pay_at" ] || fail "the payment went out before its intent was on disk"
}
