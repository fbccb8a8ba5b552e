# invoice_stock: no invoice for T0002-20261101-000106; the intent ended as failed with the
# backend's reason.
setup() { admin POST /v1/admin/invoices/settings '{"stock_ml":{"95#":0}}' >/dev/null; }
check() {
    expect_eq "invoice for T0002-20261101-000106" "$(invoice_count T0002-20261101-000106)" 0 || return 1
    expect_eq "journal: the intent" "$(q "SELECT i.state || ' ' || o.result FROM intents i JOIN outcomes o ON o.intent_id = i.id WHERE i.kind='invoice'")" \
        "failed REFINED_OIL_STOCK" || return 1
    check_private 13800138000
}
