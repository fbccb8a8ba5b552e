# Sourced by the ads tests (tests/scenario/station/ads_*.sh, adplay_crash.sh) after lib.sh:
# what the fleet agent would have done for the attract screen, done by hand (docs/fleet.md).
# Needs $here (tests/harness), $build and $dir (the station's folder).

# ads_folder VERSION: the playlist folder $dir/ads/VERSION, with the installed art
# (assets/ads/*.png) in it and its slides.ini read from stdin.
ART=$here/../../assets/ads
ads_folder() {
    mkdir -p "$dir/ads/$1" && cp "$ART"/*.png "$dir/ads/$1/" && cat >"$dir/ads/$1/slides.ini"
}

# ads_set NAME VALUE: the journal's setting NAME ("playlist", "prices"), as the fleet agent
# writes it; the journal is created first when the kiosk has not run yet. Safe while the
# kiosk runs (WAL).
ads_set() {
    [ -f "$dir/journal.db" ] || KIOSK_LOG=warn "$build/tests/journal/journal-seed" "$dir/journal.db" 0 >/dev/null ||
        return 1
    sqlite3 -cmd ".timeout 5000" "$dir/journal.db" \
        "INSERT OR REPLACE INTO settings (name, value) VALUES ('$1', '$2')"
}

# ads_unset NAME: the setting withdrawn.
ads_unset() {
    sqlite3 -cmd ".timeout 5000" "$dir/journal.db" "DELETE FROM settings WHERE name = '$1'"
}

# ads_playlist VERSION: the playlist in force is $dir/ads/VERSION.
ads_playlist() { ads_set playlist "{\"version\":$1,\"dir\":\"$dir/ads/$1\"}"; }

# ads_plays: the journal's proof-of-play records, oldest first, one a line:
# "record_id state playlist slide shown_ms interrupted start_ms".
ads_plays() {
    q "SELECT record_id, state, json_extract(body, '\$.playlist'), json_extract(body, '\$.slide'),
              json_extract(body, '\$.shown_ms'), json_extract(body, '\$.interrupted'),
              json_extract(body, '\$.start_ms')
       FROM outbox WHERE kind = 'ad_play' ORDER BY seq" | tr '|' ' '
}

# ads_uploaded: the record ids of the proof-of-play records the backend kept, sorted, and
# how many times each (the simulator keeps a record id once per terminal).
ads_uploaded() {
    sqlite3 "$dir/backend.db" \
        "SELECT record_id, count(*) FROM journal WHERE kind = 'ad_play' GROUP BY record_id ORDER BY record_id" |
        tr '|' ' '
}

# check_plays_uploaded: every proof-of-play record of the journal is sent and at the
# backend once, and the backend has none the journal does not.
check_plays_uploaded() {
    expect_eq "proof of play: not sent" \
        "$(q "SELECT count(*) FROM outbox WHERE kind = 'ad_play' AND state <> 'sent'")" 0 || return 1
    expect_eq "proof of play: the backend's records" "$(ads_uploaded)" \
        "$(q "SELECT record_id || ' 1' FROM outbox WHERE kind = 'ad_play' ORDER BY record_id")"
}

# ads_sample VERSION: a playlist of two slides (ids member-day, 4 s, with its image's
# SHA-256; and coffee, 5 s, without), of the installed art on colours of their own.
ads_sample() {
    ads_folder "$1" <<INI
[slide1]
id = member-day
image = points.png
seconds = 4
sha256 = $(sha256sum "$ART/points.png" | cut -d' ' -f1)
bg = #4A1D6B
title.zh_CN = 周三会员日，积分翻倍
subtitle.zh_CN = 每周三加油，会员积分乘二
title.en_US = Wednesday: double points
subtitle.en_US = Members earn twice the points on every fill-up
[slide2]
id = coffee
image = pay.png
seconds = 5
bg = #0F5257
title.zh_CN = 扫码加油，咖啡免费
subtitle.zh_CN = 在本机付款，便利店咖啡一杯
title.en_US = Scan to pay, coffee on us
subtitle.en_US = Pay at this kiosk and take a coffee from the shop
INI
}
