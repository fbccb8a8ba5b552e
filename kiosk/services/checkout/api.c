/* Pay for fuel's side of the wire and of the journal: requests built from the flow, answers
 * and journaled payloads read into flow types. Pure (cJSON only), unit-tested and fuzzed
 * (tests/fuzz/fuzz_api.c). */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "core/sign.h"
#include "record.h"

/* POST /v1/orders: the bill as it stands, with the member, coupons and points; or a fuel
 * card's recharge, an order of its own (no sales, items, member, coupons or points). */
static char *price_body(const struct co_request *rq)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "order_id", rq->order_id);
    if (rq->recharge_card[0]) {
        cJSON *r = cJSON_AddObjectToObject(o, "recharge");
        cJSON_AddStringToObject(r, "card_no", rq->recharge_card);
        json_add_int(r, "amount_fen", rq->recharge_fen);
        char *text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        return text;
    }
    cJSON *sales = cJSON_AddArrayToObject(o, "sale_ids");
    if (rq->sale_id[0])
        cJSON_AddItemToArray(sales, cJSON_CreateString(rq->sale_id));
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (int i = 0; i < rq->nitems && i < CO_MAX_ITEMS; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddStringToObject(it, "barcode", rq->items[i].barcode);
        cJSON_AddNumberToObject(it, "qty", rq->items[i].qty);
        cJSON_AddItemToArray(items, it);
    }
    if (rq->member_id[0])
        cJSON_AddStringToObject(o, "member_id", rq->member_id);
    cJSON *cps = cJSON_AddArrayToObject(o, "coupon_ids");
    for (int i = 0; i < rq->ncoupons && i < CO_MAX_COUPONS; i++)
        cJSON_AddItemToArray(cps, cJSON_CreateString(rq->coupon_ids[i]));
    json_add_int(o, "points", rq->points);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* POST /v1/payments: a QR to show, or the customer's payment code. */
static char *payment_body(const struct co_request *rq)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "out_trade_no", rq->otn);
    cJSON_AddStringToObject(o, "order_id", rq->order_id);
    json_add_int(o, "amount_fen", rq->amount_fen);
    cJSON_AddStringToObject(o, "mode", rq->native ? "native" : "micropay");
    if (rq->native)
        cJSON_AddStringToObject(o, "channel", rq->channel);
    else
        cJSON_AddStringToObject(o, "auth_code", rq->auth_code);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o); /* cJSON frees without wiping: the printed copy is the one that goes */
    return text;
}

int co_api_http(const struct co_request *rq, struct co_http *h)
{
    memset(h, 0, sizeof *h);
    h->method = "POST";
    const char *subj = rq->subject;
    switch (rq->call) {
    case CO_CALL_PUMPS:
        h->method = "GET";
        snprintf(h->path, sizeof h->path, "/v1/pumps");
        return 0;
    case CO_CALL_LOCK:
    case CO_CALL_RENEW:
        snprintf(h->path, sizeof h->path, "/v1/sales/%s/lock", subj);
        if (rq->call == CO_CALL_LOCK)
            snprintf(h->key, sizeof h->key, "%s-lock", rq->txn_no);
        else
            snprintf(h->key, sizeof h->key, "%s-renew-%d", rq->txn_no, rq->round);
        break;
    case CO_CALL_UNLOCK:
        snprintf(h->path, sizeof h->path, "/v1/sales/%s/unlock", subj);
        snprintf(h->key, sizeof h->key, "%.100s-unlock", rq->txn_no);
        break;
    case CO_CALL_PRICE:
        snprintf(h->path, sizeof h->path, "/v1/orders");
        snprintf(h->key, sizeof h->key, "%s-price-%d", rq->txn_no, rq->round);
        h->body = price_body(rq);
        return h->body ? 0 : -1;
    case CO_CALL_PAY:
        snprintf(h->path, sizeof h->path, "/v1/payments");
        snprintf(h->key, sizeof h->key, "%s", rq->otn); /* the out_trade_no is its key */
        h->body = payment_body(rq);
        return h->body ? 0 : -1;
    case CO_CALL_QUERY:
        h->method = "GET";
        snprintf(h->path, sizeof h->path, "/v1/payments/%s", rq->otn);
        return 0;
    case CO_CALL_CANCEL:
        snprintf(h->path, sizeof h->path, "/v1/payments/%s/cancel", rq->otn);
        snprintf(h->key, sizeof h->key, "%s-cancel", rq->otn);
        break;
    case CO_CALL_COMPLETE: {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "out_trade_no", rq->otn);
        if (rq->txn_no[0]) /* the receipt's number: the backend invoices the sale by it */
            cJSON_AddStringToObject(o, "txn_no", rq->txn_no);
        h->body = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        snprintf(h->path, sizeof h->path, "/v1/orders/%s/complete", rq->order_id);
        snprintf(h->key, sizeof h->key, "%s-complete", rq->otn);
        return h->body ? 0 : -1;
    }
    case CO_CALL_PRODUCT:
        h->method = "GET";
        snprintf(h->path, sizeof h->path, "/v1/products/%s", subj);
        return 0;
    case CO_CALL_MEMBER_PHONE:
    case CO_CALL_MEMBER_QR:
    case CO_CALL_COUPON:
        h->method = "GET";
        h->private_tail = 1; /* a phone number, member or coupon code: never in the logs */
        if (rq->call == CO_CALL_COUPON)
            snprintf(h->path, sizeof h->path, "/v1/coupons/%s", subj);
        else
            snprintf(h->path, sizeof h->path, "/v1/members/%s/%s",
                     rq->call == CO_CALL_MEMBER_PHONE ? "by-phone" : "by-qr", subj);
        return 0;
    case CO_CALL_LAST:
        return -1;
    }
    h->body = strdup("{}");
    return h->body ? 0 : -1;
}

void co_api_http_free(struct co_http *h)
{
    if (h->body)
        sign_wipe(h->body, strlen(h->body));
    free(h->body);
    sign_wipe(h, sizeof *h);
}

char *co_api_intent_payload(const struct co_intent *in)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "txn_no", in->txn_no);
    cJSON_AddStringToObject(o, "order_id", in->order_id);
    cJSON_AddStringToObject(o, "sale_id", in->sale_id);
    json_add_int(o, "amount_fen", in->amount_fen);
    cJSON_AddStringToObject(o, "mode", in->native ? "native" : "micropay");
    cJSON_AddStringToObject(o, "channel", in->channel);
    cJSON_AddStringToObject(o, "code", in->code_masked);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

char *co_api_lock_payload(const char *txn_no, const char *sale_id, int64_t lease_ms)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "txn_no", txn_no);
    cJSON_AddStringToObject(o, "sale_id", sale_id);
    json_add_int(o, "lease_ms", lease_ms);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

int co_api_pumps(const cJSON *j, struct co_pump *pumps, int *n)
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

/* The lines of a priced order: a fuel card's recharge line ({"kind":"recharge",
 * "card_no_masked","amount_fen"}, at most one) is read into p. The other kinds (fuel,
 * item) repeat the bill the kiosk sent and are not read, as before recharges. -1 for a
 * recharge line that does not read, or two of them. */
static int priced_recharge(const cJSON *lines, struct co_priced *p)
{
    const cJSON *l;
    int bad = 0, n = 0;
    if (!cJSON_IsArray(lines))
        return 0;
    cJSON_ArrayForEach(l, lines)
    {
        if (strcmp(json_str(l, "kind"), "recharge"))
            continue;
        if (n++)
            return -1; /* one card, one line */
        json_copy(l, "card_no_masked", p->recharge_masked, sizeof p->recharge_masked, 0, &bad);
        p->recharge_fen = json_int(l, "amount_fen", 1, JSON_MAX_FEN, &bad);
    }
    return bad ? -1 : 0;
}

int co_api_priced(const cJSON *j, struct co_priced *p)
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
    if (ds && record_discounts(ds, p->discounts, &p->ndiscounts) != 0)
        bad = 1;
    if (priced_recharge(cJSON_GetObjectItemCaseSensitive(j, "lines"), p) != 0)
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

int co_api_coupon(const cJSON *j, struct co_coupon *c)
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

int co_api_member(const cJSON *j, struct co_member *m, struct co_coupon *cps, int *n)
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
        if (co_api_coupon(c, &cps[*n]) == 0)
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

int co_api_product(const cJSON *j, struct co_item *it)
{
    int bad = 0;
    memset(it, 0, sizeof *it);
    it->unit_fen = json_int(j, "price_fen", 1, JSON_MAX_FEN, &bad);
    copy_name(json_str(j, "name_zh"), it->name_zh, sizeof it->name_zh);
    copy_name(json_str(j, "name_en"), it->name_en, sizeof it->name_en);
    return bad || !it->name_zh[0] ? -1 : 0;
}

int64_t co_api_lease(const cJSON *j)
{
    int none = 0;
    int64_t lease = json_int(j, "lease_ms", 1000, 86400000, &none);
    return none ? 0 : lease;
}

int co_api_payment_intent(const char *payload, const char *otn,
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

int co_api_lock_intent(const char *payload, char *sale_id, size_t sale_cap, char *txn_no,
                             size_t txn_cap)
{
    cJSON *p = cJSON_Parse(payload ? payload : "");
    int bad = 0;
    json_copy(p, "sale_id", sale_id, sale_cap, 0, &bad);
    json_copy(p, "txn_no", txn_no, txn_cap, 1, &bad);
    cJSON_Delete(p);
    return bad ? -1 : 0;
}
