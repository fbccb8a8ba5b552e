# depot_wrong_person: 李娜's card on PO2611300001: not authorised, no ticket, no face check.
setup() {
    depot_site
    id_reader || return 1
    face_camera
    id_say "place li"
    on_shot 01-not-authorised-zh-portrait id_say lift
}
check() {
    expect_eq "backend: order" "$(depot_state PO2611300001)" "OPEN 0 0" || return 1
    expect_eq "pages printed" "$(pages)" 0 || return 1
    check_id_private
}
