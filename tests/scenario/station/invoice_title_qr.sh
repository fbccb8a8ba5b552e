# invoice_title_qr: the title QR's company is on the invoice of T0002-20261101-000102 (25 L
# of 92#, two bottles of water, a ¥5 member discount line); the phone and the receipt QR's
# token (a bearer secret) are nowhere in full.
check() {
    local t=T0002-20261101-000102
    check_invoice "$t" organization ISSUED 18250 || return 1
    expect_eq "tax ID from the title QR" "$(invoice_field "$t" tax_id)" 91110105MA01B6F42H || return 1
    check_private 13912345678 zbJBgJanW5gTy9snwx4bm3sD
}
