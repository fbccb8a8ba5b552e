# invoice_slow: the request is at the backend as PENDING and the journal recorded it so;
# once the tax system answers the backend has issued exactly one invoice.
setup() { admin POST /v1/admin/invoices/settings '{"tax_delay_ms":600000}' >/dev/null; }
check() {
    local t=T0002-20261101-000101
    check_invoice "$t" individual PENDING 22020 || return 1
    expect_eq "journal: recorded as" "$(q "SELECT json_extract(payload,'\$.status') FROM transactions WHERE kind='invoice'")" PENDING || return 1
    admin POST /v1/admin/clock '{"advance_ms":600001}' >/dev/null
    check_invoice "$t" individual ISSUED 22020 || return 1
    check_private 13800138000
}
