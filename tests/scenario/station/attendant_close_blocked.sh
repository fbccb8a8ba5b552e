# attendant_close_blocked: shift 1 closed with the settling payment carried over (1 item,
# approved by 2001: in its report record, its audit line and the
# station system's logins); shift 2 closed
# once it settled (nothing carried). Each report printed and uploaded once, its QR the
# journal's figures; the cancelled payment ended CLOSED, the sale paid once.
setup() {
    # cancels are refused until the second close lists the payment
    admin POST /v1/admin/faults '{"route":"/v1/payments/T0001","method":"POST","status":503,"count":0}' >/dev/null
    on_log 2 'working -> unfinished' clear_faults
}
clear_faults() { admin DELETE /v1/admin/faults >/dev/null; }
report() { # report REF FIELD: a field of the shift report record the kiosk journaled
    q "SELECT json_extract(body, '\$.$2') FROM outbox WHERE kind='shift_report' AND record_id='$1'"
}
check() {
    local t otn a
    a="json_extract(body,'\$.action')"
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    otn=$(q "SELECT idem_key FROM intents WHERE kind='payment' AND state='failed'")
    expect_eq "backend: the cancelled payment" "$(admin GET "/v1/admin/payments/$otn" | json "['status']")" CLOSED || return 1
    expect_eq "shifts: closed, open" "$(q "SELECT count(closed_ms) || ',' || (SELECT id FROM shifts WHERE closed_ms IS NULL) FROM shifts")" "2,3" || return 1
    expect_eq "shift 1: carried, approver" "$(report T0001-S000001 carried_over),$(report T0001-S000001 approver)" "1,2001" || return 1
    expect_eq "shift 2: carried, approver" "$(report T0001-S000002 carried_over),$(report T0001-S000002 approver)" "0," || return 1
    expect_eq "shift 1 stored sales" "$(q "SELECT json_extract(totals, '\$.sales') || ',' || json_extract(totals, '\$.sales_fen') FROM shifts WHERE id=1")" 1,33118 || return 1
    expect_eq "backend: shift 1's carried count" "$(sqlite3 "$dir/backend.db" "SELECT json_extract(body, '\$.carried_over') FROM journal WHERE record_id='T0001-S000001'")" 1 || return 1
    expect_eq "backend: shift reports" "$(admin GET /v1/admin/journal | python3 -c 'import json,sys; print(" ".join(r["record_id"] for r in json.load(sys.stdin)["records"] if r["kind"]=="shift_report"))')" "T0001-S000001 T0001-S000002" || return 1
    expect_eq "audit: shift closes (approver)" "$(q "SELECT group_concat(json_extract(body,'\$.detail') || '/' || json_extract(body,'\$.approver'), ' ') FROM outbox WHERE kind='audit' AND $a='shift_close'")" "T0001-S000001/2001 T0001-S000002/" || return 1
    expect_eq "audit: approval" "$(q "SELECT json_extract(body,'\$.staff_no') || '/' || json_extract(body,'\$.approver') FROM outbox WHERE kind='audit' AND $a='approval'")" "1001/2001" || return 1
    expect_eq "backend: logins" "$(admin GET /v1/admin/staff | python3 -c 'import json,sys
print(" ".join("%s/%s/%s" % (l["staff_no"], l["purpose"], l["ok"]) for l in json.load(sys.stdin)["logins"]))')" "1001/login/1 2001/approval/1" || return 1
    expect_eq "pages (receipt, 2 reports)" "$(pages)" 3 || return 1
    expect_eq "report 1's QR" "$(receipt_qr 2)" "T0001-S000001;sales=1,33118;refunds=0,0;net=33118" || return 1
    expect_eq "report 2's QR" "$(receipt_qr 3)" "T0001-S000002;sales=0,0;refunds=0,0;net=0" || return 1
    expect_eq "the second close went on by itself" "$(grep -c 'unfinished -> summary' "$out/kiosk.log")" 1 || return 1
    check_private 246810 135790 134567890123451234 134567890123459992
}
