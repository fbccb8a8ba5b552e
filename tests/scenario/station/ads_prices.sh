# ads_prices: the price board on the attract screen over a pushed playlist, four grades in
# one row, then six in two at the next round; none on the home menu.
. "$here/ads_lib.sh"
# price GRADE ZH EN FEN: one item of the "prices" setting.
price() { printf '{"grade":"%s","label":{"zh_CN":"%s","en_US":"%s"},"fen_per_l":%s}' "$@"; }
FOUR="$(price 92# 92号汽油 'Petrol 92' 768),$(price 95# 95号汽油 'Petrol 95' 818),$(price 98# 98号汽油 'Petrol 98' 918),$(price 0# 0号柴油 'Diesel 0' 745)"
setup() {
    ads_sample 1 && ads_playlist 1 || return 1
    ads_set prices "{\"version\":1,\"items\":[$FOUR]}" || return 1
    on_shot 02-prices-en-landscape ads_set prices \
        "{\"version\":2,\"items\":[$FOUR,$(price E92# 乙醇汽油E92 'Ethanol E92' 761),$(price -10# -10号柴油 'Diesel -10' 789)]}"
}
check() {
    check_plays_uploaded
}
