# attendant_english_landscape: the sale paid once; 1002 logged in, the test slip printed once
# (after the receipt) and audited as the paper changed, no shift closed; the PIN is nowhere.
check() {
    local a
    a="json_extract(body,'\$.action')"
    expect_eq "audit: login" "$(q "SELECT json_extract(body,'\$.staff_no') FROM outbox WHERE kind='audit' AND $a='login'")" 1002 || return 1
    expect_eq "audit: paper changed" "$(q "SELECT json_extract(body,'\$.staff_no') || ',' || json_extract(body,'\$.detail') FROM outbox WHERE kind='audit' AND $a='paper_changed'")" "1002,printed" || return 1
    check_sale "$(txn 1)" 33118 || return 1
    expect_eq "pages (receipt, test slip)" "$(pages)" 2 || return 1
    expect_eq "the test slip's QR" "$(receipt_qr 2)" kiosk-test:T0001 || return 1
    expect_eq "no shift closed" "$(q "SELECT count(*) FROM shifts WHERE closed_ms IS NOT NULL")" 0 || return 1
    check_private 112233 134567890123451234
}
