# card_reader_down: the private pcscd is stopped on the home menu: the kiosk's log says the
# card reader is out of service, and its heartbeat tells the backend.
stop_pcscd() { kill "$(cat "$dir/pcscd.pid")"; }
setup() {
    card_reader || return 1
    on_shot 01-home-zh-portrait stop_pcscd
}
check() {
    grep -q 'card.reader: out of service' "$out/kiosk.log" || fail "the reader was never out of service"
}
