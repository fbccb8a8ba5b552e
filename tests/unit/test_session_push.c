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

#define ITEM(grade, zh, en, fen)                                                                   \
    "{\"grade\":\"" grade "\",\"label\":{\"zh_CN\":\"" zh "\",\"en_US\":\"" en                     \
    "\"},\"fen_per_l\":" fen "}"

static void prices_good(void **state)
{
    (void)state;
    struct prices p;
    char err[200];
    assert_int_equal(push_prices_parse("{\"version\":4,\"items\":[" ITEM("92#", "92号汽油",
                                                                          "Petrol 92", "768") ","
                                       ITEM("0#", "0号柴油", "Diesel 0", "99999") "]}",
                                       &p, err, sizeof err),
                     0);
    assert_int_equal(p.version, 4);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.v[0].grade, "92#");
    assert_int_equal(p.v[0].fen_per_l, 768);
    assert_int_equal(p.v[1].fen_per_l, 99999);
    assert_string_equal(push_price_label(&p, 0, "zh_CN"), "92号汽油");
    assert_string_equal(push_price_label(&p, 1, "en_US"), "Diesel 0");
    /* a language it has no label in: its first label */
    assert_string_equal(push_price_label(&p, 0, "ug_CN"), "92号汽油");
    /* a label in one language only; no items at all (no board) */
    assert_int_equal(push_prices_parse("{\"version\":5,\"items\":[{\"grade\":\"95#\",\"label\":"
                                       "{\"en_US\":\"Petrol 95\"},\"fen_per_l\":1}]}",
                                       &p, err, sizeof err),
                     0);
    assert_string_equal(push_price_label(&p, 0, "zh_CN"), "Petrol 95");
    assert_int_equal(push_prices_parse("{\"version\":6,\"items\":[]}", &p, err, sizeof err), 0);
    assert_int_equal(p.n, 0);
    /* eight items, the most there may be */
    char eight[2048] = "{\"version\":7,\"items\":[";
    for (int i = 0; i < PRICES_MAX; i++)
        strcat(eight, i ? "," ITEM("92#", "92号汽油", "Petrol 92", "768")
                        : ITEM("92#", "92号汽油", "Petrol 92", "768"));
    strcat(eight, "]}");
    assert_int_equal(push_prices_parse(eight, &p, err, sizeof err), 0);
    assert_int_equal(p.n, PRICES_MAX);
}

static void prices_bad(void **state)
{
    (void)state;
    static const struct {
        const char *json, *why;
    } bad[] = {
        {"{\"version\":4}", "items"},
        {"{\"version\":4,\"items\":{}}", "items"},
        {"{\"items\":[]}", "version"},
        {"{\"version\":4,\"items\":[3]}", "items[0]: not an object"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "0") "]}", "fen_per_l"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "100000") "]}", "fen_per_l"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "7.68") "]}", "fen_per_l"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "\"768\"") "]}", "fen_per_l"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "-768") "]}", "fen_per_l"},
        {"{\"version\":4,\"items\":[" ITEM("", "a", "b", "768") "]}", "grade"},
        {"{\"version\":4,\"items\":[" ITEM("92#92#92#92#92#92#", "a", "b", "768") "]}", "grade"},
        {"{\"version\":4,\"items\":[" ITEM("92\\t#", "a", "b", "768") "]}", "grade"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "", "b", "768") "]}", "label"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a\\nb", "b", "768") "]}", "label"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "\xc3", "b", "768") "]}", "label"},
        {"{\"version\":4,\"items\":[{\"grade\":\"92#\",\"fen_per_l\":768}]}", "label"},
        {"{\"version\":4,\"items\":[{\"grade\":\"92#\",\"label\":{},\"fen_per_l\":768}]}",
         "label"},
        {"{\"version\":4,\"items\":[{\"grade\":\"92#\",\"label\":{\"zh_CN\":3},\"fen_per_l\":"
         "768}]}",
         "label"},
        {"{\"version\":4,\"items\":[{\"grade\":\"92#\",\"label\":{\"zh CN\":\"a\"},\"fen_per_l\":"
         "768}]}",
         "label"},
        {"{\"version\":4,\"items\":[{\"grade\":\"92#\",\"label\":{\"a\":\"a\",\"b\":\"b\",\"c\":"
         "\"c\",\"d\":\"d\",\"e\":\"e\"},\"fen_per_l\":768}]}",
         "label"},
        {"{\"version\":4,\"items\":[{\"grade\":\"92#\",\"label\":{\"a\":\"a\",\"a\":\"b\"},"
         "\"fen_per_l\":768}]}",
         "given twice"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "768") "," ITEM("95#", "a", "b",
                                                                           "0") "]}",
         "items[1]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct prices p;
        char err[200] = "";
        assert_int_equal(push_prices_parse(bad[i].json, &p, err, sizeof err), -1);
        if (!strstr(err, bad[i].why))
            fail_msg("%s: '%s' does not say '%s'", bad[i].json, err, bad[i].why);
        assert_int_equal(p.n, 0);
        assert_int_equal(p.version, 0);
    }
    /* nine items: one too many */
    char nine[2048] = "{\"version\":7,\"items\":[";
    for (int i = 0; i <= PRICES_MAX; i++)
        strcat(nine, i ? "," ITEM("92#", "a", "b", "768") : ITEM("92#", "a", "b", "768"));
    strcat(nine, "]}");
    struct prices p;
    char err[200];
    assert_int_equal(push_prices_parse(nine, &p, err, sizeof err), -1);
    /* a label one byte too long */
    char long_label[512];
    char text[80];
    memset(text, 'x', 64);
    text[64] = '\0';
    snprintf(long_label, sizeof long_label,
             "{\"version\":4,\"items\":[{\"grade\":\"92#\",\"label\":{\"zh_CN\":\"%s\"},"
             "\"fen_per_l\":768}]}",
             text);
    assert_int_equal(push_prices_parse(long_label, &p, err, sizeof err), -1);
    text[63] = '\0';
    snprintf(long_label, sizeof long_label,
             "{\"version\":4,\"items\":[{\"grade\":\"92#\",\"label\":{\"zh_CN\":\"%s\"},"
             "\"fen_per_l\":768}]}",
             text);
    assert_int_equal(push_prices_parse(long_label, &p, err, sizeof err), 0);
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
        cmocka_unit_test(prices_good),   cmocka_unit_test(prices_bad),
        cmocka_unit_test(play_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
