setup() { admin POST /v1/admin/faults '{"route":"/v1/payments","method":"POST","drop_after_processing":true,"count":1}' >/dev/null; }
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 30069 || return 1
    check_receipt 1 "$t" || return 1
    expect_eq "backend: payments made" "$(admin GET /v1/admin/payments | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["payments"]))')" 1
}
