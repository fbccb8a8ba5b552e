# invoice_reissue: the first invoice is red-lettered, the new one is for the company; both
# requests were journaled and recorded.
check() {
    local t=T0002-20261101-000101
    check_invoice "$t" organization ISSUED 22020 || return 1
    expect_eq "tax ID" "$(invoice_field "$t" tax_id)" 91350100MA2Y7K3B3K || return 1
    expect_eq "red-lettered invoices" "$(admin GET /v1/admin/invoices | python3 -c 'import json,sys
print(sum(1 for x in json.load(sys.stdin)["invoices"] if x["status"]=="RED"))')" 1 || return 1
    expect_eq "journal: invoices" "$(q "SELECT count(*) FROM transactions WHERE kind='invoice'")" 2 || return 1
    check_private 13800138000
}
