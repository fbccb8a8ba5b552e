#!/bin/sh
# SIGTERM ends the kiosk cleanly (exit 0) within a second, from an idle loop.
kiosk=$1; dir=$(mktemp -d)
printf 'wait attract\npause 30s\n' > "$dir/idle.script"
"$kiosk" --headless --script "$dir/idle.script" --out "$dir" --set "paths.data_dir=$dir" 2>"$dir/err" &
pid=$!
sleep 1
kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then
    echo "kiosk still running 2 s after SIGTERM"; kill -KILL "$pid"; rm -rf "$dir"; exit 1
fi
wait "$pid"; rc=$?
grep -q "quit requested" "$dir/err" || { echo "no clean quit logged:"; cat "$dir/err"; rc=1; }
rm -rf "$dir"
exit $rc
