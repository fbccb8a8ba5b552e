# card_recharge_invoice: ¥200 recharged and loaded onto card 1000113300002001 (8800 fen on its
# chip: 28800 after, the account 0, one load), then that recharge is on exactly one issued
# invoice at the backend, for the individual, for 20000 with no tax, sent to the phone
# (masked there too); the phone number, the payment code and the PIN are nowhere in full.
setup() {
    card_reader || return 1
    on_shot 00-attract card_say "insert 1000113300002001"
}
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 20000 || return 1
    check_invoice "$t" individual ISSUED 20000 || return 1
    expect_eq "tax on the recharge's invoice" "$(invoice_field "$t" tax_fen)" 0 || return 1
    expect_eq "delivery at the backend" "$(invoice_field "$t" delivery)" "138****8000" || return 1
    check_card 1000113300002001 28800 0 1 || return 1
    check_card_private 13800138000 134567890123451234 123456
}
