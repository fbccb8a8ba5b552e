# fuel_cancel_withdraws: the first create is blackholed; after the cancel no create is sent
# again, the number is closed for good and nothing is charged.
setup() {
    printf '[backend]\ntimeout_ms = 1500\n' >>"$dir/kiosk.ini"
    admin POST /v1/admin/faults '{"route":"/v1/payments","method":"POST","blackhole":true,"blackhole_ms":20000,"count":1}' >/dev/null
}
check() {
    check_nothing_charged || return 1
    expect_eq "backend: the payment" "$(admin GET "/v1/admin/payments/$(q "SELECT idem_key FROM intents WHERE kind='payment'")" | json "['status']")" CLOSED || return 1
    # every create the simulator processed (the blackholed one is not processed)
    expect_eq "creates processed by the backend" "$(grep -a -c "POST /v1/payments [0-9]* ms" "$dir/sim.log")" 0 || return 1
    expect_eq "creates retried by the client" "$(grep -a -c "POST /v1/payments: .*retry" "$out/kiosk.log")" 0 || return 1
    grep -q "withdrawn" "$out/kiosk.log" || fail "the create was not withdrawn"
}
