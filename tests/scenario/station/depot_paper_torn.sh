# depot_paper_torn: one ticket at the backend; a torn page, then a whole one with the same
# ticket number; the intent settled once the whole page is out.
setup() {
    depot_site
    id_reader || return 1
    face_camera
    id_say "place wang"
    face_show face_ok
    expect_eq "emulator" "$(emu 'paper-out-after 300')" ok || return 1
    on_shot 01-print-failed-zh-portrait emu clear
}
check() {
    ls "$dir"/receipts/*-torn.png >/dev/null 2>&1 || fail "no torn page" || return 1
    check_ticket PO2611300001 2 || return 1
    grep -q "ticket TK2611300001 printing (reprint)" "$out/kiosk.log" || fail "no reprint" || return 1
    check_id_private
}
