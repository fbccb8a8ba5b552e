/* What operations push for the attract screen, as the session reads it from the journal's
 * settings (the playlist in force, the prices), and the proof-of-play record it writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/prices.h"
#include "push.h"
#include "record.h"

static void playlist_good(void **state)
{
    (void)state;
    struct push_playlist pl;
    char err[200];
    assert_int_equal(push_playlist_parse("{\"version\":12,\"dir\":\"/var/lib/kiosk/ads/12\"}",
                                         &pl, err, sizeof err),
                     0);
    assert_int_equal(pl.version, 12);
    assert_string_equal(pl.dir, "/var/lib/kiosk/ads/12");
    /* fields it does not know are the fleet agent's */
    assert_int_equal(push_playlist_parse("{\"dir\":\"/a\",\"version\":9007199254740992,"
                                         "\"assets\":[]}",
                                         &pl, err, sizeof err),
                     0);
    assert_int_equal(pl.version, INT64_C(9007199254740992));
}

/* Each kind of bad setting is refused whole, with the reason; nothing half read stays. */
static void playlist_bad(void **state)
{
    (void)state;
    static const struct {
        const char *json, *why;
    } bad[] = {
        {"", "not a JSON object"},
        {"[1]", "not a JSON object"},
        {"{\"version\":3", "not a JSON object"},
        {"{\"dir\":\"/a\"}", "version"},
        {"{\"version\":0,\"dir\":\"/a\"}", "version"},
        {"{\"version\":-1,\"dir\":\"/a\"}", "version"},
        {"{\"version\":1.5,\"dir\":\"/a\"}", "version"},
        {"{\"version\":\"3\",\"dir\":\"/a\"}", "version"},
        {"{\"version\":9007199254740993000,\"dir\":\"/a\"}", "version"},
        {"{\"version\":3}", "dir"},
        {"{\"version\":3,\"dir\":\"\"}", "dir"},
        {"{\"version\":3,\"dir\":\"ads/3\"}", "dir"},
        {"{\"version\":3,\"dir\":\"/var/lib/kiosk/ads/../../etc\"}", "dir"},
        {"{\"version\":3,\"dir\":\"/a\\nb\"}", "dir"},
        {"{\"version\":3,\"dir\":\"/\xff\"}", "dir"},
        {"{\"version\":3,\"dir\":3}", "dir"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct push_playlist pl;
        char err[200] = "";
        assert_int_equal(push_playlist_parse(bad[i].json, &pl, err, sizeof err), -1);
        assert_non_null(strstr(err, bad[i].why));
        assert_int_equal(pl.version, 0);
        assert_string_equal(pl.dir, "");
    }
    char long_dir[400] = "{\"version\":3,\"dir\":\"/";
    memset(long_dir + strlen(long_dir), 'a', 300);
    strcat(long_dir, "\"}");
    struct push_playlist pl;
    char err[200];
    assert_int_equal(push_playlist_parse(long_dir, &pl, err, sizeof err), -1);
    assert_int_equal(push_playlist_parse(NULL, &pl, err, sizeof err), -1);
}

/* The "prices" setting as the fleet agent writes it (docs/fleet.md) is read as the session
 * does (ads.c: core/prices.h with the setting's own version) into the board the attract
 * screen draws, each label in the customer's language. The schema's own cases are
 * unit_prices'. */
static void prices_setting(void **state)
{
    (void)state;
    struct price_board b;
    char err[200];
    assert_int_equal(prices_parse("{\"version\":100,\"items\":[{\"grade\":\"92#\",\"label\":{"
                                  "\"zh_CN\":\"92号汽油\",\"en_US\":\"Petrol 92\"},\"fen_per_l\":"
                                  "768},{\"grade\":\"0#\",\"label\":{\"zh_CN\":\"0号柴油\","
                                  "\"en_US\":\"Diesel 0\"},\"fen_per_l\":712}]}",
                                  0, &b, err, sizeof err),
                     0);
    assert_int_equal(b.version, 100);
    assert_int_equal(b.n, 2);
    assert_string_equal(prices_label(&b.v[0], "zh_CN"), "92号汽油");
    assert_string_equal(prices_label(&b.v[1], "en_US"), "Diesel 0");
    assert_int_equal(b.v[1].fen_per_l, 712);
    /* a push's body is no setting: it has no version of its own */
    assert_int_equal(prices_parse("{\"items\":[]}", 0, &b, err, sizeof err), -1);
    assert_non_null(strstr(err, "version"));
    assert_int_equal(b.n, 0);
}

/* The proof of play: every field, the SHA-256 in groups of eight (never a run of 16 digits,
 * which the journal refuses), the image's name only without it. */
static void play_record(void **state)
{
    (void)state;
    struct ad_play p = {"T0001", 12, "member-day",
                        "0123456789012345678901234567890123456789012345678901234567890123",
                        "points.png", INT64_C(1795399200123), 4012, 0};
    char *body = sess_record_play(&p);
    assert_non_null(body);
    assert_string_equal(body, "{\"terminal\":\"T0001\",\"playlist\":12,\"slide\":\"member-day\","
                              "\"sha256\":\"01234567 89012345 67890123 45678901 23456789 "
                              "01234567 89012345 67890123\",\"start_ms\":1795399200123,"
                              "\"shown_ms\":4012,\"interrupted\":false}");
    free(body);
    p.sha256 = "";
    p.interrupted = 1;
    body = sess_record_play(&p);
    assert_non_null(body);
    assert_non_null(strstr(body, "\"image\":\"points.png\""));
    assert_null(strstr(body, "sha256"));
    assert_non_null(strstr(body, "\"interrupted\":true"));
    free(body);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(playlist_good), cmocka_unit_test(playlist_bad),
        cmocka_unit_test(prices_setting), cmocka_unit_test(play_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
