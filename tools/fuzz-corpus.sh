#!/bin/bash
# tools/fuzz-corpus.sh [BUILD]: seeds tests/fuzz/corpus/ with real inputs. It starts a
# station in a box, lets the kiosk play the demo journey and the member and shop scenarios
# against it, and keeps what crossed its borders:
#   api     the simulator's answers (pumps, priced bills, members, coupons, products, lock
#           leases; the first byte names the reader) and the payment and lock payloads the
#           kiosk journaled;
#   reply   the same answers and error answers with their HTTP status (two bytes first);
#   sale    the sale records and orders from the kiosk's journal;
#   escpos  the raw ESC/POS the printer got, and the printer's status bytes;
#   config, slides, script, mo, codes, wedge: the kiosk's own config files, the slide
#           manifest, every scenario script, the compiled catalogs, every code the
#           scenarios scan or type, and typed scans with Return.
# Files are named by their SHA-1, so running it again adds nothing twice. After it, a
# fuzzing run (scripts/fuzz.sh) grows and minimises the corpora.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
corpus=$root/tests/fuzz/corpus
dir=$(mktemp -d /tmp/kiosk-corpus-XXXXXX)
chmod 755 "$dir"
trap '"$root/tests/harness/station.sh" stop "$dir"; rm -rf "$dir"' EXIT
mkdir -p "$dir/raw"
EMU_RAW=$dir/raw "$root/tests/harness/station.sh" start "$dir" "$build" >/dev/null
. "$dir/station.env"

put() { # put TARGET: stdin becomes a corpus file of TARGET
    local tmp h
    tmp=$(mktemp)
    cat >"$tmp"
    h=$(sha1sum "$tmp" | cut -c1-40)
    mkdir -p "$corpus/$1"
    mv "$tmp" "$corpus/$1/$h"
    chmod 644 "$corpus/$1/$h"
}

for s in "$root/assets/demo.script" "$root/tests/scenario/station/member.script" \
    "$root/tests/scenario/station/shop.script"; do
    "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$s" \
        --out "$dir/shots" 2>>"$dir/kiosk.log" || echo "warning: $(basename "$s") did not hold"
done

# the backend's answers, asked for as the kiosk asks (signed), into api and reply
SIM_PORT=$SIM_PORT python3 - "$dir/answers" <<'PY'
import hashlib, hmac, json, os, sys, time, urllib.request, urllib.error
port = os.environ["SIM_PORT"]
key = bytes(range(32))
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
def call(method, path, body=None, idem=None):
    data = json.dumps(body).encode() if body is not None else b""
    ts = str(int(time.time()))
    msg = "\n".join([method, path, ts, hashlib.sha256(data).hexdigest()]).encode()
    sig = hmac.new(key, msg, hashlib.sha256).hexdigest()
    rq = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=data or None,
                                method=method)
    for k, v in {"X-Terminal-Id": "T0001", "X-Timestamp": ts, "X-Signature": sig,
                 "Content-Type": "application/json"}.items():
        rq.add_header(k, v)
    if idem:
        rq.add_header("Idempotency-Key", idem)
    try:
        with urllib.request.urlopen(rq) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
n = 0
def keep(reader, status, body):
    global n
    n += 1
    with open(os.path.join(out, "%03d" % n), "wb") as f:
        f.write(json.dumps({"reader": reader, "status": status}).encode() + b"\n" + body)
keep("P", *call("GET", "/v1/pumps"))
keep("L", *call("POST", "/v1/sales/S1003/lock", {}, "corpus-lock"))
for code in ("6920000010004", "6920000010370", "4006381333931", "6920000010008"):
    keep("R", *call("GET", "/v1/products/" + code))
keep("M", *call("GET", "/v1/members/by-phone/13800138000"))
keep("M", *call("GET", "/v1/members/by-qr/MQR-7F3A91"))
keep("C", *call("GET", "/v1/coupons/CPN-5OFF-0001"))
keep("C", *call("GET", "/v1/coupons/CPN-NOT-A-COUPON"))
base = {"sale_ids": ["S1003"], "items": [{"barcode": "6920000010004", "qty": 2}],
        "coupon_ids": [], "points": 0}
for i, extra in enumerate([{}, {"member_id": "M001"}, {"member_id": "M001", "points": 2380},
                           {"member_id": "M001", "coupon_ids": ["C100", "C101"], "points": 100}]):
    order = dict(base, order_id="CORPUS-O%d" % i, **extra)
    keep("O", *call("POST", "/v1/orders", order, "corpus-price-%d" % i))
keep("", *call("POST", "/v1/payments", {"out_trade_no": "CORPUS-O3-P1", "order_id": "CORPUS-O3",
                                        "amount_fen": 1, "mode": "native", "channel": "wechat"},
               "CORPUS-O3-P1"))
keep("", *call("GET", "/v1/payments/CORPUS-O3-P1"))
keep("", *call("POST", "/v1/payments/CORPUS-O3-P1/cancel", {}, "corpus-cancel"))
PY
for f in "$dir"/answers/*; do
    head -1 "$f" >"$dir/meta"
    reader=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["reader"])' "$dir/meta")
    status=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$dir/meta")
    tail -n +2 "$f" >"$dir/body"
    [ -n "$reader" ] && { printf '%s' "$reader"; cat "$dir/body"; } | put api
    # reply: status - 100 as two little-endian bytes, then the body
    { python3 -c 'import sys; v=int(sys.argv[1])-100; sys.stdout.buffer.write(bytes([v & 255, v >> 8]))' "$status"
      cat "$dir/body"; } | put reply
done

# the kiosk's journal: sale records, orders, payment and lock payloads
sqlite3 "$dir/journal.db" "SELECT id FROM transactions" | while read -r id; do
    sqlite3 "$dir/journal.db" "SELECT payload FROM transactions WHERE id = $id" | put sale
done
sqlite3 "$dir/journal.db" "SELECT rowid FROM orders" | while read -r id; do
    sqlite3 "$dir/journal.db" "SELECT body FROM orders WHERE rowid = $id" | put sale
done
sqlite3 "$dir/journal.db" "SELECT id, kind FROM intents" | while IFS='|' read -r id kind; do
    { [ "$kind" = lock ] && printf K || printf I
      sqlite3 "$dir/journal.db" "SELECT payload FROM intents WHERE id = $id"; } | put api
done

# the printer: what it got, and its status bytes (ok, near end, paper out, offline...)
for f in "$dir"/raw/*.bin; do [ -s "$f" ] && put escpos <"$f"; done
for b in '\x12' '\x1e' '\x72' '\x1a' '\x16\x12\x12' '\x12\x12\x7e'; do printf "$b" | put escpos; done

# the kiosk's own files
put config <"$dir/kiosk.ini"
put config <"$root/packaging/demo.ini"
put slides <"$root/assets/ads/slides.ini"
for s in "$root"/assets/demo.script "$root"/tests/scenario/*.script "$root"/tests/scenario/station/*.script; do
    put script <"$s"
done
for m in "$build"/locale/*/LC_MESSAGES/kiosk.mo; do put mo <"$m"; done
grep -h -E '^(scan|type) ' "$root"/tests/scenario/*.script "$root"/tests/scenario/station/*.script \
    "$root"/assets/demo.script | cut -d' ' -f2- | sort -u | while IFS= read -r code; do
    printf '%b' "$code" | put codes
    # a typed scan: text in pieces (0x1f = up to 8 bytes follow), then Return (0x00)
    printf '%b' "$code" | python3 -c 'import sys; t=sys.stdin.buffer.read()
out=b"".join(b"\x1f"+t[i:i+8]+(b"\x00" if len(t[i:i+8])<8 else b"") for i in range(0,len(t),8))
sys.stdout.buffer.write(out+b"\x00")' | put wedge
done
for t in api reply sale escpos config slides script mo codes wedge; do
    printf '%-8s %4d files\n' "$t" "$(ls "$corpus/$t" | wc -l)"
done
