/* What the depot pickup service reads from outside (the backend's answers to each call under
 * any status, the journal's ticket payloads) and the requests it builds. The first byte
 * picks, the rest is the text or the script (when the script runs out, a generator seeded by
 * the input goes on, so that a short input still makes a whole case):
 *   0  dp_api_answer() of the rest as JSON: the call (byte 1), the status (bytes 2-3,
 *      mod 600), the error code's length (byte 4, mod 48; its top bit: no code), the code,
 *      then the body; and the same body read as every call under every kind of status
 *   1  examples of docs/backend-api.md (an order, an issued one, the driver, the face, the
 *      ticket, a refusal): one field through every value of the pools, then mutated by the
 *      script (fields dropped, retyped, replaced, added); each read as every call under
 *      every kind of status
 *   2  dp_record_read() of the rest, and of tickets' payloads mutated by the script; what
 *      reads is written and read back
 *   3  dp_api_http() of requests whose fields the script picks (good, unsafe, noise)
 *
 * The readers follow the API's rules, written here again apart from api.c and record.c: an
 * answer or a payload is read exactly when the rules take it, with its values as they are.
 * Whatever a reader accepts keeps its promises: strings terminated inside their fields; an
 * error never reads as an answer, a 2xx that does not read is "UNUSABLE" with no half an
 * order; an order has an id fit for a path, a unit of L or t, a quantity of 1..10^12
 * thousandths, ISO times, a salt of 64 hex and, when ISSUED, its ticket; a driver ref fit
 * for a path; a verdict and a score of 0..100; a ticket with its number, time and terminal;
 * a record read back is the record written. A request is a plain path, GET without body or
 * key, POST with both; the driver call proves the ID number (its HMAC under the order's
 * salt) and never carries it; the face call carries the frame and the photo or null; a
 * request whose fields can go builds. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "api.h"
#include "core/json.h"
#include "core/log.h"
#include "record.h"

#define SALT "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define EXTRA 4096
#define CASES 4 /* mutated cases an input makes */

/* ---- the script ------------------------------------------------------------------------- */

#define COUNT(v) (sizeof(v) / sizeof((v)[0]))
#define PICK(sc, v) ((v)[fuzz_next(sc) % COUNT(v)])

/* ---- checks ----------------------------------------------------------------------------- */

static void check_text(const char *s, size_t cap)
{
    if (strnlen(s, cap) == cap)
        abort(); /* not terminated inside its field */
}
#define TEXT(f) check_text((f), sizeof(f))

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static int hex64(const char *s)
{
    return strlen(s) == 64 && strspn(s, "0123456789abcdefABCDEF") == 64;
}

/* YYYY-MM-DDThh:mm:ss and an offset: 20..25 characters. */
static int iso(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t n = strlen(s);
    if (n < 20 || n > 25)
        return 0;
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
            return 0;
    return 1;
}

static void check_order_text(const struct dp_order *o)
{
    TEXT(o->order_id);
    TEXT(o->code);
    TEXT(o->product);
    TEXT(o->unit);
    TEXT(o->plate);
    TEXT(o->valid_from);
    TEXT(o->valid_to);
    TEXT(o->depot);
    TEXT(o->depot_name);
    TEXT(o->bay);
    TEXT(o->status);
    TEXT(o->ticket_no);
    TEXT(o->issued_at);
    TEXT(o->issued_by);
    TEXT(o->id_salt);
}

static void check_order(const struct dp_order *o)
{
    if (!o->order_id[0] || !json_path_safe(o->order_id) || !o->code[0] || !o->product[0] ||
        !o->plate[0] || !o->depot[0] || (strcmp(o->unit, "L") && strcmp(o->unit, "t")) ||
        o->quantity_milli < 1 || o->quantity_milli > INT64_C(1000000000000) ||
        !iso(o->valid_from) || !iso(o->valid_to) || !hex64(o->id_salt))
        abort();
    if (!strcmp(o->status, "ISSUED")) {
        if (!o->ticket_no[0] || !iso(o->issued_at) || !o->issued_by[0])
            abort();
    } else if (!strcmp(o->status, "OPEN")) {
        if (o->ticket_no[0] || o->issued_at[0] || o->issued_by[0])
            abort();
    } else {
        abort();
    }
}

static void check_answer(enum dp_call k, int status, const char *code, const struct dp_answer *a)
{
    TEXT(a->code);
    TEXT(a->driver_ref);
    TEXT(a->name_masked);
    TEXT(a->check_id);
    TEXT(a->ticket_no);
    TEXT(a->bay);
    TEXT(a->issued_at);
    TEXT(a->issued_by);
    check_order_text(&a->order);
    int two = status >= 200 && status <= 299;
    if (a->status != status || a->transport != (status == 0) || (a->ok != 0 && a->ok != 1))
        abort();
    if (a->ok && !two)
        abort(); /* an error is never used as an answer */
    if (!two) {
        /* the refusal's code as given (cut to fit), nothing of the body but another depot's
         * name */
        if (strncmp(a->code, code ? code : "", sizeof a->code - 1))
            abort();
        struct dp_order o;
        memcpy(&o, &a->order, sizeof o);
        memset(o.depot_name, 0, sizeof o.depot_name);
        if (!all_zero(&o, sizeof o) || a->driver_ref[0] || a->check_id[0] || a->ticket_no[0] ||
            a->match || a->first || a->score)
            abort();
        return;
    }
    if (!a->ok) {
        if (strcmp(a->code, "UNUSABLE") || !all_zero(&a->order, sizeof a->order))
            abort(); /* no half an order */
        return;
    }
    switch (k) {
    case DP_CALL_PICKUP:
        check_order(&a->order);
        break;
    case DP_CALL_DRIVER:
        if (!a->driver_ref[0] || !json_path_safe(a->driver_ref) ||
            !all_zero(&a->order, sizeof a->order))
            abort();
        break;
    case DP_CALL_FACE:
        if ((a->match != 0 && a->match != 1) || a->score < 0 || a->score > 100 || !a->check_id[0] ||
            !all_zero(&a->order, sizeof a->order))
            abort();
        break;
    case DP_CALL_TICKET:
        if (!a->ticket_no[0] || !iso(a->issued_at) || !a->issued_by[0] ||
            (a->first != 0 && a->first != 1) || !all_zero(&a->order, sizeof a->order))
            abort();
        break;
    default:
        abort(); /* no other call reads as an answer */
    }
}

/* ---- the API's rules, written again apart from api.c and record.c ---------------------- */

/* String field `name` as the API has it: a string shorter than cap, not empty unless
 * empty_ok; or NULL. */
static const char *str_of(const cJSON *o, const char *name, size_t cap, int empty_ok)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= cap || (!empty_ok && !v->valuestring[0]))
        return NULL;
    return v->valuestring;
}

/* A whole number in [lo, hi], or 0 (and *bad). */
static int64_t int_of(const cJSON *o, const char *name, int64_t lo, int64_t hi, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= (double)lo && v->valuedouble <= (double)hi) ||
        v->valuedouble != (double)(int64_t)v->valuedouble) {
        *bad = 1;
        return 0;
    }
    return (int64_t)v->valuedouble;
}

/* Field `name` into out when it is as the API has it, or *bad. */
static void take(const cJSON *o, const char *name, char *out, size_t cap, int empty_ok, int *bad)
{
    const char *v = str_of(o, name, cap, empty_ok);
    if (!v)
        *bad = 1;
    else
        snprintf(out, cap, "%s", v);
}
#define TAKE(o, name, f, empty_ok, bad) take((o), (name), (f), sizeof(f), (empty_ok), (bad))

/* What the answer to call k of 2xx body j has to be: 1 and *want filled, or 0 (refused). */
static int expected(enum dp_call k, const cJSON *j, struct dp_answer *want)
{
    int bad = 0;
    memset(want, 0, sizeof *want);
    switch (k) {
    case DP_CALL_PICKUP: {
        struct dp_order *o = &want->order;
        if (!cJSON_IsObject(j))
            return 0;
        TAKE(j, "order_id", o->order_id, 0, &bad);
        TAKE(j, "code", o->code, 0, &bad);
        TAKE(j, "product", o->product, 0, &bad);
        TAKE(j, "unit", o->unit, 0, &bad);
        o->quantity_milli = int_of(j, "quantity_milli", 1, INT64_C(1000000000000), &bad);
        TAKE(j, "plate", o->plate, 0, &bad);
        TAKE(j, "valid_from", o->valid_from, 0, &bad);
        TAKE(j, "valid_to", o->valid_to, 0, &bad);
        TAKE(j, "depot", o->depot, 0, &bad);
        TAKE(j, "depot_name", o->depot_name, 1, &bad);
        TAKE(j, "bay", o->bay, 1, &bad);
        TAKE(j, "status", o->status, 0, &bad);
        TAKE(j, "id_salt", o->id_salt, 0, &bad);
        if (bad || (strcmp(o->unit, "L") && strcmp(o->unit, "t")) || !iso(o->valid_from) ||
            !iso(o->valid_to) || !hex64(o->id_salt) || !json_path_safe(o->order_id))
            return 0;
        if (!strcmp(o->status, "ISSUED")) {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "ticket");
            if (!cJSON_IsObject(t))
                return 0;
            TAKE(t, "ticket_no", o->ticket_no, 0, &bad);
            TAKE(t, "issued_at", o->issued_at, 0, &bad);
            TAKE(t, "terminal", o->issued_by, 0, &bad);
            return !bad && iso(o->issued_at);
        }
        return !strcmp(o->status, "OPEN");
    }
    case DP_CALL_DRIVER:
        TAKE(j, "driver_ref", want->driver_ref, 0, &bad);
        TAKE(j, "name_masked", want->name_masked, 1, &bad);
        return !bad && json_path_safe(want->driver_ref);
    case DP_CALL_FACE: {
        char verdict[16] = "";
        TAKE(j, "verdict", verdict, 0, &bad);
        want->score = (int)int_of(j, "score", 0, 100, &bad);
        TAKE(j, "check_id", want->check_id, 0, &bad);
        want->match = !strcmp(verdict, "MATCH");
        return !bad && (want->match || !strcmp(verdict, "NO_MATCH"));
    }
    case DP_CALL_TICKET: {
        TAKE(j, "ticket_no", want->ticket_no, 0, &bad);
        TAKE(j, "bay", want->bay, 1, &bad);
        TAKE(j, "issued_at", want->issued_at, 0, &bad);
        TAKE(j, "terminal", want->issued_by, 0, &bad);
        const cJSON *first = cJSON_GetObjectItemCaseSensitive(j, "first");
        want->first = cJSON_IsTrue(first);
        return !bad && cJSON_IsBool(first) && iso(want->issued_at);
    }
    default:
        return 0;
    }
}

static int same_order(const struct dp_order *a, const struct dp_order *b)
{
    return !strcmp(a->order_id, b->order_id) && !strcmp(a->code, b->code) &&
           !strcmp(a->product, b->product) && !strcmp(a->unit, b->unit) &&
           a->quantity_milli == b->quantity_milli && !strcmp(a->plate, b->plate) &&
           !strcmp(a->valid_from, b->valid_from) && !strcmp(a->valid_to, b->valid_to) &&
           !strcmp(a->depot, b->depot) && !strcmp(a->depot_name, b->depot_name) &&
           !strcmp(a->bay, b->bay) && !strcmp(a->status, b->status) &&
           !strcmp(a->ticket_no, b->ticket_no) && !strcmp(a->issued_at, b->issued_at) &&
           !strcmp(a->issued_by, b->issued_by) && !strcmp(a->id_salt, b->id_salt);
}

/* The answer is exactly what the rules make of the body: read when they say so, with the
 * body's values; refused otherwise; a refusal's other depot named when it names one. */
static void check_rules(enum dp_call k, int status, const cJSON *j, const struct dp_answer *a)
{
    static struct dp_answer want;
    if (status < 200 || status > 299) {
        const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
        const char *name = cJSON_IsObject(err) ? str_of(err, "depot_name", 48, 1) : NULL;
        if (strcmp(a->order.depot_name, name ? name : ""))
            abort();
        return;
    }
    int ok = expected(k, j, &want);
    if (a->ok != ok)
        abort(); /* read when, and only when, the rules say */
    if (!ok)
        return;
    if (!same_order(&a->order, &want.order) || strcmp(a->driver_ref, want.driver_ref) ||
        strcmp(a->name_masked, want.name_masked) || a->match != want.match ||
        a->score != want.score || strcmp(a->check_id, want.check_id) ||
        strcmp(a->ticket_no, want.ticket_no) || strcmp(a->bay, want.bay) ||
        strcmp(a->issued_at, want.issued_at) || strcmp(a->issued_by, want.issued_by) ||
        a->first != want.first)
        abort(); /* the body's values, as they are */
}

/* The body read as every call under `status` and, unless `quick`, every kind of status. */
static void every_call(const cJSON *j, const char *code, int status, int quick)
{
    static const int statuses[] = {0, 200, 404};
    static struct dp_answer a;
    for (int k = DP_CALL_NONE; k <= DP_CALL_LAST; k++) {
        for (size_t s = quick ? COUNT(statuses) : 0; s < COUNT(statuses); s++) {
            memset(&a, 0xA5, sizeof a);
            dp_api_answer((enum dp_call)k, statuses[s], j, code, &a);
            check_answer((enum dp_call)k, statuses[s], code, &a);
            check_rules((enum dp_call)k, statuses[s], j, &a);
        }
        memset(&a, 0xA5, sizeof a);
        dp_api_answer((enum dp_call)k, status, j, code, &a);
        check_answer((enum dp_call)k, status, code, &a);
        check_rules((enum dp_call)k, status, j, &a);
    }
}

/* ---- mutations -------------------------------------------------------------------------- */

static const char *const examples[] = {
    "{\"order_id\":\"PO2611300001\",\"code\":\"PK2611300001\",\"product\":\"0号柴油\","
    "\"unit\":\"L\",\"quantity_milli\":30000000,\"plate\":\"京A·12345\","
    "\"valid_from\":\"2026-11-29T00:00:00+08:00\",\"valid_to\":\"2026-12-02T23:59:59+08:00\","
    "\"depot\":\"D01\",\"depot_name\":\"北郊油库\",\"bay\":\"3\",\"status\":\"OPEN\","
    "\"id_salt\":\"" SALT "\"}",
    "{\"order_id\":\"PO2611300005\",\"code\":\"PK2611300005\",\"product\":\"92号汽油\","
    "\"unit\":\"t\",\"quantity_milli\":25500,\"plate\":\"京A·12345\","
    "\"valid_from\":\"2026-11-29T00:00:00+08:00\",\"valid_to\":\"2026-12-02T23:59:59+08:00\","
    "\"depot\":\"D01\",\"depot_name\":\"北郊油库\",\"bay\":\"3\",\"status\":\"ISSUED\","
    "\"id_salt\":\"" SALT "\",\"ticket\":{\"ticket_no\":\"TK2611300005\","
    "\"issued_at\":\"2026-11-30T10:42:00+08:00\",\"terminal\":\"T0002\"}}",
    "{\"driver_ref\":\"DR-PO2611300001-1\",\"name_masked\":\"王*国\"}",
    "{\"verdict\":\"MATCH\",\"score\":93,\"check_id\":\"FC000001\"}",
    "{\"ticket_no\":\"TK2611300001\",\"order_id\":\"PO2611300001\",\"bay\":\"3\","
    "\"issued_at\":\"2026-11-30T14:15:03+08:00\",\"terminal\":\"T0001\",\"first\":true}",
    "{\"error\":{\"code\":\"PICKUP_OTHER_DEPOT\",\"message\":\"another depot\","
    "\"retryable\":false,\"depot_name\":\"南港油库\"}}",
};

static const char *const keys[] = {
    "order_id",  "code",       "product",    "unit",        "quantity_milli",
    "plate",     "valid_from", "valid_to",   "depot",       "depot_name",
    "bay",       "status",     "id_salt",    "ticket",      "ticket_no",
    "issued_at", "terminal",   "driver_ref", "name_masked", "verdict",
    "score",     "check_id",   "first",      "error",       "driver_name",
    "driver_id", "x"};

static const char *const strings[] = {
    "",
    "L",
    "t",
    "kg",
    "OPEN",
    "ISSUED",
    "MATCH",
    "NO_MATCH",
    "PO/1",
    "..",
    "PO 1",
    "PO2611300001",
    "DR-1",
    "T0001",
    "2026-11-30T14:15:03+08:00",
    "2026-11-30T14:15:03Z",
    "2026-11-30",
    "2026-11-30T14:15:03+08:00:00",
    "2026-11-30T14:15:03",
    "2026-11-30T14:15:03.5Z",
    "2026-11-30 14:15:03+08:00",
    SALT,
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g",
    "00",
    "北郊油库北郊油库北郊油库北郊油库北郊油库",
    "0123456789012345678901234567890123456789012345678901234567890123456789",
    "\xff\xfe",
    "a\nb",
};

static const double numbers[] = {0,   1,        -1,   93,       100,   101,
                                 1.5, 30000000, 1e12, 1e12 + 1, 1e300, -1e300};

/* A value for a mutation: a string of the pool or of the script, a number, true, false,
 * null, an empty object or list. */
static cJSON *value(struct fuzz_script *sc)
{
    switch (fuzz_next(sc) % 8) {
    case 0:
    case 1:
    case 2:
        return cJSON_CreateString(PICK(sc, strings));
    case 3: {
        char s[80];
        size_t n = fuzz_next(sc) % sizeof s;
        for (size_t i = 0; i < n; i++)
            s[i] = (char)(fuzz_next(sc) | 1); /* no NUL inside */
        s[n] = '\0';
        return cJSON_CreateString(s);
    }
    case 4:
        return cJSON_CreateNumber(PICK(sc, numbers));
    case 5:
        return cJSON_CreateBool(fuzz_next(sc) & 1);
    case 6:
        return cJSON_CreateNull();
    default:
        return fuzz_next(sc) & 1 ? cJSON_CreateObject() : cJSON_CreateArray();
    }
}

/* A value of the old one's kind (a string of the pool for a string, a number of the pool
 * for a number) half the time, any value otherwise. */
static cJSON *value_like(struct fuzz_script *sc, const cJSON *old)
{
    if (fuzz_next(sc) & 1) {
        if (cJSON_IsString(old))
            return cJSON_CreateString(PICK(sc, strings));
        if (cJSON_IsNumber(old))
            return cJSON_CreateNumber(PICK(sc, numbers));
    }
    return value(sc);
}

/* Where a mutation lands: the root, or an object inside it (the ticket, the error). */
static cJSON *target(struct fuzz_script *sc, cJSON *root)
{
    cJSON *objs[8] = {root};
    int n = 1;
    for (cJSON *c = root ? root->child : NULL; c && n < 8; c = c->next)
        if (cJSON_IsObject(c))
            objs[n++] = c;
    return objs[fuzz_next(sc) % n];
}

/* One field of an example (the script picks which, in the root or an object inside it) set
 * to every value of the pools in turn, and dropped: each read as every call. */
static void sweep(struct fuzz_script *sc, const char *code, int status)
{
    cJSON *ex = cJSON_Parse(PICK(sc, examples));
    cJSON *t = target(sc, ex);
    int size = cJSON_GetArraySize(t);
    const cJSON *f = size ? cJSON_GetArrayItem(t, fuzz_next(sc) % size) : NULL;
    char name[32];
    snprintf(name, sizeof name, "%s", f && f->string ? f->string : PICK(sc, keys));
    size_t n = COUNT(strings) + COUNT(numbers) + 6;
    for (size_t i = 0; i < n; i++) {
        cJSON *v = i < COUNT(strings) ? cJSON_CreateString(strings[i])
                   : i < COUNT(strings) + COUNT(numbers)
                       ? cJSON_CreateNumber(numbers[i - COUNT(strings)])
                   : i == n - 6 ? cJSON_CreateTrue()
                   : i == n - 5 ? cJSON_CreateFalse()
                   : i == n - 4 ? cJSON_CreateNull()
                   : i == n - 3 ? cJSON_CreateObject()
                   : i == n - 2 ? cJSON_CreateArray()
                                : NULL;
        if (!v) { /* dropped */
            cJSON_DeleteItemFromObjectCaseSensitive(t, name);
        } else if (cJSON_GetObjectItemCaseSensitive(t, name)) {
            cJSON_ReplaceItemInObjectCaseSensitive(t, name, v);
        } else {
            cJSON_AddItemToObject(t, name, v);
        }
        every_call(ex, code, status, 1);
    }
    cJSON_Delete(ex);
}

static void mutate(struct fuzz_script *sc, cJSON *root)
{
    uint8_t b = fuzz_next(sc);
    int times = b % 8 < 5 ? 1 : 2 + b % 3; /* mostly one change: the rest stays as it was */
    for (int m = 0; m < times; m++) {
        cJSON *t = target(sc, root);
        if (!cJSON_IsObject(t))
            return;
        int size = cJSON_GetArraySize(t);
        uint8_t op = fuzz_next(sc) % 4;
        if (op == 0 && size) { /* a field dropped */
            cJSON_DeleteItemFromArray(t, fuzz_next(sc) % size);
        } else if (op == 1 && size) { /* a field's value replaced */
            cJSON *old = cJSON_GetArrayItem(t, fuzz_next(sc) % size);
            cJSON *v = value_like(sc, old);
            if (old && old->string)
                cJSON_ReplaceItemInObjectCaseSensitive(t, old->string, v);
            else
                cJSON_Delete(v);
        } else if (op == 2) { /* a field of the pool set */
            const char *k = PICK(sc, keys);
            cJSON *v = value(sc);
            if (cJSON_GetObjectItemCaseSensitive(t, k))
                cJSON_ReplaceItemInObjectCaseSensitive(t, k, v);
            else
                cJSON_AddItemToObject(t, k, v);
        } else { /* a field added again (a duplicate key) */
            cJSON_AddItemToObject(t, PICK(sc, keys), value(sc));
        }
    }
}

/* ---- records ---------------------------------------------------------------------------- */

static void check_record(const struct dp_ticket *k)
{
    TEXT(k->order_id);
    TEXT(k->code);
    TEXT(k->ticket_no);
    TEXT(k->product);
    TEXT(k->unit);
    TEXT(k->plate);
    TEXT(k->bay);
    TEXT(k->valid_to);
    TEXT(k->issued_at);
    TEXT(k->issued_by);
    TEXT(k->name_masked);
    TEXT(k->id_masked);
    TEXT(k->driver_ref);
    TEXT(k->check_id);
    if (!k->order_id[0] || !k->unit[0] || !k->driver_ref[0] || !k->check_id[0] ||
        k->quantity_milli < 0 || k->quantity_milli > INT64_C(1000000000000))
        abort();
    if (k->ticket_no[0] ? !k->issued_at[0] || !k->issued_by[0] : k->issued_at[0] || k->issued_by[0])
        abort(); /* a record's ticket whole, an intent's none */
}

static int same(const struct dp_ticket *a, const struct dp_ticket *b)
{
    return !strcmp(a->order_id, b->order_id) && !strcmp(a->code, b->code) &&
           !strcmp(a->ticket_no, b->ticket_no) && !strcmp(a->product, b->product) &&
           !strcmp(a->unit, b->unit) && a->quantity_milli == b->quantity_milli &&
           !strcmp(a->plate, b->plate) && !strcmp(a->bay, b->bay) &&
           !strcmp(a->valid_to, b->valid_to) && !strcmp(a->issued_at, b->issued_at) &&
           !strcmp(a->issued_by, b->issued_by) && !strcmp(a->name_masked, b->name_masked) &&
           !strcmp(a->id_masked, b->id_masked) && !strcmp(a->driver_ref, b->driver_ref) &&
           !strcmp(a->check_id, b->check_id);
}

/* What dp_record_read() has to make of a payload: 1 and *want filled, or 0. */
static int expected_record(const cJSON *o, struct dp_ticket *k)
{
    int bad = 0;
    memset(k, 0, sizeof *k);
    if (!cJSON_IsObject(o))
        return 0;
    TAKE(o, "order_id", k->order_id, 0, &bad);
    TAKE(o, "code", k->code, 1, &bad);
    TAKE(o, "product", k->product, 1, &bad);
    TAKE(o, "unit", k->unit, 0, &bad);
    k->quantity_milli = int_of(o, "quantity_milli", 0, INT64_C(1000000000000), &bad);
    TAKE(o, "plate", k->plate, 1, &bad);
    TAKE(o, "bay", k->bay, 1, &bad);
    TAKE(o, "valid_to", k->valid_to, 1, &bad);
    TAKE(o, "driver_name", k->name_masked, 1, &bad);
    TAKE(o, "driver_id", k->id_masked, 1, &bad);
    TAKE(o, "driver_ref", k->driver_ref, 0, &bad);
    TAKE(o, "check_id", k->check_id, 0, &bad);
    if (cJSON_GetObjectItemCaseSensitive(o, "ticket_no")) { /* a record: its ticket whole */
        TAKE(o, "ticket_no", k->ticket_no, 0, &bad);
        TAKE(o, "issued_at", k->issued_at, 0, &bad);
        TAKE(o, "terminal", k->issued_by, 0, &bad);
    }
    return !bad;
}

static void read_record(const char *text)
{
    static struct dp_ticket k, back, want;
    memset(&k, 0xA5, sizeof k);
    int r = dp_record_read(text, &k);
    cJSON *o = cJSON_Parse(text);
    int ok = expected_record(o, &want);
    cJSON_Delete(o);
    if ((r == 0) != ok || (ok && !same(&k, &want)))
        abort(); /* read when, and only when, it is one of ours; its values as they are */
    if (r != 0)
        return;
    check_record(&k);
    char *p = k.ticket_no[0] ? dp_record_txn(&k) : dp_record_intent(&k);
    if (!p)
        abort();
    if (dp_record_read(p, &back) != 0 || !same(&k, &back))
        abort(); /* what reads is written and read back the same */
    free(p);
}

static void mutated_record(struct fuzz_script *sc)
{
    struct dp_ticket k;
    memset(&k, 0, sizeof k);
    snprintf(k.order_id, sizeof k.order_id, "PO2611300001");
    snprintf(k.code, sizeof k.code, "PK2611300001");
    snprintf(k.ticket_no, sizeof k.ticket_no, "TK2611300001");
    snprintf(k.product, sizeof k.product, "0号柴油");
    snprintf(k.unit, sizeof k.unit, "L");
    k.quantity_milli = 30000000;
    snprintf(k.plate, sizeof k.plate, "京A·12345");
    snprintf(k.bay, sizeof k.bay, "3");
    snprintf(k.valid_to, sizeof k.valid_to, "2026-12-02T23:59:59+08:00");
    snprintf(k.issued_at, sizeof k.issued_at, "2026-11-30T14:15:03+08:00");
    snprintf(k.issued_by, sizeof k.issued_by, "T0001");
    snprintf(k.name_masked, sizeof k.name_masked, "王*国");
    snprintf(k.id_masked, sizeof k.id_masked, "110***********4413");
    snprintf(k.driver_ref, sizeof k.driver_ref, "DR-PO2611300001-1");
    snprintf(k.check_id, sizeof k.check_id, "FC000001");
    char *p = fuzz_next(sc) & 1 ? dp_record_txn(&k) : dp_record_intent(&k);
    cJSON *j = p ? cJSON_Parse(p) : NULL;
    free(p);
    if (!j)
        abort();
    mutate(sc, j);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (text)
        read_record(text);
    free(text);
}

/* ---- requests --------------------------------------------------------------------------- */

static void noise(struct fuzz_script *sc, char *out, size_t cap)
{
    size_t n = fuzz_next(sc) % cap;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(fuzz_next(sc) | 1);
    out[n] = '\0';
}

/* One of the pool or noise, into a field. */
static void field(struct fuzz_script *sc, char *out, size_t cap, const char *const *pool, size_t n)
{
    uint8_t b = fuzz_next(sc);
    if (b % 4)
        snprintf(out, cap, "%s", pool[(b >> 2) % n]);
    else
        noise(sc, out, cap);
}
#define FIELD(sc, f, pool) field((sc), (f), sizeof(f), (pool), COUNT(pool))

static void check_http(const struct dp_request *rq, const uint8_t *jpeg, size_t jpeg_len,
                       const uint8_t *photo, size_t photo_len, int r, const struct dp_http *h)
{
    int can = 0;
    switch (rq->call) {
    case DP_CALL_PICKUP:
        can = json_path_safe(rq->code) && json_path_safe(rq->depot);
        break;
    case DP_CALL_DRIVER:
        can = json_path_safe(rq->order_id) && strlen(rq->id_no) == 18 && hex64(rq->id_salt);
        break;
    case DP_CALL_FACE:
        can = json_path_safe(rq->order_id) && jpeg && jpeg_len;
        break;
    case DP_CALL_TICKET:
        can = json_path_safe(rq->order_id);
        break;
    default:
        break;
    }
    if (r != (can ? 0 : -1))
        abort(); /* built exactly when it can be */
    if (r) {
        if (h->body)
            abort();
        return;
    }
    check_text(h->path, sizeof h->path);
    check_text(h->key, sizeof h->key);
    if (strstr(h->path, "..") ||
        strspn(h->path, "/-_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
            strlen(h->path))
        abort(); /* a plain path */
    char want[200], key[120];
    cJSON *j = NULL;
    if (rq->call == DP_CALL_PICKUP) {
        snprintf(want, sizeof want, "/v1/depots/%s/pickups/%s", rq->depot, rq->code);
        if (strcmp(h->method, "GET") || strcmp(h->path, want) || h->body || h->key[0])
            abort();
        return;
    }
    static const char *const tails[] = {"", "", "driver", "face", "ticket"};
    snprintf(want, sizeof want, "/v1/depot/orders/%s/%s", rq->order_id, tails[rq->call]);
    if (strcmp(h->method, "POST") || strcmp(h->path, want) || !h->body ||
        h->body_len != strlen(h->body))
        abort();
    j = cJSON_Parse(h->body);
    if (!cJSON_IsObject(j))
        abort();
    switch (rq->call) {
    case DP_CALL_DRIVER: {
        snprintf(key, sizeof key, "drv-%s-%d", rq->order_id, rq->attempt);
        uint8_t salt[32], mac[crypto_auth_hmacsha256_BYTES];
        char proof[65];
        if (sodium_hex2bin(salt, sizeof salt, rq->id_salt, 64, NULL, NULL, NULL))
            abort();
        crypto_auth_hmacsha256(mac, (const unsigned char *)rq->id_no, 18, salt);
        sodium_bin2hex(proof, sizeof proof, mac, sizeof mac);
        if (strcmp(json_str(j, "id_proof"), proof) ||
            strcmp(json_str(j, "id_kind"), rq->id_kind == 1 ? "hmt" : "resident") ||
            strstr(h->body, rq->id_no) || cJSON_GetArraySize(j) != 2)
            abort(); /* proved, never sent */
        break;
    }
    case DP_CALL_FACE: {
        snprintf(key, sizeof key, "face-%s-%d", rq->order_id, rq->attempt);
        static uint8_t back[4096];
        size_t n = 0;
        const char *frame = json_str(j, "frame_jpeg");
        if (strcmp(json_str(j, "driver_ref"), rq->driver_ref) ||
            sodium_base642bin(back, sizeof back, frame, strlen(frame), NULL, &n, NULL,
                              sodium_base64_VARIANT_ORIGINAL) ||
            n != jpeg_len || memcmp(back, jpeg, n))
            abort();
        const cJSON *wlt = cJSON_GetObjectItemCaseSensitive(j, "id_photo_wlt");
        if (photo && photo_len) {
            if (!cJSON_IsString(wlt) ||
                sodium_base642bin(back, sizeof back, wlt->valuestring, strlen(wlt->valuestring),
                                  NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) ||
                n != photo_len || memcmp(back, photo, n))
                abort();
        } else if (!cJSON_IsNull(wlt)) {
            abort();
        }
        break;
    }
    case DP_CALL_TICKET:
        snprintf(key, sizeof key, "%s", rq->order_id);
        if (strcmp(json_str(j, "driver_ref"), rq->driver_ref) ||
            strcmp(json_str(j, "check_id"), rq->check_id) ||
            strcmp(json_str(j, "terminal"), rq->terminal))
            abort();
        break;
    default:
        abort();
    }
    if (strcmp(h->key, key))
        abort();
    cJSON_Delete(j);
}

static void request(struct fuzz_script *sc)
{
    static const char *const ids[] = {"PO2611300001", "PO-1_a", "PO/1", "", "..", "PO 1", "张三"};
    static const char *const codes[] = {"PK2611300001", "PK-1", "PK/1", "", "PK?1"};
    static const char *const depots[] = {"D01", "", "D/1", "D 1"};
    static const char *const id_nos[] = {"110105198203154413", "81000019800101002X",
                                         "11010519820315441", ""};
    static const char *const salts[] = {
        SALT, "A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5", "00", ""};
    static const char *const refs[] = {"DR-1", "", "DR \"1\""};
    static const char *const terminals[] = {"T0001", ""};
    struct dp_request rq;
    memset(&rq, 0, sizeof rq);
    rq.call = (enum dp_call)(fuzz_next(sc) % (DP_CALL_LAST + 1));
    FIELD(sc, rq.order_id, ids);
    FIELD(sc, rq.code, codes);
    FIELD(sc, rq.depot, depots);
    FIELD(sc, rq.id_no, id_nos);
    FIELD(sc, rq.id_salt, salts);
    FIELD(sc, rq.driver_ref, refs);
    FIELD(sc, rq.check_id, refs);
    FIELD(sc, rq.terminal, terminals);
    rq.id_kind = fuzz_next(sc) % 3;
    rq.attempt = (int8_t)fuzz_next(sc);
    static uint8_t jpeg[600], photo[1024];
    size_t jlen = fuzz_next(sc) % 4 ? 1 + (size_t)fuzz_next(sc) * 2 : 0;
    for (size_t i = 0; i < jlen; i++)
        jpeg[i] = fuzz_next(sc);
    uint8_t how = fuzz_next(sc) % 3;
    size_t plen = how == 0 ? sizeof photo : how == 1 ? 0 : fuzz_next(sc);
    for (size_t i = 0; i < sizeof photo; i++)
        photo[i] = (uint8_t)(i * 31 + plen);
    const uint8_t *jp = fuzz_next(sc) % 8 ? jpeg : NULL;
    const uint8_t *ph = fuzz_next(sc) % 4 ? photo : NULL;
    struct dp_http h;
    int r = dp_api_http(&rq, jp, jlen, ph, plen, &h);
    check_http(&rq, jp, jlen, ph, plen, r, &h);
    dp_api_http_free(&h);
    if (h.body)
        abort();
}

/* ---- the entry -------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    log_set_quiet(1);
    if (sodium_init() < 0)
        abort();
    uint32_t seed = 2166136261u;
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 16777619u;
    uint8_t mode = data[0] % 4;
    struct fuzz_script sc = {data + 1, size - 1, seed ? seed : 1, EXTRA};
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, sc.p, sc.n);
    text[sc.n] = '\0';
    cJSON *j = NULL;
    switch (mode) {
    case 0: { /* the rest as an answer */
        if (size < 5)
            break;
        int k = data[1] % (DP_CALL_LAST + 1);
        int status = ((data[2] << 8) | data[3]) % 600;
        size_t clen = data[4] % 48;
        const char *body = text + 4;
        size_t avail = strlen(body);
        char code[48];
        if (clen > avail)
            clen = avail;
        memcpy(code, body, clen);
        code[clen] = '\0';
        body += clen;
        j = cJSON_Parse(body);
        static struct dp_answer a;
        memset(&a, 0xA5, sizeof a);
        const char *c = data[4] & 0x80 ? NULL : code;
        dp_api_answer((enum dp_call)k, status, j, c, &a);
        check_answer((enum dp_call)k, status, c, &a);
        check_rules((enum dp_call)k, status, j, &a);
        every_call(j, c, status, 0);
        break;
    }
    case 1: /* examples, mutated: one field through every value, then at random */
        sweep(&sc, NULL, 200 + fuzz_next(&sc) % 100);
        for (int i = 0; i < CASES; i++) {
            static const char *const codes[] = {NULL, "", "PICKUP_OTHER_DEPOT", "FACE_BUSY",
                                                "A_CODE_THAT_IS_FAR_TOO_LONG_FOR_THE_ANSWER_FIELD"};
            cJSON *m = cJSON_Parse(PICK(&sc, examples));
            mutate(&sc, m);
            int status = (int)(fuzz_next(&sc) % 6) * 100;
            every_call(m, PICK(&sc, codes), status + fuzz_next(&sc) % 4, 0);
            cJSON_Delete(m);
        }
        break;
    case 2: /* journal payloads */
        read_record(text);
        for (int i = 0; i < CASES; i++)
            mutated_record(&sc);
        break;
    default: /* requests */
        for (int i = 0; i < CASES; i++)
            request(&sc);
        break;
    }
    cJSON_Delete(j);
    free(text);
    return 0;
}
