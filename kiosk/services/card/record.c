/* The fuel card's journal records (record.h). */
#include "record.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static void grouped(const char *no, char *out, size_t cap)
{
    snprintf(out, cap, "%.4s %.4s %.4s %.4s", no, no + 4, no + 8, no + 12);
}

static cJSON *common(const struct cd_load_record *r)
{
    char card[24];
    grouped(r->card_no, card, sizeof card);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "card_no", card);
    cJSON_AddStringToObject(o, "load_id", r->load_id);
    cJSON_AddNumberToObject(o, "amount_fen", (double)r->amount_fen);
    cJSON_AddNumberToObject(o, "online_serial", r->online_serial);
    cJSON_AddStringToObject(o, "source", r->source);
    cJSON_AddStringToObject(o, "terminal_id", r->term_hex);
    cJSON_AddStringToObject(o, "date", r->date);
    cJSON_AddStringToObject(o, "time", r->time);
    cJSON_AddNumberToObject(o, "balance_before_fen", (double)r->balance_before_fen);
    return o;
}

char *cd_record_intent(const struct cd_load_record *r)
{
    return json_print_free(common(r));
}

char *cd_record_txn(const struct cd_load_record *r)
{
    cJSON *o = common(r);
    cJSON_AddNumberToObject(o, "balance_after_fen", (double)r->balance_after_fen);
    cJSON_AddStringToObject(o, "tac", r->tac);
    return json_print_free(o);
}

int cd_record_read(const char *payload, struct cd_load_record *r)
{
    int bad = 0;
    char card[24];
    memset(r, 0, sizeof *r);
    cJSON *o = cJSON_Parse(payload ? payload : "");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return -1;
    }
    json_copy(o, "card_no", card, sizeof card, 0, &bad);
    json_copy(o, "load_id", r->load_id, sizeof r->load_id, 0, &bad);
    json_copy(o, "source", r->source, sizeof r->source, 0, &bad);
    r->amount_fen = json_int(o, "amount_fen", 1, 0x7FFFFFFF, &bad);
    r->online_serial = (int)json_int(o, "online_serial", 0, 65535, &bad);
    cJSON_Delete(o);
    size_t n = 0;
    for (const char *p = card; *p; p++)
        if (*p >= '0' && *p <= '9' && n < CARD_NO_LEN)
            r->card_no[n++] = *p;
        else if (*p != ' ')
            bad = 1;
    r->card_no[n] = '\0';
    return bad || n != CARD_NO_LEN ? -1 : 0;
}
