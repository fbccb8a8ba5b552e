# Sourced by the update scenarios (update.sh, update_crash.sh; docs/updates.md). Needs $here
# and $build. update_up NAME starts, on free ports, the backend simulator (the new version
# must reach it) and the DDI simulator (tests/sim/ddi), writes $dir/kiosk.ini with an
# [update] section, makes the signing keys' bundles' trees, and stops everything it started
# (by pid) and removes $dir at exit.
#
#   fresh_prefix             slot a = the build's kiosk as 0.1.0, current -> a, no state
#   make_tree NAME VERSION [KIND]   a slot tree under $dir/trees/NAME: bin/kiosk (KIND good:
#                            the build's kiosk; nobackend: the same with the backend on a dead
#                            port; crash: exits 1 at once) and VERSION
#   bundle NAME VERSION [SEED]      $dir/NAME.fkb of tree NAME signed with SEED (test key A)
#   deploy FILE VERSION      a deployment for the kiosk at the DDI simulator: its action id
#   poll [ENV...]            one round of kiosk-update (its log appended to $dir/update.log)
#   supervise / unsupervise  systemd's part: kiosk-update boot, then current/bin/kiosk, again
#                            on exit 75 or a crash (starts and exits in $dir/starts); each
#                            boot and each kiosk start takes the first line of
#                            $dir/crash.boot, $dir/crash.kiosk as its KIOSK_CRASH_AT
#   restart_kiosk            the kiosk ends (SIGTERM) and the supervisor starts it again
#   check_final ACTION FINISHED TEXT, feedback_has ACTION TEXT, link, phase, state FIELD
set -u

SEED_A=0101010101010101010101010101010101010101010101010101010101010101
SEED_B=0202020202020202020202020202020202020202020202020202020202020202
KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
UPD=$build/kiosk/update/kiosk-update

. "$here/lib.sh" # fail, expect_eq

# wait_for SECONDS COMMAND...: until COMMAND holds (0), or 1 after SECONDS.
wait_for() {
    local limit=$(($1 * 10)) i=0
    shift
    until "$@"; do
        i=$((i + 1))
        [ $i -le $limit ] || return 1
        sleep 0.1
    done
}

wait_port_file() {
    wait_for 10 test -s "$1" || { fail "$2 did not start"; cat "$3" >&2; return 1; }
}

update_up() {
    dir=$(mktemp -d "/tmp/kiosk-$1-XXXXXX")
    trap 'update_down' EXIT
    "$build/tests/sim/backend/kiosk-backend-sim" --port 0 --port-file "$dir/sim.port" \
        --db "$dir/backend.db" --terminal "T0001:$KEY" >"$dir/sim.log" 2>&1 &
    echo $! >>"$dir/pids"
    "$build/tests/sim/ddi/ddi-sim" --port 0 --port-file "$dir/ddi.port" --sleep 00:00:05 \
        >"$dir/ddi.out" 2>"$dir/ddi.log" &
    echo $! >>"$dir/pids"
    wait_port_file "$dir/sim.port" "the backend simulator" "$dir/sim.log" || exit 1
    wait_port_file "$dir/ddi.port" "the DDI simulator" "$dir/ddi.log" || exit 1
    SIM_PORT=$(cat "$dir/sim.port")
    DDI_PORT=$(cat "$dir/ddi.port")
    PK=$("$UPD" pubkey --key $SEED_A)
    prefix=$dir/slots
    write_ini 6
    mkdir -p "$dir/trees"
}

# write_ini TRIAL_S: the kiosk's config (the kiosk reads it at each start).
write_ini() {
    cat >"$dir/kiosk.ini" <<INI
; written by tests/harness/update_lib.sh
[kiosk]
terminal_id = T0001
[backend]
url = http://127.0.0.1:$SIM_PORT
key = $KEY
[paths]
data_dir = $dir
[update]
prefix = $prefix
ddi_url = http://127.0.0.1:$DDI_PORT/DEFAULT
token = sim-token
public_key = $PK
trial_s = $1
crash_window_s = 60
quiet_s = 1
INI
}

update_down() {
    unsupervise 2>/dev/null
    for pid in $(cat "$dir/pids" 2>/dev/null); do
        kill -TERM "$pid" 2>/dev/null || continue
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$pid" 2>/dev/null || true
    done
    [ "${KEEP:-}" ] && echo "kept $dir" >&2 || rm -rf "$dir"
}

make_tree() {
    local t=$dir/trees/$1
    rm -rf "$t"
    mkdir -p "$t/bin" "$t/share"
    echo "$2" >"$t/VERSION"
    head -c 300000 /dev/urandom >"$t/share/filler" # a bundle of some size: cut mid-file
    case "${3:-good}" in
    good) printf '#!/bin/sh\nexec "%s/kiosk/kiosk" "$@"\n' "$build" >"$t/bin/kiosk" ;;
    nobackend) printf '#!/bin/sh\nexec "%s/kiosk/kiosk" "$@" --set backend.url=http://127.0.0.1:1\n' \
        "$build" >"$t/bin/kiosk" ;;
    crash) printf '#!/bin/sh\nexit 1\n' >"$t/bin/kiosk" ;;
    esac
    chmod 755 "$t/bin/kiosk"
}

fresh_prefix() {
    rm -rf "$prefix"
    make_tree factory 0.1.0
    mkdir -p "$prefix"
    cp -a "$dir/trees/factory" "$prefix/a"
    ln -s a "$prefix/current"
}

bundle() { "$UPD" bundle --key "${3:-$SEED_A}" --version "$2" --dir "$dir/trees/$1" --out "$dir/$1.fkb"; }

ddi() { curl -s -X "$1" "http://127.0.0.1:$DDI_PORT$2" ${3:+-d "$3"}; }

deploy() {
    ddi POST /admin/deployments "{\"controller\":\"T0001\",\"file\":\"$1\",\"version\":\"$2\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["action"])'
}

poll() { env "$@" "$UPD" poll --config "$dir/kiosk.ini" >>"$dir/update.log" 2>&1; }

# sim_action ACTION TEXT: "status finished closed-feedbacks-taken text-found" of the action
# at the DDI simulator (text-found: 1 when some feedback of it has TEXT in its details).
sim_action() {
    python3 - "$DDI_PORT" "$1" "$2" <<'PY'
import json, sys, urllib.request
port, action, text = sys.argv[1], int(sys.argv[2]), sys.argv[3]
get = lambda p: json.load(urllib.request.urlopen("http://127.0.0.1:%s/admin/%s" % (port, p)))
a = [x for x in get("actions")["actions"] if x["id"] == action]
fb = [f for f in get("feedback")["feedback"] if f["action"] == action]
print(a[0]["status"] if a else "none", a[0]["finished"] if a else "none",
      sum(1 for f in fb if f["execution"] == "closed" and f["accepted"]),
      int(any(text in " ".join(f["details"]) for f in fb)))
PY
}
# feedback_has ACTION TEXT: some feedback of the action has TEXT in its details.
feedback_has() { sim_action "$1" "$2" | grep -q ' 1$'; }
link() { readlink "$prefix/current" || echo factory; }
running_version() { cat "$prefix/current/VERSION" 2>/dev/null || echo factory; }
# state FIELD: a string field of update.json ("" when absent).
state() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$prefix/update.json" 2>/dev/null; }
phase() { state phase; }
phase_is() { [ "$(phase)" = "$1" ]; }
done_is() { [ "$(state done)" = "$1" ]; }
# started VERSION: the supervisor's last start was of VERSION.
started() { tail -1 "$dir/starts" 2>/dev/null | grep -q "start $1"; }

# check_final ACTION FINISHED TEXT: closed at the simulator with FINISHED, exactly one closed
# feedback taken, TEXT in a feedback's details, and the updater idle again.
check_final() {
    expect_eq "action $1: status finished closed-feedbacks '$3'" "$(sim_action "$1" "$3")" \
        "closed $2 1 1" || { ddi GET /admin/feedback >&2; return 1; }
    expect_eq "action $1: updater phase" "$(phase)" idle
}

# pop FILE: its first line, taken out ("" when there is none).
pop() {
    [ -s "$1" ] || return 0
    head -1 "$1"
    sed -i 1d "$1"
}

# supervise: kiosk-update boot, then the current slot's kiosk (the build's without a slot),
# again when it ends, as fuel-kiosk.service does; in the background until unsupervise.
supervise() {
    rm -f "$dir/stop"
    (
        while [ ! -e "$dir/stop" ]; do
            at=$(pop "$dir/crash.boot")
            env ${at:+KIOSK_CRASH_AT=$at} "$UPD" boot --config "$dir/kiosk.ini" >>"$dir/boot.log" 2>&1
            bin=$prefix/current/bin/kiosk
            [ -x "$bin" ] || bin=$build/kiosk/kiosk
            at=$(pop "$dir/crash.kiosk")
            echo "start $(running_version)${at:+ crash at $at}" >>"$dir/starts"
            env ${at:+KIOSK_CRASH_AT=$at} "$bin" --headless --config "$dir/kiosk.ini" \
                >>"$dir/kiosk.log" 2>&1 &
            echo $! >"$dir/kiosk.pid"
            wait $!
            echo "exit $?" >>"$dir/starts"
            [ -e "$dir/stop" ] || sleep 0.3
        done
    ) &
    echo $! >"$dir/supervisor.pid"
}

restart_kiosk() {
    local n
    n=$(grep -c start "$dir/starts")
    kill -TERM "$(cat "$dir/kiosk.pid")"
    wait_for 20 sh -c "[ \$(grep -c start '$dir/starts') -gt $n ]"
}

unsupervise() {
    [ -f "$dir/supervisor.pid" ] || return 0
    touch "$dir/stop"
    kill -TERM "$(cat "$dir/kiosk.pid" 2>/dev/null)" 2>/dev/null
    wait_for 10 sh -c "! kill -0 $(cat "$dir/supervisor.pid") 2>/dev/null"
    kill -KILL "$(cat "$dir/supervisor.pid")" 2>/dev/null
    rm -f "$dir/supervisor.pid"
}

# poll_until SECONDS PHASE...: rounds of kiosk-update until the updater's phase is one of them.
poll_until() {
    local limit=$1 i=0
    shift
    while :; do
        poll
        for p in "$@"; do [ "$(phase)" = "$p" ] && return 0; done
        i=$((i + 1))
        [ $i -le "$limit" ] || { fail "updater phase $(phase), expected $*"; return 1; }
        sleep 1
    done
}
