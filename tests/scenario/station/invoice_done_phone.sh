# invoice_done_phone: the sale paid at the kiosk is on exactly one invoice at the backend,
# for the individual, to the phone (masked there too); the journal recorded the invoice
# with its intent settled and uploaded it; the slip printed after the receipt; the phone
# number and the payment code are nowhere in full.
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    check_invoice "$t" individual ISSUED 33118 || return 1
    expect_eq "delivery at the backend" "$(invoice_field "$t" delivery)" "138****8000" || return 1
    expect_eq "pages printed (receipt, slip)" "$(pages)" 2 || return 1
    check_private 13800138000 134567890123451234
}
