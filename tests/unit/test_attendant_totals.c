/* A shift's and a day's totals (attendant/totals.h), from records written by the services'
 * own encoders (checkout's record_encode, card's cd_record_txn, depot's dp_record_txn,
 * invoice's inv_record_txn; the attendant's refund as its fields are written down in
 * totals.h): every kind, unreadable payloads counted and adding nothing else, breakdowns
 * past TOT_ROWS keys, a day as the sum of its shifts, and the JSON the journal keeps read
 * back exactly and strictly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../card/record.h"
#include "../checkout/record.h"
#include "../depot/record.h"
#include "../invoice/record.h"
#include "core/log.h"
#include "totals.h"

/* ---- records, as the services write them ------------------------------------------------ */

static void item(struct sale_record *r, const char *barcode, const char *zh, int qty, int64_t unit)
{
    struct co_item *it = &r->items[r->nitems++];
    snprintf(it->barcode, sizeof it->barcode, "%s", barcode);
    snprintf(it->name_zh, sizeof it->name_zh, "%s", zh);
    snprintf(it->name_en, sizeof it->name_en, "Item %s", barcode);
    it->qty = qty;
    it->unit_fen = unit;
}

static void discount(struct sale_record *r, const char *kind, int64_t fen)
{
    struct co_discount *d = &r->discounts[r->ndiscounts++];
    snprintf(d->kind, sizeof d->kind, "%s", kind);
    snprintf(d->label_zh, sizeof d->label_zh, "优惠");
    snprintf(d->label_en, sizeof d->label_en, "Discount");
    d->amount_fen = fen;
}

/* A sale: fuel of `grade` (none when NULL), paid by `channel`; total_fen is worked out. */
static struct sale_record sale(const char *txn_no, const char *grade, int64_t ml, int64_t fuel_fen,
                               const char *channel, int e_receipt)
{
    struct sale_record r;
    memset(&r, 0, sizeof r);
    snprintf(r.txn_no, sizeof r.txn_no, "%s", txn_no);
    snprintf(r.order_id, sizeof r.order_id, "O-%s", txn_no);
    snprintf(r.out_trade_no, sizeof r.out_trade_no, "K%s", txn_no);
    snprintf(r.invoice_token, sizeof r.invoice_token, "tok");
    r.paid_unix = 1795000000;
    if (grade) {
        r.has_fuel = 1;
        snprintf(r.sale_id, sizeof r.sale_id, "S1");
        r.pump = 3;
        snprintf(r.grade, sizeof r.grade, "%s", grade);
        r.volume_ml = ml;
        r.price_fen = 745;
        r.fuel_fen = fuel_fen;
    }
    snprintf(r.channel, sizeof r.channel, "%s", channel);
    snprintf(r.mode, sizeof r.mode, "native");
    snprintf(r.code_masked, sizeof r.code_masked, "1234****5678");
    r.e_receipt = e_receipt;
    return r;
}

/* Sets subtotal and total from the lines, and encodes. Caller frees. */
static char *encode(struct sale_record *r)
{
    r->subtotal_fen = r->fuel_fen + r->recharge_fen;
    for (int i = 0; i < r->nitems; i++)
        r->subtotal_fen += r->items[i].unit_fen * r->items[i].qty;
    r->total_fen = r->subtotal_fen;
    for (int i = 0; i < r->ndiscounts; i++)
        r->total_fen += r->discounts[i].amount_fen;
    char *s = record_encode(r);
    assert_non_null(s);
    return s;
}

static char *load_txn(int64_t fen)
{
    struct cd_load_record r;
    memset(&r, 0, sizeof r);
    snprintf(r.card_no, sizeof r.card_no, "1000113300002001");
    snprintf(r.load_id, sizeof r.load_id, "L2611300001");
    r.amount_fen = fen;
    r.online_serial = 7;
    snprintf(r.source, sizeof r.source, "account");
    r.balance_before_fen = 8800;
    r.balance_after_fen = 8800 + fen;
    snprintf(r.tac, sizeof r.tac, "11223344");
    snprintf(r.date, sizeof r.date, "20261130");
    snprintf(r.time, sizeof r.time, "141503");
    snprintf(r.term_hex, sizeof r.term_hex, "000000000001");
    char *s = cd_record_txn(&r);
    assert_non_null(s);
    return s;
}

static char *ticket_txn(const char *product, const char *unit, int64_t milli)
{
    struct dp_ticket k;
    memset(&k, 0, sizeof k);
    snprintf(k.order_id, sizeof k.order_id, "PO2611300001");
    snprintf(k.code, sizeof k.code, "PK2611300001");
    snprintf(k.ticket_no, sizeof k.ticket_no, "TK2611300001");
    snprintf(k.product, sizeof k.product, "%s", product);
    snprintf(k.unit, sizeof k.unit, "%s", unit);
    k.quantity_milli = milli;
    snprintf(k.plate, sizeof k.plate, "京A·12345");
    snprintf(k.bay, sizeof k.bay, "3");
    snprintf(k.valid_to, sizeof k.valid_to, "2026-12-02T23:59:59+08:00");
    snprintf(k.issued_at, sizeof k.issued_at, "2026-11-30T14:15:03+08:00");
    snprintf(k.issued_by, sizeof k.issued_by, "T0001");
    snprintf(k.name_masked, sizeof k.name_masked, "王*国");
    snprintf(k.id_masked, sizeof k.id_masked, "110***********4413");
    snprintf(k.driver_ref, sizeof k.driver_ref, "DR1");
    snprintf(k.check_id, sizeof k.check_id, "FC000001");
    char *s = dp_record_txn(&k);
    assert_non_null(s);
    return s;
}

static char *invoice_txn(int64_t total, int64_t *back)
{
    char intent[512];
    snprintf(intent, sizeof intent,
             "{\"sales\":[\"T0001-20261130-000001\"],\"buyer_type\":\"individual\","
             "\"buyer_name\":\"张*\",\"tax_id\":\"\",\"phone\":\"\",\"email\":\"\","
             "\"total_fen\":%lld,\"tax_fen\":%lld,\"reissue_of\":\"\"}",
             (long long)total, (long long)(total * 13 / 113));
    char *s =
        inv_record_txn(intent, "rei-0123456789abcdef", "ISSUED", "26117000000012345678", back);
    assert_non_null(s);
    return s;
}

/* The attendant's refund record (totals.h's fields). */
static char *refund_txn(const char *of, int64_t fen, int whole)
{
    char *s = malloc(512);
    assert_non_null(s);
    snprintf(s, 512,
             "{\"refund_of\":\"%s\",\"amount_fen\":%lld,\"channel\":\"wechat\",\"lines\":%s,"
             "\"whole\":%d,\"reason\":1,\"approver\":\"S0002\"}",
             of, (long long)fen,
             whole ? "[]" : "[{\"barcode\":\"6920000010004\",\"qty\":1,\"amount_fen\":200}]",
             whole);
    return s;
}

/* tot_add that must read; frees payload. */
static void add(struct totals *t, const char *kind, int64_t amount, const char *state,
                char *payload)
{
    assert_int_equal(tot_add(t, kind, amount, state, payload), 0);
    free(payload);
}

static const struct tot_row *row(const struct tot_breakdown *b, const char *key)
{
    for (int i = 0; i < b->n; i++)
        if (!strcmp(b->v[i].key, key))
            return &b->v[i];
    fail_msg("no row %s", key);
    return NULL;
}

/* ---- a shift of every kind --------------------------------------------------------------- */

/* Shift 1: two fuel sales (one with shop goods, a member discount and a coupon; one with a
 * fuel card's recharge), a shop sale whose paper receipt failed, a sale still pending on
 * paper, one pending as an e-receipt, a refund, an invoice, a card load, two depot tickets,
 * and records that are not counted. */
static void shift1(struct totals *t)
{
    struct sale_record r = sale("T0001-20261130-000001", "92#", 30000, 22350, "wechat", 0);
    item(&r, "6920000010004", "农夫山泉 550ml", 2, 200);
    discount(&r, "member", -500);
    discount(&r, "coupon", -1000);
    r.points_used = 100;
    r.points_earned = 20;
    snprintf(r.member_phone, sizeof r.member_phone, "138****0000");
    add(t, "sale", 21250, "printed", encode(&r)); /* 22350 + 400 - 1500 */

    r = sale("T0001-20261130-000002", "95#", 40000, 31600, "alipay", 1);
    r.has_recharge = 1;
    snprintf(r.recharge_card, sizeof r.recharge_card, "1000 1133 0000 2001");
    r.recharge_fen = 50000;
    add(t, "sale", 81600, "e-receipt", encode(&r));

    r = sale("T0001-20261130-000003", NULL, 0, 0, "unionpay", 0);
    item(&r, "6920000010011", "口香糖", 3, 1050);
    item(&r, "6920000010028", "纸巾", 1, 300);
    discount(&r, "coupon", -200);
    add(t, "sale", 3250, "failed", encode(&r));

    r = sale("T0001-20261130-000004", "92#", 10000, 7450, "wechat", 0);
    add(t, "sale", 7450, "pending", encode(&r)); /* paper, pending: not printed */
    r = sale("T0001-20261130-000005", "92#", 10000, 7450, "wechat", 1);
    add(t, "sale", 7450, "pending", encode(&r)); /* e-receipt: nothing to print */

    add(t, "refund", 200, "printed", refund_txn("T0001-20261130-000003", 200, 0));
    int64_t inv_total;
    char *inv = invoice_txn(21250, &inv_total);
    assert_int_equal(inv_total, 21250);
    add(t, "invoice", inv_total, "pending", inv);
    add(t, "card_load", 20000, "pending", load_txn(20000));
    add(t, "depot_ticket", 0, "unknown", ticket_txn("0号柴油", "L", 30000000)); /* 30,000 L */
    add(t, "depot_ticket", 0, "printed", ticket_txn("0号柴油", "L", 12500500));
    add(t, "depot_ticket", 0, "printed", ticket_txn("液化石油气", "t", 8250));
    add(t, "shift_close", 0, "pending", strdup("{\"totals\":{}}"));
    add(t, "audit", 0, "pending", strdup("not even JSON: not read"));
}

static void every_kind(void **state)
{
    (void)state;
    struct totals t;
    tot_init(&t);
    shift1(&t);
    assert_int_equal(t.sales, 5);
    int64_t sales_fen = 21250 + 81600 + 3250 + 7450 + 7450;
    assert_int_equal(t.sales_fen, sales_fen);
    assert_int_equal(t.by_method.n, 3);
    assert_int_equal(row(&t.by_method, "wechat")->count, 3);
    assert_int_equal(row(&t.by_method, "wechat")->amount_fen, 21250 + 7450 + 7450);
    assert_int_equal(row(&t.by_method, "alipay")->amount_fen, 81600);
    assert_int_equal(row(&t.by_method, "unionpay")->amount_fen, 3250);
    assert_int_equal(row(&t.by_method, "unionpay")->volume_ml, 0);
    assert_int_equal(t.by_grade.n, 2);
    assert_int_equal(row(&t.by_grade, "92#")->count, 3);
    assert_int_equal(row(&t.by_grade, "92#")->volume_ml, 50000);
    assert_int_equal(row(&t.by_grade, "92#")->amount_fen, 22350 + 7450 + 7450);
    assert_int_equal(row(&t.by_grade, "95#")->volume_ml, 40000);
    assert_int_equal(row(&t.by_grade, "95#")->amount_fen, 31600);
    assert_int_equal(t.shop_items, 2 + 3 + 1);
    assert_int_equal(t.shop_fen, 400 + 3150 + 300);
    /* discounts as what they took off: positive */
    assert_int_equal(t.discounts.n, 2);
    assert_int_equal(row(&t.discounts, "member")->count, 1);
    assert_int_equal(row(&t.discounts, "member")->amount_fen, 500);
    assert_int_equal(row(&t.discounts, "coupon")->count, 2);
    assert_int_equal(row(&t.discounts, "coupon")->amount_fen, 1200);
    assert_int_equal(t.coupons, 2);
    assert_int_equal(t.coupons_fen, 1200);
    assert_int_equal(t.points_used, 100);
    assert_int_equal(t.points_earned, 20);
    assert_int_equal(t.refunds, 1);
    assert_int_equal(t.refunds_fen, 200);
    assert_int_equal(t.invoices, 1);
    assert_int_equal(t.invoices_fen, 21250);
    /* the recharge counts as a sale and as a recharge */
    assert_int_equal(t.recharges, 1);
    assert_int_equal(t.recharges_fen, 50000);
    assert_int_equal(t.loads, 1);
    assert_int_equal(t.loads_fen, 20000);
    assert_int_equal(t.tickets.n, 2);
    assert_int_equal(row(&t.tickets, "0号柴油")->count, 2);
    assert_int_equal(row(&t.tickets, "0号柴油")->volume_ml, 42500500);
    assert_int_equal(row(&t.tickets, "0号柴油")->amount_fen, 0);
    assert_int_equal(row(&t.tickets, "液化石油气")->volume_ml, 8250); /* kg, as it is */
    /* failed, paper pending, the ticket unknown; not the e-receipt, the invoice, the load */
    assert_int_equal(t.print_failed, 3);
    assert_int_equal(t.other, 2);
    assert_int_equal(t.unreadable, 0);
    assert_int_equal(t.outbox_pending, 0);
    assert_int_equal(t.net_fen, sales_fen - 200);
}

/* ---- unreadable payloads ----------------------------------------------------------------- */

/* A good sale's JSON with `field` (of object `in`, "" for the top) set to `value` (JSON). */
static char *sale_with(const char *in, const char *field, const char *value)
{
    struct sale_record r = sale("T0001-20261130-000009", "92#", 10000, 7450, "wechat", 0);
    item(&r, "6920000010004", "农夫山泉 550ml", 2, 200);
    discount(&r, "member", -100);
    r.has_recharge = 1;
    snprintf(r.recharge_card, sizeof r.recharge_card, "1000 1133 0000 2001");
    r.recharge_fen = 10000;
    char *good = encode(&r);
    cJSON *o = cJSON_Parse(good), *at = o;
    free(good);
    if (!strcmp(in, "items") || !strcmp(in, "discounts"))
        at = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, in), 0);
    else if (in[0])
        at = cJSON_GetObjectItemCaseSensitive(o, in);
    assert_non_null(at);
    cJSON_DeleteItemFromObjectCaseSensitive(at, field);
    if (value) /* as written: cJSON prints a double of 16 digits or more rounded */
        cJSON_AddRawToObject(at, field, value);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static void unreadable(void **state)
{
    (void)state;
    struct totals t, before;
    tot_init(&t);
    shift1(&t);
    /* still good: the sale the broken ones are made from */
    char *good = sale_with("", "points_used", "0");
    assert_int_equal(tot_add(&t, "sale", 17850, "printed", good), 0);
    free(good);
    memcpy(&before, &t, sizeof t);

    static const struct {
        const char *kind, *payload;
    } raw[] = {
        {"sale", NULL},
        {"sale", ""},
        {"sale", "not json"},
        {"sale", "[]"},
        {"sale", "null"},
        {"sale", "{}"},
        {"refund", "{}"},
        {"invoice", "{}"},
        {"card_load", "{}"},
        {"depot_ticket", "{}"},
        {"invoice", "{\"total_fen\":100} trailing"},
        {"invoice", "{\"total_fen\":1.5}"},
        {"invoice", "{\"total_fen\":\"100\"}"},
        {"card_load", "{\"amount_fen\":0}"}, /* a load of nothing */
        {"depot_ticket", "{\"product\":\"0号柴油\",\"unit\":\"kg\",\"quantity_milli\":1}"},
        {"depot_ticket", "{\"product\":\"0号柴油\",\"unit\":\"L\",\"quantity_milli\":-1}"},
        {"depot_ticket", "{\"product\":7,\"unit\":\"L\",\"quantity_milli\":1}"},
        {"refund", "{\"refund_of\":\"\",\"amount_fen\":1,\"channel\":\"wechat\",\"lines\":[],"
                   "\"whole\":1}"},
        {"refund", "{\"refund_of\":\"T1\",\"amount_fen\":1,\"channel\":\"wechat\",\"lines\":[],"
                   "\"whole\":2}"},
        {"refund", "{\"refund_of\":\"T1\",\"amount_fen\":1,\"channel\":\"wechat\","
                   "\"lines\":[{\"barcode\":\"1\",\"qty\":0,\"amount_fen\":1}],\"whole\":0}"},
        {"refund", "{\"refund_of\":\"T1\",\"amount_fen\":0.5,\"channel\":\"wechat\",\"lines\":[],"
                   "\"whole\":1}"},
    };
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        assert_int_equal(tot_add(&t, raw[i].kind, 100, "failed", raw[i].payload), -1);
        before.unreadable++;
        if (memcmp(&t, &before, sizeof t))
            fail_msg("%s %s added more than unreadable", raw[i].kind, raw[i].payload);
    }
    /* an amount out of range for the kinds whose figure is the journal's amount */
    assert_int_equal(tot_add(&t, "invoice", -1, "", "{\"total_fen\":100}"), -1);
    assert_int_equal(tot_add(&t, "card_load", INT64_C(100000000001), "", "{\"amount_fen\":1}"), -1);
    before.unreadable += 2;
    assert_memory_equal(&t, &before, sizeof t);

    /* a sale broken in one place: a float, a string where a number goes, a figure out of
     * range or missing, a discount that adds money, the wrong shape */
    static const struct {
        const char *in, *field, *value;
    } broken[] = {
        {"", "total_fen", "212.5"},  {"", "total_fen", "\"21250\""},
        {"", "total_fen", "-1"},     {"", "total_fen", "1e300"},
        {"", "total_fen", NULL},     {"", "points_used", "0.1"},
        {"", "points_earned", NULL}, {"", "payment", NULL},
        {"payment", "channel", "3"}, {"", "items", NULL},
        {"", "items", "{}"},         {"items", "qty", "0"},
        {"items", "qty", "1.5"},     {"items", "unit_fen", "\"2\""},
        {"", "discounts", NULL},     {"discounts", "amount_fen", "100"},
        {"discounts", "kind", NULL}, {"fuel", "volume_ml", "10.5"},
        {"fuel", "grade", "92"},     {"fuel", "amount_fen", NULL},
        {"", "fuel", "[]"},          {"recharge", "amount_fen", "0"},
        {"", "recharge", "true"},    {"", "items", "[{\"qty\":100000,\"unit_fen\":100000000000}]"},
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        char *p = sale_with(broken[i].in, broken[i].field, broken[i].value);
        assert_int_equal(tot_add(&t, "sale", 17850, "failed", p), -1);
        before.unreadable++;
        if (memcmp(&t, &before, sizeof t))
            fail_msg("%s.%s = %s added more than unreadable", broken[i].in, broken[i].field,
                     broken[i].value ? broken[i].value : "(none)");
        free(p);
    }
    /* kinds not counted are not read: never unreadable */
    assert_int_equal(tot_add(&t, "day_close", 0, "failed", NULL), 0);
    assert_int_equal(tot_add(&t, NULL, 0, NULL, "{"), 0);
    assert_int_equal(t.other, before.other + 2);
    assert_int_equal(t.print_failed, before.print_failed);
}

/* ---- breakdowns past TOT_ROWS ------------------------------------------------------------ */

static void many_keys(void **state)
{
    (void)state;
    struct totals t, u;
    tot_init(&t);
    char grade[16], txn[40];
    /* exactly TOT_ROWS grades fit */
    for (int i = 0; i < TOT_ROWS; i++) {
        snprintf(grade, sizeof grade, "G%02d", i);
        snprintf(txn, sizeof txn, "T0001-20261130-%06d", i);
        struct sale_record r = sale(txn, grade, 1000 + i, 100 + i, "wechat", 1);
        add(&t, "sale", r.fuel_fen, "e-receipt", encode(&r));
    }
    assert_int_equal(t.by_grade.n, TOT_ROWS);
    assert_string_equal(t.by_grade.v[TOT_ROWS - 1].key, "G11");
    /* three more: the last row becomes "other" and takes them, G11 with them */
    for (int i = TOT_ROWS; i < TOT_ROWS + 3; i++) {
        snprintf(grade, sizeof grade, "G%02d", i);
        snprintf(txn, sizeof txn, "T0001-20261130-%06d", i);
        struct sale_record r = sale(txn, grade, 1000 + i, 100 + i, "wechat", 1);
        add(&t, "sale", r.fuel_fen, "e-receipt", encode(&r));
    }
    assert_int_equal(t.by_grade.n, TOT_ROWS);
    const struct tot_row *o = row(&t.by_grade, "other");
    assert_ptr_equal(o, &t.by_grade.v[TOT_ROWS - 1]);
    assert_int_equal(o->count, 4);
    assert_int_equal(o->volume_ml, 1011 + 1012 + 1013 + 1014);
    assert_int_equal(o->amount_fen, 111 + 112 + 113 + 114);
    /* G11 again lands in "other"; G00 keeps its row */
    struct sale_record r = sale("T0001-20261130-000100", "G11", 1, 1, "wechat", 1);
    add(&t, "sale", 1, "e-receipt", encode(&r));
    r = sale("T0001-20261130-000101", "G00", 1, 1, "wechat", 1);
    add(&t, "sale", 1, "e-receipt", encode(&r));
    assert_int_equal(o->count, 5);
    assert_int_equal(row(&t.by_grade, "G00")->count, 2);
    /* nothing lost: every row adds up to every sale */
    int64_t n = 0, ml = 0;
    for (int i = 0; i < t.by_grade.n; i++) {
        n += t.by_grade.v[i].count;
        ml += t.by_grade.v[i].volume_ml;
    }
    assert_int_equal(n, t.sales);
    assert_int_equal(ml, 15 * 1000 + 14 * 15 / 2 + 2);

    /* a sum keeps to the rows too: another shift's keys go to "other" */
    tot_init(&u);
    r = sale("T0001-20261130-000200", "98#", 500, 400, "ecny", 1);
    add(&u, "sale", 400, "e-receipt", encode(&r));
    tot_sum(&t, &u);
    assert_int_equal(t.by_grade.n, TOT_ROWS);
    assert_int_equal(o->count, 6);
    assert_int_equal(row(&t.by_method, "ecny")->count, 1);

    /* a key longer than a row's is cut between characters, never inside one */
    tot_init(&u);
    char *p = ticket_txn("国六车用柴油（0号）散装", "L", 1000); /* 33 bytes */
    add(&u, "depot_ticket", 0, "printed", p);
    assert_int_equal(u.tickets.n, 1);
    assert_string_equal(u.tickets.v[0].key, "国六车用柴油（0"); /* 22 bytes: 23 would split 号 */
    p = ticket_txn("国六车用柴油（0号）桶装", "L", 500);
    add(&u, "depot_ticket", 0, "printed", p); /* the same cut: the same row */
    assert_int_equal(u.tickets.n, 1);
    assert_int_equal(u.tickets.v[0].volume_ml, 1500);
}

/* ---- sums and comparisons ---------------------------------------------------------------- */

static void shift2(struct totals *t)
{
    struct sale_record r = sale("T0001-20261130-000021", "92#", 20000, 14900, "alipay", 0);
    add(t, "sale", 14900, "printed", encode(&r));
    r = sale("T0001-20261130-000022", "0#", 50000, 36000, "ecny", 0);
    discount(&r, "points", -1000);
    r.points_used = 1000;
    add(t, "sale", 35000, "printed", encode(&r));
    add(t, "refund", 14900, "printed", refund_txn("T0001-20261130-000021", 14900, 1));
    add(t, "depot_ticket", 0, "printed", ticket_txn("0号柴油", "L", 1000000));
    assert_int_equal(tot_add(t, "sale", 1, "printed", "{\"broken\":true}"), -1);
}

static void sum_and_equal(void **state)
{
    (void)state;
    struct totals a, b, day, sum;
    char what[64];
    tot_init(&a);
    tot_init(&b);
    tot_init(&day);
    shift1(&a);
    shift2(&b);
    shift1(&day); /* the day from every transaction */
    shift2(&day);
    tot_init(&sum); /* the day as its shifts */
    tot_sum(&sum, &a);
    tot_sum(&sum, &b);
    assert_true(tot_equal(&day, &sum, what, sizeof what));
    assert_string_equal(what, "");
    assert_int_equal(sum.sales, 7);
    assert_int_equal(sum.unreadable, 1);
    assert_int_equal(sum.net_fen, sum.sales_fen - sum.refunds_fen);
    assert_int_equal(row(&sum.by_grade, "92#")->volume_ml, 70000);
    assert_int_equal(row(&sum.by_method, "ecny")->amount_fen, 35000);
    assert_int_equal(row(&sum.discounts, "points")->amount_fen, 1000);
    assert_int_equal(row(&sum.tickets, "0号柴油")->count, 3);

    /* the glue's figure: neither summed nor compared */
    a.outbox_pending = 4;
    b.outbox_pending = 5;
    tot_init(&sum);
    sum.outbox_pending = 2;
    tot_sum(&sum, &a);
    tot_sum(&sum, &b);
    assert_int_equal(sum.outbox_pending, 2);
    assert_true(tot_equal(&day, &sum, what, sizeof what));

    /* the first figure that differs, named */
    sum.sales_fen++;
    assert_false(tot_equal(&day, &sum, what, sizeof what));
    assert_string_equal(what, "sales_fen");
    sum.sales_fen--;
    struct tot_row *g = (struct tot_row *)row(&sum.by_grade, "92#");
    g->volume_ml--;
    assert_false(tot_equal(&day, &sum, what, sizeof what));
    assert_string_equal(what, "by_grade[92#].volume_ml");
    g->volume_ml++;
    /* a row one side has and the other has not, either way */
    struct totals less = sum;
    less.by_method.n--; /* ecny gone */
    assert_false(tot_equal(&day, &less, what, sizeof what));
    assert_string_equal(what, "by_method[ecny]");
    assert_false(tot_equal(&less, &day, what, sizeof what));
    assert_string_equal(what, "by_method[ecny]");
    /* rows compare by key, not by place */
    struct totals swapped = sum;
    struct tot_row tmp = swapped.by_method.v[0];
    swapped.by_method.v[0] = swapped.by_method.v[1];
    swapped.by_method.v[1] = tmp;
    assert_true(tot_equal(&day, &swapped, what, sizeof what));
    /* a small `what` is cut, still terminated */
    sum.refunds++;
    char small[4];
    assert_false(tot_equal(&day, &sum, small, sizeof small));
    assert_string_equal(small, "ref");
}

/* ---- JSON -------------------------------------------------------------------------------- */

static void json_round_trip(void **state)
{
    (void)state;
    struct totals t, back;
    tot_init(&t);
    shift1(&t);
    shift2(&t);
    t.outbox_pending = 3;
    tot_add(&t, "sale", 0, "", "broken");
    char *s = tot_to_json(&t);
    assert_non_null(s);
    memset(&back, 0xA5, sizeof back);
    assert_int_equal(tot_from_json(s, &back), 0);
    assert_memory_equal(&t, &back, sizeof t); /* every field, outbox_pending too */
    char *again = tot_to_json(&back);
    assert_string_equal(s, again);
    free(again);
    free(s);

    /* nothing, and the extremes a figure may hold: 2^53 either way, a net below zero */
    tot_init(&t);
    s = tot_to_json(&t);
    assert_int_equal(tot_from_json(s, &back), 0);
    assert_memory_equal(&t, &back, sizeof t);
    free(s);
    t.sales_fen = INT64_C(1) << 53;
    t.net_fen = -(INT64_C(1) << 53);
    t.by_method.n = 1;
    snprintf(t.by_method.v[0].key, sizeof t.by_method.v[0].key, "数字人民币钱包"); /* 21 bytes */
    t.by_method.v[0].amount_fen = -1;
    s = tot_to_json(&t);
    assert_int_equal(tot_from_json(s, &back), 0);
    assert_memory_equal(&t, &back, sizeof t);
    free(s);
}

/* The JSON of shift1 with `field` (of breakdown row 0 of `in`, or the top for "") set to
 * `value` (JSON text; NULL: removed). */
static char *totals_with(const char *in, const char *field, const char *value)
{
    struct totals t;
    tot_init(&t);
    shift1(&t);
    char *good = tot_to_json(&t);
    cJSON *o = cJSON_Parse(good), *at = o;
    free(good);
    if (in[0])
        at = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, in), 0);
    assert_non_null(at);
    cJSON_DeleteItemFromObjectCaseSensitive(at, field);
    if (value) /* as written: cJSON prints a double of 16 digits or more rounded */
        cJSON_AddRawToObject(at, field, value);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static void json_strict(void **state)
{
    (void)state;
    static const struct {
        const char *in, *field, *value;
    } broken[] = {
        {"", "sales_fen", "12.5"}, /* a float figure */
        {"", "sales", "\"5\""},    /* a string where a number goes */
        {"", "refunds", "null"},
        {"", "outbox_pending", "true"},
        {"", "net_fen", NULL},                    /* every figure is there */
        {"", "print_failed", "9007199254740994"}, /* past 2^53 */
        {"", "loads_fen", "-9007199254740994"},
        {"", "by_grade", NULL},
        {"", "by_grade", "{}"},
        {"", "tickets", "[1]"},
        {"by_method", "count", "1.5"},
        {"by_method", "amount_fen", "\"1\""},
        {"by_method", "volume_ml", NULL},
        {"by_method", "key", "7"},
        {"by_method", "key", NULL},
        {"by_method", "key", "\"a key of twenty-four bytes\""}, /* does not fit a row */
        {"by_method", "key", "\"alipay\""},                     /* a key twice */
        {"", "discounts",
         "[{\"key\":\"a\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0},"
         "{\"key\":\"b\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0},"
         "{\"key\":\"c\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0},"
         "{\"key\":\"d\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0},"
         "{\"key\":\"e\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0},"
         "{\"key\":\"f\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0},"
         "{\"key\":\"g\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0},"
         "{\"key\":\"h\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0},"
         "{\"key\":\"i\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0},"
         "{\"key\":\"j\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0},"
         "{\"key\":\"k\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0},"
         "{\"key\":\"l\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0},"
         "{\"key\":\"m\",\"count\":1,\"amount_fen\":1,\"volume_ml\":0}]"}, /* 13 */
    };
    struct totals t;
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        char *s = totals_with(broken[i].in, broken[i].field, broken[i].value);
        memset(&t, 0xA5, sizeof t);
        if (tot_from_json(s, &t) != -1)
            fail_msg("accepted: %s", s);
        struct totals zero;
        tot_init(&zero);
        assert_memory_equal(&t, &zero, sizeof t); /* nothing half read */
        free(s);
    }
    static const char *const raw[] = {NULL, "", "[]", "null", "{", "\"totals\"", "{} {}"};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        assert_int_equal(tot_from_json(raw[i], &t), -1);
    /* exactly 2^53 and TOT_ROWS rows are fine; a field it does not know is let be */
    char *s = totals_with("", "print_failed", "9007199254740992");
    assert_int_equal(tot_from_json(s, &t), 0);
    assert_int_equal(t.print_failed, INT64_C(1) << 53);
    free(s);
    s = totals_with("", "later", "{\"x\":1}");
    assert_int_equal(tot_from_json(s, &t), 0);
    free(s);
    /* a shift's own totals read back equal its transactions' */
    struct totals a;
    tot_init(&a);
    shift1(&a);
    s = tot_to_json(&a);
    assert_int_equal(tot_from_json(s, &t), 0);
    char what[48];
    assert_true(tot_equal(&a, &t, what, sizeof what));
    free(s);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind),      cmocka_unit_test(unreadable),
        cmocka_unit_test(many_keys),       cmocka_unit_test(sum_and_equal),
        cmocka_unit_test(json_round_trip), cmocka_unit_test(json_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
