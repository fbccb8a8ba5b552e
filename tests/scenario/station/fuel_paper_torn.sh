setup() { expect_eq "emulator" "$(emu 'paper-out-after 300')" ok; }
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    ls "$dir"/receipts/*-torn.png >/dev/null 2>&1 || fail "no torn page" || return 1
    expect_eq "receipt state" "$(q "SELECT print_state FROM transactions WHERE txn_no='$t'")" failed || return 1
    grep -q "printer.receipt: paper out" "$out/kiosk.log" || fail "printer state not reported" || return 1
    expect_eq "backend: the kiosk's printer, as its heartbeat said" \
        "$(admin GET /v1/admin/terminals/T0001 | json "['status']['printer']")" "paper out"
}
