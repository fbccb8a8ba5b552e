# member: the journal's record and the receipt carry every discount; the backend took the
# points, earned the new ones and used both coupons, exactly once. Pricing answers slowly
# (300 ms), so the script's taps land only once the busy screen is gone, as a finger's would.
setup() { admin POST /v1/admin/faults '{"route":"/v1/orders","method":"POST","latency_ms":300,"count":0}' >/dev/null; }
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 15416 || return 1
    check_receipt 1 "$t" || return 1
    expect_eq "discount lines" "$(txn_json "$t" '$.discounts')" \
        '[{"kind":"member","label_zh":"会员优惠","label_en":"Member discount","amount_fen":-902},{"kind":"coupon","label_zh":"满200减10","label_en":"¥10 off ¥200","amount_fen":-1000},{"kind":"coupon","label_zh":"立减5元","label_en":"¥5 off","amount_fen":-500},{"kind":"points","label_zh":"积分抵扣","label_en":"Points","amount_fen":-15300}]' || return 1
    expect_eq "member phone on the record" "$(txn_json "$t" '$.member.phone_masked')" "138****8000" || return 1
    # the typed phone number and every scanned code: in no log and not in the journal
    check_private 13800138000 MQR-7F3A91 CPN-5OFF-0001 CPN-NOT-A-COUPON 284567890123456789 ||
        return 1
    expect_eq "points used" "$(txn_json "$t" '$.points_used')" 153 || return 1
    admin GET /v1/admin/members/M001 >"$dir/m.json"
    expect_eq "backend: member points (2380 - 153 + 154)" "$(json "['points']" <"$dir/m.json")" 2381 || return 1
    expect_eq "backend: wallet coupon C100 used" "$(admin GET /v1/admin/coupons/C100 | json "['used']")" 1 || return 1
    expect_eq "backend: paper coupon C900 used" "$(admin GET /v1/admin/coupons/C900 | json "['used']")" 1 || return 1
    expect_eq "backend: coupon C101 untouched" "$(admin GET /v1/admin/coupons/C101 | json "['used']")" 0
}
