# depot_face_no_match: three face checks, each NO_MATCH; no ticket; no frame kept.
setup() {
    depot_site
    id_reader || return 1
    face_camera
    id_say "place liu"
    face_show face_ok
}
check() {
    local o
    o=$(admin GET /v1/admin/depot | python3 -c 'import json,sys; o=next(o for o in json.load(sys.stdin)["orders"] if o["order_id"]=="PO2611300004"); print(o["status"], o["face_checks"], o["face_matches"], o["tickets_issued"])')
    expect_eq "backend: status, face checks, matches, tickets" "$o" "OPEN 3 0 0" || return 1
    expect_eq "pages printed" "$(pages)" 0 || return 1
    check_id_private
}
