# attendant_offline_login: the staff service is down from the start (POST /v1/staff/login
# answers 503; the verifiers still come), then the heartbeats go unanswered too: the PINs are
# checked on the kiosk only (the first asked once, the second not sent), and the audit says
# so.
setup() {
    admin POST /v1/admin/staff '{"login_down":true}' >/dev/null
    on_shot 01-offline-wrong-pin-zh-portrait admin POST /v1/admin/faults '{"route":"/v1/terminals","refuse":true}'
}
check() {
    local a
    a="json_extract(body,'\$.action')"
    expect_eq "staff list cached" "$(q "SELECT count(*) FROM staff")" 3 || return 1
    expect_eq "audit: not locked" "$(q "SELECT count(*) FROM outbox WHERE kind='audit' AND $a='locked'")" 0 || return 1
    expect_eq "audit: logout" "$(q "SELECT count(*) FROM outbox WHERE kind='audit' AND $a='logout'")" 1 || return 1
    expect_eq "backend: PINs checked there" "$(admin GET /v1/admin/staff | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["logins"]))')" 0 || return 1
    expect_eq "logins asked, once each" "$(grep -c "POST /v1/staff/login" "$out/kiosk.log")" 1 || return 1
    grep -q "POST /v1/staff/login -> .*503 after 1 attempt" "$out/kiosk.log" || fail "the first login was not asked once" || return 1
    grep -q "station system down" "$out/kiosk.log" || fail "the heartbeat did not see the system down" || return 1
    grep -q "the station system is down: the PIN is checked on the kiosk" "$out/kiosk.log" || fail "the second login was sent" || return 1
    check_private 246810 975313 || return 1
    expect_eq "audit: failed login" "$(q "SELECT json_extract(body,'\$.staff_no') || ',' || json_extract(body,'\$.detail') FROM outbox WHERE kind='audit' AND $a='login_failed'")" "1001,offline" || return 1
    expect_eq "audit: login" "$(q "SELECT json_extract(body,'\$.staff_no') || ',' || json_extract(body,'\$.detail') FROM outbox WHERE kind='audit' AND $a='login'")" "1001,offline"
}
