# fuel_midflow: the customer walked away: no money moved and the sale is free again.
check() {
    check_nothing_charged || return 1
    expect_eq "backend: sale S1005 lock" "$(admin GET /v1/admin/sales/S1005 | json "['locked_by']")" "" || return 1
    expect_eq "backend: sale S1005" "$(admin GET /v1/admin/sales/S1005 | json "['status']")" unpaid || return 1
    # released once, not twice (issue 8, finding 14)
    expect_eq "unlocks sent" "$(grep -a -c "POST /v1/sales/S1005/unlock ->" "$out/kiosk.log")" 1
}
