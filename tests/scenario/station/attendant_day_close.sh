# attendant_day_close: one day closed over the one closed shift (rolled up into it), its
# record uploaded once and saying the shifts add up; the printed day report's QR holds the
# day's figures as the journal stored them.
check() {
    local t qr want a
    a="json_extract(body,'\$.action')"
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    expect_eq "days" "$(q "SELECT id || ',' || attendant || ',' || record_id FROM days")" "1,1001,T0001-D000001" || return 1
    expect_eq "shifts: id/day" "$(q "SELECT group_concat(id || '/' || ifnull(day_id, '-'), ' ') FROM (SELECT * FROM shifts ORDER BY id)")" "1/1 2/-" || return 1
    expect_eq "day record: shifts, add up" "$(q "SELECT json_extract(body,'\$.shifts') || ',' || json_extract(body,'\$.shifts_add_up') || ',' || json_extract(body,'\$.kind') FROM outbox WHERE kind='day_report' AND record_id='T0001-D000001'")" "1,1,day" || return 1
    expect_eq "day totals = shift 1's" "$(q "SELECT (SELECT json_extract(totals,'\$.net_fen') FROM days WHERE id=1) || ',' || json_extract(totals,'\$.net_fen') FROM shifts WHERE id=1")" "33118,33118" || return 1
    expect_eq "backend: day reports" "$(admin GET /v1/admin/journal | python3 -c 'import json,sys; print(" ".join(r["record_id"] for r in json.load(sys.stdin)["records"] if r["kind"]=="day_report"))')" T0001-D000001 || return 1
    expect_eq "audit: day close" "$(q "SELECT json_extract(body,'\$.staff_no') || ',' || json_extract(body,'\$.detail') FROM outbox WHERE kind='audit' AND $a='day_close'")" "1001,T0001-D000001" || return 1
    expect_eq "pages (receipt, shift report, day report)" "$(pages)" 3 || return 1
    want=$(q "SELECT record_id || ';sales=' || json_extract(totals,'\$.sales') || ',' || json_extract(totals,'\$.sales_fen') || ';refunds=' || json_extract(totals,'\$.refunds') || ',' || json_extract(totals,'\$.refunds_fen') || ';net=' || json_extract(totals,'\$.net_fen') FROM days WHERE id=1")
    expect_eq "day report's QR = the journal's day" "$(receipt_qr 3)" "$want" || return 1
    expect_eq "day report's QR" "$(receipt_qr 3)" "T0001-D000001;sales=1,33118;refunds=0,0;net=33118" || return 1
    check_private 246810 134567890123451234
}
