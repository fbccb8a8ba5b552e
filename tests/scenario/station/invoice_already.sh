# invoice_already: still one invoice for T0002-20261101-000105, by the phone page; sent
# once more; no request from the kiosk to issue it.
check() {
    local t=T0002-20261101-000105
    check_invoice "$t" individual ISSUED "" || return 1
    expect_eq "issued by" "$(invoice_field "$t" by)" phone || return 1
    expect_eq "sent (issued, then again)" "$(invoice_field "$t" sends)" 2 || return 1
    expect_eq "issue requests from the kiosk" "$(grep -c 'POST /v1/invoices ' "$dir/sim.log")" 0 || return 1
    expect_eq "journal: invoices" "$(q "SELECT count(*) FROM transactions WHERE kind='invoice'")" 0 || return 1
    check_private 13800138000
}
