/* The depot pickup's flow (depot/flow.h), driven directly: pure state machine, made-up times.
 * The test plays the glue: the scanner, the ID card reader (readings as the glue judges
 * them), the face step's reports, the backend (answers filled by hand, as api.c would), the
 * journal and the printer. Each step checks what the flow asked for before the next input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "effects_find.h"
#include "flow.h"

#define CODE "PK2611300001"
#define ORDER "PO2611300001"
#define ID_NO "110105198203154413"
#define ID_MASKED "110***********4413"
#define NAME_MASKED "王*国"
#define SALT "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define DRIVER_REF "DR-PO2611300001-1"
#define CHECK_ID "FC000001"
#define TICKET_NO "TK2611300001"
#define ISSUED_AT "2026-11-30T14:15:03+08:00"

/* The reader's verdicts and kinds (idcard/idframe.h) as the glue passes them. */
#define IDF_VALID 0
#define IDF_BAD_NUMBER 1
#define IDF_BAD_BIRTH 2
#define IDF_NOT_YET 3
#define IDF_EXPIRED 4
#define IDF_BAD_DATES 5
#define KIND_RESIDENT 0
#define KIND_HMT 1
#define KIND_FOREIGN 2

static struct effects fx;
static int64_t now_ms; /* the step's time: each step 10 ms after the last unless set */

static const struct dp_config CFG = {
    .terminal = "T0001", .depot = "D01", .code_prefix = "PK", .today = 20261130};

static void init(struct dp_flow *f)
{
    dp_init(f, &CFG);
    now_ms = INT64_C(1796000000000);
}

/* ---- steps -------------------------------------------------------------------------------- */

static int pos(enum effect_kind k, int64_t i)
{
    return effects_find(&fx, k, i);
}

static int has(enum effect_kind k, int64_t i)
{
    return pos(k, i) >= 0;
}

static int count(enum effect_kind k)
{
    int n = 0;
    for (int i = 0; i < fx.n; i++)
        n += fx.v[i].kind == k;
    return n;
}

/* The step at exactly `t`. */
static void step_at(struct dp_flow *f, struct dp_event e, int64_t t)
{
    now_ms = t;
    fx.n = 0;
    dp_step(f, &e, now_ms, &fx);
    assert_true(fx.n <= EFFECTS_MAX);
}

static void step(struct dp_flow *f, struct dp_event e)
{
    step_at(f, e, now_ms + 10);
}

static void go(struct dp_flow *f, enum dp_input in)
{
    step(f, (struct dp_event){.in = in});
}

static void code(struct dp_flow *f, const char *text)
{
    step(f, (struct dp_event){.in = DP_IN_CODE, .text = text, .ok = 1});
}

static void key(struct dp_flow *f, const char *k)
{
    step(f, (struct dp_event){.in = DP_IN_KEY, .text = k});
}

/* Each character of s as its own key. */
static void keys(struct dp_flow *f, const char *s)
{
    for (; *s; s++) {
        char k[2] = {*s, '\0'};
        key(f, k);
    }
}

static void answer(struct dp_flow *f, enum dp_call k, const struct dp_answer *a)
{
    step(f, (struct dp_event){.in = DP_IN_ANSWER, .call = k, .answer = a});
}

static void read_id(struct dp_flow *f, const struct dp_id *id)
{
    step(f, (struct dp_event){.in = DP_IN_ID, .id = id});
}

static void face_at(struct dp_flow *f, int hint, int held, int64_t t)
{
    step_at(f, (struct dp_event){.in = DP_IN_FACE, .index = hint, .ok = held}, t);
}

static void ok_of(struct dp_flow *f, enum dp_input in, int ok)
{
    step(f, (struct dp_event){.in = in, .ok = ok});
}

static void tick(struct dp_flow *f, int64_t t)
{
    step_at(f, (struct dp_event){.in = DP_IN_TICK}, t);
}

/* The request of the step's only call, which is of kind k. */
static struct dp_request sent(enum dp_call k)
{
    assert_int_equal(count(EFF_CALL), 1);
    int p = pos(EFF_CALL, -1);
    assert_int_equal(fx.v[p].i, k);
    assert_int_equal(fx.v[p].ndata, sizeof(struct dp_request));
    struct dp_request rq;
    memcpy(&rq, fx.v[p].data, sizeof rq);
    assert_int_equal(rq.call, k);
    return rq;
}

/* The ticket EFF_INTENT, EFF_TXN or EFF_PRINT carries. */
static struct dp_ticket ticket_of(enum effect_kind k)
{
    assert_int_equal(count(k), 1);
    int p = pos(k, -1);
    assert_int_equal(fx.v[p].ndata, sizeof(struct dp_ticket));
    struct dp_ticket t;
    memcpy(&t, fx.v[p].data, sizeof t);
    return t;
}

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
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(b + i, s, k))
            return 1;
    return 0;
}

/* ---- the backend's answers and the reader's cards ----------------------------------------- */

static void fill_order(struct dp_order *o, const char *status)
{
    memset(o, 0, sizeof *o);
    snprintf(o->order_id, sizeof o->order_id, ORDER);
    snprintf(o->code, sizeof o->code, CODE);
    snprintf(o->product, sizeof o->product, "0号柴油");
    snprintf(o->unit, sizeof o->unit, "L");
    o->quantity_milli = 30000000;
    snprintf(o->plate, sizeof o->plate, "京A·12345");
    snprintf(o->valid_from, sizeof o->valid_from, "2026-11-29T00:00:00+08:00");
    snprintf(o->valid_to, sizeof o->valid_to, "2026-12-02T23:59:59+08:00");
    snprintf(o->depot, sizeof o->depot, "D01");
    snprintf(o->depot_name, sizeof o->depot_name, "北郊油库");
    snprintf(o->bay, sizeof o->bay, "3");
    snprintf(o->status, sizeof o->status, "%s", status);
    snprintf(o->id_salt, sizeof o->id_salt, SALT);
    if (!strcmp(status, "ISSUED")) {
        snprintf(o->ticket_no, sizeof o->ticket_no, "TK2611300005");
        snprintf(o->issued_at, sizeof o->issued_at, "2026-11-30T10:42:00+08:00");
        snprintf(o->issued_by, sizeof o->issued_by, "T0002");
    }
}

static const struct dp_answer *order_answer(const char *status)
{
    static struct dp_answer a;
    memset(&a, 0, sizeof a);
    a.ok = 1;
    a.status = 200;
    fill_order(&a.order, status);
    return &a;
}

static const struct dp_answer *refusal(int status, const char *code_)
{
    static struct dp_answer a;
    memset(&a, 0, sizeof a);
    a.status = status;
    snprintf(a.code, sizeof a.code, "%s", code_);
    return &a;
}

/* A 2xx that does not read (api.c's answer to it). */
static const struct dp_answer *unusable(void)
{
    return refusal(200, "UNUSABLE");
}

static const struct dp_answer *none(void)
{
    static struct dp_answer a;
    memset(&a, 0, sizeof a);
    a.transport = 1;
    return &a;
}

static const struct dp_answer *driver_ok(void)
{
    static struct dp_answer a;
    memset(&a, 0, sizeof a);
    a.ok = 1;
    a.status = 200;
    snprintf(a.driver_ref, sizeof a.driver_ref, DRIVER_REF);
    snprintf(a.name_masked, sizeof a.name_masked, NAME_MASKED);
    return &a;
}

static const struct dp_answer *face_answer(int match)
{
    static struct dp_answer a;
    memset(&a, 0, sizeof a);
    a.ok = 1;
    a.status = 200;
    a.match = match;
    a.score = match ? 93 : 31;
    snprintf(a.check_id, sizeof a.check_id, match ? CHECK_ID : "FC000099");
    return &a;
}

static const struct dp_answer *ticket_answer(int first, const char *terminal, const char *bay)
{
    static struct dp_answer a;
    memset(&a, 0, sizeof a);
    a.ok = 1;
    a.status = 200;
    snprintf(a.ticket_no, sizeof a.ticket_no, TICKET_NO);
    snprintf(a.bay, sizeof a.bay, "%s", bay);
    snprintf(a.issued_at, sizeof a.issued_at, first ? ISSUED_AT : "2026-11-30T10:42:00+08:00");
    snprintf(a.issued_by, sizeof a.issued_by, "%s", terminal);
    a.first = first;
    return &a;
}

static const struct dp_id *card(int kind, int verdict)
{
    static struct dp_id id;
    memset(&id, 0, sizeof id);
    snprintf(id.id_no, sizeof id.id_no, ID_NO);
    snprintf(id.name_masked, sizeof id.name_masked, NAME_MASKED);
    snprintf(id.id_masked, sizeof id.id_masked, ID_MASKED);
    id.kind = kind;
    id.verdict = verdict;
    return &id;
}

/* ---- the journey up to a state ------------------------------------------------------------ */

static void to_lookup(struct dp_flow *f)
{
    init(f);
    go(f, DP_IN_START);
    code(f, CODE);
    assert_int_equal(f->state, DP_LOOKUP);
}

static void to_order(struct dp_flow *f)
{
    to_lookup(f);
    answer(f, DP_CALL_PICKUP, order_answer("OPEN"));
    assert_int_equal(f->state, DP_ORDER);
}

static void to_driver(struct dp_flow *f)
{
    to_order(f);
    read_id(f, card(KIND_RESIDENT, IDF_VALID));
    assert_int_equal(f->state, DP_DRIVER);
}

static void to_face(struct dp_flow *f)
{
    to_driver(f);
    answer(f, DP_CALL_DRIVER, driver_ok());
    assert_int_equal(f->state, DP_FACE);
}

/* A good frame held for DP_FACE_HOLD_MS: the face call goes. */
static struct dp_request hold_face(struct dp_flow *f)
{
    int64_t t = now_ms + 100;
    face_at(f, DP_HINT_OK, 1, t);
    assert_int_equal(f->state, DP_FACE);
    assert_int_equal(count(EFF_CALL), 0);
    face_at(f, DP_HINT_OK, 1, t + DP_FACE_HOLD_MS);
    assert_int_equal(f->state, DP_FACE_CHECK);
    assert_true(has(EFF_FACE, 2));
    return sent(DP_CALL_FACE);
}

static void to_face_check(struct dp_flow *f)
{
    to_face(f);
    hold_face(f);
}

static void to_printer(struct dp_flow *f)
{
    to_face_check(f);
    answer(f, DP_CALL_FACE, face_answer(1));
    assert_int_equal(f->state, DP_PRINTER);
}

static void to_journaling(struct dp_flow *f)
{
    to_printer(f);
    ok_of(f, DP_IN_PRINTER, 1);
    assert_int_equal(f->state, DP_JOURNALING);
}

static void to_issuing(struct dp_flow *f)
{
    to_journaling(f);
    ok_of(f, DP_IN_JOURNAL, 1);
    assert_int_equal(f->state, DP_ISSUING);
}

static void to_recording(struct dp_flow *f)
{
    to_issuing(f);
    answer(f, DP_CALL_TICKET, ticket_answer(1, "T0001", "3"));
    assert_int_equal(f->state, DP_RECORDING);
}

static void to_printing(struct dp_flow *f)
{
    to_recording(f);
    ok_of(f, DP_IN_JOURNAL, 1);
    assert_int_equal(f->state, DP_PRINTING);
}

/* ---- 1: the happy path -------------------------------------------------------------------- */

static void happy_path(void **state)
{
    (void)state;
    static struct dp_flow f;
    init(&f);
    assert_int_equal(f.state, DP_IDLE);
    assert_string_equal(dp_screen_name(&f), "depot_scan");

    go(&f, DP_IN_START);
    assert_int_equal(f.state, DP_SCAN);
    assert_int_equal(f.error, DP_OK);
    assert_int_equal(count(EFF_CALL), 0);
    assert_int_equal(dp_deadline(&f), INT64_MAX);

    /* the code scanned: the order looked up at this depot */
    code(&f, CODE);
    assert_int_equal(f.state, DP_LOOKUP);
    assert_string_equal(dp_screen_name(&f), "depot_lookup");
    struct dp_request rq = sent(DP_CALL_PICKUP);
    assert_string_equal(rq.code, CODE);
    assert_string_equal(rq.depot, "D01");
    assert_string_equal(rq.id_no, "");
    assert_true(f.busy);
    assert_int_equal(dp_deadline(&f), now_ms + DP_CALL_MS);

    /* the order: the reader armed */
    answer(&f, DP_CALL_PICKUP, order_answer("OPEN"));
    assert_int_equal(f.state, DP_ORDER);
    assert_string_equal(dp_screen_name(&f), "depot_order");
    assert_true(has(EFF_ID_READ, 1));
    assert_false(f.busy);
    assert_string_equal(f.order.order_id, ORDER);
    assert_string_equal(f.order.plate, "京A·12345");
    assert_int_equal(f.order.quantity_milli, 30000000);
    assert_int_equal(dp_deadline(&f), INT64_MAX);

    /* the ID card: the reader disarmed, the driver call with the number and the salt, and
     * the number gone from the flow */
    read_id(&f, card(KIND_RESIDENT, IDF_VALID));
    assert_int_equal(f.state, DP_DRIVER);
    assert_true(has(EFF_ID_READ, 0));
    assert_false(has(EFF_ID_READ, 1));
    rq = sent(DP_CALL_DRIVER);
    assert_string_equal(rq.order_id, ORDER);
    assert_string_equal(rq.id_no, ID_NO);
    assert_string_equal(rq.id_salt, SALT);
    assert_int_equal(rq.id_kind, KIND_RESIDENT);
    assert_int_equal(rq.attempt, 1);
    assert_true(all_zero(f.id.id_no, sizeof f.id.id_no));
    assert_false(holds(&f, sizeof f, ID_NO));
    assert_string_equal(f.id.name_masked, NAME_MASKED);
    assert_string_equal(f.id.id_masked, ID_MASKED);
    assert_int_equal(f.driver_calls, 1);
    assert_int_equal(dp_deadline(&f), now_ms + DP_CALL_MS);

    /* one of the order's drivers: the face step */
    answer(&f, DP_CALL_DRIVER, driver_ok());
    assert_int_equal(f.state, DP_FACE);
    assert_string_equal(dp_screen_name(&f), "depot_face");
    assert_true(has(EFF_FACE, 1));
    assert_string_equal(f.driver_ref, DRIVER_REF);
    assert_int_equal(f.face_hint, DP_HINT_STARTING);
    assert_int_equal(f.face_started, now_ms);
    assert_int_equal(dp_deadline(&f), now_ms + DP_FACE_MAX_MS);

    /* a good frame at t, still good at t + the hold: the frame kept, the face call */
    int64_t t = now_ms + 500;
    face_at(&f, DP_HINT_OK, 1, t);
    assert_int_equal(f.state, DP_FACE);
    assert_int_equal(f.face_good_since, t);
    assert_int_equal(dp_deadline(&f), t + DP_FACE_HOLD_MS);
    assert_int_equal(count(EFF_CALL), 0);
    face_at(&f, DP_HINT_OK, 1, t + DP_FACE_HOLD_MS);
    assert_int_equal(f.state, DP_FACE_CHECK);
    assert_true(has(EFF_FACE, 2));
    assert_false(has(EFF_FACE, 0));
    rq = sent(DP_CALL_FACE);
    assert_string_equal(rq.order_id, ORDER);
    assert_string_equal(rq.driver_ref, DRIVER_REF);
    assert_int_equal(rq.attempt, 1);
    assert_true(pos(EFF_FACE, 2) < pos(EFF_CALL, -1)); /* the frame kept before it is sent */
    assert_int_equal(dp_deadline(&f), now_ms + DP_CALL_MS);

    /* a match: the frames wiped, the printer checked */
    answer(&f, DP_CALL_FACE, face_answer(1));
    assert_int_equal(f.state, DP_PRINTER);
    assert_true(has(EFF_FACE, 0));
    assert_true(has(EFF_PRINTER_CHECK, -1));
    assert_string_equal(f.check_id, CHECK_ID);
    assert_int_equal(dp_deadline(&f), now_ms + DP_PRINTER_MS);
    assert_false(dp_busy(&f));

    /* the printer can print: the intent, masked, without a ticket number */
    ok_of(&f, DP_IN_PRINTER, 1);
    assert_int_equal(f.state, DP_JOURNALING);
    assert_true(dp_busy(&f));
    assert_int_equal(count(EFF_CALL), 0);
    struct dp_ticket k = ticket_of(EFF_INTENT);
    assert_string_equal(k.order_id, ORDER);
    assert_string_equal(k.code, CODE);
    assert_string_equal(k.ticket_no, "");
    assert_string_equal(k.product, "0号柴油");
    assert_string_equal(k.unit, "L");
    assert_int_equal(k.quantity_milli, 30000000);
    assert_string_equal(k.plate, "京A·12345");
    assert_string_equal(k.bay, "3");
    assert_string_equal(k.valid_to, "2026-12-02T23:59:59+08:00");
    assert_string_equal(k.name_masked, NAME_MASKED);
    assert_string_equal(k.id_masked, ID_MASKED);
    assert_string_equal(k.driver_ref, DRIVER_REF);
    assert_string_equal(k.check_id, CHECK_ID);
    assert_string_equal(k.issued_by, "T0001");
    assert_false(k.reprint);
    assert_false(holds(&k, sizeof k, ID_NO));
    assert_int_equal(dp_deadline(&f), now_ms + DP_JOURNAL_MS);

    /* the intent is durable: the ticket asked for */
    ok_of(&f, DP_IN_JOURNAL, 1);
    assert_int_equal(f.state, DP_ISSUING);
    assert_true(dp_busy(&f));
    rq = sent(DP_CALL_TICKET);
    assert_string_equal(rq.order_id, ORDER);
    assert_string_equal(rq.driver_ref, DRIVER_REF);
    assert_string_equal(rq.check_id, CHECK_ID);
    assert_string_equal(rq.terminal, "T0001");
    assert_string_equal(rq.id_no, "");
    assert_int_equal(dp_deadline(&f), now_ms + DP_CALL_MS);

    /* issued by this call: recorded */
    answer(&f, DP_CALL_TICKET, ticket_answer(1, "T0001", "4"));
    assert_int_equal(f.state, DP_RECORDING);
    assert_true(dp_busy(&f));
    k = ticket_of(EFF_TXN);
    assert_string_equal(k.ticket_no, TICKET_NO);
    assert_string_equal(k.issued_at, ISSUED_AT);
    assert_string_equal(k.bay, "4"); /* the answer's bay */
    assert_string_equal(k.check_id, CHECK_ID);
    assert_string_equal(k.id_masked, ID_MASKED);
    assert_false(holds(&k, sizeof k, ID_NO));
    assert_false(has(EFF_OUTCOME, -1));
    assert_int_equal(dp_deadline(&f), now_ms + DP_JOURNAL_MS);

    /* recorded: printed */
    ok_of(&f, DP_IN_JOURNAL, 1);
    assert_int_equal(f.state, DP_PRINTING);
    assert_string_equal(dp_screen_name(&f), "depot_printing");
    assert_true(dp_busy(&f));
    k = ticket_of(EFF_PRINT);
    assert_string_equal(k.ticket_no, TICKET_NO);
    assert_string_equal(k.bay, "4");
    assert_string_equal(k.name_masked, NAME_MASKED);

    /* printed: the intent settled done */
    ok_of(&f, DP_IN_PRINTED, 1);
    assert_int_equal(f.state, DP_DONE);
    assert_string_equal(dp_screen_name(&f), "depot_done");
    assert_false(dp_busy(&f));
    assert_int_equal(count(EFF_OUTCOME), 1);
    assert_true(has(EFF_OUTCOME, 1));
    assert_string_equal(fx.v[pos(EFF_OUTCOME, 1)].arg, "PRINTED");
    assert_int_equal(dp_deadline(&f), INT64_MAX);

    go(&f, DP_IN_FINISH);
    assert_int_equal(f.state, DP_IDLE);
    assert_true(has(EFF_HOME, -1));
    assert_true(has(EFF_ID_READ, 0));
    assert_true(has(EFF_FACE, 0));
    assert_false(holds(&f, sizeof f, ID_NO));
}

/* ---- 2: the lookup ------------------------------------------------------------------------ */

static void lookup_refusals(void **state)
{
    (void)state;
    static struct dp_flow f;
    static const struct {
        int status;
        const char *code;
        enum dp_error why;
    } refused[] = {
        {404, "PICKUP_NOT_FOUND", DP_ERR_UNKNOWN_CODE},
        {410, "PICKUP_EXPIRED", DP_ERR_EXPIRED_ORDER},
        {409, "PICKUP_USED", DP_ERR_USED},
        {403, "PICKUP_OTHER_DEPOT", DP_ERR_OTHER_DEPOT},
        {400, "INVALID_ARGUMENT", DP_ERR_REFUSED},
        {409, "SOMETHING_NEW", DP_ERR_REFUSED},
        {200, "UNUSABLE", DP_ERR_REFUSED},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        to_lookup(&f);
        static struct dp_answer a;
        a = *refusal(refused[i].status, refused[i].code);
        if (refused[i].why == DP_ERR_OTHER_DEPOT)
            snprintf(a.order.depot_name, sizeof a.order.depot_name, "南港油库");
        answer(&f, DP_CALL_PICKUP, &a);
        if (f.state != DP_REFUSED || f.error != refused[i].why)
            fail_msg("%d %s: state %s, error %d", refused[i].status, refused[i].code,
                     dp_state_name(f.state), f.error);
        assert_string_equal(dp_screen_name(&f), "depot_refused");
        assert_int_equal(count(EFF_CALL), 0);
        assert_false(has(EFF_ID_READ, 1));
        assert_false(f.busy);
        assert_int_equal(dp_deadline(&f), INT64_MAX);
        if (refused[i].why == DP_ERR_OTHER_DEPOT)
            assert_string_equal(f.order.depot_name, "南港油库");
        /* continue: the scan screen again, nothing of the order kept */
        go(&f, DP_IN_NEXT);
        assert_int_equal(f.state, DP_SCAN);
        assert_int_equal(f.error, DP_OK);
        assert_true(all_zero(&f.order, sizeof f.order));
    }

    /* a new code straight from the refusal's screen */
    to_lookup(&f);
    answer(&f, DP_CALL_PICKUP, refusal(404, "PICKUP_NOT_FOUND"));
    code(&f, "PK2611300009");
    assert_int_equal(f.state, DP_LOOKUP);
    assert_int_equal(f.error, DP_OK);
    assert_string_equal(sent(DP_CALL_PICKUP).code, "PK2611300009");
    /* ... and one that is no code: the scan screen, with the note */
    answer(&f, DP_CALL_PICKUP, refusal(404, "PICKUP_NOT_FOUND"));
    code(&f, "hello");
    assert_int_equal(f.state, DP_SCAN);
    assert_int_equal(f.error, DP_ERR_NOT_CODE);
    assert_int_equal(count(EFF_CALL), 0);

    /* issued already: when and where */
    to_lookup(&f);
    answer(&f, DP_CALL_PICKUP, order_answer("ISSUED"));
    assert_int_equal(f.state, DP_ISSUED);
    assert_string_equal(dp_screen_name(&f), "depot_issued");
    assert_string_equal(f.order.ticket_no, "TK2611300005");
    assert_string_equal(f.order.issued_by, "T0002");
    assert_string_equal(f.order.issued_at, "2026-11-30T10:42:00+08:00");
    assert_false(has(EFF_ID_READ, 1));
    assert_false(has(EFF_OUTCOME, -1));
    go(&f, DP_IN_NEXT); /* nothing to try again */
    assert_int_equal(f.state, DP_ISSUED);
    go(&f, DP_IN_FINISH);
    assert_int_equal(f.state, DP_IDLE);
    assert_true(has(EFF_HOME, -1));

    /* no answer, a server error, or none in time: offline; "try again" asks again */
    for (int how = 0; how < 3; how++) {
        to_lookup(&f);
        int64_t sent_at = now_ms;
        if (how == 0)
            answer(&f, DP_CALL_PICKUP, none());
        else if (how == 1)
            answer(&f, DP_CALL_PICKUP, refusal(503, "UNAVAILABLE"));
        else
            tick(&f, sent_at + DP_CALL_MS);
        assert_int_equal(f.state, DP_FAILED);
        assert_int_equal(f.error, DP_ERR_OFFLINE);
        assert_string_equal(dp_screen_name(&f), "depot_failed");
        assert_false(f.busy);
        assert_int_equal(dp_deadline(&f), INT64_MAX);
        go(&f, DP_IN_NEXT);
        assert_int_equal(f.state, DP_LOOKUP);
        assert_int_equal(f.error, DP_OK);
        struct dp_request rq = sent(DP_CALL_PICKUP);
        assert_string_equal(rq.code, CODE);
        assert_string_equal(rq.depot, "D01");
        assert_int_equal(dp_deadline(&f), now_ms + DP_CALL_MS);
        answer(&f, DP_CALL_PICKUP, order_answer("OPEN"));
        assert_int_equal(f.state, DP_ORDER);
        assert_string_equal(f.order.code, CODE);
    }
    /* a tick before the deadline changes nothing */
    to_lookup(&f);
    int64_t d = dp_deadline(&f);
    tick(&f, d - 1);
    assert_int_equal(f.state, DP_LOOKUP);
    assert_int_equal(fx.n, 0);
    assert_int_equal(dp_deadline(&f), d);
    /* back from the lookup: the scan screen, and its late answer is nobody's */
    go(&f, DP_IN_BACK);
    assert_int_equal(f.state, DP_SCAN);
    answer(&f, DP_CALL_PICKUP, order_answer("OPEN"));
    assert_int_equal(f.state, DP_SCAN);
    assert_int_equal(fx.n, 0);
    assert_false(has(EFF_ID_READ, 1));
}

/* ---- 3: codes and the keypad -------------------------------------------------------------- */

static void bad_codes(void **state)
{
    (void)state;
    static struct dp_flow f;
    static const char *const bad[] = {
        "XX2611300001",                      /* another prefix */
        "pk2611300001",                      /* the prefix is as configured */
        "2611300001",                        /* no prefix */
        "PK12345",                           /* too short */
        "PK",                                /* the prefix alone */
        "",                                  /* nothing */
        "PK2611-300001",                     /* a symbol */
        "PK261130 0001",                     /* a space */
        "PK2611300001\n",                    /* a line end */
        "PK26113000/1",                      /* a path */
        "PK0123456789012345678901234567890", /* 31 after the prefix */
        "PK二六一一三〇〇〇〇一",            /* not ASCII */
        "https://example.com/PK2611300001",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        init(&f);
        go(&f, DP_IN_START);
        code(&f, bad[i]);
        if (f.state != DP_SCAN || f.error != DP_ERR_NOT_CODE)
            fail_msg("\"%s\": state %s, error %d", bad[i], dp_state_name(f.state), f.error);
        assert_int_equal(count(EFF_CALL), 0);
        assert_true(has(EFF_REDRAW, -1));
        assert_false(f.busy);
        assert_false(dp_code_ok(&CFG, bad[i]));
    }
    /* refused by the scanner, or no text: no code either */
    init(&f);
    go(&f, DP_IN_START);
    step(&f, (struct dp_event){.in = DP_IN_CODE, .text = CODE, .ok = 0});
    assert_int_equal(f.state, DP_SCAN);
    assert_int_equal(f.error, DP_ERR_NOT_CODE);
    assert_int_equal(count(EFF_CALL), 0);
    step(&f, (struct dp_event){.in = DP_IN_CODE, .text = NULL, .ok = 1});
    assert_int_equal(f.state, DP_SCAN);
    assert_int_equal(count(EFF_CALL), 0);
    /* a good one after the note: looked up, the note gone */
    code(&f, CODE);
    assert_int_equal(f.state, DP_LOOKUP);
    assert_int_equal(f.error, DP_OK);

    /* a code where no code is taken: nothing */
    static const int where[] = {DP_IDLE, DP_LOOKUP, DP_ORDER, DP_FACE, DP_ISSUING, DP_DONE};
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        init(&f);
        switch (where[i]) {
        case DP_LOOKUP:
            to_lookup(&f);
            break;
        case DP_ORDER:
            to_order(&f);
            break;
        case DP_FACE:
            to_face(&f);
            break;
        case DP_ISSUING:
            to_issuing(&f);
            break;
        case DP_DONE:
            to_printing(&f);
            ok_of(&f, DP_IN_PRINTED, 1);
            break;
        default:
            break;
        }
        enum dp_state was = f.state;
        code(&f, "PK2611300002");
        assert_int_equal(f.state, was);
        assert_int_equal(count(EFF_CALL), 0);
        assert_int_equal(fx.n, 0);
    }

    /* what a pickup code is */
    assert_true(dp_code_ok(&CFG, CODE));
    assert_true(dp_code_ok(&CFG, "PK123456"));                         /* 6 after the prefix */
    assert_true(dp_code_ok(&CFG, "PK012345678901234567890123456789")); /* 30 */
    assert_true(dp_code_ok(&CFG, "PKabcXYZ09"));
    assert_false(dp_code_ok(&CFG, "PK12345"));
    struct dp_config other = CFG;
    other.code_prefix = "TY-";
    assert_true(dp_code_ok(&other, "TY-123456"));
    assert_false(dp_code_ok(&other, CODE));
    other.code_prefix = "";
    assert_true(dp_code_ok(&other, "123456"));
    assert_false(dp_code_ok(&other, "12345"));
}

static void keypad(void **state)
{
    (void)state;
    static struct dp_flow f;
    init(&f);
    go(&f, DP_IN_START);
    /* keys before the keypad is shown: nothing */
    key(&f, "1");
    assert_string_equal(f.typed, "");
    assert_int_equal(fx.n, 0);

    go(&f, DP_IN_TYPE);
    assert_true(f.typing);
    assert_true(has(EFF_REDRAW, -1));
    assert_string_equal(dp_screen_name(&f), "depot_scan");
    keys(&f, "2611300001");
    assert_string_equal(f.typed, "2611300001");
    /* only digits are typed; del and clear */
    key(&f, "A");
    key(&f, "-");
    key(&f, "12");
    key(&f, "");
    step(&f, (struct dp_event){.in = DP_IN_KEY, .text = NULL});
    assert_string_equal(f.typed, "2611300001");
    key(&f, "del");
    assert_string_equal(f.typed, "261130000");
    key(&f, "clear");
    assert_string_equal(f.typed, "");
    key(&f, "del"); /* nothing to delete */
    assert_string_equal(f.typed, "");
    /* too few digits: the note, the keypad stays with what was typed */
    keys(&f, "12345");
    key(&f, "ok");
    assert_int_equal(f.state, DP_SCAN);
    assert_int_equal(f.error, DP_ERR_NOT_CODE);
    assert_true(f.typing);
    assert_string_equal(f.typed, "12345");
    assert_int_equal(count(EFF_CALL), 0);
    key(&f, "6"); /* typing again clears the note */
    assert_int_equal(f.error, DP_OK);
    key(&f, "clear");
    keys(&f, "2611300001");
    key(&f, "ok");
    assert_int_equal(f.state, DP_LOOKUP);
    assert_false(f.typing);
    assert_string_equal(f.typed, "");
    assert_string_equal(sent(DP_CALL_PICKUP).code, "PK2611300001");
    assert_string_equal(f.order.code, "PK2611300001");

    /* at most DP_CODE_MAX characters with the prefix */
    init(&f);
    go(&f, DP_IN_START);
    go(&f, DP_IN_TYPE);
    for (int i = 0; i < DP_CODE_MAX + 10; i++)
        key(&f, "7");
    assert_int_equal(strlen(f.typed), DP_CODE_MAX - 2);
    key(&f, "ok"); /* 38 digits: more than a code has */
    assert_int_equal(f.state, DP_SCAN);
    assert_int_equal(f.error, DP_ERR_NOT_CODE);

    /* the keypad toggled off forgets what was typed; back closes it, then leaves */
    init(&f);
    go(&f, DP_IN_START);
    go(&f, DP_IN_TYPE);
    keys(&f, "123");
    go(&f, DP_IN_TYPE);
    assert_false(f.typing);
    assert_string_equal(f.typed, "");
    go(&f, DP_IN_TYPE);
    keys(&f, "123");
    go(&f, DP_IN_BACK);
    assert_int_equal(f.state, DP_SCAN);
    assert_false(f.typing);
    assert_string_equal(f.typed, "");
    assert_false(has(EFF_HOME, -1));
    go(&f, DP_IN_BACK);
    assert_int_equal(f.state, DP_IDLE);
    assert_true(has(EFF_HOME, -1));
    /* TYPE outside the scan screen: nothing */
    to_order(&f);
    go(&f, DP_IN_TYPE);
    assert_false(f.typing);
    assert_int_equal(fx.n, 0);
}

/* ---- 4: the ID card ----------------------------------------------------------------------- */

static void id_cards(void **state)
{
    (void)state;
    static struct dp_flow f;
    static const struct {
        int kind, verdict;
        enum dp_error why;
    } refused[] = {
        {KIND_RESIDENT, IDF_EXPIRED, DP_ERR_ID_EXPIRED},
        {KIND_RESIDENT, IDF_NOT_YET, DP_ERR_ID_NOT_YET},
        {KIND_RESIDENT, IDF_BAD_NUMBER, DP_ERR_ID_BAD},
        {KIND_RESIDENT, IDF_BAD_BIRTH, DP_ERR_ID_BAD},
        {KIND_RESIDENT, IDF_BAD_DATES, DP_ERR_ID_BAD},
        {KIND_HMT, IDF_EXPIRED, DP_ERR_ID_EXPIRED},
        {KIND_FOREIGN, IDF_VALID, DP_ERR_ID_KIND},
        {KIND_FOREIGN, IDF_EXPIRED, DP_ERR_ID_KIND},
    };
    to_order(&f);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        read_id(&f, card(refused[i].kind, refused[i].verdict));
        if (f.state != DP_ORDER || f.error != refused[i].why)
            fail_msg("kind %d verdict %d: state %s, error %d", refused[i].kind, refused[i].verdict,
                     dp_state_name(f.state), f.error);
        assert_int_equal(count(EFF_CALL), 0);
        assert_false(has(EFF_ID_READ, 0)); /* the reader stays armed for another card */
        assert_true(has(EFF_REDRAW, -1));
        assert_false(holds(&f, sizeof f, ID_NO));
        assert_int_equal(f.driver_calls, 0);
    }
    /* a card that could not be read */
    go(&f, DP_IN_ID_FAILED);
    assert_int_equal(f.state, DP_ORDER);
    assert_int_equal(f.error, DP_ERR_ID_UNREADABLE);
    assert_int_equal(count(EFF_CALL), 0);
    /* no reading at all */
    step(&f, (struct dp_event){.in = DP_IN_ID, .id = NULL});
    assert_int_equal(f.state, DP_ORDER);
    assert_int_equal(fx.n, 0);
    /* then a good residence permit: the note cleared, its kind sent */
    read_id(&f, card(KIND_HMT, IDF_VALID));
    assert_int_equal(f.state, DP_DRIVER);
    assert_int_equal(f.error, DP_OK);
    struct dp_request rq = sent(DP_CALL_DRIVER);
    assert_int_equal(rq.id_kind, KIND_HMT);
    assert_int_equal(rq.attempt, 1);
    assert_true(all_zero(f.id.id_no, sizeof f.id.id_no));

    /* a card read anywhere but on the order's screen: not taken, not kept */
    static const int where[] = {DP_IDLE, DP_SCAN, DP_LOOKUP, DP_DRIVER, DP_FACE, DP_PRINTER};
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        init(&f);
        switch (where[i]) {
        case DP_SCAN:
            go(&f, DP_IN_START);
            break;
        case DP_LOOKUP:
            to_lookup(&f);
            break;
        case DP_DRIVER:
            to_driver(&f);
            break;
        case DP_FACE:
            to_face(&f);
            break;
        case DP_PRINTER:
            to_printer(&f);
            break;
        default:
            break;
        }
        enum dp_state was = f.state;
        read_id(&f, card(KIND_RESIDENT, IDF_VALID));
        assert_int_equal(f.state, was);
        assert_int_equal(count(EFF_CALL), 0);
        assert_false(holds(&f, sizeof f, ID_NO));
        go(&f, DP_IN_ID_FAILED);
        assert_int_equal(f.state, was);
        assert_int_not_equal(f.error, DP_ERR_ID_UNREADABLE);
    }
}

static void driver_answers(void **state)
{
    (void)state;
    static struct dp_flow f;
    /* not one of the order's drivers: said so; another card gets attempt 2 */
    to_driver(&f);
    answer(&f, DP_CALL_DRIVER, refusal(403, "DRIVER_NOT_AUTHORISED"));
    assert_int_equal(f.state, DP_NOT_AUTHORISED);
    assert_string_equal(dp_screen_name(&f), "depot_not_authorised");
    assert_false(f.busy);
    assert_int_equal(dp_deadline(&f), INT64_MAX);
    go(&f, DP_IN_NEXT);
    assert_int_equal(f.state, DP_ORDER);
    assert_int_equal(f.error, DP_OK);
    assert_true(has(EFF_ID_READ, 1));
    read_id(&f, card(KIND_RESIDENT, IDF_VALID));
    assert_int_equal(f.state, DP_DRIVER);
    struct dp_request rq = sent(DP_CALL_DRIVER);
    assert_int_equal(rq.attempt, 2);
    assert_string_equal(rq.id_no, ID_NO);
    answer(&f, DP_CALL_DRIVER, refusal(403, "DRIVER_NOT_AUTHORISED"));
    go(&f, DP_IN_NEXT);
    read_id(&f, card(KIND_RESIDENT, IDF_VALID));
    assert_int_equal(sent(DP_CALL_DRIVER).attempt, 3);
    answer(&f, DP_CALL_DRIVER, driver_ok());
    assert_int_equal(f.state, DP_FACE);
    /* back from "not authorised": home */
    to_driver(&f);
    answer(&f, DP_CALL_DRIVER, refusal(403, "DRIVER_NOT_AUTHORISED"));
    go(&f, DP_IN_BACK);
    assert_int_equal(f.state, DP_IDLE);
    assert_true(has(EFF_HOME, -1));

    /* no answer, a server error, none in time: offline; "try again" from the order */
    for (int how = 0; how < 3; how++) {
        to_driver(&f);
        if (how == 0)
            answer(&f, DP_CALL_DRIVER, none());
        else if (how == 1)
            answer(&f, DP_CALL_DRIVER, refusal(502, ""));
        else
            tick(&f, dp_deadline(&f));
        assert_int_equal(f.state, DP_FAILED);
        assert_int_equal(f.error, DP_ERR_OFFLINE);
        assert_false(f.busy);
        assert_false(holds(&f, sizeof f, ID_NO));
        go(&f, DP_IN_NEXT);
        assert_int_equal(f.state, DP_LOOKUP);
        assert_string_equal(sent(DP_CALL_PICKUP).code, CODE);
        answer(&f, DP_CALL_PICKUP, order_answer("OPEN"));
        assert_int_equal(f.state, DP_ORDER);
        assert_true(has(EFF_ID_READ, 1));
        read_id(&f, card(KIND_RESIDENT, IDF_VALID));
        assert_int_equal(sent(DP_CALL_DRIVER).attempt, 2); /* a new key */
    }
    /* any other refusal: the counter */
    static const struct {
        int status;
        const char *code;
    } other[] = {{410, "PICKUP_EXPIRED"},
                 {409, "PICKUP_USED"},
                 {400, "INVALID_ARGUMENT"},
                 {200, "UNUSABLE"}};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        to_driver(&f);
        answer(&f, DP_CALL_DRIVER, refusal(other[i].status, other[i].code));
        assert_int_equal(f.state, DP_COUNTER);
        assert_int_equal(f.error, DP_ERR_REFUSED);
        assert_string_equal(dp_screen_name(&f), "depot_counter");
        assert_int_equal(count(EFF_CALL), 0);
        go(&f, DP_IN_NEXT);
        assert_int_equal(f.state, DP_COUNTER);
    }
}

/* ---- 5: the face -------------------------------------------------------------------------- */

static void face_no_match(void **state)
{
    (void)state;
    static struct dp_flow f;
    to_face(&f);
    for (int attempt = 1; attempt <= DP_FACE_TRIES; attempt++) {
        struct dp_request rq = hold_face(&f);
        assert_int_equal(rq.attempt, attempt); /* each frame its own key */
        assert_string_equal(rq.driver_ref, DRIVER_REF);
        answer(&f, DP_CALL_FACE, face_answer(0));
        assert_true(has(EFF_FACE, 0));
        assert_int_equal(f.face_tries, attempt);
        if (attempt < DP_FACE_TRIES) {
            assert_int_equal(f.state, DP_FACE_RETRY);
            assert_string_equal(dp_screen_name(&f), "depot_face_retry");
            assert_int_equal(dp_deadline(&f), INT64_MAX);
            go(&f, DP_IN_NEXT);
            assert_int_equal(f.state, DP_FACE);
            assert_true(has(EFF_FACE, 1));
            assert_int_equal(f.face_hint, DP_HINT_STARTING);
            assert_int_equal(f.face_good_since, 0);
        }
    }
    assert_int_equal(f.state, DP_COUNTER);
    assert_int_equal(f.error, DP_ERR_NO_MATCH);
    assert_false(has(EFF_PRINTER_CHECK, -1));
    go(&f, DP_IN_NEXT);
    assert_int_equal(f.state, DP_COUNTER);
    assert_int_equal(count(EFF_CALL), 0);
    go(&f, DP_IN_FINISH);
    assert_int_equal(f.state, DP_IDLE);

    /* a retry that ends in a match goes on */
    to_face(&f);
    hold_face(&f);
    answer(&f, DP_CALL_FACE, face_answer(0));
    go(&f, DP_IN_NEXT);
    assert_int_equal(hold_face(&f).attempt, 2);
    answer(&f, DP_CALL_FACE, face_answer(1));
    assert_int_equal(f.state, DP_PRINTER);
}

static void face_busy(void **state)
{
    (void)state;
    static struct dp_flow f;
    /* busy, no answer, none in time: "try again" sends the same frame with the same key */
    for (int how = 0; how < 3; how++) {
        to_face(&f);
        struct dp_request first = hold_face(&f);
        if (how == 0)
            answer(&f, DP_CALL_FACE, refusal(503, "FACE_BUSY"));
        else if (how == 1)
            answer(&f, DP_CALL_FACE, none());
        else
            tick(&f, dp_deadline(&f));
        assert_int_equal(f.state, DP_FACE_BUSY);
        assert_string_equal(dp_screen_name(&f), "depot_face_busy");
        assert_false(has(EFF_FACE, 0)); /* the frame is kept */
        assert_false(has(EFF_FACE, 1));
        assert_int_equal(f.face_tries, 0);
        assert_int_equal(dp_deadline(&f), INT64_MAX);
        go(&f, DP_IN_NEXT);
        assert_int_equal(f.state, DP_FACE_CHECK);
        assert_false(has(EFF_FACE, 1)); /* no new frame */
        struct dp_request again = sent(DP_CALL_FACE);
        assert_int_equal(again.attempt, first.attempt);
        assert_string_equal(again.driver_ref, first.driver_ref);
        assert_string_equal(again.order_id, first.order_id);
        assert_int_equal(dp_deadline(&f), now_ms + DP_CALL_MS);
        answer(&f, DP_CALL_FACE, face_answer(1));
        assert_int_equal(f.state, DP_PRINTER);
    }
    /* busy, then back: home, the frame wiped */
    to_face(&f);
    hold_face(&f);
    answer(&f, DP_CALL_FACE, refusal(503, "FACE_BUSY"));
    go(&f, DP_IN_BACK);
    assert_int_equal(f.state, DP_IDLE);
    assert_true(has(EFF_FACE, 0));
    assert_true(has(EFF_HOME, -1));

    /* a frame the service cannot use: another is taken */
    to_face(&f);
    hold_face(&f);
    answer(&f, DP_CALL_FACE, refusal(400, "BAD_IMAGE"));
    assert_int_equal(f.state, DP_FACE);
    assert_true(has(EFF_FACE, 0));
    assert_true(has(EFF_FACE, 1));
    assert_true(pos(EFF_FACE, 0) < pos(EFF_FACE, 1));
    assert_int_equal(f.face_tries, 0);
    /* any other refusal: the counter, the frame wiped */
    static const char *const other[] = {"NOT_VERIFIED", "PICKUP_EXPIRED"};
    for (size_t i = 0; i < 2; i++) {
        to_face(&f);
        hold_face(&f);
        answer(&f, DP_CALL_FACE, refusal(i ? 410 : 409, other[i]));
        assert_int_equal(f.state, DP_COUNTER);
        assert_int_equal(f.error, DP_ERR_REFUSED);
        assert_true(has(EFF_FACE, 0));
    }
}

static void face_hold(void **state)
{
    (void)state;
    static struct dp_flow f;
    to_face(&f);
    int64_t t = now_ms + 1000;
    /* a hint without a frame, then a frame that goes bad before the hold: the hold restarts */
    face_at(&f, 3, 0, t);
    assert_int_equal(f.face_hint, 3);
    assert_true(has(EFF_REDRAW, -1));
    assert_int_equal(f.face_good_since, 0);
    face_at(&f, 3, 0, t + 50); /* the same hint: nothing to redraw */
    assert_false(has(EFF_REDRAW, -1));
    face_at(&f, DP_HINT_OK, 1, t + 100);
    assert_int_equal(f.face_good_since, t + 100);
    face_at(&f, 2, 1, t + 600); /* a bad hint, a frame held: no good frame */
    assert_int_equal(f.face_good_since, 0);
    assert_int_equal(dp_deadline(&f), f.face_started + DP_FACE_MAX_MS);
    face_at(&f, DP_HINT_OK, 1, t + 700);
    assert_int_equal(f.face_good_since, t + 700);
    face_at(&f, DP_HINT_OK, 1, t + 100 + DP_FACE_HOLD_MS); /* from the first: too early */
    assert_int_equal(f.state, DP_FACE);
    assert_int_equal(count(EFF_CALL), 0);
    face_at(&f, DP_HINT_OK, 0, t + 1000); /* good, but no frame held: restarts too */
    assert_int_equal(f.face_good_since, 0);
    face_at(&f, DP_HINT_OK, 1, t + 1100);
    face_at(&f, DP_HINT_OK, 1, t + 1100 + DP_FACE_HOLD_MS - 1);
    assert_int_equal(f.state, DP_FACE);
    assert_int_equal(dp_deadline(&f), t + 1100 + DP_FACE_HOLD_MS);
    /* no report comes: the tick at the hold's end sends the held frame */
    tick(&f, t + 1100 + DP_FACE_HOLD_MS - 1);
    assert_int_equal(f.state, DP_FACE);
    assert_int_equal(fx.n, 0);
    tick(&f, t + 1100 + DP_FACE_HOLD_MS);
    assert_int_equal(f.state, DP_FACE_CHECK);
    assert_true(has(EFF_FACE, 2));
    assert_int_equal(sent(DP_CALL_FACE).attempt, 1);
    /* reports after the frame went: nothing */
    face_at(&f, DP_HINT_OK, 1, now_ms + 10);
    assert_int_equal(f.state, DP_FACE_CHECK);
    assert_int_equal(fx.n, 0);
}

static void face_timeout(void **state)
{
    (void)state;
    static struct dp_flow f;
    to_face(&f);
    int64_t started = f.face_started;
    assert_int_equal(dp_deadline(&f), started + DP_FACE_MAX_MS);
    face_at(&f, 4, 0, started + 5000);
    tick(&f, started + DP_FACE_MAX_MS - 1);
    assert_false(f.face_timed_out);
    assert_int_equal(fx.n, 0);
    tick(&f, started + DP_FACE_MAX_MS);
    assert_int_equal(f.state, DP_FACE); /* the advice stays, "try again" is offered */
    assert_true(f.face_timed_out);
    assert_true(has(EFF_REDRAW, -1));
    assert_int_equal(count(EFF_CALL), 0);
    assert_int_equal(dp_deadline(&f), INT64_MAX);
    tick(&f, started + DP_FACE_MAX_MS + 5000); /* said once */
    assert_int_equal(fx.n, 0);
    /* try again: the clock restarts */
    go(&f, DP_IN_NEXT);
    assert_false(f.face_timed_out);
    assert_int_equal(f.face_started, now_ms);
    assert_int_equal(dp_deadline(&f), now_ms + DP_FACE_MAX_MS);
    go(&f, DP_IN_NEXT); /* not timed out: nothing */
    assert_int_equal(fx.n, 0);
    /* timed out, then a good frame after all: it goes */
    tick(&f, f.face_started + DP_FACE_MAX_MS);
    assert_true(f.face_timed_out);
    int64_t t = now_ms + 10;
    face_at(&f, DP_HINT_OK, 1, t);
    assert_int_equal(dp_deadline(&f), t + DP_FACE_HOLD_MS);
    tick(&f, t + DP_FACE_HOLD_MS);
    assert_int_equal(f.state, DP_FACE_CHECK);
}

/* ---- 6: the printer, the journal, the ticket ---------------------------------------------- */

static void printer_and_journal(void **state)
{
    (void)state;
    static struct dp_flow f;
    /* the printer cannot print, or does not say in time: nothing issued */
    for (int how = 0; how < 2; how++) {
        to_printer(&f);
        int64_t d = dp_deadline(&f);
        if (how == 0)
            ok_of(&f, DP_IN_PRINTER, 0);
        else
            tick(&f, d);
        assert_int_equal(f.state, DP_NO_PRINTER);
        assert_string_equal(dp_screen_name(&f), "depot_no_printer");
        assert_false(has(EFF_INTENT, -1));
        assert_int_equal(count(EFF_CALL), 0);
        assert_false(has(EFF_OUTCOME, -1));
        assert_false(f.busy);
        assert_int_equal(dp_deadline(&f), INT64_MAX);
        ok_of(&f, DP_IN_PRINTER, 1); /* too late */
        assert_int_equal(f.state, DP_NO_PRINTER);
        assert_int_equal(fx.n, 0);
        go(&f, DP_IN_FINISH);
        assert_int_equal(f.state, DP_IDLE);
    }
    /* the intent could not be written: nothing asked, nothing to settle */
    to_journaling(&f);
    ok_of(&f, DP_IN_JOURNAL, 0);
    assert_int_equal(f.state, DP_FAILED);
    assert_int_equal(f.error, DP_ERR_KIOSK);
    assert_int_equal(count(EFF_CALL), 0);
    assert_false(has(EFF_OUTCOME, -1));
    assert_false(dp_busy(&f));
    go(&f, DP_IN_NEXT); /* not offline: no retry */
    assert_int_equal(f.state, DP_FAILED);
    assert_int_equal(count(EFF_CALL), 0);
    /* not written in time: settled as not done; a write that lands later asks nothing */
    to_journaling(&f);
    int64_t d = dp_deadline(&f);
    tick(&f, d - 1);
    assert_int_equal(f.state, DP_JOURNALING);
    tick(&f, d);
    assert_int_equal(f.state, DP_FAILED);
    assert_int_equal(f.error, DP_ERR_KIOSK);
    assert_true(has(EFF_OUTCOME, 2));
    assert_string_equal(fx.v[pos(EFF_OUTCOME, 2)].arg, "JOURNAL_SLOW");
    assert_int_equal(count(EFF_CALL), 0);
    ok_of(&f, DP_IN_JOURNAL, 1);
    assert_int_equal(f.state, DP_FAILED);
    assert_int_equal(count(EFF_CALL), 0);

    /* the record could not be written, or not in time: the ticket prints anyway */
    for (int how = 0; how < 2; how++) {
        to_recording(&f);
        if (how == 0)
            ok_of(&f, DP_IN_JOURNAL, 0);
        else
            tick(&f, dp_deadline(&f));
        assert_int_equal(f.state, DP_PRINTING);
        struct dp_ticket k = ticket_of(EFF_PRINT);
        assert_string_equal(k.ticket_no, TICKET_NO);
        assert_false(has(EFF_OUTCOME, -1));
    }
    /* the print failed: issued, not printed; the intent stays open for the glue */
    to_printing(&f);
    ok_of(&f, DP_IN_PRINTED, 0);
    assert_int_equal(f.state, DP_PRINT_FAILED);
    assert_string_equal(dp_screen_name(&f), "depot_print_failed");
    assert_false(has(EFF_OUTCOME, -1));
    assert_false(dp_busy(&f));
    ok_of(&f, DP_IN_PRINTED, 1); /* the glue's reprint is not the flow's */
    assert_int_equal(f.state, DP_PRINT_FAILED);
    assert_int_equal(fx.n, 0);
    go(&f, DP_IN_FINISH);
    assert_int_equal(f.state, DP_IDLE);
    assert_true(has(EFF_HOME, -1));
}

static void ticket_answers(void **state)
{
    (void)state;
    static struct dp_flow f;
    /* no answer, a server error, none in time: the glue settles it in the background */
    for (int how = 0; how < 4; how++) {
        to_issuing(&f);
        if (how == 0)
            answer(&f, DP_CALL_TICKET, none());
        else if (how == 1)
            answer(&f, DP_CALL_TICKET, refusal(500, "INTERNAL"));
        else if (how == 2)
            answer(&f, DP_CALL_TICKET, unusable()); /* a 2xx: it may have been issued */
        else
            tick(&f, dp_deadline(&f));
        assert_int_equal(f.state, DP_FAILED);
        assert_int_equal(f.error, DP_ERR_OFFLINE);
        assert_true(has(EFF_SETTLE, -1));
        assert_false(has(EFF_OUTCOME, -1));
        assert_false(has(EFF_TXN, -1));
        assert_false(dp_busy(&f));
        /* nothing is asked again from the flow: the order may have its ticket */
        go(&f, DP_IN_NEXT);
        assert_int_equal(f.state, DP_FAILED);
        assert_int_equal(count(EFF_CALL), 0);
        /* the answer that comes after: nobody's */
        answer(&f, DP_CALL_TICKET, ticket_answer(1, "T0001", "3"));
        assert_int_equal(f.state, DP_FAILED);
        assert_false(has(EFF_TXN, -1));
    }
    /* issued by another terminal meanwhile: this one issues nothing */
    to_issuing(&f);
    answer(&f, DP_CALL_TICKET, ticket_answer(0, "T0002", "3"));
    assert_int_equal(f.state, DP_ISSUED);
    assert_true(has(EFF_OUTCOME, 2));
    assert_string_equal(fx.v[pos(EFF_OUTCOME, 2)].arg, "ISSUED_ELSEWHERE");
    assert_false(has(EFF_TXN, -1));
    assert_false(has(EFF_PRINT, -1));
    assert_string_equal(f.order.ticket_no, TICKET_NO);
    assert_string_equal(f.order.issued_by, "T0002");
    assert_string_equal(f.order.issued_at, "2026-11-30T10:42:00+08:00");
    assert_string_equal(f.ticket_no, "");
    assert_false(dp_busy(&f));
    /* issued before by this terminal (a retry of its own): recorded and printed here */
    to_issuing(&f);
    answer(&f, DP_CALL_TICKET, ticket_answer(0, "T0001", ""));
    assert_int_equal(f.state, DP_RECORDING);
    struct dp_ticket k = ticket_of(EFF_TXN);
    assert_string_equal(k.ticket_no, TICKET_NO);
    assert_string_equal(k.bay, "3"); /* no bay in the answer: the order's */
    assert_false(has(EFF_OUTCOME, -1));

    /* refusals: settled as not done */
    static const struct {
        int status;
        const char *code;
        enum dp_state to;
        enum dp_error why;
    } refused[] = {
        {409, "NOT_VERIFIED", DP_COUNTER, DP_ERR_REFUSED},
        {409, "PICKUP_USED", DP_REFUSED, DP_ERR_USED},
        {410, "PICKUP_EXPIRED", DP_REFUSED, DP_ERR_EXPIRED_ORDER},
        {400, "INVALID_ARGUMENT", DP_COUNTER, DP_ERR_REFUSED},
        {404, "NOT_FOUND", DP_COUNTER, DP_ERR_REFUSED},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        to_issuing(&f);
        answer(&f, DP_CALL_TICKET, refusal(refused[i].status, refused[i].code));
        if (f.state != refused[i].to || f.error != refused[i].why)
            fail_msg("%d %s: state %s, error %d", refused[i].status, refused[i].code,
                     dp_state_name(f.state), f.error);
        assert_int_equal(count(EFF_OUTCOME), 1);
        assert_true(has(EFF_OUTCOME, 2));
        assert_string_equal(fx.v[pos(EFF_OUTCOME, 2)].arg, refused[i].code);
        assert_false(has(EFF_SETTLE, -1));
        assert_false(has(EFF_TXN, -1));
        assert_false(dp_busy(&f));
    }
}

/* ---- 7: busy, back, late answers, deadlines ----------------------------------------------- */

static void reach(struct dp_flow *f, enum dp_state s)
{
    switch (s) {
    case DP_IDLE:
        init(f);
        break;
    case DP_SCAN:
        init(f);
        go(f, DP_IN_START);
        break;
    case DP_LOOKUP:
        to_lookup(f);
        break;
    case DP_ORDER:
        to_order(f);
        break;
    case DP_DRIVER:
        to_driver(f);
        break;
    case DP_FACE:
        to_face(f);
        break;
    case DP_FACE_CHECK:
        to_face_check(f);
        break;
    case DP_FACE_RETRY:
        to_face_check(f);
        answer(f, DP_CALL_FACE, face_answer(0));
        break;
    case DP_FACE_BUSY:
        to_face_check(f);
        answer(f, DP_CALL_FACE, refusal(503, "FACE_BUSY"));
        break;
    case DP_PRINTER:
        to_printer(f);
        break;
    case DP_JOURNALING:
        to_journaling(f);
        break;
    case DP_ISSUING:
        to_issuing(f);
        break;
    case DP_RECORDING:
        to_recording(f);
        break;
    case DP_PRINTING:
        to_printing(f);
        break;
    case DP_DONE:
        to_printing(f);
        ok_of(f, DP_IN_PRINTED, 1);
        break;
    case DP_PRINT_FAILED:
        to_printing(f);
        ok_of(f, DP_IN_PRINTED, 0);
        break;
    case DP_ISSUED:
        to_lookup(f);
        answer(f, DP_CALL_PICKUP, order_answer("ISSUED"));
        break;
    case DP_REFUSED:
        to_lookup(f);
        answer(f, DP_CALL_PICKUP, refusal(404, "PICKUP_NOT_FOUND"));
        break;
    case DP_NOT_AUTHORISED:
        to_driver(f);
        answer(f, DP_CALL_DRIVER, refusal(403, "DRIVER_NOT_AUTHORISED"));
        break;
    case DP_COUNTER:
        to_driver(f);
        answer(f, DP_CALL_DRIVER, refusal(410, "PICKUP_EXPIRED"));
        break;
    case DP_NO_PRINTER:
        to_printer(f);
        ok_of(f, DP_IN_PRINTER, 0);
        break;
    case DP_FAILED:
        to_lookup(f);
        answer(f, DP_CALL_PICKUP, none());
        break;
    default:
        fail_msg("no way to %d", s);
    }
    if (f->state != s)
        fail_msg("reached %s, not %s", dp_state_name(f->state), dp_state_name(s));
}

static void busy_and_back(void **state)
{
    (void)state;
    static struct dp_flow f;
    for (int s = DP_IDLE; s < DP_STATE_LAST; s++) {
        reach(&f, (enum dp_state)s);
        int busy = s == DP_JOURNALING || s == DP_ISSUING || s == DP_RECORDING || s == DP_PRINTING;
        if (dp_busy(&f) != busy)
            fail_msg("%s: busy %d", dp_state_name(f.state), dp_busy(&f));
        /* back and finish: nothing while busy */
        go(&f, DP_IN_BACK);
        if (busy) {
            assert_int_equal(f.state, s);
            assert_int_equal(fx.n, 0);
            go(&f, DP_IN_FINISH);
            assert_int_equal(f.state, s);
            assert_int_equal(fx.n, 0);
            continue;
        }
        if (s == DP_ORDER || s == DP_LOOKUP) {
            assert_int_equal(f.state, DP_SCAN); /* another code */
            assert_true(has(EFF_ID_READ, 0));
            assert_true(all_zero(&f.order, sizeof f.order));
        } else {
            assert_int_equal(f.state, DP_IDLE);
            assert_true(has(EFF_HOME, -1));
            assert_true(has(EFF_ID_READ, 0));
            assert_true(has(EFF_FACE, 0));
        }
        assert_int_equal(count(EFF_CALL), 0);
        assert_false(has(EFF_OUTCOME, -1));
        /* finish from there, and from the state itself */
        reach(&f, (enum dp_state)s);
        go(&f, DP_IN_FINISH);
        assert_int_equal(f.state, DP_IDLE);
        assert_true(has(EFF_HOME, -1));
    }
}

static void late_answers(void **state)
{
    (void)state;
    static struct dp_flow f;
    static const enum dp_state states[] = {
        DP_IDLE,           DP_SCAN,       DP_LOOKUP,     DP_ORDER,        DP_DRIVER,     DP_FACE,
        DP_FACE_CHECK,     DP_FACE_RETRY, DP_FACE_BUSY,  DP_PRINTER,      DP_JOURNALING, DP_ISSUING,
        DP_RECORDING,      DP_PRINTING,   DP_DONE,       DP_PRINT_FAILED, DP_ISSUED,     DP_REFUSED,
        DP_NOT_AUTHORISED, DP_COUNTER,    DP_NO_PRINTER, DP_FAILED};
    static const enum dp_state waits[DP_CALL_LAST] = {
        [DP_CALL_PICKUP] = DP_LOOKUP,
        [DP_CALL_DRIVER] = DP_DRIVER,
        [DP_CALL_FACE] = DP_FACE_CHECK,
        [DP_CALL_TICKET] = DP_ISSUING,
    };
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        for (int k = DP_CALL_NONE; k <= DP_CALL_LAST; k++) {
            if (k > DP_CALL_NONE && k < DP_CALL_LAST && waits[k] == states[i])
                continue;
            reach(&f, states[i]);
            static struct dp_flow before;
            memcpy(&before, &f, sizeof f);
            static const struct dp_answer *all[6];
            all[0] = order_answer("OPEN");
            all[1] = none();
            all[2] = driver_ok();
            all[3] = face_answer(1);
            all[4] = ticket_answer(1, "T0001", "3");
            all[5] = refusal(403, "DRIVER_NOT_AUTHORISED");
            for (int a = 0; a < 6; a++) {
                answer(&f, (enum dp_call)k, all[a]);
                if (fx.n || memcmp(&f, &before, sizeof f))
                    fail_msg("%s took a late answer to call %d", dp_state_name(states[i]), k);
            }
        }
        /* an answer event without an answer */
        reach(&f, states[i]);
        static struct dp_flow before;
        memcpy(&before, &f, sizeof f);
        for (int k = DP_CALL_NONE; k <= DP_CALL_LAST; k++) {
            answer(&f, (enum dp_call)k, NULL);
            assert_int_equal(fx.n, 0);
            assert_memory_equal(&f, &before, sizeof f);
        }
    }
    /* a journal, printer or print report nobody waits for */
    static const enum dp_input reports[] = {DP_IN_JOURNAL, DP_IN_PRINTER, DP_IN_PRINTED};
    static const enum dp_state quiet[] = {DP_SCAN,   DP_ORDER,  DP_FACE,         DP_DONE,
                                          DP_FAILED, DP_ISSUED, DP_PRINT_FAILED, DP_NO_PRINTER};
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        for (size_t r = 0; r < 3; r++)
            for (int ok = 0; ok < 2; ok++) {
                reach(&f, quiet[i]);
                static struct dp_flow before;
                memcpy(&before, &f, sizeof f);
                ok_of(&f, reports[r], ok);
                assert_int_equal(fx.n, 0);
                assert_memory_equal(&f, &before, sizeof f);
            }
}

static void deadlines(void **state)
{
    (void)state;
    static struct dp_flow f;
    static const struct {
        enum dp_state s;
        int64_t wait; /* after the step that entered it; 0: none */
    } waits[] = {
        {DP_IDLE, 0},
        {DP_SCAN, 0},
        {DP_LOOKUP, DP_CALL_MS},
        {DP_ORDER, 0},
        {DP_DRIVER, DP_CALL_MS},
        {DP_FACE, DP_FACE_MAX_MS},
        {DP_FACE_CHECK, DP_CALL_MS},
        {DP_FACE_RETRY, 0},
        {DP_FACE_BUSY, 0},
        {DP_PRINTER, DP_PRINTER_MS},
        {DP_JOURNALING, DP_JOURNAL_MS},
        {DP_ISSUING, DP_CALL_MS},
        {DP_RECORDING, DP_JOURNAL_MS},
        {DP_PRINTING, 0},
        {DP_DONE, 0},
        {DP_PRINT_FAILED, 0},
        {DP_ISSUED, 0},
        {DP_REFUSED, 0},
        {DP_NOT_AUTHORISED, 0},
        {DP_COUNTER, 0},
        {DP_NO_PRINTER, 0},
        {DP_FAILED, 0},
    };
    for (size_t i = 0; i < sizeof waits / sizeof waits[0]; i++) {
        reach(&f, waits[i].s);
        int64_t d = dp_deadline(&f);
        int64_t want = waits[i].wait ? now_ms + waits[i].wait : INT64_MAX;
        if (d != want)
            fail_msg("%s: deadline %lld, not %lld", dp_state_name(f.state), (long long)d,
                     (long long)want);
        if (!waits[i].wait)
            continue;
        /* a tick just before does nothing; at the deadline, the state moves on and the new
         * deadline is later (never a tick that fires again at once) */
        tick(&f, d - 1);
        assert_int_equal(f.state, waits[i].s);
        assert_int_equal(fx.n, 0);
        tick(&f, d);
        if (waits[i].s == DP_FACE)
            assert_true(f.face_timed_out);
        else
            assert_int_not_equal(f.state, waits[i].s);
        assert_true(dp_deadline(&f) > d);
    }
}

/* ---- 8: quantities, names, wipe ----------------------------------------------------------- */

static void quantities(void **state)
{
    (void)state;
    static const struct {
        const char *unit;
        int64_t milli;
        const char *text;
    } q[] = {
        {"L", 30000000, "30,000 L"},
        {"t", 25500, "25.500 t"},
        {"L", 0, "0 L"},
        {"t", 0, "0.000 t"},
        {"L", 1500, "1.500 L"},
        {"L", 999000, "999 L"},
        {"L", 1000000, "1,000 L"},
        {"t", 1234567890, "1,234,567.890 t"},
        {"L", 1000000000000, "1,000,000,000 L"},
        {"t", 999, "0.999 t"},
        {"L", -5, "0 L"},
        {"kg", 2000, "2 L"}, /* anything but tonnes is litres */
    };
    char out[48];
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        dp_quantity(q[i].unit, q[i].milli, out, sizeof out);
        assert_string_equal(out, q[i].text);
    }
    /* cut short, terminated */
    char small[6];
    memset(small, 'x', sizeof small);
    dp_quantity("L", 30000000, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_string_equal(small, "30,00");
    dp_quantity("L", INT64_MAX, out, sizeof out);
    assert_true(strlen(out) < sizeof out);
    assert_string_equal(out, "9,223,372,036,854,775.807 L");
}

static void names(void **state)
{
    (void)state;
    static struct dp_flow f;
    for (int s = 0; s < DP_STATE_LAST; s++) {
        const char *n = dp_state_name((enum dp_state)s);
        assert_string_not_equal(n, "?");
        for (int t = 0; t < s; t++)
            assert_string_not_equal(n, dp_state_name((enum dp_state)t));
        init(&f);
        f.state = (enum dp_state)s;
        assert_true(!strncmp(dp_screen_name(&f), "depot_", 6));
    }
    assert_string_equal(dp_state_name(DP_STATE_LAST), "?");
    assert_string_equal(dp_state_name((enum dp_state) - 1), "?");
    assert_string_equal(dp_state_name(DP_FACE_CHECK), "face_check");
    f.state = DP_RECORDING;
    assert_string_equal(dp_screen_name(&f), "depot_issuing");
    f.state = DP_FAILED;
    assert_string_equal(dp_screen_name(&f), "depot_failed");
}

static void wipe(void **state)
{
    (void)state;
    static struct dp_flow f;
    /* in the middle of the face step: order, driver, masks */
    to_face(&f);
    assert_true(holds(&f, sizeof f, NAME_MASKED));
    assert_true(holds(&f, sizeof f, ORDER));
    dp_wipe(&f);
    assert_int_equal(f.state, DP_IDLE);
    assert_true(all_zero(&f.order, sizeof f.order));
    assert_true(all_zero(&f.id, sizeof f.id));
    assert_false(holds(&f, sizeof f, NAME_MASKED));
    assert_false(holds(&f, sizeof f, ORDER));
    assert_false(holds(&f, sizeof f, DRIVER_REF));
    assert_string_equal(f.driver_ref, "");
    assert_int_equal(f.driver_calls, 0);
    assert_int_equal(f.face_tries, 0);
    assert_int_equal(f.face_hint, DP_HINT_STARTING);
    assert_int_equal(f.face_good_since, 0);
    assert_false(f.busy);
    assert_int_equal(dp_deadline(&f), INT64_MAX);
    /* the config stays */
    assert_string_equal(f.cfg.terminal, "T0001");
    assert_string_equal(f.cfg.depot, "D01");
    assert_string_equal(f.cfg.code_prefix, "PK");
    assert_int_equal(f.cfg.today, 20261130);
    /* after a ticket: nothing of it stays */
    to_printing(&f);
    ok_of(&f, DP_IN_PRINTED, 1);
    dp_wipe(&f);
    assert_false(holds(&f, sizeof f, TICKET_NO));
    assert_false(holds(&f, sizeof f, CHECK_ID));
    assert_false(holds(&f, sizeof f, ID_MASKED));
    assert_string_equal(f.cfg.terminal, "T0001");
    /* in the middle of typing */
    init(&f);
    go(&f, DP_IN_START);
    go(&f, DP_IN_TYPE);
    keys(&f, "2611300001");
    dp_wipe(&f);
    assert_string_equal(f.typed, "");
    assert_false(f.typing);
    /* a flow wiped works as new */
    go(&f, DP_IN_START);
    code(&f, CODE);
    assert_int_equal(f.state, DP_LOOKUP);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(happy_path),
        cmocka_unit_test(lookup_refusals),
        cmocka_unit_test(bad_codes),
        cmocka_unit_test(keypad),
        cmocka_unit_test(id_cards),
        cmocka_unit_test(driver_answers),
        cmocka_unit_test(face_no_match),
        cmocka_unit_test(face_busy),
        cmocka_unit_test(face_hold),
        cmocka_unit_test(face_timeout),
        cmocka_unit_test(printer_and_journal),
        cmocka_unit_test(ticket_answers),
        cmocka_unit_test(busy_and_back),
        cmocka_unit_test(late_answers),
        cmocka_unit_test(deadlines),
        cmocka_unit_test(quantities),
        cmocka_unit_test(names),
        cmocka_unit_test(wipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
