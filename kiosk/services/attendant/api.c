#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

int at_role_of(const char *s)
{
    return !s                          ? AT_ROLE_NONE
           : !strcmp(s, "attendant")  ? AT_ROLE_ATTENDANT
           : !strcmp(s, "supervisor") ? AT_ROLE_SUPERVISOR
                                      : AT_ROLE_NONE;
}

const char *at_role_name(int role)
{
    return role == AT_ROLE_SUPERVISOR ? "supervisor"
           : role == AT_ROLE_ATTENDANT ? "attendant"
                                       : "";
}

/* Digits only, 1..AT_STAFF_MAX: what the keypad can type. */
static int staff_no_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > AT_STAFF_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

char *at_api_login_body(const struct at_login *l)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "staff_no", l->staff_no);
    cJSON_AddStringToObject(o, "pin", l->pin);
    cJSON_AddStringToObject(o, "purpose", l->approval ? "approval" : "login");
    return json_print_free(o);
}

int at_api_login_answer(int status, const cJSON *json, const char *code, int *role,
                        char *name, size_t cap)
{
    if (status == 403 && code && !strcmp(code, "WRONG_PIN"))
        return 0;
    if (status < 200 || status > 299 || !cJSON_IsObject(json))
        return -1;
    int bad = 0;
    *role = at_role_of(json_str(json, "role"));
    json_copy(json, "name", name, cap, 1, &bad);
    return bad || *role == AT_ROLE_NONE ? -1 : 1;
}

int at_api_staff(const cJSON *json, struct at_staff *rows, int max)
{
    const cJSON *list = cJSON_IsObject(json) ? cJSON_GetObjectItemCaseSensitive(json, "staff")
                                             : NULL;
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > max)
        return -1;
    int n = 0, bad = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, list) {
        struct at_staff *s = &rows[n++];
        memset(s, 0, sizeof *s);
        json_copy(it, "staff_no", s->staff_no, sizeof s->staff_no, 0, &bad);
        json_copy(it, "card_no", s->card_no, sizeof s->card_no, 1, &bad);
        json_copy(it, "name", s->name, sizeof s->name, 1, &bad);
        json_copy(it, "verifier", s->verifier, sizeof s->verifier, 0, &bad);
        s->role = at_role_of(json_str(it, "role"));
        if (bad || !staff_no_ok(s->staff_no) || s->role == AT_ROLE_NONE)
            return -1;
    }
    return n;
}

/* One line of the sale into r (the last one when there is no room: they add up anyway). */
static void add_line(struct at_refund *r, const char *barcode, const char *name, int64_t qty,
                     int64_t amount)
{
    if (r->nlines == AT_LINES_MAX)
        return;
    struct at_line *l = &r->lines[r->nlines++];
    snprintf(l->barcode, sizeof l->barcode, "%s", barcode);
    snprintf(l->name, sizeof l->name, "%s", name);
    l->qty = qty;
    l->amount_fen = amount;
}

int at_sale_read(const char *payload, const char *lang, struct at_sale *s, struct at_refund *r)
{
    memset(s, 0, sizeof *s);
    memset(r, 0, sizeof *r);
    cJSON *o = payload ? cJSON_Parse(payload) : NULL;
    int bad = !cJSON_IsObject(o);
    if (!bad) {
        json_copy(o, "txn_no", r->txn_no, sizeof r->txn_no, 0, &bad);
        json_copy(o, "order_id", s->order_id, sizeof s->order_id, 0, &bad);
        s->total_fen = json_int(o, "total_fen", 0, JSON_MAX_FEN, &bad);
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "payment");
        json_copy(p, "channel", s->channel, sizeof s->channel, 0, &bad);
        const cJSON *fuel = cJSON_GetObjectItemCaseSensitive(o, "fuel");
        if (!bad && cJSON_IsObject(fuel)) {
            char grade[16];
            json_copy(fuel, "grade", grade, sizeof grade, 0, &bad);
            int64_t ml = json_int(fuel, "volume_ml", 0, 10000000, &bad);
            int64_t fen = json_int(fuel, "amount_fen", 0, JSON_MAX_FEN, &bad);
            if (!bad)
                add_line(r, "", grade, ml, fen);
        }
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(o, "items"), *it;
        bad |= !cJSON_IsArray(items);
        cJSON_ArrayForEach(it, items) {
            char code[24], name[sizeof r->lines[0].name];
            json_copy(it, "barcode", code, sizeof code, 0, &bad);
            json_copy(it, !strcmp(lang, "zh_CN") ? "name_zh" : "name_en", name, sizeof name, 1,
                      &bad);
            int64_t qty = json_int(it, "qty", 1, 1000, &bad);
            int64_t unit = json_int(it, "unit_fen", 0, JSON_MAX_FEN, &bad);
            if (!bad)
                add_line(r, code, name, qty, qty * unit);
        }
    }
    cJSON_Delete(o);
    return bad || !r->nlines ? -1 : 0;
}

int at_refund_apply(const char *payload, struct at_refund *r, int64_t *refunded_fen)
{
    cJSON *o = payload ? cJSON_Parse(payload) : NULL;
    int bad = !cJSON_IsObject(o);
    int64_t amount = bad ? 0 : json_int(o, "amount_fen", 1, JSON_MAX_FEN, &bad);
    int whole = bad ? 0 : (int)json_int(o, "whole", 0, 1, &bad);
    const cJSON *lines = bad ? NULL : cJSON_GetObjectItemCaseSensitive(o, "lines"), *it;
    bad |= !cJSON_IsArray(lines);
    int marked[AT_LINES_MAX] = {0};
    cJSON_ArrayForEach(it, lines) {
        int index = (int)json_int(it, "line", 0, AT_LINES_MAX - 1, &bad);
        if (!bad)
            marked[index] = 1;
    }
    if (!bad) { /* the whole record read: only then does it count */
        *refunded_fen += amount;
        for (int i = 0; i < r->nlines; i++)
            r->lines[i].refunded |= whole || marked[i];
    }
    cJSON_Delete(o);
    return bad ? -1 : 0;
}

void at_refund_lines_json(cJSON *o, const struct at_refund *r)
{
    cJSON *lines = cJSON_AddArrayToObject(o, "lines");
    for (int i = 0; i < r->nlines; i++) {
        if (!r->lines[i].chosen)
            continue;
        cJSON *l = cJSON_CreateObject();
        cJSON_AddNumberToObject(l, "line", i);
        cJSON_AddStringToObject(l, "barcode", r->lines[i].barcode);
        json_add_int(l, "qty", r->lines[i].qty);
        json_add_int(l, "amount_fen", r->lines[i].amount_fen);
        cJSON_AddItemToArray(lines, l);
    }
}

char *at_api_refund_body(const char *record, int64_t *amount_fen)
{
    cJSON *r = record ? cJSON_Parse(record) : NULL, *o = NULL;
    int bad = !cJSON_IsObject(r);
    char no[64] = "", of[AT_TXN_MAX + 1] = "", order[40] = "", who[AT_STAFF_MAX + 1] = "",
         approver[AT_STAFF_MAX + 1] = "";
    json_copy(r, "refund_no", no, sizeof no, 0, &bad);
    json_copy(r, "refund_of", of, sizeof of, 0, &bad);
    json_copy(r, "order_id", order, sizeof order, 0, &bad);
    json_copy(r, "attendant", who, sizeof who, 0, &bad);
    json_copy(r, "approver", approver, sizeof approver, 0, &bad);
    *amount_fen = json_int(r, "amount_fen", 1, JSON_MAX_FEN, &bad);
    int whole = (int)json_int(r, "whole", 0, 1, &bad);
    int reason = (int)json_int(r, "reason", 0, AT_REASONS - 1, &bad);
    cJSON *lines = bad ? NULL : cJSON_GetObjectItemCaseSensitive(r, "lines");
    if (!bad && cJSON_IsArray(lines) && (o = cJSON_CreateObject())) {
        cJSON_AddStringToObject(o, "refund_no", no);
        cJSON_AddStringToObject(o, "txn_no", of);
        cJSON_AddStringToObject(o, "order_id", order);
        json_add_int(o, "amount_fen", *amount_fen);
        cJSON_AddBoolToObject(o, "whole", whole);
        cJSON_AddItemReferenceToObject(o, "lines", lines);
        cJSON_AddStringToObject(o, "reason", at_reasons[reason]);
        cJSON_AddStringToObject(o, "attendant", who);
        cJSON_AddStringToObject(o, "approver", approver);
    }
    char *body = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    cJSON_Delete(r);
    return body;
}

int at_api_refund_answer(int status, const cJSON *json, const char *code, char *channel,
                         size_t cap, enum at_note *note)
{
    *note = AT_NOTE_NONE;
    if (status >= 200 && status <= 299) {
        int bad = !cJSON_IsObject(json);
        const char *st = bad ? NULL : json_str(json, "status");
        json_copy(json, "channel", channel, cap, 1, &bad);
        /* a 2xx is a refund made: one that does not read is asked for again (same key) */
        return !bad && st && !strcmp(st, "REFUNDED") ? 1 : -1;
    }
    if (status == 0 || status >= 500 || status == 429)
        return -1;
    *note = code && (!strcmp(code, "OVER_REFUND") || !strcmp(code, "SALE_NOT_FOUND") ||
                     !strcmp(code, "DUPLICATE"))
                ? AT_NOTE_NOT_REFUNDABLE
                : AT_NOTE_REFUSED;
    return 0;
}
