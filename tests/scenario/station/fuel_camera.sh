# fuel_camera: a camera scanner on the simulator. When the code screen is up, the phone's
# payment code appears in its frames (30 a second) and stays there for more than 10 s.
# Afterwards: one scan, one payment at the backend, and the code nowhere in the logs.
code=134567890123457777
setup() {
    "$build/tests/sim/codeimg/kiosk-codeimg" qr "$code" "$dir/paycode.png" --size 1280x720 \
        --module 8 --rotate 12 --invert || return 1
    : >"$dir/camera.ctl"
    printf '[scanner.camera]\ndriver = camera\nsource = sim\nsim_control = %s\n' \
        "$dir/camera.ctl" >>"$dir/kiosk.ini"
    on_shot 01-code-camera-zh-portrait sh -c "echo 'show $dir/paycode.png' >>'$dir/camera.ctl'"
}
check() {
    check_sale "$(txn 1)" 33118 || return 1
    expect_eq "backend: payments" "$(admin GET /v1/admin/payments |
        python3 -c "import json,sys; print(len(json.load(sys.stdin)['payments']))")" 1 || return 1
    expect_eq "scans from the camera" "$(grep -c 'scan from scanner.camera' "$out/kiosk.log")" 1 || return 1
    expect_eq "full code in the kiosk log" "$(grep -a -c "$code" "$out/kiosk.log")" 0 || return 1
    expect_eq "full code in the journal files" "$(cat "$dir"/journal.db* | grep -a -c "$code")" 0
}
