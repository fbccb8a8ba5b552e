# depot_card_lifted: the card taken off halfway through the read answer, then put back.
setup() {
    depot_site
    id_reader || return 1
    face_camera
    id_say lift-during-read
    id_say "place wang"
    on_shot 01-lifted-zh-portrait id_say "place wang"
}
check() {
    grep -q "could not be read" "$out/kiosk.log" || fail "no failed reading logged" || return 1
    check_id_private
}
