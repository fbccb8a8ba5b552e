/* Pay for fuel's side of the wire: answers read strictly, payloads read back, bodies built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/log.h"

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    return j;
}

static void pumps(void **state)
{
    (void)state;
    static struct co_pump p[CO_MAX_PUMPS];
    int n;
    cJSON *j = parse("{\"pumps\":[{\"pump\":1,\"unpaid_sales\":[{\"sale_id\":\"S1001\",\"pump\":1,"
                     "\"grade\":\"92#\",\"volume_ml\":45120,\"price_fen_per_l\":734,"
                     "\"amount_fen\":33118,\"status\":\"unpaid\"},{\"sale_id\":\"S1002\","
                     "\"grade\":\"95#\",\"volume_ml\":1,\"price_fen_per_l\":1,\"amount_fen\":1,"
                     "\"status\":\"locked\"}]},{\"pump\":2,\"unpaid_sales\":[]}]}");
    assert_int_equal(co_api_pumps(j, p, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(p[0].nsales, 2);
    assert_int_equal(p[0].sales[0].amount_fen, 33118);
    assert_false(p[0].sales[0].locked_elsewhere);
    assert_true(p[0].sales[1].locked_elsewhere);
    cJSON_Delete(j);
    /* money that is not whole fen, or a pump number out of range: not trusted */
    j = parse("{\"pumps\":[{\"pump\":1,\"unpaid_sales\":[{\"sale_id\":\"S\",\"grade\":\"92#\","
              "\"volume_ml\":1,\"price_fen_per_l\":1,\"amount_fen\":1.5}]}]}");
    assert_int_equal(co_api_pumps(j, p, &n), -1);
    cJSON_Delete(j);
    j = parse("{\"pumps\":[{\"pump\":0,\"unpaid_sales\":[]}]}");
    assert_int_equal(co_api_pumps(j, p, &n), -1);
    cJSON_Delete(j);
    j = parse("{\"pump\":[]}");
    assert_int_equal(co_api_pumps(j, p, &n), -1);
    cJSON_Delete(j);
}

static void priced(void **state)
{
    (void)state;
    struct co_priced p;
    cJSON *j = parse("{\"subtotal_fen\":33518,\"total_fen\":32516,\"points_used\":0,"
                     "\"discounts\":[{\"kind\":\"member\",\"label_zh\":\"会员优惠\","
                     "\"label_en\":\"Member discount\",\"amount_fen\":-1002}]}");
    assert_int_equal(co_api_priced(j, &p), 0);
    assert_int_equal(p.ndiscounts, 1);
    assert_int_equal(p.total_fen, 32516);
    cJSON_Delete(j);
    /* lines that do not add up to the total are never charged */
    j = parse("{\"subtotal_fen\":33518,\"total_fen\":32000,\"points_used\":0,"
              "\"discounts\":[{\"kind\":\"member\",\"label_zh\":\"x\",\"label_en\":\"x\","
              "\"amount_fen\":-1002}]}");
    assert_int_equal(co_api_priced(j, &p), -1);
    cJSON_Delete(j);
    /* a fuel card's recharge: its one line is read (the other kinds are the bill's own) */
    j = parse("{\"order_id\":\"T1-O\",\"member_id\":null,\"coupon_ids\":[],\"lines\":[{"
              "\"kind\":\"recharge\",\"card_no_masked\":\"1000********2001\","
              "\"amount_fen\":20000}],\"discounts\":[],\"subtotal_fen\":20000,"
              "\"points_available\":0,\"points_used\":0,\"points_earned\":0,"
              "\"total_fen\":20000}");
    assert_int_equal(co_api_priced(j, &p), 0);
    assert_int_equal(p.recharge_fen, 20000);
    assert_string_equal(p.recharge_masked, "1000********2001");
    assert_int_equal(p.total_fen, 20000);
    cJSON_Delete(j);
    j = parse("{\"subtotal_fen\":400,\"total_fen\":400,\"points_used\":0,\"lines\":[{"
              "\"kind\":\"item\",\"barcode\":\"6920000010004\",\"qty\":2}]}");
    assert_int_equal(co_api_priced(j, &p), 0);
    assert_int_equal(p.recharge_fen, 0);
    cJSON_Delete(j);
    /* a recharge line without its amount, or two of them: not trusted */
    static const char *const bad[] = {
        "{\"subtotal_fen\":100,\"total_fen\":100,\"points_used\":0,\"lines\":[{\"kind\":"
        "\"recharge\",\"card_no_masked\":\"1000********2001\"}]}",
        "{\"subtotal_fen\":100,\"total_fen\":100,\"points_used\":0,\"lines\":[{\"kind\":"
        "\"recharge\",\"card_no_masked\":\"1000********2001\",\"amount_fen\":100.5}]}",
        "{\"subtotal_fen\":200,\"total_fen\":200,\"points_used\":0,\"lines\":[{\"kind\":"
        "\"recharge\",\"card_no_masked\":\"x\",\"amount_fen\":100},{\"kind\":\"recharge\","
        "\"card_no_masked\":\"y\",\"amount_fen\":100}]}",
        "{\"subtotal_fen\":100,\"total_fen\":100,\"points_used\":0,\"lines\":[{\"kind\":"
        "\"recharge\",\"amount_fen\":100}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = parse(bad[i]);
        assert_int_equal(co_api_priced(j, &p), -1);
        cJSON_Delete(j);
    }
    /* a "discount" that adds money */
    j = parse("{\"subtotal_fen\":100,\"total_fen\":200,\"points_used\":0,"
              "\"discounts\":[{\"kind\":\"member\",\"label_zh\":\"x\",\"label_en\":\"x\","
              "\"amount_fen\":100}]}");
    assert_int_equal(co_api_priced(j, &p), -1);
    cJSON_Delete(j);
}

static void member_and_product(void **state)
{
    (void)state;
    struct co_member m;
    struct co_coupon c[CO_MAX_COUPONS];
    int n;
    cJSON *j = parse("{\"member_id\":\"M001\",\"name_masked\":\"张**\",\"phone_masked\":"
                     "\"138****8000\",\"level\":\"gold\",\"points\":2380,\"coupons\":["
                     "{\"coupon_id\":\"C100\",\"title_zh\":\"满200减10\",\"title_en\":\"x\","
                     "\"off_fen\":1000,\"min_spend_fen\":20000},{\"coupon_id\":\"C101\"}]}");
    assert_int_equal(co_api_member(j, &m, c, &n), 0);
    assert_int_equal(n, 1); /* the coupon that does not read is left out */
    assert_int_equal(m.point_value_fen, 100); /* 1 point = ¥1 unless the station says */
    cJSON_Delete(j);
    struct co_item it;
    /* a long name is cut between characters, never in the middle of one */
    j = parse("{\"name_zh\":\"农夫山泉天然饮用水五百五十毫升装二十四瓶整箱特惠家庭装\","
              "\"name_en\":\"Water\",\"price_fen\":200}");
    assert_int_equal(co_api_product(j, &it), 0);
    assert_true(strlen(it.name_zh) < sizeof it.name_zh);
    assert_int_equal(strlen(it.name_zh) % 3, 0); /* whole 3-byte characters */
    assert_int_equal(it.unit_fen, 200);
    cJSON_Delete(j);
    j = parse("{\"name_zh\":\"\",\"price_fen\":200}");
    assert_int_equal(co_api_product(j, &it), -1);
    cJSON_Delete(j);
    j = parse("{\"lease_ms\":180000}");
    assert_int_equal(co_api_lease(j), 180000);
    cJSON_Delete(j);
    j = parse("{\"lease_ms\":-5}");
    assert_int_equal(co_api_lease(j), 0);
    cJSON_Delete(j);
}

/* What recovery reads back from the journal; a damaged record still settles by its
 * number. */
static void journal_payloads(void **state)
{
    (void)state;
    struct checkout_payment_intent pi;
    assert_int_equal(co_api_payment_intent(
                         "{\"txn_no\":\"T0001-20261123-000001\",\"order_id\":\"T0001-O\","
                         "\"sale_id\":\"S1001\",\"amount_fen\":33118,\"mode\":\"micropay\","
                         "\"channel\":\"wechat\",\"code\":\"1345**********1234\"}",
                         "T0001-20261123-000001-P1", &pi),
                     0);
    assert_string_equal(pi.sale_id, "S1001");
    assert_int_equal(pi.amount_fen, 33118);
    assert_int_equal(co_api_payment_intent("{\"txn_no\":", "T0001-20261123-000007-P2", &pi),
                     -1);
    assert_string_equal(pi.otn, "T0001-20261123-000007-P2");
    assert_string_equal(pi.txn_no, "T0001-20261123-000007");
    char sale[24], txn[40];
    assert_int_equal(co_api_lock_intent("{\"txn_no\":\"T1\",\"sale_id\":\"S1003\"}", sale,
                                              sizeof sale, txn, sizeof txn),
                     0);
    assert_string_equal(sale, "S1003");
    assert_int_equal(co_api_lock_intent("{}", sale, sizeof sale, txn, sizeof txn), -1);
}

/* Every call's request as it goes on the wire: a repeat of the same call carries the same
 * idempotency key, a GET none, and a payment code or phone number only where it must. */
static void requests(void **state)
{
    (void)state;
    struct co_request rq;
    struct co_http h;
    memset(&rq, 0, sizeof rq);
    rq.call = CO_CALL_PRICE;
    snprintf(rq.txn_no, sizeof rq.txn_no, "T1");
    snprintf(rq.order_id, sizeof rq.order_id, "T1-O");
    snprintf(rq.sale_id, sizeof rq.sale_id, "S1001");
    rq.round = 3;
    rq.nitems = 1;
    snprintf(rq.items[0].barcode, sizeof rq.items[0].barcode, "6920000010004");
    rq.items[0].qty = 2;
    snprintf(rq.member_id, sizeof rq.member_id, "M001");
    rq.ncoupons = 1;
    snprintf(rq.coupon_ids[0], sizeof rq.coupon_ids[0], "C101");
    rq.points = 50;
    assert_int_equal(co_api_http(&rq, &h), 0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.path, "/v1/orders");
    assert_string_equal(h.key, "T1-price-3");
    assert_string_equal(h.body, "{\"order_id\":\"T1-O\",\"sale_ids\":[\"S1001\"],\"items\":[{"
                                "\"barcode\":\"6920000010004\",\"qty\":2}],\"member_id\":\"M001\","
                                "\"coupon_ids\":[\"C101\"],\"points\":50}");
    co_api_http_free(&h);

    /* a fuel card's recharge: the card and the amount, no sales, items, member, coupons
     * or points */
    memset(&rq, 0, sizeof rq);
    rq.call = CO_CALL_PRICE;
    snprintf(rq.txn_no, sizeof rq.txn_no, "T1");
    snprintf(rq.order_id, sizeof rq.order_id, "T1-O");
    rq.round = 1;
    snprintf(rq.recharge_card, sizeof rq.recharge_card, "1000113300002001");
    rq.recharge_fen = 20000;
    assert_int_equal(co_api_http(&rq, &h), 0);
    assert_string_equal(h.path, "/v1/orders");
    assert_string_equal(h.key, "T1-price-1");
    assert_string_equal(h.body, "{\"order_id\":\"T1-O\",\"recharge\":{\"card_no\":"
                                "\"1000113300002001\",\"amount_fen\":20000}}");
    co_api_http_free(&h);

    memset(&rq, 0, sizeof rq);
    rq.call = CO_CALL_PAY;
    snprintf(rq.otn, sizeof rq.otn, "T1-P1");
    snprintf(rq.order_id, sizeof rq.order_id, "T1-O");
    rq.amount_fen = 33118;
    snprintf(rq.auth_code, sizeof rq.auth_code, "134567890123451234");
    assert_int_equal(co_api_http(&rq, &h), 0);
    assert_string_equal(h.path, "/v1/payments");
    assert_string_equal(h.key, "T1-P1"); /* the out_trade_no is the payment's key */
    assert_string_equal(h.body, "{\"out_trade_no\":\"T1-P1\",\"order_id\":\"T1-O\","
                                "\"amount_fen\":33118,\"mode\":\"micropay\","
                                "\"auth_code\":\"134567890123451234\"}");
    co_api_http_free(&h);
    rq.native = 1;
    snprintf(rq.channel, sizeof rq.channel, "alipay");
    assert_int_equal(co_api_http(&rq, &h), 0);
    assert_null(strstr(h.body, "auth_code"));
    assert_non_null(strstr(h.body, "\"mode\":\"native\",\"channel\":\"alipay\""));
    co_api_http_free(&h);

    static const struct {
        enum co_call call;
        const char *method, *path, *key;
    } simple[] = {
        {CO_CALL_QUERY, "GET", "/v1/payments/T1-P1", ""},
        {CO_CALL_CANCEL, "POST", "/v1/payments/T1-P1/cancel", "T1-P1-cancel"},
        {CO_CALL_COMPLETE, "POST", "/v1/orders/T1-O/complete", "T1-P1-complete"},
        {CO_CALL_LOCK, "POST", "/v1/sales/S1001/lock", "T1-lock"},
        {CO_CALL_RENEW, "POST", "/v1/sales/S1001/lock", "T1-renew-2"},
        {CO_CALL_UNLOCK, "POST", "/v1/sales/S1001/unlock", "T1-unlock"},
        {CO_CALL_PUMPS, "GET", "/v1/pumps", ""},
        {CO_CALL_MEMBER_PHONE, "GET", "/v1/members/by-phone/S1001", ""},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        memset(&rq, 0, sizeof rq);
        rq.call = simple[i].call;
        snprintf(rq.txn_no, sizeof rq.txn_no, "T1");
        snprintf(rq.otn, sizeof rq.otn, "T1-P1");
        snprintf(rq.order_id, sizeof rq.order_id, "T1-O");
        snprintf(rq.subject, sizeof rq.subject, "S1001");
        rq.round = 2;
        assert_int_equal(co_api_http(&rq, &h), 0);
        assert_string_equal(h.method, simple[i].method);
        assert_string_equal(h.path, simple[i].path);
        assert_string_equal(h.key, simple[i].key);
        assert_int_equal(h.private_tail, simple[i].call == CO_CALL_MEMBER_PHONE);
        co_api_http_free(&h);
    }

    /* the intent's payload reads back as recovery needs it */
    struct co_intent in = {"T1", "T1-O", "S1001", 33118, 0, "wechat", "1345**********1234"};
    char *payload = co_api_intent_payload(&in);
    struct checkout_payment_intent pi;
    assert_int_equal(co_api_payment_intent(payload, "T1-P1", &pi), 0);
    assert_string_equal(pi.order_id, "T1-O");
    assert_string_equal(pi.sale_id, "S1001");
    assert_string_equal(pi.mode, "micropay");
    assert_int_equal(pi.amount_fen, 33118);
    free(payload);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pumps),
        cmocka_unit_test(priced),
        cmocka_unit_test(member_and_product),
        cmocka_unit_test(journal_payloads),
        cmocka_unit_test(requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
