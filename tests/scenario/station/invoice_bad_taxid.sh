# invoice_bad_taxid: the wrong code never left the kiosk: no company lookup and no invoice
# reached the backend.
check() {
    expect_eq "company lookups at the backend" "$(grep -c 'GET /v1/companies' "$dir/sim.log")" 0 || return 1
    expect_eq "invoices" "$(admin GET /v1/admin/invoices | json "['invoices'].__len__()")" 1 # the phone page's seed
}
