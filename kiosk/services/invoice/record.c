/* The e-invoice service's records: the issue intent's payload and the invoice's journal
 * record (its outbox body), as docs/architecture.md ("E-invoices") describes them. Pure:
 * cJSON only. Nothing a person would not want kept: an individual's name masked, phone and
 * email masked, the invoice number, tax ID and request key grouped in fours (the journal
 * keeps no run of 16 digits). */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/codes.h"
#include "core/json.h"

char *inv_record_intent(const struct inv_flow *f)
{
    cJSON *o = cJSON_CreateObject(), *sales = cJSON_AddArrayToObject(o, "sales");
    char phone[20] = "", email[80] = "", name[INV_NAME_LEN], grouped[32] = "", tax_id[32] = "";
    int64_t amount, tax, total;
    for (int i = 0; i < f->nsales; i++)
        cJSON_AddItemToArray(sales, cJSON_CreateString(f->sales[i].txn_no));
    inv_totals(f, &amount, &tax, &total);
    /* an organisation's name and tax ID are public; a person's name is not kept */
    if (f->buyer.organisation)
        snprintf(name, sizeof name, "%s", f->buyer.name);
    else
        mask_name(f->buyer.name[0] ? f->buyer.name : "个人", name, sizeof name);
    if (f->phone[0])
        mask_phone(f->phone, phone, sizeof phone);
    if (f->email[0])
        mask_email(f->email, email, sizeof email);
    cJSON_AddStringToObject(o, "buyer_type", f->buyer.organisation ? "organization" : "individual");
    cJSON_AddStringToObject(o, "buyer_name", name);
    /* grouped like the number: "9111 0000 7109 2609 4P" has no run the journal refuses */
    if (f->buyer.organisation)
        inv_grouped(f->buyer.tax_id, 4, tax_id, sizeof tax_id);
    cJSON_AddStringToObject(o, "tax_id", tax_id);
    cJSON_AddStringToObject(o, "phone", phone);
    cJSON_AddStringToObject(o, "email", email);
    json_add_int(o, "total_fen", total);
    json_add_int(o, "tax_fen", tax);
    if (f->correcting)
        inv_grouped(f->existing.number, 4, grouped, sizeof grouped);
    cJSON_AddStringToObject(o, "reissue_of", grouped);
    return json_print_free(o);
}

char *inv_record_txn(const char *intent_payload, const char *key, const char *status,
                     const char *number, int64_t *total_fen)
{
    cJSON *p = cJSON_Parse(intent_payload);
    int bad = 0;
    char grouped[32], request[64];
    *total_fen = json_int(p, "total_fen", 0, JSON_MAX_FEN, &bad);
    json_int(p, "tax_fen", 0, JSON_MAX_FEN, &bad);
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(p, "sales")) || bad) {
        cJSON_Delete(p);
        return NULL;
    }
    inv_grouped(number, 4, grouped, sizeof grouped);
    /* the key grouped too: "rei-" and an invoice number, or 40 hex, may hold 16 digits */
    inv_grouped(key, 4, request, sizeof request);
    cJSON_AddStringToObject(p, "request", request);
    cJSON_AddStringToObject(p, "status", status);
    cJSON_AddStringToObject(p, "invoice_no", grouped);
    return json_print_free(p);
}
