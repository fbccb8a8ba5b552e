/* The fuel card's requests and answers (api.h). */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static char *load_body(const struct cd_request *rq)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "load_id", rq->load_id);
    json_add_int(o, "amount_fen", rq->amount_fen);
    cJSON_AddStringToObject(o, "source", rq->source);
    cJSON_AddStringToObject(o, "terminal_id", rq->term_hex);
    json_add_int(o, "card_balance_fen", rq->card_balance_fen);
    cJSON_AddNumberToObject(o, "online_serial", rq->online_serial);
    cJSON_AddNumberToObject(o, "key_version", rq->key_version);
    cJSON_AddNumberToObject(o, "algorithm", rq->algorithm);
    cJSON_AddStringToObject(o, "random", rq->random);
    cJSON_AddStringToObject(o, "mac1", rq->mac1);
    return json_print_free(o);
}

static char *alloc_body(const struct cd_request *rq)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "allocation_id", rq->alloc_id);
    cJSON *lines = cJSON_AddArrayToObject(o, "lines");
    for (int i = 0; i < rq->nlines && i < CD_MAX_SUBS; i++) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "to_card", rq->lines[i].card_no);
        json_add_int(l, "amount_fen", rq->lines[i].amount_fen);
        cJSON_AddItemToArray(lines, l);
    }
    return json_print_free(o);
}

int cd_api_http(const struct cd_request *rq, struct cd_http *h)
{
    memset(h, 0, sizeof *h);
    h->method = "GET";
    if (!json_path_safe(rq->card_no))
        return -1;
    const char *no = rq->card_no;
    switch (rq->call) {
    case CD_CALL_CARD:
        snprintf(h->path, sizeof h->path, "/v1/cards/%s", no);
        return 0;
    case CD_CALL_SUBCARDS:
        snprintf(h->path, sizeof h->path, "/v1/cards/%s/subcards", no);
        return 0;
    case CD_CALL_HISTORY:
        snprintf(h->path, sizeof h->path, "/v1/cards/%s/history", no);
        return 0;
    case CD_CALL_LOAD:
        if (!json_path_safe(rq->load_id))
            return -1;
        h->method = "POST";
        snprintf(h->path, sizeof h->path, "/v1/cards/%s/loads", no);
        /* each MAC1 is its own request: a retried load has a new random */
        snprintf(h->key, sizeof h->key, "%s-%s", rq->load_id, rq->random);
        h->body = load_body(rq);
        return h->body ? 0 : -1;
    case CD_CALL_CONFIRM: {
        if (!json_path_safe(rq->load_id))
            return -1;
        h->method = "POST";
        snprintf(h->path, sizeof h->path, "/v1/cards/%s/loads/%s/confirm", no, rq->load_id);
        snprintf(h->key, sizeof h->key, "%s-confirm", rq->load_id);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "tac", rq->tac);
        h->body = json_print_free(o);
        return h->body ? 0 : -1;
    }
    case CD_CALL_ALLOCATE:
        if (!json_path_safe(rq->alloc_id))
            return -1;
        h->method = "POST";
        snprintf(h->path, sizeof h->path, "/v1/cards/%s/allocations", no);
        snprintf(h->key, sizeof h->key, "%s", rq->alloc_id);
        h->body = alloc_body(rq);
        return h->body ? 0 : -1;
    default:
        return -1;
    }
}

void cd_api_http_free(struct cd_http *h)
{
    free(h->body);
    h->body = NULL;
}

/* 16 digits. */
static int card_no_ok(const char *s)
{
    if (strlen(s) != CARD_NO_LEN)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int one_of(const char *s, const char *const *v)
{
    for (; *v; v++)
        if (!strcmp(s, *v))
            return 1;
    return 0;
}

int cd_api_account(const cJSON *j, struct cd_account *c)
{
    static const char *const kinds[] = {"personal", "main", "sub", NULL};
    static const char *const states[] = {"active", "lost", "blocked", NULL};
    static const char *const modes[] = {"recharge", "sale", NULL};
    int bad = 0;
    memset(c, 0, sizeof *c);
    if (!cJSON_IsObject(j))
        return -1;
    json_copy(j, "card_no_masked", c->no_masked, sizeof c->no_masked, 0, &bad);
    json_copy(j, "holder_masked", c->holder_masked, sizeof c->holder_masked, 1, &bad);
    json_copy(j, "kind", c->kind, sizeof c->kind, 0, &bad);
    json_copy(j, "status", c->status, sizeof c->status, 0, &bad);
    json_copy(j, "invoice_mode", c->invoice_mode, sizeof c->invoice_mode, 0, &bad);
    c->account_fen = json_int(j, "account_fen", 0, JSON_MAX_FEN, &bad);
    c->allocation_fen = json_int(j, "allocation_fen", 0, JSON_MAX_FEN, &bad);
    c->balance_cap_fen = json_int(j, "balance_cap_fen", 0, 0x7FFFFFFF, &bad);
    c->daily_cap_fen = json_int(j, "daily_recharge_cap_fen", 0, JSON_MAX_FEN, &bad);
    c->recharged_today_fen = json_int(j, "recharged_today_fen", 0, JSON_MAX_FEN, &bad);
    if (bad || !one_of(c->kind, kinds) || !one_of(c->status, states) ||
        !one_of(c->invoice_mode, modes))
        return -1;
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(j, "pending_loads");
    if (!cJSON_IsArray(pl) || cJSON_GetArraySize(pl) > CD_MAX_PENDING)
        return -1;
    const cJSON *it;
    cJSON_ArrayForEach(it, pl) {
        struct cd_pending *p = &c->pending[c->npending++];
        if (!cJSON_IsObject(it))
            return -1;
        json_copy(it, "load_id", p->load_id, sizeof p->load_id, 0, &bad);
        json_copy(it, "source", p->source, sizeof p->source, 0, &bad);
        p->amount_fen = json_int(it, "amount_fen", 1, 0x7FFFFFFF, &bad);
        p->online_serial = (int)json_int(it, "online_serial", 0, 65534, &bad);
        if (strcmp(p->source, "account") && strcmp(p->source, "allocation"))
            bad = 1;
    }
    return bad ? -1 : 0;
}

static int read_load(const cJSON *j, struct cd_answer *a)
{
    int bad = 0;
    char state[16];
    json_copy(j, "mac2", a->mac2, sizeof a->mac2, 0, &bad);
    json_copy(j, "date", a->date, sizeof a->date, 0, &bad);
    json_copy(j, "time", a->time, sizeof a->time, 0, &bad);
    json_copy(j, "state", state, sizeof state, 0, &bad);
    uint8_t mac[4];
    if (bad || strlen(a->mac2) != 8 || card_unhex(a->mac2, mac, 4) || strlen(a->date) != 8 ||
        strlen(a->time) != 6 || strcmp(state, "PENDING"))
        return -1;
    for (int i = 0; i < 8; i++)
        if (a->date[i] < '0' || a->date[i] > '9' || (i < 6 && (a->time[i] < '0' || a->time[i] > '9')))
            return -1;
    return 0;
}

static int read_subs(const cJSON *j, struct cd_answer *a)
{
    int bad = 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "subcards");
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > CD_MAX_SUBS)
        return -1;
    const cJSON *it;
    cJSON_ArrayForEach(it, v) {
        struct cd_sub *s = &a->subs[a->nsubs++];
        if (!cJSON_IsObject(it))
            return -1;
        json_copy(it, "card_no", s->card_no, sizeof s->card_no, 0, &bad);
        json_copy(it, "card_no_masked", s->no_masked, sizeof s->no_masked, 0, &bad);
        json_copy(it, "holder_masked", s->holder_masked, sizeof s->holder_masked, 1, &bad);
        json_copy(it, "status", s->status, sizeof s->status, 0, &bad);
        s->allocation_fen = json_int(it, "allocation_fen", 0, JSON_MAX_FEN, &bad);
        if (!card_no_ok(s->card_no))
            bad = 1;
    }
    return bad ? -1 : 0;
}

static int read_history(const cJSON *j, struct cd_answer *a)
{
    static const char *const kinds[] = {"recharge", "load", "allocation_in", "allocation_out",
                                        NULL};
    int bad = 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "entries");
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > CD_MAX_HISTORY)
        return -1;
    const cJSON *it;
    cJSON_ArrayForEach(it, v) {
        struct cd_move *m = &a->moves[a->nmoves++];
        if (!cJSON_IsObject(it))
            return -1;
        m->at_ms = json_int(it, "at_ms", 0, INT64_C(4102444800000), &bad);
        json_copy(it, "kind", m->kind, sizeof m->kind, 0, &bad);
        m->amount_fen = json_int(it, "amount_fen", 0, JSON_MAX_FEN, &bad);
        json_copy(it, "terminal", m->terminal, sizeof m->terminal, 1, &bad);
        if (!one_of(m->kind, kinds))
            bad = 1;
    }
    return bad ? -1 : 0;
}

void cd_api_answer(enum cd_call k, int status, const cJSON *json, const char *code,
                   struct cd_answer *a)
{
    memset(a, 0, sizeof *a);
    a->status = status;
    a->transport = status == 0;
    snprintf(a->code, sizeof a->code, "%s", code ? code : "");
    if (status < 200 || status > 299)
        return;
    int ok = -1, bad = 0;
    switch (k) {
    case CD_CALL_CARD:
        ok = cd_api_account(json, &a->account);
        break;
    case CD_CALL_LOAD:
        ok = read_load(json, a);
        break;
    case CD_CALL_CONFIRM: {
        char state[16];
        json_copy(json, "state", state, sizeof state, 0, &bad);
        ok = !bad && !strcmp(state, "LOADED") ? 0 : -1;
        break;
    }
    case CD_CALL_SUBCARDS:
        ok = read_subs(json, a);
        break;
    case CD_CALL_ALLOCATE:
        a->main_account_fen = json_int(json, "account_fen", 0, JSON_MAX_FEN, &bad);
        ok = bad ? -1 : 0;
        break;
    case CD_CALL_HISTORY:
        ok = read_history(json, a);
        break;
    default:
        break;
    }
    a->ok = ok == 0;
    if (!a->ok)
        snprintf(a->code, sizeof a->code, "UNUSABLE");
}
