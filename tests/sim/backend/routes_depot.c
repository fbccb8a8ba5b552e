/* Depot pickups (docs/backend-api.md, "Depot pickups (提油)"): a pickup order by its code at a
 * depot, whether an ID card's holder is one of the order's drivers (an HMAC of the ID number
 * keyed by the order's salt: no ID number travels), the face check, and the loading ticket,
 * issued once per order. The tables, seeds and shared helpers are depot_store.c's.
 *
 * Nothing here logs, and neither image is kept: they are decoded, checked and wiped. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"
#include "depot.h"
#include "json.h"
#include "sim.h"

#define CODE_MIN 4 /* a pickup code: 4..40 of [A-Za-z0-9-] */
#define CODE_MAX 40
#define DEPOT_MAX 16 /* a depot: 1..16 of [A-Za-z0-9_-] */
#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* The three calls about an order, POST /v1/depot/orders/{order_id}/{op}. */
enum depot_op { OP_DRIVER, OP_FACE, OP_TICKET };

/* 1 if s is min..max bytes, each one of `set`. */
static int chars_ok(const char *s, size_t min, size_t max, const char *set)
{
    size_t n = strlen(s);
    return n >= min && n <= max && strspn(s, set) == n;
}

/* An error whose object carries one more field (valid_to, depot_name): {"error": {"code",
 * "message", "retryable", field}}. */
static void error_with(struct sim_resp *r, int status, const char *code, const char *message,
                       const char *field, const char *value)
{
    sim_error(r, status, code, message);
    cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(r->body, "error"), field, value);
}

/* Adds one to the counter `column` of the order (one of the names below, never the caller's
 * text). */
static void bump(sqlite3 *db, const char *order_id, const char *column)
{
    static const char *const counters[] = {"ticket_calls", "driver_checks"};
    char sql[120];
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
        if (strcmp(column, counters[i]))
            continue;
        snprintf(sql, sizeof sql, "UPDATE depot_orders SET %s = %s + 1 WHERE order_id = ?",
                 counters[i], counters[i]);
        sqlite3_stmt *st = sim_q(db, sql);
        sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
}

/* 0 when the order may still be picked up at `now_ms`; else -1 with 409 PICKUP_USED or 410
 * PICKUP_EXPIRED (with valid_to) in r. */
static int usable(const struct depot_order *o, int64_t now_ms, struct sim_resp *r)
{
    if (!strcmp(o->status, "USED")) {
        sim_error(r, 409, "PICKUP_USED", "this order was loaded already, or cancelled");
        return -1;
    }
    if (now_ms > o->valid_to_ms) {
        char to[DEPOT_ISO_LEN];
        depot_iso(o->valid_to_ms, to);
        error_with(r, 410, "PICKUP_EXPIRED", "this order's validity has passed", "valid_to", to);
        return -1;
    }
    return 0;
}

/* GET /v1/depots/{depot}/pickups/{code}: refused in this order: unknown code, another depot's
 * order, used, expired; else the order, with its ticket when ISSUED. */
static void lookup(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    char depot[DEPOT_MAX + 1] = "", code[CODE_MAX + 1] = "";
    /* a segment too long for its buffer stays "": refused like any other bad one */
    sim_path_segment(rq->path, 2, depot, sizeof depot);
    sim_path_segment(rq->path, 4, code, sizeof code);
    if (!chars_ok(depot, 1, DEPOT_MAX, ALNUM "_-")) {
        sim_error(r, 400, "INVALID_ARGUMENT", "the depot must be 1..16 of [A-Za-z0-9_-]");
        return;
    }
    if (!chars_ok(code, CODE_MIN, CODE_MAX, ALNUM "-")) {
        sim_error(r, 400, "INVALID_ARGUMENT", "the pickup code must be 4..40 of [A-Za-z0-9-]");
        return;
    }
    struct depot_order o;
    if (!depot_order_find(db, "code", code, &o)) {
        sim_error(r, 404, "PICKUP_NOT_FOUND", "no order has this pickup code");
        return;
    }
    if (strcmp(o.depot, depot)) {
        error_with(r, 403, "PICKUP_OTHER_DEPOT", "this order is for another depot", "depot_name",
                   o.depot_name);
        return;
    }
    if (usable(&o, rq->now_ms, r) != 0)
        return;
    char from[DEPOT_ISO_LEN], to[DEPOT_ISO_LEN];
    depot_iso(o.valid_from_ms, from);
    depot_iso(o.valid_to_ms, to);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "order_id", o.order_id);
    cJSON_AddStringToObject(j, "code", o.code);
    cJSON_AddStringToObject(j, "product", o.product);
    cJSON_AddStringToObject(j, "unit", o.unit);
    cJSON_AddNumberToObject(j, "quantity_milli", (double)o.quantity_milli);
    cJSON_AddStringToObject(j, "plate", o.plate);
    cJSON_AddStringToObject(j, "valid_from", from);
    cJSON_AddStringToObject(j, "valid_to", to);
    cJSON_AddStringToObject(j, "depot", o.depot);
    cJSON_AddStringToObject(j, "depot_name", o.depot_name);
    cJSON_AddStringToObject(j, "bay", o.bay);
    cJSON_AddStringToObject(j, "status", o.status);
    cJSON_AddStringToObject(j, "id_salt", o.id_salt);
    if (!strcmp(o.status, "ISSUED")) {
        char at[DEPOT_ISO_LEN];
        depot_iso(o.issued_ms, at);
        cJSON *t = cJSON_AddObjectToObject(j, "ticket");
        cJSON_AddStringToObject(t, "ticket_no", o.ticket_no);
        cJSON_AddStringToObject(t, "issued_at", at);
        cJSON_AddStringToObject(t, "terminal", o.terminal);
    }
    sim_ok(r, j);
}

/* POST /v1/depot/orders/{id}/driver {"id_proof","id_kind"}: each authorised driver's number
 * HMACed with the order's salt, compared in constant time with id_proof. A match gives the
 * driver's ref and masked name; anything else one 403 that says nothing more. */
static void driver(sqlite3 *db, const struct sim_req *rq, const struct depot_order *o,
                   struct sim_resp *r)
{
    int bad = 0;
    const char *proof = sim_str_field(rq->body, "id_proof", 1, r, &bad);
    const char *kind = sim_str_field(rq->body, "id_kind", 1, r, &bad);
    if (bad)
        return;
    unsigned char want[crypto_auth_hmacsha256_BYTES], key[crypto_auth_hmacsha256_KEYBYTES];
    size_t n = 0;
    if (strlen(proof) != 2 * sizeof want ||
        sodium_hex2bin(want, sizeof want, proof, strlen(proof), NULL, &n, NULL) != 0 ||
        n != sizeof want) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'id_proof' must be 64 hex digits");
        return;
    }
    if (strcmp(kind, "resident") && strcmp(kind, "hmt")) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'id_kind' must be resident or hmt");
        return;
    }
    if (usable(o, rq->now_ms, r) != 0)
        return;
    if (sodium_hex2bin(key, sizeof key, o->id_salt, strlen(o->id_salt), NULL, &n, NULL) != 0 ||
        n != sizeof key) {
        sim_error(r, 500, "INTERNAL", "the order's salt is not 64 hex digits");
        return;
    }
    bump(db, o->order_id, "driver_checks");
    int found = -1;
    char masked[96] = "";
    sqlite3_stmt *st =
        sim_q(db, "SELECT idx, id_no, name FROM depot_drivers WHERE order_id = ? ORDER BY idx");
    sqlite3_bind_text(st, 1, o->order_id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        const char *id_no = sim_col(st, 1);
        crypto_auth_hmacsha256(mac, (const unsigned char *)id_no, strlen(id_no), key);
        if (sodium_memcmp(mac, want, sizeof mac) == 0 && found < 0) {
            found = sqlite3_column_int(st, 0);
            mask_name(sim_col(st, 2), masked, sizeof masked);
        }
        sodium_memzero(mac, sizeof mac);
    }
    sqlite3_finalize(st);
    sodium_memzero(key, sizeof key);
    if (found < 0) {
        sim_error(r, 403, "DRIVER_NOT_AUTHORISED", "the card's holder may not pick this order up");
        return;
    }
    char ref[19];
    depot_driver_ref(o->order_id, found, ref);
    st = sim_q(db, "INSERT OR REPLACE INTO depot_driver_refs VALUES (?,?,?,?)");
    sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->order_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, found);
    sqlite3_bind_int64(st, 4, rq->now_ms);
    sqlite3_step(st);
    sqlite3_finalize(st);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "driver_ref", ref);
    cJSON_AddStringToObject(j, "name_masked", masked);
    sim_ok(r, j);
}

/* Wipes and frees what unbase64() gave. NULL-safe. */
static void wipe_free(unsigned char *p, size_t cap)
{
    if (p)
        sodium_memzero(p, cap);
    free(p);
}

/* Decodes padded base64 (RFC 4648) of at most `max` bytes into a new buffer of *cap bytes:
 * *n decoded. NULL when it is not such base64 (or no memory). The caller wipe_free()s it. */
static unsigned char *unbase64(const char *b64, size_t max, size_t *n, size_t *cap)
{
    size_t len = strlen(b64);
    if (len == 0 || len > (max + 2) / 3 * 4)
        return NULL;
    *cap = len / 4 * 3 + 3;
    unsigned char *bin = malloc(*cap);
    if (bin &&
        sodium_base642bin(bin, *cap, b64, len, NULL, n, NULL, sodium_base64_VARIANT_ORIGINAL) == 0)
        return bin;
    wipe_free(bin, *cap);
    return NULL;
}

/* 1 if b64 is the base64 of a JPEG (FF D8 FF ... FF D9) of DEPOT_JPEG_MIN..MAX bytes. */
static int jpeg_ok(const char *b64)
{
    size_t n = 0, cap = 0;
    unsigned char *j = unbase64(b64, DEPOT_JPEG_MAX, &n, &cap);
    int ok = j && n >= DEPOT_JPEG_MIN && n <= DEPOT_JPEG_MAX && j[0] == 0xFF && j[1] == 0xD8 &&
             j[2] == 0xFF && j[n - 2] == 0xFF && j[n - 1] == 0xD9;
    wipe_free(j, cap);
    return ok;
}

/* 1 if b64 is the base64 of exactly DEPOT_WLT_LEN bytes (the reader's photo, undecoded). */
static int wlt_ok(const char *b64)
{
    size_t n = 0, cap = 0;
    unsigned char *w = unbase64(b64, DEPOT_WLT_LEN, &n, &cap);
    int ok = w && n == DEPOT_WLT_LEN;
    wipe_free(w, cap);
    return ok;
}

/* The index of the driver `ref` stands for on this order (given by a driver check that
 * matched), or -1. */
static int driver_of(sqlite3 *db, const char *order_id, const char *ref)
{
    sqlite3_stmt *st =
        sim_q(db, "SELECT idx FROM depot_driver_refs WHERE driver_ref = ? AND order_id = ?");
    sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, order_id, -1, SQLITE_STATIC);
    int idx = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return idx;
}

/* 1 (and one fewer to come) when the face service is to answer busy now: the admin knob. */
static int face_busy(sqlite3 *db)
{
    sqlite3_stmt *st = sim_q(db, "UPDATE depot_settings SET face_busy = face_busy - 1"
                                 " WHERE id = 1 AND face_busy > 0");
    int busy = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) > 0;
    sqlite3_finalize(st);
    return busy;
}

/* POST /v1/depot/orders/{id}/face {"driver_ref","frame_jpeg","id_photo_wlt"}: the face
 * service's verdict on the driver the ref stands for (刘洋 never matches). A driver_ref no
 * driver check of this order gave is 409 NOT_VERIFIED; the images are checked for form only,
 * then wiped. A busy answer keeps the request's key free: the same request later is
 * processed afresh, not replayed. */
static void face(sqlite3 *db, const struct sim_req *rq, const struct depot_order *o,
                 struct sim_resp *r)
{
    int bad = 0;
    const char *ref = sim_str_field(rq->body, "driver_ref", 1, r, &bad);
    if (bad)
        return;
    const cJSON *frame = cJSON_GetObjectItemCaseSensitive(rq->body, "frame_jpeg");
    const cJSON *wlt = cJSON_GetObjectItemCaseSensitive(rq->body, "id_photo_wlt");
    if (!cJSON_IsString(frame)) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'frame_jpeg' is required (base64)");
        return;
    }
    if (wlt && !cJSON_IsNull(wlt) && !cJSON_IsString(wlt)) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'id_photo_wlt' must be base64 or null");
        return;
    }
    if (usable(o, rq->now_ms, r) != 0)
        return;
    int idx = driver_of(db, o->order_id, ref);
    if (idx < 0) {
        sim_error(r, 409, "NOT_VERIFIED", "driver_ref is not a driver checked for this order");
        return;
    }
    if (!jpeg_ok(frame->valuestring)) {
        sim_error(r, 400, "BAD_IMAGE", "frame_jpeg is not a JPEG of 1 KiB to 512 KiB");
        return;
    }
    if (cJSON_IsString(wlt) && !wlt_ok(wlt->valuestring)) {
        sim_error(r, 400, "BAD_IMAGE", "id_photo_wlt is not 1024 bytes");
        return;
    }
    if (face_busy(db)) {
        sim_error(r, 503, "FACE_BUSY", "the face service is busy; send the same request later");
        r->key_stays_free = 1;
        return;
    }
    sqlite3_stmt *st =
        sim_q(db, "SELECT face_score FROM depot_drivers WHERE order_id = ? AND idx = ?");
    sqlite3_bind_text(st, 1, o->order_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, idx);
    int score = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    int match = score >= DEPOT_FACE_PASS;
    st = sim_q(db, "SELECT COALESCE(MAX(seq), 0) + 1 FROM depot_face_checks");
    int64_t seq = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 1;
    sqlite3_finalize(st);
    char check_id[32];
    snprintf(check_id, sizeof check_id, "FC%08lld", (long long)seq);
    st = sim_q(db, "INSERT INTO depot_face_checks VALUES (?,?,?,?,?,?,?)");
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_text(st, 2, check_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, o->order_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ref, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, match ? "MATCH" : "NO_MATCH", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, score);
    sqlite3_bind_int64(st, 7, rq->now_ms);
    sqlite3_step(st);
    sqlite3_finalize(st);
    st = sim_q(db, "UPDATE depot_orders SET face_checks = face_checks + 1,"
                   " face_matches = face_matches + ? WHERE order_id = ?");
    sqlite3_bind_int(st, 1, match);
    sqlite3_bind_text(st, 2, o->order_id, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "verdict", match ? "MATCH" : "NO_MATCH");
    cJSON_AddNumberToObject(j, "score", score);
    cJSON_AddStringToObject(j, "check_id", check_id);
    sim_ok(r, j);
}

/* POST /v1/depot/orders/{id}/ticket {"driver_ref","check_id","terminal"}: refused when used
 * or expired, then unless check_id is a MATCH of this order for driver_ref; an OPEN order's
 * ticket is issued now (first: true), an ISSUED one's first issue is answered again (first:
 * false). `terminal` must be the caller's own X-Terminal-Id. A refusal keeps the key free
 * (sim_route_depot()). */
static void ticket(sqlite3 *db, const struct sim_req *rq, struct depot_order *o, struct sim_resp *r)
{
    int bad = 0;
    const char *ref = sim_str_field(rq->body, "driver_ref", 1, r, &bad);
    const char *check = sim_str_field(rq->body, "check_id", 1, r, &bad);
    const char *terminal = sim_str_field(rq->body, "terminal", 1, r, &bad);
    if (bad)
        return;
    if (strcmp(terminal, rq->terminal)) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'terminal' must be this terminal's id");
        return;
    }
    if (usable(o, rq->now_ms, r) != 0)
        return;
    sqlite3_stmt *st = sim_q(db, "SELECT 1 FROM depot_face_checks WHERE check_id = ? AND"
                                 " order_id = ? AND driver_ref = ? AND verdict = 'MATCH'");
    sqlite3_bind_text(st, 1, check, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->order_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
    int verified = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!verified) {
        sim_error(r, 409, "NOT_VERIFIED", "check_id is not a face match of this order's driver");
        return;
    }
    int first = !strcmp(o->status, "OPEN");
    if (first) {
        depot_ticket_no(o->order_id, o->ticket_no, sizeof o->ticket_no);
        o->issued_ms = rq->now_ms;
        snprintf(o->terminal, sizeof o->terminal, "%s", terminal);
        st = sim_q(db, "UPDATE depot_orders SET status = 'ISSUED', ticket_no = ?, issued_ms = ?,"
                       " terminal = ?, tickets_issued = tickets_issued + 1"
                       " WHERE order_id = ? AND status = 'OPEN'");
        sqlite3_bind_text(st, 1, o->ticket_no, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, o->issued_ms);
        sqlite3_bind_text(st, 3, o->terminal, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, o->order_id, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    char at[DEPOT_ISO_LEN];
    depot_iso(o->issued_ms, at);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "ticket_no", o->ticket_no);
    cJSON_AddStringToObject(j, "order_id", o->order_id);
    cJSON_AddStringToObject(j, "bay", o->bay);
    cJSON_AddStringToObject(j, "issued_at", at);
    cJSON_AddStringToObject(j, "terminal", o->terminal);
    cJSON_AddBoolToObject(j, "first", first);
    sim_ok(r, j);
}

/* The operation of POST /v1/depot/orders/{order_id}/{op} into *op and its order id into id
 * ("" when too long for any order): 1, or 0 when the request is no such call. */
static int order_call(const struct sim_req *rq, enum depot_op *op, char *id, size_t cap)
{
    const char *p = rq->path;
    if (strcmp(rq->method, "POST") || strncmp(p, "/v1/depot/orders/", 17) || sim_path_depth(p) != 5)
        return 0;
    if (sim_path_is(p, 4, "driver"))
        *op = OP_DRIVER;
    else if (sim_path_is(p, 4, "face"))
        *op = OP_FACE;
    else if (sim_path_is(p, 4, "ticket"))
        *op = OP_TICKET;
    else
        return 0;
    id[0] = '\0';
    sim_path_segment(p, 3, id, cap);
    return 1;
}

void sim_depot_store_answered(sqlite3 *db, const char *method, const char *path)
{
    struct sim_req rq = {.method = method, .path = path};
    enum depot_op op;
    char id[40];
    if (order_call(&rq, &op, id, sizeof id) && op == OP_TICKET)
        bump(db, id, "ticket_calls");
}

int sim_route_depot(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *p = rq->path;
    if (!strcmp(rq->method, "GET") && !strncmp(p, "/v1/depots/", 11) && sim_path_depth(p) == 5 &&
        sim_path_is(p, 3, "pickups")) {
        lookup(db, rq, r);
        return 1;
    }
    enum depot_op op;
    char id[40];
    if (!order_call(rq, &op, id, sizeof id))
        return 0;
    /* every ticket request counts, whatever its answer (replays: sim_depot_store_answered) */
    if (op == OP_TICKET)
        bump(db, id, "ticket_calls");
    struct depot_order o;
    if (!depot_order_find(db, "order_id", id, &o))
        sim_error(r, 404, "PICKUP_NOT_FOUND", "no such pickup order");
    else if (op == OP_DRIVER)
        driver(db, rq, &o, r);
    else if (op == OP_FACE)
        face(db, rq, &o, r);
    else
        ticket(db, rq, &o, r);
    /* A ticket's key is the order id, whatever the request: a refusal leaves it free (as a
     * refused invoice request does), so that the kiosk's next request for the order, with
     * a new check, is processed rather than refused as a reused key. Only a ticket is
     * kept with the key. */
    if (op == OP_TICKET && r->status != 200)
        r->key_stays_free = 1;
    return 1;
}
