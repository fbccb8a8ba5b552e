#!/bin/sh
# The run command (README): installs what it needs, builds, starts a station in a box (the
# backend simulator, a private cupsd and the ESC/POS printer emulator) and the kiosk against
# it; everything started here is stopped at exit.
# With a display: the full-screen kiosk (pass --window for a window).
# Without one: plays the built-in demo journey headless and writes its screenshots and the
# printed receipts as PNGs.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
"$root/scripts/build.sh"
build=${KIOSK_BUILD_DIR:-$root/build}
out=${KIOSK_DEMO_OUT:-$root/demo-out}
station=$(mktemp -d /tmp/kiosk-demo-station-XXXXXX)
chmod 755 "$station"
trap '"$root/tests/harness/station.sh" stop "$station"; rm -rf "$station"' EXIT INT TERM
"$root/tests/harness/station.sh" start "$station" "$build"
kiosk="$build/kiosk/kiosk"
set -- --config "$station/kiosk.ini" --set printer.receipt.test_on_start=true "$@"
if [ -n "$DISPLAY" ] || [ -n "$WAYLAND_DISPLAY" ]; then
    # The scanner (KIOSK_SCANNER): "keyboard" (a scanner in keyboard mode, or typing a code
    # and Return), "camera" or "camera:/dev/videoN" (a USB camera through V4L2: the default
    # when /dev/video0 is there), or "serial:/dev/ttyACM0" (a payment-code imager). The
    # keyboard works beside the others.
    scanner=${KIOSK_SCANNER:-}
    [ -n "$scanner" ] || { [ -e /dev/video0 ] && scanner=camera || scanner=keyboard; }
    case $scanner in
    keyboard) ;;
    camera | camera:*)
        dev=${scanner#camera}
        set -- "$@" --set scanner.keyboard.driver=keyboard --set scanner.camera.driver=camera \
            --set "scanner.camera.device=${dev#:}"
        [ -n "${dev#:}" ] || set -- "$@" --set scanner.camera.device=/dev/video0
        ;;
    serial:*)
        set -- "$@" --set scanner.keyboard.driver=keyboard --set scanner.imager.driver=serial \
            --set "scanner.imager.device=${scanner#serial:}"
        ;;
    *) echo "KIOSK_SCANNER=$scanner: keyboard, camera[:DEVICE] or serial:DEVICE" >&2; exit 2 ;;
    esac
    echo "scanner: $scanner"
    "$kiosk" "$@"
    exit $?
fi
rm -rf "$out"
mkdir -p "$out/screens" "$out/receipts"
echo "no display: playing the demo journey headless"
"$kiosk" "$@" --headless --script "$root/assets/demo.script" --out "$out/screens"
i=0 before=-1 now=0 # until the printer emulator has written every page (at most 5 s)
while [ $i -lt 50 ] && { [ "$now" != "$before" ] || [ "$now" = 0 ]; }; do
    before=$now
    sleep 0.2
    now=$(ls "$station/receipts" | wc -l)
    i=$((i + 2))
done
cp "$station"/receipts/*.png "$out/receipts/" 2>/dev/null || echo "(no receipt was printed)"
echo "demo screenshots (PNG): $out/screens"
ls "$out/screens"
echo "printed receipts (PNG): $out/receipts"
ls "$out/receipts"
