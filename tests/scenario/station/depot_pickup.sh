# depot_pickup: one ticket for PO2611300001, issued once at the backend, recorded once with
# its intent settled, one page whose Code 128 is the ticket number; nobody's ID number or
# name in full anywhere.
setup() {
    depot_site
    id_reader || return 1
    face_camera
    face_show face_far
    on_shot 03-order-zh-portrait id_say "place wang"
    on_shot 04-face-closer-zh-portrait face_show face_ok
}
check() {
    check_ticket PO2611300001 1 || return 1
    expect_eq "the ticket's barcode" "$(receipt_barcode 1)" TK2611300001 || return 1
    check_id_private
}
