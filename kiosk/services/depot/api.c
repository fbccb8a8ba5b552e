/* The depot pickup's requests and answers (api.h). */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/sign.h"

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The salt's 32 bytes from its 64 hex characters: 0, or -1. */
static int salt_of(const char *hex, uint8_t key[SIGN_KEY_LEN])
{
    if (strlen(hex) != 2 * SIGN_KEY_LEN)
        return -1;
    for (int i = 0; i < SIGN_KEY_LEN; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static char *driver_body(const struct dp_request *rq)
{
    uint8_t key[SIGN_KEY_LEN];
    char proof[SIGN_HEX_LEN];
    if (strlen(rq->id_no) != 18 || salt_of(rq->id_salt, key) != 0)
        return NULL;
    sign_hmac_hex(key, rq->id_no, strlen(rq->id_no), proof);
    sign_wipe(key, sizeof key);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id_proof", proof);
    cJSON_AddStringToObject(o, "id_kind", rq->id_kind == 1 ? "hmt" : "resident");
    sign_wipe(proof, sizeof proof);
    return json_print_free(o);
}

static char *face_body(const struct dp_request *rq, const uint8_t *jpeg, size_t jpeg_len,
                       const uint8_t *photo, size_t photo_len)
{
    char *frame = sign_base64(jpeg, jpeg_len);
    char *wlt = photo && photo_len ? sign_base64(photo, photo_len) : NULL;
    char *body = NULL;
    if (frame && (wlt || !photo || !photo_len)) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "driver_ref", rq->driver_ref);
        cJSON_AddStringToObject(o, "frame_jpeg", frame);
        if (wlt)
            cJSON_AddStringToObject(o, "id_photo_wlt", wlt);
        else
            cJSON_AddNullToObject(o, "id_photo_wlt");
        body = json_print_free(o); /* cJSON's copies are freed unwiped: they are base64 of
                                    * what the backend gets anyway, never logged */
    }
    if (frame)
        sign_wipe(frame, strlen(frame));
    if (wlt)
        sign_wipe(wlt, strlen(wlt));
    free(frame);
    free(wlt);
    return body;
}

int dp_api_http(const struct dp_request *rq, const uint8_t *jpeg, size_t jpeg_len,
                const uint8_t *photo, size_t photo_len, struct dp_http *h)
{
    memset(h, 0, sizeof *h);
    h->method = "GET";
    if (rq->call == DP_CALL_PICKUP) {
        if (!json_path_safe(rq->code) || !json_path_safe(rq->depot))
            return -1;
        snprintf(h->path, sizeof h->path, "/v1/depots/%s/pickups/%s", rq->depot, rq->code);
        return 0;
    }
    if (!json_path_safe(rq->order_id) || strlen(rq->order_id) > 40)
        return -1;
    h->method = "POST";
    switch (rq->call) {
    case DP_CALL_DRIVER:
        snprintf(h->path, sizeof h->path, "/v1/depot/orders/%s/driver", rq->order_id);
        snprintf(h->key, sizeof h->key, "drv-%s-%d", rq->order_id, rq->attempt);
        h->body = driver_body(rq);
        break;
    case DP_CALL_FACE:
        if (!jpeg || !jpeg_len)
            return -1;
        snprintf(h->path, sizeof h->path, "/v1/depot/orders/%s/face", rq->order_id);
        snprintf(h->key, sizeof h->key, "face-%s-%d", rq->order_id, rq->attempt);
        h->body = face_body(rq, jpeg, jpeg_len, photo, photo_len);
        break;
    case DP_CALL_TICKET: {
        snprintf(h->path, sizeof h->path, "/v1/depot/orders/%s/ticket", rq->order_id);
        snprintf(h->key, sizeof h->key, "%s", rq->order_id); /* one ticket per order */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "driver_ref", rq->driver_ref);
        cJSON_AddStringToObject(o, "check_id", rq->check_id);
        cJSON_AddStringToObject(o, "terminal", rq->terminal);
        h->body = json_print_free(o);
        break;
    }
    default:
        return -1;
    }
    if (!h->body)
        return -1;
    h->body_len = strlen(h->body);
    return 0;
}

void dp_api_http_free(struct dp_http *h)
{
    if (h->body)
        sign_wipe(h->body, h->body_len);
    free(h->body);
    h->body = NULL;
}

/* YYYY-MM-DDThh:mm:ss+08:00 (or Z, or another offset). */
static int iso_ok(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t n = strlen(s);
    if (n < 20 || n > 25)
        return 0;
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return 0;
    return 1;
}

static int read_order(const cJSON *j, struct dp_order *o)
{
    int bad = 0;
    if (!cJSON_IsObject(j))
        return -1;
    json_copy(j, "order_id", o->order_id, sizeof o->order_id, 0, &bad);
    json_copy(j, "code", o->code, sizeof o->code, 0, &bad);
    json_copy(j, "product", o->product, sizeof o->product, 0, &bad);
    json_copy(j, "unit", o->unit, sizeof o->unit, 0, &bad);
    o->quantity_milli = json_int(j, "quantity_milli", 1, INT64_C(1000000000000), &bad);
    json_copy(j, "plate", o->plate, sizeof o->plate, 0, &bad);
    json_copy(j, "valid_from", o->valid_from, sizeof o->valid_from, 0, &bad);
    json_copy(j, "valid_to", o->valid_to, sizeof o->valid_to, 0, &bad);
    json_copy(j, "depot", o->depot, sizeof o->depot, 0, &bad);
    json_copy(j, "depot_name", o->depot_name, sizeof o->depot_name, 1, &bad);
    json_copy(j, "bay", o->bay, sizeof o->bay, 1, &bad);
    json_copy(j, "status", o->status, sizeof o->status, 0, &bad);
    json_copy(j, "id_salt", o->id_salt, sizeof o->id_salt, 0, &bad);
    uint8_t salt[SIGN_KEY_LEN];
    if (bad || (strcmp(o->unit, "L") && strcmp(o->unit, "t")) || !iso_ok(o->valid_from) ||
        !iso_ok(o->valid_to) || salt_of(o->id_salt, salt) != 0 || !json_path_safe(o->order_id))
        return -1;
    if (!strcmp(o->status, "ISSUED")) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "ticket");
        if (!cJSON_IsObject(t))
            return -1;
        json_copy(t, "ticket_no", o->ticket_no, sizeof o->ticket_no, 0, &bad);
        json_copy(t, "issued_at", o->issued_at, sizeof o->issued_at, 0, &bad);
        json_copy(t, "terminal", o->issued_by, sizeof o->issued_by, 0, &bad);
        if (bad || !iso_ok(o->issued_at))
            return -1;
    } else if (strcmp(o->status, "OPEN")) {
        return -1;
    }
    return 0;
}

static int read_face(const cJSON *j, struct dp_answer *a)
{
    int bad = 0;
    char verdict[16];
    json_copy(j, "verdict", verdict, sizeof verdict, 0, &bad);
    a->score = (int)json_int(j, "score", 0, 100, &bad);
    json_copy(j, "check_id", a->check_id, sizeof a->check_id, 0, &bad);
    if (bad || (strcmp(verdict, "MATCH") && strcmp(verdict, "NO_MATCH")))
        return -1;
    a->match = !strcmp(verdict, "MATCH");
    return 0;
}

static int read_ticket(const cJSON *j, struct dp_answer *a)
{
    int bad = 0;
    json_copy(j, "ticket_no", a->ticket_no, sizeof a->ticket_no, 0, &bad);
    json_copy(j, "bay", a->bay, sizeof a->bay, 1, &bad);
    json_copy(j, "issued_at", a->issued_at, sizeof a->issued_at, 0, &bad);
    json_copy(j, "terminal", a->issued_by, sizeof a->issued_by, 0, &bad);
    const cJSON *first = cJSON_GetObjectItemCaseSensitive(j, "first");
    if (bad || !cJSON_IsBool(first) || !iso_ok(a->issued_at))
        return -1;
    a->first = cJSON_IsTrue(first);
    return 0;
}

void dp_api_answer(enum dp_call k, int status, const cJSON *json, const char *code,
                   struct dp_answer *a)
{
    memset(a, 0, sizeof *a);
    a->status = status;
    a->transport = status == 0;
    snprintf(a->code, sizeof a->code, "%s", code ? code : "");
    if (status < 200 || status > 299) {
        /* a refusal may name the other depot */
        const cJSON *err = cJSON_GetObjectItemCaseSensitive(json, "error");
        int bad = 0;
        if (cJSON_IsObject(err))
            json_copy(err, "depot_name", a->order.depot_name, sizeof a->order.depot_name, 1,
                      &bad);
        if (bad)
            a->order.depot_name[0] = '\0';
        return;
    }
    int ok = -1, bad = 0;
    switch (k) {
    case DP_CALL_PICKUP:
        ok = read_order(json, &a->order);
        break;
    case DP_CALL_DRIVER:
        json_copy(json, "driver_ref", a->driver_ref, sizeof a->driver_ref, 0, &bad);
        json_copy(json, "name_masked", a->name_masked, sizeof a->name_masked, 1, &bad);
        ok = bad || !json_path_safe(a->driver_ref) ? -1 : 0;
        break;
    case DP_CALL_FACE:
        ok = read_face(json, a);
        break;
    case DP_CALL_TICKET:
        ok = read_ticket(json, a);
        break;
    default:
        break;
    }
    a->ok = ok == 0;
    if (!a->ok) {
        snprintf(a->code, sizeof a->code, "UNUSABLE");
        memset(&a->order, 0, sizeof a->order);
    }
}
