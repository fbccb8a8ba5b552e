# invoice_inactivity: nothing was issued, and what was typed is nowhere.
check() {
    expect_eq "invoice for T0002-20261101-000101" "$(invoice_count T0002-20261101-000101)" 0 || return 1
    check_private 1380013 zhao@qq.com
}
