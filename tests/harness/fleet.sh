#!/bin/bash
# The fleet agent at a station in a box with a private mosquitto (docs/fleet.md): the status
# online and retained, telemetry, and again at once when the kiosk goes out of service; every
# command acked with its outcome and applied: out of service on and off (an id seen before
# acked again, not applied again), the test slip printed, signed prices in the journal for
# the attract screen, a playlist downloaded, checked and switched (one whose image is not
# what was signed refused, the old folders pruned), logs collected and redacted, a restart
# at a quiet moment (reload_config); refusals: a bad signature, another key, a signature of
# another kind, a replayed version, a pushed config that names a public key or a key the
# kiosk does not know, garbage, a retained command; the station's and the fleet's topics; the
# broker killed and started again (the kiosk comes back online), the kiosk killed (its will:
# offline, lost).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
. "$here/fleet_lib.sh"
station_up fleet
out=$dir/out
mkdir -p "$out"
broker_up || exit 1
web_up || exit 1
fleet_config telemetry_s=60 quiet_s=2
sub_log all "kiosk/#" 110
sub_log acks "$FLEET_BASE/ack" 110
# a command retained on the station's topic would come again at every connect: refused
mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -r -t "kiosk/$FLEET_STATION/all/cmd" \
    -m '{"id":"ret-1","cmd":"out_of_service","on":true}'
sleep 0.3 # the subscribers are in before the kiosk says anything
kiosk_up
T=$FLEET_BASE
telemetry() { grep "^$T/telemetry " "$dir/all.sub" | tail -n 1 | cut -d' ' -f2-; }
teles() { grep -c "^$T/telemetry " "$dir/all.sub"; }
# tele_after N PATTERN: until a telemetry after the N-th says PATTERN (at most 5 s: sooner
# than telemetry_s, which is 60 s here).
tele_after() {
    local i=0
    until grep "^$T/telemetry " "$dir/all.sub" | tail -n +$(($1 + 1)) | grep -q -E -e "$2"; do
        i=$((i + 1))
        [ $i -le 50 ] || { fail "no telemetry saying $2 within 5 s"; return 1; }
        sleep 0.1
    done
}
die() { echo "--- kiosk log:" >&2; tail -n 40 "$out/kiosk.log" >&2; exit 1; }

# ---- online, telemetry ----
wait_for "$dir/all.sub" 1 "^$T/status .*\"state\":\"online\"" 15 || die
expect_eq "status retained" "$(retained "$T/status" | json "['state'] + ' ' + v['version']")" \
    "online 0.1.0" || die
wait_for "$dir/all.sub" 1 "^$T/telemetry " 10 || die
expect_eq "telemetry" "$(telemetry | json "['name'] + ' ' + v['slot'] + ' ' + v['health']['journal']")" \
    "朝阳路加油站 · Chaoyang Rd Station factory ok" || die

wait_ack ret-1 refused || die
mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -r -t "kiosk/$FLEET_STATION/all/cmd" -n
expect_eq "retained" "$(ack_of ret-1)" \
    "refused a retained command is not taken: publish commands without the retain flag" || die
expect_eq "in service" "$(q "SELECT count(*) FROM settings WHERE name='out_of_service'")" 0 || die

# ---- out of service: acked, telemetry at once (not 60 s later), an id seen before ----
n=$(teles)
cmd '{"id":"oos-1","cmd":"out_of_service","on":true,"message":"night"}'
wait_ack oos-1 ok || die
tele_after "$n" '"out_of_service":"Closed for the night."' || die
expect_eq "the setting" "$(q "SELECT value FROM settings WHERE name='out_of_service'")" \
    "Closed for the night." || die
cmd '{"id":"oos-1","cmd":"out_of_service","on":false}'
wait_for "$dir/acks.sub" 2 '"id":"oos-1"' 5 || die
expect_eq "oos-1 again" "$(ack_of oos-1 2)" "ok out of service" || die
expect_eq "not applied twice" "$(q "SELECT value FROM settings WHERE name='out_of_service'")" \
    "Closed for the night." || die
# back in service, under an id that is a phone number (the log has it: collect_logs masks it)
n=$(teles)
cmd '{"id":"13800138000","cmd":"out_of_service","on":false}'
wait_ack 13800138000 ok || die
tele_after "$n" '"out_of_service":null' || die

# ---- the test slip ----
cmd '{"id":"slip-1","cmd":"print_test_slip"}'
wait_ack slip-1 ok 20 || die
wait_prints
expect_eq "the slip's QR" "$(receipt_qr 1)" "kiosk-test:T0001" || die

# ---- prices: signed, in the journal as the attract screen reads them; refusals ----
cat >"$dir/prices.json" <<'JSON'
{"items":[{"grade":"92#","label":{"zh_CN":"92号汽油","en_US":"Petrol 92"},"fen_per_l":768},{"grade":"0#","label":{"zh_CN":"0号柴油","en_US":"Diesel 0"},"fen_per_l":712}]}
JSON
prices='{"version":100,"items":[{"grade":"92#","label":{"zh_CN":"92号汽油","en_US":"Petrol 92"},"fen_per_l":768},{"grade":"0#","label":{"zh_CN":"0号柴油","en_US":"Diesel 0"},"fen_per_l":712}]}'
cmd "$(signed pr-1 prices 100 S001/all "$dir/prices.json")"
wait_ack pr-1 ok || die
expect_eq "prices" "$(q "SELECT value FROM settings WHERE name='prices'")" "$prices" || die
cmd "$(signed pr-2 prices 101 S001/T0001 "$dir/prices.json" prices "$FLEET_OTHER_SEED")"
cmd "$(signed pr-3 prices 100 S001/T0001 "$dir/prices.json")"
cmd "$(signed pr-4 config 102 S001/T0001 "$dir/prices.json" prices)"
cmd "$(signed pr-5 prices 103 S002/all "$dir/prices.json")"
wait_ack pr-5 refused || die
expect_eq "another key" "$(ack_of pr-2)" "refused bad signature" || die
expect_eq "replayed" "$(ack_of pr-3)" "refused version 100 is not newer than 100 in force" || die
expect_eq "prices' signature as a config" "$(ack_of pr-4)" "refused bad signature" || die
expect_eq "another station" "$(ack_of pr-5)" "refused to: S002/all is not this kiosk" || die
expect_eq "prices kept" "$(q "SELECT value FROM settings WHERE name='prices'")" "$prices" || die

# ---- pushed config refused: a bad signature, a key it may not name, one the kiosk lacks ----
printf '[kiosk]\nstation_name = 不该生效\n' >"$dir/cfg-a.ini"
printf '[kiosk]\nstation_name = x\n[update]\npublic_key = %s\n' "$(fleet_public_key "$FLEET_OTHER_SEED")" >"$dir/cfg-b.ini"
printf '[kiosk]\nstation_nam = x\n' >"$dir/cfg-c.ini"
cmd "$(signed cf-1 config 5 S001/T0001 "$dir/cfg-a.ini" config "$FLEET_OTHER_SEED")"
cmd "$(signed cf-2 config 5 S001/T0001 "$dir/cfg-b.ini")"
cmd "$(signed cf-3 config 5 S001/T0001 "$dir/cfg-c.ini")"
wait_ack cf-3 refused || die
expect_eq "bad signature" "$(ack_of cf-1)" "refused bad signature" || die
expect_eq "a public key" "$(ack_of cf-2)" "refused a pushed config may not name public_key" || die
ack_of cf-3 | grep -q "^refused pushed:2: kiosk.station_nam: unknown key" ||
    { fail "cf-3: $(ack_of cf-3)"; die; }
[ ! -e "$dir/pushed.ini" ] || { fail "a refused config was written"; die; }

# ---- garbage: no crash; refused with an ack when it has an id ----
cmd 'not json at all'
cmd '{"id":"g-1","cmd":"reboot"}'
cmd '{"id":"g-2","cmd":"out_of_service","on":"yes"}'
head -c 300000 /dev/zero | tr '\0' 'a' >"$dir/big"
mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t "$T/cmd" -f "$dir/big"
wait_ack g-2 refused || die
expect_eq "unknown" "$(ack_of g-1)" "refused unknown command reboot" || die
wait_for "$out/kiosk.log" 1 "refused, with no id to ack: not a JSON object" 5 || die
wait_for "$out/kiosk.log" 1 "dropped \(300000 bytes\)" 5 || die

# ---- logs, asked on every kiosk's topic: published, redacted ----
cmd '{"id":"logs-1","cmd":"collect_logs","lines":256}' "kiosk/all/all/cmd"
wait_ack logs-1 ok || die
wait_for "$dir/all.sub" 1 "^$T/logs/logs-1 " 5 || die
grep "^$T/logs/logs-1 " "$dir/all.sub" | cut -d' ' -f2- >"$dir/logs.json"
[ "$(json "['lines'].__len__()" <"$dir/logs.json")" -ge 20 ] || { fail "too few log lines"; die; }
grep -q '138\*\*\*\*8000' "$dir/logs.json" || { fail "the phone-number id is not in the logs, masked"; die; }
! grep -q 13800138000 "$dir/logs.json" || { fail "privacy: a phone number in the collected logs"; die; }

# ---- a playlist: downloaded, checked, switched; an image not as signed refused ----
cp "$here/../../assets/ads/pay.png" "$here/../../assets/ads/points.png" "$dir/www/"
playlist() { # playlist VERSION SHA_OF_POINTS
    printf '{"slides":[{"id":"pay","url":"http://127.0.0.1:%s/pay.png","sha256":"%s","size":%s,"seconds":6,"bg":"#0A2A5E","title":{"zh_CN":"扫码付款","en_US":"Scan to pay"}},{"id":"points","url":"http://127.0.0.1:%s/points.png","sha256":"%s","size":%s,"seconds":8,"bg":"#102030","title":{"zh_CN":"积分","en_US":"Points"},"subtitle":{"en_US":"v%s"}}]}' \
        "$WEB_PORT" "$(sha256sum "$dir/www/pay.png" | cut -d' ' -f1)" "$(stat -c %s "$dir/www/pay.png")" \
        "$WEB_PORT" "$2" "$(stat -c %s "$dir/www/points.png")" "$1" >"$dir/playlist-$1.json"
}
good=$(sha256sum "$dir/www/points.png" | cut -d' ' -f1)
playlist 7 "$(echo "$good" | tr '0-9a-f' '1-9a-f0')"
cmd "$(signed pl-7 playlist 7 S001/T0001 "$dir/playlist-7.json")"
wait_ack pl-7 failed 20 || die
ack_of pl-7 2 | grep -q "not the signed image" || { fail "pl-7: $(ack_of pl-7 2)"; die; }
[ ! -e "$dir/ads/current" ] || { fail "a refused playlist was switched to"; die; }
for v in 8 9 10; do
    playlist $v "$good"
    cmd "$(signed pl-$v playlist $v S001/T0001 "$dir/playlist-$v.json")"
    wait_ack pl-$v ok 20 || die
done
expect_eq "accepted first" "$(ack_of pl-8 1)" "accepted downloading" || die
expect_eq "current" "$(readlink "$dir/ads/current")" 10 || die
expect_eq "folders kept: the one in force and the one before" "$(ls "$dir/ads" | tr '\n' ' ')" \
    "10 9 current " || die
expect_eq "the playlist setting" "$(q "SELECT value FROM settings WHERE name='playlist'")" \
    "{\"version\":10,\"dir\":\"$dir/ads/10\"}" || die
grep -q "^seconds = 8$" "$dir/ads/10/slides.ini" || { fail "the manifest: no seconds"; die; }
cmp -s "$dir/ads/10/points.png" "$dir/www/points.png" || { fail "the image stored"; die; }

# ---- reload_config: at a quiet moment the kiosk starts again (the same process); ok after ----
cmd '{"id":"rl-1","cmd":"reload_config"}'
wait_ack rl-1 ok 30 || die
expect_eq "accepted first" "$(ack_of rl-1 1 | cut -d' ' -f1)" accepted || die
wait_for "$dir/all.sub" 1 "^$T/status .*\"reason\":\"restarting\"" 5 || die
wait_for "$dir/all.sub" 2 "^$T/status .*\"state\":\"online\"" 10 || die
kill -0 "$KIOSK_PID" || { fail "the kiosk is gone"; die; }
# seen before the restart: acked again, not applied again
cmd '{"id":"rl-1","cmd":"reload_config"}'
wait_for "$dir/acks.sub" 3 '"id":"rl-1"' 5 || die
sleep 3
expect_eq "restarts" "$(grep -c "\[host\] fleet: the kiosk starts again" "$out/kiosk.log")" 1 || die
expect_eq "versions in force after it" "$(telemetry | json "['prices_version'], v['playlist_version']")" \
    "(100, 10)" || die

# ---- the broker killed and started again: the kiosk comes back ----
broker_kill
sleep 1
broker_up || die
i=0
until [ "$(retained "$T/status" | json "['state']" 2>/dev/null)" = online ]; do
    i=$((i + 1))
    [ $i -le 30 ] || { fail "the kiosk did not come back online after the broker's restart"; die; }
done

# ---- the kiosk killed: its will, retained ----
kill -KILL "$KIOSK_PID"
wait "$KIOSK_PID" 2>/dev/null
i=0
until [ "$(retained "$T/status" | json "['state'] + ' ' + v['reason']" 2>/dev/null)" = "offline lost" ]; do
    i=$((i + 1))
    [ $i -le 10 ] || { fail "no will after kill -9: $(retained "$T/status")"; die; }
done
echo "fleet agent: online, telemetry, commands acked and applied, refusals, playlist, restart, broker restart, will"
