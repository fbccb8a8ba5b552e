#!/bin/bash
# random_kill.sh BUILD [ITERATIONS] [SEED]: an operator's power cut. crash_recovery.sh kills
# the kiosk at named crash points; here it is SIGKILLed at a uniformly random instant of a
# payment, from start-up to a little after the receipt. Each iteration, on a fresh backend
# and journal, plays one kind of payment (a code that pays at once, one the customer confirms
# on the phone, a WeChat QR, a declined code, a slow backend, a lost answer, a member, shop
# goods only), kills it after a delay drawn from [0, D] (D per kind), notes the state it died
# in (the last "[checkout] A -> B" of its log), starts it once more to recover and checks the
# simulator's own records and the journal:
#  - never two PAID payments for one order;
#  - every PAID payment has its sale in the journal, its order completed, its pump sale paid
#    by it, and its sale record uploaded to the backend's journal exactly once;
#  - every journaled sale was paid (its out_trade_no is PAID at the backend), and no pump
#    sale is marked paid by a payment that is not PAID;
#  - no pump-sale lock left, no intent left pending; the journal passes integrity_check.
# ITERATIONS defaults to 50, SEED to 20261129: all the randomness (the order of the kinds and
# the delays) comes from SEED, so a failing iteration is played again with the same SEED
# (timing on the machine still decides where in the flow a given delay lands). `cmake
# --build build --target soak` runs 1000 iterations. At the end it prints how many kills
# landed in each state and how many iterations each kind had.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
iterations=${2:-50}
seed=${3:-20261129}
. "$here/lib.sh"
station_up rkill
CODE_OK=134567890123451234

# D (ms) per kind: the longest kill delay. Measured here from the kiosk's launch, unloaded
# machine: start-up (the "[app] started" line) ~0.2 s, the flow begins ~0.4 s; the receipt is
# printed at ~0.9 s (code, shop), ~1.0 s (lost answer), ~1.2 s (member), ~2.5 s (slow backend:
# the payment answers after 1.5 s), ~5.0 s (QR: paid by the simulator 4 s after it is made),
# ~10.9 s (confirmed on the phone 10 s after the scan); declined: on the failure screen at
# ~0.55 s. D is that plus ~0.3 s, so the kill lands anywhere from start-up to just after.
declare -A longest=([code]=1200 [userpaying]=11500 [qr]=5500 [declined]=900 [slow]=3000
    [lost]=1300 [member]=1500 [shop]=1200)
kinds="code userpaying qr declined slow lost member shop"

# to_bill: from attract to pump 1's bill
to_bill() {
    printf '%s\n' "wait attract" "tap attract.start" "wait home" "available home.fuel" \
        "tap home.fuel" "wait pumps 5s" "tap pump.1" "wait review 5s"
}

# play_script KIND: the customer's part of KIND, then a long pause (the kiosk is killed in it)
play_script() {
    case $1 in
    code | slow | lost) to_bill; echo "scan $CODE_OK" ;;
    userpaying) to_bill; echo "scan 134567890123459991" ;;
    qr) to_bill; echo "tap pay.qr.wechat" ;;
    declined) to_bill; echo "scan 134567890123459993" ;;
    member) to_bill; printf '%s\n' "scan MQR-7F3A91" "await review.member 张" "scan $CODE_OK" ;;
    shop)
        printf '%s\n' "wait attract" "tap attract.start" "wait home" "available home.shop" \
            "tap home.shop" "wait review 5s" "scan 6920000010004" "await review.total ¥2.00" \
            "scan $CODE_OK"
        ;;
    esac
    echo "pause 60s"
}

# setup KIND: the backend's fault for KIND
setup() {
    case $1 in
    slow) admin POST /v1/admin/faults '{"route":"/v1/payments","method":"POST","latency_ms":1500,"count":1}' >/dev/null ;;
    lost) admin POST /v1/admin/faults '{"route":"/v1/payments","method":"POST","drop_after_processing":true,"count":1}' >/dev/null ;;
    esac
}

# the plan: one line "KIND DELAY_MS" per iteration; the kinds come in shuffled rounds of
# eight, so every kind is played (from 8 iterations on) about as often as the others
plan=$(python3 - "$seed" "$iterations" $(for k in $kinds; do echo "$k:${longest[$k]}"; done) <<'PY'
import random, sys
r = random.Random(int(sys.argv[1]))
n = int(sys.argv[2])
longest = dict((k, int(d)) for k, d in (a.split(":") for a in sys.argv[3:]))
order = []
while len(order) < n:
    block = sorted(longest)
    r.shuffle(block)
    order += block
for k in order[:n]:
    print(k, r.randint(0, longest[k]))
PY
) || exit 1

# check_records: the simulator's records and the journal agree (see the top); prints what
# does not hold
check_records() {
    python3 - "$SIM_PORT" "$dir/journal.db" <<'PY'
import collections, json, sqlite3, sys, urllib.error, urllib.request
port, db = sys.argv[1], sys.argv[2]
def get(path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%s%s" % (port, path)) as r:
            return json.load(r)
    except urllib.error.HTTPError:
        return None
bad = []
payments = get("/v1/admin/payments")["payments"]
records = get("/v1/admin/journal")["records"]
status = dict((p["out_trade_no"], p["status"]) for p in payments)
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
sales = con.execute("SELECT txn_no, json_extract(payload, '$.out_trade_no'), amount_fen"
                    " FROM transactions").fetchall()
con.close()
journaled = dict((otn, (txn, amount)) for txn, otn, amount in sales)
paid = [p for p in payments if p["status"] == "PAID"]
for order, n in collections.Counter(p["order_id"] for p in paid).items():
    if n > 1:
        bad.append("order %s: %d PAID payments (a double charge)" % (order, n))
for p in paid:
    otn = p["out_trade_no"]
    if otn not in journaled:
        bad.append("PAID %s (order %s, %d fen) has no sale in the journal"
                   % (otn, p["order_id"], p["amount_fen"]))
        continue
    txn, amount = journaled[otn]
    if amount != p["amount_fen"]:
        bad.append("sale %s: %d fen journaled, %d paid" % (txn, amount, p["amount_fen"]))
    n = sum(1 for r in records if r.get("record_id") == txn)
    if n != 1:
        bad.append("sale %s: %d records in the backend's journal, expected 1" % (txn, n))
    order = get("/v1/admin/orders/%s" % p["order_id"])
    if not order or order.get("status") != "COMPLETED":
        bad.append("order %s of PAID %s is %s" % (p["order_id"], otn,
                   order.get("status") if order else "unknown"))
    for line in ((order or {}).get("body") or {}).get("lines") or []:
        sale = line.get("sale_id")
        if sale:
            s = get("/v1/admin/sales/%s" % sale) or {}
            if s.get("status") != "paid" or s.get("paid_by") != otn:
                bad.append("pump sale %s of PAID %s: %s, paid by '%s'"
                           % (sale, otn, s.get("status"), s.get("paid_by")))
for txn, otn, amount in sales:
    if status.get(otn) != "PAID":
        bad.append("sale %s recorded without money: %s is %s at the backend"
                   % (txn, otn, status.get(otn, "unknown")))
for n in range(1001, 1010):  # S1010 is seeded paid (elsewhere, long ago)
    s = get("/v1/admin/sales/S%d" % n)
    if s and s.get("status") == "paid" and status.get(s.get("paid_by")) != "PAID":
        bad.append("pump sale S%d marked paid by %s, which is %s" % (n, s.get("paid_by"),
                   status.get(s.get("paid_by"), "unknown")))
for b in bad:
    print("FAILED: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# kill_state LOG: the checkout state the kiosk was in when it died
kill_state() {
    local last
    last=$(grep -a -o '\[checkout\] [a-z_]* -> [a-z_]*' "$1" | tail -1)
    if [ -n "$last" ]; then
        echo "${last#\[checkout\] }"
    elif grep -a -q '\[app\] started' "$1"; then
        echo idle
    else
        echo "not started"
    fi
}

now_us() { local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t)); } # the time in µs
declare -A states=() played=()
failures=0 i=0 slow_killed=0
printf 'wait attract\nsettled\n' >"$dir/recover.script"
while read -r kind delay; do
    i=$((i + 1))
    # a slow backend's payment killed in flight is still in the simulator for up to 1.5 s:
    # it must not land in the next iteration's fresh backend
    if [ "$slow_killed" != 0 ]; then
        left=$((slow_killed + 1700000 - $(now_us)))
        [ $left -le 0 ] || sleep "$(printf '%d.%06d' $((left / 1000000)) $((left % 1000000)))"
        slow_killed=0
    fi
    admin POST /v1/admin/reset >/dev/null
    admin DELETE /v1/admin/faults >/dev/null
    rm -f "$dir"/journal.db* "$dir"/receipts/*.png
    emu clear >/dev/null
    setup "$kind"
    play_script "$kind" >"$dir/play.script"
    "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$dir/play.script" \
        --out "$dir/shots" 2>"$dir/kill.log" &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    { kill -KILL "$pid"; wait "$pid"; } 2>/dev/null
    rc=$? # 137: killed; anything else: it ended by itself before (a step of its script failed)
    [ "$kind" = slow ] && slow_killed=$(now_us)
    state=$(kill_state "$dir/kill.log")
    states[$state]=$((${states[$state]:-0} + 1))
    played[$kind]=$((${played[$kind]:-0} + 1))
    : >"$dir/why"
    ok=1
    if [ $rc -ne 137 ]; then
        fail "the kiosk ended before the kill (exit $rc): $(grep -a 'play.script:[0-9]' "$dir/kill.log" | tail -1)" 2>>"$dir/why"
        ok=0
    fi
    timeout 60 "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" \
        --script "$dir/recover.script" --out "$dir/shots" 2>"$dir/recover.log" </dev/null || {
        rc=$?
        fail "the start after the kill (exit $rc): $(grep -a 'recover.script:[0-9]' "$dir/recover.log" | tail -1)" 2>>"$dir/why"
        ok=0
    }
    {
        expect_eq "journal: integrity_check" "$(q 'PRAGMA integrity_check')" ok &&
            expect_eq "journal: intents pending" "$(q "SELECT count(*) FROM intents WHERE state='pending'")" 0
    } 2>>"$dir/why" || ok=0
    check_no_lock_left 2>>"$dir/why" || ok=0
    check_records 2>>"$dir/why" || ok=0
    if [ $ok = 1 ]; then
        echo "ok $i: $kind, killed after $delay ms in '$state'"
    else
        failures=$((failures + 1))
        echo "FAILED iteration $i of seed $seed: $kind, killed after $delay ms in '$state'"
        sed 's/^/  /' "$dir/why"
        echo "  -- the killed kiosk's log, last lines:"
        tail -15 "$dir/kill.log" | sed 's/^/  /'
        echo "  -- the recovery's log, last lines:"
        tail -25 "$dir/recover.log" | sed 's/^/  /'
    fi
done <<<"$plan"

echo "killed in (seed $seed):"
for s in "${!states[@]}"; do printf '%6d  %s\n' "${states[$s]}" "$s"; done | sort -k1,1nr -k2
echo "iterations per kind:"
for k in $kinds; do printf '%6d  %s\n' "${played[$k]:-0}" "$k"; done
echo "random kill: $((i - failures)) of $i held"
[ $failures -eq 0 ]
