/* The depot pickup's side of the wire (depot/api.h) and its journal payloads (depot/record.h):
 * requests built from the flow's dp_request (the ID number proved, never sent), answers read
 * strictly (an answer not as docs/backend-api.md "Depot pickups" says is refused whole),
 * records that keep masked fields only, and a ticket drawn again from its record (补打). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <SDL.h>

#include "api.h"
#include "core/json.h"
#include "core/log.h"
#include "core/sign.h"
#include "record.h"
#include "slip.h"

#define CODE "PK2611300001"
#define ORDER "PO2611300001"
#define ID_NO "110105198203154413"
#define ID_MASKED "110***********4413"
#define SALT "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
/* hex(HMAC-SHA256(the 32 bytes of SALT, ID_NO)), worked out apart from the kiosk's code */
#define PROOF "44a7d1458118e72fc5802fbb911cfe8b2e5c5231c0ef8cd85a556bf1356611b6"
/* ... and of 32 bytes of 0xA5, a residence permit's number */
#define SALT2 "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"
#define ID_NO2 "81000019800101002X"
#define PROOF2 "e0b98bc5e2ab1691dc19e2b9e5513a8d0fd9e6d3c172fe85bcab931d81a0a40e"

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

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
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
static const struct dp_answer *read_answer(enum dp_call k, int status, const char *text,
                                           const char *code)
{
    static struct dp_answer a;
    cJSON *j = text ? parse(text) : NULL;
    memset(&a, 0xA5, sizeof a); /* nothing of a previous answer may show through */
    dp_api_answer(k, status, j, code, &a);
    cJSON_Delete(j);
    return &a;
}

/* The examples of docs/backend-api.md. */
static const char order_json[] =
    "{\"order_id\":\"PO2611300001\",\"code\":\"PK2611300001\",\"product\":\"0号柴油\","
    "\"unit\":\"L\",\"quantity_milli\":30000000,\"plate\":\"京A·12345\","
    "\"valid_from\":\"2026-11-29T00:00:00+08:00\",\"valid_to\":\"2026-12-02T23:59:59+08:00\","
    "\"depot\":\"D01\",\"depot_name\":\"北郊油库\",\"bay\":\"3\",\"status\":\"OPEN\","
    "\"id_salt\":\"" SALT "\"}";
static const char issued_json[] =
    "{\"order_id\":\"PO2611300005\",\"code\":\"PK2611300005\",\"product\":\"0号柴油\","
    "\"unit\":\"L\",\"quantity_milli\":10000000,\"plate\":\"京A·12345\","
    "\"valid_from\":\"2026-11-29T00:00:00+08:00\",\"valid_to\":\"2026-12-02T23:59:59+08:00\","
    "\"depot\":\"D01\",\"depot_name\":\"北郊油库\",\"bay\":\"3\",\"status\":\"ISSUED\","
    "\"id_salt\":\"" SALT "\",\"ticket\":{\"ticket_no\":\"TK2611300005\","
    "\"issued_at\":\"2026-11-30T10:42:00+08:00\",\"terminal\":\"T0002\"}}";
static const char driver_json[] =
    "{\"driver_ref\":\"DR-PO2611300001-1\",\"name_masked\":\"王*国\"}";
static const char face_json[] = "{\"verdict\":\"MATCH\",\"score\":93,\"check_id\":\"FC000001\"}";
static const char ticket_json[] =
    "{\"ticket_no\":\"TK2611300001\",\"order_id\":\"PO2611300001\",\"bay\":\"3\","
    "\"issued_at\":\"2026-11-30T14:15:03+08:00\",\"terminal\":\"T0001\",\"first\":true}";

/* ---- requests ------------------------------------------------------------------------------ */

static struct dp_request request(enum dp_call k)
{
    struct dp_request rq;
    memset(&rq, 0, sizeof rq);
    rq.call = k;
    snprintf(rq.code, sizeof rq.code, CODE);
    snprintf(rq.depot, sizeof rq.depot, "D01");
    snprintf(rq.order_id, sizeof rq.order_id, ORDER);
    snprintf(rq.id_no, sizeof rq.id_no, ID_NO);
    snprintf(rq.id_salt, sizeof rq.id_salt, SALT);
    rq.id_kind = 0;
    snprintf(rq.driver_ref, sizeof rq.driver_ref, "DR-PO2611300001-1");
    snprintf(rq.check_id, sizeof rq.check_id, "FC000001");
    snprintf(rq.terminal, sizeof rq.terminal, "T0001");
    rq.attempt = 1;
    return rq;
}

static const uint8_t JPEG[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F'};

/* The proof as libsodium makes it, apart from the kiosk's sign.c. */
static void hmac_hex(const char *salt_hex, const char *id, char out[65])
{
    uint8_t key[crypto_auth_hmacsha256_KEYBYTES], mac[crypto_auth_hmacsha256_BYTES];
    assert_int_equal(sodium_hex2bin(key, sizeof key, salt_hex, 64, NULL, NULL, NULL), 0);
    crypto_auth_hmacsha256(mac, (const unsigned char *)id, strlen(id), key);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

static void pickup_and_ticket_requests(void **state)
{
    (void)state;
    struct dp_http h;
    /* the lookup: GET, no body, no key */
    struct dp_request rq = request(DP_CALL_PICKUP);
    assert_int_equal(dp_api_http(&rq, NULL, 0, NULL, 0, &h), 0);
    assert_string_equal(h.method, "GET");
    assert_string_equal(h.path, "/v1/depots/D01/pickups/" CODE);
    assert_null(h.body);
    assert_int_equal(h.body_len, 0);
    assert_string_equal(h.key, "");
    dp_api_http_free(&h);

    /* the ticket: its key is the order id itself */
    rq = request(DP_CALL_TICKET);
    assert_int_equal(dp_api_http(&rq, NULL, 0, NULL, 0, &h), 0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.path, "/v1/depot/orders/" ORDER "/ticket");
    assert_string_equal(h.key, ORDER);
    assert_int_equal(h.body_len, strlen(h.body));
    cJSON *j = parse(h.body);
    assert_string_equal(json_str(j, "driver_ref"), "DR-PO2611300001-1");
    assert_string_equal(json_str(j, "check_id"), "FC000001");
    assert_string_equal(json_str(j, "terminal"), "T0001");
    assert_int_equal(cJSON_GetArraySize(j), 3);
    assert_null(strstr(h.body, ID_NO));
    cJSON_Delete(j);
    dp_api_http_free(&h);
    assert_null(h.body);
    /* the same ticket asked again: the same key (one ticket per order) */
    rq.attempt = 7;
    assert_int_equal(dp_api_http(&rq, NULL, 0, NULL, 0, &h), 0);
    assert_string_equal(h.key, ORDER);
    dp_api_http_free(&h);
}

static void driver_request(void **state)
{
    (void)state;
    struct dp_http h;
    struct dp_request rq = request(DP_CALL_DRIVER);
    assert_int_equal(dp_api_http(&rq, NULL, 0, NULL, 0, &h), 0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.path, "/v1/depot/orders/" ORDER "/driver");
    assert_string_equal(h.key, "drv-" ORDER "-1");
    assert_int_equal(h.body_len, strlen(h.body));
    /* the proof, never the number */
    assert_null(strstr(h.body, ID_NO));
    assert_null(strstr(h.body, "1101051982"));
    assert_null(strstr(h.body, "4413\""));
    cJSON *j = parse(h.body);
    char want[65];
    hmac_hex(SALT, ID_NO, want);
    assert_string_equal(want, PROOF);
    assert_string_equal(json_str(j, "id_proof"), PROOF);
    assert_string_equal(json_str(j, "id_kind"), "resident");
    assert_int_equal(cJSON_GetArraySize(j), 2);
    cJSON_Delete(j);
    dp_api_http_free(&h);
    /* and as sign.h makes it */
    uint8_t key[SIGN_KEY_LEN];
    char proof[SIGN_HEX_LEN];
    assert_int_equal(sign_key_from_hex(SALT, key), 0);
    sign_hmac_hex(key, ID_NO, strlen(ID_NO), proof);
    assert_string_equal(proof, PROOF);

    /* a residence permit, another salt, the third card: its own key */
    rq = request(DP_CALL_DRIVER);
    snprintf(rq.id_no, sizeof rq.id_no, ID_NO2);
    snprintf(rq.id_salt, sizeof rq.id_salt, SALT2);
    rq.id_kind = 1;
    rq.attempt = 3;
    assert_int_equal(dp_api_http(&rq, NULL, 0, NULL, 0, &h), 0);
    assert_string_equal(h.key, "drv-" ORDER "-3");
    assert_null(strstr(h.body, ID_NO2));
    assert_null(strstr(h.body, "8100001980"));
    j = parse(h.body);
    hmac_hex(SALT2, ID_NO2, want);
    assert_string_equal(want, PROOF2);
    assert_string_equal(json_str(j, "id_proof"), PROOF2);
    assert_string_equal(json_str(j, "id_kind"), "hmt");
    cJSON_Delete(j);
    dp_api_http_free(&h);
    /* the salt in capitals is the same salt */
    rq = request(DP_CALL_DRIVER);
    snprintf(rq.id_salt, sizeof rq.id_salt,
             "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
    assert_int_equal(dp_api_http(&rq, NULL, 0, NULL, 0, &h), 0);
    j = parse(h.body);
    assert_string_equal(json_str(j, "id_proof"), PROOF);
    cJSON_Delete(j);
    dp_api_http_free(&h);

    /* a salt that is not 64 hex, a number that is not 18 characters: nothing built */
    static const char *const salts[] = {
        "",
        "00",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",  /* 63 */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g", /* not hex */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e 1",
        "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
    };
    for (size_t i = 0; i < sizeof salts / sizeof salts[0]; i++) {
        rq = request(DP_CALL_DRIVER);
        snprintf(rq.id_salt, sizeof rq.id_salt, "%s", salts[i]);
        if (dp_api_http(&rq, NULL, 0, NULL, 0, &h) != -1)
            fail_msg("salt \"%s\" taken", salts[i]);
        assert_null(h.body);
        dp_api_http_free(&h);
    }
    static const char *const numbers[] = {"", "11010519820315441", "1101051982", "X"};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        rq = request(DP_CALL_DRIVER);
        snprintf(rq.id_no, sizeof rq.id_no, "%s", numbers[i]);
        if (dp_api_http(&rq, NULL, 0, NULL, 0, &h) != -1)
            fail_msg("ID number \"%s\" taken", numbers[i]);
        assert_null(h.body);
        dp_api_http_free(&h);
    }
}

static void face_request(void **state)
{
    (void)state;
    struct dp_http h;
    static uint8_t photo[1024];
    for (size_t i = 0; i < sizeof photo; i++)
        photo[i] = (uint8_t)(i * 7 + 3);
    struct dp_request rq = request(DP_CALL_FACE);
    rq.attempt = 2;
    assert_int_equal(dp_api_http(&rq, JPEG, sizeof JPEG, photo, sizeof photo, &h), 0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.path, "/v1/depot/orders/" ORDER "/face");
    assert_string_equal(h.key, "face-" ORDER "-2");
    assert_int_equal(h.body_len, strlen(h.body));
    cJSON *j = parse(h.body);
    assert_string_equal(json_str(j, "driver_ref"), "DR-PO2611300001-1");
    assert_string_equal(json_str(j, "frame_jpeg"), "/9j/4AAQSkZJRg==");
    /* the photo, whole: decoded back to its 1024 bytes */
    const char *wlt = json_str(j, "id_photo_wlt");
    static uint8_t back[2048];
    size_t n = 0;
    assert_int_equal(sodium_base642bin(back, sizeof back, wlt, strlen(wlt), NULL, &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(n, sizeof photo);
    assert_memory_equal(back, photo, sizeof photo);
    assert_int_equal(cJSON_GetArraySize(j), 3);
    cJSON_Delete(j);
    dp_api_http_free(&h);

    /* no photo: null */
    for (int how = 0; how < 2; how++) {
        rq = request(DP_CALL_FACE);
        assert_int_equal(dp_api_http(&rq, JPEG, sizeof JPEG, how ? photo : NULL, 0, &h), 0);
        assert_string_equal(h.key, "face-" ORDER "-1");
        j = parse(h.body);
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "id_photo_wlt");
        assert_non_null(p);
        assert_true(cJSON_IsNull(p));
        assert_string_equal(json_str(j, "frame_jpeg"), "/9j/4AAQSkZJRg==");
        cJSON_Delete(j);
        dp_api_http_free(&h);
    }
    /* no frame: no request */
    rq = request(DP_CALL_FACE);
    assert_int_equal(dp_api_http(&rq, NULL, 0, photo, sizeof photo, &h), -1);
    assert_null(h.body);
    assert_int_equal(dp_api_http(&rq, JPEG, 0, photo, sizeof photo, &h), -1);
    assert_null(h.body);
    assert_int_equal(dp_api_http(&rq, NULL, sizeof JPEG, NULL, 0, &h), -1);
    assert_null(h.body);
    dp_api_http_free(&h);
}

static void unsafe_requests(void **state)
{
    (void)state;
    struct dp_http h;
    /* nothing that is not a plain path part goes into a path */
    static const char *const unsafe[] = {"",     "PO/1", "PO.1",   "..",   "../../admin", "PO 1",
                                         "PO?1", "PO#1", "PO%2F1", "张三", "PO\n1",       "PO\\1"};
    static const enum dp_call posts[] = {DP_CALL_DRIVER, DP_CALL_FACE, DP_CALL_TICKET};
    for (size_t k = 0; k < sizeof posts / sizeof posts[0]; k++)
        for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
            struct dp_request rq = request(posts[k]);
            snprintf(rq.order_id, sizeof rq.order_id, "%s", unsafe[i]);
            if (dp_api_http(&rq, JPEG, sizeof JPEG, NULL, 0, &h) != -1)
                fail_msg("call %d took order id \"%s\": %s", posts[k], unsafe[i], h.path);
            assert_null(h.body);
        }
    for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
        struct dp_request rq = request(DP_CALL_PICKUP);
        snprintf(rq.code, sizeof rq.code, "%s", unsafe[i]);
        if (dp_api_http(&rq, NULL, 0, NULL, 0, &h) != -1)
            fail_msg("code \"%s\" taken: %s", unsafe[i], h.path);
        rq = request(DP_CALL_PICKUP);
        snprintf(rq.depot, sizeof rq.depot, "%s", unsafe[i]);
        if (dp_api_http(&rq, NULL, 0, NULL, 0, &h) != -1)
            fail_msg("depot \"%s\" taken: %s", unsafe[i], h.path);
    }
    /* a lookup does not need an order id; the others do not need a code */
    struct dp_request rq = request(DP_CALL_PICKUP);
    rq.order_id[0] = '\0';
    assert_int_equal(dp_api_http(&rq, NULL, 0, NULL, 0, &h), 0);
    dp_api_http_free(&h);
    rq = request(DP_CALL_TICKET);
    rq.code[0] = rq.depot[0] = '\0';
    assert_int_equal(dp_api_http(&rq, NULL, 0, NULL, 0, &h), 0);
    dp_api_http_free(&h);
    /* no call, or one that is none */
    rq = request(DP_CALL_NONE);
    assert_int_equal(dp_api_http(&rq, JPEG, sizeof JPEG, NULL, 0, &h), -1);
    assert_null(h.body);
    rq = request(DP_CALL_LAST);
    assert_int_equal(dp_api_http(&rq, JPEG, sizeof JPEG, NULL, 0, &h), -1);
    assert_null(h.body);
    dp_api_http_free(&h); /* freeing a refused request is harmless */
    dp_api_http_free(&h);
}

/* ---- answers ------------------------------------------------------------------------------- */

static void good_answers(void **state)
{
    (void)state;
    const struct dp_answer *a = read_answer(DP_CALL_PICKUP, 200, order_json, NULL);
    assert_true(a->ok);
    assert_false(a->transport);
    assert_int_equal(a->status, 200);
    assert_string_equal(a->code, "");
    const struct dp_order *o = &a->order;
    assert_string_equal(o->order_id, ORDER);
    assert_string_equal(o->code, CODE);
    assert_string_equal(o->product, "0号柴油");
    assert_string_equal(o->unit, "L");
    assert_int_equal(o->quantity_milli, 30000000);
    assert_string_equal(o->plate, "京A·12345");
    assert_string_equal(o->valid_from, "2026-11-29T00:00:00+08:00");
    assert_string_equal(o->valid_to, "2026-12-02T23:59:59+08:00");
    assert_string_equal(o->depot, "D01");
    assert_string_equal(o->depot_name, "北郊油库");
    assert_string_equal(o->bay, "3");
    assert_string_equal(o->status, "OPEN");
    assert_string_equal(o->id_salt, SALT);
    assert_string_equal(o->ticket_no, "");
    assert_string_equal(o->issued_at, "");
    assert_string_equal(o->issued_by, "");
    /* nothing of another call's fields */
    assert_string_equal(a->driver_ref, "");
    assert_string_equal(a->ticket_no, "");

    a = read_answer(DP_CALL_PICKUP, 200, issued_json, NULL);
    assert_true(a->ok);
    assert_string_equal(a->order.status, "ISSUED");
    assert_string_equal(a->order.ticket_no, "TK2611300005");
    assert_string_equal(a->order.issued_at, "2026-11-30T10:42:00+08:00");
    assert_string_equal(a->order.issued_by, "T0002");

    static const char *const fine[][2] = {
        {"\"unit\":\"L\",\"quantity_milli\":30000000", "\"unit\":\"t\",\"quantity_milli\":25500"},
        {"\"quantity_milli\":30000000", "\"quantity_milli\":1"},
        {"\"quantity_milli\":30000000", "\"quantity_milli\":1000000000000"},
        {"\"quantity_milli\":30000000", "\"quantity_milli\":3e7"},
        {"\"depot_name\":\"北郊油库\"", "\"depot_name\":\"\""},
        {"\"bay\":\"3\"", "\"bay\":\"\""},
        {"\"valid_from\":\"2026-11-29T00:00:00+08:00\"", "\"valid_from\":\"2026-11-28T16:00:00Z\""},
        {"\"valid_to\":\"2026-12-02T23:59:59+08:00\"",
         "\"valid_to\":\"2026-12-02T15:59:59-00:00\""},
        {"\"id_salt\":\"00", "\"id_salt\":\"AB"},
        {"{\"order_id\"", "{\"extra\":[1,2],\"order_id\""},
        {"\"order_id\":\"PO2611300001\"", "\"order_id\":\"PO-26_11\""},
    };
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        const char *text = with(order_json, fine[i][0], fine[i][1]);
        if (!read_answer(DP_CALL_PICKUP, 200, text, NULL)->ok)
            fail_msg("refused: %s", text);
    }
    a = read_answer(DP_CALL_PICKUP, 200,
                    with(order_json, "\"unit\":\"L\",\"quantity_milli\":30000000",
                         "\"unit\":\"t\",\"quantity_milli\":25500"),
                    NULL);
    assert_string_equal(a->order.unit, "t");
    assert_int_equal(a->order.quantity_milli, 25500);
    /* any 2xx */
    assert_true(read_answer(DP_CALL_PICKUP, 201, order_json, NULL)->ok);
    assert_true(read_answer(DP_CALL_PICKUP, 299, order_json, NULL)->ok);

    a = read_answer(DP_CALL_DRIVER, 200, driver_json, NULL);
    assert_true(a->ok);
    assert_string_equal(a->driver_ref, "DR-PO2611300001-1");
    assert_string_equal(a->name_masked, "王*国");
    assert_true(all_zero(&a->order, sizeof a->order));
    a = read_answer(DP_CALL_DRIVER, 200, with(driver_json, "\"王*国\"", "\"\""), NULL);
    assert_true(a->ok);
    assert_string_equal(a->name_masked, "");

    a = read_answer(DP_CALL_FACE, 200, face_json, NULL);
    assert_true(a->ok);
    assert_true(a->match);
    assert_int_equal(a->score, 93);
    assert_string_equal(a->check_id, "FC000001");
    a = read_answer(DP_CALL_FACE, 200,
                    with(with(face_json, "\"MATCH\"", "\"NO_MATCH\""), "93", "31"), NULL);
    assert_true(a->ok);
    assert_false(a->match);
    assert_int_equal(a->score, 31);
    assert_true(read_answer(DP_CALL_FACE, 200, with(face_json, "93", "0"), NULL)->ok);
    assert_true(read_answer(DP_CALL_FACE, 200, with(face_json, "93", "100"), NULL)->ok);

    a = read_answer(DP_CALL_TICKET, 200, ticket_json, NULL);
    assert_true(a->ok);
    assert_string_equal(a->ticket_no, "TK2611300001");
    assert_string_equal(a->bay, "3");
    assert_string_equal(a->issued_at, "2026-11-30T14:15:03+08:00");
    assert_string_equal(a->issued_by, "T0001");
    assert_true(a->first);
    a = read_answer(DP_CALL_TICKET, 200,
                    with(with(ticket_json, "true", "false"), "\"T0001\"", "\"T0002\""), NULL);
    assert_true(a->ok);
    assert_false(a->first);
    assert_string_equal(a->issued_by, "T0002");
    a = read_answer(DP_CALL_TICKET, 200, with(ticket_json, "\"bay\":\"3\"", "\"bay\":\"\""), NULL);
    assert_true(a->ok);
    assert_string_equal(a->bay, "");
}

/* Not exactly as the API says: refused whole, never guessed around. */
static void broken_answers(void **state)
{
    (void)state;
    static const struct {
        enum dp_call call;
        const char *text, *from, *to;
    } bad[] = {
        /* the order: every field missing */
        {DP_CALL_PICKUP, order_json, "\"order_id\":\"PO2611300001\",", ""},
        {DP_CALL_PICKUP, order_json, "\"code\":\"PK2611300001\",", ""},
        {DP_CALL_PICKUP, order_json, "\"product\":\"0号柴油\",", ""},
        {DP_CALL_PICKUP, order_json, "\"unit\":\"L\",", ""},
        {DP_CALL_PICKUP, order_json, "\"quantity_milli\":30000000,", ""},
        {DP_CALL_PICKUP, order_json, "\"plate\":\"京A·12345\",", ""},
        {DP_CALL_PICKUP, order_json, "\"valid_from\":\"2026-11-29T00:00:00+08:00\",", ""},
        {DP_CALL_PICKUP, order_json, "\"valid_to\":\"2026-12-02T23:59:59+08:00\",", ""},
        {DP_CALL_PICKUP, order_json, "\"depot\":\"D01\",", ""},
        {DP_CALL_PICKUP, order_json, "\"depot_name\":\"北郊油库\",", ""},
        {DP_CALL_PICKUP, order_json, "\"bay\":\"3\",", ""},
        {DP_CALL_PICKUP, order_json, "\"status\":\"OPEN\",", ""},
        {DP_CALL_PICKUP, order_json, ",\"id_salt\":\"" SALT "\"", ""},
        /* ... mistyped, empty, too long */
        {DP_CALL_PICKUP, order_json, "\"order_id\":\"PO2611300001\"", "\"order_id\":2611300001"},
        {DP_CALL_PICKUP, order_json, "\"order_id\":\"PO2611300001\"", "\"order_id\":\"\""},
        {DP_CALL_PICKUP, order_json, "\"order_id\":\"PO2611300001\"", "\"order_id\":\"PO/1\""},
        {DP_CALL_PICKUP, order_json, "\"order_id\":\"PO2611300001\"", "\"order_id\":\"PO 1\""},
        {DP_CALL_PICKUP, order_json, "\"order_id\":\"PO2611300001\"",
         "\"order_id\":\"PO0123456789012345678901234567890123456789\""},
        {DP_CALL_PICKUP, order_json, "\"code\":\"PK2611300001\"", "\"code\":null"},
        {DP_CALL_PICKUP, order_json, "\"product\":\"0号柴油\"", "\"product\":\"\""},
        {DP_CALL_PICKUP, order_json, "\"product\":\"0号柴油\"",
         "\"product\":\"0号柴油0号柴油0号柴油0号柴油0号柴油\""},
        {DP_CALL_PICKUP, order_json, "\"plate\":\"京A·12345\"", "\"plate\":[]"},
        {DP_CALL_PICKUP, order_json, "\"depot\":\"D01\"", "\"depot\":\"\""},
        {DP_CALL_PICKUP, order_json, "\"depot_name\":\"北郊油库\"", "\"depot_name\":null"},
        {DP_CALL_PICKUP, order_json, "\"depot_name\":\"北郊油库\"",
         "\"depot_name\":\"北郊油库北郊油库北郊油库北郊油库北郊油库\""},
        {DP_CALL_PICKUP, order_json, "\"bay\":\"3\"", "\"bay\":3"},
        {DP_CALL_PICKUP, order_json, "\"bay\":\"3\"", "\"bay\":\"north-12\""},
        /* ... a unit that is neither litres nor tonnes, a quantity not whole thousandths */
        {DP_CALL_PICKUP, order_json, "\"unit\":\"L\"", "\"unit\":\"kg\""},
        {DP_CALL_PICKUP, order_json, "\"unit\":\"L\"", "\"unit\":\"l\""},
        {DP_CALL_PICKUP, order_json, "\"unit\":\"L\"", "\"unit\":\"T\""},
        {DP_CALL_PICKUP, order_json, "\"unit\":\"L\"", "\"unit\":\"\""},
        {DP_CALL_PICKUP, order_json, "\"unit\":\"L\"", "\"unit\":\"LL\""},
        {DP_CALL_PICKUP, order_json, "\"unit\":\"L\"", "\"unit\":\"升\""},
        {DP_CALL_PICKUP, order_json, "\"quantity_milli\":30000000", "\"quantity_milli\":0"},
        {DP_CALL_PICKUP, order_json, "\"quantity_milli\":30000000", "\"quantity_milli\":-1"},
        {DP_CALL_PICKUP, order_json, "\"quantity_milli\":30000000", "\"quantity_milli\":1.5"},
        {DP_CALL_PICKUP, order_json, "\"quantity_milli\":30000000",
         "\"quantity_milli\":\"30000000\""},
        {DP_CALL_PICKUP, order_json, "\"quantity_milli\":30000000",
         "\"quantity_milli\":1000000000001"},
        {DP_CALL_PICKUP, order_json, "\"quantity_milli\":30000000", "\"quantity_milli\":null"},
        /* ... times that are not ISO 8601 */
        {DP_CALL_PICKUP, order_json, "\"2026-11-29T00:00:00+08:00\"", "\"2026-11-29\""},
        {DP_CALL_PICKUP, order_json, "\"2026-11-29T00:00:00+08:00\"",
         "\"2026-11-29 00:00:00+08:00\""},
        {DP_CALL_PICKUP, order_json, "\"2026-11-29T00:00:00+08:00\"",
         "\"2026/11/29T00:00:00+08:00\""},
        {DP_CALL_PICKUP, order_json, "\"2026-11-29T00:00:00+08:00\"", "\"2026-11-29T00:00:00\""},
        {DP_CALL_PICKUP, order_json, "\"2026-11-29T00:00:00+08:00\"",
         "\"2026-11-29T00:00:00+08:00:00\""},
        {DP_CALL_PICKUP, order_json, "\"2026-11-29T00:00:00+08:00\"", "\"20261129T000000+0800\""},
        {DP_CALL_PICKUP, order_json, "\"2026-11-29T00:00:00+08:00\"",
         "\"2026-1x-29T00:00:00+08:00\""},
        {DP_CALL_PICKUP, order_json, "\"2026-11-29T00:00:00+08:00\"",
         "\"2026-11-29T0:00:00+08:00Z\""},
        {DP_CALL_PICKUP, order_json, "\"2026-11-29T00:00:00+08:00\"", "\"tomorrow\""},
        {DP_CALL_PICKUP, order_json, "\"2026-11-29T00:00:00+08:00\"", "1796000000"},
        {DP_CALL_PICKUP, order_json, "\"2026-12-02T23:59:59+08:00\"", "\"\""},
        {DP_CALL_PICKUP, order_json, "\"2026-12-02T23:59:59+08:00\"",
         "\"2026-12-02T23.59.59+08:00\""},
        /* ... a salt that is not 64 hex */
        {DP_CALL_PICKUP, order_json, SALT, "00"},
        {DP_CALL_PICKUP, order_json, SALT, ""},
        {DP_CALL_PICKUP, order_json, SALT,
         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1"},
        {DP_CALL_PICKUP, order_json, SALT,
         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0"},
        {DP_CALL_PICKUP, order_json, SALT,
         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g"},
        {DP_CALL_PICKUP, order_json, "\"id_salt\":\"" SALT "\"", "\"id_salt\":7"},
        /* ... a status that is none of the two, ISSUED without its ticket */
        {DP_CALL_PICKUP, order_json, "\"status\":\"OPEN\"", "\"status\":\"CLOSED\""},
        {DP_CALL_PICKUP, order_json, "\"status\":\"OPEN\"", "\"status\":\"open\""},
        {DP_CALL_PICKUP, order_json, "\"status\":\"OPEN\"", "\"status\":\"\""},
        {DP_CALL_PICKUP, order_json, "\"status\":\"OPEN\"", "\"status\":1"},
        {DP_CALL_PICKUP, order_json, "\"status\":\"OPEN\"", "\"status\":\"ISSUED\""},
        {DP_CALL_PICKUP, issued_json, ",\"ticket\":{", ",\"ticket_\":{"},
        {DP_CALL_PICKUP, issued_json, "\"ticket\":{\"ticket_no\":\"TK2611300005\",",
         "\"ticket\":\"TK2611300005\",\"x\":{"},
        {DP_CALL_PICKUP, issued_json, "\"ticket_no\":\"TK2611300005\",", ""},
        {DP_CALL_PICKUP, issued_json, "\"ticket_no\":\"TK2611300005\"", "\"ticket_no\":\"\""},
        {DP_CALL_PICKUP, issued_json, "\"ticket_no\":\"TK2611300005\"", "\"ticket_no\":5"},
        {DP_CALL_PICKUP, issued_json, "\"issued_at\":\"2026-11-30T10:42:00+08:00\",", ""},
        {DP_CALL_PICKUP, issued_json, "\"2026-11-30T10:42:00+08:00\"", "\"10:42\""},
        {DP_CALL_PICKUP, issued_json, ",\"terminal\":\"T0002\"", ""},
        {DP_CALL_PICKUP, issued_json, "\"terminal\":\"T0002\"", "\"terminal\":\"\""},
        /* the driver */
        {DP_CALL_DRIVER, driver_json, "\"driver_ref\":\"DR-PO2611300001-1\",", ""},
        {DP_CALL_DRIVER, driver_json, "\"DR-PO2611300001-1\"", "\"\""},
        {DP_CALL_DRIVER, driver_json, "\"DR-PO2611300001-1\"", "7"},
        {DP_CALL_DRIVER, driver_json, "\"DR-PO2611300001-1\"", "\"DR/1\""},
        {DP_CALL_DRIVER, driver_json, "\"DR-PO2611300001-1\"", "\"DR 1\""},
        {DP_CALL_DRIVER, driver_json, "\"DR-PO2611300001-1\"",
         "\"DR-0123456789012345678901234567890123456789012345\""},
        {DP_CALL_DRIVER, driver_json, ",\"name_masked\":\"王*国\"", ""},
        {DP_CALL_DRIVER, driver_json, "\"王*国\"", "3"},
        /* the face: a verdict of neither kind, a score out of 0..100 */
        {DP_CALL_FACE, face_json, "\"MATCH\"", "\"MAYBE\""},
        {DP_CALL_FACE, face_json, "\"MATCH\"", "\"match\""},
        {DP_CALL_FACE, face_json, "\"MATCH\"", "\"\""},
        {DP_CALL_FACE, face_json, "\"MATCH\"", "true"},
        {DP_CALL_FACE, face_json, "\"MATCH\"", "\"MATCH_AND_SOME_MORE_TEXT\""},
        {DP_CALL_FACE, face_json, "\"verdict\":\"MATCH\",", ""},
        {DP_CALL_FACE, face_json, "93", "-1"},
        {DP_CALL_FACE, face_json, "93", "101"},
        {DP_CALL_FACE, face_json, "93", "93.5"},
        {DP_CALL_FACE, face_json, "93", "\"93\""},
        {DP_CALL_FACE, face_json, "93", "null"},
        {DP_CALL_FACE, face_json, "\"score\":93,", ""},
        {DP_CALL_FACE, face_json, ",\"check_id\":\"FC000001\"", ""},
        {DP_CALL_FACE, face_json, "\"FC000001\"", "\"\""},
        {DP_CALL_FACE, face_json, "\"FC000001\"", "1"},
        /* the ticket: first not a bool, a time that is none, fields missing */
        {DP_CALL_TICKET, ticket_json, "true", "\"true\""},
        {DP_CALL_TICKET, ticket_json, "true", "1"},
        {DP_CALL_TICKET, ticket_json, "true", "null"},
        {DP_CALL_TICKET, ticket_json, ",\"first\":true", ""},
        {DP_CALL_TICKET, ticket_json, "\"ticket_no\":\"TK2611300001\",", ""},
        {DP_CALL_TICKET, ticket_json, "\"TK2611300001\"", "\"\""},
        {DP_CALL_TICKET, ticket_json, "\"TK2611300001\"", "2611300001"},
        {DP_CALL_TICKET, ticket_json, "\"issued_at\":\"2026-11-30T14:15:03+08:00\",", ""},
        {DP_CALL_TICKET, ticket_json, "\"2026-11-30T14:15:03+08:00\"", "\"2026-11-30\""},
        {DP_CALL_TICKET, ticket_json, "\"2026-11-30T14:15:03+08:00\"", "0"},
        {DP_CALL_TICKET, ticket_json, "\"terminal\":\"T0001\",", ""},
        {DP_CALL_TICKET, ticket_json, "\"T0001\"", "\"\""},
        {DP_CALL_TICKET, ticket_json, "\"T0001\"", "\"T0001-the-kiosk-by-the-gate-of-the-north-depot\""},
        {DP_CALL_TICKET, ticket_json, "\"bay\":\"3\",", ""},
        {DP_CALL_TICKET, ticket_json, "\"bay\":\"3\"", "\"bay\":3"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *text = with(bad[i].text, bad[i].from, bad[i].to);
        cJSON *j = cJSON_Parse(text);
        if (!j)
            fail_msg("the case is not JSON: %s", text);
        static struct dp_answer a;
        memset(&a, 0xA5, sizeof a);
        dp_api_answer(bad[i].call, 200, j, NULL, &a);
        if (a.ok)
            fail_msg("call %d read: %s", bad[i].call, text);
        assert_string_equal(a.code, "UNUSABLE");
        assert_false(a.transport);
        assert_int_equal(a.status, 200);
        assert_true(all_zero(&a.order, sizeof a.order)); /* no half an order */
        cJSON_Delete(j);
    }

    /* no body, or a body that is not an object, for any call; a call that is none */
    for (int k = DP_CALL_NONE; k <= DP_CALL_LAST; k++) {
        const struct dp_answer *a = read_answer((enum dp_call)k, 200, NULL, NULL);
        assert_false(a->ok);
        assert_string_equal(a->code, "UNUSABLE");
        static const char *const others[] = {"[]", "\"x\"", "3", "null", "{}", "true"};
        for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
            a = read_answer((enum dp_call)k, 200, others[i], NULL);
            assert_false(a->ok);
            assert_string_equal(a->code, "UNUSABLE");
        }
    }
    static const char *const examples[] = {order_json, driver_json, face_json, ticket_json};
    for (size_t i = 0; i < 4; i++) {
        assert_false(read_answer(DP_CALL_NONE, 200, examples[i], NULL)->ok);
        assert_false(read_answer(DP_CALL_LAST, 200, examples[i], NULL)->ok);
    }
    /* an answer to another call is not this one's */
    assert_false(read_answer(DP_CALL_PICKUP, 200, driver_json, NULL)->ok);
    assert_false(read_answer(DP_CALL_DRIVER, 200, face_json, NULL)->ok);
    assert_false(read_answer(DP_CALL_FACE, 200, ticket_json, NULL)->ok);
    assert_false(read_answer(DP_CALL_TICKET, 200, order_json, NULL)->ok);
}

static void error_answers(void **state)
{
    (void)state;
    /* another depot's order: its name kept */
    const char *other = "{\"error\":{\"code\":\"PICKUP_OTHER_DEPOT\",\"message\":\"another depot\","
                        "\"retryable\":false,\"depot_name\":\"南港油库\"}}";
    const struct dp_answer *a = read_answer(DP_CALL_PICKUP, 403, other, "PICKUP_OTHER_DEPOT");
    assert_false(a->ok);
    assert_false(a->transport);
    assert_int_equal(a->status, 403);
    assert_string_equal(a->code, "PICKUP_OTHER_DEPOT");
    assert_string_equal(a->order.depot_name, "南港油库");
    assert_string_equal(a->order.order_id, "");
    /* ... a name that is not one: none */
    a = read_answer(DP_CALL_PICKUP, 403, with(other, "\"南港油库\"", "5"), "PICKUP_OTHER_DEPOT");
    assert_string_equal(a->order.depot_name, "");
    a = read_answer(DP_CALL_PICKUP, 403,
                    with(other, "\"南港油库\"", "\"南港油库南港油库南港油库南港油库南港油库\""),
                    "PICKUP_OTHER_DEPOT");
    assert_string_equal(a->order.depot_name, "");
    a = read_answer(DP_CALL_PICKUP, 403, "{\"error\":\"PICKUP_OTHER_DEPOT\"}",
                    "PICKUP_OTHER_DEPOT");
    assert_string_equal(a->order.depot_name, "");
    assert_true(all_zero(&a->order, sizeof a->order));
    /* an expired one says until when, which is not read */
    a = read_answer(DP_CALL_PICKUP, 410,
                    "{\"error\":{\"code\":\"PICKUP_EXPIRED\",\"message\":\"m\",\"retryable\":false,"
                    "\"valid_to\":\"2026-11-01T23:59:59+08:00\"}}",
                    "PICKUP_EXPIRED");
    assert_false(a->ok);
    assert_string_equal(a->code, "PICKUP_EXPIRED");
    assert_true(all_zero(&a->order, sizeof a->order));
    /* a refusal keeps its status and code, whatever the body: nothing of it read */
    static const struct {
        enum dp_call call;
        const char *body;
    } bodies[] = {{DP_CALL_PICKUP, order_json},
                  {DP_CALL_DRIVER, driver_json},
                  {DP_CALL_FACE, face_json},
                  {DP_CALL_TICKET, ticket_json}};
    static const int statuses[] = {100, 199, 300, 302, 400, 403, 404, 409, 410, 500, 503, 599};
    for (size_t i = 0; i < 4; i++)
        for (size_t s = 0; s < sizeof statuses / sizeof statuses[0]; s++) {
            a = read_answer(bodies[i].call, statuses[s], bodies[i].body, "SOME_CODE");
            assert_false(a->ok);
            assert_false(a->transport);
            assert_int_equal(a->status, statuses[s]);
            assert_string_equal(a->code, "SOME_CODE");
            assert_true(all_zero(&a->order, sizeof a->order));
            assert_string_equal(a->driver_ref, "");
            assert_string_equal(a->check_id, "");
            assert_string_equal(a->ticket_no, "");
            assert_false(a->match);
            assert_false(a->first);
        }
    a = read_answer(DP_CALL_DRIVER, 403, NULL, "DRIVER_NOT_AUTHORISED");
    assert_false(a->ok);
    assert_string_equal(a->code, "DRIVER_NOT_AUTHORISED");
    a = read_answer(DP_CALL_FACE, 503, NULL, NULL);
    assert_false(a->ok);
    assert_string_equal(a->code, "");
    /* a code too long for the answer: cut, terminated */
    a = read_answer(DP_CALL_TICKET, 409, NULL,
                    "A_VERY_LONG_ERROR_CODE_THAT_DOES_NOT_FIT_IN_FORTY_BYTES");
    assert_int_equal(strlen(a->code), sizeof a->code - 1);
    /* no answer at all */
    for (int k = DP_CALL_PICKUP; k < DP_CALL_LAST; k++) {
        a = read_answer((enum dp_call)k, 0, NULL, NULL);
        assert_false(a->ok);
        assert_true(a->transport);
        assert_int_equal(a->status, 0);
        assert_string_equal(a->code, "");
    }
}

/* ---- records ------------------------------------------------------------------------------- */

static struct dp_ticket ticket(void)
{
    struct dp_ticket k;
    memset(&k, 0, sizeof k);
    snprintf(k.order_id, sizeof k.order_id, ORDER);
    snprintf(k.code, sizeof k.code, CODE);
    snprintf(k.ticket_no, sizeof k.ticket_no, "TK2611300001");
    snprintf(k.product, sizeof k.product, "0号柴油");
    snprintf(k.unit, sizeof k.unit, "L");
    k.quantity_milli = 30000000;
    snprintf(k.plate, sizeof k.plate, "京A·12345");
    snprintf(k.bay, sizeof k.bay, "3");
    snprintf(k.valid_to, sizeof k.valid_to, "2026-12-02T23:59:59+08:00");
    snprintf(k.issued_at, sizeof k.issued_at, "2026-11-30T14:15:03+08:00");
    snprintf(k.issued_by, sizeof k.issued_by, "T0001");
    snprintf(k.name_masked, sizeof k.name_masked, "王*国");
    snprintf(k.id_masked, sizeof k.id_masked, ID_MASKED);
    snprintf(k.driver_ref, sizeof k.driver_ref, "DR-PO2611300001-1");
    snprintf(k.check_id, sizeof k.check_id, "FC000001");
    return k;
}

static void expect_same(const struct dp_ticket *a, const struct dp_ticket *b, int with_ticket)
{
    assert_string_equal(a->order_id, b->order_id);
    assert_string_equal(a->code, b->code);
    assert_string_equal(a->product, b->product);
    assert_string_equal(a->unit, b->unit);
    assert_int_equal(a->quantity_milli, b->quantity_milli);
    assert_string_equal(a->plate, b->plate);
    assert_string_equal(a->bay, b->bay);
    assert_string_equal(a->valid_to, b->valid_to);
    assert_string_equal(a->name_masked, b->name_masked);
    assert_string_equal(a->id_masked, b->id_masked);
    assert_string_equal(a->driver_ref, b->driver_ref);
    assert_string_equal(a->check_id, b->check_id);
    if (with_ticket) {
        assert_string_equal(a->ticket_no, b->ticket_no);
        assert_string_equal(a->issued_at, b->issued_at);
        assert_string_equal(a->issued_by, b->issued_by);
    } else {
        assert_string_equal(b->ticket_no, "");
        assert_string_equal(b->issued_at, "");
        assert_string_equal(b->issued_by, "");
    }
}

static void records(void **state)
{
    (void)state;
    struct dp_ticket k = ticket(), back;
    /* the intent: masked, no ticket yet */
    char *intent = dp_record_intent(&k);
    assert_non_null(intent);
    assert_null(strstr(intent, ID_NO));
    assert_true(digit_run(intent) < 16);
    cJSON *j = parse(intent);
    assert_null(cJSON_GetObjectItemCaseSensitive(j, "ticket_no"));
    assert_null(cJSON_GetObjectItemCaseSensitive(j, "issued_at"));
    assert_null(cJSON_GetObjectItemCaseSensitive(j, "terminal"));
    assert_string_equal(json_str(j, "order_id"), ORDER);
    assert_string_equal(json_str(j, "driver_name"), "王*国");
    assert_string_equal(json_str(j, "driver_id"), ID_MASKED);
    assert_string_equal(json_str(j, "check_id"), "FC000001");
    int bad = 0;
    assert_int_equal(json_int(j, "quantity_milli", 0, INT64_C(1000000000000), &bad), 30000000);
    assert_false(bad);
    cJSON_Delete(j);
    memset(&back, 0xA5, sizeof back);
    assert_int_equal(dp_record_read(intent, &back), 0);
    expect_same(&k, &back, 0);
    assert_false(back.reprint);
    free(intent);

    /* the record: the ticket too */
    char *txn = dp_record_txn(&k);
    assert_non_null(txn);
    assert_null(strstr(txn, ID_NO));
    assert_true(digit_run(txn) < 16);
    j = parse(txn);
    assert_string_equal(json_str(j, "ticket_no"), "TK2611300001");
    assert_string_equal(json_str(j, "issued_at"), "2026-11-30T14:15:03+08:00");
    assert_string_equal(json_str(j, "terminal"), "T0001");
    cJSON_Delete(j);
    memset(&back, 0xA5, sizeof back);
    assert_int_equal(dp_record_read(txn, &back), 0);
    expect_same(&k, &back, 1);
    free(txn);

    /* tonnes, no bay, the largest quantity; empty code and product read back too */
    k.unit[0] = 't';
    k.quantity_milli = INT64_C(1000000000000);
    k.bay[0] = k.code[0] = k.product[0] = k.name_masked[0] = '\0';
    txn = dp_record_txn(&k);
    assert_int_equal(dp_record_read(txn, &back), 0);
    expect_same(&k, &back, 1);
    free(txn);

    /* a payload that does not read: nothing */
    static const char *const broken[] = {"", "not json", "[]", "{}", "null", "3", "\"" ORDER "\""};
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
        if (dp_record_read(broken[i], &back) != -1)
            fail_msg("read: %s", broken[i]);
    assert_int_equal(dp_record_read(NULL, &back), -1);
    /* ... nor one that is not ours: a field missing, mistyped, too long; a ticket not whole */
    k = ticket();
    intent = dp_record_intent(&k);
    txn = dp_record_txn(&k);
    static const struct {
        int txn;
        const char *from, *to;
    } not_ours[] = {
        {0, "\"order_id\":\"" ORDER "\"", "\"order\":\"" ORDER "\""},
        {0, "\"order_id\":\"" ORDER "\"", "\"order_id\":\"\""},
        {0, "\"order_id\":\"" ORDER "\"", "\"order_id\":2611300001"},
        {0, "\"order_id\":\"" ORDER "\"",
         "\"order_id\":\"PO0123456789012345678901234567890123456789\""},
        {0, "\"code\":\"" CODE "\"", "\"code\":5"},
        {0, "\"code\":\"" CODE "\"", "\"kode\":\"" CODE "\""},
        {0, "\"product\":", "\"produce\":"},
        {0, "\"unit\":\"L\"", "\"unit\":\"\""},
        {0, "\"unit\":\"L\"", "\"unit\":\"LLLL\""},
        {0, "\"unit\":\"L\"", "\"units\":\"L\""},
        {0, "\"quantity_milli\":30000000", "\"quantity_milli\":-1"},
        {0, "\"quantity_milli\":30000000", "\"quantity_milli\":1.5"},
        {0, "\"quantity_milli\":30000000", "\"quantity_milli\":\"30000000\""},
        {0, "\"quantity_milli\":30000000", "\"quantity_milli\":1000000000001"},
        {0, "\"quantity_milli\":30000000", "\"quantity\":30000000"},
        {0, "\"plate\":", "\"plates\":"},
        {0, "\"bay\":\"3\"", "\"bay\":3"},
        {0, "\"valid_to\":", "\"valid\":"},
        {0, "\"driver_name\":", "\"name\":"},
        {0, "\"driver_id\":\"" ID_MASKED "\"", "\"driver_id\":null"},
        {0, "\"driver_ref\":\"DR-PO2611300001-1\"", "\"driver_ref\":\"\""},
        {0, "\"check_id\":\"FC000001\"", "\"check_id\":\"\""},
        {0, "\"check_id\":\"FC000001\"", "\"check\":\"FC000001\""},
        {0, "\"check_id\":\"FC000001\"", "\"check_id\":\"FC000001\",\"ticket_no\":null"},
        {1, "\"ticket_no\":\"TK2611300001\"", "\"ticket_no\":\"\""},
        {1, "\"ticket_no\":\"TK2611300001\"", "\"ticket_no\":2611300001"},
        {1, "\"issued_at\":", "\"issued\":"},
        {1, "\"issued_at\":\"2026-11-30T14:15:03+08:00\"", "\"issued_at\":\"\""},
        {1, "\"terminal\":\"T0001\"", "\"terminal\":\"\""},
        {1, "\"terminal\":\"T0001\"", "\"terminal\":\"T0001-the-kiosk-by-the-gate-of-the-north-depot\""},
    };
    for (size_t i = 0; i < sizeof not_ours / sizeof not_ours[0]; i++) {
        const char *text = with(not_ours[i].txn ? txn : intent, not_ours[i].from, not_ours[i].to);
        if (dp_record_read(text, &back) != -1)
            fail_msg("read: %s", text);
    }
    free(intent);
    free(txn);

    /* the journal's transaction number */
    char no[72];
    dp_record_txn_no(ORDER, no, sizeof no);
    assert_string_equal(no, "depot-" ORDER);
    char small[8];
    dp_record_txn_no(ORDER, small, sizeof small);
    assert_string_equal(small, "depot-P");
}

/* An attendant's reprint: the ticket read back from its record (the same number) and drawn
 * marked 补打, so taller than its first print; an intent has no ticket to reprint. */
static void reprint_from_record(void **state)
{
    (void)state;
    struct dp_ticket k = ticket(), back;
    char *txn = dp_record_txn(&k), *intent = dp_record_intent(&k);
    assert_int_equal(dp_record_read(intent, &back), 0);
    assert_string_equal(back.ticket_no, ""); /* nothing the reprint hook draws */
    assert_int_equal(dp_record_read(txn, &back), 0);
    assert_string_equal(back.ticket_no, "TK2611300001");
    assert_false(back.reprint);
    free(intent);
    free(txn);

    SDL_Surface *sf = SDL_CreateRGBSurfaceWithFormat(0, 64, 64, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *rd = sf ? SDL_CreateSoftwareRenderer(sf) : NULL;
    char err[256];
    struct text_engine *te = rd ? text_create(rd, "", "Noto Sans CJK SC", err, sizeof err) : NULL;
    assert_non_null(te);
    struct kiosk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.station_name, sizeof cfg.station_name, "北郊油库");
    snprintf(cfg.terminal_id, sizeof cfg.terminal_id, "T0001");
    static const int widths[] = {576, 384};
    for (int w = 0; w < 2; w++)
        for (int l = 0; l < 2; l++) {
            const char *lang = l ? "en_US" : "zh_CN";
            cfg.paper_width_dots = widths[w];
            struct slip *first = dp_slip(te, &cfg, lang, &back);
            back.reprint = 1;
            struct slip *copy = dp_slip(te, &cfg, lang, &back);
            back.reprint = 0;
            assert_non_null(first);
            assert_non_null(copy);
            const struct bitmap *b = slip_bitmap(copy);
            assert_int_equal(b->width, widths[w]);
            assert_in_range(b->height, 600, 6000);
            assert_true(slip_bitmap(first)->height < b->height); /* marked 补打 */
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
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pickup_and_ticket_requests),
        cmocka_unit_test(driver_request),
        cmocka_unit_test(face_request),
        cmocka_unit_test(unsafe_requests),
        cmocka_unit_test(good_answers),
        cmocka_unit_test(broken_answers),
        cmocka_unit_test(error_answers),
        cmocka_unit_test(records),
        cmocka_unit_test(reprint_from_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
