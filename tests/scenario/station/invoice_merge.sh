# invoice_merge: one invoice holds the three sales (in the order of the list on screen), for
# their total; the other station's sale is on none; the phone and the scanned QR's token are
# nowhere in full.
check() {
    # 30 L and 25 L of 92# at ¥7.34, two waters, ¥5 member discount; 40 L less 50 points
    check_invoice T0002-20261101-000101 individual ISSUED $((22020 + 18250 + 24360)) || return 1
    expect_eq "sales on the invoice" "$(invoice_field T0002-20261101-000101 sales)" \
        "['T0002-20261101-000101', 'T0002-20261101-000103', 'T0002-20261101-000102']" || return 1
    check_private 13800138000 2fhCdXcdUruyjkFN888JfjSa
}
