/* The e-invoice service's requests, answers and journal payloads (api.h). */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"
#include "core/json.h"
#include "core/sign.h"

static cJSON *buyer_json(const struct inv_buyer *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", b->organisation ? "organization" : "individual");
    cJSON_AddStringToObject(o, "name", b->name[0] ? b->name : "个人");
    cJSON_AddStringToObject(o, "tax_id", b->organisation ? b->tax_id : "");
    cJSON_AddStringToObject(o, "address", b->extras ? b->address : "");
    cJSON_AddStringToObject(o, "phone", b->extras ? b->phone : "");
    cJSON_AddStringToObject(o, "bank", b->extras ? b->bank : "");
    cJSON_AddStringToObject(o, "account", b->extras ? b->account : "");
    return o;
}

static cJSON *delivery_json(const struct inv_flow *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "phone", f->phone);
    cJSON_AddStringToObject(o, "email", f->email);
    return o;
}

int inv_api_http(const struct inv_flow *f, const struct inv_request *rq, struct inv_http *h)
{
    memset(h, 0, sizeof *h);
    h->method = "GET";
    switch (rq->call) {
    case INV_CALL_SALE:
    case INV_CALL_COMPANY:
    case INV_CALL_STATUS:
        if (!json_path_safe(rq->subject))
            return -1;
        h->private_tail = rq->call == INV_CALL_SALE;
        snprintf(h->path, sizeof h->path,
                 rq->call == INV_CALL_SALE      ? "/v1/invoices/sales/%s"
                 : rq->call == INV_CALL_COMPANY ? "/v1/companies/%s"
                                                : "/v1/invoices/requests/%s",
                 rq->subject);
        return 0;
    case INV_CALL_CLOSE:
        if (!json_path_safe(rq->subject) || strlen(rq->subject) > 58) /* its key: 64 at most */
            return -1;
        h->method = "POST";
        snprintf(h->path, sizeof h->path, "/v1/invoices/requests/%s/close", rq->subject);
        snprintf(h->key, sizeof h->key, "close-%.58s", rq->subject);
        return 0;
    case INV_CALL_TITLE: {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "qr", rq->subject);
        h->method = "POST";
        snprintf(h->path, sizeof h->path, "/v1/invoices/titles");
        char hex[SIGN_HEX_LEN];
        sign_sha256_hex(rq->subject, strlen(rq->subject), hex);
        snprintf(h->key, sizeof h->key, "title-%.40s", hex);
        h->body = json_print_free(o);
        return h->body ? 0 : -1;
    }
    case INV_CALL_ISSUE: {
        cJSON *o = cJSON_CreateObject(), *sales = cJSON_AddArrayToObject(o, "sales");
        for (int i = 0; i < f->nsales; i++)
            cJSON_AddItemToArray(sales, cJSON_CreateString(f->sales[i].txn_no));
        cJSON_AddItemToObject(o, "buyer", buyer_json(&f->buyer));
        cJSON_AddItemToObject(o, "delivery", delivery_json(f));
        h->method = "POST";
        if (rq->reissue) {
            if (!json_path_safe(rq->subject))
                return cJSON_Delete(o), -1;
            cJSON_DeleteItemFromObject(o, "sales");
            snprintf(h->path, sizeof h->path, "/v1/invoices/%s/reissue", rq->subject);
        } else {
            snprintf(h->path, sizeof h->path, "/v1/invoices");
        }
        snprintf(h->key, sizeof h->key, "%s", f->idem_key);
        h->body = json_print_free(o);
        return h->body ? 0 : -1;
    }
    case INV_CALL_RESEND: {
        if (!json_path_safe(rq->subject))
            return -1;
        cJSON *o = delivery_json(f);
        char hex[SIGN_HEX_LEN];
        h->method = "POST";
        snprintf(h->path, sizeof h->path, "/v1/invoices/%s/resend", rq->subject);
        h->body = json_print_free(o);
        if (!h->body)
            return -1;
        /* the same delivery for the same invoice is one resend, however often it is asked;
         * another invoice to the same phone is another request (the path is in the key) */
        char both[sizeof h->path + SIGN_HEX_LEN];
        sign_sha256_hex(h->body, strlen(h->body), hex);
        int n = snprintf(both, sizeof both, "%s\n%s", h->path, hex);
        sign_sha256_hex(both, n > 0 ? (size_t)n : 0, hex);
        snprintf(h->key, sizeof h->key, "resend-%.40s", hex);
        return 0;
    }
    default:
        return -1;
    }
}

void inv_api_http_free(struct inv_http *h)
{
    if (h->body) {
        sign_wipe(h->body, strlen(h->body));
        free(h->body);
    }
    h->body = NULL;
}

static int read_line(const cJSON *o, struct inv_line *l)
{
    int bad = 0;
    const char *kind = json_str(o, "kind");
    memset(l, 0, sizeof *l);
    if (!cJSON_IsObject(o) || (strcmp(kind, "goods") && strcmp(kind, "discount")))
        return -1;
    l->discount = !strcmp(kind, "discount");
    json_copy(o, "name", l->name, sizeof l->name, 0, &bad);
    l->rate_pct = (int)json_int(o, "rate_pct", 0, 100, &bad);
    l->amount_fen = json_int(o, "amount_fen", -JSON_MAX_FEN, JSON_MAX_FEN, &bad);
    l->tax_fen = json_int(o, "tax_fen", -JSON_MAX_FEN, JSON_MAX_FEN, &bad);
    /* a line without VAT says why: NOT_TAXABLE (不征税: a fuel card's recharge) */
    const cJSON *zero = cJSON_GetObjectItemCaseSensitive(o, "zero_rate");
    if (zero) {
        l->not_taxable = 1;
        if (!cJSON_IsString(zero) || strcmp(zero->valuestring, "NOT_TAXABLE") || l->rate_pct != 0 ||
            l->tax_fen != 0)
            bad = 1;
    }
    if (!l->discount) {
        const cJSON *ml = cJSON_GetObjectItemCaseSensitive(o, "qty_ml");
        int counted = ml || cJSON_GetObjectItemCaseSensitive(o, "qty");
        json_copy(o, "unit", l->unit, sizeof l->unit, !counted, &bad);
        if (!counted) {
            /* no quantity: a prepaid-card sale (预付卡销售), not taxable, with no unit and no
             * price either */
            if (!l->not_taxable || l->unit[0] || cJSON_GetObjectItemCaseSensitive(o, "price_fen"))
                bad = 1;
        } else if (ml) {
            /* refined oil: quantity in litres is mandatory, and its unit is 升 */
            l->price_fen = json_int(o, "price_fen", 0, JSON_MAX_FEN, &bad);
            l->qty_ml = json_int(o, "qty_ml", 1, INT64_C(100000000), &bad);
            if (strcmp(l->unit, "升"))
                bad = 1;
        } else {
            l->price_fen = json_int(o, "price_fen", 0, JSON_MAX_FEN, &bad);
            l->qty = json_int(o, "qty", 1, 100000, &bad);
        }
    }
    return bad ? -1 : 0;
}

int inv_api_invoice(const cJSON *j, struct inv_invoice *iv)
{
    int bad = 0;
    memset(iv, 0, sizeof *iv);
    if (!cJSON_IsObject(j))
        return -1;
    json_copy(j, "invoice_no", iv->number, sizeof iv->number, 1, &bad);
    json_copy(j, "status", iv->status, sizeof iv->status, 0, &bad);
    json_copy(j, "download_url", iv->url, sizeof iv->url, 1, &bad);
    /* optional parts: who, to where, by whom, how many corrections are left */
    snprintf(iv->buyer_name, sizeof iv->buyer_name, "%s", json_str(j, "buyer_name"));
    snprintf(iv->delivery, sizeof iv->delivery, "%s", json_str(j, "delivery"));
    snprintf(iv->by, sizeof iv->by, "%s", json_str(j, "by"));
    if (cJSON_GetObjectItemCaseSensitive(j, "reissues_left"))
        iv->reissues_left = (int)json_int(j, "reissues_left", 0, 100, &bad);
    size_t n = strlen(iv->number);
    if (n && (n != INV_NO_LEN || strspn(iv->number, "0123456789") != n))
        bad = 1;
    if (strcmp(iv->status, "ISSUED") && strcmp(iv->status, "PENDING"))
        bad = 1;
    if (!strcmp(iv->status, "ISSUED") && (!n || !iv->url[0]))
        bad = 1;
    return bad ? -1 : 0;
}

int inv_api_sale(const cJSON *j, struct inv_sale *s)
{
    int bad = 0;
    memset(s, 0, sizeof *s);
    if (!cJSON_IsObject(j))
        return -1;
    json_copy(j, "txn_no", s->txn_no, sizeof s->txn_no, 0, &bad);
    json_copy(j, "station", s->station, sizeof s->station, 0, &bad);
    s->paid_unix = json_int(j, "paid_unix", 0, INT64_C(32503680000), &bad);
    s->amount_fen = json_int(j, "amount_fen", 0, JSON_MAX_FEN, &bad);
    s->tax_fen = json_int(j, "tax_fen", 0, JSON_MAX_FEN, &bad);
    s->total_fen = json_int(j, "total_fen", 1, JSON_MAX_FEN, &bad);
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(j, "lines");
    const cJSON *excl = cJSON_GetObjectItemCaseSensitive(j, "excluded");
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(j, "rules");
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(j, "invoice");
    if (!cJSON_IsArray(lines) || cJSON_GetArraySize(lines) < 1 ||
        cJSON_GetArraySize(lines) > INV_MAX_LINES || !cJSON_IsArray(excl) ||
        cJSON_GetArraySize(excl) > INV_MAX_EXCLUDED || !cJSON_IsObject(rules))
        return -1;
    const cJSON *it;
    cJSON_ArrayForEach(it, lines) {
        if (read_line(it, &s->lines[s->nlines]) != 0)
            return -1;
        if (s->lines[s->nlines].qty_ml)
            s->has_fuel = 1;
        s->nlines++;
    }
    cJSON_ArrayForEach(it, excl) {
        struct inv_excluded *x = &s->excluded[s->nexcluded++];
        if (!cJSON_IsObject(it))
            return -1;
        json_copy(it, "reason", x->reason, sizeof x->reason, 0, &bad);
        json_copy(it, "label_zh", x->label_zh, sizeof x->label_zh, 0, &bad);
        json_copy(it, "label_en", x->label_en, sizeof x->label_en, 0, &bad);
        x->amount_fen = json_int(it, "amount_fen", 0, JSON_MAX_FEN, &bad);
    }
    s->max_merge = (int)json_int(rules, "max_merge", 1, 100, &bad);
    s->window_days = (int)json_int(rules, "window_days", 1, 3660, &bad);
    s->reissue_limit = (int)json_int(rules, "reissue_limit", 0, 100, &bad);
    s->counter_over_fen = json_int(rules, "counter_over_fen", 0, JSON_MAX_FEN, &bad);
    const cJSON *same = cJSON_GetObjectItemCaseSensitive(rules, "fuel_same_month");
    if (!cJSON_IsBool(same))
        bad = 1;
    s->fuel_same_month = cJSON_IsTrue(same);
    if (inv && !cJSON_IsNull(inv)) {
        if (inv_api_invoice(inv, &s->invoice) != 0)
            return -1;
        s->invoiced = 1;
    }
    return bad ? -1 : 0;
}

int inv_api_buyer(const cJSON *j, struct inv_buyer *b)
{
    int bad = 0;
    memset(b, 0, sizeof *b);
    if (!cJSON_IsObject(j))
        return -1;
    const char *type = json_str(j, "buyer_type");
    b->organisation = !type[0] || !strcmp(type, "organization"); /* a company lookup */
    if (type[0] && strcmp(type, "organization") && strcmp(type, "individual"))
        bad = 1;
    json_copy(j, "name", b->name, sizeof b->name, 0, &bad);
    json_copy(j, "tax_id", b->tax_id, sizeof b->tax_id, !b->organisation, &bad);
    json_copy(j, "address", b->address, sizeof b->address, 1, &bad);
    json_copy(j, "phone", b->phone, sizeof b->phone, 1, &bad);
    json_copy(j, "bank", b->bank, sizeof b->bank, 1, &bad);
    json_copy(j, "account", b->account, sizeof b->account, 1, &bad);
    if (b->organisation && !code_taxid_valid(b->tax_id))
        bad = 1;
    return bad ? -1 : 0;
}

void inv_api_answer(enum inv_call k, int status, const cJSON *json, const char *code,
                    struct inv_answer *a)
{
    memset(a, 0, sizeof *a);
    a->status = status;
    a->transport = status == 0;
    snprintf(a->code, sizeof a->code, "%s", code ? code : "");
    if (status < 200 || status > 299) {
        /* a refusal may say more: the invoice a sale is on, the product short of stock */
        const cJSON *err = cJSON_GetObjectItemCaseSensitive(json, "error");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(err, "details");
        if (cJSON_IsObject(d)) {
            snprintf(a->detail, sizeof a->detail, "%s", json_str(d, "name"));
            const cJSON *iv = cJSON_GetObjectItemCaseSensitive(d, "invoice");
            if (iv && inv_api_invoice(iv, &a->invoice) != 0)
                memset(&a->invoice, 0, sizeof a->invoice);
        }
        return;
    }
    int ok = -1, bad = 0;
    switch (k) {
    case INV_CALL_SALE:
        ok = inv_api_sale(json, &a->sale);
        break;
    case INV_CALL_COMPANY:
    case INV_CALL_TITLE:
        ok = inv_api_buyer(json, &a->buyer);
        break;
    case INV_CALL_ISSUE:
    case INV_CALL_STATUS:
    case INV_CALL_CLOSE:
        json_copy(json, "status", a->issue_status, sizeof a->issue_status, 0, &bad);
        if (bad)
            break;
        if (k == INV_CALL_CLOSE && !strcmp(a->issue_status, "CLOSED")) {
            ok = 0;
            break;
        }
        if (!strcmp(a->issue_status, "REFUSED")) {
            json_copy(json, "code", a->code, sizeof a->code, 0, &bad);
            ok = bad ? -1 : 0;
            break;
        }
        ok = inv_api_invoice(json, &a->invoice);
        break;
    case INV_CALL_RESEND:
        ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "sent")) ? 0 : -1;
        break;
    default:
        break;
    }
    a->ok = ok == 0;
    if (!a->ok)
        snprintf(a->code, sizeof a->code, "UNUSABLE");
}
