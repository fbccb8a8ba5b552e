/* The attract screen's price board (core/prices.h): the setting and a push's body read with
 * one rule set, each kind of bad input refused whole with the reason, the setting written
 * and read back to the same board, the largest board within PRICES_JSON_MAX, and the label
 * shown in each language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/prices.h"

#define ITEM(grade, zh, en, fen)                                                                   \
    "{\"grade\":\"" grade "\",\"label\":{\"zh_CN\":\"" zh "\",\"en_US\":\"" en                     \
    "\"},\"fen_per_l\":" fen "}"

/* The setting as docs/fleet.md shows it. */
static const char *const setting =
    "{\"version\":12,\"items\":[" ITEM("92#", "92号汽油", "Petrol 92", "768") "," ITEM(
        "0#", "0号柴油", "Diesel 0", "712") "]}";

static void zeroed(const struct price_board *b)
{
    static const struct price_board zero;
    assert_memory_equal(b, &zero, sizeof zero);
}

static void setting_good(void **state)
{
    (void)state;
    struct price_board b;
    char why[200];
    assert_int_equal(prices_parse(setting, 0, &b, why, sizeof why), 0);
    assert_int_equal(b.version, 12);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.v[0].grade, "92#");
    assert_int_equal(b.v[0].fen_per_l, 768);
    assert_int_equal(b.v[1].fen_per_l, 712);
    assert_int_equal(b.v[0].nlabels, 2);
    assert_string_equal(b.v[0].lang[0], "zh_CN");
    assert_string_equal(b.v[0].lang[1], "en_US");
    assert_string_equal(b.v[0].label[1], "Petrol 92");
    /* the extremes: a version of 2^53-1, fen 1 and 99999, a grade of 15 bytes, a label of
     * 63, four languages in the order given, one a language alone */
    char text[1024], label[64];
    memset(label, 'x', 63);
    label[63] = '\0';
    snprintf(text, sizeof text,
             "{\"items\":[{\"grade\":\"0123456789abcde\",\"label\":{\"ug_CN\":\"%s\",\"en\":"
             "\"b\",\"zh_CN\":\"c\",\"bo_CN\":\"d\"},\"fen_per_l\":1},"
             "{\"fen_per_l\":99999,\"label\":{\"en_US\":\"Petrol 95\"},\"grade\":\"95#\"}],"
             "\"version\":9007199254740991}",
             label);
    assert_int_equal(prices_parse(text, 0, &b, why, sizeof why), 0);
    assert_int_equal(b.version, INT64_C(9007199254740991));
    assert_string_equal(b.v[0].grade, "0123456789abcde");
    assert_int_equal(b.v[0].nlabels, 4);
    assert_string_equal(b.v[0].lang[0], "ug_CN");
    assert_string_equal(b.v[0].label[0], label);
    assert_string_equal(b.v[0].lang[1], "en");
    assert_string_equal(b.v[0].lang[3], "bo_CN");
    assert_int_equal(b.v[0].fen_per_l, 1);
    assert_int_equal(b.v[1].fen_per_l, 99999);
    assert_int_equal(b.v[1].nlabels, 1);
    /* no items: no board */
    assert_int_equal(prices_parse("{\"version\":6,\"items\":[]}", 0, &b, why, sizeof why), 0);
    assert_int_equal(b.n, 0);
    assert_int_equal(b.version, 6);
    /* eight items, the most there may be */
    char eight[2048] = "{\"version\":7,\"items\":[";
    for (int i = 0; i < PRICES_MAX; i++)
        snprintf(eight + strlen(eight), sizeof eight - strlen(eight),
                 "%s{\"grade\":\"g%d\",\"label\":{\"zh_CN\":\"a\"},\"fen_per_l\":768}",
                 i ? "," : "", i);
    strcat(eight, "]}");
    assert_int_equal(prices_parse(eight, 0, &b, why, sizeof why), 0);
    assert_int_equal(b.n, PRICES_MAX);
    assert_string_equal(b.v[7].grade, "g7");
}

/* A push's body has no version: the command carries it. */
static void body_good(void **state)
{
    (void)state;
    struct price_board b;
    char why[200];
    assert_int_equal(prices_parse("{\"items\":[" ITEM("92#", "92号汽油", "Petrol 92", "768") "]}",
                                  100, &b, why, sizeof why),
                     0);
    assert_int_equal(b.version, 100);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.v[0].label[0], "92号汽油");
    assert_int_equal(prices_parse("{\"items\":[]}", PRICES_VERSION_MAX, &b, why, sizeof why), 0);
    assert_int_equal(b.version, PRICES_VERSION_MAX);
}

#define LABEL(l) "{\"version\":4,\"items\":[{\"grade\":\"92#\",\"label\":" l ",\"fen_per_l\":768}]}"

/* Each kind of bad input is refused whole, with the reason; nothing half read stays. */
static void bad(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int64_t version;
        const char *why;
    } bad[] = {
        {NULL, 0, "not a JSON object"},
        {"", 0, "not a JSON object"},
        {"[1]", 0, "not a JSON object"},
        {"{\"version\":3", 0, "not a JSON object"},
        {"{\"items\":[]}", 0, "version"},
        {"{\"version\":0,\"items\":[]}", 0, "version"},
        {"{\"version\":-1,\"items\":[]}", 0, "version"},
        {"{\"version\":1.5,\"items\":[]}", 0, "version"},
        {"{\"version\":\"3\",\"items\":[]}", 0, "version"},
        {"{\"version\":9007199254740992,\"items\":[]}", 0, "version"},
        {"{\"items\":[]}", -1, "version"},
        {"{\"items\":[]}", INT64_C(9007199254740992), "version"},
        {"{\"version\":4}", 0, "items"},
        {"{\"version\":4,\"items\":{}}", 0, "items"},
        {"{\"version\":4,\"items\":[],\"x\":1}", 0, "a field other than version and items"},
        {"{\"version\":4,\"items\":[],\"version\":4}", 0, "a field other than"},
        /* a push's body naming a version: the signed one is the command's */
        {"{\"version\":4,\"items\":[]}", 4, "the command carries the version"},
        {"{\"items\":[],\"x\":1}", 4, "a field other than items"},
        {"{\"version\":4,\"items\":[3]}", 0, "items[0]: not an object"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "0") "]}", 0, "fen_per_l"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "100000") "]}", 0, "fen_per_l"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "7.68") "]}", 0, "fen_per_l"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "\"768\"") "]}", 0, "fen_per_l"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "-768") "]}", 0, "fen_per_l"},
        {"{\"version\":4,\"items\":[{\"grade\":\"92#\",\"label\":{\"zh_CN\":\"a\"}}]}", 0,
         "fen_per_l"},
        {"{\"version\":4,\"items\":[" ITEM("", "a", "b", "768") "]}", 0, "grade"},
        {"{\"version\":4,\"items\":[" ITEM("0123456789abcdef", "a", "b", "768") "]}", 0,
         "grade"},
        {"{\"version\":4,\"items\":[" ITEM("92\\t#", "a", "b", "768") "]}", 0, "grade"},
        {"{\"version\":4,\"items\":[" ITEM("\xff", "a", "b", "768") "]}", 0, "grade"},
        {"{\"version\":4,\"items\":[{\"grade\":92,\"label\":{\"zh_CN\":\"a\"},\"fen_per_l\":1}]}",
         0, "grade"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "1") "," ITEM("92#", "a", "b",
                                                                         "2") "]}",
         0, "items[1]: grade 92# given twice"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "", "b", "768") "]}", 0, "label.zh_CN"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "a\\nb", "768") "]}", 0, "label.en_US"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "\xc3", "b", "768") "]}", 0, "label.zh_CN"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "\xc2\x85", "b", "768") "]}", 0, "label.zh_CN"},
        {"{\"version\":4,\"items\":[{\"grade\":\"92#\",\"fen_per_l\":768}]}", 0, "label"},
        {LABEL("{}"), 0, "label: not an object of 1..4 languages"},
        {LABEL("[\"a\"]"), 0, "label: not an object"},
        {LABEL("\"92号汽油\""), 0, "label: not an object"},
        {LABEL("{\"zh_CN\":3}"), 0, "label.zh_CN"},
        {LABEL("{\"zh_CN\":null}"), 0, "label.zh_CN"},
        {LABEL("{\"zh CN\":\"a\"}"), 0, "not a language"},
        {LABEL("{\"a\":\"a\"}"), 0, "not a language"},
        {LABEL("{\"zh_cn\":\"a\"}"), 0, "not a language"},
        {LABEL("{\"ZH_CN\":\"a\"}"), 0, "not a language"},
        {LABEL("{\"zh-CN\":\"a\"}"), 0, "not a language"},
        {LABEL("{\"zh_CNX\":\"a\"}"), 0, "not a language"},
        {LABEL("{\"zhzh_CN\":\"a\"}"), 0, "not a language"},
        {LABEL("{\"\":\"a\"}"), 0, "not a language"},
        {LABEL("{\"en\":\"a\",\"fr\":\"b\",\"de\":\"c\",\"es\":\"d\",\"it\":\"e\"}"), 0,
         "label: not an object of 1..4 languages"},
        {LABEL("{\"zh_CN\":\"a\",\"zh_CN\":\"b\"}"), 0, "label.zh_CN given twice"},
        {"{\"version\":4,\"items\":[{\"grade\":\"92#\",\"label\":{\"zh_CN\":\"a\"},"
         "\"fen_per_l\":768,\"price\":1}]}",
         0, "items[0]: a field other than grade, label and fen_per_l"},
        {"{\"version\":4,\"items\":[{\"grade\":\"92#\",\"label\":{\"zh_CN\":\"a\"},"
         "\"fen_per_l\":768,\"grade\":\"95#\"}]}",
         0, "items[0]: a field other than"},
        {"{\"version\":4,\"items\":[" ITEM("92#", "a", "b", "768") "," ITEM("95#", "a", "b",
                                                                           "0") "]}",
         0, "items[1]: fen_per_l"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct price_board b;
        char why[200] = "";
        memset(&b, 0xA5, sizeof b);
        if (prices_parse(bad[i].json, bad[i].version, &b, why, sizeof why) != -1 ||
            !strstr(why, bad[i].why))
            fail_msg("%s (version %lld): '%s' does not say '%s'",
                     bad[i].json ? bad[i].json : "NULL", (long long)bad[i].version, why,
                     bad[i].why);
        zeroed(&b);
    }
    /* nine items: one too many */
    char nine[2048] = "{\"version\":7,\"items\":[";
    for (int i = 0; i <= PRICES_MAX; i++)
        snprintf(nine + strlen(nine), sizeof nine - strlen(nine),
                 "%s{\"grade\":\"g%d\",\"label\":{\"zh_CN\":\"a\"},\"fen_per_l\":768}",
                 i ? "," : "", i);
    strcat(nine, "]}");
    struct price_board b;
    char why[200];
    assert_int_equal(prices_parse(nine, 0, &b, why, sizeof why), -1);
    assert_string_equal(why, "items: not an array of at most 8");
    /* a label one byte too long */
    char text[512], label[80];
    memset(label, 'x', 64);
    label[64] = '\0';
    snprintf(text, sizeof text, LABEL("{\"zh_CN\":\"%s\"}"), label);
    assert_int_equal(prices_parse(text, 0, &b, why, sizeof why), -1);
    assert_string_equal(why, "items[0]: label.zh_CN: not 1..63 bytes of printable UTF-8");
    /* a reason cut to the caller's buffer, terminated */
    char small[8];
    assert_int_equal(prices_parse("{}", 0, &b, small, sizeof small), -1);
    assert_string_equal(small, "version");
}

/* What is written reads back to the same board: the setting the fleet agent writes is what
 * the session shows. */
static void round_trip(void **state)
{
    (void)state;
    struct price_board b, again;
    char why[200];
    assert_int_equal(prices_parse(setting, 0, &b, why, sizeof why), 0);
    char *json = prices_json(&b);
    assert_non_null(json);
    assert_string_equal(json, setting);
    free(json);
    /* a push's body: the setting written with the command's version */
    assert_int_equal(prices_parse("{\"items\":[{\"grade\":\"95#\",\"label\":{\"ug_CN\":\"a\","
                                  "\"en_US\":\"Petrol \\\"95\\\"\",\"zh_CN\":\"95号\"},"
                                  "\"fen_per_l\":818}]}",
                                  PRICES_VERSION_MAX, &b, why, sizeof why),
                     0);
    json = prices_json(&b);
    assert_non_null(json);
    assert_string_equal(json, "{\"version\":9007199254740991,\"items\":[{\"grade\":\"95#\","
                              "\"label\":{\"ug_CN\":\"a\",\"en_US\":\"Petrol \\\"95\\\"\","
                              "\"zh_CN\":\"95号\"},\"fen_per_l\":818}]}");
    assert_int_equal(prices_parse(json, 0, &again, why, sizeof why), 0);
    assert_memory_equal(&b, &again, sizeof b);
    free(json);
    /* no items */
    assert_int_equal(prices_parse("{\"items\":[]}", 13, &b, why, sizeof why), 0);
    json = prices_json(&b);
    assert_string_equal(json, "{\"version\":13,\"items\":[]}");
    free(json);
}

/* The largest board there may be, every character of it escaped in JSON, fits the setting's
 * PRICES_JSON_MAX (the session's buffer) and reads back the same. */
static void largest(void **state)
{
    (void)state;
    static struct price_board b, again;
    static const char *const langs[I18N_MAX_LANGS] = {"zh_CN", "en_US", "ug_CN", "bo_CN"};
    b.version = PRICES_VERSION_MAX;
    b.n = PRICES_MAX;
    for (int i = 0; i < PRICES_MAX; i++) {
        struct price *p = &b.v[i];
        memset(p->grade, '"', sizeof p->grade - 1);
        p->grade[0] = (char)('0' + i); /* unique */
        p->fen_per_l = PRICE_FEN_MAX;
        p->nlabels = I18N_MAX_LANGS;
        for (int k = 0; k < I18N_MAX_LANGS; k++) {
            snprintf(p->lang[k], sizeof p->lang[k], "%s", langs[k]);
            memset(p->label[k], '\\', sizeof p->label[k] - 1);
        }
    }
    char *json = prices_json(&b);
    assert_non_null(json);
    assert_true(strlen(json) < PRICES_JSON_MAX);
    char why[200];
    assert_int_equal(prices_parse(json, 0, &again, why, sizeof why), 0);
    assert_memory_equal(&b, &again, sizeof b);
    free(json);
}

static void label(void **state)
{
    (void)state;
    struct price_board b;
    char why[200];
    assert_int_equal(prices_parse(setting, 0, &b, why, sizeof why), 0);
    assert_string_equal(prices_label(&b.v[0], "zh_CN"), "92号汽油");
    assert_string_equal(prices_label(&b.v[1], "en_US"), "Diesel 0");
    /* a language it has no label in, or none: its first label */
    assert_string_equal(prices_label(&b.v[0], "ug_CN"), "92号汽油");
    assert_string_equal(prices_label(&b.v[0], NULL), "92号汽油");
    assert_string_equal(prices_label(&b.v[0], ""), "92号汽油");
    assert_int_equal(prices_parse("{\"version\":5,\"items\":[{\"grade\":\"95#\",\"label\":"
                                  "{\"en_US\":\"Petrol 95\"},\"fen_per_l\":1}]}",
                                  0, &b, why, sizeof why),
                     0);
    assert_string_equal(prices_label(&b.v[0], "zh_CN"), "Petrol 95");
    /* a price with no label at all (not one read): its grade */
    struct price p = {.grade = "0#", .fen_per_l = 700};
    assert_string_equal(prices_label(&p, "zh_CN"), "0#");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(setting_good), cmocka_unit_test(body_good),
        cmocka_unit_test(bad),          cmocka_unit_test(round_trip),
        cmocka_unit_test(largest),      cmocka_unit_test(label),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
