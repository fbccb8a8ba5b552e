#!/bin/sh
# The kiosk's outbox reaches the backend exactly once: transactions waiting in the journal
# are uploaded in order; while the backend refuses connections nothing is lost and nothing
# is marked sent; after restarts nothing is sent twice.
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
echo "outbox: 4 records uploaded exactly once, in order, across refusals, a lost answer and restarts"
