#!/bin/sh
# deb.sh BUILD_DIR: the Debian package (docs/packaging.md). Builds it with CPack from
# BUILD_DIR, checks what it holds (paths, conffiles, modes, owners, no RPATH) and runs
# lintian on it. As root it then installs it, checks the user, its groups and folder and the
# units (systemd-analyze verify; started for real where systemd is PID 1), plays a scripted
# session with the installed kiosk as the fuel-kiosk user against the backend simulator, and
# always purges the package at the end and checks that nothing of it is left.
#
# It refuses to run where fuel-kiosk is installed already, or its user or folders exist: the
# machine is left as it was found.
set -u
build=$(cd "${1:?usage: deb.sh BUILD_DIR}" && pwd) || exit 1
start=$(date +%s)

fail() {
    echo "FAILED: $*" >&2
    exit 1
}
step() { echo "== $* ($(($(date +%s) - start)) s)"; }

if [ ! -f "$build/CPackConfig.cmake" ] || [ ! -f "$build/packaging/package.env" ]; then
    fail "$build has no packaging (CPackConfig.cmake, packaging/package.env): configure it again"
fi
. "$build/packaging/package.env"
root=0
[ "$(id -u)" -eq 0 ] && root=1

# pkg_present: dpkg knows fuel-kiosk in any state but "not installed" (installed, unpacked,
# half-configured, config files left).
pkg_present() {
    st=$(dpkg-query -W -f='${db:Status-Abbrev}' fuel-kiosk 2>/dev/null) || return 1
    [ "$(printf '%s' "$st" | cut -c2)" != n ]
}

if [ $root -eq 1 ]; then
    if pkg_present; then
        fail "the package fuel-kiosk is installed on this machine already; this test installs and purges it, so it does not run here (dpkg --purge fuel-kiosk first, if that is what you want)"
    fi
    for p in /etc/fuel-kiosk /etc/default/fuel-kiosk /var/lib/fuel-kiosk /usr/lib/fuel-kiosk; do
        [ -e "$p" ] && fail "$p exists already (left from an earlier install?): this test would purge it"
    done
    getent passwd fuel-kiosk >/dev/null && fail "the user fuel-kiosk exists already: this test would remove it"
    getent group fuel-kiosk >/dev/null && fail "the group fuel-kiosk exists already: this test would remove it"
fi

tmp=$(mktemp -d /tmp/kiosk-package-XXXXXX) || exit 1
chmod 755 "$tmp" # the fuel-kiosk user reads the script and writes its screenshots below it
installed=0
pids=""

# Always: the helpers stopped by pid, the package purged and checked gone, the folder removed.
cleanup() {
    rc=$?
    trap - EXIT INT TERM
    for pid in $pids; do
        kill -TERM "$pid" 2>/dev/null || continue
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$pid" 2>/dev/null
    done
    if [ $installed -eq 1 ]; then
        step "purge"
        if ! dpkg --purge fuel-kiosk >"$tmp/purge.log" 2>&1; then
            cat "$tmp/purge.log" >&2
            echo "FAILED: dpkg --purge fuel-kiosk" >&2
            rc=1
        fi
        left=""
        pkg_present && left="$left dpkg-status"
        getent passwd fuel-kiosk >/dev/null && left="$left user"
        getent group fuel-kiosk >/dev/null && left="$left group"
        grep -q 'fuel-kiosk' /etc/group && left="$left group-memberships"
        for p in /etc/fuel-kiosk /etc/default/fuel-kiosk /var/lib/fuel-kiosk /var/cache/fuel-kiosk \
            /usr/lib/fuel-kiosk /usr/share/fuel-kiosk /usr/share/doc/fuel-kiosk \
            /lib/systemd/system/fuel-kiosk.service /lib/systemd/system/fuel-kiosk-update.service \
            /usr/lib/sysusers.d/fuel-kiosk.conf /lib/udev/rules.d/60-fuel-kiosk.rules \
            /usr/share/lintian/overrides/fuel-kiosk \
            /etc/systemd/system/fuel-kiosk.service /etc/systemd/system/fuel-kiosk-update.service \
            /etc/systemd/system/multi-user.target.wants/fuel-kiosk.service \
            /etc/systemd/system/multi-user.target.wants/fuel-kiosk-update.service; do
            { [ -e "$p" ] || [ -L "$p" ]; } && left="$left $p"
        done
        dpkg-statoverride --list | grep -q fuel-kiosk && left="$left dpkg-statoverride"
        find /var/lib/systemd/deb-systemd-helper-enabled -name '*fuel-kiosk*' 2>/dev/null | grep -q . &&
            left="$left deb-systemd-helper-state"
        if [ -n "$left" ]; then
            echo "FAILED: left after purge:$left" >&2
            rc=1
        fi
    fi
    rm -rf "$tmp"
    echo "package_deb: $(($(date +%s) - start)) s"
    exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

step "build the package (cpack)"
(cd "$build" && cpack --config "$build/CPackConfig.cmake" -B "$tmp/cpack") >"$tmp/cpack.log" 2>&1 ||
    { cat "$tmp/cpack.log" >&2; fail "cpack"; }
deb=$(ls "$tmp"/cpack/fuel-kiosk_*.deb 2>/dev/null)
[ -n "$deb" ] && [ "$(echo "$deb" | wc -l)" -eq 1 ] || { cat "$tmp/cpack.log" >&2; fail "cpack made no fuel-kiosk_*.deb"; }
echo "$(basename "$deb"): $(du -k "$deb" | cut -f1) kB"

step "contents (dpkg-deb -c, -I)"
dpkg-deb -c "$deb" >"$tmp/contents" || fail "dpkg-deb -c"
# "MODE OWNER/GROUP SIZE DATE TIME ./PATH" -> "MODE OWNER/GROUP /PATH"
awk '{ p = $6; sub(/^\./, "", p); print $1, $2, p }' "$tmp/contents" >"$tmp/list"
has() { grep -q " $1\$" "$tmp/list" || fail "the package has no $1"; }
mode_of() { awk -v p="$1" '$3 == p { print $1 }' "$tmp/list"; }
expect_mode() {
    has "$1"
    [ "$(mode_of "$1")" = "$2" ] || fail "$1 is $(mode_of "$1"), expected $2"
}
expect_mode /usr/lib/fuel-kiosk/bin/kiosk -rwxr-xr-x
expect_mode /usr/lib/fuel-kiosk/fuel-kiosk-run -rwxr-xr-x
if [ "$HAS_UPDATE" = 1 ]; then
    expect_mode /usr/lib/fuel-kiosk/bin/kiosk-update -rwxr-xr-x
    expect_mode /lib/systemd/system/fuel-kiosk-update.service -rw-r--r--
fi
for f in /etc/fuel-kiosk/kiosk.ini /etc/default/fuel-kiosk /lib/systemd/system/fuel-kiosk.service \
    /usr/lib/sysusers.d/fuel-kiosk.conf /lib/udev/rules.d/60-fuel-kiosk.rules \
    /usr/share/doc/fuel-kiosk/copyright /usr/share/doc/fuel-kiosk/changelog.Debian.gz \
    /usr/share/doc/fuel-kiosk/packaging.md.gz /usr/share/doc/fuel-kiosk/config.md.gz \
    /usr/share/fuel-kiosk/assets/ads/slides.ini /usr/share/fuel-kiosk/assets/icons/fuel.png \
    /usr/share/fuel-kiosk/locale/zh_CN/LC_MESSAGES/kiosk.mo \
    /usr/share/fuel-kiosk/locale/en_US/LC_MESSAGES/kiosk.mo; do
    expect_mode "$f" -rw-r--r--
done
if [ "$HAS_VOICE" = 1 ]; then
    grep -q ' /usr/share/fuel-kiosk/voice/zh_CN/[^/]*\.wav$' "$tmp/list" || fail "no voice prompts"
fi
grep -q 'demo.script' "$tmp/list" && fail "the demo script is in the package"
awk '$2 != "root/root" { print }' "$tmp/list" | grep . && fail "files not owned by root/root (above)"
# world-writable, setuid or setgid: none
awk 'substr($1, 9, 1) == "w" || substr($1, 4, 1) ~ /[sS]/ || substr($1, 7, 1) ~ /[sS]/' "$tmp/list" |
    grep . && fail "world-writable or set-id files (above)"
awk 'substr($1, 1, 1) == "d" && $1 != "drwxr-xr-x"' "$tmp/list" | grep . && fail "directories not 0755 (above)"
# Every file is in the package's own places.
awk 'substr($1, 1, 1) != "d" { print $3 }' "$tmp/list" | grep -v -E \
    '^/(usr/lib/fuel-kiosk/|usr/share/fuel-kiosk/|usr/share/doc/fuel-kiosk/|etc/fuel-kiosk/kiosk\.ini$|etc/default/fuel-kiosk$|lib/systemd/system/fuel-kiosk(-update)?\.service$|usr/lib/sysusers\.d/fuel-kiosk\.conf$|lib/udev/rules\.d/60-fuel-kiosk\.rules$|usr/share/lintian/overrides/fuel-kiosk$)' |
    grep . && fail "files outside the package's places (above)"

dpkg-deb -I "$deb" >"$tmp/info" || fail "dpkg-deb -I"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = fuel-kiosk ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$DEB_VERSION" ] || fail "Version: $(field Version), expected $DEB_VERSION"
for d in fonts-noto-cjk udev libsdl2-2.0-0 libcurl3-gnutls libsqlite3-0; do
    field Depends | tr ',' '\n' | grep -q "^ *$d\\b" || fail "Depends has no $d: $(field Depends)"
done
mkdir "$tmp/control" && dpkg-deb -e "$deb" "$tmp/control" || fail "dpkg-deb -e"
printf '/etc/fuel-kiosk/kiosk.ini\n/etc/default/fuel-kiosk\n' | cmp -s - "$tmp/control/conffiles" ||
    { cat "$tmp/control/conffiles" >&2; fail "conffiles (above) are not kiosk.ini and /etc/default/fuel-kiosk"; }
for s in postinst prerm postrm; do
    [ -x "$tmp/control/$s" ] || fail "no executable $s"
    sh -n "$tmp/control/$s" || fail "$s: syntax"
done
dpkg-deb -x "$deb" "$tmp/root" || fail "dpkg-deb -x"
for b in "$tmp"/root/usr/lib/fuel-kiosk/bin/*; do
    readelf -d "$b" | grep -E 'RPATH|RUNPATH' && fail "$(basename "$b") has a library search path (above)"
    readelf -S "$b" | grep -q '\.debug_info' && fail "$(basename "$b") is not stripped"
done
sh -n "$tmp/root/usr/lib/fuel-kiosk/fuel-kiosk-run" || fail "fuel-kiosk-run: syntax"

step "lintian"
if command -v lintian >/dev/null 2>&1; then
    # Errors and warnings fail; info and pedantic tags are not shown.
    if ! lintian --fail-on error,warning "$deb" >"$tmp/lintian" 2>&1; then
        cat "$tmp/lintian" >&2
        fail "lintian"
    fi
    cat "$tmp/lintian"
    echo "lintian: no errors or warnings"
else
    echo "SKIP lintian: not installed (scripts/deps.sh installs it)"
fi

if [ $root -eq 0 ]; then
    echo "SKIP install, units, run as fuel-kiosk, purge: not root"
    exit 0
fi

step "install (dpkg -i)"
installed=1
if ! dpkg -i "$deb" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2
    fail "dpkg -i (missing dependencies? scripts/deps.sh installs them)"
fi
getent passwd fuel-kiosk >/dev/null || fail "no user fuel-kiosk"
shell=$(getent passwd fuel-kiosk | cut -d: -f7)
[ "$shell" = /usr/sbin/nologin ] || fail "fuel-kiosk's shell is $shell"
for g in dialout video lp plugdev input render audio; do
    id -nG fuel-kiosk | tr ' ' '\n' | grep -qx "$g" || fail "fuel-kiosk is not in group $g"
done
[ "$(stat -c '%U:%G %a' /etc/fuel-kiosk/kiosk.ini)" = "root:fuel-kiosk 640" ] ||
    fail "/etc/fuel-kiosk/kiosk.ini (keys in it) is $(stat -c '%U:%G %a' /etc/fuel-kiosk/kiosk.ini)"
[ "$(stat -c '%U:%G %a' /var/lib/fuel-kiosk)" = "fuel-kiosk:fuel-kiosk 750" ] ||
    fail "/var/lib/fuel-kiosk is $(stat -c '%U:%G %a' /var/lib/fuel-kiosk)"
dpkg -L fuel-kiosk | while read -r f; do
    [ -e "$f" ] || { echo "FAILED: $f is not installed" >&2; exit 1; }
done || exit 1
[ -L /etc/systemd/system/multi-user.target.wants/fuel-kiosk.service ] ||
    fail "fuel-kiosk.service is not enabled"

step "units (systemd-analyze verify)"
units=/lib/systemd/system/fuel-kiosk.service
[ "$HAS_UPDATE" = 1 ] && units="$units /lib/systemd/system/fuel-kiosk-update.service"
# Harmless here: units the kiosk's unit is ordered after but this machine lacks (plymouth,
# cups, pcscd), and systemd not being PID 1 (a container) when it reads the units.
# shellcheck disable=SC2086
systemd-analyze verify $units >"$tmp/verify" 2>&1
grep -v -E \
    -e "^(plymouth-quit-wait|cups|pcscd|getty@tty1|systemd-user-sessions)\.(service|socket): .*(not found|No such file)" \
    -e "Failed to (connect to|open) .*(bus|/run/systemd)" \
    -e "System has not been booted with systemd" \
    -e "^Unit .* not found" \
    "$tmp/verify" >"$tmp/verify.real"
if [ -s "$tmp/verify.real" ]; then
    cat "$tmp/verify.real" >&2
    fail "systemd-analyze verify (above)"
fi
[ -s "$tmp/verify" ] && { echo "(ignored:)"; sed 's/^/  /' "$tmp/verify"; }

if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && [ -d /run/systemd/system ]; then
    # The unit's sandbox, user, notify and watchdog for real, with the kiosk headless (no
    # display here) and without taking tty1 from whoever is on it: a copy of the unit with
    # another ExecStart= and no Conflicts=, in /run (gone at reboot if this test dies).
    step "start the unit (systemd is PID 1)"
    t=/run/systemd/system/fuel-kiosk-pkgtest.service
    sed -e '/^Conflicts=/d' -e '/^\[Install\]/,$d' \
        -e 's|^ExecStart=.*|ExecStart=/usr/lib/fuel-kiosk/bin/kiosk --headless --config /etc/fuel-kiosk/kiosk.ini|' \
        /lib/systemd/system/fuel-kiosk.service >"$t"
    systemctl daemon-reload
    systemctl start fuel-kiosk-pkgtest.service # Type=notify: returns once READY=1 came
    state=$(systemctl is-active fuel-kiosk-pkgtest.service)
    journalctl -u fuel-kiosk-pkgtest.service --no-pager -n 20 >"$tmp/unit.log" 2>&1
    systemctl stop fuel-kiosk-pkgtest.service
    rm -f "$t"
    systemctl daemon-reload
    systemctl reset-failed fuel-kiosk-pkgtest.service 2>/dev/null
    [ "$state" = active ] || { cat "$tmp/unit.log" >&2; fail "the unit did not become active: $state"; }
    echo "active"
else
    echo "SKIP starting the unit: systemd is not PID 1 here"
fi

step "a session with the installed kiosk as fuel-kiosk"
KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
"$build/tests/sim/backend/kiosk-backend-sim" --port 0 --port-file "$tmp/sim.port" \
    --db "$tmp/backend.db" --terminal "T0001:$KEY" >"$tmp/sim.log" 2>&1 &
pids="$pids $!"
i=0
while [ ! -s "$tmp/sim.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/sim.port" ] || { cat "$tmp/sim.log" >&2; fail "backend simulator did not start"; }
cat >"$tmp/session.script" <<'SCRIPT'
wait attract
tap attract.start
wait home
available home.fuel
shot home
SCRIPT
mkdir "$tmp/out" "$tmp/cache" && chown fuel-kiosk:fuel-kiosk "$tmp/out" "$tmp/cache"
# The installed configuration as it is (its folders, its data_dir /var/lib/fuel-kiosk), with
# the simulator as the station system.
if ! runuser -u fuel-kiosk -- env HOME=/var/lib/fuel-kiosk XDG_CACHE_HOME="$tmp/cache" \
    timeout 60 /usr/lib/fuel-kiosk/bin/kiosk --headless --config /etc/fuel-kiosk/kiosk.ini \
    --set "backend.url=http://127.0.0.1:$(cat "$tmp/sim.port")" --set "backend.key=$KEY" \
    --script "$tmp/session.script" --out "$tmp/out" 2>"$tmp/kiosk.log"; then
    tail -30 "$tmp/kiosk.log" >&2
    fail "the installed kiosk's session as fuel-kiosk"
fi
[ "$(head -c 8 "$tmp/out/home.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    { ls -la "$tmp/out" >&2; fail "no screenshot home.png"; }
[ "$(stat -c %U /var/lib/fuel-kiosk/journal.db 2>/dev/null)" = fuel-kiosk ] ||
    fail "no journal of fuel-kiosk's in /var/lib/fuel-kiosk"
echo "home.png, journal in /var/lib/fuel-kiosk"
exit 0
