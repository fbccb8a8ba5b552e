# depot_expired_id: 赵刚's card expired on 2025-06-01: refused locally, so the backend never
# heard of it (no driver check), no ticket.
setup() {
    depot_site
    id_reader || return 1
    face_camera
    id_say "place zhao"
}
check() {
    expect_eq "backend: order" "$(depot_state PO2611300003)" "OPEN 0 0" || return 1
    expect_eq "backend: driver checks" "$(admin GET /v1/admin/depot | python3 -c 'import json,sys; print(next(o for o in json.load(sys.stdin)["orders"] if o["order_id"]=="PO2611300003")["driver_checks"])')" 0 || return 1
    check_id_private
}
