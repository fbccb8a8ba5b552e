setup() { expect_eq "emulator" "$(emu 'paper out')" ok; }
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    expect_eq "pages printed" "$(pages)" 0 || return 1
    expect_eq "receipt state" "$(q "SELECT print_state FROM transactions WHERE txn_no='$t'")" e-receipt || return 1
    expect_eq "on the record" "$(txn_json "$t" '$.receipt')" e-receipt
}
