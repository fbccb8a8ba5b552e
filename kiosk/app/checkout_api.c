/* Pay for fuel's side of the wire and of the journal: requests built from the flow, answers
 * and journaled payloads read into flow types. Pure (cJSON only), unit-tested and fuzzed
 * (tests/fuzz/fuzz_api.c). */
#include "kiosk/app/checkout_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/app/json_field.h"
#include "kiosk/app/sale_json.h"
#include "kiosk/core/log.h"

/* POST /v1/orders: the bill as it stands, with the member, coupons and points. */
char *checkout_api_price_body(const struct checkout *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "order_id", c->order_id);
    cJSON *sales = cJSON_AddArrayToObject(o, "sale_ids");
    if (c->has_sale)
        cJSON_AddItemToArray(sales, cJSON_CreateString(c->sale.id));
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (int i = 0; i < c->nitems; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddStringToObject(it, "barcode", c->items[i].barcode);
        cJSON_AddNumberToObject(it, "qty", c->items[i].qty);
        cJSON_AddItemToArray(items, it);
    }
    if (c->has_member)
        cJSON_AddStringToObject(o, "member_id", c->member.id);
    cJSON *cps = cJSON_AddArrayToObject(o, "coupon_ids");
    for (int i = 0; i < c->ncoupons; i++)
        if (c->coupons[i].selected)
            cJSON_AddItemToArray(cps, cJSON_CreateString(c->coupons[i].id));
    cJSON_AddNumberToObject(o, "points", (double)checkout_points_wanted(c));
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

int checkout_api_pumps(const cJSON *j, struct co_pump *pumps, int *n)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "pumps"), *p;
    int bad = 0;
    *n = 0;
    if (!cJSON_IsArray(arr))
        return -1;
    cJSON_ArrayForEach(p, arr)
    {
        if (*n == CO_MAX_PUMPS)
            break;
        struct co_pump *cp = &pumps[(*n)++];
        memset(cp, 0, sizeof *cp);
        cp->pump = (int)json_int(p, "pump", 1, 999, &bad);
        const cJSON *s;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(p, "unpaid_sales"))
        {
            if (cp->nsales == CO_MAX_SALES)
                break;
            struct co_sale *cs = &cp->sales[cp->nsales++];
            json_copy(s, "sale_id", cs->id, sizeof cs->id, 0, &bad);
            json_copy(s, "grade", cs->grade, sizeof cs->grade, 0, &bad);
            cs->pump = cp->pump;
            cs->volume_ml = json_int(s, "volume_ml", 0, JSON_MAX_FEN, &bad);
            cs->price_fen = json_int(s, "price_fen_per_l", 0, JSON_MAX_FEN, &bad);
            cs->amount_fen = json_int(s, "amount_fen", 0, JSON_MAX_FEN, &bad);
            cs->locked_elsewhere = !strcmp(json_str(s, "status"), "locked");
        }
    }
    return bad ? -1 : 0; /* a reply we cannot trust with money */
}

int checkout_api_priced(const cJSON *j, struct co_priced *p)
{
    int bad = 0;
    memset(p, 0, sizeof *p);
    p->subtotal_fen = json_int(j, "subtotal_fen", 0, JSON_MAX_FEN, &bad);
    p->total_fen = json_int(j, "total_fen", 1, JSON_MAX_FEN, &bad);
    p->points_used = json_int(j, "points_used", 0, JSON_MAX_FEN, &bad);
    int none = 0;
    p->points_earned = json_int(j, "points_earned", 0, JSON_MAX_FEN, &none);
    p->points_available = json_int(j, "points_available", 0, JSON_MAX_FEN, &none);
    const cJSON *ds = cJSON_GetObjectItemCaseSensitive(j, "discounts"); /* none: absent */
    if (ds && sale_json_discounts(ds, p->discounts, &p->ndiscounts) != 0)
        bad = 1;
    int64_t sum = 0;
    for (int i = 0; i < p->ndiscounts; i++)
        sum += p->discounts[i].amount_fen;
    /* the lines must add up: a total we cannot explain is not charged */
    if (!bad && p->subtotal_fen + sum != p->total_fen) {
        log_error("checkout", "priced order does not add up: %lld %+lld != %lld",
                  (long long)p->subtotal_fen, (long long)sum, (long long)p->total_fen);
        bad = 1;
    }
    return bad ? -1 : 0;
}

int checkout_api_coupon(const cJSON *j, struct co_coupon *c)
{
    int bad = 0;
    memset(c, 0, sizeof *c);
    json_copy(j, "coupon_id", c->id, sizeof c->id, 0, &bad);
    json_copy(j, "title_zh", c->title_zh, sizeof c->title_zh, 0, &bad);
    json_copy(j, "title_en", c->title_en, sizeof c->title_en, 0, &bad);
    c->off_fen = json_int(j, "off_fen", 1, JSON_MAX_FEN, &bad);
    c->min_spend_fen = json_int(j, "min_spend_fen", 0, JSON_MAX_FEN, &bad);
    return bad ? -1 : 0;
}

int checkout_api_member(const cJSON *j, struct co_member *m, struct co_coupon *cps, int *n)
{
    int bad = 0, none = 0;
    memset(m, 0, sizeof *m);
    json_copy(j, "member_id", m->id, sizeof m->id, 0, &bad);
    json_copy(j, "name_masked", m->name_masked, sizeof m->name_masked, 0, &bad);
    json_copy(j, "phone_masked", m->phone_masked, sizeof m->phone_masked, 0, &bad);
    json_copy(j, "level", m->level, sizeof m->level, 0, &bad);
    m->points = json_int(j, "points", 0, JSON_MAX_FEN, &bad);
    m->point_value_fen = json_int(j, "point_value_fen", 1, 100000, &none);
    if (none)
        m->point_value_fen = 100; /* 1 point = ¥1 unless the station says otherwise */
    *n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "coupons"))
    {
        if (*n == CO_MAX_COUPONS)
            break;
        if (checkout_api_coupon(c, &cps[*n]) == 0)
            (*n)++;
    }
    return bad ? -1 : 0;
}

/* A name for the screen and the receipt: what fits in `cap` bytes, cut between characters
 * (a long product name is shortened, not refused). */
static void copy_name(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* back to the start of the character that does not fit */
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

int checkout_api_product(const cJSON *j, struct co_item *it)
{
    int bad = 0;
    memset(it, 0, sizeof *it);
    it->unit_fen = json_int(j, "price_fen", 1, JSON_MAX_FEN, &bad);
    copy_name(json_str(j, "name_zh"), it->name_zh, sizeof it->name_zh);
    copy_name(json_str(j, "name_en"), it->name_en, sizeof it->name_en);
    return bad || !it->name_zh[0] ? -1 : 0;
}

int64_t checkout_api_lease(const cJSON *j)
{
    int none = 0;
    int64_t lease = json_int(j, "lease_ms", 1000, 86400000, &none);
    return none ? 0 : lease;
}

int checkout_api_payment_intent(const char *payload, const char *otn,
                                struct checkout_payment_intent *pi)
{
    memset(pi, 0, sizeof *pi);
    snprintf(pi->otn, sizeof pi->otn, "%.39s", otn ? otn : "");
    /* a damaged payload still leaves the out_trade_no to settle by */
    cJSON *p = cJSON_Parse(payload ? payload : "");
    int bad = 0;
    json_copy(p, "txn_no", pi->txn_no, sizeof pi->txn_no, 1, &bad);
    json_copy(p, "order_id", pi->order_id, sizeof pi->order_id, 1, &bad);
    json_copy(p, "sale_id", pi->sale_id, sizeof pi->sale_id, 1, &bad);
    json_copy(p, "mode", pi->mode, sizeof pi->mode, 1, &bad);
    json_copy(p, "channel", pi->channel, sizeof pi->channel, 1, &bad);
    json_copy(p, "code", pi->code_masked, sizeof pi->code_masked, 1, &bad);
    pi->amount_fen = json_int(p, "amount_fen", 0, JSON_MAX_FEN, &bad);
    cJSON_Delete(p);
    if (!pi->txn_no[0]) {
        /* the transaction number is the out_trade_no without its "-P<attempt>" */
        memcpy(pi->txn_no, pi->otn, sizeof pi->txn_no);
        char *dash = strrchr(pi->txn_no, '-');
        if (dash && dash[1] == 'P')
            *dash = '\0';
    }
    return bad ? -1 : 0;
}

int checkout_api_lock_intent(const char *payload, char *sale_id, size_t sale_cap, char *txn_no,
                             size_t txn_cap)
{
    cJSON *p = cJSON_Parse(payload ? payload : "");
    int bad = 0;
    json_copy(p, "sale_id", sale_id, sale_cap, 0, &bad);
    json_copy(p, "txn_no", txn_no, txn_cap, 1, &bad);
    cJSON_Delete(p);
    return bad ? -1 : 0;
}
