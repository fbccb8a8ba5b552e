# attendant_shift_mixed: shift 1 holds a card recharge and its load, a member's pump sale
# with its e-invoice and a shop sale. Its close is checked three ways: the journal's
# transactions, the station system's own records (payments by channel, the invoice, the
# card load) and the printed report's QR all give the same figures, and the report record
# the station system got carries the totals the journal stored.
setup() {
    card_reader || return 1
    on_shot 00-attract card_say "insert 1000113300002001"
}
check() {
    local want
    expect_eq "shifts closed" "$(q 'SELECT count(*) FROM shifts WHERE closed_ms IS NOT NULL')" 1 || return 1
    expect_eq "every transaction in shift 1" "$(q 'SELECT count(*) FROM transactions WHERE shift_id <> 1')" 0 || return 1
    expect_eq "kinds" "$(q "SELECT group_concat(kind, ' ') FROM (SELECT kind FROM transactions WHERE shift_id=1 ORDER BY id)")" \
        "sale card_load sale invoice sale" || return 1
    # the journal's transactions, summed here, against the totals the close stored
    want=$(q "SELECT count(*) || ',' || sum(amount_fen) FROM transactions WHERE shift_id=1 AND kind='sale'")
    expect_eq "sales (journal)" "$want" "3,51866" || return 1
    expect_eq "sales (stored)" "$(q "SELECT json_extract(totals,'\$.sales') || ',' || json_extract(totals,'\$.sales_fen') FROM shifts WHERE id=1")" "$want" || return 1
    # the station system's payments: paid ones by channel, as the totals break them down
    admin GET /v1/admin/payments >"$dir/payments.json"
    q "SELECT totals FROM shifts WHERE id=1" >"$dir/totals.json"
    python3 - "$dir/payments.json" "$dir/totals.json" <<'PY' || { fail "totals against the station system"; return 1; }
import json, sys
paid = [p for p in json.load(open(sys.argv[1]))["payments"] if p["status"] == "PAID"]
t = json.load(open(sys.argv[2]))
by = {}
for p in paid:
    c = by.setdefault(p["channel"], [0, 0])
    c[0] += 1
    c[1] += p["amount_fen"]
mine = {r["key"]: [r["count"], r["amount_fen"]] for r in t["by_method"]}
checks = [
    ("paid payments", [len(paid), sum(p["amount_fen"] for p in paid)], [t["sales"], t["sales_fen"]]),
    ("by method", by, mine),
    ("grades", [[r["key"], r["count"], r["volume_ml"], r["amount_fen"]] for r in t["by_grade"]],
     [["92#", 1, 45120, 33118]]),
    ("shop goods", [t["shop_items"], t["shop_fen"]], [2, 650]),
    ("discounts", sorted([r["key"], r["count"], r["amount_fen"]] for r in t["discounts"]),
     [["coupon", 1, 1000], ["member", 1, 902]]),
    ("coupons", [t["coupons"], t["coupons_fen"]], [1, 1000]),
    ("recharges, loads", [t["recharges"], t["recharges_fen"], t["loads"], t["loads_fen"]],
     [1, 20000, 1, 20000]),
    ("invoices", [t["invoices"], t["invoices_fen"]], [1, 31216]),
    ("refunds, net", [t["refunds"], t["refunds_fen"], t["net_fen"]], [0, 0, 51866]),
    ("not printed, unreadable", [t["print_failed"], t["unreadable"]], [0, 0]),
]
bad = [(n, a, b) for n, a, b in checks if a != b]
for n, a, b in bad:
    print("FAILED: %s: %r != %r" % (n, a, b), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
    expect_eq "backend: channels" "$(json "['payments'][0]['channel'] + ',' + v['payments'][1]['channel'] + ',' + v['payments'][2]['channel']" <"$dir/payments.json")" "wechat,alipay,wechat" || return 1
    expect_eq "backend: this kiosk's invoices" "$(admin GET /v1/admin/invoices | python3 -c 'import json,sys; v=[i for i in json.load(sys.stdin)["invoices"] if i["terminal"] == "T0001"]; print(len(v), sum(i["total_fen"] for i in v))')" "1 31216" || return 1
    expect_eq "backend: the invoice holds the pump sale" "$(invoice_field "$(txn 3)" total_fen)" 31216 || return 1
    expect_eq "backend: member points (2380 + earned - used)" "$(admin GET /v1/admin/members/M001 | json "['points']")" \
        "$(q "SELECT 2380 + json_extract(totals,'\$.points_earned') - json_extract(totals,'\$.points_used') FROM shifts WHERE id=1")" || return 1
    check_card 1000113300002001 28800 0 1 || return 1
    # the printed report: its QR reads back the journal's figures
    expect_eq "pages (card receipt, load, fuel receipt, shop receipt, report)" "$(pages)" 5 || return 1
    expect_eq "report's QR" "$(receipt_qr 5)" "T0001-S000001;sales=$(echo "$want" | tr -d '\n');refunds=0,0;net=51866" || return 1
    # the report the station system got, once, with the totals the journal stored
    expect_eq "backend: shift reports" "$(sqlite3 "$dir/backend.db" "SELECT group_concat(record_id) FROM journal WHERE kind='shift_report'")" T0001-S000001 || return 1
    sqlite3 "$dir/backend.db" "SELECT json_extract(body, '\$.totals') FROM journal WHERE record_id='T0001-S000001'" >"$dir/uploaded.json"
    python3 - "$dir/uploaded.json" "$dir/totals.json" <<'PY' || { fail "the uploaded report"; return 1; }
import json, sys
got = json.load(open(sys.argv[1]))
stored = json.load(open(sys.argv[2]))
got.pop("outbox_pending", None)
stored.pop("outbox_pending", None)
if got != stored:
    sys.exit("FAILED: the uploaded totals differ from the stored ones")
PY
    check_card_private 134567890123451234 284567890123456789 134567890123455678 13900139000 123456
}
