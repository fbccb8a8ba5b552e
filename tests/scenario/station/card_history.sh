# card_history: reading the history moves nothing.
setup() {
    card_reader || return 1
    on_shot 00-attract card_say "insert 1000113300002001"
}
check() { check_card 1000113300002001 8800 0 0; }
