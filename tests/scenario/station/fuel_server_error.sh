setup() { admin POST /v1/admin/faults '{"route":"/v1/payments","method":"POST","status":503,"count":1}' >/dev/null; }
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    check_receipt 1 "$t" || return 1
    expect_eq "backend: payments made" "$(admin GET /v1/admin/payments | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["payments"]))')" 1 || return 1
    grep -q "POST /v1/payments.*503.*retry" "$out/kiosk.log" || fail "the 503 was not retried"
}
