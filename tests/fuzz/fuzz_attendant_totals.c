/* Attendant mode's totals (attendant/totals.h): random bytes as the payload of each kind of
 * transaction (as they are, or spliced into a record of that kind as its service writes it)
 * to tot_add, and as stored totals to tot_from_json (as they are, or spliced into good ones).
 * The first byte picks what: bits 0-2 the kind (6 and 7: stored totals), bit 3 as-is or
 * spliced, bits 4-7 the print state. Rules kept as crashes: a payload that does not read
 * adds `unreadable` and nothing else; one that reads adds one of its kind, keeps the net
 * and the rows within TOT_ROWS; whatever tot_add makes and whatever tot_from_json accepts
 * writes and reads back to the same totals. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "totals.h"

/* A record of each kind, as checkout/record.c, the attendant's refund, invoice/record.c,
 * card/record.c and depot/record.c write them; and a kind not counted. */
static const char *const kinds[] = {"sale",      "refund",       "invoice",
                                    "card_load", "depot_ticket", "audit"};
static const char *const seeds[] = {
    "{\"txn_no\":\"T0001-20261130-000001\",\"order_id\":\"O1\",\"out_trade_no\":\"K1\","
    "\"invoice_token\":\"tok\",\"paid_unix\":1795000000,\"fuel\":{\"sale_id\":\"S1\",\"pump\":3,"
    "\"grade\":\"92#\",\"volume_ml\":30000,\"price_fen_per_l\":745,\"amount_fen\":22350},"
    "\"recharge\":{\"card_no\":\"1000 1133 0000 2001\",\"amount_fen\":50000},"
    "\"items\":[{\"barcode\":\"6920000010004\",\"name_zh\":\"农夫山泉\",\"name_en\":\"Water\","
    "\"qty\":2,\"unit_fen\":200}],\"discounts\":[{\"kind\":\"member\",\"label_zh\":\"会员优惠\","
    "\"label_en\":\"Member "
    "discount\",\"amount_fen\":-500},{\"kind\":\"coupon\",\"label_zh\":\"券\","
    "\"label_en\":\"Coupon\",\"amount_fen\":-1000}],\"subtotal_fen\":72750,\"total_fen\":71250,"
    "\"points_used\":100,\"points_earned\":20,\"member\":{\"phone_masked\":\"138****0000\","
    "\"level\":\"gold\"},\"payment\":{\"channel\":\"wechat\",\"mode\":\"native\","
    "\"code_masked\":\"\"},\"receipt\":\"paper\"}",
    "{\"refund_of\":\"T0001-20261130-000001\",\"amount_fen\":200,\"channel\":\"wechat\","
    "\"lines\":[{\"barcode\":\"6920000010004\",\"qty\":1,\"amount_fen\":200}],\"whole\":0}",
    "{\"sales\":[\"T0001-20261130-000001\"],\"buyer_type\":\"individual\",\"buyer_name\":\"张*\","
    "\"tax_id\":\"\",\"phone\":\"\",\"email\":\"\",\"total_fen\":21250,\"tax_fen\":2445,"
    "\"reissue_of\":\"\",\"request\":\"rei- 0123\",\"status\":\"ISSUED\","
    "\"invoice_no\":\"2611 7000 0000 1234 5678\"}",
    "{\"card_no\":\"1000 1133 0000 2001\",\"load_id\":\"L1\",\"amount_fen\":20000,"
    "\"online_serial\":7,\"source\":\"account\",\"terminal_id\":\"000000000001\","
    "\"date\":\"20261130\",\"time\":\"141503\",\"balance_before_fen\":8800,"
    "\"balance_after_fen\":28800,\"tac\":\"11223344\"}",
    "{\"order_id\":\"PO1\",\"code\":\"PK1\",\"product\":\"0号柴油\",\"unit\":\"L\","
    "\"quantity_milli\":30000000,\"plate\":\"京A·12345\",\"bay\":\"3\",\"valid_to\":\"\","
    "\"driver_name\":\"王*国\",\"driver_id\":\"110***********4413\",\"driver_ref\":\"D\","
    "\"check_id\":\"F\",\"ticket_no\":\"TK1\",\"issued_at\":\"\",\"terminal\":\"T0001\"}",
    "{\"action\":\"login\"}",
};
static const char *const states[] = {"pending", "printed", "failed", "unknown", "e-receipt", ""};

/* `seed` with `n` bytes of `data` put in at byte `at` of it (malloc'd, terminated). */
static char *splice(const char *seed, size_t at, const uint8_t *data, size_t n)
{
    size_t len = seed ? strlen(seed) : 0;
    at = len ? at % (len + 1) : 0;
    char *s = malloc(len + n + 1);
    if (!s)
        abort();
    memcpy(s, seed ? seed : "", at);
    memcpy(s + at, data, n);
    memcpy(s + at + n, (seed ? seed : "") + at, len - at);
    s[len + n] = '\0';
    return s;
}

static void rows_ok(const struct tot_breakdown *b)
{
    if (b->n < 0 || b->n > TOT_ROWS)
        abort();
    for (int i = 0; i < b->n; i++)
        if (!memchr(b->v[i].key, '\0', sizeof b->v[i].key))
            abort();
}

/* t written and read back is t, and writes the same again. */
static void round_trip(const struct totals *t)
{
    struct totals back;
    char *s = tot_to_json(t);
    if (!s || tot_from_json(s, &back) != 0 || memcmp(t, &back, sizeof back) != 0)
        abort();
    char *again = tot_to_json(&back);
    if (!again || strcmp(s, again) != 0)
        abort();
    free(again);
    free(s);
}

static void one_payload(int kind, const char *state, const char *payload)
{
    struct totals t, before;
    tot_init(&t);
    /* something there already: a sale, so the rows of a breakdown are not all new */
    if (tot_add(&t, "sale", 0, "printed", seeds[0]) != 0)
        abort();
    memcpy(&before, &t, sizeof t);
    int rc = tot_add(&t, kinds[kind], 21250, state, payload);
    if (rc != 0) {
        before.unreadable++;
        if (rc != -1 || memcmp(&t, &before, sizeof t) != 0)
            abort(); /* unreadable, and nothing else */
    } else {
        int64_t *count[] = {&t.sales, &t.refunds, &t.invoices, &t.loads, NULL, &t.other};
        int64_t *was[] = {&before.sales, &before.refunds, &before.invoices, &before.loads,
                          NULL,          &before.other};
        int64_t tickets = 0, tickets_before = 0;
        for (int i = 0; i < t.tickets.n; i++)
            tickets += t.tickets.v[i].count;
        for (int i = 0; i < before.tickets.n; i++)
            tickets_before += before.tickets.v[i].count;
        if (t.unreadable != before.unreadable ||
            (count[kind] ? *count[kind] != *was[kind] + 1 : tickets != tickets_before + 1) ||
            t.print_failed > before.print_failed + 1)
            abort();
    }
    if (t.net_fen != t.sales_fen - t.refunds_fen)
        abort();
    rows_ok(&t.by_method);
    rows_ok(&t.by_grade);
    rows_ok(&t.discounts);
    rows_ok(&t.tickets);
    round_trip(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int what = data[0] & 7, as_is = data[0] & 8;
    const char *state = states[(data[0] >> 4) % (sizeof states / sizeof states[0])];
    size_t at = data[1] * 7u;
    data += 2;
    size -= 2;
    if (what < 6) {
        char *payload = as_is ? splice(NULL, 0, data, size) : splice(seeds[what], at, data, size);
        one_payload(what, state, payload);
        free(payload);
        return 0;
    }
    /* stored totals: those of every seed, or the bytes as they are */
    struct totals t;
    tot_init(&t);
    for (int k = 0; k < 6; k++)
        if (tot_add(&t, kinds[k], 21250, "failed", seeds[k]) != 0)
            abort();
    t.outbox_pending = 2;
    char *good = tot_to_json(&t);
    if (!good)
        abort();
    char *text = as_is ? splice(NULL, 0, data, size) : splice(good, at, data, size);
    free(good);
    struct totals back;
    if (tot_from_json(text, &back) == 0) {
        rows_ok(&back.by_method);
        rows_ok(&back.by_grade);
        rows_ok(&back.discounts);
        rows_ok(&back.tickets);
        round_trip(&back);
        struct totals sum;
        tot_init(&sum);
        tot_sum(&sum, &back);
        char why[64];
        sum.outbox_pending = back.outbox_pending;
        if (!tot_equal(&sum, &back, why, sizeof why))
            abort(); /* the sum of one is itself */
    } else {
        struct totals zero;
        tot_init(&zero);
        if (memcmp(&back, &zero, sizeof back) != 0)
            abort(); /* nothing half read */
    }
    free(text);
    return 0;
}
