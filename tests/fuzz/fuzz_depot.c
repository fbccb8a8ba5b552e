/* The depot pickup's flow (depot/flow.h) under a script of random events: taps, scanned and
 * typed codes, keys, ID card readings (good, expired, a foreigner's, unreadable), the face
 * step's reports, the backend's answers (its model's, made into JSON and read by api.c as the
 * glue does; refusals; none; fields filled at random; answers to calls nobody waits for),
 * the journal's, the printer's, time, and the session's end. The input is the script; when
 * it runs out, a generator seeded by the input goes on for a while, so that even a short
 * input (the plain driver's, with no corpus) plays a whole journey or several.
 *
 * The flow keeps its rules: a valid state; at most EFFECTS_MAX effects a step; every
 * EFF_CALL carries a dp_request of its own call kind, and the flow's requests build when
 * what they carry can (api.c); the ID number never stays in the flow (it leaves only in the
 * driver call's request) and is in no other effect; a busy state (the ticket being issued)
 * only after its intent was asked for; the ticket asked for only once the intent is durable;
 * EFF_TXN only on an ok ticket answer, with its number; the print only of a recorded
 * ticket; each intent settled at most once (and before the flow stops, unless the journal
 * never wrote it), "done" only when printed, "not done" never
 * after a ticket answer that may have issued it (a 2xx that did not read); every wait has a
 * deadline, and a tick at the deadline moves it on; the reader armed only on the order's
 * screen, the camera only on the face's; strings terminated; a wipe leaves nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "api.h"
#include "core/json.h"
#include "core/log.h"
#include "flow.h"
#include "record.h"

#define TERMINAL "T0001"
#define SALT "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define ISO "2026-11-30T14:15:03+08:00"
#define EXTRA 2000 /* bytes the generator adds after the input */

static const struct dp_config CFG = {
    .terminal = TERMINAL, .depot = "D01", .code_prefix = "PK", .today = 20261130};

/* ---- the script ------------------------------------------------------------------------- */

#define PICK(sc, v) ((v)[fuzz_next(sc) % (sizeof(v) / sizeof((v)[0]))])
/* The first of v mostly (the model's answer is mostly good), any of them sometimes. */
#define GOOD(sc, v) ((v)[biased(fuzz_next(sc), sizeof(v) / sizeof((v)[0]))])

static size_t biased(uint8_t b, size_t n)
{
    return b & 7 ? 0 : (size_t)(b >> 3) % n;
}

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

/* 1 if the n bytes at p hold `s` anywhere. */
static int holds(const void *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    const uint8_t *b = p;
    if (!k)
        return 0;
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(b + i, s, k))
            return 1;
    return 0;
}

static int has_kind(const struct effects *fx, enum effect_kind k)
{
    for (int i = 0; i < fx->n; i++)
        if (fx->v[i].kind == k)
            return 1;
    return 0;
}

static int hex64(const char *s)
{
    return strlen(s) == 64 && strspn(s, "0123456789abcdefABCDEF") == 64;
}

static void check_order(const struct dp_order *o)
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

static void check_ticket(const struct dp_ticket *k)
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
}

/* The journal's payload of k reads back as k (when k is one the reader takes). */
static void round_trip(const struct dp_ticket *k, int txn)
{
    char *p = txn ? dp_record_txn(k) : dp_record_intent(k);
    if (!p)
        abort();
    struct dp_ticket back;
    int ours = k->order_id[0] && k->unit[0] && k->driver_ref[0] && k->check_id[0] &&
               k->quantity_milli >= 0 && k->quantity_milli <= INT64_C(1000000000000) &&
               (!txn || (k->ticket_no[0] && k->issued_at[0] && k->issued_by[0]));
    int r = dp_record_read(p, &back);
    if (ours && r != 0)
        abort();
    if (r == 0) {
        check_ticket(&back);
        if (strcmp(back.order_id, k->order_id) || strcmp(back.code, k->code) ||
            strcmp(back.unit, k->unit) || back.quantity_milli != k->quantity_milli ||
            strcmp(back.driver_ref, k->driver_ref) || strcmp(back.check_id, k->check_id) ||
            strcmp(back.id_masked, k->id_masked) || strcmp(back.name_masked, k->name_masked))
            abort();
        if (txn ? strcmp(back.ticket_no, k->ticket_no) : back.ticket_no[0] != '\0')
            abort();
    }
    free(p);
}

static int waiting(enum dp_state s)
{
    return s == DP_LOOKUP || s == DP_DRIVER || s == DP_FACE_CHECK || s == DP_PRINTER ||
           s == DP_JOURNALING || s == DP_ISSUING || s == DP_RECORDING;
}

/* ---- the backend ------------------------------------------------------------------------ */

static const char *const ids[] = {"110105198203154413", "81000019800101002X", "11010519820315441",
                                  ""};

/* A string of `n` characters that are no digits (an ID number never shows up by chance). */
static void noise(struct fuzz_script *sc, char *out, size_t cap)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_/ .*";
    uint8_t b = fuzz_next(sc);
    size_t n = (b & 3 ? b % 8 : b) % cap; /* mostly short */
    for (size_t i = 0; i < n; i++)
        out[i] = set[fuzz_next(sc) % (sizeof set - 1)];
    out[n] = '\0';
}
#define NOISE(sc, f) noise((sc), (f), sizeof(f))

static cJSON *order_body(struct fuzz_script *sc)
{
    static const char *const order_ids[] = {"PO2611300001", "PO2611300001", "PO2611300002", "PO/1"};
    static const char *const codes[] = {"PK2611300001", "PK2611300009", "PK-1"};
    static const char *const units[] = {"L", "t", "L", "kg"};
    static const double quantities[] = {30000000, 25500, 1, 0};
    static const char *const times[] = {"2026-11-29T00:00:00+08:00", "2026-12-02T23:59:59Z", ISO,
                                        "yesterday"};
    static const char *const bays[] = {"3", "", "12"};
    static const char *const statuses[] = {"OPEN", "OPEN", "OPEN", "ISSUED", "CLOSED"};
    static const char *const salts[] = {SALT, SALT, SALT, "00"};
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "order_id", GOOD(sc, order_ids));
    cJSON_AddStringToObject(o, "code", GOOD(sc, codes));
    cJSON_AddStringToObject(o, "product", "0号柴油");
    cJSON_AddStringToObject(o, "unit", GOOD(sc, units));
    cJSON_AddNumberToObject(o, "quantity_milli", GOOD(sc, quantities));
    cJSON_AddStringToObject(o, "plate", "京A·12345");
    cJSON_AddStringToObject(o, "valid_from", GOOD(sc, times));
    cJSON_AddStringToObject(o, "valid_to", GOOD(sc, times));
    cJSON_AddStringToObject(o, "depot", "D01");
    cJSON_AddStringToObject(o, "depot_name", "北郊油库");
    cJSON_AddStringToObject(o, "bay", GOOD(sc, bays));
    const char *status = GOOD(sc, statuses);
    cJSON_AddStringToObject(o, "status", status);
    cJSON_AddStringToObject(o, "id_salt", GOOD(sc, salts));
    if (!strcmp(status, "ISSUED") && fuzz_next(sc) % 4) {
        cJSON *t = cJSON_AddObjectToObject(o, "ticket");
        cJSON_AddStringToObject(t, "ticket_no", "TK2611300005");
        cJSON_AddStringToObject(t, "issued_at", GOOD(sc, times));
        cJSON_AddStringToObject(t, "terminal", fuzz_next(sc) & 1 ? "T0002" : TERMINAL);
    }
    return o;
}

static cJSON *ok_body(struct fuzz_script *sc, enum dp_call k)
{
    static const char *const refs[] = {"DR-1", "DR-1", "DR-2", "", "DR/1"};
    static const char *const verdicts[] = {"MATCH", "MATCH", "NO_MATCH", "MAYBE"};
    static const double scores[] = {93, 31, 101, 0};
    static const char *const checks[] = {"FC000001", "FC000002", ""};
    static const char *const tickets[] = {"TK2611300001", "TK2611300002", ""};
    static const char *const bays[] = {"3", "", "4"};
    static const char *const times[] = {ISO, ISO, "2026-11-30"};
    static const char *const terminals[] = {TERMINAL, TERMINAL, "T0002", ""};
    cJSON *o = NULL;
    switch (k) {
    case DP_CALL_PICKUP:
        return order_body(sc);
    case DP_CALL_DRIVER:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "driver_ref", GOOD(sc, refs));
        cJSON_AddStringToObject(o, "name_masked", "王*国");
        break;
    case DP_CALL_FACE:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "verdict", GOOD(sc, verdicts));
        cJSON_AddNumberToObject(o, "score", GOOD(sc, scores));
        cJSON_AddStringToObject(o, "check_id", GOOD(sc, checks));
        break;
    case DP_CALL_TICKET: {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "ticket_no", GOOD(sc, tickets));
        cJSON_AddStringToObject(o, "order_id", "PO2611300001");
        cJSON_AddStringToObject(o, "bay", GOOD(sc, bays));
        cJSON_AddStringToObject(o, "issued_at", GOOD(sc, times));
        cJSON_AddStringToObject(o, "terminal", GOOD(sc, terminals));
        uint8_t first = fuzz_next(sc) % 5;
        if (first < 4)
            cJSON_AddBoolToObject(o, "first", first != 1);
        else
            cJSON_AddStringToObject(o, "first", "yes");
        break;
    }
    default:
        o = cJSON_CreateObject();
        break;
    }
    return o;
}

/* An answer to call k: the model's, a refusal, none, or fields filled at random. */
static void make_answer(struct fuzz_script *sc, enum dp_call k, struct dp_answer *a)
{
    static const struct {
        int status;
        const char *code;
    } refusals[] = {
        {404, "PICKUP_NOT_FOUND"},
        {410, "PICKUP_EXPIRED"},
        {409, "PICKUP_USED"},
        {403, "PICKUP_OTHER_DEPOT"},
        {403, "DRIVER_NOT_AUTHORISED"},
        {503, "FACE_BUSY"},
        {400, "BAD_IMAGE"},
        {409, "NOT_VERIFIED"},
        {500, "INTERNAL"},
        {401, "BAD_SIGNATURE"},
        {302, ""},
    };
    uint8_t mode = fuzz_next(sc) % 10;
    if (mode < 6) { /* the model's answer, read as the glue reads it */
        cJSON *j = ok_body(sc, k);
        dp_api_answer(k, fuzz_next(sc) & 1 ? 200 : 201, j, NULL, a);
        cJSON_Delete(j);
    } else if (mode < 8) { /* a refusal, perhaps naming another depot */
        int r = fuzz_next(sc) % (int)(sizeof refusals / sizeof refusals[0]);
        cJSON *j = cJSON_CreateObject();
        cJSON *err = cJSON_AddObjectToObject(j, "error");
        cJSON_AddStringToObject(err, "code", refusals[r].code);
        if (fuzz_next(sc) & 1)
            cJSON_AddStringToObject(err, "depot_name", "南港油库");
        dp_api_answer(k, refusals[r].status, j, refusals[r].code, a);
        cJSON_Delete(j);
    } else if (mode == 8) { /* no answer */
        dp_api_answer(k, 0, NULL, "", a);
    } else { /* whatever fields, as a struct: what the flow must survive */
        static const char *const statuses[] = {"OPEN", "ISSUED", "", "X"};
        memset(a, 0, sizeof *a);
        uint8_t b = fuzz_next(sc);
        a->ok = b & 1;
        a->transport = (b >> 1) & 1;
        a->status = (int)(fuzz_next(sc) % 6) * 100;
        a->match = (b >> 2) & 1;
        a->first = (b >> 3) & 1;
        a->score = fuzz_next(sc);
        NOISE(sc, a->code);
        NOISE(sc, a->order.order_id);
        NOISE(sc, a->order.code);
        NOISE(sc, a->order.product);
        NOISE(sc, a->order.unit);
        a->order.quantity_milli = (int64_t)(int8_t)fuzz_next(sc) * 1000;
        NOISE(sc, a->order.plate);
        NOISE(sc, a->order.valid_to);
        NOISE(sc, a->order.depot_name);
        NOISE(sc, a->order.bay);
        snprintf(a->order.status, sizeof a->order.status, "%s", PICK(sc, statuses));
        NOISE(sc, a->order.ticket_no);
        NOISE(sc, a->order.id_salt);
        NOISE(sc, a->driver_ref);
        NOISE(sc, a->check_id);
        NOISE(sc, a->ticket_no);
        NOISE(sc, a->bay);
        NOISE(sc, a->issued_at);
        if (fuzz_next(sc) & 1)
            snprintf(a->issued_by, sizeof a->issued_by, TERMINAL);
        else
            NOISE(sc, a->issued_by);
    }
}

/* ---- the journey ------------------------------------------------------------------------ */

struct harness {
    enum dp_call call; /* the call in flight, or DP_CALL_NONE */
    int intent;        /* an intent asked for in this journey */
    int settled;       /* ... and settled (EFF_OUTCOME) or handed to the glue (EFF_SETTLE) */
    int txn;           /* ... and its ticket recorded */
    int unwritten;     /* ... and the journal said it could not write it */
    char id_no[19];    /* the last ID number read */
};

static void check_flow(const struct dp_flow *f)
{
    if ((int)f->state < 0 || f->state >= DP_STATE_LAST || (int)f->error < 0 ||
        f->error >= DP_ERR_LAST)
        abort();
    if (!all_zero(f->id.id_no, sizeof f->id.id_no))
        abort(); /* the number never stays in the flow */
    TEXT(f->typed);
    TEXT(f->id.name_masked);
    TEXT(f->id.id_masked);
    TEXT(f->driver_ref);
    TEXT(f->check_id);
    TEXT(f->ticket_no);
    TEXT(f->issued_at);
    check_order(&f->order);
    if (strspn(f->typed, "0123456789") != strlen(f->typed) ||
        strlen(f->cfg.code_prefix) + strlen(f->typed) > DP_CODE_MAX)
        abort();
    if (f->face_tries < 0 || f->face_tries > DP_FACE_TRIES || f->driver_calls < 0)
        abort();
    if ((f->state == DP_REFUSED || f->state == DP_COUNTER || f->state == DP_FAILED) &&
        f->error == DP_OK)
        abort(); /* a stop always says why */
    if (strcmp(f->cfg.terminal, TERMINAL) || strcmp(f->cfg.depot, "D01"))
        abort();
    /* every wait has a deadline */
    if (waiting(f->state) && dp_deadline(f) == INT64_MAX)
        abort();
    if (f->state == DP_FACE && !f->face_timed_out && dp_deadline(f) == INT64_MAX)
        abort();
    if (dp_busy(f) != (f->state >= DP_JOURNALING && f->state <= DP_PRINTING))
        abort();
}

static const uint8_t JPEG[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F'};

/* The flow's own request: its kind's, and built when what it carries can be. */
static void check_call(const struct dp_flow *f, const struct dp_event *e, enum dp_state was,
                       const struct harness *h, const struct effect *x)
{
    struct dp_request rq;
    if (x->ndata != sizeof rq)
        abort();
    memcpy(&rq, x->data, sizeof rq);
    if (rq.call != x->i || rq.call <= DP_CALL_NONE || rq.call >= DP_CALL_LAST)
        abort();
    TEXT(rq.code);
    TEXT(rq.depot);
    TEXT(rq.order_id);
    TEXT(rq.id_no);
    TEXT(rq.id_salt);
    TEXT(rq.driver_ref);
    TEXT(rq.check_id);
    TEXT(rq.terminal);
    if (rq.call != DP_CALL_DRIVER && rq.id_no[0])
        abort(); /* the number only in the driver call */
    int builds = 0;
    switch (rq.call) {
    case DP_CALL_PICKUP:
        if (f->state != DP_LOOKUP || strcmp(rq.depot, "D01") || !rq.code[0] ||
            strcmp(rq.code, f->order.code))
            abort();
        builds = json_path_safe(rq.code);
        break;
    case DP_CALL_DRIVER:
        if (f->state != DP_DRIVER || e->in != DP_IN_ID || was != DP_ORDER ||
            strcmp(rq.id_no, e->id->id_no) || strcmp(rq.id_salt, f->order.id_salt) ||
            strcmp(rq.order_id, f->order.order_id) || rq.attempt != f->driver_calls ||
            rq.attempt < 1 || rq.id_kind != e->id->kind)
            abort();
        builds = strlen(rq.id_no) == 18 && hex64(rq.id_salt) && json_path_safe(rq.order_id);
        break;
    case DP_CALL_FACE:
        /* each frame its own key: the frames sent so far; never fewer than the no-matches */
        if (f->state != DP_FACE_CHECK || rq.attempt != f->face_calls ||
            rq.attempt < f->face_tries + 1 || strcmp(rq.driver_ref, f->driver_ref) ||
            strcmp(rq.order_id, f->order.order_id))
            abort();
        builds = json_path_safe(rq.order_id);
        break;
    case DP_CALL_TICKET:
        /* only once the intent is durable */
        if (f->state != DP_ISSUING || e->in != DP_IN_JOURNAL || !e->ok || was != DP_JOURNALING ||
            !h->intent || h->settled || strcmp(rq.check_id, f->check_id) ||
            strcmp(rq.driver_ref, f->driver_ref) || strcmp(rq.terminal, TERMINAL) ||
            strcmp(rq.order_id, f->order.order_id))
            abort();
        builds = json_path_safe(rq.order_id);
        break;
    default:
        abort();
    }
    struct dp_http hp;
    int r = dp_api_http(&rq, JPEG, sizeof JPEG, NULL, 0, &hp);
    if (builds && r != 0)
        abort();
    if (r == 0) {
        check_text(hp.path, sizeof hp.path);
        check_text(hp.key, sizeof hp.key);
        if (rq.call != DP_CALL_PICKUP && (!hp.body || !hp.key[0]))
            abort();
        if (hp.body && rq.id_no[0] && strstr(hp.body, rq.id_no))
            abort(); /* proved, never sent */
    } else if (hp.body) {
        abort();
    }
    dp_api_http_free(&hp);
}

static void drive(struct fuzz_script *sc)
{
    static struct dp_flow f;
    static struct effects fx;
    static struct dp_answer ans;
    static struct dp_id id;
    struct harness h;
    memset(&h, 0, sizeof h);
    dp_init(&f, &CFG);
    int64_t now = INT64_C(1796000000000);

    while (fuzz_more(sc)) {
        uint8_t op = fuzz_next(sc), arg = fuzz_next(sc);
        struct dp_event e = {.in = DP_IN_TICK};
        now += 1 + (arg & 15);
        switch (op % 40) {
        default: /* what the moment asks for: mostly */
            if (h.call != DP_CALL_NONE) {
                e.in = DP_IN_ANSWER;
                e.call = h.call;
                make_answer(sc, h.call, &ans);
                e.answer = &ans;
            } else {
                switch (f.state) {
                case DP_IDLE:
                    e.in = DP_IN_START;
                    break;
                case DP_SCAN:
                    e.in = DP_IN_CODE;
                    e.text = arg & 1 ? "PK2611300001" : "PK2611300009";
                    e.ok = 1;
                    break;
                case DP_ORDER:
                    e.in = DP_IN_ID;
                    memset(&id, 0, sizeof id);
                    snprintf(id.id_no, sizeof id.id_no, "%s", ids[arg % 2]);
                    snprintf(id.name_masked, sizeof id.name_masked, "王*国");
                    snprintf(id.id_masked, sizeof id.id_masked, "110***********4413");
                    id.kind = (arg >> 1) & 1;
                    id.verdict = arg % 8 == 7 ? 4 : 0;
                    e.id = &id;
                    break;
                case DP_FACE:
                    e.in = DP_IN_FACE;
                    e.index = arg % 8 == 7 ? 3 : DP_HINT_OK;
                    e.ok = 1;
                    now += 100 + 4 * arg;
                    break;
                case DP_PRINTER:
                    e.in = DP_IN_PRINTER;
                    e.ok = arg % 8 != 7;
                    break;
                case DP_JOURNALING:
                case DP_RECORDING:
                    e.in = DP_IN_JOURNAL;
                    e.ok = arg % 8 != 7;
                    break;
                case DP_PRINTING:
                    e.in = DP_IN_PRINTED;
                    e.ok = arg % 8 != 7;
                    break;
                case DP_REFUSED:
                case DP_NOT_AUTHORISED:
                case DP_FACE_RETRY:
                case DP_FACE_BUSY:
                case DP_FAILED:
                    e.in = DP_IN_NEXT;
                    break;
                case DP_DONE:
                case DP_ISSUED:
                case DP_COUNTER:
                case DP_NO_PRINTER:
                case DP_PRINT_FAILED:
                    e.in = arg & 1 ? DP_IN_FINISH : DP_IN_BACK;
                    break;
                default: /* waiting with nothing in flight: its time runs out */
                    if (dp_deadline(&f) != INT64_MAX && dp_deadline(&f) > now)
                        now = dp_deadline(&f);
                    break;
                }
            }
            break;
        case 22: {
            static const char *const codes[] = {
                "PK2611300001", "PK2611300009", "PK1",          "XX2611300001", "",
                NULL,           "PK26113/0001", "PK2611300001 "};
            e.in = DP_IN_CODE;
            e.text = codes[arg % 8];
            e.ok = (arg >> 3) % 4 != 0;
            break;
        }
        case 23: {
            static const char *const keys[] = {"0", "1",   "2",     "3",  "4", "5", "6",  "7", "8",
                                               "9", "del", "clear", "ok", "A", "",  "12", NULL};
            e.in = DP_IN_KEY;
            e.text = keys[arg % (sizeof keys / sizeof keys[0])];
            break;
        }
        case 24:
            e.in = DP_IN_TYPE;
            break;
        case 25: /* an answer nobody may wait for, or none at all */
            e.in = DP_IN_ANSWER;
            e.call = (enum dp_call)(arg % (DP_CALL_LAST + 1));
            if (arg >> 6) {
                make_answer(
                    sc, e.call > DP_CALL_NONE && e.call < DP_CALL_LAST ? e.call : DP_CALL_PICKUP,
                    &ans);
                e.answer = &ans;
            }
            break;
        case 26:
            e.in = DP_IN_ID;
            memset(&id, 0, sizeof id);
            snprintf(id.id_no, sizeof id.id_no, "%s", ids[arg % 4]);
            snprintf(id.name_masked, sizeof id.name_masked, "%s", arg & 4 ? "陈*玲" : "");
            snprintf(id.id_masked, sizeof id.id_masked, "810***********002X");
            id.kind = (arg >> 3) % 3;
            id.verdict = (arg >> 5) % 6;
            e.id = (arg & 0xF0) == 0xF0 ? NULL : &id;
            break;
        case 27:
            e.in = DP_IN_ID_FAILED;
            break;
        case 28:
            e.in = DP_IN_FACE;
            e.index = (int)(arg % 10) - 1;
            e.ok = arg >> 7;
            break;
        case 29:
            e.in = DP_IN_JOURNAL;
            e.ok = arg & 1;
            break;
        case 30:
            e.in = DP_IN_PRINTER;
            e.ok = arg & 1;
            break;
        case 31:
            e.in = DP_IN_PRINTED;
            e.ok = arg & 1;
            break;
        case 32:
            e.in = DP_IN_NEXT;
            break;
        case 33:
            e.in = DP_IN_BACK;
            break;
        case 34:
            e.in = DP_IN_FINISH;
            break;
        case 35:
            e.in = DP_IN_START;
            break;
        case 36:
        case 37: { /* time: to the deadline, or a jump */
            static const int64_t jumps[] = {1,
                                            100,
                                            DP_FACE_HOLD_MS,
                                            DP_PRINTER_MS,
                                            DP_JOURNAL_MS,
                                            DP_CALL_MS,
                                            DP_FACE_MAX_MS,
                                            60000};
            int64_t d = dp_deadline(&f);
            if (arg & 1 && d != INT64_MAX && d > now)
                now = d;
            else
                now += jumps[(arg >> 1) % 8];
            break;
        }
        case 38: /* the session ends */
            dp_wipe(&f);
            if (f.state != DP_IDLE || !all_zero(&f.order, sizeof f.order) ||
                !all_zero(&f.id, sizeof f.id) || f.driver_ref[0] || f.check_id[0] ||
                f.ticket_no[0] || f.typed[0] || dp_deadline(&f) != INT64_MAX)
                abort();
            memset(&h, 0, sizeof h);
            continue;
        }
        if (e.in == DP_IN_ID && e.id)
            snprintf(h.id_no, sizeof h.id_no, "%s", e.id->id_no);
        if (e.in == DP_IN_ANSWER && e.call == h.call)
            h.call = DP_CALL_NONE;

        enum dp_state was = f.state;
        int64_t deadline = dp_deadline(&f);
        fx.n = 0;
        dp_step(&f, &e, now, &fx);
        if (fx.n < 0 || fx.n > EFFECTS_MAX)
            abort();
        check_flow(&f);
        if (e.in == DP_IN_TICK && now >= deadline && dp_deadline(&f) <= now)
            abort(); /* a tick at the deadline moves it on */
        if (holds(&f.id, sizeof f.id, h.id_no) && strlen(h.id_no) == 18)
            abort();
        /* a busy state only after its intent was asked for */
        if (f.state == DP_JOURNALING && was != DP_JOURNALING && !has_kind(&fx, EFF_INTENT))
            abort();

        for (int i = 0; i < fx.n; i++) {
            const struct effect *x = &fx.v[i];
            if (x->kind <= EFF_NONE || x->kind >= EFF_LAST || x->ndata > EFFECT_DATA_MAX)
                abort();
            check_text(x->arg, sizeof x->arg);
            if (strlen(h.id_no) == 18 && !(x->kind == EFF_CALL && x->i == DP_CALL_DRIVER) &&
                (holds(x->data, x->ndata, h.id_no) || strstr(x->arg, h.id_no)))
                abort(); /* the number in the driver call only */
            switch (x->kind) {
            case EFF_CALL:
                check_call(&f, &e, was, &h, x);
                h.call = (enum dp_call)x->i;
                break;
            case EFF_INTENT: {
                struct dp_ticket k;
                if (x->ndata != sizeof k || e.in != DP_IN_PRINTER || !e.ok || was != DP_PRINTER ||
                    f.state != DP_JOURNALING)
                    abort();
                memcpy(&k, x->data, sizeof k);
                check_ticket(&k);
                if (k.ticket_no[0] || strcmp(k.check_id, f.check_id) ||
                    strcmp(k.order_id, f.order.order_id))
                    abort();
                round_trip(&k, 0);
                h.intent = 1;
                h.settled = h.txn = h.unwritten = 0;
                break;
            }
            case EFF_TXN: {
                struct dp_ticket k;
                /* only on an ok ticket answer, with its number */
                if (x->ndata != sizeof k || e.in != DP_IN_ANSWER || e.call != DP_CALL_TICKET ||
                    !e.answer || !e.answer->ok || was != DP_ISSUING || !h.intent || h.settled)
                    abort();
                memcpy(&k, x->data, sizeof k);
                check_ticket(&k);
                if (strcmp(k.ticket_no, e.answer->ticket_no) || strcmp(k.check_id, f.check_id))
                    abort();
                round_trip(&k, 1);
                h.txn = 1;
                break;
            }
            case EFF_PRINT: {
                struct dp_ticket k;
                if (x->ndata != sizeof k || !h.txn || f.state != DP_PRINTING || was != DP_RECORDING)
                    abort();
                memcpy(&k, x->data, sizeof k);
                check_ticket(&k);
                break;
            }
            case EFF_OUTCOME:
                /* each intent settled once; done only when printed */
                if ((x->i != 1 && x->i != 2) || !h.intent || h.settled)
                    abort();
                if (x->i == 1 && (f.state != DP_DONE || !h.txn || was != DP_PRINTING))
                    abort();
                if (x->i == 2 && h.txn)
                    abort(); /* an issued ticket is never settled as not done */
                if (x->i == 2 && e.in == DP_IN_ANSWER && e.answer && !e.answer->ok &&
                    e.answer->status >= 200 && e.answer->status <= 299)
                    abort(); /* nor one whose 2xx did not read: it may have been issued */
                h.settled = 1;
                break;
            case EFF_SETTLE:
                if (!h.intent || h.settled || was != DP_ISSUING || h.txn)
                    abort();
                h.settled = 1;
                break;
            case EFF_ID_READ:
                if (x->i != 0 && x->i != 1)
                    abort();
                if (x->i == 1 && f.state != DP_ORDER)
                    abort();
                break;
            case EFF_FACE:
                if (x->i < 0 || x->i > 2)
                    abort();
                if (x->i == 1 && f.state != DP_FACE)
                    abort();
                if (x->i == 2 && f.state != DP_FACE_CHECK)
                    abort();
                break;
            case EFF_PRINTER_CHECK:
                if (f.state != DP_PRINTER)
                    abort();
                break;
            case EFF_HOME:
                if (f.state != DP_IDLE)
                    abort();
                break;
            default:
                break;
            }
        }
        if (e.in == DP_IN_JOURNAL && !e.ok && was == DP_JOURNALING)
            h.unwritten = 1;
        if (dp_busy(&f) && !h.intent)
            abort(); /* busy only with an intent asked for before */
        if ((f.state == DP_FAILED || f.state == DP_COUNTER || f.state == DP_REFUSED ||
             f.state == DP_ISSUED) &&
            h.intent && !h.settled && !h.unwritten)
            abort(); /* stopped with the intent open: settled, or left to the glue */
        if (f.state == DP_SCAN || f.state == DP_IDLE) /* a new journey */
            h.intent = h.settled = h.txn = h.unwritten = 0;
    }
    dp_wipe(&f);
    if (!all_zero(&f.id, sizeof f.id) || !all_zero(&f.order, sizeof f.order))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    log_set_quiet(1);
    /* the generator's seed: the input's FNV-1a */
    uint32_t seed = 2166136261u;
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 16777619u;
    struct fuzz_script sc = {data, size, seed ? seed : 1, EXTRA};
    drive(&sc);
    return 0;
}
