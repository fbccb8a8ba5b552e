# card_recharge_load: ¥200 paid once for card 1000113300002001 (8800 fen on its chip, an
# empty account): afterwards its chip holds 28800, the account 0, one load done and
# confirmed, journaled once with its intent settled; the recharge is one paid sale; two
# pages printed (the payment's receipt, the load's); the PIN and the payment code are
# nowhere in full.
setup() {
    card_reader || return 1
    on_shot 00-attract card_say "insert 1000113300002001"
}
check() {
    check_sale "$(txn 1)" 20000 || return 1
    check_card 1000113300002001 28800 0 1 || return 1
    expect_eq "pages printed (payment, load)" "$(pages)" 2 || return 1
    check_card_private 134567890123451234 123456
}
