# shop: goods only, no fuel sale on the record; the items are on it, priced by the backend.
# The payment code typed by the keyboard-mode scanner is nowhere in the log or the journal.
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 850 || return 1
    check_receipt 1 "$t" || return 1
    expect_eq "no fuel on the record" "$(txn_json "$t" '$.fuel')" "" || return 1
    expect_eq "items" "$(txn_json "$t" '$.items[0].qty'),$(txn_json "$t" '$.items[1].barcode')" "2,6920000010370" || return 1
    check_private 2845678901234567
}
