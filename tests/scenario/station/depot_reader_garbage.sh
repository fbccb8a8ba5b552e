# depot_reader_garbage: garbage on the reader's line as the card goes on; the kiosk says the
# card could not be read, reads it again and goes on to the face step (one driver check).
setup() {
    depot_site
    id_reader || return 1
    face_camera
    on_shot 01-order-zh-portrait sh -c "printf 'garbage\nplace wang\n' >'$dir/idcard.ctl'"
}
check() {
    grep -q "could not be read" "$out/kiosk.log" || fail "no failed reading logged" || return 1
    expect_eq "backend: order" "$(depot_state PO2611300001)" "OPEN 0 0" || return 1
    check_id_private
}
