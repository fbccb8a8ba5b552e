# fuel_userpaying: confirmed on the phone after a while: paid once, recorded once.
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 9058 || return 1
    check_receipt 1 "$t"
}
