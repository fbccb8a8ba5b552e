# fuel_timeout: the payment ended CLOSED at the backend, its intent failed, no sale, the
# pump's sale unlocked.
check() {
    check_nothing_charged || return 1
    expect_eq "journal: the intent" "$(q "SELECT state FROM intents WHERE kind='payment'")" failed || return 1
    expect_eq "backend: the payment" "$(admin GET "/v1/admin/payments/$(q "SELECT idem_key FROM intents WHERE kind='payment'")" | json "['status']")" CLOSED || return 1
    expect_eq "backend: sale S1007 lock" "$(admin GET /v1/admin/sales/S1007 | json "['locked_by']")" ""
}
