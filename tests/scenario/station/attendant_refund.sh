# attendant_refund: the sale (¥6.50) paid once; one refund of its second line (¥4.50) made
# at the station system once, approved by 2001, recorded once in the journal as a 'refund'
# of the sale and printed; the shift report (QR) counts it and nets it off; the refund's
# audit line names the approver; the PINs and the payment code are nowhere.
check() {
    local t r a
    a="json_extract(body,'\$.action')"
    t=$(txn 1)
    r="$t-R1"
    check_sale "$t" 650 || return 1
    expect_eq "journal: the refund" "$(q "SELECT txn_no || ',' || amount_fen || ',' || json_extract(payload,'\$.refund_of') || ',' || json_extract(payload,'\$.approver') || ',' || json_extract(payload,'\$.whole') FROM transactions WHERE kind='refund'")" "$r,450,$t,2001,0" || return 1
    expect_eq "journal: refunded line" "$(q "SELECT json_extract(payload,'\$.lines[0].barcode') || ',' || json_array_length(payload,'\$.lines') FROM transactions WHERE kind='refund'")" "6920000010370,1" || return 1
    expect_eq "journal: the refund's intent" "$(q "SELECT state FROM intents WHERE kind='refund' AND idem_key='$r'")" done || return 1
    expect_eq "backend: refunds" "$(admin GET /v1/admin/staff | python3 -c 'import json,sys
print(" ".join("%s/%s/%s/%s/%s/%s" % (x["refund_no"], x["txn_no"], x["amount_fen"], x["whole"], x["attendant"], x["approver"]) for x in json.load(sys.stdin)["refunds"]))')" "$r/$t/450/0/1001/2001" || return 1
    expect_eq "backend: refund records" "$(admin GET /v1/admin/journal | python3 -c 'import json,sys
print(sum(1 for x in json.load(sys.stdin)["records"] if x["kind"]=="refund"))')" 1 || return 1
    expect_eq "audit: refund" "$(q "SELECT json_extract(body,'\$.staff_no') || ',' || json_extract(body,'\$.approver') || ',' || json_extract(body,'\$.detail') FROM outbox WHERE kind='audit' AND $a='refund'")" "1001,2001,$r" || return 1
    expect_eq "audit: approval" "$(q "SELECT json_extract(body,'\$.staff_no') || ',' || json_extract(body,'\$.approver') FROM outbox WHERE kind='audit' AND $a='approval'")" "1001,2001" || return 1
    expect_eq "pages (receipt, refund slip, shift report)" "$(pages)" 3 || return 1
    check_receipt 1 "$t" || return 1
    expect_eq "shift report's QR" "$(receipt_qr 3)" "T0001-S000001;sales=1,650;refunds=1,450;net=200" || return 1
    expect_eq "shift 1 stored" "$(q "SELECT json_extract(totals,'\$.refunds') || ',' || json_extract(totals,'\$.refunds_fen') || ',' || json_extract(totals,'\$.net_fen') FROM shifts WHERE id=1")" "1,450,200" || return 1
    check_private 246810 135790 2845678901234567
}
