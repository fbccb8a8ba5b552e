# fuel_kiosk_refused: a 401 on the payment: nothing charged, the sale free again, the
# station's staff told through the kiosk's health (its log names the refusal).
setup() { admin POST /v1/admin/faults '{"route":"/v1/payments","method":"POST","status":401,"count":1}' >/dev/null; }
check() {
    check_nothing_charged || return 1
    grep -q "refuses this kiosk" "$out/kiosk.log" || fail "the refusal is not in the kiosk's log"
}
