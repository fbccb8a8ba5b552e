#!/bin/sh
# The kiosk's outbox reaches the backend exactly once: transactions waiting in the journal
# are uploaded in order (in batches); while the backend refuses connections nothing is lost
# and nothing is marked sent; after restarts nothing is sent twice; a record the backend
# refuses is parked alone, its batch's others go up.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
station_up outbox
received() { admin GET /v1/admin/journal | grep -o '"record_id"' | wc -l; }
run_kiosk() { # run_kiosk SECONDS
    printf 'wait attract\npause %ss\n' "$1" >"$dir/s.script"
    "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$dir/s.script" \
        --out "$dir/shots" 2>>"$dir/kiosk.log"
}
pending() { sqlite3 "$dir/journal.db" "SELECT count(*) FROM outbox WHERE state='pending'"; }

"$build/tests/journal/journal-seed" "$dir/journal.db" 3 >/dev/null
# 1. the backend refuses every upload: the records stay pending, none is marked sent
admin POST /v1/admin/faults '{"route":"/v1/journal","refuse":true}' >/dev/null
run_kiosk 2
[ "$(pending)" = 3 ] || { echo "records lost while the backend was down: $(pending) pending"; exit 1; }
[ "$(received)" = 0 ] || { echo "backend got records while refusing"; exit 1; }
# 2. the backend is back: all three arrive, in order
admin DELETE /v1/admin/faults >/dev/null
run_kiosk 3
[ "$(pending)" = 0 ] || { echo "$(pending) records still pending"; tail -20 "$dir/kiosk.log"; exit 1; }
[ "$(received)" = 3 ] || { echo "backend has $(received) records, expected 3"; exit 1; }
order=$(admin GET /v1/admin/journal | grep -o 'T0001-[0-9]*-[0-9]*' | tr '\n' ' ')
[ "$order" = "T0001-20261123-000001 T0001-20261123-000002 T0001-20261123-000003 " ] ||
    { echo "out of order: $order"; exit 1; }
# 3. the answer is lost after the backend stored the record: the re-send is not a duplicate
"$build/tests/journal/journal-seed" "$dir/journal.db" 1 >/dev/null
admin POST /v1/admin/faults '{"route":"/v1/journal","drop_after_processing":true,"count":1}' >/dev/null
run_kiosk 4
[ "$(pending)" = 0 ] && [ "$(received)" = 4 ] || { echo "after a lost answer: pending $(pending), received $(received)"; exit 1; }
# 4. a restart sends nothing again
run_kiosk 2
[ "$(received)" = 4 ] || { echo "a restart re-sent records"; exit 1; }
# 5. a long outage: the station system refuses heartbeats and uploads, and the record has
#    failed often enough for its backoff to reach minutes (10 failed uploads before a
#    restart, kept in the journal, then more). The heartbeat (every 5 s while down) sees the
#    system back: the record goes within seconds, not when its backoff ends.
"$build/tests/journal/journal-seed" "$dir/journal.db" 1 >/dev/null
q "UPDATE outbox SET attempts = 10 WHERE state = 'pending'"
admin POST /v1/admin/faults '{"route":"/v1/journal","refuse":true}' >/dev/null
admin POST /v1/admin/faults '{"route":"/v1/terminals","refuse":true}' >/dev/null
printf 'wait attract\npause 150s\n' >"$dir/s5.script"
"$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --script "$dir/s5.script" \
    --out "$dir/shots" 2>"$dir/kiosk5.log" &
kiosk=$!
bail() { echo "$*"; kill -TERM "$kiosk" 2>/dev/null; tail -20 "$dir/kiosk5.log"; exit 1; }
# Retry times are on the kiosk's clock, here the monotonic clock (no `advance`). Wait for a
# failed upload that leaves its record 30 s or more before its next try (the backoff is
# random up to its ceiling of 5 minutes: a short one is waited out and fails again), and for
# the heartbeat to find the system down (the two fail at about the same time, in either
# order).
mono_ms() { python3 -c 'import time; print(int(time.monotonic() * 1000))'; }
start=$(date +%s) left=0
while :; do
    [ $(($(date +%s) - start)) -lt 120 ] && kill -0 "$kiosk" 2>/dev/null ||
        bail "no backoff of 30 s or more ($(q "SELECT attempts FROM outbox WHERE state = 'pending'") attempts), or the heartbeat never saw the system down"
    next=$(q "SELECT next_try_ms FROM outbox WHERE state = 'pending' AND attempts > 10")
    left=$((${next:-0} - $(mono_ms)))
    [ $left -ge 30000 ] && grep -q "station system down" "$dir/kiosk5.log" && break
    sleep 0.5
done
[ "$(received)" = 4 ] || bail "a record arrived while the system was down"
admin DELETE /v1/admin/faults >/dev/null
t0=$(mono_ms)
until [ "$(received)" = 5 ]; do
    [ $(($(mono_ms) - t0)) -lt 12000 ] ||
        bail "no record 12 s after the system came back ($((left / 1000)) s of backoff left)"
    sleep 0.2
done
kill -TERM "$kiosk" 2>/dev/null || true
wait "$kiosk" || true
[ "$(pending)" = 0 ] || { echo "$(pending) records still pending"; exit 1; }
# 6. a record the station system refuses (a damaged row: its body is cut short, so the
#    request is not JSON) between two good ones:
#    their batch is refused whole, they go again one at a time, and only that one is parked
"$build/tests/journal/journal-seed" "$dir/journal.db" 1 >/dev/null
q "INSERT INTO outbox (record_id, kind, body, state) VALUES ('T0001-BROKEN', 'audit', '{\"cut', 'pending')"
"$build/tests/journal/journal-seed" "$dir/journal.db" 1 >/dev/null
run_kiosk 3
[ "$(pending)" = 0 ] && [ "$(received)" = 7 ] || { echo "around a refused record: pending $(pending), received $(received)"; tail -20 "$dir/kiosk.log"; exit 1; }
[ "$(q "SELECT group_concat(record_id) FROM outbox WHERE state = 'failed'")" = T0001-BROKEN ] ||
    { echo "parked: $(q "SELECT group_concat(record_id) FROM outbox WHERE state = 'failed'")"; exit 1; }
grep -q "3 records refused together" "$dir/kiosk.log" || { echo "the batch was not refused whole"; exit 1; }
echo "outbox: 7 records uploaded exactly once, in order, across refusals, a lost answer," \
    "restarts and an outage (sent $(( ($(mono_ms) - t0) / 1000 )) s after it, $((left / 1000)) s" \
    "before its backoff ended); the one refused record parked alone"
