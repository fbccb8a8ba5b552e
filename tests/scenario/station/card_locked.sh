# card_locked: card 1000113300002003 locks at the wrong PIN; nothing moved.
setup() {
    card_reader || return 1
    on_shot 00-attract card_say "insert 1000113300002003"
}
check() {
    check_card 1000113300002003 500 0 0 || return 1
    grep -q "ok insert" "$dir/vcard.log" || fail "the card never went in"
}
