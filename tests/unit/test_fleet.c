/* The fleet agent's pure part (kiosk/services/fleet: docs/fleet.md): commands read strictly,
 * signed pushes checked (good, a bad signature, another key, a signature of another kind or
 * for another kiosk, a version not newer, no key), what a push may not name, a prices push
 * made into the setting (core/prices.h's schema) and its version read back, playlists read
 * and written as the session reads them (its own readers check it), the slide manifest,
 * status, telemetry and ack payloads, the agent's state across a restart, ids seen again,
 * the quiet moment, when telemetry goes out, and the redaction of logs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/codes.h"
#include "core/log.h"
#include "core/prices.h"
#include "core/sign.h"
#include "flow.h"
#include "push.h"
#include "redact.h"
#include "slides.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static uint8_t sk[SIGN_ED_SK_LEN], sk2[SIGN_ED_SK_LEN];
static char pk_hex[65], pk2_hex[65];

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void keys(void)
{
    uint8_t seed[32], pk[SIGN_ED_PK_LEN];
    memset(seed, 7, sizeof seed);
    sign_ed25519_seed_keypair(seed, pk, sk);
    hex(pk, sizeof pk, pk_hex);
    memset(seed, 9, sizeof seed);
    sign_ed25519_seed_keypair(seed, pk, sk2);
    hex(pk, sizeof pk, pk2_hex);
}

/* A signed command as operations send it: the signature by `key` of (sign_cmd, version, to,
 * body), sent as kind `cmd`. Malloc'd JSON. */
static char *signed_cmd(const char *id, const char *cmd, const char *sign_cmd, int64_t version,
                        const char *to, const char *body, const uint8_t *key)
{
    size_t n;
    char *bytes = fl_signed_bytes(sign_cmd, version, to, body, &n);
    uint8_t sig[SIGN_ED_SIG_LEN];
    char sig_hex[129];
    sign_ed25519_sign(key, bytes, n, sig);
    hex(sig, sizeof sig, sig_hex);
    free(bytes);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "cmd", cmd);
    cJSON_AddNumberToObject(o, "version", (double)version);
    cJSON_AddStringToObject(o, "to", to);
    cJSON_AddStringToObject(o, "body", body);
    cJSON_AddStringToObject(o, "sig", sig_hex);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static int parse(const char *text, struct fl_command *c, char *why, size_t cap)
{
    return fl_command_parse(text, strlen(text), c, why, cap);
}

/* Parses a signed command and checks it for kiosk S001/T0001 with version `in_force`. */
static int check(const char *json, const char *key_hex, int64_t in_force, char *why, size_t cap)
{
    struct fl_command c;
    int rc = parse(json, &c, why, cap);
    if (rc == 0)
        rc = fl_signed_check(&c, key_hex, "S001", "T0001", in_force, why, cap);
    fl_command_free(&c);
    return rc;
}

/* ---- commands ----------------------------------------------------------------------------- */

static void commands_good(void **state)
{
    (void)state;
    struct fl_command c;
    char why[200];
    assert_int_equal(parse("{\"id\":\"c-1\",\"cmd\":\"reload_config\"}", &c, why, sizeof why), 0);
    assert_int_equal(c.cmd, FL_RELOAD_CONFIG);
    assert_string_equal(c.id, "c-1");
    fl_command_free(&c);
    assert_int_equal(parse("{\"cmd\":\"out_of_service\",\"on\":true,\"id\":\"o:2.x_Y\"}", &c, why,
                           sizeof why), 0);
    assert_int_equal(c.cmd, FL_OUT_OF_SERVICE);
    assert_int_equal(c.on, 1);
    assert_string_equal(fl_oos_msgids[c.message], "Under maintenance. Please use another kiosk.");
    fl_command_free(&c);
    assert_int_equal(parse("{\"id\":\"o3\",\"cmd\":\"out_of_service\",\"on\":true,"
                           "\"message\":\"night\"}", &c, why, sizeof why), 0);
    assert_string_equal(fl_oos_msgids[c.message], "Closed for the night.");
    fl_command_free(&c);
    assert_int_equal(parse("{\"id\":\"o4\",\"cmd\":\"out_of_service\",\"on\":false}", &c, why,
                           sizeof why), 0);
    assert_int_equal(c.on, 0);
    fl_command_free(&c);
    assert_int_equal(parse("{\"id\":\"l1\",\"cmd\":\"collect_logs\"}", &c, why, sizeof why), 0);
    assert_int_equal(c.lines, FL_LOG_LINES_DEFAULT);
    fl_command_free(&c);
    assert_int_equal(parse("{\"id\":\"l2\",\"cmd\":\"collect_logs\",\"lines\":256}", &c, why,
                           sizeof why), 0);
    assert_int_equal(c.lines, 256);
    fl_command_free(&c);
    assert_int_equal(parse("{\"id\":\"p1\",\"cmd\":\"print_test_slip\"}", &c, why, sizeof why), 0);
    assert_int_equal(c.cmd, FL_PRINT_TEST_SLIP);
    fl_command_free(&c);
    char *s = signed_cmd("cfg-1", "config", "config", 7, "S001/T0001", "[kiosk]\nx = 1\n", sk);
    assert_int_equal(parse(s, &c, why, sizeof why), 0);
    assert_int_equal(c.cmd, FL_CONFIG);
    assert_int_equal(c.version, 7);
    assert_string_equal(c.to, "S001/T0001");
    assert_string_equal(c.body, "[kiosk]\nx = 1\n");
    fl_command_free(&c);
    assert_null(c.body);
    free(s);
}

/* Garbage is refused with a reason; the id is kept when it had a usable one (to ack). */
static void commands_bad(void **state)
{
    (void)state;
    static const struct {
        const char *json, *id, *why;
    } bad[] = {
        {"", "", "not a JSON object"},
        {"not json", "", "not a JSON object"},
        {"[1,2]", "", "not a JSON object"},
        {"{\"cmd\":\"reload_config\"}", "", "id"},
        {"{\"id\":\"\",\"cmd\":\"reload_config\"}", "", "id"},
        {"{\"id\":\"a b\",\"cmd\":\"reload_config\"}", "", "id"},
        {"{\"id\":\"a/b\",\"cmd\":\"reload_config\"}", "", "id"},
        {"{\"id\":12,\"cmd\":\"reload_config\"}", "", "id"},
        {"{\"id\":\"x1\"}", "x1", "cmd"},
        {"{\"id\":\"x1\",\"cmd\":7}", "x1", "cmd"},
        {"{\"id\":\"x1\",\"cmd\":\"Reload\"}", "x1", "cmd"},
        {"{\"id\":\"x1\",\"cmd\":\"reboot\"}", "x1", "unknown command reboot"},
        {"{\"id\":\"x1\",\"cmd\":\"reload_config\",\"now\":true}", "x1", "a field it does not"},
        {"{\"id\":\"x1\",\"cmd\":\"out_of_service\"}", "x1", "on:"},
        {"{\"id\":\"x1\",\"cmd\":\"out_of_service\",\"on\":1}", "x1", "on:"},
        {"{\"id\":\"x1\",\"cmd\":\"out_of_service\",\"on\":true,\"message\":\"lunch\"}", "x1",
         "message"},
        {"{\"id\":\"x1\",\"cmd\":\"out_of_service\",\"on\":true,\"message\":3}", "x1", "message"},
        {"{\"id\":\"x1\",\"cmd\":\"collect_logs\",\"lines\":0}", "x1", "lines"},
        {"{\"id\":\"x1\",\"cmd\":\"collect_logs\",\"lines\":257}", "x1", "lines"},
        {"{\"id\":\"x1\",\"cmd\":\"collect_logs\",\"lines\":2.5}", "x1", "lines"},
        {"{\"id\":\"x1\",\"cmd\":\"prices\",\"version\":1,\"to\":\"S001/T0001\",\"body\":\"{}\"}",
         "x1", "sig"},
        {"{\"id\":\"x1\",\"cmd\":\"prices\",\"version\":0,\"to\":\"S001/T0001\",\"body\":\"{}\","
         "\"sig\":\"00\"}", "x1", "version"},
        {"{\"id\":\"x1\",\"cmd\":\"prices\",\"version\":9007199254740992,\"to\":\"S001/T0001\","
         "\"body\":\"{}\",\"sig\":\"00\"}", "x1", "version"},
        {"{\"id\":\"x1\",\"cmd\":\"prices\",\"version\":3,\"to\":\"S001\",\"body\":\"{}\","
         "\"sig\":\"00\"}", "x1", "to"},
        {"{\"id\":\"x1\",\"cmd\":\"prices\",\"version\":3,\"to\":\"S 1/T1\",\"body\":\"{}\","
         "\"sig\":\"00\"}", "x1", "to"},
        {"{\"id\":\"x1\",\"cmd\":\"prices\",\"version\":3,\"to\":\"S1/T1\",\"body\":{},"
         "\"sig\":\"0000000000000000000000000000000000000000000000000000000000000000"
         "0000000000000000000000000000000000000000000000000000000000000000\"}", "x1", "body"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct fl_command c;
        char why[200] = "";
        if (parse(bad[i].json, &c, why, sizeof why) != -1 || strcmp(c.id, bad[i].id) ||
            !strstr(why, bad[i].why))
            fail_msg("%s: id '%s', why '%s'", bad[i].json, c.id, why);
        fl_command_free(&c);
    }
    /* a NUL inside, and too big */
    struct fl_command c;
    char why[200];
    const char nul[] = "{\"id\":\"a\",\"cmd\":\"reload_config\"}\0x";
    assert_int_equal(fl_command_parse(nul, sizeof nul - 1, &c, why, sizeof why), -1);
    assert_string_equal(why, "not JSON text");
    fl_command_free(&c);
    char *big = malloc(FL_MSG_MAX + 2);
    memset(big, ' ', FL_MSG_MAX + 1);
    big[FL_MSG_MAX + 1] = '\0';
    assert_int_equal(fl_command_parse(big, FL_MSG_MAX + 1, &c, why, sizeof why), -1);
    assert_string_equal(why, "too big");
    fl_command_free(&c);
    free(big);
    /* a body over 64 KiB */
    char *body = malloc(FL_BODY_MAX + 2);
    memset(body, 'a', FL_BODY_MAX + 1);
    body[FL_BODY_MAX + 1] = '\0';
    char *s = signed_cmd("b1", "config", "config", 3, "S001/T0001", body, sk);
    assert_int_equal(parse(s, &c, why, sizeof why), -1);
    assert_non_null(strstr(why, "body"));
    fl_command_free(&c);
    free(s);
    free(body);
}

/* ---- signatures --------------------------------------------------------------------------- */

static void signed_bytes(void **state)
{
    (void)state;
    size_t n;
    char *b = fl_signed_bytes("prices", 42, "S001/all", "{\"items\":[]}", &n);
    assert_string_equal(b, "fleet/prices\n42\nS001/all\n{\"items\":[]}");
    assert_int_equal(n, strlen(b));
    free(b);
}

static void signed_checks(void **state)
{
    (void)state;
    char why[200];
    const char *ini = "[kiosk]\nstation_name = 新站\n";
    char *s = signed_cmd("c1", "config", "config", 5, "S001/T0001", ini, sk);
    assert_int_equal(check(s, pk_hex, 4, why, sizeof why), 0);
    /* the version in force, or a newer one: a replay */
    assert_int_equal(check(s, pk_hex, 5, why, sizeof why), -1);
    assert_string_equal(why, "version 5 is not newer than 5 in force");
    assert_int_equal(check(s, pk_hex, 9, why, sizeof why), -1);
    /* another key */
    assert_int_equal(check(s, pk2_hex, 0, why, sizeof why), -1);
    assert_string_equal(why, "bad signature");
    /* no key, a bad key */
    assert_int_equal(check(s, "", 0, why, sizeof why), -1);
    assert_non_null(strstr(why, "no public key"));
    assert_int_equal(check(s, "zz", 0, why, sizeof why), -1);
    free(s);
    /* a signature of prices sent as a config: refused */
    s = signed_cmd("c2", "config", "prices", 6, "S001/T0001", ini, sk);
    assert_int_equal(check(s, pk_hex, 0, why, sizeof why), -1);
    assert_string_equal(why, "bad signature");
    free(s);
    /* signed for another version than it says, or another audience than it says */
    s = signed_cmd("c3", "config", "config", 6, "S001/T0001", ini, sk);
    char *edited = strdup(s);
    char *v = strstr(edited, "\"version\":6");
    v[10] = '8';
    assert_int_equal(check(edited, pk_hex, 0, why, sizeof why), -1);
    assert_string_equal(why, "bad signature");
    free(edited);
    free(s);
    /* a change of one byte of the body */
    s = signed_cmd("c4", "config", "config", 6, "S001/T0001", ini, sk);
    char *x = strstr(s, "station_name");
    x[0] = 'S';
    assert_int_equal(check(s, pk_hex, 0, why, sizeof why), -1);
    free(s);
    /* for another kiosk, another station: refused; the station's and everyone's: taken */
    s = signed_cmd("c5", "config", "config", 6, "S001/T0002", ini, sk);
    assert_int_equal(check(s, pk_hex, 0, why, sizeof why), -1);
    assert_string_equal(why, "to: S001/T0002 is not this kiosk");
    free(s);
    s = signed_cmd("c6", "config", "config", 6, "S002/all", ini, sk);
    assert_int_equal(check(s, pk_hex, 0, why, sizeof why), -1);
    free(s);
    s = signed_cmd("c7", "prices", "prices", 6, "S001/all", "{\"items\":[]}", sk);
    assert_int_equal(check(s, pk_hex, 0, why, sizeof why), 0);
    free(s);
    s = signed_cmd("c8", "playlist", "playlist", 6, "all/all", "{}", sk);
    assert_int_equal(check(s, pk_hex, 0, why, sizeof why), 0);
    free(s);
}

static void config_forbidden(void **state)
{
    (void)state;
    assert_null(fl_config_forbidden("[kiosk]\nstation_name = x\n[fleet]\ntelemetry_s = 60\n"));
    assert_string_equal(fl_config_forbidden("[fleet]\npublic_key = 00\n"), "public_key");
    assert_string_equal(fl_config_forbidden("[update]\n  Public_Key=00\n"), "public_key");
    assert_string_equal(fl_config_forbidden("[paths]\nremote_config = /tmp/x\n"),
                        "remote_config");
    assert_string_equal(fl_config_forbidden("; public_key mentioned in a comment\n"),
                        "public_key");
}

/* ---- prices ------------------------------------------------------------------------------- */

static const char *const prices_body =
    "{\"items\":[{\"grade\":\"92#\",\"label\":{\"zh_CN\":\"92号汽油\",\"en_US\":\"Petrol 92\"},"
    "\"fen_per_l\":768},{\"grade\":\"0#\",\"label\":{\"zh_CN\":\"0号柴油\",\"en_US\":\"Diesel "
    "0\"},\"fen_per_l\":712}]}";

/* A signed prices push as the agent takes it (io.c): its body read with the command's
 * version (core/prices.h, tested in unit_prices), written as the setting the session reads,
 * whose version the agent reads back as the one in force. */
static void prices_push(void **state)
{
    (void)state;
    char why[FL_DETAIL_MAX];
    struct fl_command c;
    struct price_board p;
    char *s = signed_cmd("pr-1", "prices", "prices", 100, "S001/all", prices_body, sk);
    assert_int_equal(parse(s, &c, why, sizeof why), 0);
    assert_int_equal(fl_signed_check(&c, pk_hex, "S001", "T0001", 0, why, sizeof why), 0);
    assert_int_equal(prices_parse(c.body, c.version, &p, why, sizeof why), 0);
    char *json = prices_json(&p);
    assert_string_equal(json, "{\"version\":100,\"items\":[{\"grade\":\"92#\",\"label\":{"
                              "\"zh_CN\":\"92号汽油\",\"en_US\":\"Petrol 92\"},\"fen_per_l\":"
                              "768},{\"grade\":\"0#\",\"label\":{\"zh_CN\":\"0号柴油\",\"en_US\":"
                              "\"Diesel 0\"},\"fen_per_l\":712}]}");
    assert_int_equal(fl_setting_version(json), 100);
    free(json);
    fl_command_free(&c);
    free(s);
    /* a body that names a version of its own: the signed version is the command's */
    s = signed_cmd("pr-2", "prices", "prices", 101, "S001/all",
                   "{\"version\":7,\"items\":[]}", sk);
    assert_int_equal(parse(s, &c, why, sizeof why), 0);
    assert_int_equal(prices_parse(c.body, c.version, &p, why, sizeof why), -1);
    assert_non_null(strstr(why, "the command carries the version"));
    fl_command_free(&c);
    free(s);
}

/* ---- the playlist ------------------------------------------------------------------------- */

#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static const char *const playlist_body =
    "{\"slides\":[{\"id\":\"s1\",\"url\":\"http://cdn.example/ads/s1.png\",\"sha256\":\"" SHA_A
    "\",\"size\":1234,\"seconds\":8,\"bg\":\"#102030\",\"title\":{\"zh_CN\":\"加油送积分\","
    "\"en_US\":\"Fuel up, earn points\"},\"subtitle\":{\"en_US\":\"This week\"}},{\"id\":\"s-2\","
    "\"url\":\"https://cdn.example/ads/s2.png?v=2\",\"sha256\":\"" SHA_A "\",\"size\":1,"
    "\"seconds\":60,\"bg\":\"#ABCDEF\",\"title\":{\"zh_CN\":\"洗车\"}}]}";

static void playlist_good(void **state)
{
    (void)state;
    struct fl_playlist *p = malloc(sizeof *p);
    char why[300];
    assert_int_equal(fl_playlist_parse(playlist_body, 31, p, why, sizeof why), 0);
    assert_int_equal(p->n, 2);
    assert_string_equal(p->v[1].url, "https://cdn.example/ads/s2.png?v=2");
    assert_string_equal(p->v[0].title[1], "Fuel up, earn points");
    assert_string_equal(p->v[0].subtitle[0], "");
    char *ini = fl_playlist_manifest(p);
    assert_non_null(ini);
    /* the session reads it as written */
    struct slides *sl = malloc(sizeof *sl);
    char err[300];
    assert_int_equal(slides_parse(sl, ini, "slides.ini", err, sizeof err), 0);
    assert_int_equal(sl->n, 2);
    assert_string_equal(sl->v[0].image, "s1.png");
    assert_string_equal(sl->v[0].id, "s1");
    assert_string_equal(sl->v[0].sha256, SHA_A);
    assert_int_equal(sl->v[0].seconds, 8);
    assert_int_equal(sl->v[1].seconds, 60);
    assert_int_equal(sl->v[0].bg, 0x102030FFu);
    assert_string_equal(slides_title(sl, 0, "en_US"), "Fuel up, earn points");
    assert_string_equal(slides_title(sl, 0, "zh_CN"), "加油送积分");
    assert_string_equal(slides_subtitle(sl, 0, "en_US"), "This week");
    assert_string_equal(slides_title(sl, 1, "en_US"), "洗车");
    free(sl);
    free(ini);
    /* the setting */
    char *set = fl_playlist_setting(31, "/var/lib/fuelkiosk/ads/31");
    struct push_playlist pl;
    assert_int_equal(push_playlist_parse(set, &pl, err, sizeof err), 0);
    assert_int_equal(pl.version, 31);
    assert_string_equal(pl.dir, "/var/lib/fuelkiosk/ads/31");
    assert_int_equal(fl_setting_version(set), 31);
    assert_int_equal(fl_setting_version("{}"), 0);
    assert_int_equal(fl_setting_version(NULL), 0);
    free(set);
    free(p);
}

static void playlist_bad(void **state)
{
    (void)state;
    static const struct {
        const char *field, *value;
    } bad[] = {
        {"\"id\"", "\"a/b\""},
        {"\"id\"", "\"1234567890123456\""},
        {"\"id\"", "\"abcdefghijklmnopq\""},
        {"\"url\"", "\"ftp://cdn/x.png\""},
        {"\"url\"", "\"http://\""},
        {"\"url\"", "\"http://cdn/a b.png\""},
        {"\"sha256\"",
         "\"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\""},
        {"\"sha256\"", "\"9f86\""},
        {"\"size\"", "0"},
        {"\"size\"", "8388609"},
        {"\"seconds\"", "2"},
        {"\"seconds\"", "61"},
        {"\"bg\"", "\"#12345\""},
        {"\"bg\"", "\"102030\""},
        {"\"bg\"", "\"#12345g\""},
        {"\"title\"", "{}"},
        {"\"title\"", "{\"fr\":\"x\"}"},
        {"\"title\"", "{\"zh_CN\":\"a;b\"}"},
        {"\"title\"", "{\"zh_CN\":\"a\\u0001\"}"},
        {"\"title\"", "\"x\""},
        {"\"subtitle\"", "{}"},
        {"\"extra\"", "1"},
    };
    char why[300];
    struct fl_playlist *p = malloc(sizeof *p);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[1024];
        snprintf(body, sizeof body,
                 "{\"slides\":[{\"id\":\"s1\",\"url\":\"http://cdn/s1.png\",\"sha256\":\"" SHA_A
                 "\",\"size\":10,\"seconds\":8,\"bg\":\"#102030\",\"title\":{\"zh_CN\":\"x\"},"
                 "%s:%s}]}", bad[i].field, bad[i].value);
        if (!strcmp(bad[i].field, "\"extra\"") || !strcmp(bad[i].field, "\"subtitle\"")) {
            /* added */
        } else { /* replaces the field: cJSON reads the first of two, so take it out */
            char *at = strstr(body, bad[i].field);
            char *end = strchr(at, ',');
            if (!strcmp(bad[i].field, "\"title\""))
                end = strstr(at, "},") + 1;
            memmove(at, end + 1, strlen(end + 1) + 1);
        }
        if (fl_playlist_parse(body, 1, p, why, sizeof why) != -1)
            fail_msg("taken: %s", body);
    }
    assert_int_equal(fl_playlist_parse("{\"slides\":[]}", 1, p, why, sizeof why), -1);
    assert_int_equal(fl_playlist_parse("{\"slides\":[],\"x\":1}", 1, p, why, sizeof why), -1);
    /* two slides of one id */
    char body[2048];
    snprintf(body, sizeof body,
             "{\"slides\":[{\"id\":\"s1\",\"url\":\"http://a/1\",\"sha256\":\"" SHA_A "\","
             "\"size\":1,\"seconds\":5,\"bg\":\"#000000\",\"title\":{\"en_US\":\"a\"}},"
             "{\"id\":\"s1\",\"url\":\"http://a/2\",\"sha256\":\"" SHA_A "\",\"size\":1,"
             "\"seconds\":5,\"bg\":\"#000000\",\"title\":{\"en_US\":\"b\"}}]}");
    assert_int_equal(fl_playlist_parse(body, 1, p, why, sizeof why), -1);
    assert_non_null(strstr(why, "twice"));
    free(p);
}

/* ---- what the kiosk publishes ------------------------------------------------------------ */

static void status_and_ack(void **state)
{
    (void)state;
    char *s = fl_status_json("offline", "lost", NULL, NULL, 0, 0);
    assert_string_equal(s, "{\"state\":\"offline\",\"reason\":\"lost\"}");
    free(s);
    s = fl_status_json("online", NULL, "0.1.0", "a", 1700000000000, 1700000000500);
    assert_string_equal(s, "{\"state\":\"online\",\"version\":\"0.1.0\",\"slot\":\"a\","
                           "\"since\":1700000000000,\"ts\":1700000000500}");
    free(s);
    s = fl_ack_json("c-1", "config", FL_ACCEPTED, "waits", 5);
    assert_string_equal(s, "{\"id\":\"c-1\",\"cmd\":\"config\",\"result\":\"accepted\","
                           "\"detail\":\"waits\",\"ts\":5}");
    free(s);
    const char *lines[] = {"a", "b \"c\""};
    s = fl_logs_json("l1", lines, 2, 3, 9);
    assert_string_equal(s, "{\"id\":\"l1\",\"ts\":9,\"lines\":[\"a\",\"b \\\"c\\\"\"],"
                           "\"redacted\":3}");
    free(s);
}

static void telemetry_json(void **state)
{
    (void)state;
    struct fl_telemetry t;
    memset(&t, 0, sizeof t);
    t.ts = 1700000000000;
    t.name = "朝阳路加油站";
    t.version = "0.1.0";
    t.slot = "b";
    t.uptime_s = 3600;
    t.on_frame = 1;
    t.idle_s = 42;
    t.backend_up = 1;
    t.out_of_service = "Closed for the night.";
    t.health[COMP_BACKEND] = HEALTH_OK;
    t.health[COMP_PRINTER] = HEALTH_DOWN;
    t.ndevices = 1;
    snprintf(t.devices[0].name, sizeof t.devices[0].name, "printer.receipt");
    t.devices[0].health = HEALTH_DOWN;
    snprintf(t.devices[0].why, sizeof t.devices[0].why, "paper out");
    t.sessions = 3;
    t.prints = 2;
    t.sales = 2;
    t.sales_fen = 15360;
    t.outbox_pending = 4;
    t.disk_free_mb = 1234;
    t.config_version = 7;
    t.prices_version = 8;
    t.playlist_version = 9;
    char *s = fl_telemetry_json(&t);
    cJSON *o = cJSON_Parse(s);
    assert_non_null(o);
    assert_string_equal(cJSON_GetObjectItem(o, "slot")->valuestring, "b");
    assert_string_equal(cJSON_GetObjectItem(o, "name")->valuestring, "朝阳路加油站");
    assert_string_equal(cJSON_GetObjectItem(o, "out_of_service")->valuestring,
                        "Closed for the night.");
    cJSON *h = cJSON_GetObjectItem(o, "health");
    assert_string_equal(cJSON_GetObjectItem(h, "backend")->valuestring, "ok");
    assert_string_equal(cJSON_GetObjectItem(h, "printer")->valuestring, "down");
    assert_string_equal(cJSON_GetObjectItem(h, "card_reader")->valuestring, "absent");
    assert_int_equal(cJSON_GetArraySize(h), COMP_LAST);
    cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "devices"), 0);
    assert_string_equal(cJSON_GetObjectItem(d, "why")->valuestring, "paper out");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "day"), "sales_fen")->valueint,
                     15360);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "counters"), "prints")->valueint,
                     2);
    assert_int_equal(cJSON_GetObjectItem(o, "outbox_pending")->valueint, 4);
    assert_int_equal(cJSON_GetObjectItem(o, "playlist_version")->valueint, 9);
    assert_int_equal((int64_t)cJSON_GetObjectItem(o, "ts")->valuedouble, t.ts);
    cJSON_Delete(o);
    free(s);
    t.out_of_service = NULL;
    s = fl_telemetry_json(&t);
    assert_non_null(strstr(s, "\"out_of_service\":null"));
    free(s);
}

/* ---- the agent's state ------------------------------------------------------------------ */

static void saved_state(void **state)
{
    (void)state;
    struct fl_saved s, r;
    memset(&s, 0, sizeof s);
    for (int i = 0; i < FL_SEEN + 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%d", i);
        fl_seen_put(&s.seen, id, i % FL_CMD_LAST, (enum fl_result)(i % FL_RESULT_LAST),
                    "detail 中文")->sent = i % 2;
    }
    fl_seen_put(&s.seen, "odd", -1, FL_REFUSED, "unknown command reboot");
    s.restart = (struct fl_wait){.stage = FL_STAGE_SAVING, .cmd = FL_CONFIG, .version = 12};
    snprintf(s.restart.id, sizeof s.restart.id, "cfg-12");
    snprintf(s.restart.sha256, sizeof s.restart.sha256, "%s", SHA_A);
    s.playlist = (struct fl_wait){.stage = FL_STAGE_DOWNLOAD, .cmd = FL_PLAYLIST, .version = 31};
    snprintf(s.playlist.id, sizeof s.playlist.id, "pl-31");
    s.playlist_body = strdup(playlist_body);
    char *json = fl_saved_json(&s);
    assert_int_equal(fl_saved_parse(json, &r), 0);
    assert_int_equal(r.seen.n, FL_SEEN);
    assert_null(fl_seen_find(&r.seen, "c0"));      /* the oldest went */
    assert_null(fl_seen_find(&r.seen, "c5"));
    struct fl_seen_entry *e = fl_seen_find(&r.seen, "c6");
    assert_non_null(e);
    assert_int_equal(e->cmd, 6 % FL_CMD_LAST);
    assert_int_equal(e->result, 6 % FL_RESULT_LAST);
    assert_int_equal(e->sent, 0);
    assert_string_equal(e->detail, "detail 中文");
    e = fl_seen_find(&r.seen, "odd");
    assert_int_equal(e->cmd, -1);
    assert_int_equal(r.restart.stage, FL_STAGE_SAVING);
    assert_int_equal(r.restart.cmd, FL_CONFIG);
    assert_int_equal(r.restart.version, 12);
    assert_string_equal(r.restart.sha256, SHA_A);
    assert_int_equal(r.playlist.stage, FL_STAGE_DOWNLOAD);
    assert_string_equal(r.playlist_body, playlist_body);
    /* written again the same: the order kept */
    char *again = fl_saved_json(&r);
    assert_string_equal(json, again);
    free(again);
    fl_saved_free(&r);
    free(json);
    fl_saved_free(&s);
    /* what does not read is nothing */
    assert_int_equal(fl_saved_parse("{\"seen\":[{\"id\":\"a b\",\"cmd\":\"x\",\"result\":\"ok\","
                                    "\"detail\":\"\",\"sent\":true}]}", &r), -1);
    assert_int_equal(r.seen.n, 0);
    assert_int_equal(fl_saved_parse("{\"seen\":[],\"restart\":{\"id\":\"a\",\"cmd\":\"prices\","
                                    "\"stage\":\"saving\",\"version\":1,\"sha256\":\"\"}}", &r),
                     -1);
    assert_int_equal(fl_saved_parse("nope", &r), -1);
    assert_int_equal(fl_saved_parse("{\"seen\":[]}", &r), 0);
    fl_saved_free(&r);
}

/* ---- decisions ---------------------------------------------------------------------------- */

static void ids_seen(void **state)
{
    (void)state;
    struct fl_seen s;
    struct fl_wait restart, playlist;
    memset(&s, 0, sizeof s);
    memset(&restart, 0, sizeof restart);
    memset(&playlist, 0, sizeof playlist);
    assert_true(fl_id_ok("a"));
    assert_true(fl_id_ok("2026-11-30T12:00:00.cfg_1"));
    assert_false(fl_id_ok(""));
    assert_false(fl_id_ok("a b"));
    assert_false(fl_id_ok("a#"));
    char id[70];
    memset(id, 'x', 65);
    id[65] = '\0';
    assert_false(fl_id_ok(id));
    id[64] = '\0';
    assert_true(fl_id_ok(id));
    assert_int_equal(fl_admit(&s, &restart, &playlist, "c1", FL_CONFIG), FL_ADMIT_RUN);
    fl_seen_put(&s, "c1", FL_CONFIG, FL_ACCEPTED, "waits");
    assert_int_equal(fl_admit(&s, &restart, &playlist, "c1", FL_CONFIG), FL_ADMIT_REPEAT);
    /* the same id with another command is the same command: acked again, not applied */
    assert_int_equal(fl_admit(&s, &restart, &playlist, "c1", FL_PRINT_TEST_SLIP),
                     FL_ADMIT_REPEAT);
    /* its outcome replaces the entry, it does not add one */
    fl_seen_put(&s, "c1", FL_CONFIG, FL_OK, "in force");
    assert_int_equal(s.n, 1);
    assert_int_equal(fl_seen_find(&s, "c1")->result, FL_OK);
    /* one restart and one playlist wait at a time */
    restart.stage = FL_STAGE_QUIET;
    assert_int_equal(fl_admit(&s, &restart, &playlist, "c2", FL_CONFIG), FL_ADMIT_BUSY);
    assert_int_equal(fl_admit(&s, &restart, &playlist, "c3", FL_RELOAD_CONFIG), FL_ADMIT_BUSY);
    assert_int_equal(fl_admit(&s, &restart, &playlist, "c4", FL_PLAYLIST), FL_ADMIT_RUN);
    playlist.stage = FL_STAGE_DOWNLOAD;
    assert_int_equal(fl_admit(&s, &restart, &playlist, "c4", FL_PLAYLIST), FL_ADMIT_BUSY);
    assert_int_equal(fl_admit(&s, &restart, &playlist, "c5", FL_PRICES), FL_ADMIT_RUN);
    assert_int_equal(fl_admit(&s, &restart, &playlist, "c6", -1), FL_ADMIT_RUN);
    /* FL_SEEN ids kept: the oldest goes */
    for (int i = 0; i < FL_SEEN; i++) {
        snprintf(id, sizeof id, "k%d", i);
        fl_seen_put(&s, id, FL_PRICES, FL_OK, "");
    }
    assert_int_equal(s.n, FL_SEEN);
    assert_null(fl_seen_find(&s, "c1"));
    assert_non_null(fl_seen_find(&s, "k0"));
    fl_seen_put(&s, "new", FL_PRICES, FL_OK, "");
    assert_null(fl_seen_find(&s, "k0"));
    assert_non_null(fl_seen_find(&s, "k1"));
    /* a detail cut to fit ends with a whole character */
    char detail[400] = "";
    while (strlen(detail) < 300)
        strcat(detail, "中");
    struct fl_seen_entry *e = fl_seen_put(&s, "cut", FL_CONFIG, FL_REFUSED, detail);
    assert_true(strlen(e->detail) < FL_DETAIL_MAX);
    assert_int_equal(strlen(e->detail) % 3, 0);
    assert_true(code_scan_ok(e->detail));
}

static void quiet_moment(void **state)
{
    (void)state;
    struct fl_quiet_in q = {.quiet = 1};
    assert_int_equal(fl_quiet_next(&q, 20000, 1000), 1000);
    /* nobody there, idle 5 s of 20: 15 s later */
    q = (struct fl_quiet_in){.on_frame = 1, .idle_ms = 5000};
    assert_int_equal(fl_quiet_next(&q, 20000, 1000), 16000);
    /* a customer in a service, or work in hand: looked at again every second */
    q = (struct fl_quiet_in){.on_frame = 0, .idle_ms = 5000};
    assert_int_equal(fl_quiet_next(&q, 20000, 1000), 1000 + FL_POLL_MS);
    q = (struct fl_quiet_in){.on_frame = 1, .busy = 1, .idle_ms = 5000};
    assert_int_equal(fl_quiet_next(&q, 20000, 1000), 1000 + FL_POLL_MS);
    /* idle long enough but not quiet (an intent open, a print): polled */
    q = (struct fl_quiet_in){.on_frame = 1, .idle_ms = 30000};
    assert_int_equal(fl_quiet_next(&q, 20000, 1000), 1000 + FL_POLL_MS);
}

static void telemetry_due(void **state)
{
    (void)state;
    struct fl_tele t;
    struct fl_watch w;
    memset(&w, 0, sizeof w);
    fl_tele_init(&t);
    assert_true(fl_tele_due(&t, &w, 300000) <= 0); /* never sent: at once */
    fl_tele_sent(&t, &w, 10000);
    assert_int_equal(fl_tele_due(&t, &w, 300000), 310000);
    /* a change: 2 s after the last one at most */
    struct fl_watch c = w;
    c.health[COMP_PRINTER] = HEALTH_DOWN;
    assert_int_equal(fl_tele_due(&t, &c, 300000), 10000 + FL_DEBOUNCE_MS);
    c = w;
    snprintf(c.oos, sizeof c.oos, "Closed for the night.");
    assert_int_equal(fl_tele_due(&t, &c, 300000), 10000 + FL_DEBOUNCE_MS);
    c = w;
    c.prices_version = 3;
    assert_false(fl_watch_same(&c, &w));
    c = w;
    c.ndevices = 1;
    assert_false(fl_watch_same(&c, &w));
    c.devices[0] = HEALTH_OK;
    struct fl_watch c2 = c;
    assert_true(fl_watch_same(&c, &c2));
    c2.devices[0] = HEALTH_DOWN;
    assert_false(fl_watch_same(&c, &c2));
    /* a device past the count does not count */
    c2 = c;
    c2.devices[5] = HEALTH_DOWN;
    assert_true(fl_watch_same(&c, &c2));
    /* after the change went out, the period again */
    fl_tele_sent(&t, &c, 12000);
    assert_int_equal(fl_tele_due(&t, &c, 300000), 312000);
}

/* ---- redaction ---------------------------------------------------------------------------- */

static void redaction(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
        int n;
    } cases[] = {
        {"12:00:00.000 info  [host] started: 1080x1920, zh_CN, 9 services",
         "12:00:00.000 info  [host] started: 1080x1920, zh_CN, 9 services", 0},
        {"sale T0001-20261130-000042 paid 15360 fen", "sale T0001-20261130-000042 paid 15360 fen",
         0},
        {"member 13800138000 found", "member 138****8000 found", 1},
        {"id 110105198203154413 read", "id 110***********4413 read", 1},
        {"id 110105194912310021 read", "id 1101**********0021 read", 1},
        {"code 134567890123456789 scanned", "code 1345**********6789 scanned", 1},
        {"code 1345678901234567890123 scanned", "code 1345**************0123 scanned", 1},
        {"card 9100000000000001 on", "card 9100********0001 on", 1},
        {"ref 123456789012 seen", "ref ************ seen", 1},
        {"pickup code: 482913 typed", "pickup code: ****** typed", 1},
        {"PIN 1234 wrong", "PIN **** wrong", 1},
        {"shift 1234 closed", "shift 1234 closed", 0},
        {"mail zhao.lei@qq.com sent", "mail z***@qq.com sent", 1},
        {"mail 12345678@qq.com sent", "mail 1***@qq.com sent", 1},
        {"a\x01" "b\xff" "c", "a?b?c", 0},
        {"中文 ok", "中文 ok", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[256];
        int n = fl_redact(cases[i].in, out, sizeof out);
        if (strcmp(out, cases[i].out) || n != cases[i].n)
            fail_msg("'%s' -> '%s' (%d), expected '%s' (%d)", cases[i].in, out, n,
                     cases[i].out, cases[i].n);
    }
    /* cut to fit, between characters */
    char out[8];
    fl_redact("abc中文def", out, sizeof out);
    assert_string_equal(out, "abc中");
    fl_redact("13800138000", out, sizeof out);
    assert_string_equal(out, "");
    /* a long run of digits is stars */
    char in[200], big[200];
    memset(in, '7', 100);
    in[100] = '\0';
    fl_redact(in, big, sizeof big);
    assert_int_equal(strspn(big, "*"), 100);
}

int main(void)
{
    log_set_quiet(1);
    sign_init();
    keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commands_good),  cmocka_unit_test(commands_bad),
        cmocka_unit_test(signed_bytes),   cmocka_unit_test(signed_checks),
        cmocka_unit_test(config_forbidden), cmocka_unit_test(prices_push),
        cmocka_unit_test(playlist_good),
        cmocka_unit_test(playlist_bad),   cmocka_unit_test(status_and_ack),
        cmocka_unit_test(telemetry_json), cmocka_unit_test(saved_state),
        cmocka_unit_test(ids_seen),       cmocka_unit_test(quiet_moment),
        cmocka_unit_test(telemetry_due),  cmocka_unit_test(redaction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
