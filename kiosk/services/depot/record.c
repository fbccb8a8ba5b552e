/* The depot pickup's journal records (record.h). */
#include "record.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static cJSON *ticket_json(const struct dp_ticket *k)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "order_id", k->order_id);
    cJSON_AddStringToObject(o, "code", k->code);
    cJSON_AddStringToObject(o, "product", k->product);
    cJSON_AddStringToObject(o, "unit", k->unit);
    json_add_int(o, "quantity_milli", k->quantity_milli);
    cJSON_AddStringToObject(o, "plate", k->plate);
    cJSON_AddStringToObject(o, "bay", k->bay);
    cJSON_AddStringToObject(o, "valid_to", k->valid_to);
    cJSON_AddStringToObject(o, "driver_name", k->name_masked);
    cJSON_AddStringToObject(o, "driver_id", k->id_masked);
    cJSON_AddStringToObject(o, "driver_ref", k->driver_ref);
    cJSON_AddStringToObject(o, "check_id", k->check_id);
    return o;
}

char *dp_record_intent(const struct dp_ticket *k)
{
    return json_print_free(ticket_json(k));
}

char *dp_record_txn(const struct dp_ticket *k)
{
    cJSON *o = ticket_json(k);
    cJSON_AddStringToObject(o, "ticket_no", k->ticket_no);
    cJSON_AddStringToObject(o, "issued_at", k->issued_at);
    cJSON_AddStringToObject(o, "terminal", k->issued_by);
    return json_print_free(o);
}

int dp_record_read(const char *payload, struct dp_ticket *k)
{
    int bad = 0;
    memset(k, 0, sizeof *k);
    cJSON *o = cJSON_Parse(payload ? payload : "");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return -1;
    }
    json_copy(o, "order_id", k->order_id, sizeof k->order_id, 0, &bad);
    json_copy(o, "code", k->code, sizeof k->code, 1, &bad);
    json_copy(o, "product", k->product, sizeof k->product, 1, &bad);
    json_copy(o, "unit", k->unit, sizeof k->unit, 0, &bad);
    k->quantity_milli = json_int(o, "quantity_milli", 0, INT64_C(1000000000000), &bad);
    json_copy(o, "plate", k->plate, sizeof k->plate, 1, &bad);
    json_copy(o, "bay", k->bay, sizeof k->bay, 1, &bad);
    json_copy(o, "valid_to", k->valid_to, sizeof k->valid_to, 1, &bad);
    json_copy(o, "driver_name", k->name_masked, sizeof k->name_masked, 1, &bad);
    json_copy(o, "driver_id", k->id_masked, sizeof k->id_masked, 1, &bad);
    json_copy(o, "driver_ref", k->driver_ref, sizeof k->driver_ref, 0, &bad);
    json_copy(o, "check_id", k->check_id, sizeof k->check_id, 0, &bad);
    /* a record has the ticket too; an intent has not */
    if (cJSON_GetObjectItemCaseSensitive(o, "ticket_no")) {
        json_copy(o, "ticket_no", k->ticket_no, sizeof k->ticket_no, 0, &bad);
        json_copy(o, "issued_at", k->issued_at, sizeof k->issued_at, 0, &bad);
        json_copy(o, "terminal", k->issued_by, sizeof k->issued_by, 0, &bad);
    }
    cJSON_Delete(o);
    return bad ? -1 : 0;
}

void dp_record_txn_no(const char *order_id, char *out, size_t cap)
{
    snprintf(out, cap, "depot-%s", order_id);
}
