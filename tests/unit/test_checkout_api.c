/* Pay for fuel's side of the wire: answers read strictly, payloads read back, bodies built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/app/checkout_api.h"
#include "kiosk/core/log.h"

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
    assert_int_equal(checkout_api_pumps(j, p, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(p[0].nsales, 2);
    assert_int_equal(p[0].sales[0].amount_fen, 33118);
    assert_false(p[0].sales[0].locked_elsewhere);
    assert_true(p[0].sales[1].locked_elsewhere);
    cJSON_Delete(j);
    /* money that is not whole fen, or a pump number out of range: not trusted */
    j = parse("{\"pumps\":[{\"pump\":1,\"unpaid_sales\":[{\"sale_id\":\"S\",\"grade\":\"92#\","
              "\"volume_ml\":1,\"price_fen_per_l\":1,\"amount_fen\":1.5}]}]}");
    assert_int_equal(checkout_api_pumps(j, p, &n), -1);
    cJSON_Delete(j);
    j = parse("{\"pumps\":[{\"pump\":0,\"unpaid_sales\":[]}]}");
    assert_int_equal(checkout_api_pumps(j, p, &n), -1);
    cJSON_Delete(j);
    j = parse("{\"pump\":[]}");
    assert_int_equal(checkout_api_pumps(j, p, &n), -1);
    cJSON_Delete(j);
}

static void priced(void **state)
{
    (void)state;
    struct co_priced p;
    cJSON *j = parse("{\"subtotal_fen\":33518,\"total_fen\":32516,\"points_used\":0,"
                     "\"discounts\":[{\"kind\":\"member\",\"label_zh\":\"会员优惠\","
                     "\"label_en\":\"Member discount\",\"amount_fen\":-1002}]}");
    assert_int_equal(checkout_api_priced(j, &p), 0);
    assert_int_equal(p.ndiscounts, 1);
    assert_int_equal(p.total_fen, 32516);
    cJSON_Delete(j);
    /* lines that do not add up to the total are never charged */
    j = parse("{\"subtotal_fen\":33518,\"total_fen\":32000,\"points_used\":0,"
              "\"discounts\":[{\"kind\":\"member\",\"label_zh\":\"x\",\"label_en\":\"x\","
              "\"amount_fen\":-1002}]}");
    assert_int_equal(checkout_api_priced(j, &p), -1);
    cJSON_Delete(j);
    /* a "discount" that adds money */
    j = parse("{\"subtotal_fen\":100,\"total_fen\":200,\"points_used\":0,"
              "\"discounts\":[{\"kind\":\"member\",\"label_zh\":\"x\",\"label_en\":\"x\","
              "\"amount_fen\":100}]}");
    assert_int_equal(checkout_api_priced(j, &p), -1);
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
    assert_int_equal(checkout_api_member(j, &m, c, &n), 0);
    assert_int_equal(n, 1); /* the coupon that does not read is left out */
    assert_int_equal(m.point_value_fen, 100); /* 1 point = ¥1 unless the station says */
    cJSON_Delete(j);
    struct co_item it;
    /* a long name is cut between characters, never in the middle of one */
    j = parse("{\"name_zh\":\"农夫山泉天然饮用水五百五十毫升装二十四瓶整箱特惠家庭装\","
              "\"name_en\":\"Water\",\"price_fen\":200}");
    assert_int_equal(checkout_api_product(j, &it), 0);
    assert_true(strlen(it.name_zh) < sizeof it.name_zh);
    assert_int_equal(strlen(it.name_zh) % 3, 0); /* whole 3-byte characters */
    assert_int_equal(it.unit_fen, 200);
    cJSON_Delete(j);
    j = parse("{\"name_zh\":\"\",\"price_fen\":200}");
    assert_int_equal(checkout_api_product(j, &it), -1);
    cJSON_Delete(j);
    j = parse("{\"lease_ms\":180000}");
    assert_int_equal(checkout_api_lease(j), 180000);
    cJSON_Delete(j);
    j = parse("{\"lease_ms\":-5}");
    assert_int_equal(checkout_api_lease(j), 0);
    cJSON_Delete(j);
}

/* What recovery reads back from the journal; a damaged record still settles by its
 * number. */
static void journal_payloads(void **state)
{
    (void)state;
    struct checkout_payment_intent pi;
    assert_int_equal(checkout_api_payment_intent(
                         "{\"txn_no\":\"T0001-20261123-000001\",\"order_id\":\"T0001-O\","
                         "\"sale_id\":\"S1001\",\"amount_fen\":33118,\"mode\":\"micropay\","
                         "\"channel\":\"wechat\",\"code\":\"1345**********1234\"}",
                         "T0001-20261123-000001-P1", &pi),
                     0);
    assert_string_equal(pi.sale_id, "S1001");
    assert_int_equal(pi.amount_fen, 33118);
    assert_int_equal(checkout_api_payment_intent("{\"txn_no\":", "T0001-20261123-000007-P2", &pi),
                     -1);
    assert_string_equal(pi.otn, "T0001-20261123-000007-P2");
    assert_string_equal(pi.txn_no, "T0001-20261123-000007");
    char sale[24], txn[40];
    assert_int_equal(checkout_api_lock_intent("{\"txn_no\":\"T1\",\"sale_id\":\"S1003\"}", sale,
                                              sizeof sale, txn, sizeof txn),
                     0);
    assert_string_equal(sale, "S1003");
    assert_int_equal(checkout_api_lock_intent("{}", sale, sizeof sale, txn, sizeof txn), -1);
}

static void price_body(void **state)
{
    (void)state;
    static struct checkout c;
    checkout_init(&c);
    snprintf(c.order_id, sizeof c.order_id, "T1-O");
    c.has_sale = 1;
    snprintf(c.sale.id, sizeof c.sale.id, "S1001");
    c.nitems = 1;
    c.items[0] = (struct co_item){"6920000010004", "水", "Water", 200, 2};
    c.has_member = 1;
    c.member.points = 50;
    snprintf(c.member.id, sizeof c.member.id, "M001");
    c.use_points = 1;
    c.ncoupons = 2;
    snprintf(c.coupons[0].id, sizeof c.coupons[0].id, "C100");
    snprintf(c.coupons[1].id, sizeof c.coupons[1].id, "C101");
    c.coupons[1].selected = 1;
    char *body = checkout_api_price_body(&c);
    assert_string_equal(body, "{\"order_id\":\"T1-O\",\"sale_ids\":[\"S1001\"],\"items\":[{"
                              "\"barcode\":\"6920000010004\",\"qty\":2}],\"member_id\":\"M001\","
                              "\"coupon_ids\":[\"C101\"],\"points\":50}");
    free(body);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pumps),
        cmocka_unit_test(priced),
        cmocka_unit_test(member_and_product),
        cmocka_unit_test(journal_payloads),
        cmocka_unit_test(price_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
