#!/bin/bash
# Out of service and a PIN lock survive a restart (docs/attendant.md): staff number 1002 is
# locked by five wrong PINs, supervisor 2001 takes the kiosk out of service and the kiosk
# stops (attendant_oos_on.script); started again, its home menu still says 暂停服务 with the
# message and offers nothing, 1002 is still locked, until the supervisor puts it back
# (attendant_oos_after.script). The journal's setting is gone then, both changes are
# audited and uploaded, and the PINs are nowhere.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1
. "$here/lib.sh"
station_up attendantoos
out=$dir/out
mkdir -p "$out"
: >"$dir/case.log"
kiosk_play "$here/attendant_oos_on.script" || { tail -30 "$dir/case.log"; fail "taking it out of service"; exit 1; }
expect_eq "the setting kept" "$(q "SELECT value FROM settings WHERE name='out_of_service'")" \
    "Under maintenance. Please use another kiosk." || exit 1
expect_eq "the lock kept" "$(q "SELECT value LIKE '1002 5 1%' FROM settings WHERE name='attendant_locks'")" 1 || exit 1
kiosk_play "$here/attendant_oos_after.script" || { tail -30 "$dir/case.log"; fail "after the restart"; exit 1; }
expect_eq "the setting gone" "$(q "SELECT count(*) FROM settings WHERE name='out_of_service'")" 0 || exit 1
audits() {
    admin GET /v1/admin/journal | python3 -c 'import json, sys
print(",".join(r["record_id"] for r in json.load(sys.stdin)["records"] if r["kind"] == "audit"))' | tr ',' '\n' | grep -c .
}
expect_eq "audit lines in the journal" \
    "$(q "SELECT group_concat(json_extract(body, '\$.action')) FROM outbox WHERE kind='audit' ORDER BY seq")" \
    "login_failed,login_failed,login_failed,login_failed,login_failed,locked,login,out_of_service,logout,login,in_service,logout" || exit 1
expect_eq "audit lines uploaded" "$(audits)" 12 || exit 1
check_private 135790 || exit 1
echo "out of service survived the restart"
