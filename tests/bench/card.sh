#!/bin/bash
# The fuel card's figures (a benchmark: it prints, asserts nothing): against a station in a
# box with the private pcscd, vpcd and the virtual card (tests/harness/lib.sh card_reader),
# RUNS (default 5) journeys of card_recharge_load, and from the kiosk's log the machine time
#  - from the card put on to the PIN keypad ready (card read, account looked up),
#  - from the PIN confirmed to the menu with the balances (VERIFY),
#  - from the recharge paid (checkout done) to the money on the chip (load done),
# each with the APDUs it took, the median and the worst run.
# usage: tests/bench/card.sh BUILD_DIR [RUNS]
set -u
here=$(cd "$(dirname "$0")/../harness" && pwd)
build=$(cd "$1" && pwd)
runs=${2:-5}
[ -f "$build/golden/env.sh" ] && . "$build/golden/env.sh"
. "$here/lib.sh"
station_up cardbench
card_reader || exit 1
script=$here/../scenario/station/card_recharge_load.script
out=$dir/out
: >"$dir/figures"
for ((r = 1; r <= runs; r++)); do
    admin POST /v1/admin/reset >/dev/null
    rm -f "$dir"/journal.db* "$dir"/cards/*.state
    mkdir -p "$out"
    card_say pull
    sleep 1 # taken off before the kiosk starts (pcscd polls)
    on_shot 00-attract card_say "insert 1000113300002001"
    KIOSK_LOG=info "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$script" \
        --out "$out" 2>"$out/kiosk.log" >/dev/null || { echo "run $r failed"; tail "$out/kiosk.log"; exit 1; }
    python3 - "$out/kiosk.log" >>"$dir/figures" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
def ms(l):
    h, m, s = l[:12].split(':')
    return (int(h) * 3600 + int(m) * 60 + float(s)) * 1000
def find(pat, start=0):
    for i in range(start, len(lines)):
        if re.search(pat, lines[i]):
            return i
    raise SystemExit('not in the log: ' + pat)
def apdus(a, b):
    return sum(1 for l in lines[a:b + 1] if 'card.reader: APDU' in l)
a = find(r'card put on \(ATR'); b = find(r'\[card\] lookup -> pin', a)
c = find(r'\[card\] pin -> verifying', b); d = find(r'\[card\] (verifying|resolving) -> menu', c)
e = find(r'\[checkout\] completing -> done', d); f = find(r'\[card\] loading -> done', e)
print(f"{ms(lines[b]) - ms(lines[a]):.1f} {apdus(a, b)} {ms(lines[d]) - ms(lines[c]):.1f} "
      f"{apdus(c, d)} {ms(lines[f]) - ms(lines[e]):.1f} {apdus(e, f)}")
PY
    rm -rf "$out"
done
python3 - "$dir/figures" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
names = ["card put on -> PIN keypad ready", "PIN confirmed -> balances shown",
         "recharge paid -> loaded on the chip"]
print(f"fuel card, {len(rows)} journeys (machine time, ms; APDUs):")
for k, name in enumerate(names):
    v = [r[2 * k] for r in rows]
    n = int(rows[0][2 * k + 1])
    print(f"  {name:38s} median {statistics.median(v):7.1f}  worst {max(v):7.1f}  APDUs {n}")
tot = [r[0] + r[2] for r in rows]
print(f"  {'card put on -> balances (both)':38s} median {statistics.median(tot):7.1f}  worst {max(tot):7.1f}")
PY
