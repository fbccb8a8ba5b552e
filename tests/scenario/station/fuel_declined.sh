# fuel_declined: the declined attempt is settled as failed and CLOSED at the backend; the
# second attempt (its own out_trade_no) paid the sale once.
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 30069 || return 1
    check_receipt 1 "$t" || return 1
    expect_eq "journal: the declined attempt" "$(q "SELECT state FROM intents WHERE idem_key='$t-P1'")" failed || return 1
    expect_eq "backend: the declined attempt" "$(admin GET "/v1/admin/payments/$t-P1" | json "['status']")" CLOSED || return 1
    expect_eq "the paid attempt" "$(txn_json "$t" '$.out_trade_no')" "$t-P2" || return 1
    expect_eq "paid with" "$(txn_json "$t" '$.payment.channel')" unionpay
}
