#!/bin/bash
# adplay_crash.sh BUILD [KILLS] [SEED]: proof of play across power cuts (docs/fleet.md). The
# kiosk shows a pushed playlist of three 3 s slides on its attract screen against the backend
# simulator and is
#  - killed (SIGKILL) KILLS times (default 4) at a random instant 3..8 s after its start
#    (the delays come from SEED, default 20261130: the same on every run);
#  - killed at the journal's crash points of a proof-of-play record: before and after its
#    INSERT (journal.record_add), and after the backend kept a record but before the outbox
#    marked it sent (journal.outbox_done:before: it goes up again at the next start);
# each time started again; then a last run shows a slide and a half, a customer touches the
# screen and the outbox empties. Then:
#  - the journal passes integrity_check; every ad_play record in its outbox is sent, and the
#    backend kept exactly those record ids, each once (none missing, none twice);
#  - each record lies within the run that showed it, none overlaps the next; a slide the next
#    one ended was shown 3..4 s (its tick may come late), each run starts at the first slide and follows the
#    playlist's order; the one the customer ended is the last and the only interrupted one;
#  - no run recorded more than it was alive, and a run killed at random lost at most its
#    start-up and the slide on screen.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
kills=${2:-4}
seed=${3:-20261130}
. "$here/lib.sh"
. "$here/ads_lib.sh"
unset KIOSK_TEST_EPOCH # business time is the real time: the records' start against the runs'
station_up adplay
out=$dir/out
mkdir -p "$out"
: >"$dir/case.log"
: >"$dir/runs"
RANDOM=$seed
echo "seed $seed"

ads_folder 1 <<INI
[slide1]
id = a
image = pay.png
seconds = 3
sha256 = $(sha256sum "$ART/pay.png" | cut -d' ' -f1)
[slide2]
id = b
image = points.png
seconds = 3
[slide3]
id = c
image = invoice.png
seconds = 3
INI
ads_playlist 1 || exit 1
printf 'wait attract\npause 60s\n' >"$dir/watch.script"
printf 'wait attract\npause 4500ms\ntap attract.start\nwait home\nsettled\n' >"$dir/last.script"

now_ms() { date +%s%3N; }
# run KIND START: a run of the kiosk from START to now (wall ms), for the checks.
run() { echo "$1 $2 $(now_ms)" >>"$dir/runs"; }

failures=0
for i in $(seq 1 "$kills"); do
    delay=$((3000 + RANDOM % 5001))
    start=$(now_ms)
    "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$dir/watch.script" \
        --out "$out" 2>>"$dir/case.log" &
    pid=$!
    sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
    { kill -KILL $pid; wait $pid; } 2>/dev/null
    run random "$start"
    echo "killed after $delay ms"
done
for point in journal.record_add:before journal.record_add:after journal.outbox_done:before; do
    start=$(now_ms)
    if crash_at "$dir/watch.script" "$point"; then
        run point "$start"
        echo "killed at $point"
    else
        fail "$point: the kiosk was not killed there (exit $crash_rc)"
        failures=$((failures + 1))
    fi
done
start=$(now_ms)
if kiosk_play "$dir/last.script"; then
    run last "$start"
else
    fail "the last run"
    tail -20 "$dir/case.log"
    exit 1
fi

[ "$(q 'PRAGMA integrity_check')" = ok ] || { fail "journal damaged"; exit 1; }
check_plays_uploaded || failures=$((failures + 1))
# the plays against the runs
ads_plays | python3 -c '
import sys
runs = [l.split() for l in open(sys.argv[1])]
runs = [(k, int(a), int(b)) for k, a, b in runs]
plays = []
for l in sys.stdin:
    rid, state, pl, slide, shown, intr, start = l.split()
    plays.append((int(start), int(shown), int(intr), slide, rid))
bad = []
def say(*a):
    bad.append(" ".join(str(x) for x in a))
plays.sort()
for p, q in zip(plays, plays[1:]):
    if p[0] + p[1] > q[0] + 100:
        say("overlap:", p, q)
order = "abc"
for n, (kind, a, b) in enumerate(runs):
    mine = [p for p in plays if a <= p[0] <= b]
    for p in mine:
        if p[0] + p[1] > b + 200:
            say("run", n, "shown past its end:", p)
        if not p[2] and not 3000 <= p[1] < 4000:
            say("run", n, "a slide shown", p[1], "ms")
        if p[2] and (kind != "last" or p is not mine[-1]):
            say("run", n, "interrupted where nobody touched:", p)
    got = "".join(p[3] for p in mine)
    if got != (order * 9)[:len(got)]:
        say("run", n, "slides out of order:", got)
    total = sum(p[1] for p in mine)
    if total > b - a:
        say("run", n, "recorded", total, "ms in", b - a, "ms alive")
    if kind == "random" and total < b - a - 1500 - 4000:
        say("run", n, "recorded only", total, "ms in", b - a, "ms alive")
    if kind == "last" and (len(mine) < 2 or not mine[-1][2]):
        say("run", n, "the last run: a whole slide, then the one the customer ended:", mine)
    print("run %d (%s): %5d ms alive, %d plays, %5d ms shown" % (n, kind, b - a, len(mine), total))
outside = [p for p in plays if not any(a <= p[0] <= b for _, a, b in runs)]
if outside:
    say("plays outside every run:", outside)
print("%d proof-of-play records" % len(plays))
for b in bad:
    print("FAILED:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
' "$dir/runs" || failures=$((failures + 1))
# the record the backend kept before the kill at outbox_done went up again, and was kept once
posts=$(grep -c "POST /v1/journal/records" "$dir/sim.log")
records=$(q "SELECT count(*) FROM outbox WHERE kind = 'ad_play'")
echo "$records records, $posts uploads"
[ "$posts" -gt "$records" ] || { fail "no record was sent twice"; failures=$((failures + 1)); }
[ $failures -eq 0 ] && echo "proof of play: exactly once across $((kills + 4)) runs"
[ $failures -eq 0 ]
