# fuel_qr: the Alipay QR was paid by the phone; the second sale of pump 3 was the one paid.
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 15620 || return 1
    check_receipt 1 "$t" || return 1
    expect_eq "paid with" "$(txn_json "$t" '$.payment.channel')" alipay || return 1
    expect_eq "backend: sale S1004" "$(admin GET /v1/admin/sales/S1004 | json "['status']")" paid || return 1
    expect_eq "backend: sale S1003 untouched" "$(admin GET /v1/admin/sales/S1003 | json "['status']")" unpaid
}
