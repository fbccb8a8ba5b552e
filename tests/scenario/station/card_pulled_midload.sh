# card_pulled_midload: card 1000113300002002 (30000 in its account, 1500 on the chip) is
# pulled during CREDIT FOR LOAD, which the card carries out; once back in, the load is
# resolved: the chip holds 31500, the account 0, one load confirmed and journaled once.
setup() {
    card_reader || return 1
    on_shot 00-attract card_say "insert 1000113300002002"
    on_shot 01-menu-zh-portrait card_say "pull-during 2 apply"
    on_shot 02-removed-zh-portrait card_swap 1000113300002002
}
check() {
    check_card 1000113300002002 31500 0 1 || return 1
    check_card_private 123456
}
