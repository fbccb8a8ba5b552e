#!/bin/bash
# Updates against the DDI simulator (docs/updates.md). The kiosk runs under a supervisor loop
# as systemd runs it (kiosk-update boot, then current/bin/kiosk; again on exit 75 or a
# crash); kiosk-update polls one round at a time. In turn:
#  - refused, 100 %: a tampered bundle (a payload byte flipped), one signed with another key,
#    an unsigned one (a plain tar.gz), a downgrade (0.0.9): `current` unchanged, the action
#    closed with failure and the reason, one final feedback;
#  - a good update 0.2.0, its download cut mid-file and resumed with a Range request:
#    staged in slot b, switched at a quiet moment, committed by the new kiosk (home and
#    backend), closed with success once;
#  - 0.2.1 whose kiosk never reaches the backend: rolled back by itself after trial_s,
#    failure reported, the kiosk back on 0.2.0;
#  - 0.2.2 whose kiosk exits at once: rolled back by kiosk-update boot after 3 starts,
#    failure reported (by kiosk-update run, which ends at SIGTERM), the kiosk back on 0.2.0.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/update_lib.sh"
update_up update
failures=0

ok() { echo "ok ($SECONDS s): $*"; }
bad() {
    failures=$((failures + 1))
    tail -15 "$dir/update.log" "$dir/boot.log" 2>/dev/null >&2
}

fresh_prefix
supervise
wait_for 20 grep -qs "start 0.1.0" "$dir/starts" || bad

# ---- refusals --------------------------------------------------------------------------
make_tree good 0.2.0
bundle good 0.2.0
cp "$dir/good.fkb" "$dir/tampered.fkb"
python3 - "$dir/tampered.fkb" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[-5000] ^= 0x01  # one byte of the payload
open(p, "wb").write(b)
PY
bundle good 0.2.0 $SEED_B && mv "$dir/good.fkb" "$dir/otherkey.fkb"
bundle good 0.2.0
tar czf "$dir/unsigned.fkb" -C "$dir/trees/good" .
make_tree old 0.0.9
bundle old 0.0.9

refused() { # refused NAME FILE VERSION REASON
    local a
    a=$(deploy "$2" "$3")
    poll
    if check_final "$a" failure "$4" && expect_eq "$1: current" "$(link)" a &&
        expect_eq "$1: download folder" "$(ls "$prefix/download")" ""; then
        ok "$1 refused: $(state done) closed with failure ('$4')"
    else
        bad
    fi
}
refused tampered "$dir/tampered.fkb" 0.2.0 "tampered"
refused "another key" "$dir/otherkey.fkb" 0.2.0 "signature does not verify"
refused unsigned "$dir/unsigned.fkb" 0.2.0 "not a signed bundle"
refused downgrade "$dir/old.fkb" 0.0.9 "downgrade refused"

# ---- a good update, its download cut mid-file ------------------------------------------
a=$(deploy "$dir/good.fkb" 0.2.0)
ddi POST /admin/faults '{"cut_after": 100000}' >/dev/null
poll # the download stops after 100000 bytes
size=$(stat -c %s "$prefix/download/$a.fkb" 2>/dev/null || echo 0)
if [ "$size" -gt 0 ] && [ "$size" -le 100000 ] && [ "$(phase)" = downloading ]; then
    ok "download cut at $size bytes"
else
    fail "download cut: $size bytes, phase $(phase)"
    bad
fi
poll_until 5 staged || bad
ranges=$(ddi GET /admin/downloads | python3 -c 'import json,sys; print(" ".join(d["range"] or "-" for d in json.load(sys.stdin)["downloads"] if d["action"]==int(sys.argv[1])))' "$a")
if [ "$ranges" = "- bytes=$size-" ] && grep -q "range=bytes=$size-" "$dir/ddi.log"; then
    ok "resumed with Range bytes=$size- (downloads: $ranges)"
else
    fail "resume: downloads '$ranges'"
    bad
fi
expect_eq "staged slot" "$(state slot)" b || bad
feedback_has "$a" "installed 0.2.0 in slot b, waiting for a quiet moment" || bad
if wait_for 40 grep -qs "start 0.2.0" "$dir/starts" && wait_for 30 phase_is committed; then
    poll
    if check_final "$a" success "home and backend reached" && expect_eq "current" "$(link)" b &&
        expect_eq "running" "$(running_version)" 0.2.0; then
        ok "0.2.0 installed in slot b, switched, committed, reported once"
    else
        bad
    fi
else
    fail "0.2.0 was not switched and committed (phase $(phase))"
    bad
fi

# ---- the new version never reaches the backend -----------------------------------------
make_tree nobackend 0.2.1 nobackend
bundle nobackend 0.2.1
a=$(deploy "$dir/nobackend.fkb" 0.2.1)
poll_until 5 staged || bad
expect_eq "staged slot" "$(state slot)" a || bad
if wait_for 40 grep -qs "start 0.2.1" "$dir/starts" && wait_for 40 phase_is failed; then
    poll
    if check_final "$a" failure "the backend never answered" && expect_eq "current" "$(link)" b &&
        wait_for 20 started 0.2.0; then
        ok "0.2.1 rolled back after its trial: $(ddi GET /admin/feedback | python3 -c 'import json,sys; print([f["details"][0] for f in json.load(sys.stdin)["feedback"] if f["execution"]=="closed"][-1])')"
    else
        bad
    fi
else
    fail "0.2.1 was not rolled back (phase $(phase))"
    bad
fi

# ---- the new version crashes at once (kiosk-update run polls) -----------------------------
make_tree crash 0.2.2 crash
bundle crash 0.2.2
a=$(deploy "$dir/crash.fkb" 0.2.2)
# this one through kiosk-update run: its own rounds (the simulator says sleep 5 s), ended
# by SIGTERM
"$UPD" run --config "$dir/kiosk.ini" >>"$dir/update.log" 2>&1 &
run_pid=$!
echo $run_pid >>"$dir/pids"
if wait_for 60 done_is "$a"; then
    kill -TERM $run_pid
    wait_for 5 sh -c "! kill -0 $run_pid 2>/dev/null" || { fail "run did not end at SIGTERM"; bad; }
    starts=$(grep -c "start 0.2.2" "$dir/starts")
    if check_final "$a" failure "crash loop: 3 starts" && expect_eq "current" "$(link)" b &&
        expect_eq "starts of 0.2.2" "$starts" 2 &&
        wait_for 20 started 0.2.0; then
        ok "0.2.2 rolled back by boot after a crash loop"
    else
        bad
    fi
else
    fail "0.2.2 was not rolled back (phase $(phase))"
    bad
fi

unsupervise
echo "starts: $(grep -c start "$dir/starts"), exits: $(grep exit "$dir/starts" | sort | uniq -c | tr -s ' \n' ' ')"
[ $failures -eq 0 ] && echo "update: all passed" || echo "update: $failures failure(s)"
[ $failures -eq 0 ]
