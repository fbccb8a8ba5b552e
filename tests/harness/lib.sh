# Sourced by the station tests: station_up NAME starts a station in a box in a fresh temp
# folder ($dir), loads its ports and pids (station.env), stops it and removes the folder at
# exit. Needs $here (this folder) and $build (the build folder) set.
station_up() {
    dir=$(mktemp -d "/tmp/kiosk-$1-XXXXXX")
    chmod 755 "$dir" # CUPS backends run as lp and must reach the spool below it
    trap '"$here/station.sh" stop "$dir"; rm -rf "$dir"' EXIT
    "$here/station.sh" start "$dir" "$build" >/dev/null || exit 1
    . "$dir/station.env"
}

# free_port: a loopback port free when asked (probed: it may be taken before it is bound, so
# whatever binds it checks with port_held).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# port_held PID PORT: PID listens on PORT (TCP).
port_held() { ss -Hltnp "sport = :$2" | grep -q "pid=$1,"; }

# scanner_pty NAME: a serial scanner simulator on a pty, its slave at $dir/NAME.tty, driven
# with scanner_say NAME COMMAND (code TEXT, raw HEX, partial TEXT, long N, unplug, plug);
# stopped with the station (its pid is in $dir/pids).
scanner_pty() {
    mkfifo "$dir/$1.ctl" || return 1
    "$build/tests/sim/scanner/scanner-pty-sim" --link "$dir/$1.tty" --control "$dir/$1.ctl" \
        2>"$dir/$1.log" &
    echo $! >>"$dir/pids"
    local i=0
    until [ -e "$dir/$1.tty" ]; do
        i=$((i + 1))
        [ $i -le 50 ] || { echo "scanner simulator $1 did not start" >&2; return 1; }
        sleep 0.1
    done
}
scanner_say() { printf '%s\n' "$2" >"$dir/$1.ctl"; }

# on_shot NAME COMMAND...: in the background, once the kiosk has taken its screenshot NAME
# (the script's `shot NAME`), runs COMMAND: a device acts at a known point of the journey.
# Gives up after 60 s; stopped with the station.
on_shot() {
    local name=$1
    shift
    (
        i=0
        until grep -q "screenshot .*/$name.png" "$out/kiosk.log" 2>/dev/null; do
            i=$((i + 1))
            [ $i -le 600 ] || exit 1
            sleep 0.1
        done
        "$@"
    ) &
    echo $! >>"$dir/pids"
}

# card_reader: a PC/SC card reader with a virtual fuel card (docs/card.md): a private pcscd
# (in a mount namespace of its own, so it never meets a system pcscd; its socket lands in
# $dir/pcscd) with the vsmartcard vpcd reader on a free port, and tests/sim/card's virtual
# card holder, driven with card_say COMMAND (insert CARD_NO, pull, pull-after N,
# pull-during N apply|drop, garbage N, truncate N, sw N XXXX). Adds [card.reader] to
# kiosk.ini and exports PCSCLITE_CSOCK_NAME for the kiosk. Stopped with the station.
card_reader() {
    local port pid i tries=0
    mkdir -p "$dir/pcscd" "$dir/pcscd.conf" "$dir/cards"
    # vpcd listens on a port probed free; a test starting at the same time may probe the same
    # one, and then one vpcd cannot listen and its pcscd has no reader: pcscd is ready once
    # its socket is there and vpcd's port is its own, else it starts again on another port
    while :; do
        tries=$((tries + 1)) i=0
        port=$(free_port)
        printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:0x%X\nLIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID    0x%X\n' \
            "$port" "$port" >"$dir/pcscd.conf/vpcd"
        rm -f "$dir/pcscd/pcscd.comm"
        unshare -m sh -c "mkdir -p /run/pcscd && mount --bind '$dir/pcscd' /run/pcscd && exec pcscd -f -i -c '$dir/pcscd.conf'" \
            >"$dir/pcscd.log" 2>&1 &
        pid=$!
        until [ -S "$dir/pcscd/pcscd.comm" ] && port_held "$pid" "$port"; do
            i=$((i + 1))
            [ $i -le 100 ] || break
            sleep 0.1
        done
        [ $i -le 100 ] && break
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        [ $tries -lt 3 ] || { echo "pcscd did not start with its reader:" >&2; cat "$dir/pcscd.log" >&2; return 1; }
    done
    echo "$pid" >>"$dir/pids"
    echo "$pid" >"$dir/pcscd.pid"
    export PCSCLITE_CSOCK_NAME="$dir/pcscd/pcscd.comm"
    mkfifo "$dir/card.ctl" || return 1
    "$build/tests/sim/card/fuel-vcard" --fixture "$here/../sim/card/cards.ini" --state "$dir/cards" \
        --port "$port" --control "$dir/card.ctl" --log "$dir/vcard.log" 2>>"$dir/vcard.log" &
    echo $! >>"$dir/pids"
    printf '[card.reader]\ndriver = pcsc\n' >>"$dir/kiosk.ini"
}
card_say() { printf '%s\n' "$1" >"$dir/card.ctl"; }
# card_swap CARD_NO: the card in the reader comes out, and after a second (pcscd polls: a
# quicker swap may go unseen) CARD_NO goes in.
card_swap() { card_say pull; sleep 1; card_say "insert $1"; }
# card_balance CARD_NO: what the virtual card holds on its chip now (fen).
card_balance() { "$build/tests/sim/card/fuel-vcard" --fixture "$here/../sim/card/cards.ini" --state "$dir/cards" --balance "$1"; }

# card_state CARD_NO: "chip account allocation pending loaded flagged" for the card: the
# chip's balance from the virtual card, the rest from the backend's own records (fen, then
# counts of pending, loaded and flagged loads).
card_state() {
    local chip
    chip=$(card_balance "$1" | cut -d' ' -f1)
    admin GET /v1/admin/cards | python3 -c 'import json, sys
no, chip = sys.argv[1], int(sys.argv[2])
c = next(c for c in json.load(sys.stdin)["cards"] if c["card_no"] == no)
pend = sum(l["amount_fen"] for l in c["loads"] if l["state"] == "PENDING")
print(chip, c["account_fen"], c["allocation_fen"], pend,
      sum(1 for l in c["loads"] if l["state"] == "LOADED"), sum(l["flagged"] for l in c["loads"]))' "$1" "$chip"
}

# check_card CARD_NO CHIP ACCOUNT LOADED: what the chip holds, the account and the number of
# loads done are as expected, no load is pending or flagged, no card intent is left open in
# the journal, and each load the backend confirmed is in the journal once.
check_card() {
    local st
    st=$(card_state "$1") || { fail "card $1: no state"; return 1; }
    expect_eq "card $1: chip account allocation pending loaded flagged" "$st" "$2 $3 0 0 $4 0" || return 1
    expect_eq "card $1: open load intents" "$(q "SELECT count(*) FROM intents WHERE kind='card_load' AND state='pending'")" 0 || return 1
    expect_eq "card $1: loads in the journal" "$(q "SELECT count(*) FROM transactions WHERE kind='card_load'")" "$4"
}

# check_card_private CODE...: check_private, and the reader's and the card's logs too.
check_card_private() {
    local code f
    check_private "$@" || return 1
    for code in "$@"; do
        for f in "$dir/vcard.log" "$dir/pcscd.log"; do
            [ -f "$f" ] || continue
            if grep -a -q -F -- "$code" "$f"; then
                fail "privacy: '$code' is in full in $(basename "$f")"
                return 1
            fi
        done
    done
}

# depot_site: the kiosk stands at a depot ([kiosk] site = depot): its home menu offers the
# depot pickup only. The station is 北郊油库 (the backend's depot D01).
depot_site() {
    sed -i 's/^station_name = .*/station_name = 北郊油库 · Beijiao Depot/; s/^terminal_id = T0001$/terminal_id = T0001\nsite = depot/' \
        "$dir/kiosk.ini"
}

# id_reader: a second-generation ID card reader on a pty (tests/sim/idcard: the GA 467 frames,
# the made-up people of identities.ini), its port at $dir/idcard.tty, driven with
# id_say COMMAND (place KEY, lift, lift-during-read, garbage, badsum, truncated, sw3 XX,
# sam-fail, sam-ok, silent, talk, unplug, plug). Adds [idcard.reader] to kiosk.ini. Stopped
# with the station.
id_reader() {
    local i=0
    "$build/tests/sim/idcard/idcard-sim" --link "$dir/idcard.tty" --control "$dir/idcard.ctl" \
        --identities "$here/../sim/idcard/identities.ini" --state "$dir/idcard.state" \
        >"$dir/idcard.out" 2>"$dir/idcard.log" &
    echo $! >>"$dir/pids"
    until grep -q ready "$dir/idcard.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 50 ] || { echo "ID card reader simulator did not start" >&2; return 1; }
        sleep 0.1
    done
    printf '[idcard.reader]\ndriver = serial\ndevice = %s\n' "$dir/idcard.tty" >>"$dir/kiosk.ini"
}
id_say() { printf '%s\n' "$1" >"$dir/idcard.ctl"; }

# face_camera: a camera on the simulator (640x480, 15 frames a second) for the pickup code and
# the face step, showing what face_show NAME puts before it (tests/sim/faces/NAME.png; "blank"
# for nobody). Adds [scanner.camera] to kiosk.ini.
face_camera() {
    : >"$dir/camera.ctl"
    printf '[scanner.camera]\ndriver = camera\nsource = sim\nwidth = 640\nheight = 480\nfps = 15\nsim_control = %s\n' \
        "$dir/camera.ctl" >>"$dir/kiosk.ini"
}
face_show() {
    if [ "$1" = blank ]; then echo blank; else echo "show $here/../sim/faces/$1.png"; fi >>"$dir/camera.ctl"
}

# depot_state ORDER: "status tickets_issued ticket_calls" from the backend's own records.
depot_state() {
    admin GET /v1/admin/depot | python3 -c 'import json, sys
o = next(o for o in json.load(sys.stdin)["orders"] if o["order_id"] == sys.argv[1])
print(o["status"], o["tickets_issued"], o["ticket_calls"])' "$1"
}

# check_ticket ORDER PRINTED: the order's ticket issued once at the backend; the journal has
# its record once and no ticket intent left open; PRINTED tickets of it came out of the
# printer (decoded from the printed pages' Code 128).
check_ticket() {
    local st
    st=$(depot_state "$1") || { fail "depot: no order $1"; return 1; }
    expect_eq "depot $1: status, tickets issued" "$(echo "$st" | cut -d' ' -f1,2)" "ISSUED 1" || return 1
    expect_eq "journal: ticket records of $1" "$(q "SELECT count(*) FROM transactions WHERE txn_no='depot-$1'")" 1 || return 1
    expect_eq "journal: open ticket intents" "$(q "SELECT count(*) FROM intents WHERE kind='depot_ticket' AND state='pending'")" 0 || return 1
    expect_eq "tickets printed" "$(pages)" "$2"
}

# check_id_private: none of the made-up people's ID numbers or names is in full in the
# kiosk's log, the journal, the simulators' logs or the printed pages' text.
check_id_private() {
    local f
    check_private 110105198203154413 810000199007080026 320102197505201233 \
        440106198811023153 310104199302146625 王建国 陈美玲 赵刚 刘洋 李娜 || return 1
    for f in "$dir/idcard.log" "$dir/idcard.state"; do
        [ -f "$f" ] || continue
        if grep -a -q -E '110105198203154413|810000199007080026|320102197505201233|440106198811023153|310104199302146625|王建国|陈美玲|赵刚|刘洋|李娜' "$f"; then
            fail "privacy: an identity is in full in $(basename "$f")"
            return 1
        fi
    done
}

# The crash tests' runs of the kiosk: each plays SCRIPT against $dir/kiosk.ini (screenshots
# in $out) and appends the kiosk's log to $dir/case.log.
# kiosk_play SCRIPT [ENV...]: one run to its end: the kiosk's exit status.
kiosk_play() {
    local script=$1
    shift
    env "$@" "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$script" \
        --out "$out" 2>>"$dir/case.log"
}
# crash_at SCRIPT POINT: with KIOSK_CRASH_AT=POINT (core/crash.h): 0 when it was killed
# (SIGKILL) there; otherwise 1, with its exit status in $crash_rc.
crash_at() {
    { env KIOSK_CRASH_AT="$2" "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" \
        --script "$1" --out "$out" 2>>"$dir/case.log"; } 2>/dev/null
    crash_rc=$?
    [ $crash_rc -eq 137 ] && grep -q "crash point ${2%%#*}" "$dir/case.log"
}
# kill_when SCRIPT PATTERN: killed (SIGKILL) from outside half a second after its log first
# shows PATTERN (a grep pattern): 0; 1 when the pattern did not come within 30 s (the kiosk
# is killed all the same).
kill_when() {
    local i=0 pid
    "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$1" --out "$out" \
        2>"$dir/run.log" &
    pid=$!
    until grep -q "$2" "$dir/run.log" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 300 ] || break
        sleep 0.1
    done
    [ $i -le 300 ] && sleep 0.5
    { kill -KILL $pid; wait $pid; } 2>/dev/null
    cat "$dir/run.log" >>"$dir/case.log"
    [ $i -le 300 ]
}

# admin METHOD PATH [BODY]: the simulator's admin endpoints (its own records).
admin() { curl -s -X "$1" "http://127.0.0.1:$SIM_PORT$2" ${3:+-d "$3"}; }

# q SQL: a query on the kiosk's journal.
q() { sqlite3 "$dir/journal.db" "$1"; }

# fail WHAT...: says what did not hold (and returns 1 for `check || ...`).
fail() { echo "FAILED: $*" >&2; return 1; }

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; }

# json FIELD: reads a top-level field of the JSON on stdin (python3, no jq on a fresh box).
json() { python3 -c 'import json,sys; v=json.load(sys.stdin); print(eval("v"+sys.argv[1]))' "$1"; }

# emu COMMAND: a line to the printer emulator's control port (paper out, ...); prints its answer.
emu() {
    exec 3<>"/dev/tcp/127.0.0.1/$EMU_CONTROL_PORT" || return 1
    printf '%s\n' "$1" >&3
    local answer
    read -r answer <&3
    exec 3>&-
    echo "$answer"
}

# wait_prints: until the emulator has written every page it got (at most 5 s).
wait_prints() {
    local i=0 before=-1 now
    while [ $i -lt 50 ]; do
        now=$(ls "$dir"/receipts 2>/dev/null | wc -l)
        [ "$now" = "$before" ] && [ $i -ge 5 ] && return 0
        before=$now
        sleep 0.1
        i=$((i + 1))
    done
}

# receipt_qr N: the QR code on the printed page N (1 = the first), read back with ZBar.
receipt_qr() {
    local f
    f=$(ls "$dir"/receipts/receipt-*.png 2>/dev/null | sed -n "${1}p")
    [ -n "$f" ] && zbarimg -q --raw -Sdisable -Sqrcode.enable "$f" 2>/dev/null
}

# receipt_barcode N: the Code 128 barcode on page N, read back with ZBar.
receipt_barcode() {
    local f
    f=$(ls "$dir"/receipts/receipt-*.png 2>/dev/null | sed -n "${1}p")
    [ -n "$f" ] && zbarimg -q --raw -Sdisable -Scode128.enable "$f" 2>/dev/null
}

# pages: how many pages the printer emulator put out (torn ones included).
pages() { ls "$dir"/receipts/receipt-*.png 2>/dev/null | wc -l; }

# txn N: the N-th sale in the journal (1 = the first).
txn() { q "SELECT txn_no FROM transactions ORDER BY id LIMIT 1 OFFSET $(($1 - 1))"; }

# txn_json TXN PATH: a field of the sale's journaled record (sqlite's json_extract).
txn_json() { q "SELECT json_extract(payload, '$2') FROM transactions WHERE txn_no = '$1'"; }

# check_no_lock_left: no pump sale is still locked by this kiosk (T0001) at the backend,
# and every lock the kiosk journaled is settled.
check_no_lock_left() {
    local held
    held=$(python3 - "$SIM_PORT" <<'PY'
import json, sys, urllib.request, urllib.error
held = []
for n in range(1001, 1011):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%s/v1/admin/sales/S%d" % (sys.argv[1], n)) as r:
            if json.load(r).get("locked_by") == "T0001":
                held.append("S%d" % n)
    except urllib.error.HTTPError:
        pass  # no such sale
print(" ".join(held))
PY
)
    [ -z "$held" ] || { fail "backend: still locked by T0001: $held"; return 1; }
    expect_eq "journal: locks not settled" "$(q "SELECT count(*) FROM intents WHERE kind='lock' AND state='pending'")" 0
}

# check_private CODE...: none of the codes the scenario used (payment, member and coupon codes,
# phone numbers) is in full in the kiosk's log, the simulator's or the printer emulator's
# log, or the journal.
check_private() {
    local code f
    for code in "$@"; do
        for f in "$out/kiosk.log" "$dir/sim.log" "$dir/emu.log" "$dir"/journal.db*; do
            [ -f "$f" ] || continue
            if grep -a -q -F -- "$code" "$f"; then
                fail "privacy: '$code' is in full in $(basename "$f")"
                return 1
            fi
        done
    done
}

# check_sale TXN AMOUNT: the sale is in the journal once, for AMOUNT fen, its intent settled;
# the backend holds exactly one PAID payment for its order, for the same amount, the order
# is completed, the sale record arrived exactly once, and no payment of it is left open.
check_sale() {
    local t=$1 amount=$2 order otn
    expect_eq "journal: sale $t recorded" "$(q "SELECT count(*) FROM transactions WHERE txn_no='$t'")" 1 || return 1
    expect_eq "journal: amount of $t" "$(q "SELECT amount_fen FROM transactions WHERE txn_no='$t'")" "$amount" || return 1
    expect_eq "journal: total in the record" "$(txn_json "$t" '$.total_fen')" "$amount" || return 1
    expect_eq "journal: open intents" "$(q "SELECT count(*) FROM intents WHERE state='pending'")" 0 || return 1
    expect_eq "journal: outbox pending" "$(q "SELECT count(*) FROM outbox WHERE state<>'sent'")" 0 || return 1
    order=$(txn_json "$t" '$.order_id')
    otn=$(txn_json "$t" '$.out_trade_no')
    expect_eq "journal: the paid intent is $otn" \
        "$(q "SELECT state FROM intents WHERE idem_key='$otn'")" done || return 1
    expect_eq "backend: PAID payments for $order" "$(admin GET /v1/admin/payments |
        python3 -c "import json,sys; print(sum(1 for x in json.load(sys.stdin)['payments'] if x['order_id']=='$order' and x['status']=='PAID'))")" 1 || return 1
    expect_eq "backend: amount paid" "$(admin GET "/v1/admin/payments/$otn" | json "['amount_fen']")" "$amount" || return 1
    expect_eq "backend: order $order" "$(admin GET "/v1/admin/orders/$order" | json "['status']")" COMPLETED || return 1
    expect_eq "backend: sale records for $t" "$(admin GET /v1/admin/journal |
        python3 -c "import json,sys; print(sum(1 for r in json.load(sys.stdin)['records'] if r['record_id']=='$t'))")" 1 || return 1
    check_no_lock_left
}

# check_receipt PAGE TXN: printed page PAGE is the receipt of TXN: its QR reads back as the
# sale's e-invoice link.
check_receipt() {
    local want
    want="https://inv.example/t/$(txn_json "$2" '$.invoice_token')"
    expect_eq "receipt $1: QR" "$(receipt_qr "$1")" "$want"
}

# check_nothing_charged: no sale recorded, no payment left open, none PAID at the backend.
check_nothing_charged() {
    expect_eq "journal: sales" "$(q "SELECT count(*) FROM transactions")" 0 || return 1
    expect_eq "journal: open intents" "$(q "SELECT count(*) FROM intents WHERE state='pending'")" 0 || return 1
    expect_eq "backend: PAID payments" "$(admin GET /v1/admin/payments |
        python3 -c "import json,sys; print(sum(1 for x in json.load(sys.stdin)['payments'] if x['status']=='PAID'))")" 0 || return 1
    check_no_lock_left
}

# invoice_of TXN: the backend's invoice (not red-lettered) that holds sale TXN, as JSON, or
# nothing.
invoice_of() {
    admin GET /v1/admin/invoices | python3 -c 'import json,sys
v=[x for x in json.load(sys.stdin)["invoices"] if sys.argv[1] in x["sales"] and x["status"]!="RED"]
print(json.dumps(v[0]) if v else "")' "$1"
}
# invoice_count TXN: how many invoices, red-lettered ones too, hold sale TXN.
invoice_count() {
    admin GET /v1/admin/invoices | python3 -c 'import json,sys
print(sum(1 for x in json.load(sys.stdin)["invoices"] if sys.argv[1] in x["sales"]))' "$1"
}
# invoice_field TXN FIELD: one field of TXN's invoice.
invoice_field() { invoice_of "$1" | json "['$2']"; }
# check_invoice TXN BUYER_TYPE STATUS TOTAL: TXN is on exactly one live invoice at the backend,
# for that buyer type, in that status, for TOTAL fen ("" = any); an issued one has a 20-digit
# number; the kiosk's journal has no intent left open.
check_invoice() {
    local t=$1 j
    j=$(invoice_of "$t")
    [ -n "$j" ] || { fail "backend: no invoice holds $t"; return 1; }
    expect_eq "backend: live invoices holding $t" "$(admin GET /v1/admin/invoices | python3 -c 'import json,sys
print(sum(1 for x in json.load(sys.stdin)["invoices"] if sys.argv[1] in x["sales"] and x["status"]!="RED"))' "$t")" 1 || return 1
    expect_eq "backend: buyer type of $t's invoice" "$(printf '%s' "$j" | json "['buyer_type']")" "$2" || return 1
    expect_eq "backend: status of $t's invoice" "$(printf '%s' "$j" | json "['status']")" "$3" || return 1
    [ -z "$4" ] || expect_eq "backend: total of $t's invoice" "$(printf '%s' "$j" | json "['total_fen']")" "$4" || return 1
    if [ "$3" = ISSUED ]; then
        printf '%s' "$j" | json "['invoice_no']" | grep -qx '[0-9]\{20\}' ||
            { fail "backend: invoice number of $t: $(printf '%s' "$j" | json "['invoice_no']")"; return 1; }
    fi
    expect_eq "journal: open intents" "$(q "SELECT count(*) FROM intents WHERE state='pending'")" 0
}

# on_log COUNT PATTERN COMMAND...: in the background, once the kiosk's log has COUNT lines
# matching PATTERN (a grep pattern), runs COMMAND: a device or the backend acts at a point
# of the journey that has no screenshot of its own (a screen whose picture changes from run
# to run). Gives up after 60 s; stopped with the station.
on_log() {
    local count=$1 pattern=$2
    shift 2
    (
        i=0
        until [ "$(grep -c -e "$pattern" "$out/kiosk.log" 2>/dev/null)" -ge "$count" ] 2>/dev/null; do
            i=$((i + 1))
            [ $i -le 600 ] || exit 1
            sleep 0.1
        done
        "$@"
    ) &
    echo $! >>"$dir/pids"
}
