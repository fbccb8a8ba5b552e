/* A shift's or a day's totals (totals.h). Each kind's payload is read as its writer writes it
 * (checkout/record.c, card/record.c, depot/record.c, invoice/record.c, the attendant's refund)
 * and checked whole before anything is added: a payload that does not read adds `unreadable`
 * and nothing else. Every figure of a record is bounded by JSON_MAX_FEN, so the sums stay far
 * from int64's end (9.2e7 records of the biggest kind). */
#include "totals.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

#define TOT_MAX (INT64_C(1) << 53)           /* what a JSON number (a double) holds exactly */
#define TOT_QTY_MAX 100000                   /* units of one shop line */
#define TOT_MILLI_MAX INT64_C(1000000000000) /* a depot ticket's quantity (depot/record.c) */

/* The figures outside the breakdowns, in the order of struct totals (and of the JSON). */
#define FIGURE(f, glue) {offsetof(struct totals, f), glue, #f}
static const struct {
    size_t off;
    int glue; /* set by the glue: neither summed nor compared */
    const char *name;
} scalars[] = {
    FIGURE(sales, 0),       FIGURE(sales_fen, 0),     FIGURE(shop_items, 0),
    FIGURE(shop_fen, 0),    FIGURE(points_used, 0),   FIGURE(points_earned, 0),
    FIGURE(coupons, 0),     FIGURE(coupons_fen, 0),   FIGURE(refunds, 0),
    FIGURE(refunds_fen, 0), FIGURE(invoices, 0),      FIGURE(invoices_fen, 0),
    FIGURE(recharges, 0),   FIGURE(recharges_fen, 0), FIGURE(loads, 0),
    FIGURE(loads_fen, 0),   FIGURE(print_failed, 0),  FIGURE(outbox_pending, 1),
    FIGURE(unreadable, 0),  FIGURE(other, 0),         FIGURE(net_fen, 0),
};
#undef FIGURE

static const struct {
    const char *name;
    size_t off;
} breakdowns[] = {
    {"by_method", offsetof(struct totals, by_method)},
    {"by_grade", offsetof(struct totals, by_grade)},
    {"discounts", offsetof(struct totals, discounts)},
    {"tickets", offsetof(struct totals, tickets)},
};

#define NSCALARS (sizeof scalars / sizeof scalars[0])
#define NBREAKDOWNS (sizeof breakdowns / sizeof breakdowns[0])

static int64_t *fig(struct totals *t, size_t off)
{
    return (int64_t *)(void *)((char *)t + off);
}

static const int64_t *cfig(const struct totals *t, size_t off)
{
    return (const int64_t *)(const void *)((const char *)t + off);
}

static struct tot_breakdown *bd(struct totals *t, size_t off)
{
    return (struct tot_breakdown *)(void *)((char *)t + off);
}

static const struct tot_breakdown *cbd(const struct totals *t, size_t off)
{
    return (const struct tot_breakdown *)(const void *)((const char *)t + off);
}

void tot_init(struct totals *t)
{
    memset(t, 0, sizeof *t);
}

/* ---- breakdowns -------------------------------------------------------------------------- */

/* s cut to fit out (cap bytes) between UTF-8 characters, never inside one. */
static void key_copy(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

static struct tot_row *row_find(struct tot_breakdown *b, const char *key)
{
    for (int i = 0; i < b->n; i++)
        if (!strcmp(b->v[i].key, key))
            return &b->v[i];
    return NULL;
}

/* The row of `key`: found, added, or, once every row is taken, "other" (the last row becomes
 * "other" the first time a key finds no room: TOT_ROWS keys fit, one more and TOT_ROWS - 1
 * keep their rows). */
static struct tot_row *row_for(struct tot_breakdown *b, const char *key)
{
    char k[sizeof b->v[0].key] = ""; /* zeros after the key too: totals compare bytewise */
    key_copy(k, sizeof k, key);
    struct tot_row *r = row_find(b, k);
    if (r)
        return r;
    if (b->n < TOT_ROWS) {
        r = &b->v[b->n++];
        memset(r, 0, sizeof *r);
        memcpy(r->key, k, sizeof k);
        return r;
    }
    if ((r = row_find(b, "other")))
        return r;
    r = &b->v[TOT_ROWS - 1];
    memset(r->key, 0, sizeof r->key);
    snprintf(r->key, sizeof r->key, "other");
    return r;
}

static void row_add(struct tot_breakdown *b, const char *key, int64_t count, int64_t fen,
                    int64_t ml)
{
    struct tot_row *r = row_for(b, key);
    r->count += count;
    r->amount_fen += fen;
    r->volume_ml += ml;
}

/* ---- the kinds --------------------------------------------------------------------------- */

/* The payload as a JSON object (nothing after it), or NULL. */
static cJSON *object_of(const char *payload)
{
    cJSON *o = payload ? cJSON_ParseWithOpts(payload, NULL, 1) : NULL;
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* A string field that must be there (any length: it is cut to a row's key). */
static const char *need_str(const cJSON *o, const char *name, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v)) {
        *bad = 1;
        return "";
    }
    return v->valuestring;
}

/* Checkout's "sale" (checkout/record.c record_encode). Reads everything first, adds after. */
static int add_sale(struct totals *t, const cJSON *o)
{
    int bad = 0;
    int64_t total = json_int(o, "total_fen", 0, JSON_MAX_FEN, &bad);
    int64_t used = json_int(o, "points_used", 0, JSON_MAX_FEN, &bad);
    int64_t earned = json_int(o, "points_earned", 0, JSON_MAX_FEN, &bad);
    const char *channel = need_str(cJSON_GetObjectItemCaseSensitive(o, "payment"), "channel", &bad);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "fuel");
    const char *grade = "";
    int64_t ml = 0, fuel_fen = 0;
    if (f) {
        if (!cJSON_IsObject(f))
            bad = 1;
        grade = need_str(f, "grade", &bad);
        ml = json_int(f, "volume_ml", 0, JSON_MAX_FEN, &bad);
        fuel_fen = json_int(f, "amount_fen", 0, JSON_MAX_FEN, &bad);
    }
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(o, "recharge");
    int64_t recharge = 0;
    if (rc) {
        if (!cJSON_IsObject(rc))
            bad = 1;
        recharge = json_int(rc, "amount_fen", 1, JSON_MAX_FEN, &bad);
    }
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(o, "items"), *e;
    int64_t units = 0, shop_fen = 0;
    if (!cJSON_IsArray(items))
        bad = 1;
    cJSON_ArrayForEach(e, items)
    {
        int64_t qty = json_int(e, "qty", 1, TOT_QTY_MAX, &bad);
        int64_t unit = json_int(e, "unit_fen", 0, JSON_MAX_FEN, &bad);
        units += qty;
        shop_fen += qty * unit; /* at most 1e16: no overflow */
        if (shop_fen > JSON_MAX_FEN || units > JSON_MAX_FEN)
            bad = 1;
        if (bad)
            break;
    }
    const cJSON *ds = cJSON_GetObjectItemCaseSensitive(o, "discounts");
    if (!cJSON_IsArray(ds))
        bad = 1;
    cJSON_ArrayForEach(e, ds)
    {
        need_str(e, "kind", &bad);
        json_int(e, "amount_fen", -JSON_MAX_FEN, 0, &bad); /* a discount takes off: <= 0 */
        if (bad)
            break;
    }
    if (bad)
        return -1;
    t->sales++;
    t->sales_fen += total;
    t->net_fen += total;
    row_add(&t->by_method, channel, 1, total, 0);
    if (f)
        row_add(&t->by_grade, grade, 1, fuel_fen, ml);
    t->shop_items += units;
    t->shop_fen += shop_fen;
    cJSON_ArrayForEach(e, ds)
    {
        const char *kind = json_str(e, "kind");
        int64_t off = -json_int(e, "amount_fen", -JSON_MAX_FEN, 0, &bad); /* what it took off */
        row_add(&t->discounts, kind, 1, off, 0);
        if (!strcmp(kind, "coupon")) {
            t->coupons++;
            t->coupons_fen += off;
        }
    }
    t->points_used += used;
    t->points_earned += earned;
    if (rc) {
        t->recharges++;
        t->recharges_fen += recharge;
    }
    return 0;
}

/* The attendant's "refund": refund_of, amount_fen, channel, lines[]{barcode, qty,
 * amount_fen}, whole 0|1. */
static int add_refund(struct totals *t, const cJSON *o)
{
    int bad = 0;
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(o, "refund_of");
    if (!cJSON_IsString(of) || !of->valuestring[0])
        bad = 1;
    int64_t amount = json_int(o, "amount_fen", 0, JSON_MAX_FEN, &bad);
    need_str(o, "channel", &bad);
    json_int(o, "whole", 0, 1, &bad);
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(o, "lines"), *e;
    if (!cJSON_IsArray(lines))
        bad = 1;
    cJSON_ArrayForEach(e, lines)
    {
        need_str(e, "barcode", &bad);
        json_int(e, "qty", 1, JSON_MAX_FEN, &bad); /* units, or ml for the fuel line */
        json_int(e, "amount_fen", 0, JSON_MAX_FEN, &bad);
        if (bad)
            break;
    }
    if (bad)
        return -1;
    t->refunds++;
    t->refunds_fen += amount;
    t->net_fen -= amount;
    return 0;
}

/* "invoice" (invoice/record.c) and "card_load" (card/record.c): the journal's amount is the
 * invoice's total, the load; the payload must read as its record. */
static int add_amount(int64_t *count, int64_t *fen, const cJSON *o, const char *field, int64_t lo,
                      int64_t amount_fen)
{
    int bad = 0;
    json_int(o, field, lo, JSON_MAX_FEN, &bad);
    if (bad || amount_fen < 0 || amount_fen > JSON_MAX_FEN)
        return -1;
    (*count)++;
    *fen += amount_fen;
    return 0;
}

/* Depot's "depot_ticket" (depot/record.c dp_record_txn): by product, the quantity in
 * thousandths of its unit (L: ml; t: kg) as it is. */
static int add_ticket(struct totals *t, const cJSON *o)
{
    int bad = 0;
    const char *product = need_str(o, "product", &bad);
    const char *unit = need_str(o, "unit", &bad);
    int64_t milli = json_int(o, "quantity_milli", 0, TOT_MILLI_MAX, &bad);
    if (bad || (strcmp(unit, "L") && strcmp(unit, "t")))
        return -1;
    row_add(&t->tickets, product, 1, 0, milli);
    return 0;
}

/* Not printed: failed, unknown, or still pending for a paper receipt. */
static int not_printed(const char *state, int paper)
{
    return !strcmp(state, "failed") || !strcmp(state, "unknown") ||
           (paper && !strcmp(state, "pending"));
}

int tot_add(struct totals *t, const char *kind, int64_t amount_fen, const char *print_state,
            const char *payload)
{
    kind = kind ? kind : "";
    int sale = !strcmp(kind, "sale"), refund = !strcmp(kind, "refund");
    int invoice = !strcmp(kind, "invoice"), load = !strcmp(kind, "card_load");
    int ticket = !strcmp(kind, "depot_ticket");
    if (!sale && !refund && !invoice && !load && !ticket) {
        t->other++;
        return 0;
    }
    cJSON *o = object_of(payload);
    int rc = !o        ? -1
             : sale    ? add_sale(t, o)
             : refund  ? add_refund(t, o)
             : invoice ? add_amount(&t->invoices, &t->invoices_fen, o, "total_fen", 0, amount_fen)
             : load    ? add_amount(&t->loads, &t->loads_fen, o, "amount_fen", 1, amount_fen)
                       : add_ticket(t, o);
    if (rc == 0 &&
        not_printed(print_state ? print_state : "", !strcmp(json_str(o, "receipt"), "paper")))
        t->print_failed++;
    cJSON_Delete(o);
    if (rc != 0)
        t->unreadable++;
    return rc;
}

/* ---- sums and comparisons ---------------------------------------------------------------- */

void tot_sum(struct totals *a, const struct totals *b)
{
    for (size_t i = 0; i < NSCALARS; i++)
        if (!scalars[i].glue) /* a count of now, not of the shift: the glue's */
            *fig(a, scalars[i].off) += *cfig(b, scalars[i].off);
    for (size_t i = 0; i < NBREAKDOWNS; i++) {
        const struct tot_breakdown *y = cbd(b, breakdowns[i].off);
        for (int k = 0; k < y->n; k++)
            row_add(bd(a, breakdowns[i].off), y->v[k].key, y->v[k].count, y->v[k].amount_fen,
                    y->v[k].volume_ml);
    }
}

static const struct tot_row *crow_find(const struct tot_breakdown *b, const char *key)
{
    for (int i = 0; i < b->n; i++)
        if (!strcmp(b->v[i].key, key))
            return &b->v[i];
    return NULL;
}

/* 1 when every row of x is in y with the same figures; else 0, the difference named. */
static int rows_in(const struct tot_breakdown *x, const struct tot_breakdown *y, const char *name,
                   char *what, size_t cap)
{
    for (int k = 0; k < x->n; k++) {
        const struct tot_row *r = &x->v[k], *s = crow_find(y, r->key);
        const char *f = !s                               ? ""
                        : r->count != s->count           ? ".count"
                        : r->amount_fen != s->amount_fen ? ".amount_fen"
                        : r->volume_ml != s->volume_ml   ? ".volume_ml"
                                                         : NULL;
        if (f) {
            snprintf(what, cap, "%s[%s]%s", name, r->key, f);
            return 0;
        }
    }
    return 1;
}

int tot_equal(const struct totals *a, const struct totals *b, char *what, size_t cap)
{
    for (size_t i = 0; i < NSCALARS; i++)
        if (!scalars[i].glue && *cfig(a, scalars[i].off) != *cfig(b, scalars[i].off)) {
            snprintf(what, cap, "%s", scalars[i].name);
            return 0;
        }
    for (size_t i = 0; i < NBREAKDOWNS; i++) {
        const struct tot_breakdown *x = cbd(a, breakdowns[i].off), *y = cbd(b, breakdowns[i].off);
        if (!rows_in(x, y, breakdowns[i].name, what, cap) ||
            !rows_in(y, x, breakdowns[i].name, what, cap))
            return 0;
    }
    if (cap)
        what[0] = '\0';
    return 1;
}

/* ---- JSON -------------------------------------------------------------------------------- */

static int put(cJSON *o, const char *name, int64_t v)
{
    return json_add_int(o, name, v) != NULL;
}

char *tot_to_json(const struct totals *t)
{
    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;
    for (size_t i = 0; ok && i < NSCALARS; i++)
        ok = put(o, scalars[i].name, *cfig(t, scalars[i].off));
    for (size_t i = 0; ok && i < NBREAKDOWNS; i++) {
        const struct tot_breakdown *b = cbd(t, breakdowns[i].off);
        cJSON *a = cJSON_AddArrayToObject(o, breakdowns[i].name);
        ok = a != NULL;
        for (int k = 0; ok && k < b->n; k++) {
            cJSON *r = cJSON_CreateObject();
            if (!r || !cJSON_AddItemToArray(a, r)) {
                cJSON_Delete(r); /* not in the array: ours to free */
                ok = 0;
                break;
            }
            ok = cJSON_AddStringToObject(r, "key", b->v[k].key) && put(r, "count", b->v[k].count) &&
                 put(r, "amount_fen", b->v[k].amount_fen) && put(r, "volume_ml", b->v[k].volume_ml);
        }
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return json_print_free(o);
}

int tot_from_json(const char *json, struct totals *t)
{
    tot_init(t);
    cJSON *o = object_of(json);
    int bad = !o;
    for (size_t i = 0; !bad && i < NSCALARS; i++)
        *fig(t, scalars[i].off) = json_int(o, scalars[i].name, -TOT_MAX, TOT_MAX, &bad);
    for (size_t i = 0; !bad && i < NBREAKDOWNS; i++) {
        struct tot_breakdown *b = bd(t, breakdowns[i].off);
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, breakdowns[i].name), *e;
        if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > TOT_ROWS) {
            bad = 1;
            break;
        }
        cJSON_ArrayForEach(e, a)
        {
            struct tot_row *r = &b->v[b->n];
            json_copy(e, "key", r->key, sizeof r->key, 1, &bad);
            r->count = json_int(e, "count", -TOT_MAX, TOT_MAX, &bad);
            r->amount_fen = json_int(e, "amount_fen", -TOT_MAX, TOT_MAX, &bad);
            r->volume_ml = json_int(e, "volume_ml", -TOT_MAX, TOT_MAX, &bad);
            if (bad || row_find(b, r->key)) { /* one row per key */
                bad = 1;
                break;
            }
            b->n++;
        }
    }
    cJSON_Delete(o);
    if (bad) {
        tot_init(t);
        return -1;
    }
    return 0;
}
