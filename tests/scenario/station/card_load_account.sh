# card_load_account: card 1000113300002002 has 30000 in its account and 1500 on the chip;
# after the load the chip holds 31500 and the account 0, one load confirmed and journaled.
setup() {
    card_reader || return 1
    on_shot 01-insert-zh-portrait card_say "insert 1000113300002002"
}
check() {
    check_card 1000113300002002 31500 0 1 || return 1
    expect_eq "pages printed (load receipt)" "$(pages)" 1 || return 1
    check_card_private 123456
}
