# Sourced by the station tests: station_up NAME starts a station in a box in a fresh temp
# folder ($dir), loads its ports and pids (station.env), stops it and removes the folder at
# exit. Needs $here (this folder) and $build (the build folder) set. admin METHOD PATH [BODY]
# talks to the simulator's admin endpoints.
station_up() {
    dir=$(mktemp -d "/tmp/kiosk-$1-XXXXXX")
    chmod 755 "$dir" # CUPS backends run as lp and must reach the spool below it
    trap '"$here/station.sh" stop "$dir"; rm -rf "$dir"' EXIT
    "$here/station.sh" start "$dir" "$build" >/dev/null || exit 1
    . "$dir/station.env"
}

admin() { curl -s -X "$1" "http://127.0.0.1:$SIM_PORT$2" ${3:+-d "$3"}; }
