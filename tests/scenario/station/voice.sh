# voice: the prompts said, in order, as the kiosk's log has them (headless, on SDL's dummy
# audio driver); none while the customer had sound off.
check() {
    local said
    grep -q "\[voice\] sound on dummy" "$out/kiosk.log" || fail "no sound on the dummy driver" || return 1
    said=$(sed -n 's/.*\[voice\] say \(.*\)$/\1/p' "$out/kiosk.log" | tr '\n' ' ')
    expect_eq "prompts said" "$said" "choose_service (zh_CN) pick_pump (zh_CN) pick_sale (zh_CN) pick_sale (en_US) check_bill (en_US) show_code (en_US) paid_take_receipt (en_US) choose_service (zh_CN) choose_service (zh_CN) "
}
