# attendant_auto_logout: two logins of 1001, the first ended by 60 s without a touch, the
# second by a customer's card (1000113300002001, which nothing then charges).
setup() {
    card_reader || return 1
    on_shot 02-menu-before-card-zh-portrait card_say "insert 1000113300002001"
}
check() {
    local a
    a="json_extract(body,'\$.action')"
    expect_eq "audit: logins" "$(q "SELECT count(*) FROM outbox WHERE kind='audit' AND $a='login'")" 2 || return 1
    expect_eq "audit: logouts and why" "$(q "SELECT group_concat(json_extract(body,'\$.staff_no') || '/' || json_extract(body,'\$.detail'), ' ') FROM (SELECT body FROM outbox WHERE kind='audit' AND $a='logout' ORDER BY seq)")" "1001/idle 1001/customer" || return 1
    expect_eq "backend: audit records" "$(admin GET /v1/admin/journal | python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin)["records"] if r["kind"]=="audit"))')" 4 || return 1
    check_card 1000113300002001 8800 0 0 || return 1
    check_card_private 246810
}
