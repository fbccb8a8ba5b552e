#!/bin/bash
# A power cut at every step of an update (docs/updates.md, "Power loss"): SIGKILL at each
# crash point (core/crash.h) of kiosk-update poll (download, mid-file, verify, extract,
# mid-extract, the staged state, each feedback, the final one before and after it is sent),
# of the kiosk's switch and commit, of the rollback (by kiosk-update boot after a crash
# loop, and by the kiosk after a failed trial). The kills of one update come one after the
# other, each run going on from where the last one died; the kiosk runs under a supervisor
# loop throughout. After every kill `current` holds a kiosk that starts; each update ends
# installed (or rolled back) once, with one final feedback at the DDI simulator.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/update_lib.sh"
update_up updatecrash
write_ini 12
failures=0

ok() { echo "ok ($SECONDS s): $*"; }
bad() {
    failures=$((failures + 1))
    tail -15 "$dir/update.log" "$dir/boot.log" "$dir/starts" 2>/dev/null >&2
}

# killed_poll POINT: kiosk-update poll dies at POINT; `current` still holds a kiosk.
killed_poll() {
    local rc
    KIOSK_CRASH_AT=$1 "$UPD" poll --config "$dir/kiosk.ini" >>"$dir/update.log" 2>&1
    rc=$?
    if [ $rc -ne 137 ] || ! tail -3 "$dir/update.log" | grep -q "crash point ${1%%#*}: SIGKILL"; then
        fail "poll at $1: exit $rc, not killed there"
        return 1
    fi
    [ -x "$prefix/current/bin/kiosk" ] || { fail "after $1: current has no bin/kiosk"; return 1; }
    echo "  killed at $1 ($(phase))"
}

# crashed WHERE POINT: the log of the kiosk or of boot says it died at POINT.
crashed() { grep -q "crash point $2: SIGKILL" "$dir/$1.log"; }

# journey NAME ACTION VERSION SLOT: it ended installed: closed with success once, `current`
# is SLOT, running VERSION.
installed() {
    if check_final "$2" success "home and backend reached" && expect_eq "$1: current" "$(link)" "$4" &&
        wait_for 20 started "$3"; then
        ok "$1: $3 installed in slot $4 once, reported once"
    else
        bad
    fi
}

fresh_prefix
supervise
wait_for 20 grep -qs "start 0.1.0" "$dir/starts" || bad

# ---- 1: every step of kiosk-update poll; the switch before anything and between its
#         state and its link; the commit before it is written; the final feedback after it
#         is sent (the server's 410 for the repeat ends it) ---------------------------------
make_tree v1 0.2.0 && bundle v1 0.2.0
printf 'update.switch:before\nupdate.link:before\nupdate.commit:before\n' >"$dir/crash.kiosk"
restart_kiosk
a=$(deploy "$dir/v1.fkb" 0.2.0)
for p in update.feedback:after fetch.write:after#3 update.download:after update.verify:before \
    update.verify:after update.extract:before update.extract:entry#3 update.extract:after \
    update.staged:before update.staged:after; do
    killed_poll $p || bad
done
poll
expect_eq "1: after the kills" "$(phase) $(state slot) $(ls "$prefix/download")" "staged b " || bad
if wait_for 40 phase_is committed; then
    for p in update.switch:before update.link:before update.commit:before; do
        crashed kiosk $p || { fail "the kiosk did not die at $p"; bad; }
    done
    killed_poll update.feedback:after || bad
    poll
    installed 1 "$a" 0.2.0 b
else
    fail "1: not committed (phase $(phase))"
    bad
fi

# ---- 2: more feedback points, the switch after its link, the commit after it is written,
#         the final feedback before it is sent -------------------------------------------
make_tree v2 0.3.0 && bundle v2 0.3.0
printf 'update.link:after\nupdate.commit:after\n' >"$dir/crash.kiosk"
restart_kiosk
a=$(deploy "$dir/v2.fkb" 0.3.0)
for p in update.feedback:before update.download:before update.feedback:before \
    update.feedback:before#2; do
    killed_poll $p || bad
done
poll
expect_eq "2: after the kills" "$(phase) $(state slot)" "staged a" || bad
if wait_for 40 phase_is committed; then
    for p in update.link:after update.commit:after; do
        crashed kiosk $p || { fail "the kiosk did not die at $p"; bad; }
    done
    killed_poll update.feedback:before || bad
    poll
    installed 2 "$a" 0.3.0 a
else
    fail "2: not committed (phase $(phase))"
    bad
fi

# ---- 3: a crash loop, the switch killed after it, boot killed before its rollback and
#         between the rollback's state and its link ---------------------------------------
make_tree v3 0.3.1 crash && bundle v3 0.3.1
printf 'update.switch:after\n' >"$dir/crash.kiosk"
restart_kiosk
# boots: after the switch (start 1), after a crash (start 2), at the rollback (3rd start)
printf '\n\nupdate.rollback:before\nupdate.link:before\n' >"$dir/crash.boot"
a=$(deploy "$dir/v3.fkb" 0.3.1)
poll_until 5 staged || bad
if wait_for 40 phase_is failed && wait_for 20 started 0.3.0; then
    crashed kiosk update.switch:after || { fail "the kiosk did not die at update.switch:after"; bad; }
    for p in update.rollback:before update.link:before; do
        crashed boot $p || { fail "boot did not die at $p"; bad; }
    done
    poll
    if check_final "$a" failure "crash loop" && expect_eq "3: current" "$(link)" a; then
        ok "3: 0.3.1 rolled back to 0.3.0 in slot a through boot's kills, reported once"
    else
        bad
    fi
else
    fail "3: not rolled back (phase $(phase))"
    bad
fi

# ---- 4: a failed trial rolled back by the kiosk, killed after the rollback ---------------
make_tree v4 0.3.2 nobackend && bundle v4 0.3.2
: >"$dir/crash.boot"
write_ini 6 # a shorter trial: the kiosk that switches reads it at its start
restart_kiosk
printf 'update.rollback:after\n' >"$dir/crash.kiosk"
a=$(deploy "$dir/v4.fkb" 0.3.2) # the running kiosk switches; the new one takes the point
poll_until 5 staged || bad
if wait_for 60 phase_is failed && wait_for 20 started 0.3.0; then
    crashed kiosk update.rollback:after || { fail "the kiosk did not die at update.rollback:after"; bad; }
    poll
    if check_final "$a" failure "the backend never answered" && expect_eq "4: current" "$(link)" a; then
        ok "4: 0.3.2 rolled back to 0.3.0 by the kiosk, reported once"
    else
        bad
    fi
else
    fail "4: not rolled back (phase $(phase))"
    bad
fi

unsupervise
echo "starts: $(grep -c start "$dir/starts"), exits: $(grep exit "$dir/starts" | sort | uniq -c | tr -s ' \n' ' ')"
[ $failures -eq 0 ] && echo "update_crash: all passed" || echo "update_crash: $failures failure(s)"
[ $failures -eq 0 ]
