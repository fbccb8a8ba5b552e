/* The fuel card's side of the wire (card/api.h) and its journal payloads (card/record.h):
 * requests built from the flow's cd_request, answers read strictly (an answer not as
 * docs/backend-api.md "Fuel cards" says is refused whole), records that keep no run of
 * 16 digits, and a load's receipt drawn again from its record (card/slip.h: a copy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <SDL.h>

#include "api.h"
#include "core/json.h"
#include "core/log.h"
#include "record.h"
#include "slip.h"

#define CARD_NO "1000113300002001"
#define LOAD_ID "L-T0001-20261130-000007"

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    if (!j)
        fail_msg("not JSON: %s", text);
    return j;
}

/* The longest run of digits in s (the journal refuses 16 or more). */
static int digit_run(const char *s)
{
    int run = 0, longest = 0;
    for (; *s; s++) {
        run = *s >= '0' && *s <= '9' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    return longest;
}

/* `text` with its first `from` replaced by `to` (asserted to be there). Static: two buffers
 * in turn, so with(with(...)) works. */
static const char *with(const char *text, const char *from, const char *to)
{
    static char bufs[2][8192];
    static int turn;
    char *out = bufs[turn ^= 1];
    const char *at = strstr(text, from);
    if (!at)
        fail_msg("\"%s\" not in the example", from);
    int n =
        snprintf(out, sizeof bufs[0], "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    assert_true(n > 0 && (size_t)n < sizeof bufs[0]);
    return out;
}

/* The answer `text` makes to call k under `status`. Static. */
static const struct cd_answer *read_answer(enum cd_call k, int status, const char *text,
                                           const char *code)
{
    static struct cd_answer a;
    cJSON *j = text ? parse(text) : NULL;
    memset(&a, 0xA5, sizeof a); /* nothing of a previous answer may show through */
    cd_api_answer(k, status, j, code, &a);
    cJSON_Delete(j);
    return &a;
}

/* The examples of docs/backend-api.md. */
static const char card_json[] =
    "{\"card_no\":\"1000113300002001\",\"card_no_masked\":\"1000********2001\","
    "\"holder_masked\":\"刘*\",\"kind\":\"personal\",\"status\":\"active\",\"account_fen\":0,"
    "\"allocation_fen\":0,\"invoice_mode\":\"recharge\",\"balance_cap_fen\":500000,"
    "\"daily_recharge_cap_fen\":500000,\"recharged_today_fen\":0,"
    "\"pending_loads\":[{\"load_id\":\"L-T0001-20261130-000007\",\"amount_fen\":20000,"
    "\"online_serial\":7,\"source\":\"account\"}]}";
static const char load_json[] =
    "{\"load_id\":\"L-T0001-20261130-000007\",\"amount_fen\":20000,\"state\":\"PENDING\","
    "\"mac2\":\"3A845BF0\",\"date\":\"20261130\",\"time\":\"141503\"}";
static const char confirm_json[] =
    "{\"load_id\":\"L-T0001-20261130-000007\",\"state\":\"LOADED\",\"amount_fen\":20000}";
static const char subs_json[] =
    "{\"subcards\":[{\"card_no\":\"1000113300005678\",\"card_no_masked\":\"1000********5678\","
    "\"holder_masked\":\"王**\",\"status\":\"active\",\"allocation_fen\":0},"
    "{\"card_no\":\"1000113300005679\",\"card_no_masked\":\"1000********5679\","
    "\"holder_masked\":\"\",\"status\":\"active\",\"allocation_fen\":15000}]}";
static const char alloc_json[] =
    "{\"allocation_id\":\"A-T0001-1796000000000-1\",\"account_fen\":400000,\"lines\":["
    "{\"to_card\":\"1000113300005678\",\"card_no_masked\":\"1000********5678\","
    "\"amount_fen\":100000}]}";
static const char history_json[] =
    "{\"entries\":[{\"at_ms\":1796000000000,\"kind\":\"load\",\"amount_fen\":20000,"
    "\"terminal\":\"T0001\"},{\"at_ms\":1795990000000,\"kind\":\"recharge\","
    "\"amount_fen\":20000,\"terminal\":\"\"}]}";

/* ---- requests ------------------------------------------------------------------------------ */

static struct cd_request request(enum cd_call k)
{
    struct cd_request rq;
    memset(&rq, 0, sizeof rq);
    rq.call = k;
    snprintf(rq.card_no, sizeof rq.card_no, CARD_NO);
    snprintf(rq.load_id, sizeof rq.load_id, LOAD_ID);
    rq.amount_fen = 20000;
    snprintf(rq.source, sizeof rq.source, "account");
    rq.card_balance_fen = 8800;
    rq.online_serial = 7;
    rq.key_version = 1;
    rq.algorithm = 0;
    snprintf(rq.random, sizeof rq.random, "1A2B3C4D");
    snprintf(rq.mac1, sizeof rq.mac1, "2988AE5A");
    snprintf(rq.tac, sizeof rq.tac, "11223344");
    snprintf(rq.term_hex, sizeof rq.term_hex, "000000000001");
    snprintf(rq.alloc_id, sizeof rq.alloc_id, "A-T0001-1796000000000-1");
    return rq;
}

static void requests(void **state)
{
    (void)state;
    struct cd_http h;
    struct cd_request rq;
    /* the lookups: GET, no body, no key */
    static const struct {
        enum cd_call call;
        const char *path;
    } gets[] = {
        {CD_CALL_CARD, "/v1/cards/" CARD_NO},
        {CD_CALL_SUBCARDS, "/v1/cards/" CARD_NO "/subcards"},
        {CD_CALL_HISTORY, "/v1/cards/" CARD_NO "/history"},
    };
    for (size_t i = 0; i < sizeof gets / sizeof gets[0]; i++) {
        rq = request(gets[i].call);
        assert_int_equal(cd_api_http(&rq, &h), 0);
        assert_string_equal(h.method, "GET");
        assert_string_equal(h.path, gets[i].path);
        assert_null(h.body);
        assert_string_equal(h.key, "");
        cd_api_http_free(&h);
    }

    /* the load: every field the backend checks MAC1 with; a key per MAC1 */
    rq = request(CD_CALL_LOAD);
    assert_int_equal(cd_api_http(&rq, &h), 0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.path, "/v1/cards/" CARD_NO "/loads");
    assert_string_equal(h.key, LOAD_ID "-1A2B3C4D");
    cJSON *j = parse(h.body);
    int bad = 0;
    assert_string_equal(json_str(j, "load_id"), LOAD_ID);
    assert_int_equal(json_int(j, "amount_fen", 0, JSON_MAX_FEN, &bad), 20000);
    assert_string_equal(json_str(j, "source"), "account");
    assert_string_equal(json_str(j, "terminal_id"), "000000000001");
    assert_int_equal(json_int(j, "card_balance_fen", 0, JSON_MAX_FEN, &bad), 8800);
    assert_int_equal(json_int(j, "online_serial", 0, 65535, &bad), 7);
    assert_int_equal(json_int(j, "key_version", 0, 255, &bad), 1);
    assert_int_equal(json_int(j, "algorithm", 0, 255, &bad), 0);
    assert_string_equal(json_str(j, "random"), "1A2B3C4D");
    assert_string_equal(json_str(j, "mac1"), "2988AE5A");
    assert_false(bad);
    assert_int_equal(cJSON_GetArraySize(j), 10);
    cJSON_Delete(j);
    cd_api_http_free(&h);
    assert_null(h.body);
    /* the same load tried again (a new random): another key, the same load id */
    snprintf(rq.random, sizeof rq.random, "CAFEBABE");
    assert_int_equal(cd_api_http(&rq, &h), 0);
    assert_string_equal(h.key, LOAD_ID "-CAFEBABE");
    cd_api_http_free(&h);

    /* the confirm: the TAC alone */
    rq = request(CD_CALL_CONFIRM);
    assert_int_equal(cd_api_http(&rq, &h), 0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.path, "/v1/cards/" CARD_NO "/loads/" LOAD_ID "/confirm");
    assert_string_equal(h.key, LOAD_ID "-confirm");
    j = parse(h.body);
    assert_string_equal(json_str(j, "tac"), "11223344");
    assert_int_equal(cJSON_GetArraySize(j), 1);
    cJSON_Delete(j);
    cd_api_http_free(&h);

    /* the allocation: its id is its key, its lines */
    rq = request(CD_CALL_ALLOCATE);
    rq.nlines = 2;
    snprintf(rq.lines[0].card_no, sizeof rq.lines[0].card_no, "1000113300005678");
    rq.lines[0].amount_fen = 33334;
    snprintf(rq.lines[1].card_no, sizeof rq.lines[1].card_no, "1000113300005679");
    rq.lines[1].amount_fen = 33333;
    assert_int_equal(cd_api_http(&rq, &h), 0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.path, "/v1/cards/" CARD_NO "/allocations");
    assert_string_equal(h.key, "A-T0001-1796000000000-1");
    j = parse(h.body);
    assert_string_equal(json_str(j, "allocation_id"), "A-T0001-1796000000000-1");
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(j, "lines");
    assert_true(cJSON_IsArray(lines));
    assert_int_equal(cJSON_GetArraySize(lines), 2);
    const cJSON *l = cJSON_GetArrayItem(lines, 0);
    assert_string_equal(json_str(l, "to_card"), "1000113300005678");
    assert_int_equal(json_int(l, "amount_fen", 1, JSON_MAX_FEN, &bad), 33334);
    l = cJSON_GetArrayItem(lines, 1);
    assert_int_equal(json_int(l, "amount_fen", 1, JSON_MAX_FEN, &bad), 33333);
    assert_false(bad);
    cJSON_Delete(j);
    cd_api_http_free(&h);
    /* lines past CD_MAX_SUBS are never read */
    rq.nlines = CD_MAX_SUBS + 5;
    assert_int_equal(cd_api_http(&rq, &h), 0);
    j = parse(h.body);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "lines")), CD_MAX_SUBS);
    cJSON_Delete(j);
    cd_api_http_free(&h);

    /* nothing that is not a plain path part goes into a path */
    static const char *const unsafe[] = {"",
                                         "1000/113300002",
                                         "1000.113300002001",
                                         "../../admin",
                                         "1000?x=1",
                                         "1000 1133",
                                         "%2e%2e",
                                         "张三"};
    static const enum cd_call every[] = {CD_CALL_CARD,     CD_CALL_LOAD,     CD_CALL_CONFIRM,
                                         CD_CALL_SUBCARDS, CD_CALL_ALLOCATE, CD_CALL_HISTORY};
    for (size_t k = 0; k < sizeof every / sizeof every[0]; k++)
        for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
            rq = request(every[k]);
            snprintf(rq.card_no, sizeof rq.card_no, "%s", unsafe[i]);
            if (cd_api_http(&rq, &h) != -1)
                fail_msg("call %d took card number \"%s\": %s", every[k], unsafe[i], h.path);
            assert_null(h.body);
        }
    /* ... nor a load id or an allocation id */
    static const char *const ids[] = {"", "L/1", "L.1", "..", "L 1", "L?1"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        rq = request(CD_CALL_LOAD);
        snprintf(rq.load_id, sizeof rq.load_id, "%s", ids[i]);
        assert_int_equal(cd_api_http(&rq, &h), -1);
        assert_null(h.body);
        rq = request(CD_CALL_CONFIRM);
        snprintf(rq.load_id, sizeof rq.load_id, "%s", ids[i]);
        assert_int_equal(cd_api_http(&rq, &h), -1);
        assert_null(h.body);
        rq = request(CD_CALL_ALLOCATE);
        snprintf(rq.alloc_id, sizeof rq.alloc_id, "%s", ids[i]);
        assert_int_equal(cd_api_http(&rq, &h), -1);
        assert_null(h.body);
    }
    rq = request(CD_CALL_NONE);
    assert_int_equal(cd_api_http(&rq, &h), -1);
    rq = request(CD_CALL_LAST);
    assert_int_equal(cd_api_http(&rq, &h), -1);
    cd_api_http_free(&h); /* freeing a refused request is harmless */
}

/* ---- answers ------------------------------------------------------------------------------- */

static void good_answers(void **state)
{
    (void)state;
    const struct cd_answer *a = read_answer(CD_CALL_CARD, 200, card_json, NULL);
    assert_true(a->ok);
    assert_false(a->transport);
    assert_int_equal(a->status, 200);
    assert_string_equal(a->code, "");
    const struct cd_account *c = &a->account;
    assert_string_equal(c->no_masked, "1000********2001");
    assert_string_equal(c->holder_masked, "刘*");
    assert_string_equal(c->kind, "personal");
    assert_string_equal(c->status, "active");
    assert_string_equal(c->invoice_mode, "recharge");
    assert_int_equal(c->account_fen, 0);
    assert_int_equal(c->balance_cap_fen, 500000);
    assert_int_equal(c->daily_cap_fen, 500000);
    assert_int_equal(c->recharged_today_fen, 0);
    assert_int_equal(c->npending, 1);
    assert_string_equal(c->pending[0].load_id, LOAD_ID);
    assert_int_equal(c->pending[0].amount_fen, 20000);
    assert_int_equal(c->pending[0].online_serial, 7);
    assert_string_equal(c->pending[0].source, "account");
    /* a main card, a sub-card's allocation, no pending load, no holder */
    a = read_answer(CD_CALL_CARD, 200,
                    with(with(card_json, "\"kind\":\"personal\"", "\"kind\":\"sub\""),
                         "\"allocation_fen\":0", "\"allocation_fen\":15000"),
                    NULL);
    assert_true(a->ok);
    assert_string_equal(a->account.kind, "sub");
    assert_int_equal(a->account.allocation_fen, 15000);
    a = read_answer(CD_CALL_CARD, 200,
                    with(card_json, "\"holder_masked\":\"刘*\"", "\"holder_masked\":\"\""), NULL);
    assert_true(a->ok);
    assert_string_equal(a->account.holder_masked, "");
    static const char *const fine[][2] = {
        {"\"status\":\"active\"", "\"status\":\"lost\""},
        {"\"status\":\"active\"", "\"status\":\"blocked\""},
        {"\"kind\":\"personal\"", "\"kind\":\"main\""},
        {"\"invoice_mode\":\"recharge\"", "\"invoice_mode\":\"sale\""},
        {"\"account_fen\":0", "\"account_fen\":1e5"},
        {"[{\"load_id\"", "[{\"extra\":true,\"load_id\""},
    };
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        const char *text = with(card_json, fine[i][0], fine[i][1]);
        if (!read_answer(CD_CALL_CARD, 200, text, NULL)->ok)
            fail_msg("refused: %s", text);
    }
    /* CD_MAX_PENDING pending loads read */
    char text[4096], loads[2048] = "";
    for (int i = 0; i < CD_MAX_PENDING; i++) {
        char one[160];
        snprintf(one, sizeof one,
                 "%s{\"load_id\":\"L-%d\",\"amount_fen\":%d,\"online_serial\":%d,"
                 "\"source\":\"%s\"}",
                 i ? "," : "", i, 100 + i, 65534 - i, i % 2 ? "allocation" : "account");
        strncat(loads, one, sizeof loads - strlen(loads) - 1);
    }
    snprintf(text, sizeof text, "%.*s[%s]}", (int)(strstr(card_json, "[{") - card_json), card_json,
             loads);
    a = read_answer(CD_CALL_CARD, 200, text, NULL);
    assert_true(a->ok);
    assert_int_equal(a->account.npending, CD_MAX_PENDING);
    assert_int_equal(a->account.pending[1].online_serial, 65533);
    assert_string_equal(a->account.pending[1].source, "allocation");

    a = read_answer(CD_CALL_LOAD, 201, load_json, NULL);
    assert_true(a->ok);
    assert_string_equal(a->mac2, "3A845BF0");
    assert_string_equal(a->date, "20261130");
    assert_string_equal(a->time, "141503");

    a = read_answer(CD_CALL_CONFIRM, 200, confirm_json, NULL);
    assert_true(a->ok);

    a = read_answer(CD_CALL_SUBCARDS, 200, subs_json, NULL);
    assert_true(a->ok);
    assert_int_equal(a->nsubs, 2);
    assert_string_equal(a->subs[0].card_no, "1000113300005678");
    assert_string_equal(a->subs[0].no_masked, "1000********5678");
    assert_string_equal(a->subs[0].holder_masked, "王**");
    assert_string_equal(a->subs[1].status, "active");
    assert_int_equal(a->subs[1].allocation_fen, 15000);
    assert_int_equal(a->subs[1].amount_fen, 0);
    a = read_answer(CD_CALL_SUBCARDS, 200, "{\"subcards\":[]}", NULL);
    assert_true(a->ok);
    assert_int_equal(a->nsubs, 0);

    a = read_answer(CD_CALL_ALLOCATE, 200, alloc_json, NULL);
    assert_true(a->ok);
    assert_int_equal(a->main_account_fen, 400000);

    a = read_answer(CD_CALL_HISTORY, 200, history_json, NULL);
    assert_true(a->ok);
    assert_int_equal(a->nmoves, 2);
    assert_int_equal(a->moves[0].at_ms, INT64_C(1796000000000));
    assert_string_equal(a->moves[0].kind, "load");
    assert_int_equal(a->moves[0].amount_fen, 20000);
    assert_string_equal(a->moves[0].terminal, "T0001");
    assert_string_equal(a->moves[1].kind, "recharge");
    assert_string_equal(a->moves[1].terminal, "");
    a = read_answer(CD_CALL_HISTORY, 200, "{\"entries\":[]}", NULL);
    assert_true(a->ok);
    assert_int_equal(a->nmoves, 0);
}

/* Not exactly as the API says: refused whole, never guessed around. */
static void broken_answers(void **state)
{
    (void)state;
    static const struct {
        enum cd_call call;
        const char *text, *from, *to;
    } bad[] = {
        /* the card: missing or mistyped fields, money not whole fen, unknown words */
        {CD_CALL_CARD, card_json, "\"card_no_masked\":\"1000********2001\",", ""},
        {CD_CALL_CARD, card_json, "\"holder_masked\":\"刘*\",", ""},
        {CD_CALL_CARD, card_json, "\"kind\":\"personal\"", "\"kind\":\"fleet\""},
        {CD_CALL_CARD, card_json, "\"kind\":\"personal\"", "\"kind\":\"\""},
        {CD_CALL_CARD, card_json, "\"kind\":\"personal\"", "\"kind\":2"},
        {CD_CALL_CARD, card_json, "\"status\":\"active\"", "\"status\":\"frozen\""},
        {CD_CALL_CARD, card_json, "\"status\":\"active\"", "\"status\":\"ACTIVE\""},
        {CD_CALL_CARD, card_json, "\"invoice_mode\":\"recharge\"", "\"invoice_mode\":\"none\""},
        {CD_CALL_CARD, card_json, "\"account_fen\":0", "\"account_fen\":0.5"},
        {CD_CALL_CARD, card_json, "\"account_fen\":0", "\"account_fen\":\"0\""},
        {CD_CALL_CARD, card_json, "\"account_fen\":0", "\"account_fen\":-1"},
        {CD_CALL_CARD, card_json, "\"account_fen\":0", "\"account_fen\":100000000001"},
        {CD_CALL_CARD, card_json, "\"account_fen\":0,", ""},
        {CD_CALL_CARD, card_json, "\"allocation_fen\":0", "\"allocation_fen\":null"},
        {CD_CALL_CARD, card_json, "\"balance_cap_fen\":500000", "\"balance_cap_fen\":2147483648"},
        {CD_CALL_CARD, card_json, "\"daily_recharge_cap_fen\":500000,", ""},
        {CD_CALL_CARD, card_json, "\"recharged_today_fen\":0", "\"recharged_today_fen\":1.25"},
        {CD_CALL_CARD, card_json, "\"pending_loads\":[", "\"pending\":["},
        {CD_CALL_CARD, card_json, "\"pending_loads\":[{", "\"pending_loads\":[1,{"},
        {CD_CALL_CARD, card_json, "\"amount_fen\":20000", "\"amount_fen\":0"},
        {CD_CALL_CARD, card_json, "\"amount_fen\":20000", "\"amount_fen\":200.5"},
        {CD_CALL_CARD, card_json, "\"online_serial\":7", "\"online_serial\":65535"},
        {CD_CALL_CARD, card_json, "\"online_serial\":7", "\"online_serial\":-1"},
        {CD_CALL_CARD, card_json, "\"online_serial\":7,", ""},
        {CD_CALL_CARD, card_json, "\"source\":\"account\"", "\"source\":\"cash\""},
        {CD_CALL_CARD, card_json, "\"load_id\":\"L-T0001-20261130-000007\",", ""},
        {CD_CALL_CARD, card_json, "\"load_id\":\"L-T0001-20261130-000007\"",
         "\"load_id\":\"L-0123456789012345678901234567890123456789\""},
        /* the load: MAC2 not 8 hex digits, a date or time that is none, not pending */
        {CD_CALL_LOAD, load_json, "\"mac2\":\"3A845BF0\"", "\"mac2\":\"3A845BF\""},
        {CD_CALL_LOAD, load_json, "\"mac2\":\"3A845BF0\"", "\"mac2\":\"3A845BF00\""},
        {CD_CALL_LOAD, load_json, "\"mac2\":\"3A845BF0\"", "\"mac2\":\"3A845BFG\""},
        {CD_CALL_LOAD, load_json, "\"mac2\":\"3A845BF0\"", "\"mac2\":38450000"},
        {CD_CALL_LOAD, load_json, "\"mac2\":\"3A845BF0\",", ""},
        {CD_CALL_LOAD, load_json, "\"date\":\"20261130\"", "\"date\":\"2026113\""},
        {CD_CALL_LOAD, load_json, "\"date\":\"20261130\"", "\"date\":\"2026-1130\""},
        {CD_CALL_LOAD, load_json, "\"date\":\"20261130\"", "\"date\":20261130"},
        {CD_CALL_LOAD, load_json, "\"time\":\"141503\"", "\"time\":\"14:15\""},
        {CD_CALL_LOAD, load_json, "\"time\":\"141503\"", "\"time\":\"1415031\""},
        {CD_CALL_LOAD, load_json, "\"time\":\"141503\"", "\"time\":\"14150x\""},
        {CD_CALL_LOAD, load_json, "\"state\":\"PENDING\"", "\"state\":\"LOADED\""},
        {CD_CALL_LOAD, load_json, "\"state\":\"PENDING\",", ""},
        /* the confirm: not LOADED */
        {CD_CALL_CONFIRM, confirm_json, "\"state\":\"LOADED\"", "\"state\":\"PENDING\""},
        {CD_CALL_CONFIRM, confirm_json, "\"state\":\"LOADED\",", ""},
        {CD_CALL_CONFIRM, confirm_json, "\"state\":\"LOADED\"", "\"state\":true"},
        /* the sub-cards: a number that is not 16 digits, mistyped, not a list */
        {CD_CALL_SUBCARDS, subs_json, "\"card_no\":\"1000113300005678\"",
         "\"card_no\":\"100011330000567\""},
        {CD_CALL_SUBCARDS, subs_json, "\"card_no\":\"1000113300005678\"",
         "\"card_no\":\"100011330000567X\""},
        {CD_CALL_SUBCARDS, subs_json, "\"card_no\":\"1000113300005678\"",
         "\"card_no\":\"10001133000056781\""},
        {CD_CALL_SUBCARDS, subs_json, "\"card_no\":\"1000113300005678\"",
         "\"card_no\":1000113300005678"},
        {CD_CALL_SUBCARDS, subs_json, "\"card_no_masked\":\"1000********5678\",", ""},
        {CD_CALL_SUBCARDS, subs_json, "\"status\":\"active\",", ""},
        {CD_CALL_SUBCARDS, subs_json, "\"allocation_fen\":15000", "\"allocation_fen\":1.5"},
        {CD_CALL_SUBCARDS, subs_json, "\"allocation_fen\":15000", "\"allocation_fen\":-15000"},
        {CD_CALL_SUBCARDS, subs_json, "\"subcards\":[", "\"subcards\":[[],"},
        {CD_CALL_SUBCARDS, subs_json, "\"subcards\":[", "\"cards\":["},
        /* the allocation: the main card's account after it */
        {CD_CALL_ALLOCATE, alloc_json, "\"account_fen\":400000", "\"account_fen\":400000.5"},
        {CD_CALL_ALLOCATE, alloc_json, "\"account_fen\":400000", "\"account_fen\":-1"},
        {CD_CALL_ALLOCATE, alloc_json, "\"account_fen\":400000", "\"account_fen\":\"400000\""},
        {CD_CALL_ALLOCATE, alloc_json, "\"account_fen\":400000,", ""},
        /* the history */
        {CD_CALL_HISTORY, history_json, "\"kind\":\"load\"", "\"kind\":\"refund\""},
        {CD_CALL_HISTORY, history_json, "\"kind\":\"load\",", ""},
        {CD_CALL_HISTORY, history_json, "\"at_ms\":1796000000000", "\"at_ms\":-1"},
        {CD_CALL_HISTORY, history_json, "\"at_ms\":1796000000000", "\"at_ms\":4102444800001"},
        {CD_CALL_HISTORY, history_json, "\"amount_fen\":20000", "\"amount_fen\":200.01"},
        {CD_CALL_HISTORY, history_json, "\"terminal\":\"T0001\"", "\"terminal\":7"},
        {CD_CALL_HISTORY, history_json, "\"terminal\":\"T0001\"",
         "\"terminal\":\"T0001-the-kiosk-by-the-door\""},
        {CD_CALL_HISTORY, history_json, "\"entries\":[", "\"entries\":[\"x\","},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *text = with(bad[i].text, bad[i].from, bad[i].to);
        cJSON *j = cJSON_Parse(text);
        static struct cd_answer a;
        cd_api_answer(bad[i].call, 200, j, NULL, &a);
        if (a.ok)
            fail_msg("call %d read: %s", bad[i].call, text);
        assert_string_equal(a.code, "UNUSABLE");
        assert_false(a.transport);
        assert_int_equal(a.status, 200);
        if (bad[i].call == CD_CALL_CARD) {
            static struct cd_account c;
            if (j)
                assert_int_equal(cd_api_account(j, &c), -1);
        }
        cJSON_Delete(j);
    }
    /* too many pending loads, sub-cards, entries */
    char text[8192], list[6144];
    list[0] = '\0';
    for (int i = 0; i <= CD_MAX_PENDING; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list),
                 "%s{\"load_id\":\"L-%d\",\"amount_fen\":100,\"online_serial\":%d,"
                 "\"source\":\"account\"}",
                 i ? "," : "", i, i);
    snprintf(text, sizeof text, "%.*s[%s]}", (int)(strstr(card_json, "[{") - card_json), card_json,
             list);
    assert_false(read_answer(CD_CALL_CARD, 200, text, NULL)->ok);
    list[0] = '\0';
    for (int i = 0; i <= CD_MAX_SUBS; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list),
                 "%s{\"card_no\":\"10001133000056%02d\",\"card_no_masked\":\"m\","
                 "\"holder_masked\":\"\",\"status\":\"active\",\"allocation_fen\":0}",
                 i ? "," : "", i);
    snprintf(text, sizeof text, "{\"subcards\":[%s]}", list);
    assert_false(read_answer(CD_CALL_SUBCARDS, 200, text, NULL)->ok);
    /* ... one fewer is read */
    char *last = list;
    for (char *p = list; (p = strstr(p, ",{")); p++)
        last = p;
    *last = '\0';
    snprintf(text, sizeof text, "{\"subcards\":[%s]}", list);
    const struct cd_answer *a = read_answer(CD_CALL_SUBCARDS, 200, text, NULL);
    assert_true(a->ok);
    assert_int_equal(a->nsubs, CD_MAX_SUBS);
    list[0] = '\0';
    for (int i = 0; i <= CD_MAX_HISTORY; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list),
                 "%s{\"at_ms\":%d,\"kind\":\"load\",\"amount_fen\":1,\"terminal\":\"\"}",
                 i ? "," : "", i);
    snprintf(text, sizeof text, "{\"entries\":[%s]}", list);
    assert_false(read_answer(CD_CALL_HISTORY, 200, text, NULL)->ok);

    /* no body, or a body that is not an object, for any call */
    for (int k = CD_CALL_NONE; k <= CD_CALL_LAST; k++) {
        a = read_answer((enum cd_call)k, 200, NULL, NULL);
        assert_false(a->ok);
        assert_string_equal(a->code, "UNUSABLE");
        static const char *const others[] = {"[]", "\"x\"", "3", "null", "{}"};
        for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
            a = read_answer((enum cd_call)k, 200, others[i], NULL);
            assert_false(a->ok);
            assert_string_equal(a->code, "UNUSABLE");
        }
    }
    static struct cd_account c;
    assert_int_equal(cd_api_account(NULL, &c), -1);
}

static void error_answers(void **state)
{
    (void)state;
    /* a refusal keeps its status and code, whatever the body */
    const struct cd_answer *a = read_answer(CD_CALL_LOAD, 409, load_json, "MAC1_MISMATCH");
    assert_false(a->ok);
    assert_false(a->transport);
    assert_int_equal(a->status, 409);
    assert_string_equal(a->code, "MAC1_MISMATCH");
    assert_string_equal(a->mac2, ""); /* nothing of the body read */
    a = read_answer(CD_CALL_CARD, 404, NULL, "CARD_NOT_FOUND");
    assert_false(a->ok);
    assert_string_equal(a->code, "CARD_NOT_FOUND");
    assert_int_equal(a->account.npending, 0);
    a = read_answer(CD_CALL_CARD, 500, card_json, NULL);
    assert_false(a->ok);
    assert_string_equal(a->code, "");
    a = read_answer(CD_CALL_CONFIRM, 302, confirm_json, "");
    assert_false(a->ok);
    /* a code too long for the answer: cut, terminated */
    a = read_answer(CD_CALL_LOAD, 409, NULL,
                    "A_VERY_LONG_ERROR_CODE_THAT_DOES_NOT_FIT_IN_FORTY_BYTES");
    assert_int_equal(strlen(a->code), sizeof a->code - 1);
    /* no answer at all */
    a = read_answer(CD_CALL_CARD, 0, NULL, NULL);
    assert_false(a->ok);
    assert_true(a->transport);
    assert_int_equal(a->status, 0);
    assert_string_equal(a->code, "");
}

/* ---- records ------------------------------------------------------------------------------- */

static struct cd_load_record load_record(void)
{
    struct cd_load_record r;
    memset(&r, 0, sizeof r);
    snprintf(r.card_no, sizeof r.card_no, CARD_NO);
    snprintf(r.load_id, sizeof r.load_id, LOAD_ID);
    r.amount_fen = 20000;
    r.online_serial = 7;
    snprintf(r.source, sizeof r.source, "account");
    r.balance_before_fen = 8800;
    r.balance_after_fen = 28800;
    snprintf(r.tac, sizeof r.tac, "11223344");
    snprintf(r.date, sizeof r.date, "20261130");
    snprintf(r.time, sizeof r.time, "141503");
    snprintf(r.term_hex, sizeof r.term_hex, "000000000001");
    return r;
}

static void records(void **state)
{
    (void)state;
    struct cd_load_record r = load_record(), back;
    char *intent = cd_record_intent(&r);
    assert_non_null(intent);
    assert_true(digit_run(intent) < 16);
    assert_null(strstr(intent, CARD_NO));
    cJSON *j = parse(intent);
    assert_string_equal(json_str(j, "card_no"), "1000 1133 0000 2001");
    assert_string_equal(json_str(j, "load_id"), LOAD_ID);
    assert_string_equal(json_str(j, "source"), "account");
    assert_string_equal(json_str(j, "terminal_id"), "000000000001");
    assert_string_equal(json_str(j, "date"), "20261130");
    assert_string_equal(json_str(j, "time"), "141503");
    int bad = 0;
    assert_int_equal(json_int(j, "amount_fen", 1, JSON_MAX_FEN, &bad), 20000);
    assert_int_equal(json_int(j, "online_serial", 0, 65535, &bad), 7);
    assert_int_equal(json_int(j, "balance_before_fen", 0, JSON_MAX_FEN, &bad), 8800);
    assert_false(bad);
    assert_null(cJSON_GetObjectItemCaseSensitive(j, "tac")); /* no TAC before the credit */
    cJSON_Delete(j);
    /* read back: the card number as its 16 digits */
    assert_int_equal(cd_record_read(intent, &back), 0);
    assert_string_equal(back.card_no, CARD_NO);
    assert_string_equal(back.load_id, LOAD_ID);
    assert_string_equal(back.source, "account");
    assert_int_equal(back.amount_fen, 20000);
    assert_int_equal(back.online_serial, 7);
    free(intent);

    char *txn = cd_record_txn(&r);
    assert_non_null(txn);
    assert_true(digit_run(txn) < 16);
    j = parse(txn);
    assert_string_equal(json_str(j, "card_no"), "1000 1133 0000 2001");
    assert_string_equal(json_str(j, "tac"), "11223344");
    assert_int_equal(json_int(j, "balance_after_fen", 0, JSON_MAX_FEN, &bad), 28800);
    assert_false(bad);
    cJSON_Delete(j);
    assert_int_equal(cd_record_read(txn, &back), 0);
    assert_string_equal(back.card_no, CARD_NO);
    free(txn);

    /* a payload that does not read: nothing */
    static const char *const broken[] = {
        "",
        "not json",
        "[]",
        "{}",
        "{\"card_no\":\"1000 1133 0000 2001\",\"load_id\":\"L-1\",\"source\":\"account\","
        "\"amount_fen\":0,\"online_serial\":7}",
        "{\"card_no\":\"1000 1133 0000 2001\",\"load_id\":\"L-1\",\"source\":\"account\","
        "\"amount_fen\":1.5,\"online_serial\":7}",
        "{\"card_no\":\"1000 1133 0000 2001\",\"load_id\":\"L-1\",\"source\":\"account\","
        "\"amount_fen\":100,\"online_serial\":-1}",
        "{\"card_no\":\"1000 1133 0000 2001\",\"load_id\":\"\",\"source\":\"account\","
        "\"amount_fen\":100,\"online_serial\":7}",
        "{\"card_no\":\"1000 1133 0000 2001\",\"load_id\":\"L-1\",\"amount_fen\":100,"
        "\"online_serial\":7}",
        "{\"card_no\":\"1000 1133 0000 200\",\"load_id\":\"L-1\",\"source\":\"account\","
        "\"amount_fen\":100,\"online_serial\":7}",
        "{\"card_no\":\"1000-1133-0000-2001\",\"load_id\":\"L-1\",\"source\":\"account\","
        "\"amount_fen\":100,\"online_serial\":7}",
        "{\"card_no\":\"1000 1133 0000 200X\",\"load_id\":\"L-1\",\"source\":\"account\","
        "\"amount_fen\":100,\"online_serial\":7}",
        "{\"card_no\":1000113300002001,\"load_id\":\"L-1\",\"source\":\"account\","
        "\"amount_fen\":100,\"online_serial\":7}",
        /* a digit too many is not this card */
        "{\"card_no\":\"1000 1133 0000 20011\",\"load_id\":\"L-1\",\"source\":\"account\","
        "\"amount_fen\":100,\"online_serial\":7}",
        "{\"card_no\":\"1000 1133 0000 2001 9\",\"load_id\":\"L-1\",\"source\":\"account\","
        "\"amount_fen\":100,\"online_serial\":7}",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
        if (cd_record_read(broken[i], &back) != -1)
            fail_msg("read: %s (card %s)", broken[i], back.card_no);
    assert_int_equal(cd_record_read(NULL, &back), -1);
    /* the same without grouping reads too (16 digits) */
    assert_int_equal(cd_record_read("{\"card_no\":\"1000113300002001\",\"load_id\":\"L-1\","
                                    "\"source\":\"allocation\",\"amount_fen\":100,"
                                    "\"online_serial\":65535}",
                                    &back),
                     0);
    assert_string_equal(back.card_no, CARD_NO);
    assert_int_equal(back.online_serial, 65535);
}

/* A load's transaction record read back whole (cd_record_read_txn), strictly, and the copy of
 * its receipt drawn from it: marked, so taller than the same receipt unmarked. */
static void copy_receipt(void **state)
{
    (void)state;
    struct cd_load_record r = load_record(), back;
    char *txn = cd_record_txn(&r), *intent = cd_record_intent(&r);
    assert_non_null(txn);
    memset(&back, 0xA5, sizeof back);
    assert_int_equal(cd_record_read_txn(txn, &back), 0);
    assert_string_equal(back.card_no, CARD_NO);
    assert_string_equal(back.load_id, LOAD_ID);
    assert_string_equal(back.source, "account");
    assert_int_equal(back.amount_fen, 20000);
    assert_int_equal(back.online_serial, 7);
    assert_int_equal(back.balance_before_fen, 8800);
    assert_int_equal(back.balance_after_fen, 28800);
    assert_string_equal(back.tac, "11223344");
    assert_string_equal(back.date, "20261130");
    assert_string_equal(back.time, "141503");
    assert_string_equal(back.term_hex, "000000000001");
    /* an intent is no load that happened: no TAC, no balance after */
    assert_int_equal(cd_record_read_txn(intent, &back), -1);
    assert_int_equal(cd_record_read_txn(NULL, &back), -1);
    static const struct {
        const char *from, *to;
    } not_whole[] = {
        {"\"tac\":\"11223344\"", "\"tac\":\"1122334\""},
        {"\"tac\":\"11223344\"", "\"tac\":\"112233GG\""},
        {"\"tac\":\"11223344\"", "\"tac\":11223344"},
        {"\"tac\":\"11223344\"", "\"tac\":\"112233445\""},
        {"\"date\":\"20261130\"", "\"date\":\"2026113\""},
        {"\"date\":\"20261130\"", "\"date\":\"2026-11-30\""},
        {"\"date\":\"20261130\"", "\"day\":\"20261130\""},
        {"\"time\":\"141503\"", "\"time\":\"14150x\""},
        {"\"time\":\"141503\"", "\"time\":null"},
        {"\"terminal_id\":\"000000000001\"", "\"terminal_id\":\"00000000001\""},
        {"\"terminal_id\":\"000000000001\"", "\"terminal_id\":\"00000000000Z\""},
        {"\"balance_before_fen\":8800", "\"balance_before_fen\":8801"},
        {"\"balance_before_fen\":8800", "\"balance_before_fen\":-11200"},
        {"\"balance_before_fen\":8800", "\"balance_before_fen\":8800.5"},
        {"\"balance_before_fen\":8800", "\"balance_before\":8800"},
        {"\"balance_after_fen\":28800", "\"balance_after_fen\":4294967296"},
        {"\"balance_after_fen\":28800", "\"balance_after_fen\":\"28800\""},
        {"\"amount_fen\":20000", "\"amount_fen\":20001"},
    };
    for (size_t i = 0; i < sizeof not_whole / sizeof not_whole[0]; i++) {
        const char *text = with(txn, not_whole[i].from, not_whole[i].to);
        if (cd_record_read_txn(text, &back) != -1)
            fail_msg("read: %s", text);
    }
    /* a load proved on a later insertion has no date and time; lower-case hex is hex too */
    assert_int_equal(cd_record_read_txn(with(with(txn, "\"date\":\"20261130\"", "\"date\":\"\""),
                                             "\"time\":\"141503\"", "\"time\":\"\""),
                                        &back),
                     0);
    assert_string_equal(back.date, "");
    assert_int_equal(
        cd_record_read_txn(with(txn, "\"tac\":\"11223344\"", "\"tac\":\"3a845bf0\""), &back), 0);
    assert_int_equal(cd_record_read_txn(txn, &back), 0);
    free(intent);
    free(txn);

    /* the copy, drawn as the kiosk draws slips, on both papers and in both languages */
    SDL_Surface *sf = SDL_CreateRGBSurfaceWithFormat(0, 64, 64, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *rd = sf ? SDL_CreateSoftwareRenderer(sf) : NULL;
    char err[256];
    struct text_engine *te = rd ? text_create(rd, "", "Noto Sans CJK SC", err, sizeof err) : NULL;
    assert_non_null(te);
    struct kiosk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.station_name, sizeof cfg.station_name, "朝阳路加油站");
    snprintf(cfg.terminal_id, sizeof cfg.terminal_id, "T0001");
    static const int widths[] = {576, 384};
    for (int w = 0; w < 2; w++)
        for (int l = 0; l < 2; l++) {
            const char *lang = l ? "en_US" : "zh_CN";
            cfg.paper_width_dots = widths[w];
            struct slip *copy = cd_slip_copy(te, &cfg, lang, &back);
            assert_non_null(copy);
            const struct bitmap *b = slip_bitmap(copy);
            assert_int_equal(b->width, widths[w]);
            assert_in_range(b->height, 400, 4000);
            struct cd_receipt plain = {.card_no = back.card_no, .holder = "",
                                       .loaded_fen = back.amount_fen,
                                       .balance_before_fen = back.balance_before_fen,
                                       .balance_after_fen = back.balance_after_fen,
                                       .tac = "11223344", .load_id = back.load_id,
                                       .online_serial = 7, .recharge_txn = "",
                                       .date = back.date, .time = back.time};
            struct slip *first = cd_slip_receipt(te, &cfg, lang, &plain);
            assert_non_null(first);
            assert_true(slip_bitmap(first)->height < b->height); /* the copy is marked */
            slip_destroy(first);
            slip_destroy(copy);
        }
    text_destroy(te);
    SDL_DestroyRenderer(rd);
    SDL_FreeSurface(sf);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(requests),       cmocka_unit_test(good_answers),
        cmocka_unit_test(broken_answers), cmocka_unit_test(error_answers),
        cmocka_unit_test(records),        cmocka_unit_test(copy_receipt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
