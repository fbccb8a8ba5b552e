# fuel_hang_cancel: reversed at the backend, the intent settled as failed, no sale recorded.
check() {
    local otn
    otn=$(q "SELECT idem_key FROM intents WHERE kind='payment'")
    expect_eq "journal: sales" "$(q "SELECT count(*) FROM transactions")" 0 || return 1
    expect_eq "journal: the intent" "$(q "SELECT state FROM intents WHERE kind='payment'")" failed || return 1
    expect_eq "backend: the payment" "$(admin GET "/v1/admin/payments/$otn" | json "['status']")" REVERSED || return 1
    expect_eq "backend: sale S1002" "$(admin GET /v1/admin/sales/S1002 | json "['status']")" unpaid
}
