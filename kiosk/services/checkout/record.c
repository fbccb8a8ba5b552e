#include "record.h"

#include "core/json.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *record_encode(const struct sale_record *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "txn_no", r->txn_no);
    cJSON_AddStringToObject(o, "order_id", r->order_id);
    cJSON_AddStringToObject(o, "out_trade_no", r->out_trade_no);
    cJSON_AddStringToObject(o, "invoice_token", r->invoice_token);
    json_add_int(o, "paid_unix", r->paid_unix);
    if (r->has_fuel) {
        cJSON *f = cJSON_AddObjectToObject(o, "fuel");
        cJSON_AddStringToObject(f, "sale_id", r->sale_id);
        json_add_int(f, "pump", r->pump);
        cJSON_AddStringToObject(f, "grade", r->grade);
        json_add_int(f, "volume_ml", r->volume_ml);
        json_add_int(f, "price_fen_per_l", r->price_fen);
        json_add_int(f, "amount_fen", r->fuel_fen);
    }
    if (r->has_recharge) {
        cJSON *rc = cJSON_AddObjectToObject(o, "recharge");
        cJSON_AddStringToObject(rc, "card_no", r->recharge_card);
        json_add_int(rc, "amount_fen", r->recharge_fen);
    }
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (int i = 0; i < r->nitems; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddStringToObject(it, "barcode", r->items[i].barcode);
        cJSON_AddStringToObject(it, "name_zh", r->items[i].name_zh);
        cJSON_AddStringToObject(it, "name_en", r->items[i].name_en);
        json_add_int(it, "qty", r->items[i].qty);
        json_add_int(it, "unit_fen", r->items[i].unit_fen);
        cJSON_AddItemToArray(items, it);
    }
    cJSON *ds = cJSON_AddArrayToObject(o, "discounts");
    for (int i = 0; i < r->ndiscounts; i++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "kind", r->discounts[i].kind);
        cJSON_AddStringToObject(d, "label_zh", r->discounts[i].label_zh);
        cJSON_AddStringToObject(d, "label_en", r->discounts[i].label_en);
        json_add_int(d, "amount_fen", r->discounts[i].amount_fen);
        cJSON_AddItemToArray(ds, d);
    }
    json_add_int(o, "subtotal_fen", r->subtotal_fen);
    json_add_int(o, "total_fen", r->total_fen);
    json_add_int(o, "points_used", r->points_used);
    json_add_int(o, "points_earned", r->points_earned);
    if (r->member_phone[0] || r->member_level[0]) {
        cJSON *m = cJSON_AddObjectToObject(o, "member");
        cJSON_AddStringToObject(m, "phone_masked", r->member_phone);
        cJSON_AddStringToObject(m, "level", r->member_level);
    }
    cJSON *p = cJSON_AddObjectToObject(o, "payment");
    cJSON_AddStringToObject(p, "channel", r->channel);
    cJSON_AddStringToObject(p, "mode", r->mode);
    cJSON_AddStringToObject(p, "code_masked", r->code_masked);
    cJSON_AddStringToObject(o, "receipt", r->e_receipt ? "e-receipt" : "paper");
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

int record_discounts(const cJSON *array, struct co_discount *out, int *n)
{
    int bad = !cJSON_IsArray(array) || cJSON_GetArraySize(array) > CO_MAX_DISCOUNTS;
    const cJSON *e;
    *n = 0;
    cJSON_ArrayForEach(e, array)
    {
        if (*n == CO_MAX_DISCOUNTS)
            break;
        struct co_discount *d = &out[(*n)++];
        json_copy(e, "kind", d->kind, sizeof d->kind, 0, &bad);
        json_copy(e, "label_zh", d->label_zh, sizeof d->label_zh, 0, &bad);
        json_copy(e, "label_en", d->label_en, sizeof d->label_en, 0, &bad);
        d->amount_fen = json_int(e, "amount_fen", -JSON_MAX_FEN, 0, &bad);
    }
    return bad ? -1 : 0;
}

/* "dddd dddd dddd dddd": a card number as a record carries it. */
static int card_grouped(const char *s)
{
    for (int i = 0; i < 19; i++)
        if (i % 5 == 4 ? s[i] != ' ' : s[i] < '0' || s[i] > '9')
            return 0;
    return s[19] == '\0';
}

int record_decode(const char *json, struct sale_record *r)
{
    memset(r, 0, sizeof *r);
    cJSON *o = json ? cJSON_Parse(json) : NULL;
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return -1;
    }
    int bad = 0;
    json_copy(o, "txn_no", r->txn_no, sizeof r->txn_no, 1, &bad);
    json_copy(o, "order_id", r->order_id, sizeof r->order_id, 1, &bad);
    json_copy(o, "out_trade_no", r->out_trade_no, sizeof r->out_trade_no, 1, &bad);
    json_copy(o, "invoice_token", r->invoice_token, sizeof r->invoice_token, 1, &bad);
    r->paid_unix = json_int(o, "paid_unix", 0, INT64_C(1) << 40, &bad);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "fuel");
    if (f) {
        r->has_fuel = 1;
        json_copy(f, "sale_id", r->sale_id, sizeof r->sale_id, 1, &bad);
        r->pump = (int)json_int(f, "pump", 1, 999, &bad);
        json_copy(f, "grade", r->grade, sizeof r->grade, 1, &bad);
        r->volume_ml = json_int(f, "volume_ml", 0, JSON_MAX_FEN, &bad);
        r->price_fen = json_int(f, "price_fen_per_l", 0, JSON_MAX_FEN, &bad);
        r->fuel_fen = json_int(f, "amount_fen", 0, JSON_MAX_FEN, &bad);
    }
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(o, "recharge");
    if (rc) {
        r->has_recharge = 1;
        json_copy(rc, "card_no", r->recharge_card, sizeof r->recharge_card, 0, &bad);
        if (!card_grouped(r->recharge_card))
            bad = 1;
        r->recharge_fen = json_int(rc, "amount_fen", 1, JSON_MAX_FEN, &bad);
    }
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "items"), *e;
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > CO_MAX_ITEMS)
        bad = 1;
    cJSON_ArrayForEach(e, a)
    {
        if (r->nitems == CO_MAX_ITEMS)
            break;
        struct co_item *it = &r->items[r->nitems++];
        json_copy(e, "barcode", it->barcode, sizeof it->barcode, 1, &bad);
        json_copy(e, "name_zh", it->name_zh, sizeof it->name_zh, 1, &bad);
        json_copy(e, "name_en", it->name_en, sizeof it->name_en, 1, &bad);
        it->qty = (int)json_int(e, "qty", 1, CO_MAX_QTY, &bad);
        it->unit_fen = json_int(e, "unit_fen", 0, JSON_MAX_FEN, &bad);
    }
    if (record_discounts(cJSON_GetObjectItemCaseSensitive(o, "discounts"), r->discounts,
                            &r->ndiscounts) != 0)
        bad = 1;
    r->subtotal_fen = json_int(o, "subtotal_fen", 0, JSON_MAX_FEN, &bad);
    r->total_fen = json_int(o, "total_fen", 0, JSON_MAX_FEN, &bad);
    r->points_used = json_int(o, "points_used", 0, JSON_MAX_FEN, &bad);
    r->points_earned = json_int(o, "points_earned", 0, JSON_MAX_FEN, &bad);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "member");
    if (m) {
        json_copy(m, "phone_masked", r->member_phone, sizeof r->member_phone, 1, &bad);
        json_copy(m, "level", r->member_level, sizeof r->member_level, 1, &bad);
    }
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "payment");
    json_copy(p, "channel", r->channel, sizeof r->channel, 1, &bad);
    json_copy(p, "mode", r->mode, sizeof r->mode, 1, &bad);
    json_copy(p, "code_masked", r->code_masked, sizeof r->code_masked, 1, &bad);
    const cJSON *rk = cJSON_GetObjectItemCaseSensitive(o, "receipt");
    r->e_receipt = cJSON_IsString(rk) && !strcmp(rk->valuestring, "e-receipt");
    cJSON_Delete(o);
    return bad ? -1 : 0;
}

void record_from_flow(const struct co_flow *c, struct sale_record *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->txn_no, sizeof r->txn_no, "%s", c->txn_no);
    snprintf(r->order_id, sizeof r->order_id, "%s", c->order_id);
    snprintf(r->out_trade_no, sizeof r->out_trade_no, "%s", c->otn);
    r->has_fuel = c->has_sale;
    if (c->has_sale) {
        snprintf(r->sale_id, sizeof r->sale_id, "%s", c->sale.id);
        r->pump = c->sale.pump;
        snprintf(r->grade, sizeof r->grade, "%s", c->sale.grade);
        r->volume_ml = c->sale.volume_ml;
        r->price_fen = c->sale.price_fen;
        r->fuel_fen = c->sale.amount_fen;
    }
    r->has_recharge = c->recharge;
    if (c->recharge) {
        co_card_format(c->recharge_card, 1, r->recharge_card, sizeof r->recharge_card);
        r->recharge_fen = c->recharge_fen;
    }
    r->nitems = c->nitems;
    memcpy(r->items, c->items, sizeof r->items[0] * (size_t)c->nitems);
    r->ndiscounts = c->price.ndiscounts;
    memcpy(r->discounts, c->price.discounts, sizeof r->discounts[0] * (size_t)r->ndiscounts);
    r->subtotal_fen = c->price.subtotal_fen;
    r->total_fen = c->total_fen;
    r->points_used = c->price.points_used;
    r->points_earned = c->has_member ? c->price.points_earned : 0;
    if (c->has_member) {
        snprintf(r->member_phone, sizeof r->member_phone, "%s", c->member.phone_masked);
        snprintf(r->member_level, sizeof r->member_level, "%s", c->member.level);
    }
    snprintf(r->channel, sizeof r->channel, "%s", c->channel);
    snprintf(r->mode, sizeof r->mode, "%s", c->mode == CO_PAY_QR ? "native" : "micropay");
    snprintf(r->code_masked, sizeof r->code_masked, "%s", c->code_masked);
    r->e_receipt = c->e_receipt;
}
