# depot_issued: still one ticket, no ticket call, nothing printed.
setup() {
    depot_site
    id_reader || return 1
    face_camera
    id_say "place wang"
}
check() {
    expect_eq "backend: PO2611300005" "$(depot_state PO2611300005)" "ISSUED 1 0" || return 1
    expect_eq "pages printed" "$(pages)" 0
}
