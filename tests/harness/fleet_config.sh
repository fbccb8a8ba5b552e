#!/bin/bash
# A signed config pushed while a customer is at the pumps (docs/fleet.md, "Quiet moments"):
# acked "accepted", not applied while the customer is there, applied once they have gone and
# nobody touched the kiosk for quiet_s: the pushed file written, the kiosk started again
# (the same process, without its script), then acked "ok" and the new config in force (the
# station's new name in the telemetry, config_version 7); the same version again refused;
# a clean stop says offline, stopped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
. "$here/fleet_lib.sh"
station_up fleetcfg
out=$dir/out
mkdir -p "$out"
broker_up || exit 1
fleet_config telemetry_s=60 quiet_s=3
sub_log all "kiosk/#" 90
sub_log acks "$FLEET_BASE/ack" 90
T=$FLEET_BASE
die() { echo "--- kiosk log:" >&2; tail -n 40 "$out/kiosk.log" >&2; exit 1; }
printf '[kiosk]\nstation_name = 远程配置站 · Pushed Station\n[fleet]\ntelemetry_s = 45\n' >"$dir/cfg.ini"
push() { cmd "$(signed cfg-7 config 7 S001/T0001 "$dir/cfg.ini")"; }
on_shot fleet-mid push
sleep 0.3
kiosk_up "$here/fleet_mid_session.script"
wait_ack cfg-7 accepted 30 || die
wait_ack cfg-7 ok 40 || die
# the order in the log: accepted, the customer gone, then the restart
line() { grep -n -m1 -e "$1" "$out/kiosk.log" | cut -d: -f1; }
accepted=$(line "config cfg-7: accepted")
gone=$(line "\[session\] service -> home")
restart=$(line "\[host\] fleet: the kiosk starts again (config 7)")
[ -n "$accepted" ] && [ -n "$gone" ] && [ -n "$restart" ] && [ "$accepted" -lt "$gone" ] &&
    [ "$gone" -lt "$restart" ] ||
    { fail "not accepted, then the customer gone, then the restart: lines $accepted $gone $restart"; die; }
expect_eq "acks" "$(ack_of cfg-7 1)|$(ack_of cfg-7 2)" \
    "accepted the kiosk starts again at a quiet moment (no customer for 3 s)|ok config 7 in force" || die
cmp -s "$dir/pushed.ini" "$dir/cfg.ini" || { fail "the pushed file"; die; }
expect_eq "config_version" "$(q "SELECT value FROM settings WHERE name='config_version'")" 7 || die
wait_for "$dir/all.sub" 1 "^$T/telemetry .*\"name\":\"远程配置站 · Pushed Station\".*\"config_version\":7" 10 || die
cmd "$(signed cfg-8 config 7 S001/T0001 "$dir/cfg.ini")"
wait_ack cfg-8 refused || die
expect_eq "replayed" "$(ack_of cfg-8)" "refused version 7 is not newer than 7 in force" || die
kiosk_stop || die
expect_eq "a clean stop" "$(retained "$T/status" | json "['state'] + ' ' + v['reason']")" \
    "offline stopped" || die
echo "a config pushed mid-session applied after the customer left, at a quiet moment, and acked"
