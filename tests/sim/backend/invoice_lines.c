/* Invoice lines of a paid order (docs/backend-api.md, "E-invoices"): goods lines for its fuel
 * and shop items, or the prepaid line of a fuel card's recharge, discount lines for the member
 * discount, and what is not invoiced (coupons, points, a fuel card whose recharge was
 * invoiced) taken off the goods lines. Integer fen only; every split gives its remainders by
 * one fixed rule, so the sums hold exactly. */
#include <stdio.h>
#include <string.h>

#include "invoice.h"
#include "json.h"
#include "sim.h"

/* The grades the station sells and their names on invoices (refined-oil naming). */
static const struct {
    const char *grade, *name;
} fuels[] = {
    {"92#", "*汽油*92号车用汽油"},
    {"95#", "*汽油*95号车用汽油"},
    {"98#", "*汽油*98号车用汽油"},
    {"0#", "*柴油*0号车用柴油"},
};

const char *inv_fuel_name(const char *grade)
{
    for (size_t i = 0; grade && i < sizeof fuels / sizeof fuels[0]; i++)
        if (!strcmp(fuels[i].grade, grade))
            return fuels[i].name;
    return NULL;
}

int64_t inv_tax_of(int64_t gross, int rate)
{
    int64_t g = gross < 0 ? -gross : gross;
    /* round half up of g * rate / (100 + rate), in integers */
    int64_t t = (g * rate * 2 + (100 + rate)) / (2 * (100 + rate));
    return gross < 0 ? -t : t;
}

/* Splits `total` (0 <= total <= Σw) over the n weights w in proportion: out[i] =
 * floor(total * w[i] / Σw), and the fen left over go one each to the lines with the largest
 * remainders, the earlier line first on a tie. Then out[i] <= w[i]. Σw is at most
 * INV_MAX_FEN, so the products fit in 64 bits. */
static void apportion(int64_t total, const int64_t *w, int n, int64_t *out)
{
    int64_t sum = 0, given = 0, rem[INV_MAX_GOODS];
    for (int i = 0; i < n; i++)
        sum += w[i];
    for (int i = 0; i < n; i++) {
        out[i] = sum > 0 ? total * w[i] / sum : 0;
        rem[i] = sum > 0 ? total * w[i] % sum : -1;
        given += out[i];
    }
    for (int64_t left = total - given; left > 0; left--) {
        int best = -1;
        for (int i = 0; i < n; i++)
            if (rem[i] >= 0 && (best < 0 || rem[i] > rem[best]))
                best = i;
        if (best < 0)
            break; /* cannot happen: fewer fen are left over than there are lines */
        out[best]++;
        rem[best] = -1;
    }
}

/* A shop item's line name and unit: *<tax class>*<name>, the product's unit or 件. */
static void item_naming(sqlite3 *db, const char *barcode, const char *name_zh, struct inv_line *l)
{
    sqlite3_stmt *st = sim_q(db, "SELECT tax_class, unit FROM products WHERE barcode = ?");
    sqlite3_bind_text(st, 1, barcode ? barcode : "", -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    const char *cls = found && *sim_col(st, 0) ? sim_col(st, 0) : "商品";
    const char *unit = found && *sim_col(st, 1) ? sim_col(st, 1) : "件";
    snprintf(l->name, sizeof l->name, "*%s*%s", cls, name_zh);
    snprintf(l->unit, sizeof l->unit, "%s", unit);
    sqlite3_finalize(st);
}

/* A whole amount in 0..INV_MAX_FEN (fen, ml or pieces), or -1. */
static int64_t amount_of(const cJSON *o, const char *name)
{
    int64_t v = sim_jint(o, name);
    return v > INV_MAX_FEN ? -1 : v;
}

/* The goods lines of the order's "lines" into goods (n of them); -1 if one is not what the
 * simulator prices. */
static int goods_lines(sqlite3 *db, const cJSON *order, struct inv_line *goods, int *n)
{
    const cJSON *l;
    *n = 0;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(order, "lines"))
    {
        const char *kind = sim_jstr(l, "kind");
        if (*n == INV_MAX_GOODS || !kind)
            return -1;
        struct inv_line *g = &goods[(*n)++];
        memset(g, 0, sizeof *g);
        g->gross_fen = amount_of(l, "amount_fen");
        if (!strcmp(kind, "fuel")) {
            const char *grade = sim_jstr(l, "grade"), *name = inv_fuel_name(grade);
            if (!name)
                return -1;
            g->fuel = 1;
            snprintf(g->name, sizeof g->name, "%s", name);
            snprintf(g->unit, sizeof g->unit, "升");
            snprintf(g->grade, sizeof g->grade, "%s", grade);
            g->qty = amount_of(l, "volume_ml");
            g->price_fen = amount_of(l, "price_fen_per_l");
        } else if (!strcmp(kind, "item") && sim_jstr(l, "name_zh")) {
            item_naming(db, sim_jstr(l, "barcode"), sim_jstr(l, "name_zh"), g);
            g->qty = amount_of(l, "qty");
            g->price_fen = amount_of(l, "unit_fen");
        } else if (!strcmp(kind, "recharge")) {
            /* money onto a fuel card is a prepaid-card sale (预付卡销售): not taxable (不征税),
             * the fuel it buys is; it has no quantity, unit or price */
            g->prepaid = 1;
            snprintf(g->name, sizeof g->name, "%s", INV_PREPAID_NAME);
        } else {
            return -1;
        }
        g->rate_pct = g->prepaid ? 0 : INV_RATE_PCT;
        if (g->gross_fen < 0 || g->qty < 0 || g->price_fen < 0)
            return -1;
    }
    return *n > 0 ? 0 : -1;
}

/* Adds an excluded amount to b; -1 when there are too many. */
static int exclude(struct inv_bill *b, const char *reason, const char *zh, const char *en,
                   int64_t fen)
{
    if (b->nexcluded == INV_MAX_EXCLUDED)
        return -1;
    struct inv_excluded *x = &b->excluded[b->nexcluded++];
    snprintf(x->reason, sizeof x->reason, "%s", reason);
    snprintf(x->label_zh, sizeof x->label_zh, "%s", zh);
    snprintf(x->label_en, sizeof x->label_en, "%s", en);
    x->amount_fen = fen;
    return 0;
}

int inv_bill_build(sqlite3 *db, const cJSON *order, int64_t prepaid_fen, struct inv_bill *b)
{
    struct inv_line goods[INV_MAX_GOODS];
    int n = 0;
    memset(b, 0, sizeof *b);
    if (goods_lines(db, order, goods, &n) != 0)
        return -1;
    int64_t gross = 0, member = 0, excluded = 0, total = amount_of(order, "total_fen");
    for (int i = 0; i < n; i++)
        gross += goods[i].gross_fen;
    if (gross > INV_MAX_FEN)
        return -1;
    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(order, "discounts"))
    {
        const char *kind = sim_jstr(d, "kind");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "amount_fen");
        int64_t off = cJSON_IsNumber(v) && v->valuedouble <= 0 && v->valuedouble >= -INV_MAX_FEN
                          ? -(int64_t)v->valuedouble
                          : -1;
        if (!kind || off < 0)
            return -1;
        if (!strcmp(kind, "member")) {
            member += off;
        } else if (!strcmp(kind, "coupon") || !strcmp(kind, "points")) {
            const char *zh = sim_jstr(d, "label_zh"), *en = sim_jstr(d, "label_en");
            if (off > 0 && exclude(b, !strcmp(kind, "coupon") ? "COUPON" : "POINTS", zh ? zh : "",
                                   en ? en : "", off) != 0)
                return -1;
            excluded += off;
        } else {
            return -1;
        }
    }
    /* what the customer paid is what the order says: the lines must add up to it */
    if (total < 0 || gross - member - excluded != total || prepaid_fen < 0)
        return -1;
    if (prepaid_fen > total)
        prepaid_fen = total;
    if (prepaid_fen > 0 && exclude(b, "PREPAID_INVOICED", "充值已开票",
                                   "Fuel card, recharge invoiced", prepaid_fen) != 0)
        return -1;
    excluded += prepaid_fen;

    /* The member discount reduces the fuel (it is so much per litre); without fuel, every
     * goods line. What is excluded comes off what is left of each goods line after it. */
    int64_t w[INV_MAX_GOODS], m[INV_MAX_GOODS], x[INV_MAX_GOODS];
    int any_fuel = 0;
    for (int i = 0; i < n; i++)
        any_fuel |= goods[i].fuel;
    int64_t fuel_gross = 0;
    for (int i = 0; i < n; i++) {
        w[i] = !any_fuel || goods[i].fuel ? goods[i].gross_fen : 0;
        fuel_gross += w[i];
    }
    if (member > fuel_gross)
        return -1; /* a member discount bigger than what it discounts */
    apportion(member, w, n, m);
    for (int i = 0; i < n; i++)
        w[i] = goods[i].gross_fen - m[i];
    apportion(excluded, w, n, x);

    for (int i = 0; i < n; i++) {
        struct inv_line *g = &b->lines[b->nlines++];
        *g = goods[i];
        g->gross_fen -= x[i];
        if (m[i] > 0) {
            struct inv_line *dl = &b->lines[b->nlines++];
            memset(dl, 0, sizeof *dl);
            dl->discount = 1;
            dl->rate_pct = goods[i].rate_pct;
            snprintf(dl->name, sizeof dl->name, "%s", goods[i].name);
            dl->gross_fen = -m[i];
        }
    }
    for (int i = 0; i < b->nlines; i++) {
        struct inv_line *l = &b->lines[i];
        l->tax_fen = inv_tax_of(l->gross_fen, l->rate_pct);
        l->amount_fen = l->gross_fen - l->tax_fen;
        b->amount_fen += l->amount_fen;
        b->tax_fen += l->tax_fen;
    }
    b->total_fen = b->amount_fen + b->tax_fen; /* = total - prepaid_fen */
    return 0;
}

cJSON *inv_lines_json(const struct inv_bill *b)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < b->nlines; i++) {
        const struct inv_line *l = &b->lines[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", l->discount ? "discount" : "goods");
        cJSON_AddStringToObject(o, "name", l->name);
        if (!l->discount) {
            cJSON_AddStringToObject(o, "unit", l->unit);
            if (!l->prepaid) { /* a prepaid line has no quantity, nor a price of one */
                cJSON_AddNumberToObject(o, l->fuel ? "qty_ml" : "qty", (double)l->qty);
                cJSON_AddNumberToObject(o, "price_fen", (double)l->price_fen);
            }
        }
        cJSON_AddNumberToObject(o, "rate_pct", l->rate_pct);
        if (l->rate_pct == 0) /* why no VAT: the tax system's 零税率标识 */
            cJSON_AddStringToObject(o, "zero_rate", "NOT_TAXABLE");
        cJSON_AddNumberToObject(o, "amount_fen", (double)l->amount_fen);
        cJSON_AddNumberToObject(o, "tax_fen", (double)l->tax_fen);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

cJSON *inv_excluded_json(const struct inv_bill *b)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < b->nexcluded; i++) {
        const struct inv_excluded *x = &b->excluded[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "reason", x->reason);
        cJSON_AddStringToObject(o, "label_zh", x->label_zh);
        cJSON_AddStringToObject(o, "label_en", x->label_en);
        cJSON_AddNumberToObject(o, "amount_fen", (double)x->amount_fen);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}
