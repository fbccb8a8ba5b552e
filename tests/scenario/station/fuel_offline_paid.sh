setup() {
    # completing the order is refused on every try; the first two uploads are refused too
    admin POST /v1/admin/faults '{"route":"/v1/orders/T0001","method":"POST","refuse":true,"count":4}' >/dev/null
    admin POST /v1/admin/faults '{"route":"/v1/journal/records","method":"POST","refuse":true,"count":2}' >/dev/null
}
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    check_receipt 1 "$t" || return 1
    expect_eq "backend: sale S1001" "$(admin GET /v1/admin/sales/S1001 | json "['status']")" paid
}
