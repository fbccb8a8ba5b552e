# depot_permit: 陈美玲's permit read, authorised, one ticket for PO2611300002 (25.5 t).
setup() {
    depot_site
    id_reader || return 1
    face_camera
    id_say "place chen"
    face_show face_ok
}
check() {
    check_ticket PO2611300002 1 || return 1
    expect_eq "the ticket's barcode" "$(receipt_barcode 1)" TK2611300002 || return 1
    check_id_private
}
