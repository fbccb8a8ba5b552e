# invoice_backend_down: every issue attempt was processed but its answer dropped; the
# background asked the request's status and recorded the invoice once.
setup() {
    admin POST /v1/admin/faults '{"route":"/v1/invoices","method":"POST","drop_after_processing":true,"count":10}' >/dev/null
    printf '[invoice]\nstatus_retry_s = 1\n' >>"$dir/kiosk.ini"
}
check() {
    local t=T0002-20261101-000101
    check_invoice "$t" individual ISSUED 22020 || return 1
    expect_eq "journal: invoices" "$(q "SELECT count(*) FROM transactions WHERE kind='invoice'")" 1 || return 1
    expect_eq "journal: open intents" "$(q "SELECT count(*) FROM intents WHERE state='pending'")" 0 || return 1
    check_private 13800138000
}
