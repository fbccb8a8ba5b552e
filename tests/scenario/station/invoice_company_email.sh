# invoice_company_email: one invoice for T0002-20261101-000101 (30 L of 92# at ¥7.34), for
# the company with its tax ID (address and bank account on it), sent to the email (masked at the
# backend); the email is nowhere in full.
check() {
    local t=T0002-20261101-000101
    check_invoice "$t" organization ISSUED 22020 || return 1
    expect_eq "tax ID" "$(invoice_field "$t" tax_id)" 91110105MA01B6F42H || return 1
    expect_eq "buyer" "$(invoice_field "$t" buyer_name)" 北京京华运输有限公司 || return 1
    expect_eq "delivery at the backend" "$(invoice_field "$t" delivery)" "f***@163.com" || return 1
    check_private fleet@163.com
}
