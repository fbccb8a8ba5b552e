# attendant_shift_close: the sale belongs to shift 1; the close writes it closed with its
# totals once, opens shift 2, uploads one shift report whose totals match the journal's, and
# the PIN is nowhere.
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    expect_eq "the sale's shift" "$(q "SELECT shift_id FROM transactions WHERE txn_no='$t'")" 1 || return 1
    expect_eq "shifts closed" "$(q 'SELECT count(*) FROM shifts WHERE closed_ms IS NOT NULL')" 1 || return 1
    expect_eq "shift open now" "$(q 'SELECT id || attendant FROM shifts WHERE closed_ms IS NULL')" 21001 || return 1
    expect_eq "stored sales" "$(q "SELECT json_extract(totals, '\$.sales_fen') FROM shifts WHERE id=1")" 33118 || return 1
    expect_eq "shift close settled" "$(q "SELECT state FROM intents WHERE kind='shift_close'")" done || return 1
    expect_eq "shift reports uploaded" "$(admin GET /v1/admin/journal | python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin)["records"] if r["kind"]=="shift_report"))')" 1 || return 1
    expect_eq "audit lines uploaded" "$(admin GET /v1/admin/journal | python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin)["records"] if r["kind"]=="audit"))')" 3 || return 1
    expect_eq "pages printed (receipt, shift report)" "$(pages)" 2 || return 1
    check_private 246810 134567890123451234
}
