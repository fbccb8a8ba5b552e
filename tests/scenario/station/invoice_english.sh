# invoice_english: the engine-oil sale is invoiced net of its ¥20 coupon, to the email.
check() {
    local t=T0002-20261101-000109
    check_invoice "$t" individual ISSUED 30800 || return 1
    expect_eq "delivery at the backend" "$(invoice_field "$t" delivery)" "l***@126.com" || return 1
    check_private li.wei@126.com
}
