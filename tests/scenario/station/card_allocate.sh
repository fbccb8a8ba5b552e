# card_allocate: main card 1000113300001234 (500000 in its account) gives 100000 to each of
# its three sub-cards; sub-card 1000113300005679 then loads its 100000 onto its chip.
setup() {
    card_reader || return 1
    on_shot 00-attract card_say "insert 1000113300001234"
    on_shot 06-home card_swap 1000113300005679
}
check() {
    local cards
    cards=$(admin GET /v1/admin/cards | python3 -c 'import json,sys
c = {c["card_no"]: c for c in json.load(sys.stdin)["cards"]}
print(c["1000113300001234"]["account_fen"], c["1000113300005678"]["allocation_fen"],
      c["1000113300005680"]["allocation_fen"])')
    expect_eq "main account, two sub-cards' allocations" "$cards" "200000 100000 100000" || return 1
    check_card 1000113300005679 100000 0 1
}
