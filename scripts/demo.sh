#!/bin/sh
# The run command (README): installs what it needs, builds, and starts the kiosk demo.
# With a display: the full-screen kiosk (pass --window for a window).
# Without one: plays the built-in demo journey headless and writes its screenshots as PNGs.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
"$root/scripts/build.sh"
kiosk="${KIOSK_BUILD_DIR:-$root/build}/kiosk/kiosk"
config="$root/packaging/demo.ini"
if [ -n "$DISPLAY" ] || [ -n "$WAYLAND_DISPLAY" ]; then
    exec "$kiosk" --config "$config" "$@"
fi
out=${KIOSK_DEMO_OUT:-$root/demo-out}
rm -rf "$out"
mkdir -p "$out"
echo "no display: playing the demo journey headless"
"$kiosk" --config "$config" --headless --script "$root/assets/demo.script" --out "$out" "$@"
echo "demo screenshots (PNG): $out"
ls "$out"
