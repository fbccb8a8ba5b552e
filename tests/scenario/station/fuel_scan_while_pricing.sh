# fuel_scan_while_pricing: the held code paid the repriced bill, fuel and water.
setup() { admin POST /v1/admin/faults '{"route":"/v1/orders","method":"POST","latency_ms":1500,"count":0}' >/dev/null; }
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 33318 || return 1
    expect_eq "items on the record" "$(txn_json "$t" '$.items[0].barcode')" 6920000010004
}
