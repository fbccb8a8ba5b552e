# attendant_reprint: one sale, its receipt printed twice (the copy's QR is the same sale's
# e-invoice link), the sale recorded once; one reprint audited, none for the unknown number.
check() {
    local t a
    a="json_extract(body,'\$.action')"
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    expect_eq "pages (receipt, copy)" "$(pages)" 2 || return 1
    check_receipt 1 "$t" || return 1
    check_receipt 2 "$t" || return 1
    expect_eq "journal: transactions" "$(q "SELECT count(*) FROM transactions")" 1 || return 1
    expect_eq "audit: reprint" "$(q "SELECT group_concat(json_extract(body,'\$.staff_no') || ',' || json_extract(body,'\$.detail'), ' ') FROM outbox WHERE kind='audit' AND $a='reprint'")" "1001,$t" || return 1
    check_private 246810 134567890123451234
}
