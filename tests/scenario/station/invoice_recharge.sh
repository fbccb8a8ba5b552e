# invoice_recharge: nothing was issued for either sale.
check() {
    expect_eq "invoices (the phone page's seed only)" "$(admin GET /v1/admin/invoices | json "['invoices'].__len__()")" 1 || return 1
    check_private 13900139001
}
