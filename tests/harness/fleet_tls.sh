#!/bin/bash
# The fleet agent over TLS with a client certificate (docs/fleet.md, "TLS"): a private CA
# (openssl), a broker that requires a certificate of it, the kiosk online with its own; then
# the kiosk with a CA that did not sign the broker's certificate: no link (a TLS error,
# tried again with a back-off), never online, and the kiosk works on.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
. "$here/fleet_lib.sh"
station_up fleettls
out=$dir/out
mkdir -p "$out" "$dir/pki"
die() { echo "--- kiosk log:" >&2; tail -n 30 "$out/kiosk.log" >&2; cat "$dir/mosquitto.log" >&2; exit 1; }
pki=$dir/pki
# ca NAME: a CA; cert NAME CA SUBJECT [SAN]: a key and a certificate signed by CA
ca() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=$1" -keyout "$pki/$1.key" -out "$pki/$1.crt" 2>/dev/null
}
cert() {
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$3" \
        -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null &&
        openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$2.crt" -CAkey "$pki/$2.key" \
            -CAcreateserial -days 2 -out "$pki/$1.crt" ${4:+-extfile <(printf 'subjectAltName=%s\n' "$4")} 2>/dev/null
}
ca fleet-ca && ca other-ca && cert broker fleet-ca broker IP:127.0.0.1 &&
    cert kiosk fleet-ca S001-T0001 || { fail "openssl"; exit 1; }
chmod 644 "$pki"/*.key # mosquitto started as root reads them as its own user
BROKER_PORT=$(free_port)
printf 'listener %s 127.0.0.1\ncafile %s\ncertfile %s\nkeyfile %s\nrequire_certificate true\nallow_anonymous true\npersistence false\n' \
    "$BROKER_PORT" "$pki/fleet-ca.crt" "$pki/broker.crt" "$pki/broker.key" >"$dir/mosquitto.conf"
mosquitto -c "$dir/mosquitto.conf" >"$dir/mosquitto.log" 2>&1 &
echo $! >>"$dir/pids"
tls() { echo --cafile "$pki/fleet-ca.crt" --cert "$pki/kiosk.crt" --key "$pki/kiosk.key"; }
i=0
until mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" $(tls) -t probe -n 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 50 ] || { fail "the TLS broker did not start"; die; }
    sleep 0.1
done
cp "$dir/kiosk.ini" "$dir/kiosk.base"
fleet_config tls_ca="$pki/fleet-ca.crt" tls_cert="$pki/kiosk.crt" tls_key="$pki/kiosk.key"
kiosk_up
status() { mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" $(tls) -t "$FLEET_BASE/status" -C 1 -W 3 2>/dev/null; }
i=0
until status | grep -q '"state":"online"'; do
    i=$((i + 1))
    [ $i -le 5 ] || { fail "not online over TLS"; die; }
done
grep -q "broker 127.0.0.1:$BROKER_PORT (TLS)" "$out/kiosk.log" || { fail "not said TLS"; die; }
kiosk_stop || die
# a CA that did not sign the broker's certificate
cp "$dir/kiosk.base" "$dir/kiosk.ini"
fleet_config tls_ca="$pki/other-ca.crt" tls_cert="$pki/kiosk.crt" tls_key="$pki/kiosk.key"
: >"$out/kiosk.log"
kiosk_up
wait_for "$out/kiosk.log" 1 "\[mqtt\] no link to 127.0.0.1:$BROKER_PORT: .*\(trying again\)" 10 || die
sleep 3
status | grep -q '"reason":"stopped"' || { fail "online with a broker it cannot trust"; die; }
grep -q "\[host\] first frame" "$out/kiosk.log" || { fail "the kiosk did not work on"; die; }
kiosk_stop || die
echo "TLS with a client certificate; a broker the kiosk cannot trust is refused"
