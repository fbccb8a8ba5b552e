# the first four cancels (the kiosk's try and its client's three retries) get 503
setup() { admin POST /v1/admin/faults '{"route":"/v1/payments/T0001","method":"POST","status":503,"count":4}' >/dev/null; }
check() {
    check_nothing_charged || return 1
    expect_eq "journal: the intent" "$(q "SELECT state FROM intents WHERE kind='payment'")" failed || return 1
    expect_eq "backend: the payment" "$(admin GET "/v1/admin/payments/$(q "SELECT idem_key FROM intents WHERE kind='payment'")" | json "['status']")" CLOSED || return 1
    expect_eq "backend: sale S1001 lock" "$(admin GET /v1/admin/sales/S1001 | json "['locked_by']")" "" || return 1
    grep -q "settled in the background" "$out/kiosk.log" || fail "not settled in the background"
}
