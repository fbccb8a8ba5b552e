# card_wrong_pin: two wrong PINs leave the card with its tries, the right one resets them;
# nothing moved; no PIN typed is anywhere in full.
setup() {
    card_reader || return 1
    on_shot 00-attract card_say "insert 1000113300002001"
}
check() {
    check_card 1000113300002001 8800 0 0 || return 1
    check_card_private 654321 654320 123456
}
