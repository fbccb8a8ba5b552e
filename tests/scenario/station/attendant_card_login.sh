# attendant_card_login: the staff card 1000113300009001 (王芳, 1001) put on the reader on the
# home menu; one login checked at the backend, audited as 1001's login then logout.
setup() {
    card_reader || return 1
    on_shot 00-home-zh-portrait card_say "insert 1000113300009001"
}
check() {
    expect_eq "audit: login" "$(q "SELECT json_extract(body,'\$.staff_no') || ',' || json_extract(body,'\$.detail') FROM outbox WHERE kind='audit' AND json_extract(body,'\$.action')='login'")" "1001," || return 1
    expect_eq "audit: logout" "$(q "SELECT json_extract(body,'\$.staff_no') || ',' || json_extract(body,'\$.detail') FROM outbox WHERE kind='audit' AND json_extract(body,'\$.action')='logout'")" "1001,back" || return 1
    expect_eq "audit: no failed login" "$(q "SELECT count(*) FROM outbox WHERE kind='audit' AND json_extract(body,'\$.action')='login_failed'")" 0 || return 1
    expect_eq "audit uploaded" "$(q "SELECT count(*) FROM outbox WHERE kind='audit' AND state<>'sent'")" 0 || return 1
    expect_eq "backend: logins" "$(admin GET /v1/admin/staff | python3 -c 'import json,sys
print(" ".join("%s/%s/%s" % (l["staff_no"], l["purpose"], l["ok"]) for l in json.load(sys.stdin)["logins"]))')" "1001/login/1" || return 1
    expect_eq "backend: audit records" "$(admin GET /v1/admin/journal | python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin)["records"] if r["kind"]=="audit"))')" 2 || return 1
    expect_eq "nothing sold" "$(q "SELECT count(*) FROM transactions")" 0 || return 1
    check_card_private 246810
}
