# fuel_serial_scanner: the kiosk reads payment codes from a serial imager on a pty. When the
# code screen is up, the imager sends line noise (refused whole: a notice, nothing sent to
# the backend), then a WeChat code, which pays. Afterwards the backend holds exactly one
# payment, and neither the kiosk's log nor the simulator's holds the code.
code=134567890123454321
setup() {
    scanner_pty pump || return 1
    printf '[scanner.pump]\ndriver = serial\ndevice = %s\nsuffix = cr\n' "$dir/pump.tty" \
        >>"$dir/kiosk.ini"
    on_shot 01-code-zh-portrait scanner_say pump "raw 3133fe0207ff3435360d"
    on_shot 02-noise-refused-zh-portrait scanner_say pump "code $code"
}
check() {
    local t
    t=$(txn 1)
    check_sale "$t" 33118 || return 1
    expect_eq "backend: payments" "$(admin GET /v1/admin/payments |
        python3 -c "import json,sys; print(len(json.load(sys.stdin)['payments']))")" 1 || return 1
    expect_eq "scan source in the log" "$(grep -c 'scan from scanner.pump: payment code' "$out/kiosk.log")" 1 || return 1
    expect_eq "noise refused in the log" "$(grep -c 'scan from scanner.pump refused' "$out/kiosk.log")" 1 || return 1
    expect_eq "full code in the kiosk log" "$(grep -a -c "$code" "$out/kiosk.log")" 0 || return 1
    expect_eq "full code in the simulator's log" "$(grep -a -c "$code" "$dir/pump.log")" 0 || return 1
    expect_eq "full code in the journal files" "$(cat "$dir"/journal.db* | grep -a -c "$code")" 0
}
