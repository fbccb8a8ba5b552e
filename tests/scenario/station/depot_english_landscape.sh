# depot_english_landscape: the code typed, the face off the oval first, then in it; one ticket.
setup() {
    depot_site
    id_reader || return 1
    face_camera
    face_show face_off
    on_shot 03-order-en-landscape id_say "place wang"
    on_shot 04-face-centre-en-landscape face_show face_ok
}
check() {
    check_ticket PO2611300001 1 || return 1
    check_id_private
}
