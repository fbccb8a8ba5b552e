# attendant_lockout: every try is audited (five failures, the lock, then the login), and the
# PINs typed are nowhere.
check() {
    expect_eq "audit: failed logins" "$(q "SELECT count(*) FROM outbox WHERE kind='audit' AND json_extract(body,'\$.action')='login_failed'")" 5 || return 1
    expect_eq "audit: locked" "$(q "SELECT count(*) FROM outbox WHERE kind='audit' AND json_extract(body,'\$.action')='locked'")" 1 || return 1
    expect_eq "audit: login" "$(q "SELECT json_extract(body,'\$.staff_no') FROM outbox WHERE kind='audit' AND json_extract(body,'\$.action')='login'")" 1002 || return 1
    check_private 112233
}
