# depot_code_refused: nothing issued for any of them.
setup() {
    depot_site
    id_reader || return 1
    face_camera
}
check() {
    expect_eq "backend: PO2611300006" "$(depot_state PO2611300006 | cut -d' ' -f1,3)" "USED 0" || return 1
    expect_eq "pages printed" "$(pages)" 0
}
