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
    json_add_int(o, "amount_fen", r->amount_fen);
    cJSON_AddNumberToObject(o, "online_serial", r->online_serial);
    cJSON_AddStringToObject(o, "source", r->source);
    cJSON_AddStringToObject(o, "terminal_id", r->term_hex);
    cJSON_AddStringToObject(o, "date", r->date);
    cJSON_AddStringToObject(o, "time", r->time);
    json_add_int(o, "balance_before_fen", r->balance_before_fen);
    return o;
}

char *cd_record_intent(const struct cd_load_record *r)
{
    return json_print_free(common(r));
}

char *cd_record_txn(const struct cd_load_record *r)
{
    cJSON *o = common(r);
    json_add_int(o, "balance_after_fen", r->balance_after_fen);
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

/* 1 when s is exactly n characters of set (or empty, when `empty_ok`). */
static int all_of(const char *s, size_t n, const char *set, int empty_ok)
{
    return (empty_ok && !s[0]) || (strlen(s) == n && strspn(s, set) == n);
}

int cd_record_read_txn(const char *payload, struct cd_load_record *r)
{
    static const char digits[] = "0123456789", hex[] = "0123456789ABCDEFabcdef";
    if (cd_record_read(payload, r) != 0)
        return -1;
    int bad = 0;
    cJSON *o = cJSON_Parse(payload);
    json_copy(o, "terminal_id", r->term_hex, sizeof r->term_hex, 0, &bad);
    /* no date and time when the load was proved on a later insertion (no MAC2 answer) */
    json_copy(o, "date", r->date, sizeof r->date, 1, &bad);
    json_copy(o, "time", r->time, sizeof r->time, 1, &bad);
    json_copy(o, "tac", r->tac, sizeof r->tac, 0, &bad);
    /* the chip's balance is 4 bytes of fen */
    r->balance_before_fen = json_int(o, "balance_before_fen", 0, INT64_C(0xFFFFFFFF), &bad);
    r->balance_after_fen = json_int(o, "balance_after_fen", 0, INT64_C(0xFFFFFFFF), &bad);
    cJSON_Delete(o);
    if (bad || !all_of(r->term_hex, 12, hex, 0) || !all_of(r->date, 8, digits, 1) ||
        !all_of(r->time, 6, digits, 1) || !all_of(r->tac, 8, hex, 0) ||
        r->balance_after_fen != r->balance_before_fen + r->amount_fen) {
        memset(r, 0, sizeof *r);
        return -1;
    }
    return 0;
}
