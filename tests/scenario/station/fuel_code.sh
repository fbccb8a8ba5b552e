# fuel_code: the release slip is on; after the run the journal, the three printed pages
# (receipt, release slip, receipt copy) and the backend's records agree.
setup() { printf '[receipt]\nrelease_slip = true\n' >>"$dir/kiosk.ini"; }
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    expect_eq "pages printed" "$(pages)" 3 || return 1
    check_receipt 1 "$t" || return 1
    expect_eq "release slip barcode" "$(receipt_barcode 2)" "${t//-/}" || return 1
    check_receipt 3 "$t" || return 1
    expect_eq "receipt state" "$(q "SELECT print_state FROM transactions WHERE txn_no='$t'")" printed || return 1
    expect_eq "masked code in the journal" "$(txn_json "$t" '$.payment.code_masked')" "1345**********1234" || return 1
    expect_eq "full code in the journal files" "$(cat "$dir"/journal.db* | grep -a -c 134567890123451234)" 0 || return 1
    expect_eq "full code in the kiosk log" "$(grep -a -c 134567890123451234 "$out/kiosk.log")" 0 || return 1
    expect_eq "backend: sale S1001" "$(admin GET /v1/admin/sales/S1001 | json "['status']")" paid
}
