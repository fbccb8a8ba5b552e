/* What attendant mode reads from outside (attendant/api.h): the backend's answers to a login,
 * the staff list and a refund under any status, and the journal's sale and refund payloads a
 * refund reads; and the refund's request made again from its record. The first byte picks,
 * the rest is the text or the script (when the script runs out, a generator seeded by the
 * input goes on, so that a short input still makes a whole case):
 *   0  the rest as JSON, read as every answer under a status and a code the script picks, and
 *      as a sale and a refund payload and a refund's record; and as the PIN locks the
 *      journal keeps across a restart
 *   1  examples (a login's answer, a staff list, a refund's answer, a sale record as checkout
 *      writes it, a refund record as record.c writes it), mutated by the script (fields
 *      dropped, retyped, replaced, added, in the root or an object or array inside), each
 *      read by its reader
 *   2  a sale read, lines chosen by the script, the refund's record written, its request
 *      made from it, and the record applied back to the sale
 *
 * Whatever a reader accepts keeps its promises: no crash; strings terminated inside their
 * fields and nothing written past an output; a login is right only on a 2xx with a role of
 * the API's two, wrong only on 403 WRONG_PIN; a staff list within its max, each row a staff
 * number of 1..12 digits, a role, a verifier, the rows past the count untouched; a refund
 * made only on a 2xx, refused with its note, unanswered without one; a sale with 1..
 * AT_LINES_MAX lines of amounts >= 0 and nothing chosen or refunded; a refund applied only
 * marks lines the sale has and only adds to what was refunded; a request made from a record
 * has its fields, a reason of the list and its amount. Kept locks read back are staff numbers
 * of 1..12 digits with 1..AT_TRIES wrong PINs, locked no longer than AT_LOCK_MS, and read
 * the same once written again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "api.h"
#include "core/json.h"
#include "core/log.h"
#include "flow.h"
#include "record.h"

#define EXTRA 2048
#define CANARY 0xA5
#define FEN_MAX INT64_C(100000000000)

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

/* The text as the PIN locks kept across a restart (flow.h: at_locks_load). */
static void kept_locks(const char *text)
{
    static struct at_flow f, g;
    const int64_t now = 1000, sys = INT64_C(1796000000000);
    char again[512];
    at_init(&f);
    int n = at_locks_load(&f, text, now, sys);
    if (n < 0 || n > AT_LOCKS)
        abort();
    for (int i = 0; i < AT_LOCKS; i++) {
        const struct at_lock *l = &f.locks[i];
        if (!l->staff_no[0])
            continue;
        size_t len = strnlen(l->staff_no, sizeof l->staff_no);
        if (len == sizeof l->staff_no || strspn(l->staff_no, "0123456789") != len ||
            l->wrong < 1 || l->wrong > AT_TRIES || l->until < 0 || l->until > now + AT_LOCK_MS)
            abort();
    }
    int w = at_locks_format(&f, now, sys, again, sizeof again);
    at_init(&g);
    if (w < 0 || at_locks_load(&g, again, now, sys) != n)
        abort();
}

static void check_canary(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != CANARY)
            abort(); /* written past the output */
}

static int digits(const char *s, size_t lo, size_t hi)
{
    size_t n = strlen(s);
    return n >= lo && n <= hi && strspn(s, "0123456789") == n;
}

static int role_ok(int role)
{
    return role == AT_ROLE_ATTENDANT || role == AT_ROLE_SUPERVISOR;
}

/* ---- the readers, each with its promises ------------------------------------------------ */

static const int statuses[] = {200, 201, 204, 299, 300, 400, 403, 404,
                               409, 429, 500, 503, 0,   -1,  199, 600};
static const char *const codes[] = {
    "WRONG_PIN", "OVER_REFUND", "SALE_NOT_FOUND", "DUPLICATE", "NOT_APPROVED", "UNAVAILABLE",
    "",          NULL};

static void login_answer(const cJSON *j, int status, const char *code)
{
    struct {
        char name[32];
        uint8_t after[16];
    } out;
    memset(&out, CANARY, sizeof out);
    int role = -7;
    int v = at_api_login_answer(status, j, code, &role, out.name, sizeof out.name);
    check_canary(out.after, sizeof out.after);
    if (v < -1 || v > 1)
        abort();
    if (v == 1 && (status < 200 || status > 299 || !role_ok(role) || !cJSON_IsObject(j)))
        abort();
    if (v == 1)
        TEXT(out.name);
    if (v == 0 && (status != 403 || !code || strcmp(code, "WRONG_PIN")))
        abort();
}

static void staff_list(const cJSON *j, int max)
{
    static struct at_staff rows[10];
    memset(rows, CANARY, sizeof rows);
    int n = at_api_staff(j, rows, max);
    if (n < -1 || n > max)
        abort();
    check_canary((const uint8_t *)&rows[max], sizeof rows - (size_t)max * sizeof rows[0]);
    if (n < 0)
        return;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(j, "staff");
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) != n)
        abort();
    for (int i = 0; i < n; i++) {
        const struct at_staff *s = &rows[i];
        TEXT(s->staff_no);
        TEXT(s->card_no);
        TEXT(s->name);
        TEXT(s->verifier);
        if (!digits(s->staff_no, 1, AT_STAFF_MAX) || !role_ok(s->role) || !s->verifier[0])
            abort();
    }
}

static void refund_answer(const cJSON *j, int status, const char *code)
{
    struct {
        char channel[24];
        uint8_t after[16];
    } out;
    memset(&out, CANARY, sizeof out);
    enum at_note note = AT_NOTE_LAST;
    int v = at_api_refund_answer(status, j, code, out.channel, sizeof out.channel, &note);
    check_canary(out.after, sizeof out.after);
    switch (v) {
    case 1:
        TEXT(out.channel);
        if (status < 200 || status > 299 || note != AT_NOTE_NONE)
            abort();
        if (strcmp(json_str(j, "status"), "REFUNDED"))
            abort();
        break;
    case 0:
        if (note != AT_NOTE_NOT_REFUNDABLE && note != AT_NOTE_REFUSED)
            abort();
        if (status == 0 || status >= 500 || status == 429)
            abort(); /* no answer is never a refusal */
        break;
    case -1:
        if (note != AT_NOTE_NONE)
            abort();
        break;
    default:
        abort();
    }
}

static void check_refund(const struct at_refund *r)
{
    TEXT(r->txn_no);
    TEXT(r->approver);
    if (r->nlines < 0 || r->nlines > AT_LINES_MAX)
        abort();
    for (int i = 0; i < AT_LINES_MAX; i++) {
        TEXT(r->lines[i].barcode);
        TEXT(r->lines[i].name);
    }
}

/* A sale payload read; 0 when it reads (r then the sale's lines). */
static int sale_read(const char *payload, const char *lang, struct at_sale *s, struct at_refund *r)
{
    memset(s, CANARY, sizeof *s);
    memset(r, CANARY, sizeof *r);
    int rc = at_sale_read(payload, lang, s, r);
    if (rc != 0 && rc != -1)
        abort();
    TEXT(s->order_id);
    TEXT(s->channel);
    check_refund(r);
    if (rc)
        return rc;
    if (r->nlines < 1 || !r->txn_no[0] || !s->order_id[0] || !s->channel[0])
        abort();
    if (s->total_fen < 0 || s->total_fen > FEN_MAX)
        abort();
    if (r->whole || r->amount_fen || r->reason || r->approver[0])
        abort(); /* the rest of r zeroed */
    for (int i = 0; i < r->nlines; i++) {
        const struct at_line *l = &r->lines[i];
        if (l->amount_fen < 0 || l->qty < 0 || l->refunded || l->chosen)
            abort();
        if (l->barcode[0] && l->qty < 1)
            abort(); /* a shop line: 1.. units */
    }
    for (int i = r->nlines; i < AT_LINES_MAX; i++)
        if (r->lines[i].name[0] || r->lines[i].amount_fen)
            abort();
    return 0;
}

static void refund_apply(const char *payload, struct at_refund *r)
{
    struct at_refund before = *r;
    int64_t fen = 1000, was = fen;
    int rc = at_refund_apply(payload, r, &fen);
    if (rc != 0 && rc != -1)
        abort();
    if (r->nlines != before.nlines)
        abort();
    for (int i = 0; i < AT_LINES_MAX; i++) {
        if (before.lines[i].refunded && !r->lines[i].refunded)
            abort(); /* a refund never unmarks */
        if (i >= r->nlines && r->lines[i].refunded != before.lines[i].refunded)
            abort(); /* a line the sale has not */
        if (memcmp(r->lines[i].name, before.lines[i].name, sizeof r->lines[i].name) ||
            r->lines[i].amount_fen != before.lines[i].amount_fen ||
            r->lines[i].chosen != before.lines[i].chosen)
            abort();
    }
    if (fen != was && (fen - was < 1 || fen - was > FEN_MAX))
        abort();
    if (rc == 0 && fen == was)
        abort(); /* a refund that reads refunded something */
}

static void refund_body(const char *record)
{
    int64_t amount = -5;
    char *body = at_api_refund_body(record, &amount);
    if (!body)
        return;
    cJSON *j = cJSON_Parse(body);
    free(body);
    if (!cJSON_IsObject(j))
        abort();
    if (amount < 1 || amount > FEN_MAX)
        abort();
    int bad = 0;
    if (json_int(j, "amount_fen", 1, FEN_MAX, &bad) != amount || bad)
        abort();
    static const char *const fields[] = {"refund_no", "txn_no", "order_id", "attendant",
                                         "approver"};
    for (size_t i = 0; i < COUNT(fields); i++)
        if (!json_str(j, fields[i])[0])
            abort();
    const char *reason = json_str(j, "reason");
    int known = 0;
    for (int i = 0; i < AT_REASONS; i++)
        known |= !strcmp(reason, at_reasons[i]);
    if (!known || !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(j, "whole")) ||
        !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "lines")))
        abort();
    cJSON_Delete(j);
}

/* A good sale's lines, for the refunds applied to them. */
static const char SALE[] =
    "{\"txn_no\":\"T0001-20261130-000001\",\"order_id\":\"T0001-20261130-000001-O\","
    "\"out_trade_no\":\"KT0001-20261130-000001\",\"invoice_token\":\"tok\","
    "\"paid_unix\":1796000000,\"fuel\":{\"sale_id\":\"S1\",\"pump\":3,\"grade\":\"92#\","
    "\"volume_ml\":30000,\"price_fen_per_l\":745,\"amount_fen\":22350},"
    "\"items\":[{\"barcode\":\"6920000010004\",\"name_zh\":\"矿泉水\",\"name_en\":\"Water\","
    "\"qty\":2,\"unit_fen\":350},{\"barcode\":\"6901234567890\",\"name_zh\":\"口香糖\","
    "\"name_en\":\"Gum\",\"qty\":1,\"unit_fen\":1200}],"
    "\"discounts\":[{\"kind\":\"member\",\"label_zh\":\"会员优惠\",\"label_en\":\"Member\","
    "\"amount_fen\":-250}],\"subtotal_fen\":24250,\"total_fen\":24000,\"points_used\":0,"
    "\"points_earned\":24,\"payment\":{\"channel\":\"wechat\",\"mode\":\"native\","
    "\"code_masked\":\"1234****5678\"},\"receipt\":\"paper\"}";

static void good_sale(struct at_sale *s, struct at_refund *r)
{
    if (sale_read(SALE, "zh_CN", s, r) != 0)
        abort();
}

/* Everything that reads JSON, on j (and its text). */
static void every_reader(struct fuzz_script *sc, const cJSON *j, const char *text)
{
    int status = PICK(sc, statuses);
    const char *code = PICK(sc, codes);
    login_answer(j, status, code);
    login_answer(j, 200, NULL);
    refund_answer(j, status, code);
    refund_answer(j, 200, NULL);
    staff_list(j, fuzz_next(sc) % 9);
    struct at_sale s;
    struct at_refund r;
    sale_read(text, fuzz_next(sc) & 1 ? "zh_CN" : "en", &s, &r);
    good_sale(&s, &r);
    refund_apply(text, &r);
    refund_body(text);
}

/* ---- mutations -------------------------------------------------------------------------- */

static const char *const examples[] = {
    "{\"staff_no\":\"1001\",\"name\":\"王芳\",\"role\":\"attendant\"}",
    "{\"staff\":[{\"staff_no\":\"1001\",\"card_no\":\"1000113300009001\",\"name\":\"王芳\","
    "\"role\":\"attendant\",\"verifier\":\"$argon2id$v=19$m=8192,t=2,p=1$c2FsdA$aGFzaA\"},"
    "{\"staff_no\":\"2001\",\"card_no\":\"\",\"name\":\"李强\",\"role\":\"supervisor\","
    "\"verifier\":\"$argon2id$v=19$m=8192,t=2,p=1$c2FsdA$aGFzaA\"}]}",
    "{\"refund_no\":\"T0001-20261130-000001-R1\",\"status\":\"REFUNDED\",\"channel\":\"wechat\","
    "\"amount_fen\":1200}",
    SALE,
    "{\"refund_no\":\"T0001-20261130-000001-R1\",\"refund_of\":\"T0001-20261130-000001\","
    "\"order_id\":\"T0001-20261130-000001-O\",\"amount_fen\":1200,\"channel\":\"wechat\","
    "\"whole\":0,\"lines\":[{\"line\":2,\"barcode\":\"6901234567890\",\"qty\":1,"
    "\"amount_fen\":1200}],\"reason\":1,\"attendant\":\"1001\",\"approver\":\"2001\","
    "\"at_ms\":1796000123456}",
};

static const char *const keys[] = {
    "staff_no", "name",    "role",      "staff",      "card_no",   "verifier",
    "status",   "channel", "txn_no",    "order_id",   "total_fen", "payment",
    "fuel",     "grade",   "volume_ml", "amount_fen", "items",     "barcode",
    "name_zh",  "name_en", "qty",       "unit_fen",   "whole",     "lines",
    "line",     "reason",  "refund_no", "refund_of",  "attendant", "approver",
};

static const char *const strings[] = {
    "",
    "1001",
    "10a1",
    "123456789012",
    "1234567890123",
    "attendant",
    "supervisor",
    "admin",
    "REFUNDED",
    "PENDING",
    "wechat",
    "92#",
    "6901234567890",
    "T0001-20261130-000001",
    "a string much longer than any field it could be copied into: forty, sixty, more bytes",
    "康师傅红烧牛肉面五连包超值装特大",
};

static const double numbers[] = {0,    1,    -1,   2,        15,   16,    17,     1.5,
                                 1000, 1001, 1e11, 1e11 + 1, 1e15, 1e300, -1e300, 3};

static cJSON *value(struct fuzz_script *sc)
{
    switch (fuzz_next(sc) % 8) {
    case 0:
    case 1:
        return cJSON_CreateString(PICK(sc, strings));
    case 2:
    case 3:
        return cJSON_CreateNumber(PICK(sc, numbers));
    case 4:
        return cJSON_CreateBool(fuzz_next(sc) & 1);
    case 5:
        return cJSON_CreateNull();
    case 6:
        return cJSON_CreateArray();
    default:
        return cJSON_CreateObject();
    }
}

/* Where a mutation lands: the root, or an object or array inside it (a line, the payment). */
static cJSON *target(struct fuzz_script *sc, cJSON *root)
{
    cJSON *t = root;
    for (int depth = 0; depth < 3 && (fuzz_next(sc) & 1); depth++) {
        int n = cJSON_GetArraySize(t);
        cJSON *c = n ? cJSON_GetArrayItem(t, fuzz_next(sc) % n) : NULL;
        if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
            break;
        t = c;
    }
    return t;
}

static void mutate(struct fuzz_script *sc, cJSON *root)
{
    uint8_t b = fuzz_next(sc);
    int times = b % 8 < 5 ? 1 : 2 + b % 4;
    for (int m = 0; m < times; m++) {
        cJSON *t = target(sc, root);
        int size = cJSON_GetArraySize(t);
        uint8_t op = fuzz_next(sc) % 5;
        if (op == 0 && size) { /* dropped */
            cJSON_DeleteItemFromArray(t, fuzz_next(sc) % size);
        } else if (op == 1 && size) { /* replaced */
            cJSON *v = value(sc);
            if (!cJSON_ReplaceItemInArray(t, fuzz_next(sc) % size, v))
                cJSON_Delete(v);
        } else if (op == 2 && cJSON_IsObject(t)) { /* a field of the pool set */
            const char *k = PICK(sc, keys);
            cJSON *v = value(sc);
            if (cJSON_GetObjectItemCaseSensitive(t, k))
                cJSON_ReplaceItemInObjectCaseSensitive(t, k, v);
            else
                cJSON_AddItemToObject(t, k, v);
        } else if (op == 3 && cJSON_IsArray(t) && size) { /* an element again: more of them */
            int k = 1 + fuzz_next(sc) % 20;
            for (int i = 0; i < k; i++)
                cJSON_AddItemToArray(t, cJSON_Duplicate(cJSON_GetArrayItem(t, 0), 1));
        } else if (cJSON_IsObject(t)) { /* a duplicate key */
            cJSON_AddItemToObject(t, PICK(sc, keys), value(sc));
        }
    }
}

static void mutated(struct fuzz_script *sc)
{
    cJSON *j = cJSON_Parse(PICK(sc, examples));
    if (!j)
        abort();
    mutate(sc, j);
    char *text = cJSON_PrintUnformatted(j);
    if (text)
        every_reader(sc, j, text);
    free(text);
    cJSON_Delete(j);
}

/* ---- a refund's round trip -------------------------------------------------------------- */

static void round_trip(struct fuzz_script *sc)
{
    struct at_sale s;
    struct at_refund r;
    good_sale(&s, &r);
    int chosen = 0;
    int64_t sum = 0;
    for (int i = 0; i < r.nlines; i++) {
        r.lines[i].chosen = fuzz_next(sc) & 1;
        chosen += r.lines[i].chosen;
        sum += r.lines[i].chosen ? r.lines[i].amount_fen : 0;
    }
    r.whole = chosen == r.nlines;
    r.amount_fen = r.whole ? s.total_fen : sum;
    r.reason = fuzz_next(sc) % AT_REASONS;
    snprintf(r.approver, sizeof r.approver, "2001");
    char *rec = at_record_refund("T0001-20261130-000001-R1", &s, &r, "1001", 1796000123456);
    if (!rec)
        abort();
    int64_t amount = 0;
    char *body = at_api_refund_body(rec, &amount);
    if (r.amount_fen >= 1) {
        if (!body || amount != r.amount_fen)
            abort(); /* a record written is a request made */
        cJSON *j = cJSON_Parse(body);
        if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "lines")) != chosen ||
            strcmp(json_str(j, "reason"), at_reasons[r.reason]) ||
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "whole")) != r.whole)
            abort();
        cJSON_Delete(j);
    } else if (body) {
        abort(); /* nothing to refund: no request */
    }
    free(body);
    /* applied to the sale: exactly the lines chosen */
    struct at_refund back;
    good_sale(&s, &back);
    int64_t fen = 0;
    int rc = at_refund_apply(rec, &back, &fen);
    if (r.amount_fen >= 1) {
        if (rc != 0 || fen != r.amount_fen)
            abort();
        for (int i = 0; i < back.nlines; i++)
            if (back.lines[i].refunded != (r.whole || r.lines[i].chosen))
                abort();
    }
    free(rec);
}

/* ---- the entry -------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    log_set_quiet(1);
    uint32_t seed = 2166136261u;
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 16777619u;
    struct fuzz_script sc = {data, size, seed ? seed : 1, EXTRA};
    uint8_t mode = fuzz_next(&sc) % 3;
    switch (mode) {
    case 0: { /* the rest as it is */
        char *text = malloc(sc.n + 1);
        if (!text)
            return 0;
        memcpy(text, sc.p, sc.n);
        text[sc.n] = '\0';
        cJSON *j = cJSON_Parse(text);
        every_reader(&sc, j, text);
        /* and as a role's name */
        int role = at_role_of(text);
        if (role != AT_ROLE_NONE && !role_ok(role))
            abort();
        kept_locks(text);
        const char *name = at_role_name((int)seed);
        if (strcmp(name, "") && strcmp(name, "attendant") && strcmp(name, "supervisor"))
            abort();
        cJSON_Delete(j);
        free(text);
        break;
    }
    case 1:
        for (int i = 0; i < 4; i++)
            mutated(&sc);
        break;
    default:
        round_trip(&sc);
        break;
    }
    return 0;
}
