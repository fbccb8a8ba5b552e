# scanner_unplugged: the serial imager is unplugged on the code screen and plugged in again
# on the home menu; then the customer pays with it. The backend sees one payment, and the
# kiosk's heartbeats told it the scanners were down, then working again.
# On the home menu without a scanner: what the backend heard, then the imager plugged in.
home_without_scanner() {
    admin GET /v1/admin/terminals/T0001 >"$dir/status-unplugged.json"
    scanner_say pump plug
}
setup() {
    scanner_pty pump || return 1
    printf '[scanner.pump]\ndriver = serial\ndevice = %s\n' "$dir/pump.tty" >>"$dir/kiosk.ini"
    on_shot 01-code-zh-portrait scanner_say pump unplug
    on_shot 04-home-no-scanner-zh-portrait home_without_scanner
    on_shot 05-code-back-zh-portrait scanner_say pump "code 134567890123451111"
}
check() {
    check_sale "$(txn 1)" 33118 || return 1
    grep -q 'scanner.pump: out of service' "$out/kiosk.log" || fail "the scanner was never out of service" || return 1
    expect_eq "it worked, then again after the replug" "$(grep -c 'scanner.pump: working' "$out/kiosk.log")" 2 || return 1
    expect_eq "backend: the kiosk's scanners while unplugged" \
        "$(json "['status']['scanners']" <"$dir/status-unplugged.json")" down || return 1
    expect_eq "backend: the kiosk's scanners, as its last heartbeat said" \
        "$(admin GET /v1/admin/terminals/T0001 | json "['status']['scanners']")" ok
}
