# card_pulled_after_pay: ¥100 paid for card 1000113300002001, which was pulled on the bill:
# the chip still holds 8800, the account 10000, no load begun; one paid sale.
setup() {
    card_reader || return 1
    on_shot 00-attract card_say "insert 1000113300002001"
    on_shot 01-bill-zh-portrait card_say pull
}
check() {
    check_sale "$(txn 1)" 10000 || return 1
    check_card 1000113300002001 8800 10000 0 || return 1
    check_card_private 134567890123451234 123456
}
