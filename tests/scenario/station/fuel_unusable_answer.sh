# fuel_unusable_answer: the create answers {"status":"NOTPAY"}; the money was taken. The sale
# is recorded once and paid, the payment is not reversed.
setup() { admin POST /v1/admin/faults '{"route":"/v1/payments","method":"POST","replace_body":"{\"status\":\"NOTPAY\"}","count":1}' >/dev/null; }
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    check_receipt 1 "$t" || return 1
    expect_eq "backend: reversed payments" "$(admin GET /v1/admin/payments | python3 -c 'import json,sys; print(sum(1 for x in json.load(sys.stdin)["payments"] if x["status"]=="REVERSED"))')" 0 || return 1
    grep -q "an answer that cannot be used" "$out/kiosk.log" || fail "the unusable answer was not noticed"
}
