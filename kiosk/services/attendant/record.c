#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"

char *at_record_refund(const char *refund_no, const struct at_sale *s,
                       const struct at_refund *r, const char *attendant, int64_t at_ms)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "refund_no", refund_no);
    cJSON_AddStringToObject(o, "refund_of", r->txn_no);
    cJSON_AddStringToObject(o, "order_id", s->order_id);
    json_add_int(o, "amount_fen", r->amount_fen);
    cJSON_AddStringToObject(o, "channel", s->channel);
    cJSON_AddNumberToObject(o, "whole", r->whole);
    at_refund_lines_json(o, r);
    cJSON_AddNumberToObject(o, "reason", r->reason);
    cJSON_AddStringToObject(o, "attendant", attendant);
    cJSON_AddStringToObject(o, "approver", r->approver);
    json_add_int(o, "at_ms", at_ms);
    return json_print_free(o);
}

char *at_record_report(const char *terminal, const char *ref, int day, const char *attendant,
                       const char *approver, int64_t opened_ms, int64_t closed_ms, int shifts,
                       int matches, int carried, const struct totals *t)
{
    char *totals = tot_to_json(t);
    cJSON *o = cJSON_CreateObject(), *tj = totals ? cJSON_Parse(totals) : NULL;
    free(totals);
    if (!o || !tj) {
        cJSON_Delete(o);
        cJSON_Delete(tj);
        return NULL;
    }
    cJSON_AddStringToObject(o, "terminal", terminal);
    cJSON_AddStringToObject(o, "ref", ref);
    cJSON_AddStringToObject(o, "kind", day ? "day" : "shift");
    cJSON_AddStringToObject(o, "attendant", attendant);
    cJSON_AddStringToObject(o, "approver", approver);
    json_add_int(o, "opened_ms", opened_ms);
    json_add_int(o, "closed_ms", closed_ms);
    if (day) {
        cJSON_AddNumberToObject(o, "shifts", shifts);
        cJSON_AddBoolToObject(o, "shifts_add_up", matches);
    }
    cJSON_AddNumberToObject(o, "carried_over", carried);
    cJSON_AddItemToObject(o, "totals", tj);
    return json_print_free(o);
}

char *at_record_audit(const char *terminal, const char *action, const char *who,
                      const char *approver, const char *detail, int64_t at_ms)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "terminal", terminal);
    cJSON_AddStringToObject(o, "action", action);
    cJSON_AddStringToObject(o, "staff_no", who);
    cJSON_AddStringToObject(o, "approver", approver ? approver : "");
    cJSON_AddStringToObject(o, "detail", detail ? detail : "");
    json_add_int(o, "at_ms", at_ms);
    return json_print_free(o);
}
