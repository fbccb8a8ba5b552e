# depot_face_busy: the face check busy 4 times (the client's attempts), then matched; one
# ticket.
setup() {
    depot_site
    id_reader || return 1
    face_camera
    id_say "place wang"
    face_show face_ok
    admin POST /v1/admin/depot/face '{"busy":4}' >/dev/null
}
check() {
    check_ticket PO2611300001 1 || return 1
    check_id_private
}
