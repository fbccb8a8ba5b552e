# ads_playlist: a pushed playlist on the attract screen, switched at the next round of slides;
# a playlist whose image is not a PNG is refused and the one on screen stays; the setting
# withdrawn, the installed slides again; every slide a pushed playlist showed has its proof
# of play, journaled and uploaded once.
. "$here/ads_lib.sh"
setup() {
    ads_sample 1 || return 1
    ads_folder 2 <<INI || return 1
[slide1]
id = new-year
image = invoice.png
seconds = 6
bg = #7A1F1F
title.zh_CN = 新春加油季
subtitle.zh_CN = 加油满 300 元立减 15 元
title.en_US = New Year at the pump
subtitle.en_US = ¥15 off every fill-up of ¥300 or more
INI
    ads_folder 3 <<INI || return 1
[slide1]
image = broken.png
title.zh_CN = 不该出现
INI
    echo "not a picture" >"$dir/ads/3/broken.png"
    ads_playlist 1 || return 1
    on_shot 02-pushed-slide2-zh-portrait ads_playlist 2
    on_shot 03-switched-zh-portrait ads_playlist 3
    on_log 1 "attract -> home" ads_unset playlist
}
# The plays as "playlist/slide/interrupted", and each one's duration within what the script
# waited (the kiosk's clock also moves with real time: up to 3 s more).
check() {
    expect_eq "proof of play" "$(ads_plays | awk '{printf "%s/%s/%s ", $3, $4, $6}')" \
        "1/member-day/0 1/coffee/0 2/new-year/0 2/new-year/1 " || return 1
    expect_eq "durations" "$(ads_plays | awk '{ split("4000 6000 6000 0", min); split("7000 9000 9000 6000", max)
        printf "%s ", ($5 >= min[NR] && $5 < max[NR]) ? "ok" : $5 }')" "ok ok ok ok " || return 1
    expect_eq "the asset: its SHA-256 grouped, or its image" \
        "$(q "SELECT json_extract(body, '\$.sha256') IS NOT NULL, json_extract(body, '\$.image') FROM outbox WHERE kind = 'ad_play' ORDER BY seq LIMIT 2" | tr '\n' ' ')" \
        "1| 0|pay.png " || return 1
    grep -q "playlist 3 not shown: .*broken.png is missing or not a PNG" "$out/kiosk.log" ||
        { fail "no word of playlist 3 in the log"; return 1; }
    grep -q "playlist withdrawn: the installed slides again" "$out/kiosk.log" ||
        { fail "no word of the playlist withdrawn in the log"; return 1; }
    check_plays_uploaded
}
