# every attempt of the first payment fails (the client's first try and its 3 retries)
setup() { admin POST /v1/admin/faults '{"route":"/v1/payments","method":"POST","status":503,"count":4}' >/dev/null; }
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    expect_eq "journal: the first attempt" "$(q "SELECT state FROM intents WHERE idem_key='$t-P1'")" failed || return 1
    expect_eq "backend: the first number closed for good" "$(admin GET "/v1/admin/payments/$t-P1" | json "['status']")" CLOSED
}
