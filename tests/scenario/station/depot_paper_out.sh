# depot_paper_out: face matched, printer out of paper: no ticket at the backend, no intent.
setup() {
    depot_site
    id_reader || return 1
    face_camera
    id_say "place wang"
    on_shot 01-order-zh-portrait emu 'paper out'
    on_shot 01-order-zh-portrait face_show face_ok
}
check() {
    expect_eq "backend: order" "$(depot_state PO2611300001 | cut -d' ' -f1,2)" "OPEN 0" || return 1
    expect_eq "journal: ticket intents" "$(q "SELECT count(*) FROM intents WHERE kind='depot_ticket'")" 0 || return 1
    check_id_private
}
