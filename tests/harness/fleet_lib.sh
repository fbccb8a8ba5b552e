# Sourced by the fleet agent's station tests (docs/fleet.md), after lib.sh and station_up:
# a private mosquitto on a free loopback port, the kiosk's [fleet] section, subscribers that
# log what the kiosk publishes, commands signed as operations sign them (openssl), and a
# small web server for playlists' images. Every process is started by pid, recorded in
# $dir/pids (stopped with the station), and every wait has a timeout.

FLEET_STATION=S001
FLEET_TERMINAL=T0001
FLEET_BASE=kiosk/$FLEET_STATION/$FLEET_TERMINAL
# The operator's test key: an Ed25519 key of this 32-byte seed (and another one, not the
# kiosk's).
FLEET_SEED=0707070707070707070707070707070707070707070707070707070707070707
FLEET_OTHER_SEED=0909090909090909090909090909090909090909090909090909090909090909

# broker_up: mosquitto on a free port ($BROKER_PORT), no persistence (a restart forgets
# what was retained), anonymous on loopback. broker_up again after broker_kill starts it on
# the same port. Up once the port is this broker's own and it takes a message: another
# test's broker may have taken the port between its probe and this one's bind (then, on a
# first start, it starts again on another port).
broker_up() {
    local i ok tries=0 fixed=${BROKER_PORT:-}
    while :; do
        [ -n "$fixed" ] || BROKER_PORT=$(free_port)
        printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n' \
            "$BROKER_PORT" >"$dir/mosquitto.conf"
        mosquitto -c "$dir/mosquitto.conf" >>"$dir/mosquitto.log" 2>&1 &
        BROKER_PID=$!
        echo $BROKER_PID >>"$dir/pids"
        i=0 ok=0
        while [ $i -le 50 ] && kill -0 "$BROKER_PID" 2>/dev/null; do
            if port_held "$BROKER_PID" "$BROKER_PORT" &&
                mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -t probe -n 2>/dev/null; then
                ok=1
                break
            fi
            i=$((i + 1))
            sleep 0.1
        done
        [ $ok = 0 ] || return 0
        broker_kill
        tries=$((tries + 1))
        [ -z "$fixed" ] && [ $tries -lt 3 ] ||
            { echo "mosquitto did not start:" >&2; cat "$dir/mosquitto.log" >&2; return 1; }
    done
}
# broker_kill: SIGKILL, as a crash.
broker_kill() { kill -KILL "$BROKER_PID" 2>/dev/null; wait "$BROKER_PID" 2>/dev/null; }

# fleet_config [KEY=VALUE...]: the kiosk's [fleet] section for this broker and key, pushed
# configuration in $dir/pushed.ini; more [fleet] keys as arguments.
fleet_config() {
    local kv
    {
        printf '[paths]\nremote_config = %s/pushed.ini\n' "$dir"
        printf '[fleet]\nbroker = 127.0.0.1\nport = %s\nstation = %s\npublic_key = %s\n' \
            "$BROKER_PORT" "$FLEET_STATION" "$(fleet_public_key "$FLEET_SEED")"
        for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"; done
    } >>"$dir/kiosk.ini"
}

# sub_log NAME TOPIC SECONDS: in the background, every message on TOPIC (wildcards allowed)
# as "topic payload" lines into $dir/NAME.sub, for at most SECONDS.
sub_log() {
    mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -v -t "$2" -W "$3" >>"$dir/$1.sub" 2>&1 &
    echo $! >>"$dir/pids"
}

# retained TOPIC: the message retained on TOPIC now (waits at most 3 s), or nothing.
retained() {
    mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t "$1" -C 1 -W 3 --retained-only 2>/dev/null
}

# wait_for FILE COUNT PATTERN SECONDS: until FILE has COUNT lines matching PATTERN (grep -E).
wait_for() {
    local i=0 limit=$(($4 * 10))
    until [ "$(grep -c -E -e "$3" "$1" 2>/dev/null)" -ge "$2" ] 2>/dev/null; do
        i=$((i + 1))
        [ $i -le $limit ] || { fail "$(basename "$1"): no $2 lines matching '$3' within $4 s"; return 1; }
        sleep 0.1
    done
}

# ack_of ID [N]: the N-th ack (1 = the first) of command ID, as "result detail" (the ack's
# fields come in the order docs/fleet.md gives).
ack_of() {
    grep -F "\"id\":\"$1\"" "$dir/acks.sub" 2>/dev/null | sed -n "${2:-1}p" |
        sed -n 's/.*"result":"\([a-z]*\)","detail":"\(.*\)","ts":[0-9]*}$/\1 \2/p'
}
# wait_ack ID RESULT [SECONDS]: until command ID has an ack of RESULT.
wait_ack() {
    wait_for "$dir/acks.sub" 1 "\"id\":\"$1\".*\"result\":\"$2\"" "${3:-10}" ||
        { echo "acks of $1:" >&2; grep -F "\"id\":\"$1\"" "$dir/acks.sub" >&2; return 1; }
}

# cmd JSON [TOPIC]: publishes a command (QoS 1) to the kiosk's cmd topic (or TOPIC).
cmd() {
    mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t "${2:-$FLEET_BASE/cmd}" -m "$1"
}

# seed_key SEED FILE: the Ed25519 private key of a 32-byte seed (hex) as DER (PKCS #8).
seed_key() {
    printf "$(printf '302e020100300506032b657004220420%s' "$1" | sed 's/../\\x&/g')" >"$2"
}

# fleet_public_key SEED: the hex Ed25519 public key of a seed.
fleet_public_key() {
    seed_key "$1" "$dir/seed.der"
    openssl pkey -inform DER -in "$dir/seed.der" -pubout -outform DER | tail -c 32 |
        od -An -v -tx1 | tr -d ' \n'
}

# signed ID CMD VERSION TO BODY_FILE [SIGNED_AS [SEED]]: a signed command as operations make
# it (docs/fleet.md, "Signing"): the Ed25519 signature of
# "fleet/" SIGNED_AS "\n" VERSION "\n" TO "\n" BODY with the key of SEED (the operator's
# test key by default), sent as kind CMD. The body is JSON-escaped with sed (\, ", tab,
# newline: what the tests' bodies hold).
signed() {
    local sig
    seed_key "${7:-$FLEET_SEED}" "$dir/seed.der"
    { printf 'fleet/%s\n%s\n%s\n' "${6:-$2}" "$3" "$4"; cat "$5"; } >"$dir/signed.bytes"
    sig=$(openssl pkeyutl -sign -rawin -keyform DER -inkey "$dir/seed.der" \
        -in "$dir/signed.bytes" | od -An -v -tx1 | tr -d ' \n')
    printf '{"id":"%s","cmd":"%s","version":%s,"to":"%s","body":"%s","sig":"%s"}' "$1" "$2" "$3" \
        "$4" "$(sed -z -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/\n/\\n/g' "$5")" "$sig"
}

# kiosk_up: the kiosk in the background (headless, no script: it runs until stopped), its
# log in $out/kiosk.log; $KIOSK_PID. kiosk_up SCRIPT: plays SCRIPT first (a restart that
# execs the kiosk again drops the script and the kiosk goes on until stopped).
kiosk_up() {
    "$build/kiosk/kiosk" --headless --config "$dir/kiosk.ini" --out "$out" \
        ${1:+--script "$1"} 2>>"$out/kiosk.log" &
    KIOSK_PID=$!
    echo $KIOSK_PID >>"$dir/pids"
}
# kiosk_stop: SIGTERM, and its end awaited (at most 10 s).
kiosk_stop() {
    kill -TERM "$KIOSK_PID" 2>/dev/null
    local i=0
    while kill -0 "$KIOSK_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    ! kill -0 "$KIOSK_PID" 2>/dev/null || { fail "the kiosk did not stop within 10 s"; return 1; }
}

# web_up: a web server for playlists' images on a free port ($WEB_PORT), serving $dir/www.
web_up() {
    WEB_PORT=$(free_port)
    mkdir -p "$dir/www"
    python3 -m http.server "$WEB_PORT" --bind 127.0.0.1 --directory "$dir/www" \
        >"$dir/web.log" 2>&1 &
    echo $! >>"$dir/pids"
    local i=0
    until curl -s -o /dev/null "http://127.0.0.1:$WEB_PORT/"; do
        i=$((i + 1))
        [ $i -le 50 ] || { echo "the web server did not start" >&2; return 1; }
        sleep 0.1
    done
}
