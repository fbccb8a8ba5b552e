# card_unknown: a foreign application (SELECT 6A82) and a card unknown to the backend.
setup() {
    card_reader || return 1
    on_shot 00-attract card_say "insert 1000113300007777"
    on_shot 02-home card_swap 1000113300008888
}
check() {
    expect_eq "loads at the backend" "$(admin GET /v1/admin/cards | python3 -c 'import json,sys
print(sum(len(c["loads"]) for c in json.load(sys.stdin)["cards"]))')" 0
}
