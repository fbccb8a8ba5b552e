# card_english_landscape: the same money as card_load_account, in English, landscape.
setup() {
    card_reader || return 1
    on_shot 00-home card_say "insert 1000113300002002"
}
check() { check_card 1000113300002002 31500 0 1; }
