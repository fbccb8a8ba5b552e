/* Contract tests: the backend simulator as a real process on a free port, driven through the
 * kiosk's own backend client (signing, idempotency keys, retries) and, for what the client
 * never sends (bad signatures, stale clocks, huge bodies), through raw libcurl. Fuel-card
 * loads are made as a chip would make them, with the test card keys (tests/sim/card/pboc.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <sqlite3.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend.h"
#include "core/clock.h"
#include "core/codes.h"
#include "core/log.h"
#include "core/sign.h"
#include "pboc.h"

#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
/* a second terminal, for the simulators that need two */
#define KEY2 "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
#define DEFAULT_LEASE_MS 180000
#define SEED_LEASE_END_MS 253402300799000.0 /* the seeded other terminal's lock: 9999-12-31 */

static pid_t sim_pid = -1;
static int port;
static char dir[] = "/tmp/kiosk-sim-XXXXXX";
static char base[64];
static struct evq *q;
static struct backend *be;
static int keyno;

static void sleep_ms(int ms)
{
    struct timespec d = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
}

static struct backend *client(int timeout_ms, int retries, const char *key)
{
    char err[200];
    struct backend_options o = {base, "T0001", key, NULL, timeout_ms, 1000, retries, 50, 400, 7};
    struct backend *b = backend_create(&o, q, err, sizeof err);
    if (!b)
        fail_msg("backend_create: %s", err);
    return b;
}

/* Stops a simulator started by start_sim(): 0 when it stopped cleanly. */
static int stop_sim(pid_t pid)
{
    int st;
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Starts a simulator on `name`.db in the test directory with up to 4 more arguments (NULL
 * ends them); its port in *port_out; with `log` set, its log (stderr) goes to that file. The
 * process id, or -1. */
static pid_t start_sim_log(const char *name, const char *log, int *port_out, const char *a1,
                           const char *a2, const char *a3, const char *a4)
{
    char db[600], pf[600];
    snprintf(db, sizeof db, "%s/%s.db", dir, name);
    snprintf(pf, sizeof pf, "%s/%s.port", dir, name);
    unlink(pf);
    pid_t pid = fork();
    if (pid == 0) {
        if (log && !freopen(log, "w", stderr))
            _exit(126);
        execl(getenv("SIM"), "kiosk-backend-sim", "--db", db, "--port", "0", "--port-file", pf,
              "--terminal", "T0001:" KEY, a1, a2, a3, a4, (char *)NULL);
        _exit(127);
    }
    FILE *f = NULL;
    for (int i = 0; i < 250 && !(f = fopen(pf, "r")); i++)
        sleep_ms(20);
    int ok = f && fscanf(f, "%d", port_out) == 1;
    if (f)
        fclose(f);
    if (!ok && pid > 0)
        stop_sim(pid);
    return ok ? pid : -1;
}

static pid_t start_sim(const char *name, int *port_out, const char *a1, const char *a2,
                       const char *a3, const char *a4)
{
    return start_sim_log(name, NULL, port_out, a1, a2, a3, a4);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    sim_pid = start_sim("sim", &port, NULL, NULL, NULL, NULL);
    if (sim_pid < 0)
        return -1;
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    q = evq_create(64);
    be = client(3000, 3, KEY);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    backend_destroy(be);
    evq_destroy(q);
    if (sim_pid > 0 && stop_sim(sim_pid) != 0)
        return -1; /* the simulator must stop cleanly */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Calls and waits for the result (the UI loop would get it as an event). */
/* Sends `rq` (a fresh key when it has none and changes something) and waits for its
 * result. */
static struct backend_result *call_rq(struct backend *b, struct backend_request rq)
{
    char k[32];
    if (!rq.idem_key && strcmp(rq.method, "GET")) {
        snprintf(k, sizeof k, "test-%d-%ld", keyno++, (long)getpid());
        rq.idem_key = k;
    }
    uint64_t id;
    const char *method = rq.method, *path = rq.path;
    assert_int_equal(backend_call(b, &rq, &id), 0);
    for (int i = 0; i < 1000; i++) {
        struct ev e;
        if (evq_pop(q, &e)) {
            struct backend_result *r = e.ptr;
            assert_int_equal(r->call_id, id);
            return r;
        }
        sleep_ms(10);
    }
    fail_msg("no result for %s %s", method, path);
    return NULL;
}

static struct backend_result *call_with(struct backend *b, const char *method, const char *path,
                                        const char *body, const char *key)
{
    return call_rq(b, (struct backend_request){
                          .method = method, .path = path, .body = body, .idem_key = key});
}

static struct backend_result *call(const char *method, const char *path, const char *body)
{
    return call_with(be, method, path, body, NULL);
}

static const char *jstr(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double jnum(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static void expect_error(struct backend_result *r, int status, const char *code)
{
    if (r->status != status || strcmp(r->err_code, code))
        fail_msg("expected %d %s, got %d %s (%s)", status, code, r->status, r->err_code,
                 r->err_msg);
    backend_result_free(r);
}

/* The backend's own records (admin routes). */
static int64_t points_of(const char *member)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/admin/members/%s", member);
    struct backend_result *r = call("GET", path, NULL);
    assert_int_equal(r->status, 200);
    int64_t p = (int64_t)jnum(r->json, "points");
    backend_result_free(r);
    return p;
}

static int coupon_used(const char *id)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/admin/coupons/%s", id);
    struct backend_result *r = call("GET", path, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "coupon_id"), id);
    int used = (int)jnum(r->json, "used");
    assert_true(used == 0 || used == 1);
    backend_result_free(r);
    return used;
}

static const char *order_status(const char *id)
{
    static char st[32];
    char path[96];
    snprintf(path, sizeof path, "/v1/admin/orders/%s", id);
    struct backend_result *r = call("GET", path, NULL);
    snprintf(st, sizeof st, "%s", jstr(r->json, "status"));
    backend_result_free(r);
    return st;
}

/* Prices an order (body without the braces' order_id) and answers its total. */
static int64_t price(struct backend *b, const char *order_id, const char *rest)
{
    char body[600];
    snprintf(body, sizeof body, "{\"order_id\":\"%s\",%s}", order_id, rest);
    struct backend_result *r = call_with(b, "POST", "/v1/orders", body, NULL);
    if (r->status != 200)
        fail_msg("pricing %s: %d %s (%s)", order_id, r->status, r->err_code, r->err_msg);
    int64_t total = (int64_t)jnum(r->json, "total_fen");
    backend_result_free(r);
    return total;
}

/* A payment code payment for an order, paid at once. */
static void pay(struct backend *b, const char *otn, const char *order_id, int64_t amount)
{
    char body[300];
    snprintf(body, sizeof body, "{\"out_trade_no\":\"%s\",\"order_id\":\"%s\","
                                "\"amount_fen\":%lld,\"mode\":\"micropay\","
                                "\"auth_code\":\"134567890123454444\"}",
             otn, order_id, (long long)amount);
    struct backend_result *r = call_with(b, "POST", "/v1/payments", body, NULL);
    assert_string_equal(jstr(r->json, "status"), "PAID");
    backend_result_free(r);
}

static void pumps_and_sales(void **state)
{
    (void)state;
    struct backend_result *r = call("GET", "/v1/pumps", NULL);
    assert_int_equal(r->status, 200);
    const cJSON *pumps = cJSON_GetObjectItemCaseSensitive(r->json, "pumps");
    assert_int_equal(cJSON_GetArraySize(pumps), 8);
    const cJSON *p3 = cJSON_GetArrayItem(pumps, 2);
    const cJSON *sales = cJSON_GetObjectItemCaseSensitive(p3, "unpaid_sales");
    assert_int_equal(cJSON_GetArraySize(sales), 2);
    const cJSON *s = cJSON_GetArrayItem(sales, 0);
    assert_string_equal(jstr(s, "grade"), "92#");
    assert_int_equal(jnum(s, "volume_ml"), 45120);
    assert_int_equal(jnum(s, "amount_fen"), 33118); /* 7.34 x 45.12 = 331.18 */
    backend_result_free(r);

    r = call("POST", "/v1/sales/S1001/lock", "{}");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "locked_by_you");
    /* a lease: how long, and until when on the simulator clock */
    assert_int_equal(jnum(r->json, "lease_ms"), DEFAULT_LEASE_MS);
    assert_true(jnum(r->json, "locked_until_ms") > DEFAULT_LEASE_MS);
    backend_result_free(r);
    expect_error(call("POST", "/v1/sales/S1006/lock", "{}"), 409, "SALE_LOCKED");
    expect_error(call("POST", "/v1/sales/S1006/unlock", "{}"), 409, "SALE_LOCKED");
    expect_error(call("POST", "/v1/sales/S1010/lock", "{}"), 409, "SALE_PAID");
    expect_error(call("POST", "/v1/sales/NOPE/lock", "{}"), 404, "NOT_FOUND");
    r = call("POST", "/v1/sales/S1001/unlock", "{}");
    assert_string_equal(jstr(r->json, "status"), "unpaid");
    backend_result_free(r);
    /* unlocking what nobody holds is harmless: the sale as it is */
    r = call("POST", "/v1/sales/S1001/unlock", "{}");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "unpaid");
    backend_result_free(r);
}

static void products_and_members(void **state)
{
    (void)state;
    struct backend_result *r = call("GET", "/v1/products/6920000010004", NULL);
    /* the first seeded product: 6920 00001000 + check digit 4 */
    if (r->status == 404) {
        backend_result_free(r);
        fail_msg("seeded product not found");
    }
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(jstr(r->json, "name_zh"), "农夫山泉"));
    assert_int_equal(jnum(r->json, "price_fen"), 200);
    backend_result_free(r);
    expect_error(call("GET", "/v1/products/4006381333931", NULL), 404, "PRODUCT_NOT_FOUND");
    expect_error(call("GET", "/v1/products/6920000010008", NULL), 400, "INVALID_BARCODE");

    r = call("GET", "/v1/members/by-phone/13800138000", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "name_masked"), "张**");
    assert_string_equal(jstr(r->json, "phone_masked"), "138****8000");
    assert_int_equal(jnum(r->json, "points"), 2380);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "coupons")), 2);
    /* the default points rule: 1 point = ¥1, at most half of what is left */
    assert_int_equal(jnum(r->json, "point_value_fen"), 100);
    assert_int_equal(jnum(r->json, "points_max_share_pct"), 50);
    backend_result_free(r);
    r = call("GET", "/v1/members/by-qr/MQR-22B0C4", NULL);
    assert_string_equal(jstr(r->json, "level"), "silver");
    assert_int_equal(jnum(r->json, "point_value_fen"), 100);
    assert_int_equal(jnum(r->json, "points_max_share_pct"), 50);
    /* bearer coupons belong to nobody: not in a member's list */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "coupons")), 1);
    backend_result_free(r);
    expect_error(call("GET", "/v1/members/by-phone/13000000000", NULL), 404, "MEMBER_NOT_FOUND");
}

static const char *status_of(const char *otn)
{
    static char st[32];
    char path[96];
    snprintf(path, sizeof path, "/v1/payments/%s", otn);
    struct backend_result *r = call("GET", path, NULL);
    snprintf(st, sizeof st, "%s", jstr(r->json, "status"));
    backend_result_free(r);
    return st;
}

static struct backend_result *micropay(const char *otn, const char *code)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"out_trade_no\":\"%s\",\"order_id\":\"O1\",\"amount_fen\":33118,"
             "\"mode\":\"micropay\",\"auth_code\":\"%s\"}",
             otn, code);
    return call("POST", "/v1/payments", body);
}

static void payment_state_machine(void **state)
{
    (void)state;
    struct backend_result *r = micropay("OTN-PAID-1", "134567890123451234");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "PAID");
    assert_string_equal(jstr(r->json, "channel"), "wechat");
    backend_result_free(r);
    r = micropay("OTN-ALI-1", "2845678901234567");
    assert_string_equal(jstr(r->json, "channel"), "alipay");
    backend_result_free(r);
    expect_error(micropay("OTN-BAD-1", "164567890123451234"), 400, "INVALID_AUTH_CODE");

    r = micropay("OTN-POOR-1", "134567890123459993");
    assert_string_equal(jstr(r->json, "status"), "CLOSED");
    assert_string_equal(jstr(r->json, "reason"), "NOTENOUGH");
    backend_result_free(r);

    /* the customer types a password: USERPAYING, then PAID 10 s later */
    r = micropay("OTN-PWD-1", "134567890123459991");
    assert_string_equal(jstr(r->json, "status"), "USERPAYING");
    backend_result_free(r);
    assert_string_equal(status_of("OTN-PWD-1"), "USERPAYING");
    r = call("POST", "/v1/admin/clock", "{\"advance_ms\":10000}");
    backend_result_free(r);
    assert_string_equal(status_of("OTN-PWD-1"), "PAID");

    /* never confirms: the kiosk cancels, no money taken */
    r = micropay("OTN-WAIT-1", "134567890123459992");
    backend_result_free(r);
    r = call("POST", "/v1/admin/clock", "{\"advance_ms\":60000}");
    backend_result_free(r);
    assert_string_equal(status_of("OTN-WAIT-1"), "USERPAYING");
    r = call("POST", "/v1/payments/OTN-WAIT-1/cancel", "{}");
    assert_string_equal(jstr(r->json, "status"), "CLOSED");
    backend_result_free(r);

    /* native QR: created, paid by the customer's phone, reversed once */
    r = call("POST", "/v1/payments", "{\"out_trade_no\":\"OTN-QR-1\",\"amount_fen\":500,"
                                     "\"mode\":\"native\",\"channel\":\"alipay\"}");
    assert_string_equal(jstr(r->json, "status"), "CREATED");
    assert_non_null(strstr(jstr(r->json, "code_url"), "OTN-QR-1"));
    backend_result_free(r);
    r = call("POST", "/v1/admin/payments/OTN-QR-1/pay", "{}");
    backend_result_free(r);
    assert_string_equal(status_of("OTN-QR-1"), "PAID");
    r = call("POST", "/v1/payments/OTN-QR-1/cancel", "{}");
    assert_string_equal(jstr(r->json, "status"), "REVERSED");
    backend_result_free(r);
    r = call("POST", "/v1/payments/OTN-QR-1/cancel", "{}");
    assert_string_equal(jstr(r->json, "status"), "REVERSED");
    backend_result_free(r);

    /* one out_trade_no names one payment */
    expect_error(call("POST", "/v1/payments", "{\"out_trade_no\":\"OTN-QR-1\",\"amount_fen\":999,"
                                              "\"mode\":\"native\",\"channel\":\"alipay\"}"),
                 409, "OUT_TRADE_NO_REUSED");
    expect_error(call("GET", "/v1/payments/NOPE-1", NULL), 404, "PAYMENT_NOT_FOUND");
    expect_error(call("POST", "/v1/payments", "{\"out_trade_no\":\"OTN-T-1\",\"amount_fen\":\"5\","
                                              "\"mode\":\"native\",\"channel\":\"alipay\"}"),
                 400, "INVALID_ARGUMENT");
    expect_error(call("POST", "/v1/payments", "{\"out_trade_no\":\"OTN-T-2\",\"amount_fen\":5.5,"
                                              "\"mode\":\"native\",\"channel\":\"alipay\"}"),
                 400, "INVALID_ARGUMENT");
}

/* A number cancelled before the payment system saw it is closed for good; a sale is paid
 * once whatever orders it is in; a reset gives the seed data back. */
static void closed_unseen_and_paid_once(void **state)
{
    (void)state;
    struct backend_result *r = call("POST", "/v1/payments/OTN-LATE-1/cancel", "{}");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "CLOSED");
    backend_result_free(r);
    /* the create arrives late: refused, nothing charged */
    expect_error(micropay("OTN-LATE-1", "134567890123451234"), 409, "OUT_TRADE_NO_REUSED");
    assert_string_equal(status_of("OTN-LATE-1"), "CLOSED");

    /* S1008 in two orders (a crash between paying and completing, then a second try) */
    assert_int_equal(price(be, "ORD-TWICE-1", "\"sale_ids\":[\"S1008\"]"), 39831);
    pay(be, "OTN-TWICE-1", "ORD-TWICE-1", 39831);
    assert_int_equal(price(be, "ORD-TWICE-2", "\"sale_ids\":[\"S1008\"]"), 39831);
    expect_error(call("POST", "/v1/payments",
                      "{\"out_trade_no\":\"OTN-TWICE-2\",\"order_id\":\"ORD-TWICE-2\","
                      "\"amount_fen\":39831,\"mode\":\"micropay\","
                      "\"auth_code\":\"134567890123454444\"}"),
                 409, "SALE_PAID");

    r = call("POST", "/v1/admin/reset", "{}");
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    expect_error(call("GET", "/v1/payments/OTN-TWICE-1", NULL), 404, "PAYMENT_NOT_FOUND");
    r = call("GET", "/v1/admin/sales/S1008", NULL);
    assert_string_equal(jstr(r->json, "status"), "unpaid");
    backend_result_free(r);
}

static void idempotent_replay(void **state)
{
    (void)state;
    const char *body = "{\"out_trade_no\":\"OTN-IDEM-1\",\"amount_fen\":100,\"mode\":\"native\","
                       "\"channel\":\"wechat\"}";
    struct backend_result *a = call_with(be, "POST", "/v1/payments", body, "idem-key-1");
    struct backend_result *b = call_with(be, "POST", "/v1/payments", body, "idem-key-1");
    assert_int_equal(a->status, 200);
    assert_false(a->replayed);
    assert_true(b->replayed);
    char *ta = cJSON_PrintUnformatted(a->json), *tb = cJSON_PrintUnformatted(b->json);
    assert_string_equal(ta, tb);
    free(ta);
    free(tb);
    backend_result_free(a);
    backend_result_free(b);
    expect_error(call_with(be, "POST", "/v1/payments",
                           "{\"out_trade_no\":\"OTN-IDEM-2\",\"amount_fen\":100,"
                           "\"mode\":\"native\",\"channel\":\"wechat\"}",
                           "idem-key-1"),
                 409, "IDEMPOTENCY_KEY_REUSED");
}

static void faults(void **state)
{
    (void)state;
    struct backend_result *r;
    /* 503 once: retried with the same key, applied once */
    r = call("POST", "/v1/admin/faults", "{\"route\":\"/v1/payments\",\"method\":\"POST\","
                                         "\"status\":503,\"count\":1}");
    backend_result_free(r);
    r = micropay("OTN-F503-1", "134567890123451111");
    assert_int_equal(r->status, 200);
    assert_int_equal(r->attempts, 2);
    backend_result_free(r);
    /* asked once (someone waits, the caller has a way of its own): the 503 as it came */
    r = call("POST", "/v1/admin/faults", "{\"route\":\"/v1/staff/login\",\"method\":\"POST\","
                                         "\"status\":503,\"count\":1}");
    backend_result_free(r);
    r = call_rq(be, (struct backend_request){.method = "POST", .path = "/v1/staff/login",
                                             .body = "{\"staff_no\":\"1001\",\"pin\":\"0000\"}",
                                             .once = 1});
    assert_int_equal(r->status, 503);
    assert_true(r->retryable);
    assert_int_equal(r->attempts, 1);
    backend_result_free(r);

    /* processed, answer lost: the retry with the same key gets the stored answer */
    r = call("POST", "/v1/admin/faults", "{\"route\":\"/v1/payments\",\"method\":\"POST\","
                                         "\"drop_after_processing\":true,\"count\":1}");
    backend_result_free(r);
    /* a fresh connection: libcurl itself re-sends on a dead kept-alive one (with the same
     * key, so that is safe too), which would hide our own retry from this count */
    struct backend *fresh = client(2000, 2, KEY);
    r = call_with(fresh, "POST", "/v1/payments",
                  "{\"out_trade_no\":\"OTN-DROP-1\",\"amount_fen\":100,\"mode\":\"micropay\","
                  "\"auth_code\":\"134567890123452222\"}",
                  NULL);
    backend_destroy(fresh);
    assert_int_equal(r->status, 200);
    assert_true(r->replayed);
    assert_int_equal(r->attempts, 2);
    assert_string_equal(jstr(r->json, "status"), "PAID");
    backend_result_free(r);

    /* refused connection once, then through */
    r = call("POST", "/v1/admin/faults", "{\"route\":\"/v1/pumps\",\"refuse\":true,\"count\":1}");
    backend_result_free(r);
    fresh = client(2000, 2, KEY);
    r = call_with(fresh, "GET", "/v1/pumps", NULL, NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(r->attempts, 2);
    backend_result_free(r);
    backend_destroy(fresh);

    /* slower than the timeout, no retries: the outcome is unknown until queried */
    struct backend *impatient = client(300, 0, KEY);
    r = call("POST", "/v1/admin/faults", "{\"route\":\"/v1/payments\",\"method\":\"POST\","
                                         "\"latency_ms\":1000,\"count\":1}");
    backend_result_free(r);
    r = call_with(impatient, "POST", "/v1/payments",
                  "{\"out_trade_no\":\"OTN-SLOW-1\",\"amount_fen\":100,\"mode\":\"micropay\","
                  "\"auth_code\":\"134567890123453333\"}",
                  "slow-key-1");
    assert_int_equal(r->outcome, BE_TIMEOUT);
    assert_true(r->outcome_unknown);
    backend_result_free(r);
    sleep_ms(900);
    assert_string_equal(status_of("OTN-SLOW-1"), "PAID"); /* it did go through */

    /* the never-answers payment code */
    r = call_with(impatient, "POST", "/v1/payments",
                  "{\"out_trade_no\":\"OTN-HANG-1\",\"amount_fen\":100,\"mode\":\"micropay\","
                  "\"auth_code\":\"134567890123459994\"}",
                  "hang-key-1");
    assert_int_equal(r->outcome, BE_TIMEOUT);
    assert_true(r->outcome_unknown);
    backend_result_free(r);
    backend_destroy(impatient);
    r = call("DELETE", "/v1/admin/faults", NULL);
    backend_result_free(r);
}

static void journal_exactly_once(void **state)
{
    (void)state;
    const char *body = "{\"records\":[{\"record_id\":\"T0001-20261123-000001\",\"kind\":\"sale\","
                       "\"body\":{\"amount_fen\":33118}},{\"record_id\":\"T0001-20261123-000002\","
                       "\"kind\":\"sale\",\"body\":{}}]}";
    struct backend_result *r = call("POST", "/v1/journal/records", body);
    assert_int_equal(jnum(r->json, "accepted"), 2);
    backend_result_free(r);
    /* a re-upload after a lost answer, with a new key, is still counted once */
    r = call("POST", "/v1/journal/records", body);
    assert_int_equal(jnum(r->json, "accepted"), 0);
    assert_int_equal(jnum(r->json, "duplicates"), 2);
    backend_result_free(r);
    r = call("GET", "/v1/admin/journal", NULL);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "records")), 2);
    backend_result_free(r);
    r = call("POST", "/v1/terminals/heartbeat", "{\"state\":\"ok\"}");
    assert_int_equal(r->status, 200);
    assert_true(jnum(r->json, "server_time_ms") > 0);
    backend_result_free(r);
}

/* Raw requests the client would never make. */
static long raw(const char *method, const char *path, const char *body, size_t blen,
                const char *sig_key, int64_t ts_shift, const char *idem, char *reply, size_t cap)
{
    CURL *c = curl_easy_init();
    char url[160], h[160], sig[SIGN_HEX_LEN];
    struct curl_slist *hs = NULL;
    snprintf(url, sizeof url, "%s%s", base, path);
    int64_t ts = (int64_t)time(NULL) + ts_shift;
    hs = curl_slist_append(hs, "X-Terminal-Id: T0001");
    snprintf(h, sizeof h, "X-Timestamp: %lld", (long long)ts);
    hs = curl_slist_append(hs, h);
    if (sig_key) {
        uint8_t k[SIGN_KEY_LEN];
        sign_key_from_hex(sig_key, k);
        sign_request(k, method, path, ts, body, blen, sig);
        snprintf(h, sizeof h, "X-Signature: %s", sig);
        hs = curl_slist_append(hs, h);
    }
    if (idem) {
        snprintf(h, sizeof h, "Idempotency-Key: %s", idem);
        hs = curl_slist_append(hs, h);
    }
    hs = curl_slist_append(hs, "Expect:");
    FILE *mem = fmemopen(reply, cap, "w");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)blen);
    }
    curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    fclose(mem);
    curl_slist_free_all(hs);
    curl_easy_cleanup(c);
    return status;
}

static void bad_requests(void **state)
{
    (void)state;
    char reply[4096];
    const char *other = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    assert_int_equal(raw("GET", "/v1/pumps", NULL, 0, KEY, 0, NULL, reply, sizeof reply), 200);
    assert_int_equal(raw("GET", "/v1/pumps", NULL, 0, NULL, 0, NULL, reply, sizeof reply), 401);
    assert_non_null(strstr(reply, "UNAUTHENTICATED"));
    assert_int_equal(raw("GET", "/v1/pumps", NULL, 0, other, 0, NULL, reply, sizeof reply), 401);
    assert_non_null(strstr(reply, "BAD_SIGNATURE"));
    assert_int_equal(raw("GET", "/v1/pumps", NULL, 0, KEY, -900, NULL, reply, sizeof reply), 401);
    assert_non_null(strstr(reply, "CLOCK_SKEW"));
    /* a state-changing call without a key */
    assert_int_equal(raw("POST", "/v1/payments", "{}", 2, KEY, 0, NULL, reply, sizeof reply), 400);
    assert_non_null(strstr(reply, "IDEMPOTENCY_KEY_REQUIRED"));
    assert_int_equal(raw("POST", "/v1/payments", "{\"a\":", 5, KEY, 0, "k-mal", reply,
                         sizeof reply),
                     400);
    assert_non_null(strstr(reply, "MALFORMED_JSON"));
    size_t big = (1u << 20) + 10;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    assert_int_equal(raw("POST", "/v1/payments", huge, big, KEY, 0, "k-big", reply, sizeof reply),
                     413);
    free(huge);
    /* the client with a wrong key gets a clear, non-retryable 401 */
    struct backend *wrong = client(2000, 2, other);
    struct backend_result *r = call_with(wrong, "GET", "/v1/pumps", NULL, NULL);
    assert_int_equal(r->status, 401);
    assert_int_equal(r->attempts, 1);
    assert_false(r->retryable);
    backend_result_free(r);
    backend_destroy(wrong);
}

/* The faults that change the answer: a replaced body (processed, and the idempotency record
 * keeps the real answer) and a blackhole (read, never processed, never answered). */
static void fault_answers(void **state)
{
    (void)state;
    char reply[4096];
    struct backend_result *r;
    r = call("POST", "/v1/admin/faults", "{\"route\":\"/v1/payments\",\"method\":\"POST\","
                                         "\"replace_body\":\"{\\\"status\\\":7}\",\"count\":1}");
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    const char *body = "{\"out_trade_no\":\"OTN-RB-1\",\"amount_fen\":100,\"mode\":\"micropay\","
                       "\"auth_code\":\"134567890123455555\"}";
    r = call_with(be, "POST", "/v1/payments", body, "rb-key-1");
    assert_int_equal(r->status, 200);
    assert_int_equal(r->attempts, 1);
    assert_int_equal(jnum(r->json, "status"), 7); /* a 200 the kiosk cannot use */
    backend_result_free(r);
    assert_string_equal(status_of("OTN-RB-1"), "PAID"); /* it went through all the same */
    r = call_with(be, "POST", "/v1/payments", body, "rb-key-1");
    assert_true(r->replayed);
    assert_string_equal(jstr(r->json, "status"), "PAID");
    backend_result_free(r);

    /* any status and any text, byte for byte, then the usual answers again */
    r = call("POST", "/v1/admin/faults", "{\"route\":\"/v1/pumps\",\"replace_status\":202,"
                                         "\"replace_body\":\"<html>proxy</html>\",\"count\":1}");
    backend_result_free(r);
    assert_int_equal(raw("GET", "/v1/pumps", NULL, 0, KEY, 0, NULL, reply, sizeof reply), 202);
    assert_string_equal(reply, "<html>proxy</html>");
    assert_int_equal(raw("GET", "/v1/pumps", NULL, 0, KEY, 0, NULL, reply, sizeof reply), 200);
    assert_non_null(strstr(reply, "\"pumps\""));
    expect_error(call("POST", "/v1/admin/faults", "{\"route\":\"/v1/pumps\","
                                                  "\"replace_body\":\"x\",\"replace_status\":99}"),
                 400, "INVALID_ARGUMENT");
    expect_error(call("POST", "/v1/admin/faults", "{\"route\":\"/v1/pumps\",\"replace_body\":5}"),
                 400, "INVALID_ARGUMENT");
    expect_error(call("POST", "/v1/admin/faults", "{\"route\":\"/v1/pumps\",\"blackhole\":true,"
                                                  "\"blackhole_ms\":0}"),
                 400, "INVALID_ARGUMENT");

    /* blackholed: held open blackhole_ms, closed without an answer, nothing done */
    r = call("POST", "/v1/admin/faults", "{\"route\":\"/v1/payments\",\"method\":\"POST\","
                                         "\"blackhole\":true,\"blackhole_ms\":1000,\"count\":1}");
    backend_result_free(r);
    const char *bh = "{\"out_trade_no\":\"OTN-BH-1\",\"amount_fen\":100,\"mode\":\"micropay\","
                     "\"auth_code\":\"134567890123456666\"}";
    int64_t t0 = clock_real_ms();
    assert_int_equal(raw("POST", "/v1/payments", bh, strlen(bh), KEY, 0, "bh-key-1", reply,
                         sizeof reply),
                     0);
    int64_t held = clock_real_ms() - t0;
    assert_true(held >= 900 && held < 5000);
    expect_error(call("GET", "/v1/payments/OTN-BH-1", NULL), 404, "PAYMENT_NOT_FOUND");
    /* the kiosk times out not knowing; its retry with the same key is the first to arrive.
     * The default 120 s hold ends when the simulator stops (teardown checks it stops). */
    r = call("POST", "/v1/admin/faults", "{\"route\":\"/v1/payments\",\"method\":\"POST\","
                                         "\"blackhole\":true,\"count\":1}");
    backend_result_free(r);
    const char *bh2 = "{\"out_trade_no\":\"OTN-BH-2\",\"amount_fen\":100,\"mode\":\"micropay\","
                      "\"auth_code\":\"134567890123457777\"}";
    struct backend *impatient = client(300, 0, KEY);
    r = call_with(impatient, "POST", "/v1/payments", bh2, "bh-key-2");
    assert_int_equal(r->outcome, BE_TIMEOUT);
    assert_true(r->outcome_unknown);
    backend_result_free(r);
    backend_destroy(impatient);
    r = call_with(be, "POST", "/v1/payments", bh2, "bh-key-2");
    assert_int_equal(r->status, 200);
    assert_false(r->replayed);
    assert_string_equal(jstr(r->json, "status"), "PAID");
    backend_result_free(r);
    backend_result_free(call("DELETE", "/v1/admin/faults", NULL));
}

static void unreachable_and_garbage(void **state)
{
    (void)state;
    /* nothing listens: connect fails, nothing was sent, health goes down */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t l = sizeof a;
    bind(s, (struct sockaddr *)&a, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &l);
    char url[64], err[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
    close(s);
    struct backend_options o = {url, "T0001", KEY, NULL, 1000, 500, 1, 10, 20, 1};
    struct backend *b = backend_create(&o, q, err, sizeof err);
    struct backend_result *r = call_with(b, "POST", "/v1/payments", "{}", NULL);
    assert_int_equal(r->outcome, BE_CONNECT_FAILED);
    assert_false(r->outcome_unknown);
    assert_int_equal(r->attempts, 2);
    assert_int_equal(backend_health(b), BACKEND_DOWN);
    backend_result_free(r);
    backend_destroy(b);

    /* a server that answers with something that is not JSON */
    s = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_port = 0;
    bind(s, (struct sockaddr *)&a, sizeof a);
    listen(s, 1);
    getsockname(s, (struct sockaddr *)&a, &l);
    pid_t pid = fork();
    if (pid == 0) {
        int c = accept(s, NULL, NULL);
        char buf[4096];
        if (recv(c, buf, sizeof buf, 0) > 0) {
            const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n<html>oops";
            if (send(c, resp, strlen(resp), 0) < 0)
                _exit(1);
        }
        sleep(1);
        _exit(0);
    }
    close(s);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
    o.base_url = url;
    b = backend_create(&o, q, err, sizeof err);
    r = call_with(b, "GET", "/v1/pumps", NULL, NULL);
    assert_int_equal(r->outcome, BE_BAD_RESPONSE);
    assert_null(r->json);
    backend_result_free(r);
    backend_destroy(b);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);

    /* bad options are refused with a reason */
    o.base_url = "ftp://x";
    assert_null(backend_create(&o, q, err, sizeof err));
    o.base_url = url;
    o.key_hex = "abc";
    assert_null(backend_create(&o, q, err, sizeof err));
    assert_non_null(strstr(err, "64 hex"));
}

static void orders_price_and_complete(void **state)
{
    (void)state;
    /* S1002: 95# 38.50 L at 7.81 = 300.69; two waters at 2.00; gold member; coupon C100
     * (10 off 200); 100 points asked, at most half the rest */
    struct backend_result *r = call("POST", "/v1/orders",
        "{\"order_id\":\"ORD-T-1\",\"sale_ids\":[\"S1002\"],"
        "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":2}],\"member_id\":\"M001\","
        "\"coupon_ids\":[\"C100\"],\"points\":100}");
    assert_int_equal(r->status, 200);
    assert_int_equal(jnum(r->json, "subtotal_fen"), 30069 + 400);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(r->json, "discounts");
    assert_int_equal(cJSON_GetArraySize(d), 3);
    assert_int_equal(jnum(cJSON_GetArrayItem(d, 0), "amount_fen"), -770); /* 20 fen x 38.5 L */
    assert_int_equal(jnum(cJSON_GetArrayItem(d, 1), "amount_fen"), -1000);
    int64_t after = 30469 - 770 - 1000;
    int64_t pts = 100 < (after / 2) / 100 ? 100 : (after / 2) / 100;
    assert_int_equal(jnum(r->json, "points_available"), (after / 2) / 100); /* 143 < 2380 */
    assert_int_equal(jnum(r->json, "points_used"), pts);
    assert_int_equal(jnum(r->json, "points_earned"), (after - pts * 100) / 100);
    int64_t total = (int64_t)jnum(r->json, "total_fen");
    assert_int_equal(total, after - pts * 100);
    backend_result_free(r);

    /* completion needs a PAID payment of exactly the total */
    expect_error(call("POST", "/v1/orders/ORD-T-1/complete", "{\"out_trade_no\":\"nope\"}"), 409,
                 "NOT_PAID");
    char body[200];
    snprintf(body, sizeof body, "{\"out_trade_no\":\"OTN-ORD-1\",\"order_id\":\"ORD-T-1\","
                                "\"amount_fen\":%lld,\"mode\":\"micropay\","
                                "\"auth_code\":\"134567890123454444\"}", (long long)total);
    r = call("POST", "/v1/payments", body);
    assert_string_equal(jstr(r->json, "status"), "PAID");
    backend_result_free(r);
    r = call("POST", "/v1/orders/ORD-T-1/complete", "{\"out_trade_no\":\"OTN-ORD-1\"}");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "COMPLETED");
    backend_result_free(r);
    /* coupons used, points spent and earned: 2380 - 100 + 186 */
    int64_t earned = (total / 100);
    assert_int_equal(points_of("M001"), 2380 - pts + earned);
    assert_true(coupon_used("C100"));
    assert_false(coupon_used("C101"));
    r = call("GET", "/v1/admin/members/M001", NULL);
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(r->json, "coupons");
    assert_int_equal(cJSON_GetArraySize(cs), 2);
    assert_string_equal(jstr(cJSON_GetArrayItem(cs, 0), "coupon_id"), "C100");
    assert_int_equal(jnum(cJSON_GetArrayItem(cs, 0), "used"), 1);
    assert_string_equal(jstr(cJSON_GetArrayItem(cs, 1), "coupon_id"), "C101");
    assert_int_equal(jnum(cJSON_GetArrayItem(cs, 1), "used"), 0);
    backend_result_free(r);
    /* repeated (new keys, not replays): exactly once */
    for (int i = 0; i < 2; i++) {
        r = call("POST", "/v1/orders/ORD-T-1/complete", "{\"out_trade_no\":\"OTN-ORD-1\"}");
        assert_int_equal(r->status, 200);
        assert_false(r->replayed);
        assert_string_equal(jstr(r->json, "status"), "COMPLETED");
        backend_result_free(r);
    }
    assert_int_equal(points_of("M001"), 2380 - pts + earned);
    /* the backend's own records */
    r = call("GET", "/v1/admin/orders/ORD-T-1", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "order_id"), "ORD-T-1");
    assert_string_equal(jstr(r->json, "status"), "COMPLETED");
    assert_int_equal(jnum(r->json, "total_fen"), total);
    const cJSON *ob = cJSON_GetObjectItemCaseSensitive(r->json, "body");
    assert_string_equal(jstr(ob, "member_id"), "M001");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ob, "coupon_ids"), 0)
                            ->valuestring,
                        "C100");
    assert_int_equal(jnum(ob, "points_used"), pts);
    backend_result_free(r);
    r = call("GET", "/v1/admin/sales/S1002", NULL);
    assert_string_equal(jstr(r->json, "status"), "paid");
    assert_string_equal(jstr(r->json, "paid_by"), "OTN-ORD-1");
    assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r->json, "locked_by")));
    assert_string_equal(jstr(r->json, "locked_by"), "");
    backend_result_free(r);
    /* a completed order is not priced again */
    expect_error(call("POST", "/v1/orders", "{\"order_id\":\"ORD-T-1\",\"items\":"
                                            "[{\"barcode\":\"6920000010004\",\"qty\":1}]}"),
                 409, "ORDER_COMPLETED");
    /* the sale is paid: gone from pump 2, and cannot be ordered again */
    r = call("GET", "/v1/pumps", NULL);
    const cJSON *p2 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r->json, "pumps"), 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(p2, "unpaid_sales")), 0);
    backend_result_free(r);
    expect_error(call("POST", "/v1/orders", "{\"order_id\":\"ORD-T-2\",\"sale_ids\":[\"S1002\"]}"),
                 409, "SALE_NOT_PAYABLE");
    expect_error(call("POST", "/v1/orders", "{\"order_id\":\"ORD-T-3\",\"items\":[]}"), 400,
                 "EMPTY_ORDER");
    expect_error(call("POST", "/v1/orders", "{\"order_id\":\"ORD-T-4\",\"sale_ids\":[\"S1003\"],"
                                            "\"member_id\":\"M002\",\"coupon_ids\":[\"C100\"]}"),
                 409, "COUPON_NOT_APPLICABLE");
}

static void invoices_cards_shifts(void **state)
{
    (void)state;
    /* a seeded past sale (the e-invoice tests proper run on their own simulators) */
    struct backend_result *r = call("POST", "/v1/invoices",
        "{\"sales\":[\"T0002-20261101-000109\"],\"buyer\":{\"type\":\"organization\","
        "\"name\":\"福建闽运物流有限公司\",\"tax_id\":\"91350100MA2Y7K3B3K\"},"
        "\"delivery\":{\"email\":\"a@b.cn\"}}");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "ISSUED");
    backend_result_free(r);
    expect_error(call("POST", "/v1/invoices",
                      "{\"sales\":[\"T0002-20261101-000109\"],\"buyer\":{\"type\":"
                      "\"individual\",\"name\":\"张三\"},\"delivery\":{\"phone\":"
                      "\"13800138000\"}}"),
                 409, "ALREADY_INVOICED");
    expect_error(call("POST", "/v1/invoices", "{\"sales\":[\"T0002-20261101-000101\"],"
                                              "\"buyer\":{\"type\":\"organization\",\"name\":\"X\","
                                              "\"tax_id\":\"91350100MA2Y7K3B3A\"},"
                                              "\"delivery\":{\"email\":\"a@b.cn\"}}"),
                 400, "INVALID_TAX_ID");

    r = call("GET", "/v1/cards/1000113300001234", NULL);
    assert_int_equal(jnum(r->json, "account_fen"), 500000);
    assert_string_equal(jstr(r->json, "card_no_masked"), "1000********1234");
    backend_result_free(r);
    /* the fuel cards' loads, allocations and recharges run on their own simulators */
    r = call("GET", "/v1/cards/1000113300009999", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "lost");
    backend_result_free(r);
    expect_error(call("GET", "/v1/cards/1234", NULL), 404, "CARD_NOT_FOUND");
    /* the old routes are gone: a recharge is an order, an allocation has lines */
    expect_error(call("POST", "/v1/cards/1000113300001234/recharge",
                      "{\"amount_fen\":10000,\"out_trade_no\":\"OTN-RC-1\"}"),
                 404, "NOT_FOUND");

    r = call("POST", "/v1/shifts/close", "{\"shift_id\":\"SH-1\",\"attendant\":\"A01\","
                                         "\"totals\":{\"sales_fen\":123456}}");
    assert_string_equal(jstr(r->json, "status"), "CLOSED");
    backend_result_free(r);
    expect_error(call("POST", "/v1/shifts/close", "{\"shift_id\":\"SH-1\",\"attendant\":\"A01\","
                                                  "\"totals\":{}}"),
                 409, "SHIFT_CLOSED");
}

/* Bearer coupons: scanned from their QR code, used once by anyone, member or not. */
static void bearer_coupons(void **state)
{
    (void)state;
    struct backend_result *r = call("GET", "/v1/coupons/CPN-5OFF-0001", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "coupon_id"), "C900");
    assert_string_equal(jstr(r->json, "title_zh"), "立减5元");
    assert_string_equal(jstr(r->json, "title_en"), "¥5 off");
    assert_int_equal(jnum(r->json, "off_fen"), 500);
    assert_int_equal(jnum(r->json, "min_spend_fen"), 0);
    backend_result_free(r);
    r = call("GET", "/v1/coupons/CPN-20OFF-0002", NULL);
    assert_string_equal(jstr(r->json, "coupon_id"), "C901");
    assert_int_equal(jnum(r->json, "off_fen"), 2000);
    assert_int_equal(jnum(r->json, "min_spend_fen"), 30000);
    backend_result_free(r);
    expect_error(call("GET", "/v1/coupons/CPN-NOPE-9999", NULL), 404, "COUPON_NOT_FOUND");

    /* ¥5 off a ¥2 water, without a member: capped so that ¥0.01 is still paid */
    r = call("POST", "/v1/orders", "{\"order_id\":\"ORD-C-1\",\"items\":[{\"barcode\":"
                                   "\"6920000010004\",\"qty\":1}],\"coupon_ids\":[\"C900\"]}");
    assert_int_equal(r->status, 200);
    const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r->json, "discounts"), 0);
    assert_string_equal(jstr(d, "kind"), "coupon");
    assert_string_equal(jstr(d, "coupon_id"), "C900");
    assert_int_equal(jnum(d, "amount_fen"), -199);
    assert_int_equal(jnum(r->json, "total_fen"), 1);
    assert_int_equal(jnum(r->json, "points_available"), 0);
    assert_int_equal(jnum(r->json, "points_earned"), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r->json, "member_id")));
    backend_result_free(r);
    /* minimum spend, someone else's coupon, the same coupon twice */
    expect_error(call("POST", "/v1/orders", "{\"order_id\":\"ORD-C-2\",\"items\":[{\"barcode\":"
                                            "\"6920000010004\",\"qty\":1}],"
                                            "\"coupon_ids\":[\"C901\"]}"),
                 409, "COUPON_NOT_APPLICABLE");
    expect_error(call("POST", "/v1/orders", "{\"order_id\":\"ORD-C-3\",\"items\":[{\"barcode\":"
                                            "\"6920000010004\",\"qty\":1}],"
                                            "\"coupon_ids\":[\"C101\"]}"),
                 409, "COUPON_NOT_APPLICABLE");
    expect_error(call("POST", "/v1/orders", "{\"order_id\":\"ORD-C-4\",\"items\":[{\"barcode\":"
                                            "\"6920000010004\",\"qty\":1}],"
                                            "\"coupon_ids\":[\"C900\",\"C900\"]}"),
                 400, "INVALID_ARGUMENT");
    /* a member may use bearer coupons with their own: S1008 95# 51 L = 398.31, silver 5.10
     * off, C901 20 off 300, C200 5 off 100 */
    int64_t m002 = points_of("M002");
    r = call("POST", "/v1/orders", "{\"order_id\":\"ORD-C-6\",\"sale_ids\":[\"S1008\"],"
                                   "\"member_id\":\"M002\",\"coupon_ids\":[\"C901\",\"C200\"]}");
    assert_int_equal(r->status, 200);
    assert_int_equal(jnum(r->json, "subtotal_fen"), 39831);
    assert_int_equal(jnum(r->json, "total_fen"), 39831 - 510 - 2000 - 500);
    int64_t share = (39831 - 510 - 2000 - 500) / 2 / 100;
    assert_int_equal(jnum(r->json, "points_available"), m002 < share ? m002 : share);
    assert_int_equal(jnum(r->json, "points_used"), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "coupon_ids")),
                     2);
    backend_result_free(r);

    /* paid and completed: the coupon is used, by anyone */
    pay(be, "OTN-C-1", "ORD-C-1", 1);
    r = call("POST", "/v1/orders/ORD-C-1/complete", "{\"out_trade_no\":\"OTN-C-1\"}");
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    assert_true(coupon_used("C900"));
    assert_false(coupon_used("C901"));
    expect_error(call("GET", "/v1/coupons/CPN-5OFF-0001", NULL), 409, "COUPON_USED");
    expect_error(call("POST", "/v1/orders", "{\"order_id\":\"ORD-C-5\",\"items\":[{\"barcode\":"
                                            "\"6920000010004\",\"qty\":1}],"
                                            "\"coupon_ids\":[\"C900\"]}"),
                 409, "COUPON_NOT_APPLICABLE");
}

/* What a priced order must be. */
static void order_arguments(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":1}],\"coupon_ids\":\"C900\"",
        "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":1}],\"coupon_ids\":[900]",
        "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":1}],\"points\":1.5",
        "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":1}],\"points\":-1",
        "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":1}],\"member_id\":7",
    };
    char body[300];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(body, sizeof body, "{\"order_id\":\"ORD-A-%zu\",%s}", i, bad[i]);
        expect_error(call("POST", "/v1/orders", body), 400, "INVALID_ARGUMENT");
    }
    expect_error(call("POST", "/v1/orders", "{\"order_id\":\"ORD-A-9\",\"items\":[{\"barcode\":"
                                            "\"6920000010004\",\"qty\":1}],"
                                            "\"member_id\":\"M999\"}"),
                 404, "MEMBER_NOT_FOUND");
    /* a member without points has none to use; points without a member are ignored */
    struct backend_result *r =
        call("POST", "/v1/orders", "{\"order_id\":\"ORD-A-10\",\"items\":[{\"barcode\":"
                                   "\"6920000010004\",\"qty\":3}],\"member_id\":\"M003\","
                                   "\"points\":5}");
    assert_int_equal(jnum(r->json, "points_available"), 0);
    assert_int_equal(jnum(r->json, "points_used"), 0);
    assert_int_equal(jnum(r->json, "points_earned"), 6);
    backend_result_free(r);
    r = call("POST", "/v1/orders", "{\"order_id\":\"ORD-A-11\",\"items\":[{\"barcode\":"
                                   "\"6920000010004\",\"qty\":3}],\"points\":5}");
    assert_int_equal(jnum(r->json, "points_available"), 0);
    assert_int_equal(jnum(r->json, "points_used"), 0);
    assert_int_equal(jnum(r->json, "points_earned"), 0);
    assert_int_equal(jnum(r->json, "total_fen"), 600);
    backend_result_free(r);
    /* completion needs a payment for this very order */
    pay(be, "OTN-A-11", "ORD-A-10", 600);
    expect_error(call("POST", "/v1/orders/ORD-A-11/complete", "{\"out_trade_no\":\"OTN-A-11\"}"),
                 409, "NOT_PAID");
    expect_error(call("POST", "/v1/orders/ORD-NOPE/complete", "{\"out_trade_no\":\"OTN-A-11\"}"),
                 404, "NOT_FOUND");
}

static const char *journal_body(const char *record_id, const char *kind, const char *order_id,
                                const char *otn)
{
    static char body[400];
    snprintf(body, sizeof body,
             "{\"records\":[{\"record_id\":\"%s\",\"kind\":\"%s\",\"body\":{\"order_id\":\"%s\","
             "\"out_trade_no\":\"%s\",\"amount_fen\":1}}]}",
             record_id, kind, order_id, otn);
    return body;
}

/* A kiosk offline when the customer paid: its outbox's sale record completes the order. */
static void journal_completes_order(void **state)
{
    (void)state;
    int64_t p0 = points_of("M002");
    assert_true(p0 >= 50);
    /* S1005 0# 120.35 L = 843.65; silver 12.04 off; C200 5 off; 50 points */
    int64_t total = price(be, "ORD-J-1", "\"sale_ids\":[\"S1005\"],\"member_id\":\"M002\","
                                         "\"coupon_ids\":[\"C200\"],\"points\":50");
    assert_int_equal(total, 84365 - 1204 - 500 - 5000);
    pay(be, "OTN-J-1", "ORD-J-1", total);
    /* paid for the wrong amount, for another order, or not a sale record: nothing happens */
    int64_t t2 = price(be, "ORD-J-2", "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":1}]");
    pay(be, "OTN-J-2", "ORD-J-2", t2 - 1);
    int64_t t3 = price(be, "ORD-J-3", "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":1}]");
    pay(be, "OTN-J-3", "ORD-J-OTHER", t3);
    int64_t t4 = price(be, "ORD-J-4", "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":1}]");
    pay(be, "OTN-J-4", "ORD-J-4", t4);
    const char *recs[][4] = {
        {"T0001-J-000001", "sale", "ORD-J-1", "OTN-J-1"},
        {"T0001-J-000002", "sale", "ORD-J-2", "OTN-J-2"},
        {"T0001-J-000003", "sale", "ORD-J-3", "OTN-J-3"},
        {"T0001-J-000004", "shift", "ORD-J-4", "OTN-J-4"},
    };
    struct backend_result *r;
    for (int i = 0; i < 4; i++) {
        r = call("POST", "/v1/journal/records",
                 journal_body(recs[i][0], recs[i][1], recs[i][2], recs[i][3]));
        assert_int_equal(r->status, 200);
        assert_int_equal(jnum(r->json, "accepted"), 1);
        backend_result_free(r);
    }
    r = call("POST", "/v1/journal/records", "{\"records\":[{\"record_id\":\"T0001-J-000005\","
                                            "\"kind\":\"sale\",\"body\":{\"amount_fen\":5}}]}");
    assert_int_equal(jnum(r->json, "accepted"), 1);
    backend_result_free(r);
    assert_string_equal(order_status("ORD-J-1"), "COMPLETED");
    assert_string_equal(order_status("ORD-J-2"), "PRICED");
    assert_string_equal(order_status("ORD-J-3"), "PRICED");
    assert_string_equal(order_status("ORD-J-4"), "PRICED");
    r = call("GET", "/v1/admin/sales/S1005", NULL);
    assert_string_equal(jstr(r->json, "status"), "paid");
    assert_string_equal(jstr(r->json, "paid_by"), "OTN-J-1");
    backend_result_free(r);
    assert_true(coupon_used("C200"));
    int64_t p1 = p0 - 50 + total / 100;
    assert_int_equal(points_of("M002"), p1);

    /* exactly once: the record again, another record, the kiosk's own completion */
    r = call("POST", "/v1/journal/records", journal_body("T0001-J-000001", "sale", "ORD-J-1",
                                                         "OTN-J-1"));
    assert_int_equal(jnum(r->json, "duplicates"), 1);
    backend_result_free(r);
    r = call("POST", "/v1/journal/records", journal_body("T0001-J-000006", "sale", "ORD-J-1",
                                                         "OTN-J-1"));
    assert_int_equal(jnum(r->json, "accepted"), 1);
    backend_result_free(r);
    r = call("POST", "/v1/orders/ORD-J-1/complete", "{\"out_trade_no\":\"OTN-J-1\"}");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "COMPLETED");
    backend_result_free(r);
    assert_int_equal(points_of("M002"), p1);
    /* the shift record did nothing; the order completes the ordinary way */
    r = call("POST", "/v1/orders/ORD-J-4/complete", "{\"out_trade_no\":\"OTN-J-4\"}");
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    assert_string_equal(order_status("ORD-J-4"), "COMPLETED");
    /* a batch with a bad record keeps none of it */
    expect_error(call("POST", "/v1/journal/records",
                      "{\"records\":[{\"record_id\":\"T0001-J-000007\",\"kind\":\"sale\"},"
                      "{\"kind\":\"sale\"}]}"),
                 400, "INVALID_ARGUMENT");
    r = call("POST", "/v1/journal/records",
             "{\"records\":[{\"record_id\":\"T0001-J-000007\",\"kind\":\"sale\"}]}");
    assert_int_equal(jnum(r->json, "accepted"), 1);
    backend_result_free(r);
}

/* QR payments on every channel the backend serves. */
static void native_channels(void **state)
{
    (void)state;
    static const char *const channels[] = {"unionpay", "ecny", "wechat", "alipay"};
    char body[200], otn[32], path[80];
    for (int i = 0; i < 4; i++) {
        snprintf(otn, sizeof otn, "OTN-CH-%d", i);
        snprintf(body, sizeof body, "{\"out_trade_no\":\"%s\",\"order_id\":\"O-CH\","
                                    "\"amount_fen\":1234,\"mode\":\"native\",\"channel\":\"%s\"}",
                 otn, channels[i]);
        struct backend_result *r = call("POST", "/v1/payments", body);
        assert_int_equal(r->status, 200);
        assert_string_equal(jstr(r->json, "status"), "CREATED");
        assert_string_equal(jstr(r->json, "channel"), channels[i]);
        assert_non_null(strstr(jstr(r->json, "code_url"), otn));
        backend_result_free(r);
        snprintf(path, sizeof path, "/v1/admin/payments/%s/pay", otn);
        backend_result_free(call("POST", path, "{}"));
        snprintf(path, sizeof path, "/v1/payments/%s", otn);
        r = call("GET", path, NULL);
        assert_string_equal(jstr(r->json, "status"), "PAID");
        assert_string_equal(jstr(r->json, "channel"), channels[i]);
        backend_result_free(r);
    }
    expect_error(call("POST", "/v1/payments", "{\"out_trade_no\":\"OTN-CH-X\",\"amount_fen\":1,"
                                              "\"mode\":\"native\",\"channel\":\"paypal\"}"),
                 400, "INVALID_ARGUMENT");
}

/* The admin routes tests use to check the backend's own records. */
static void admin_records(void **state)
{
    (void)state;
    struct backend_result *r = call("GET", "/v1/admin/payments", NULL);
    assert_int_equal(r->status, 200);
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(r->json, "payments"), *p;
    int first_paid = -1, ali = -1, qr = -1, up = -1, i = 0;
    cJSON_ArrayForEach(p, ps)
    {
        const char *otn = jstr(p, "out_trade_no");
        if (!strcmp(otn, "OTN-PAID-1")) {
            first_paid = i;
            assert_string_equal(jstr(p, "order_id"), "O1");
            assert_int_equal(jnum(p, "amount_fen"), 33118);
            assert_string_equal(jstr(p, "status"), "PAID");
            assert_string_equal(jstr(p, "mode"), "micropay");
            assert_string_equal(jstr(p, "channel"), "wechat");
        } else if (!strcmp(otn, "OTN-ALI-1")) {
            ali = i;
        } else if (!strcmp(otn, "OTN-QR-1")) {
            qr = i;
            assert_string_equal(jstr(p, "status"), "REVERSED");
            assert_string_equal(jstr(p, "mode"), "native");
            assert_string_equal(jstr(p, "channel"), "alipay");
        } else if (!strcmp(otn, "OTN-CH-0")) {
            up = i;
            assert_string_equal(jstr(p, "channel"), "unionpay");
        }
        i++;
    }
    assert_int_equal(first_paid, 0); /* the first payment this simulator took */
    assert_true(first_paid < ali && ali < qr && qr < up);
    backend_result_free(r);

    r = call("GET", "/v1/admin/sales/S1006", NULL);
    assert_string_equal(jstr(r->json, "sale_id"), "S1006");
    assert_string_equal(jstr(r->json, "status"), "locked");
    assert_string_equal(jstr(r->json, "locked_by"), "T0009");
    /* the seeded lock never expires, however far the tests move the clock */
    assert_true(jnum(r->json, "locked_until_ms") >= SEED_LEASE_END_MS);
    assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r->json, "paid_by")));
    assert_string_equal(jstr(r->json, "paid_by"), "");
    backend_result_free(r);
    r = call("GET", "/v1/admin/members/M003", NULL);
    assert_string_equal(jstr(r->json, "member_id"), "M003");
    assert_int_equal(jnum(r->json, "points"), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "coupons")), 0);
    backend_result_free(r);
    expect_error(call("GET", "/v1/admin/orders/NOPE", NULL), 404, "NOT_FOUND");
    expect_error(call("GET", "/v1/admin/sales/NOPE", NULL), 404, "NOT_FOUND");
    expect_error(call("GET", "/v1/admin/members/NOPE", NULL), 404, "NOT_FOUND");
    expect_error(call("GET", "/v1/admin/coupons/NOPE", NULL), 404, "NOT_FOUND");
    expect_error(call("GET", "/v1/admin/coupons/C900/x", NULL), 404, "NOT_FOUND");
}

/* A client of the simulator on port p as `terminal` (key `key`), with this timeout per
 * attempt and this many retries. */
static struct backend *client_as(int p, const char *terminal, const char *key, int timeout_ms,
                                 int retries)
{
    char url[64], err[200];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", p);
    struct backend_options o = {url, terminal, key, NULL, timeout_ms, 1000, retries, 50, 400, 7};
    struct backend *b = backend_create(&o, q, err, sizeof err);
    if (!b)
        fail_msg("backend_create: %s", err);
    return b;
}

static struct backend *client_at(int p)
{
    return client_as(p, "T0001", KEY, 3000, 3);
}

static pid_t extra_pid = -1; /* a second simulator, stopped even when its test fails */

static int stop_extra(void **state)
{
    (void)state;
    int rc = extra_pid > 0 ? stop_sim(extra_pid) : 0;
    extra_pid = -1;
    return rc;
}

/* Another simulator with another points rule; restarts keep its data, --reset restores the
 * seed, and a database from before bearer coupons gains them. */
static void points_rule_restart_reset(void **state)
{
    int p = 0;
    extra_pid = start_sim("pts", &p, "--point-value-fen", "10", "--points-max-share", "100");
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    struct backend_result *r = call_with(b, "GET", "/v1/members/by-phone/13800138000", NULL, NULL);
    assert_int_equal(jnum(r->json, "point_value_fen"), 10);
    assert_int_equal(jnum(r->json, "points_max_share_pct"), 100);
    assert_int_equal(jnum(r->json, "points"), 2380);
    backend_result_free(r);
    /* a ¥2 water: points may pay it all, at 10 fen each, but ¥0.01 remains: 19 points */
    r = call_with(b, "POST", "/v1/orders", "{\"order_id\":\"ORD-P-1\",\"items\":[{\"barcode\":"
                                           "\"6920000010004\",\"qty\":1}],"
                                           "\"member_id\":\"M001\",\"points\":1000}", NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(jnum(r->json, "points_available"), 19);
    assert_int_equal(jnum(r->json, "points_used"), 19);
    const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r->json, "discounts"), 0);
    assert_string_equal(jstr(d, "kind"), "points");
    assert_int_equal(jnum(d, "amount_fen"), -190);
    assert_int_equal(jnum(r->json, "total_fen"), 10);
    assert_int_equal(jnum(r->json, "points_earned"), 0); /* 1 point per whole yuan paid */
    backend_result_free(r);
    /* fewer points than the rule allows: all of them */
    r = call_with(b, "POST", "/v1/orders", "{\"order_id\":\"ORD-P-2\",\"sale_ids\":[\"S1009\"],"
                                           "\"member_id\":\"M002\"}", NULL);
    assert_int_equal(jnum(r->json, "total_fen"), 6459 - 88);
    assert_int_equal(jnum(r->json, "points_available"), 150);
    assert_int_equal(jnum(r->json, "points_used"), 0);
    backend_result_free(r);
    char body[300];
    snprintf(body, sizeof body, "{\"out_trade_no\":\"OTN-P-1\",\"order_id\":\"ORD-P-1\","
                                "\"amount_fen\":10,\"mode\":\"native\",\"channel\":\"ecny\"}");
    backend_result_free(call_with(b, "POST", "/v1/payments", body, NULL));
    backend_result_free(call_with(b, "POST", "/v1/admin/payments/OTN-P-1/pay", "{}", NULL));
    r = call_with(b, "POST", "/v1/orders/ORD-P-1/complete", "{\"out_trade_no\":\"OTN-P-1\"}",
                  NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);

    /* restarted: the points stay spent */
    extra_pid = start_sim("pts", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    b = client_at(p);
    r = call_with(b, "GET", "/v1/admin/members/M001", NULL, NULL);
    assert_int_equal(jnum(r->json, "points"), 2380 - 19);
    backend_result_free(r);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
    /* --reset: the seed again */
    extra_pid = start_sim("pts", &p, "--reset", NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    b = client_at(p);
    r = call_with(b, "GET", "/v1/admin/members/M001", NULL, NULL);
    assert_int_equal(jnum(r->json, "points"), 2380);
    backend_result_free(r);
    r = call_with(b, "GET", "/v1/admin/orders/ORD-P-1", NULL, NULL);
    assert_int_equal(r->status, 404);
    backend_result_free(r);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);

}

/* The admin record of sale `id` as client b reads it: its status and holder, and, with `until`
 * set, when its lease ends (0 when not locked). */
static void sale_state(struct backend *b, const char *id, const char *status, const char *by,
                       double *until)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/admin/sales/%s", id);
    struct backend_result *r = call_with(b, "GET", path, NULL, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), status);
    assert_string_equal(jstr(r->json, "locked_by"), by);
    if (until)
        *until = jnum(r->json, "locked_until_ms");
    backend_result_free(r);
}

/* The status of sale `id` on GET /v1/pumps as client b's terminal sees it ("" if absent). */
static const char *pump_status(struct backend *b, const char *id)
{
    static char st[32];
    struct backend_result *r = call_with(b, "GET", "/v1/pumps", NULL, NULL);
    assert_int_equal(r->status, 200);
    st[0] = '\0';
    const cJSON *p, *s;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(r->json, "pumps"))
    {
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(p, "unpaid_sales"))
        {
            if (!strcmp(jstr(s, "sale_id"), id))
                snprintf(st, sizeof st, "%s", jstr(s, "status"));
        }
    }
    backend_result_free(r);
    return st;
}

/* Moves the simulator clock of client b's simulator forward. */
static void advance(struct backend *b, int64_t ms)
{
    char body[64];
    snprintf(body, sizeof body, "{\"advance_ms\":%lld}", (long long)ms);
    struct backend_result *r = call_with(b, "POST", "/v1/admin/clock", body, NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
}

/* Pump-sale locks are leases (--lock-lease-ms): locking again renews one; once passed it is no
 * lock for anyone; a payment for a sale another terminal holds is refused. */
static void lock_lease(void **state)
{
    /* a lease out of range is refused with the usage text */
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(126);
        execl(getenv("SIM"), "kiosk-backend-sim", "--db", "/nonexistent/x.db", "--lock-lease-ms",
              "999", (char *)NULL);
        _exit(127);
    }
    int wst;
    waitpid(pid, &wst, 0);
    assert_true(WIFEXITED(wst) && WEXITSTATUS(wst) == 2);

    int p = 0;
    extra_pid = start_sim("lease", &p, "--terminal", "T0002:" KEY2, "--lock-lease-ms", "60000");
    assert_true(extra_pid > 0);
    struct backend *a = client_at(p), *b = client_as(p, "T0002", KEY2, 3000, 3);
    struct backend_result *r = call_with(a, "POST", "/v1/sales/S1001/lock", "{}", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "locked_by_you");
    assert_int_equal(jnum(r->json, "lease_ms"), 60000);
    double t1 = jnum(r->json, "locked_until_ms"), until = -1;
    backend_result_free(r);
    sale_state(a, "S1001", "locked", "T0001", &until);
    assert_true(until == t1);
    assert_string_equal(pump_status(b, "S1001"), "locked");
    expect_error(call_with(b, "POST", "/v1/sales/S1001/lock", "{}", NULL), 409, "SALE_LOCKED");
    expect_error(call_with(b, "POST", "/v1/sales/S1001/unlock", "{}", NULL), 409, "SALE_LOCKED");

    /* renewed halfway: now + lease */
    advance(a, 30000);
    r = call_with(a, "POST", "/v1/sales/S1001/lock", "{}", NULL);
    assert_int_equal(r->status, 200);
    double t2 = jnum(r->json, "locked_until_ms");
    assert_true(t2 >= t1 + 30000);
    backend_result_free(r);
    advance(a, 45000); /* past the first lease, inside the renewed one */
    expect_error(call_with(b, "POST", "/v1/sales/S1001/lock", "{}", NULL), 409, "SALE_LOCKED");
    advance(a, 20000); /* past the renewed one too: the kiosk died */
    assert_string_equal(pump_status(b, "S1001"), "unpaid");
    assert_string_equal(pump_status(a, "S1001"), "unpaid");
    sale_state(a, "S1001", "unpaid", "", &until);
    assert_true(until == 0);
    /* the late unlock of the terminal that lost it is harmless; the other one may take it */
    r = call_with(a, "POST", "/v1/sales/S1001/unlock", "{}", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "unpaid");
    backend_result_free(r);
    r = call_with(b, "POST", "/v1/sales/S1001/lock", "{}", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "locked_by_you");
    backend_result_free(r);
    sale_state(a, "S1001", "locked", "T0002", NULL);
    /* the seeded other terminal's lock outlives every advance */
    sale_state(a, "S1006", "locked", "T0009", &until);
    assert_true(until >= SEED_LEASE_END_MS);

    /* paying for a sale another terminal holds: refused, nothing charged, until it lapses */
    assert_int_equal(price(a, "ORD-L-1", "\"sale_ids\":[\"S1002\"]"), 30069);
    r = call_with(b, "POST", "/v1/sales/S1002/lock", "{}", NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    expect_error(call_with(a, "POST", "/v1/payments",
                           "{\"out_trade_no\":\"OTN-L-1\",\"order_id\":\"ORD-L-1\","
                           "\"amount_fen\":30069,\"mode\":\"micropay\","
                           "\"auth_code\":\"134567890123454444\"}",
                           NULL),
                 409, "SALE_LOCKED");
    expect_error(call_with(a, "GET", "/v1/payments/OTN-L-1", NULL, NULL), 404,
                 "PAYMENT_NOT_FOUND");
    advance(a, 60000);
    pay(a, "OTN-L-2", "ORD-L-1", 30069);
    /* this terminal's own lock is no obstacle */
    r = call_with(a, "POST", "/v1/sales/S1003/lock", "{}", NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    assert_int_equal(price(a, "ORD-L-2", "\"sale_ids\":[\"S1003\"]"), 33118);
    pay(a, "OTN-L-3", "ORD-L-2", 33118);
    backend_destroy(a);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* The simulator's log never holds a phone number, member code, coupon code or payment code in
 * full: paths show "***" in their place, fault lines too, and bodies are not logged. */
static void log_masks_personal_codes(void **state)
{
    static const char *const secrets[] = {"13800138000", "MQR-7F3A91", "CPN-5OFF-0001",
                                          "18600001111", "CPN-20OFF-0002", "134567890123451234",
                                          "13912345678", "2fhCdXcdUruyjkFN888JfjSa"};
    char log[600];
    snprintf(log, sizeof log, "%s/masked.log", dir);
    int p = 0;
    extra_pid = start_sim_log("masked", log, &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    static const char *const lookups[] = {"/v1/members/by-phone/13800138000",
                                          "/v1/members/by-qr/MQR-7F3A91",
                                          "/v1/coupons/CPN-5OFF-0001"};
    struct backend_result *r;
    for (int i = 0; i < 3; i++) {
        r = call_with(b, "GET", lookups[i], NULL, NULL);
        assert_int_equal(r->status, 200);
        backend_result_free(r);
    }
    pay(b, "OTN-LOG-1", "ORD-LOG-1", 100); /* not in the log: the body's auth_code */
    /* an invoice token is a bearer secret, in a path: masked; a phone number in a body */
    r = call_with(b, "GET", "/v1/invoices/sales/2fhCdXcdUruyjkFN888JfjSa", NULL, NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    r = call_with(b, "POST", "/v1/invoices", "{\"sales\":[\"T0002-20261101-000101\"],"
                                             "\"buyer\":{\"type\":\"individual\",\"name\":"
                                             "\"张三\"},\"delivery\":{\"phone\":"
                                             "\"13912345678\"}}", NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    /* the fault lines mask too: a refused lookup (retried), a blackholed one */
    r = call_with(b, "POST", "/v1/admin/faults", "{\"route\":\"/v1/members/by-phone/\","
                                                 "\"refuse\":true,\"count\":1}", NULL);
    backend_result_free(r);
    r = call_with(b, "GET", "/v1/members/by-phone/18600001111", NULL, NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    r = call_with(b, "POST", "/v1/admin/faults", "{\"route\":\"/v1/coupons/\","
                                                 "\"blackhole\":true,\"count\":1}", NULL);
    backend_result_free(r);
    struct backend *impatient = client_as(p, "T0001", KEY, 300, 0);
    r = call_with(impatient, "GET", "/v1/coupons/CPN-20OFF-0002", NULL, NULL);
    assert_int_equal(r->outcome, BE_TIMEOUT);
    backend_result_free(r);
    backend_destroy(impatient);
    backend_destroy(b);
    /* stopping ends the 120 s blackhole at once */
    int64_t t0 = clock_real_ms();
    assert_int_equal(stop_extra(state), 0);
    assert_true(clock_real_ms() - t0 < 5000);

    static char text[65536];
    FILE *f = fopen(log, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(text, secrets[i]))
            fail_msg("the simulator's log holds %s:\n%s", secrets[i], text);
    assert_non_null(strstr(text, "GET /v1/members/by-phone/*** "));
    assert_non_null(strstr(text, "GET /v1/members/by-qr/*** "));
    assert_non_null(strstr(text, "GET /v1/coupons/*** "));
    assert_non_null(strstr(text, "GET /v1/invoices/sales/*** "));
    assert_non_null(strstr(text, "GET /v1/members/by-phone/***: refused (fault)"));
    assert_non_null(strstr(text, "GET /v1/coupons/***: not processed"));
    assert_non_null(strstr(text, "POST /v1/payments "));
}

/* ---- e-invoices (docs/backend-api.md, "E-invoices"): each test on a simulator of its own ---- */

/* A whole number field that must be there (money may be negative on discount lines). */
static int64_t jint(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v))
        fail_msg("field %s missing", name);
    return (int64_t)v->valuedouble;
}

/* The kiosk's key for invoicing a set of sales: inv- and the first 40 hex digits of SHA-256
 * of the sorted txn_nos joined by ",". `sorted` is that join already. */
static const char *inv_key(const char *sorted)
{
    static char key[48];
    char hash[SIGN_HEX_LEN];
    sign_sha256_hex(sorted, strlen(sorted), hash);
    snprintf(key, sizeof key, "inv-%.40s", hash);
    return key;
}

/* A POST /v1/invoices body: the sales (a JSON array's insides), an individual or an
 * organisation from the directory, delivered to a phone and/or email ("" for none). */
static const char *inv_body(const char *sales, const char *buyer, const char *phone,
                            const char *email)
{
    static char body[1024];
    snprintf(body, sizeof body, "{\"sales\":[%s],\"buyer\":%s,\"delivery\":{\"phone\":\"%s\","
                                "\"email\":\"%s\"}}",
             sales, buyer, phone, email);
    return body;
}

#define BUYER_ZW "{\"type\":\"individual\",\"name\":\"张伟\"}"
#define BUYER_JH "{\"type\":\"organization\",\"name\":\"北京京华运输有限公司\"," \
                 "\"tax_id\":\"91110105MA01B6F42H\",\"address\":\"北京市朝阳区建国路88号\"," \
                 "\"phone\":\"010-85123456\",\"bank\":\"中国工商银行北京朝阳支行\"," \
                 "\"account\":\"0200001509200123456\"}"

/* The contract's sums on a sale's answer: each line's tax is round_half_up(gross * 13 / 113)
 * (away from zero on discount lines), amount + tax is the line's gross, the totals are the
 * lines' sums. Answers total_fen. */
static int64_t check_sums(const cJSON *sale)
{
    int64_t amount = 0, tax = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(sale, "lines"))
    {
        int64_t a = jint(l, "amount_fen"), t = jint(l, "tax_fen"), g = a + t;
        int64_t abs = g < 0 ? -g : g, want = (abs * 13 * 2 + 113) / 226;
        assert_int_equal(t, g < 0 ? -want : want);
        assert_int_equal(jint(l, "rate_pct"), 13);
        if (!strcmp(jstr(l, "kind"), "discount"))
            assert_true(g < 0);
        else
            assert_string_equal(jstr(l, "kind"), "goods");
        amount += a;
        tax += t;
    }
    assert_int_equal(jint(sale, "amount_fen"), amount);
    assert_int_equal(jint(sale, "tax_fen"), tax);
    assert_int_equal(jint(sale, "total_fen"), amount + tax);
    return amount + tax;
}

/* Line i of a sale's answer. */
static const cJSON *line_at(const cJSON *sale, int i)
{
    const cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sale, "lines"), i);
    assert_non_null(l);
    return l;
}

static void expect_line(const cJSON *l, const char *kind, const char *name, int64_t amount,
                        int64_t tax)
{
    assert_string_equal(jstr(l, "kind"), kind);
    assert_string_equal(jstr(l, "name"), name);
    assert_int_equal(jint(l, "amount_fen"), amount);
    assert_int_equal(jint(l, "tax_fen"), tax);
}

/* GET /v1/invoices/sales/{ref} by client b: the answer, which must be a 200. */
static struct backend_result *sale_of(struct backend *b, const char *ref)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/invoices/sales/%s", ref);
    struct backend_result *r = call_with(b, "GET", path, NULL, NULL);
    if (r->status != 200)
        fail_msg("sale %s: %d %s (%s)", ref, r->status, r->err_code, r->err_msg);
    return r;
}

static void sale_refused(struct backend *b, const char *ref, int status, const char *code)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/invoices/sales/%s", ref);
    expect_error(call_with(b, "GET", path, NULL, NULL), status, code);
}

/* POST /v1/invoices by client b with `key` (NULL: a fresh one); must be ISSUED or PENDING. */
static struct backend_result *invoice(struct backend *b, const char *body, const char *key)
{
    struct backend_result *r = call_with(b, "POST", "/v1/invoices", body, key);
    if (r->status != 200)
        fail_msg("invoice %s: %d %s (%s)", body, r->status, r->err_code, r->err_msg);
    return r;
}

/* 1 if `s` is exactly 20 digits. */
static int twenty_digits(const char *s)
{
    return strlen(s) == 20 && strspn(s, "0123456789") == 20;
}

/* An admin POST with a body by client b, which must answer 200. */
static void admin_post(struct backend *b, const char *path, const char *body)
{
    struct backend_result *r = call_with(b, "POST", path, body, NULL);
    if (r->status != 200)
        fail_msg("%s: %d %s (%s)", path, r->status, r->err_code, r->err_msg);
    backend_result_free(r);
}

/* The admin record of the invoice numbered `no` (a copy the caller frees), or NULL. */
static cJSON *admin_invoice(struct backend *b, const char *no)
{
    struct backend_result *r = call_with(b, "GET", "/v1/admin/invoices", NULL, NULL);
    assert_int_equal(r->status, 200);
    const cJSON *i;
    cJSON *found = NULL;
    cJSON_ArrayForEach(i, cJSON_GetObjectItemCaseSensitive(r->json, "invoices"))
    {
        if (!strcmp(jstr(i, "invoice_no"), no))
            found = cJSON_Duplicate(i, 1);
    }
    backend_result_free(r);
    return found;
}

/* No answer the test saw, and nothing the backend shows, holds a full phone number or email:
 * text is everything seen, plus the admin list read now. */
static void nothing_personal(struct backend *b, const char *seen)
{
    static const char *const secrets[] = {"13800138000", "13912345678", "zhang.san@qq.com",
                                          "zhang.san", "li.si@163.com", "li.si"};
    struct backend_result *r = call_with(b, "GET", "/v1/admin/invoices", NULL, NULL);
    char *text = cJSON_PrintUnformatted(r->json);
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        if (strstr(text, secrets[i]) || strstr(seen, secrets[i]))
            fail_msg("%s is shown in full", secrets[i]);
    }
    free(text);
    backend_result_free(r);
}

/* Appends r's answer to the text of what the test saw. */
static void seen_add(char *seen, size_t cap, const struct backend_result *r)
{
    char *t = r->json ? cJSON_PrintUnformatted(r->json) : NULL;
    size_t n = strlen(seen);
    if (t)
        snprintf(seen + n, cap - n, "%s\n", t);
    free(t);
}

/* A sale paid at the kiosk, through the real routes: the lines, their names and sums; then
 * issued with the kiosk's key, replayed, asked after; refused a second time. */
static void invoice_kiosk_sale(void **state)
{
    (void)state;
    static char seen[32768];
    seen[0] = '\0';
    int p = 0;
    extra_pid = start_sim("inv1", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    struct backend_result *r = call_with(b, "POST", "/v1/sales/S1002/lock", "{}", NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    /* the API document's order: 95# 38.5 L, two waters, gold member, C100, 100 points */
    int64_t total = price(b, "ORD-I-1", "\"sale_ids\":[\"S1002\"],\"items\":[{\"barcode\":"
                                        "\"6920000010004\",\"qty\":2}],\"member_id\":\"M001\","
                                        "\"coupon_ids\":[\"C100\"],\"points\":100");
    assert_int_equal(total, 18699);
    pay(b, "OTN-I-1", "ORD-I-1", total);
    r = call_with(b, "POST", "/v1/orders/ORD-I-1/complete",
                  "{\"out_trade_no\":\"OTN-I-1\",\"txn_no\":\"T0001-20261123-000042\","
                  "\"invoice_token\":\"k9x2mpwz4rtv8bn6cyd5h3qa\"}", NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);

    r = sale_of(b, "T0001-20261123-000042");
    seen_add(seen, sizeof seen, r);
    assert_string_equal(jstr(r->json, "txn_no"), "T0001-20261123-000042");
    assert_string_equal(jstr(r->json, "station"), "ST001");
    assert_true(llabs(jint(r->json, "paid_unix") - (int64_t)time(NULL)) < 600);
    assert_int_equal(check_sums(r->json), 18699); /* what the customer paid */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "lines")), 3);
    /* 11,000 fen of coupon and points off 29,299 + 400 (after the member discount): 10,852
     * and 148; the member's 770 follows the fuel it reduces */
    const cJSON *l = line_at(r->json, 0);
    expect_line(l, "goods", "*汽油*95号车用汽油", 17006, 2211);
    assert_string_equal(jstr(l, "unit"), "升");
    assert_int_equal(jint(l, "qty_ml"), 38500);
    assert_int_equal(jint(l, "price_fen"), 781);
    expect_line(line_at(r->json, 1), "discount", "*汽油*95号车用汽油", -681, -89);
    l = line_at(r->json, 2);
    expect_line(l, "goods", "*饮料*农夫山泉 550ml", 223, 29);
    assert_string_equal(jstr(l, "unit"), "瓶");
    assert_int_equal(jint(l, "qty"), 2);
    assert_int_equal(jint(l, "price_fen"), 200);
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(r->json, "excluded");
    assert_int_equal(cJSON_GetArraySize(x), 2);
    assert_string_equal(jstr(cJSON_GetArrayItem(x, 0), "reason"), "COUPON");
    assert_string_equal(jstr(cJSON_GetArrayItem(x, 0), "label_zh"), "满200减10");
    assert_int_equal(jint(cJSON_GetArrayItem(x, 0), "amount_fen"), 1000);
    assert_string_equal(jstr(cJSON_GetArrayItem(x, 1), "reason"), "POINTS");
    assert_string_equal(jstr(cJSON_GetArrayItem(x, 1), "label_en"), "Points");
    assert_int_equal(jint(cJSON_GetArrayItem(x, 1), "amount_fen"), 10000);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r->json, "invoice")));
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(r->json, "rules");
    assert_int_equal(jint(rules, "max_merge"), 5);
    assert_int_equal(jint(rules, "window_days"), 30);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rules, "fuel_same_month")));
    assert_int_equal(jint(rules, "counter_over_fen"), 1000000);
    assert_int_equal(jint(rules, "reissue_limit"), 1);
    backend_result_free(r);
    /* the receipt's token names the same sale */
    r = sale_of(b, "k9x2mpwz4rtv8bn6cyd5h3qa");
    assert_string_equal(jstr(r->json, "txn_no"), "T0001-20261123-000042");
    backend_result_free(r);

    /* issued, with the kiosk's key; the same request again is the same answer */
    const char *body = inv_body("\"T0001-20261123-000042\"", BUYER_JH, "13800138000",
                                "zhang.san@qq.com");
    char key[48], no[32];
    snprintf(key, sizeof key, "%s", inv_key("T0001-20261123-000042"));
    struct backend_result *a = invoice(b, body, key);
    seen_add(seen, sizeof seen, a);
    assert_string_equal(jstr(a->json, "status"), "ISSUED");
    snprintf(no, sizeof no, "%s", jstr(a->json, "invoice_no"));
    assert_true(twenty_digits(no));
    /* the phone page's seeded invoice took the first number */
    assert_string_equal(no + 4, "0000000000000002");
    char url[96];
    snprintf(url, sizeof url, "https://inv.example/d/%s", no);
    assert_string_equal(jstr(a->json, "download_url"), url);
    assert_int_equal(jint(a->json, "total_fen"), 18699);
    assert_int_equal(jint(a->json, "amount_fen") + jint(a->json, "tax_fen"), 18699);
    struct backend_result *a2 = call_with(b, "POST", "/v1/invoices", body, key);
    assert_true(a2->replayed);
    char *ta = cJSON_PrintUnformatted(a->json), *tb = cJSON_PrintUnformatted(a2->json);
    assert_string_equal(ta, tb);
    free(ta);
    free(tb);
    char path[120];
    snprintf(path, sizeof path, "/v1/invoices/requests/%s", key);
    r = call_with(b, "GET", path, NULL, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "ISSUED");
    assert_string_equal(jstr(r->json, "invoice_no"), no);
    assert_string_equal(jstr(r->json, "request_id"), jstr(a->json, "request_id"));
    assert_string_equal(jstr(r->json, "download_url"), url);
    assert_string_equal(jstr(r->json, "code"), "");
    backend_result_free(r);
    backend_result_free(a);
    backend_result_free(a2);
    expect_error(call_with(b, "GET", "/v1/invoices/requests/inv-never-seen", NULL, NULL), 404,
                 "NOT_FOUND");
    /* closing: an issued request says so; one never seen is closed for good, and a request
     * arriving late with its key is refused, whatever it asks */
    snprintf(path, sizeof path, "/v1/invoices/requests/%s/close", key);
    r = call_with(b, "POST", path, "", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "ISSUED");
    assert_string_equal(jstr(r->json, "invoice_no"), no);
    backend_result_free(r);
    r = call_with(b, "POST", "/v1/invoices/requests/inv-late/close", "", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "CLOSED");
    assert_string_equal(jstr(r->json, "invoice_no"), "");
    backend_result_free(r);
    r = call_with(b, "GET", "/v1/invoices/requests/inv-late", NULL, NULL);
    assert_string_equal(jstr(r->json, "status"), "CLOSED");
    backend_result_free(r);
    expect_error(call_with(b, "POST", "/v1/invoices", body, "inv-late"), 409, "REQUEST_CLOSED");

    /* the sale shows its invoice, delivered where it went (masked) */
    r = sale_of(b, "T0001-20261123-000042");
    seen_add(seen, sizeof seen, r);
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(r->json, "invoice");
    assert_string_equal(jstr(inv, "invoice_no"), no);
    assert_string_equal(jstr(inv, "status"), "ISSUED");
    assert_string_equal(jstr(inv, "buyer_name"), "北京京华运输有限公司");
    assert_string_equal(jstr(inv, "delivery"), "138****8000, z***@qq.com");
    assert_string_equal(jstr(inv, "by"), "kiosk");
    assert_string_equal(jstr(inv, "download_url"), url);
    assert_int_equal(jint(inv, "reissues_left"), 1);
    assert_true(jint(inv, "issued_unix") > 0);
    backend_result_free(r);
    /* another request for it (another key): refused, with the invoice it is on */
    r = call_with(b, "POST", "/v1/invoices", inv_body("\"T0001-20261123-000042\"", BUYER_ZW,
                                                      "13912345678", ""), NULL);
    assert_int_equal(r->status, 409);
    assert_string_equal(r->err_code, "ALREADY_INVOICED");
    seen_add(seen, sizeof seen, r);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(r->json, "error"), "details");
    assert_string_equal(jstr(d, "txn_no"), "T0001-20261123-000042");
    assert_string_equal(jstr(d, "invoice_no"), no);
    assert_string_equal(jstr(d, "by"), "kiosk");
    assert_string_equal(jstr(d, "delivery"), "138****8000, z***@qq.com");
    backend_result_free(r);

    /* an old caller completes without them; the sale's journal record brings them */
    int64_t t2 = price(b, "ORD-I-2", "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":1}]");
    pay(b, "OTN-I-2", "ORD-I-2", t2);
    r = call_with(b, "POST", "/v1/orders/ORD-I-2/complete", "{\"out_trade_no\":\"OTN-I-2\"}", NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    sale_refused(b, "T0001-20261123-000043", 404, "SALE_NOT_FOUND");
    r = call_with(b, "POST", "/v1/journal/records",
                  "{\"records\":[{\"record_id\":\"T0001-I-000043\",\"kind\":\"sale\",\"body\":"
                  "{\"txn_no\":\"T0001-20261123-000043\",\"order_id\":\"ORD-I-2\","
                  "\"out_trade_no\":\"OTN-I-2\",\"invoice_token\":\"Qm7Rt2Vx9Lp4Wn8Bc3Hd6Kz5\"}},"
                  "{\"record_id\":\"T0001-I-000044\",\"kind\":\"sale\",\"body\":"
                  "{\"txn_no\":\"T0001-20261123-000044\",\"order_id\":\"ORD-I-3\","
                  "\"out_trade_no\":\"OTN-I-3\",\"invoice_token\":\"Zq8Wm3Xr6Tn2Lp9Vc5Hb4Kd7\"}}]}",
                  NULL);
    assert_int_equal(jint(r->json, "accepted"), 2);
    backend_result_free(r);
    r = sale_of(b, "Qm7Rt2Vx9Lp4Wn8Bc3Hd6Kz5");
    assert_string_equal(jstr(r->json, "txn_no"), "T0001-20261123-000043");
    assert_int_equal(check_sums(r->json), t2);
    expect_line(line_at(r->json, 0), "goods", "*饮料*农夫山泉 550ml", 177, 23);
    backend_result_free(r);
    /* ORD-I-3 was never priced: the record is only kept */
    sale_refused(b, "T0001-20261123-000044", 404, "SALE_NOT_FOUND");
    /* priced, named by a record, not paid */
    price(b, "ORD-I-4", "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":1}]");
    r = call_with(b, "POST", "/v1/journal/records",
                  "{\"records\":[{\"record_id\":\"T0001-I-000045\",\"kind\":\"sale\",\"body\":"
                  "{\"txn_no\":\"T0001-20261123-000045\",\"order_id\":\"ORD-I-4\","
                  "\"out_trade_no\":\"OTN-I-4\"}}]}", NULL);
    backend_result_free(r);
    sale_refused(b, "T0001-20261123-000045", 422, "NOT_PAID");
    nothing_personal(b, seen);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* The seeded past sales, each made for one rule. */
static void invoice_seeds(void **state)
{
    int p = 0;
    extra_pid = start_sim("inv2", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    int64_t now = (int64_t)time(NULL);
    /* plain 92#: 30 L at 7.34 */
    struct backend_result *r = sale_of(b, "T0002-20261101-000101");
    assert_int_equal(check_sums(r->json), 22020);
    expect_line(line_at(r->json, 0), "goods", "*汽油*92号车用汽油", 19487, 2533);
    assert_int_equal(jint(line_at(r->json, 0), "qty_ml"), 30000);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "excluded")), 0);
    int64_t paid = jint(r->json, "paid_unix");
    assert_true(paid <= now + 100 && paid >= now - 3700);
    backend_result_free(r);
    /* the same by its token */
    r = sale_of(b, "2fhCdXcdUruyjkFN888JfjSa");
    assert_string_equal(jstr(r->json, "txn_no"), "T0002-20261101-000101");
    backend_result_free(r);
    /* fuel, its member discount, water */
    r = sale_of(b, "T0002-20261101-000102");
    assert_int_equal(check_sums(r->json), 18250);
    expect_line(line_at(r->json, 0), "goods", "*汽油*92号车用汽油", 16239, 2111);
    expect_line(line_at(r->json, 1), "discount", "*汽油*92号车用汽油", -442, -58);
    expect_line(line_at(r->json, 2), "goods", "*饮料*农夫山泉 550ml", 354, 46);
    backend_result_free(r);
    /* points: excluded, off the fuel */
    r = sale_of(b, "T0002-20261101-000103");
    assert_int_equal(check_sums(r->json), 24360);
    const cJSON *x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r->json, "excluded"), 0);
    assert_string_equal(jstr(x, "reason"), "POINTS");
    assert_int_equal(jint(x, "amount_fen"), 5000);
    backend_result_free(r);
    sale_refused(b, "T0002-20261101-000104", 422, "RECHARGE_INVOICED");
    /* invoiced by the phone page */
    r = sale_of(b, "T0002-20261101-000105");
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(r->json, "invoice");
    assert_string_equal(jstr(inv, "by"), "phone");
    assert_string_equal(jstr(inv, "status"), "ISSUED");
    assert_string_equal(jstr(inv, "delivery"), "139****5678");
    assert_true(twenty_digits(jstr(inv, "invoice_no")));
    backend_result_free(r);
    r = sale_of(b, "T0002-20261101-000106");
    assert_int_equal(check_sums(r->json), 27335);
    assert_string_equal(jstr(line_at(r->json, 0), "name"), "*汽油*95号车用汽油");
    backend_result_free(r);
    r = sale_of(b, "T0002-20261101-000107");
    assert_int_equal(check_sums(r->json), 1051500);
    assert_string_equal(jstr(line_at(r->json, 0), "name"), "*柴油*0号车用柴油");
    assert_int_equal(jint(line_at(r->json, 0), "qty_ml"), 1500000);
    backend_result_free(r);
    sale_refused(b, "T0002-20261101-000108", 422, "OUT_OF_WINDOW");
    /* engine oil with a coupon */
    r = sale_of(b, "tEGGJKkkeUcbBpcCcaLX62Ge");
    assert_int_equal(check_sums(r->json), 30800);
    expect_line(line_at(r->json, 0), "goods", "*汽车用品*机油 5W-30 4L", 27257, 3543);
    assert_string_equal(jstr(line_at(r->json, 0), "unit"), "桶");
    x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r->json, "excluded"), 0);
    assert_string_equal(jstr(x, "reason"), "COUPON");
    assert_string_equal(jstr(x, "label_en"), "¥20 off ¥300");
    assert_int_equal(jint(x, "amount_fen"), 2000);
    backend_result_free(r);
    sale_refused(b, "T0901-20261101-000201", 422, "OTHER_STATION");
    sale_refused(b, "T0002-20261101-000999", 404, "SALE_NOT_FOUND");
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* POST /v1/invoices by client b that must be refused with status and code. */
static void invoice_refused(struct backend *b, const char *body, const char *key, int status,
                            const char *code)
{
    expect_error(call_with(b, "POST", "/v1/invoices", body, key), status, code);
}

/* Every refusal of POST /v1/invoices; a 400 leaves the key to the corrected request. */
static void invoice_refusals(void **state)
{
    int p = 0;
    extra_pid = start_sim("inv3", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    const char *s101 = "\"T0002-20261101-000101\"";
    /* the request itself */
    invoice_refused(b, "{\"buyer\":" BUYER_ZW ",\"delivery\":{\"phone\":\"13800138000\"}}", NULL,
                    400, "INVALID_ARGUMENT");
    invoice_refused(b, inv_body("", BUYER_ZW, "13800138000", ""), NULL, 400, "INVALID_ARGUMENT");
    invoice_refused(b, inv_body(s101, "{\"type\":\"company\",\"name\":\"X\"}", "13800138000", ""),
                    NULL, 400, "INVALID_ARGUMENT");
    invoice_refused(b, inv_body(s101, "{\"type\":\"individual\",\"name\":\"\"}", "13800138000",
                                ""), NULL, 400, "INVALID_ARGUMENT");
    invoice_refused(b, inv_body(s101, BUYER_ZW, "", ""), NULL, 400, "INVALID_ARGUMENT");
    invoice_refused(b, inv_body("\"T0002-20261101-000101\",\"2fhCdXcdUruyjkFN888JfjSa\"",
                                BUYER_ZW, "13800138000", ""), NULL, 400, "INVALID_ARGUMENT");
    invoice_refused(b, inv_body(s101, BUYER_ZW, "12800138000", ""), NULL, 400, "INVALID_PHONE");
    invoice_refused(b, inv_body(s101, BUYER_ZW, "1380013800", ""), NULL, 400, "INVALID_PHONE");
    invoice_refused(b, inv_body(s101, BUYER_ZW, "", "zhang.san@qq"), NULL, 400, "INVALID_EMAIL");
    invoice_refused(b, inv_body(s101, BUYER_ZW, "13800138000", "@qq.com"), NULL, 400,
                    "INVALID_EMAIL");
    invoice_refused(b, inv_body(s101, "{\"type\":\"organization\",\"name\":\"X\"}", "13800138000",
                                ""), NULL, 400, "INVALID_TAX_ID");

    /* a 400 is kept as the request's fate, but the corrected request may use the key */
    const char *key = inv_key("T0002-20261101-000101");
    char path[120];
    snprintf(path, sizeof path, "/v1/invoices/requests/%s", key);
    invoice_refused(b, inv_body(s101, "{\"type\":\"organization\",\"name\":"
                                      "\"北京京华运输有限公司\",\"tax_id\":\"91110105MA01B6F42J\"}",
                                "13800138000", ""),
                    key, 400, "INVALID_TAX_ID");
    struct backend_result *r = call_with(b, "GET", path, NULL, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "REFUSED");
    assert_string_equal(jstr(r->json, "code"), "INVALID_TAX_ID");
    assert_string_equal(jstr(r->json, "invoice_no"), "");
    backend_result_free(r);
    r = invoice(b, inv_body(s101, BUYER_JH, "13800138000", ""), key);
    assert_false(r->replayed);
    assert_string_equal(jstr(r->json, "status"), "ISSUED");
    backend_result_free(r);
    r = call_with(b, "GET", path, NULL, NULL);
    assert_string_equal(jstr(r->json, "status"), "ISSUED");
    assert_true(twenty_digits(jstr(r->json, "invoice_no")));
    backend_result_free(r);

    /* the sales themselves */
    invoice_refused(b, inv_body("\"T0002-20261101-000999\"", BUYER_ZW, "13800138000", ""), NULL,
                    404, "SALE_NOT_FOUND");
    invoice_refused(b, inv_body("\"T0002-20261101-000104\"", BUYER_ZW, "13800138000", ""), NULL,
                    422, "RECHARGE_INVOICED");
    invoice_refused(b, inv_body("\"T0002-20261101-000108\"", BUYER_ZW, "13800138000", ""), NULL,
                    422, "OUT_OF_WINDOW");
    invoice_refused(b, inv_body("\"T0901-20261101-000201\"", BUYER_ZW, "13800138000", ""), NULL,
                    422, "OTHER_STATION");
    invoice_refused(b, inv_body("\"T0002-20261101-000107\"", BUYER_JH, "13800138000", ""), NULL,
                    422, "COUNTER_ONLY");
    r = call_with(b, "POST", "/v1/invoices",
                  inv_body("\"T0002-20261101-000105\"", BUYER_ZW, "13800138000", ""), NULL);
    assert_int_equal(r->status, 409);
    assert_string_equal(r->err_code, "ALREADY_INVOICED");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(r->json, "error"), "details");
    assert_string_equal(jstr(d, "by"), "phone");
    assert_string_equal(jstr(d, "txn_no"), "T0002-20261101-000105");
    assert_string_equal(jstr(d, "buyer_name"), "李娜");
    backend_result_free(r);
    /* one merged with one invoiced already: the whole request is refused */
    invoice_refused(b, inv_body("\"T0002-20261101-000103\",\"T0002-20261101-000101\"", BUYER_ZW,
                                "13800138000", ""), NULL, 409, "ALREADY_INVOICED");
    /* merging: more than max_merge, two stations, fuel of two months */
    admin_post(b, "/v1/admin/invoices/settings", "{\"max_merge\":1}");
    invoice_refused(b, inv_body("\"T0002-20261101-000103\",\"T0002-20261101-000106\"", BUYER_ZW,
                                "13800138000", ""), NULL, 422, "MERGE_NOT_ALLOWED");
    admin_post(b, "/v1/admin/invoices/settings", "{\"max_merge\":5,\"window_days\":60}");
    invoice_refused(b, inv_body("\"T0002-20261101-000103\",\"T0901-20261101-000201\"", BUYER_ZW,
                                "13800138000", ""), NULL, 422, "MERGE_NOT_ALLOWED");
    invoice_refused(b, inv_body("\"T0002-20261101-000103\",\"T0002-20261101-000108\"", BUYER_ZW,
                                "13800138000", ""), NULL, 422, "MERGE_NOT_ALLOWED");
    /* within 60 days the old sale alone may be invoiced */
    r = invoice(b, inv_body("\"T0002-20261101-000108\"", BUYER_ZW, "13800138000", ""), NULL);
    backend_result_free(r);
    /* the refined-oil stock: not enough 95#, then just enough, which invoicing takes */
    admin_post(b, "/v1/admin/invoices/settings", "{\"stock_ml\":{\"95#\":34999}}");
    r = call_with(b, "POST", "/v1/invoices",
                  inv_body("\"T0002-20261101-000106\"", BUYER_ZW, "13800138000", ""), NULL);
    assert_int_equal(r->status, 422);
    assert_string_equal(r->err_code, "REFINED_OIL_STOCK");
    d = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->json, "error"),
                                         "details");
    assert_string_equal(jstr(d, "name"), "*汽油*95号车用汽油");
    backend_result_free(r);
    admin_post(b, "/v1/admin/invoices/settings", "{\"stock_ml\":{\"95#\":35000}}");
    r = invoice(b, inv_body("\"T0002-20261101-000106\"", BUYER_ZW, "13800138000", ""), NULL);
    backend_result_free(r);
    r = call_with(b, "GET", "/v1/admin/invoices/settings", NULL, NULL);
    assert_int_equal(jint(cJSON_GetObjectItemCaseSensitive(r->json, "stock_ml"), "95#"), 0);
    assert_int_equal(jint(r->json, "window_days"), 60);
    backend_result_free(r);
    /* over the counter limit until the limit is raised */
    admin_post(b, "/v1/admin/invoices/settings", "{\"counter_over_fen\":2000000}");
    r = invoice(b, inv_body("\"T0002-20261101-000107\"", BUYER_JH, "", "a@b.cn"), NULL);
    backend_result_free(r);
    /* settings that are not */
    expect_error(call_with(b, "POST", "/v1/admin/invoices/settings", "{\"max_merge\":0}", NULL),
                 400, "INVALID_ARGUMENT");
    expect_error(call_with(b, "POST", "/v1/admin/invoices/settings",
                           "{\"stock_ml\":{\"89#\":5}}", NULL), 400, "INVALID_ARGUMENT");
    /* a reset restores the rules, the stock and the seeds */
    admin_post(b, "/v1/admin/reset", "{}");
    r = call_with(b, "GET", "/v1/admin/invoices/settings", NULL, NULL);
    assert_int_equal(jint(r->json, "window_days"), 30);
    assert_int_equal(jint(r->json, "counter_over_fen"), 1000000);
    /* 100,000 L, less the 30 L of the phone page's seeded invoice */
    assert_int_equal(jint(cJSON_GetObjectItemCaseSensitive(r->json, "stock_ml"), "95#"),
                     100000000 - 30000);
    backend_result_free(r);
    r = sale_of(b, "T0002-20261101-000101"); /* invoiced before the reset */
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r->json, "invoice")));
    backend_result_free(r);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* Three sales on one invoice; sent again; corrected once and no more; a slow tax system. */
static void invoice_merge_pending_reissue(void **state)
{
    static char seen[32768];
    seen[0] = '\0';
    int p = 0;
    extra_pid = start_sim("inv4", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    const char *three = "T0002-20261101-000101,T0002-20261101-000102,T0002-20261101-000103";
    char key[48], no[32], path[160];
    snprintf(key, sizeof key, "%s", inv_key(three));
    struct backend_result *r =
        invoice(b, inv_body("\"T0002-20261101-000103\",\"T0002-20261101-000101\","
                            "\"T0002-20261101-000102\"", BUYER_ZW, "13800138000", ""), key);
    seen_add(seen, sizeof seen, r);
    assert_string_equal(jstr(r->json, "status"), "ISSUED");
    assert_int_equal(jint(r->json, "total_fen"), 22020 + 18250 + 24360);
    assert_int_equal(jint(r->json, "amount_fen") + jint(r->json, "tax_fen"), 64630);
    snprintf(no, sizeof no, "%s", jstr(r->json, "invoice_no"));
    assert_true(twenty_digits(no));
    backend_result_free(r);
    for (int i = 0; i < 3; i++) {
        static const char *const s[] = {"T0002-20261101-000101", "T0002-20261101-000102",
                                        "T0002-20261101-000103"};
        r = sale_of(b, s[i]);
        assert_string_equal(jstr(cJSON_GetObjectItemCaseSensitive(r->json, "invoice"),
                                 "invoice_no"), no);
        backend_result_free(r);
    }
    cJSON *adm = admin_invoice(b, no);
    assert_non_null(adm);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(adm, "sales")), 3);
    assert_string_equal(jstr(adm, "request_key"), key);
    assert_string_equal(jstr(adm, "delivery"), "138****8000");
    assert_int_equal(jint(adm, "sends"), 1);
    cJSON_Delete(adm);

    /* sent again, elsewhere */
    snprintf(path, sizeof path, "/v1/invoices/%s/resend", no);
    r = call_with(b, "POST", path, "{\"phone\":\"\",\"email\":\"li.si@163.com\"}", NULL);
    assert_int_equal(r->status, 200);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->json, "sent")));
    backend_result_free(r);
    expect_error(call_with(b, "POST", path, "{\"phone\":\"1380013800\"}", NULL), 400,
                 "INVALID_PHONE");
    expect_error(call_with(b, "POST", "/v1/invoices/26110000000000009999/resend", "{}", NULL), 404,
                 "NOT_FOUND");
    adm = admin_invoice(b, no);
    assert_int_equal(jint(adm, "sends"), 2);
    assert_string_equal(jstr(adm, "delivery"), "l***@163.com");
    cJSON_Delete(adm);

    /* corrected: a red-letter invoice cancels it, a new one is issued; once only */
    snprintf(path, sizeof path, "/v1/invoices/%s/reissue", no);
    r = call_with(b, "POST", path, "{\"buyer\":" BUYER_JH ",\"delivery\":{\"email\":"
                                   "\"zhang.san@qq.com\"}}", NULL);
    assert_int_equal(r->status, 200);
    seen_add(seen, sizeof seen, r);
    char red[32], fresh[32];
    snprintf(red, sizeof red, "%s", jstr(r->json, "red_invoice_no"));
    snprintf(fresh, sizeof fresh, "%s", jstr(r->json, "invoice_no"));
    assert_true(twenty_digits(red) && twenty_digits(fresh));
    assert_string_not_equal(red, no);
    assert_string_not_equal(fresh, no);
    assert_string_equal(jstr(r->json, "status"), "ISSUED");
    backend_result_free(r);
    adm = admin_invoice(b, no);
    assert_string_equal(jstr(adm, "status"), "RED");
    assert_string_equal(jstr(adm, "red_invoice_no"), red);
    cJSON_Delete(adm);
    adm = admin_invoice(b, fresh);
    assert_string_equal(jstr(adm, "red_of"), no);
    assert_string_equal(jstr(adm, "buyer_name"), "北京京华运输有限公司");
    assert_string_equal(jstr(adm, "tax_id"), "91110105MA01B6F42H");
    assert_string_equal(jstr(adm, "delivery"), "z***@qq.com");
    assert_int_equal(jint(adm, "total_fen"), 64630);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(adm, "sales")), 3);
    cJSON_Delete(adm);
    r = sale_of(b, "T0002-20261101-000102");
    const cJSON *inv = cJSON_GetObjectItemCaseSensitive(r->json, "invoice");
    assert_string_equal(jstr(inv, "invoice_no"), fresh);
    assert_int_equal(jint(inv, "reissues_left"), 0);
    backend_result_free(r);
    snprintf(path, sizeof path, "/v1/invoices/%s/reissue", fresh);
    expect_error(call_with(b, "POST", path, "{\"buyer\":" BUYER_ZW "}", NULL), 409,
                 "REISSUE_LIMIT");
    snprintf(path, sizeof path, "/v1/invoices/%s/reissue", no);
    expect_error(call_with(b, "POST", path, "{\"buyer\":" BUYER_ZW "}", NULL), 409, "NOT_ISSUED");
    snprintf(path, sizeof path, "/v1/invoices/%s/resend", no);
    expect_error(call_with(b, "POST", path, "{}", NULL), 409, "NOT_ISSUED");

    /* a slow tax system: PENDING, then issued once the simulator clock has passed */
    admin_post(b, "/v1/admin/invoices/settings", "{\"tax_delay_ms\":5000}");
    snprintf(key, sizeof key, "%s", inv_key("T0002-20261101-000106"));
    r = invoice(b, inv_body("\"T0002-20261101-000106\"", BUYER_ZW, "13912345678", ""), key);
    seen_add(seen, sizeof seen, r);
    assert_string_equal(jstr(r->json, "status"), "PENDING");
    assert_string_equal(jstr(r->json, "invoice_no"), "");
    assert_string_equal(jstr(r->json, "download_url"), "");
    assert_int_equal(jint(r->json, "total_fen"), 27335);
    backend_result_free(r);
    snprintf(path, sizeof path, "/v1/invoices/requests/%s", key);
    r = call_with(b, "GET", path, NULL, NULL);
    assert_string_equal(jstr(r->json, "status"), "PENDING");
    assert_string_equal(jstr(r->json, "invoice_no"), "");
    backend_result_free(r);
    r = sale_of(b, "T0002-20261101-000106");
    inv = cJSON_GetObjectItemCaseSensitive(r->json, "invoice");
    assert_string_equal(jstr(inv, "status"), "PENDING");
    assert_string_equal(jstr(inv, "invoice_no"), "");
    backend_result_free(r);
    invoice_refused(b, inv_body("\"T0002-20261101-000106\"", BUYER_ZW, "13912345678", ""), NULL,
                    409, "ALREADY_INVOICED");
    advance(b, 5000);
    r = call_with(b, "GET", path, NULL, NULL);
    assert_string_equal(jstr(r->json, "status"), "ISSUED");
    snprintf(no, sizeof no, "%s", jstr(r->json, "invoice_no"));
    assert_true(twenty_digits(no));
    backend_result_free(r);
    adm = admin_invoice(b, no);
    assert_non_null(adm);
    assert_string_equal(jstr(adm, "status"), "ISSUED");
    assert_int_equal(jint(adm, "sends"), 1); /* the backend sent it itself */
    cJSON_Delete(adm);
    /* the window closes on corrections too */
    advance(b, 31 * INT64_C(86400000));
    snprintf(path, sizeof path, "/v1/invoices/%s/reissue", no);
    expect_error(call_with(b, "POST", path, "{\"buyer\":" BUYER_JH "}", NULL), 422,
                 "OUT_OF_WINDOW");

    /* the phone page: the kiosk then finds the sale invoiced */
    admin_post(b, "/v1/admin/reset", "{}");
    r = call_with(b, "POST", "/v1/admin/invoices/phone-page",
                  "{\"txn_no\":\"T0002-20261101-000109\",\"buyer_name\":\"王芳\","
                  "\"phone\":\"13800138000\"}", NULL);
    assert_int_equal(r->status, 200);
    seen_add(seen, sizeof seen, r);
    assert_string_equal(jstr(r->json, "status"), "ISSUED");
    /* numbers start again after a reset: the seed's, then this one */
    assert_string_equal(jstr(r->json, "invoice_no") + 4, "0000000000000002");
    backend_result_free(r);
    r = sale_of(b, "T0002-20261101-000109");
    inv = cJSON_GetObjectItemCaseSensitive(r->json, "invoice");
    assert_string_equal(jstr(inv, "by"), "phone");
    assert_string_equal(jstr(inv, "delivery"), "138****8000");
    backend_result_free(r);
    invoice_refused(b, inv_body("\"T0002-20261101-000109\"", BUYER_ZW, "13800138000", ""), NULL,
                    409, "ALREADY_INVOICED");
    nothing_personal(b, seen);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* Number of characters (not bytes) of UTF-8 text. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The taxpayer directory and the invoice-title QRs. */
static void companies_and_titles(void **state)
{
    (void)state;
    static const char *const ids[] = {"91350100MA2Y7K3B3K", "91110105MA01B6F42H",
                                      "91310115MA1H8Q2W3T", "91440300MA5F9D7C7L",
                                      "91330106MA27X8LN04", "91510100MA6C4R9T93",
                                      "110105700123456"};
    size_t longest = 0;
    char path[96];
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        assert_true(code_taxid_valid(ids[i]));
        snprintf(path, sizeof path, "/v1/companies/%s", ids[i]);
        struct backend_result *r = call("GET", path, NULL);
        assert_int_equal(r->status, 200);
        assert_string_equal(jstr(r->json, "tax_id"), ids[i]);
        assert_true(*jstr(r->json, "address") && *jstr(r->json, "phone") &&
                    *jstr(r->json, "bank") && *jstr(r->json, "account"));
        size_t n = utf8_chars(jstr(r->json, "name"));
        longest = n > longest ? n : longest;
        backend_result_free(r);
    }
    assert_true(longest >= 40);
    struct backend_result *r = call("GET", "/v1/companies/91110105MA01B6F42H", NULL);
    assert_string_equal(jstr(r->json, "name"), "北京京华运输有限公司");
    assert_string_equal(jstr(r->json, "bank"), "中国工商银行北京朝阳支行");
    backend_result_free(r);
    expect_error(call("GET", "/v1/companies/91110105MA01B6F42J", NULL), 400, "INVALID_TAX_ID");
    expect_error(call("GET", "/v1/companies/91110105ma01b6f42h", NULL), 400, "INVALID_TAX_ID");
    expect_error(call("GET", "/v1/companies/11010570012345", NULL), 400, "INVALID_TAX_ID");
    expect_error(call("GET", "/v1/companies/11010570012345I", NULL), 400, "INVALID_TAX_ID");
    expect_error(call("GET", "/v1/companies/110105700123457", NULL), 404, "COMPANY_NOT_FOUND");
    assert_true(code_taxid_valid("91350100MA2Y7K3C1E"));
    expect_error(call("GET", "/v1/companies/91350100MA2Y7K3C1E", NULL), 404, "COMPANY_NOT_FOUND");

    r = call("POST", "/v1/invoices/titles", "{\"qr\":\"https://wx.example/invoice-title/ORG1\"}");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "buyer_type"), "organization");
    assert_string_equal(jstr(r->json, "name"), "北京京华运输有限公司");
    assert_string_equal(jstr(r->json, "tax_id"), "91110105MA01B6F42H");
    assert_string_equal(jstr(r->json, "phone"), "010-85123456");
    assert_string_equal(jstr(r->json, "account"), "0200001509200123456");
    backend_result_free(r);
    r = call("POST", "/v1/invoices/titles", "{\"qr\":\"https://wx.example/invoice-title/IND1\"}");
    assert_string_equal(jstr(r->json, "buyer_type"), "individual");
    assert_string_equal(jstr(r->json, "name"), "张伟");
    assert_string_equal(jstr(r->json, "tax_id"), "");
    assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r->json, "bank")));
    backend_result_free(r);
    expect_error(call("POST", "/v1/invoices/titles",
                      "{\"qr\":\"https://wx.example/invoice-title/ORG9\"}"),
                 404, "TITLE_NOT_FOUND");
    expect_error(call("POST", "/v1/invoices/titles", "{\"qr\":\"hello\"}"), 400,
                 "INVALID_ARGUMENT");
    expect_error(call("POST", "/v1/invoices/titles", "{}"), 400, "INVALID_ARGUMENT");
}

/* ---- fuel cards ---- */

#define CARD_TERM "000000000001" /* the kiosk's terminal number, as the chip gets it */
#define CARD_2001 "1000113300002001"
#define CARD_2002 "1000113300002002"
#define CARD_MAIN "1000113300001234"
#define CARD_SUB1 "1000113300005678"
#define CARD_SUB2 "1000113300005679"
#define CARD_LOST "1000113300009999"

static void test_unhex(const char *hex, uint8_t *b, size_t n)
{
    assert_non_null(hex);
    assert_int_equal(strlen(hex), 2 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        b[i] = (uint8_t)v;
    }
}

static void test_hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02X", b[i]);
}

/* The card's load key (DLK) and TAC key (DTK), as its issuer put them on the chip. */
static void chip_keys(const char *no, uint8_t dlk[16], uint8_t dtk[16])
{
    uint8_t mlk[16], mtk[16];
    assert_int_equal(pboc_key_hex(PBOC_TEST_MLK, mlk), 0);
    assert_int_equal(pboc_key_hex(PBOC_TEST_MTK, mtk), 0);
    assert_int_equal(pboc_diversify(mlk, no, dlk), 0);
    assert_int_equal(pboc_diversify(mtk, no, dtk), 0);
}

/* A chip after INITIALIZE FOR LOAD: its balance, online serial and random. */
struct chip {
    const char *no;
    uint32_t balance;
    uint16_t serial;
    uint8_t random[4];
};

/* The chip's load session key. */
static void chip_session(const struct chip *c, uint8_t sk[8])
{
    uint8_t dlk[16], dtk[16];
    chip_keys(c->no, dlk, dtk);
    pboc_session_key(dlk, c->random, c->serial, sk);
}

/* POST /v1/cards/{no}/loads as the kiosk sends it, with MAC1 as the chip makes it for
 * `amount` (`tampered`: a bit of it flipped). */
static struct backend_result *load_call(struct backend *b, const struct chip *c,
                                        const char *load_id, uint32_t amount,
                                        const char *source, int tampered)
{
    uint8_t sk[8], mac1[4], term[6];
    char body[600], path[96], random[9], mac[9];
    test_unhex(CARD_TERM, term, sizeof term);
    chip_session(c, sk);
    pboc_mac1(sk, c->balance, amount, 0x02, term, mac1);
    mac1[3] ^= (uint8_t)(tampered ? 1 : 0);
    test_hex(c->random, 4, random);
    test_hex(mac1, 4, mac);
    snprintf(body, sizeof body,
             "{\"load_id\":\"%s\",\"amount_fen\":%u,\"source\":\"%s\",\"terminal_id\":\"%s\","
             "\"card_balance_fen\":%u,\"online_serial\":%u,\"key_version\":1,\"algorithm\":0,"
             "\"random\":\"%s\",\"mac1\":\"%s\"}",
             load_id, amount, source, CARD_TERM, c->balance, c->serial, random, mac);
    snprintf(path, sizeof path, "/v1/cards/%s/loads", c->no);
    return call_with(b, "POST", path, body, NULL);
}

/* CREDIT FOR LOAD on the chip: the answer's MAC2 must check with the date and time it came
 * with (on the simulator clock, China time, now); the chip's TAC for it into tac (9). */
static void chip_credit(const struct chip *c, const struct backend_result *r, uint32_t amount,
                        char tac[9])
{
    uint8_t sk[8], term[6], date[4], time_[3], want[4], got[4], dlk[16], dtk[16];
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "state"), "PENDING");
    assert_int_equal(jint(r->json, "amount_fen"), amount);
    test_unhex(CARD_TERM, term, sizeof term);
    test_unhex(jstr(r->json, "date"), date, sizeof date);
    test_unhex(jstr(r->json, "time"), time_, sizeof time_);
    test_unhex(jstr(r->json, "mac2"), got, sizeof got);
    chip_session(c, sk);
    pboc_mac2(sk, amount, 0x02, term, date, time_, want);
    assert_memory_equal(want, got, sizeof want);
    /* the date and time are China time, now */
    struct tm tm = {0};
    assert_int_equal(sscanf(jstr(r->json, "date"), "%4d%2d%2d", &tm.tm_year, &tm.tm_mon,
                            &tm.tm_mday), 3);
    assert_int_equal(sscanf(jstr(r->json, "time"), "%2d%2d%2d", &tm.tm_hour, &tm.tm_min,
                            &tm.tm_sec), 3);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    assert_true(llabs((long long)timegm(&tm) - 8 * 3600 - (long long)time(NULL)) < 600);
    chip_keys(c->no, dlk, dtk);
    pboc_tac(dtk, c->balance + amount, c->serial, amount, 0x02, term, date, time_, want);
    test_hex(want, 4, tac);
}

/* POST /v1/cards/{no}/loads/{id}/confirm {"tac"}. */
static struct backend_result *confirm_call(struct backend *b, const char *no, const char *id,
                                           const char *tac)
{
    char body[64], path[160];
    snprintf(body, sizeof body, "{\"tac\":\"%s\"}", tac);
    snprintf(path, sizeof path, "/v1/cards/%s/loads/%s/confirm", no, id);
    return call_with(b, "POST", path, body, NULL);
}

/* The backend's record of a card (GET /v1/admin/cards): a copy the caller frees. */
static cJSON *admin_card(struct backend *b, const char *no)
{
    struct backend_result *r = call_with(b, "GET", "/v1/admin/cards", NULL, NULL);
    assert_int_equal(r->status, 200);
    const cJSON *c;
    cJSON *found = NULL;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(r->json, "cards"))
        if (!strcmp(jstr(c, "card_no"), no))
            found = cJSON_Duplicate(c, 1);
    backend_result_free(r);
    if (!found)
        fail_msg("card %s not in /v1/admin/cards", no);
    return found;
}

/* A card's money at the backend: account, allocation and the loads still pending. */
static void card_money(struct backend *b, const char *no, int64_t *account,
                       int64_t *allocation, int64_t *pending)
{
    cJSON *c = admin_card(b, no);
    const cJSON *l;
    *account = jint(c, "account_fen");
    *allocation = jint(c, "allocation_fen");
    *pending = 0;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(c, "loads"))
        if (!strcmp(jstr(l, "state"), "PENDING"))
            *pending += jint(l, "amount_fen");
    cJSON_Delete(c);
}

/* The state of load `id` of card `no` and whether it is flagged. */
static const char *load_state(struct backend *b, const char *no, const char *id, int *flagged)
{
    static char state[16];
    cJSON *c = admin_card(b, no);
    const cJSON *l;
    state[0] = '\0';
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(c, "loads"))
        if (!strcmp(jstr(l, "load_id"), id)) {
            snprintf(state, sizeof state, "%s", jstr(l, "state"));
            if (flagged)
                *flagged = (int)jint(l, "flagged");
        }
    cJSON_Delete(c);
    return state;
}

static struct backend_result *card_call(struct backend *b, const char *no, const char *what)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/cards/%s%s", no, what);
    return call_with(b, "GET", path, NULL, NULL);
}

/* A card as the kiosk reads it, the test cards' refusals, and the admin view. */
static void card_read_and_refusals(void **state)
{
    int p = 0;
    extra_pid = start_sim("cards0", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    struct backend_result *r = card_call(b, CARD_2001, "");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "card_no"), CARD_2001);
    assert_string_equal(jstr(r->json, "card_no_masked"), "1000********2001");
    assert_string_equal(jstr(r->json, "holder_masked"), "刘*");
    assert_string_equal(jstr(r->json, "kind"), "personal");
    assert_string_equal(jstr(r->json, "status"), "active");
    assert_int_equal(jint(r->json, "account_fen"), 0);
    assert_int_equal(jint(r->json, "allocation_fen"), 0);
    assert_string_equal(jstr(r->json, "invoice_mode"), "recharge");
    assert_int_equal(jint(r->json, "balance_cap_fen"), 500000);
    assert_int_equal(jint(r->json, "daily_recharge_cap_fen"), 500000);
    assert_int_equal(jint(r->json, "recharged_today_fen"), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json,
                                                                         "pending_loads")), 0);
    backend_result_free(r);
    r = card_call(b, CARD_MAIN, "");
    assert_string_equal(jstr(r->json, "kind"), "main");
    assert_string_equal(jstr(r->json, "holder_masked"), "北*********");
    assert_int_equal(jint(r->json, "account_fen"), 500000);
    backend_result_free(r);
    r = card_call(b, CARD_2002, "");
    assert_int_equal(jint(r->json, "account_fen"), 30000);
    backend_result_free(r);
    /* a lost card is shown (its status says so) and refuses everything that changes it */
    r = card_call(b, CARD_LOST, "");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "lost");
    assert_int_equal(jint(r->json, "account_fen"), 12345);
    backend_result_free(r);
    struct chip lost = {CARD_LOST, 100, 4, {1, 2, 3, 4}};
    expect_error(load_call(b, &lost, "L-LOST-1", 100, "account", 0), 409, "CARD_BLOCKED");
    expect_error(call_with(b, "POST", "/v1/orders", "{\"order_id\":\"ORD-CL-1\",\"recharge\":"
                                                    "{\"card_no\":\"" CARD_LOST "\","
                                                    "\"amount_fen\":100}}", NULL),
                 409, "CARD_BLOCKED");
    /* an expired card, an unknown one (on the chip, not at the backend), no card at all */
    expect_error(card_call(b, "1000113300002004", ""), 409, "CARD_EXPIRED");
    struct chip expired = {"1000113300002004", 0, 0, {1, 2, 3, 4}};
    expect_error(load_call(b, &expired, "L-EXP-1", 100, "account", 0), 409, "CARD_EXPIRED");
    expect_error(card_call(b, "1000113300008888", ""), 404, "CARD_NOT_FOUND");
    expect_error(card_call(b, "1000113300008888", "/history"), 404, "CARD_NOT_FOUND");
    expect_error(card_call(b, "1234", ""), 404, "CARD_NOT_FOUND");
    expect_error(confirm_call(b, "1000113300008888", "L-1", "00000000"), 404, "CARD_NOT_FOUND");
    /* the seeds as the admin view shows them: 9 cards, 1000113300008888 not among them */
    r = call_with(b, "GET", "/v1/admin/cards", NULL, NULL);
    const cJSON *cards = cJSON_GetObjectItemCaseSensitive(r->json, "cards");
    assert_int_equal(cJSON_GetArraySize(cards), 9);
    int64_t sum = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cards)
    {
        assert_string_not_equal(jstr(c, "card_no"), "1000113300008888");
        sum += jint(c, "account_fen") + jint(c, "allocation_fen");
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "loads")), 0);
    }
    assert_int_equal(sum, 500000 + 30000 + 12345);
    backend_result_free(r);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* Loading the account onto the chip: MAC1 checked, MAC2 given, the money moved once per
 * load_id, confirmed by the TAC. Money is never made nor lost: chip + account + pending
 * loads stay what was paid in. */
static void card_loads(void **state)
{
    int p = 0;
    extra_pid = start_sim("cards1", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    int64_t account, allocation, pending;
    int flagged = -1;
    char tac[9], tac2[9];
    /* 陈静's card: 1500 on the chip, 30000 on the account */
    struct chip c = {CARD_2002, 1500, 7, {0x1A, 0x2B, 0x3C, 0x4D}};

    /* a MAC1 that does not check: a tampered or foreign card; nothing moves */
    expect_error(load_call(b, &c, "L-T0001-1", 20000, "account", 1), 409, "MAC1_MISMATCH");
    card_money(b, CARD_2002, &account, &allocation, &pending);
    assert_int_equal(account, 30000);
    assert_int_equal(pending, 0);
    assert_string_equal(load_state(b, CARD_2002, "L-T0001-1", NULL), "");

    struct backend_result *r = load_call(b, &c, "L-T0001-1", 20000, "account", 0);
    chip_credit(&c, r, 20000, tac);
    assert_string_equal(jstr(r->json, "load_id"), "L-T0001-1");
    backend_result_free(r);
    card_money(b, CARD_2002, &account, &allocation, &pending);
    assert_int_equal(account, 10000);
    assert_int_equal(pending, 20000);
    /* what waits for the card, whichever kiosk reads it */
    r = card_call(b, CARD_2002, "");
    assert_int_equal(jint(r->json, "account_fen"), 10000);
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(r->json, "pending_loads");
    assert_int_equal(cJSON_GetArraySize(pl), 1);
    assert_string_equal(jstr(cJSON_GetArrayItem(pl, 0), "load_id"), "L-T0001-1");
    assert_int_equal(jint(cJSON_GetArrayItem(pl, 0), "amount_fen"), 20000);
    assert_int_equal(jint(cJSON_GetArrayItem(pl, 0), "online_serial"), 7);
    assert_string_equal(jstr(cJSON_GetArrayItem(pl, 0), "source"), "account");
    backend_result_free(r);

    /* the chip was not credited: INITIALIZE FOR LOAD again (a new random), the same load_id:
     * a new MAC2, a second later, and nothing moves */
    sleep_ms(1100);
    c.random[0] = 0x99;
    r = load_call(b, &c, "L-T0001-1", 20000, "account", 0);
    chip_credit(&c, r, 20000, tac2);
    backend_result_free(r);
    assert_string_not_equal(tac, tac2);
    card_money(b, CARD_2002, &account, &allocation, &pending);
    assert_int_equal(account, 10000);
    assert_int_equal(pending, 20000);
    /* the same load_id for another amount, serial, source or card */
    expect_error(load_call(b, &c, "L-T0001-1", 100, "account", 0), 409, "LOAD_MISMATCH");
    c.serial = 8;
    expect_error(load_call(b, &c, "L-T0001-1", 20000, "account", 0), 409, "LOAD_MISMATCH");
    c.serial = 7;
    struct chip other = {CARD_2001, 8800, 3, {5, 6, 7, 8}};
    expect_error(load_call(b, &other, "L-T0001-1", 20000, "account", 0), 409, "LOAD_MISMATCH");

    /* the TAC of the first MAC2 is not the chip's: the last MAC2 was credited */
    expect_error(confirm_call(b, CARD_2002, "L-T0001-1", tac), 409, "TAC_MISMATCH");
    assert_string_equal(load_state(b, CARD_2002, "L-T0001-1", &flagged), "PENDING");
    assert_int_equal(flagged, 1);
    expect_error(confirm_call(b, CARD_2002, "L-T0001-9", tac2), 404, "LOAD_NOT_FOUND");
    expect_error(confirm_call(b, CARD_2001, "L-T0001-1", tac2), 404, "LOAD_NOT_FOUND");
    expect_error(confirm_call(b, CARD_2002, "L-T0001-1", "12345"), 400, "INVALID_ARGUMENT");
    r = confirm_call(b, CARD_2002, "L-T0001-1", tac2);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "load_id"), "L-T0001-1");
    assert_string_equal(jstr(r->json, "state"), "LOADED");
    assert_int_equal(jint(r->json, "amount_fen"), 20000);
    backend_result_free(r);
    /* repeating it (a new key) answers the same */
    r = confirm_call(b, CARD_2002, "L-T0001-1", tac2);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "state"), "LOADED");
    assert_int_equal(jint(r->json, "amount_fen"), 20000);
    backend_result_free(r);
    assert_string_equal(load_state(b, CARD_2002, "L-T0001-1", NULL), "LOADED");
    expect_error(load_call(b, &c, "L-T0001-1", 20000, "account", 0), 409, "LOAD_DONE");
    r = card_call(b, CARD_2002, "");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json,
                                                                         "pending_loads")), 0);
    backend_result_free(r);
    /* chip 21500 + account 10000 + nothing pending = 1500 + 30000 */
    card_money(b, CARD_2002, &account, &allocation, &pending);
    assert_int_equal(account + pending + 1500 + 20000, 1500 + 30000);

    /* the chip now: 21500, online serial 8 */
    c.balance = 21500;
    c.serial = 8;
    expect_error(load_call(b, &c, "L-T0001-2", 10001, "account", 0), 409,
                 "INSUFFICIENT_BALANCE");
    expect_error(load_call(b, &c, "L-T0001-2", 1, "allocation", 0), 409,
                 "INSUFFICIENT_BALANCE"); /* a personal card has no allocation */
    c.balance = 495001; /* as the chip says (MAC1 vouches for it): over the cap with 5000 */
    expect_error(load_call(b, &c, "L-T0001-2", 5000, "account", 0), 409, "BALANCE_CAP");
    c.balance = 21500;
    card_money(b, CARD_2002, &account, &allocation, &pending);
    assert_int_equal(account, 10000);
    assert_int_equal(pending, 0);
    assert_string_equal(load_state(b, CARD_2002, "L-T0001-2", NULL), "");
    expect_error(call_with(b, "POST", "/v1/cards/" CARD_2002 "/loads",
                           "{\"load_id\":\"L 3\",\"amount_fen\":1}", NULL),
                 400, "INVALID_ARGUMENT");

    /* the account's history: the load, once */
    r = card_call(b, CARD_2002, "/history");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "entries");
    assert_int_equal(cJSON_GetArraySize(e), 1);
    assert_string_equal(jstr(cJSON_GetArrayItem(e, 0), "kind"), "load");
    assert_int_equal(jint(cJSON_GetArrayItem(e, 0), "amount_fen"), 20000);
    assert_string_equal(jstr(cJSON_GetArrayItem(e, 0), "terminal"), "T0001");
    assert_true(jint(cJSON_GetArrayItem(e, 0), "at_ms") > 0);
    backend_result_free(r);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* A main card's sub-cards and its allocations to them: all lines or none, once per
 * allocation_id; a sub-card loads its allocation. */
static void card_allocations(void **state)
{
    int p = 0;
    extra_pid = start_sim("cards2", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    int64_t account, allocation, pending;
    struct backend_result *r = card_call(b, CARD_MAIN, "/subcards");
    assert_int_equal(r->status, 200);
    const cJSON *subs = cJSON_GetObjectItemCaseSensitive(r->json, "subcards");
    assert_int_equal(cJSON_GetArraySize(subs), 3);
    const cJSON *s = cJSON_GetArrayItem(subs, 0);
    assert_string_equal(jstr(s, "card_no"), CARD_SUB1);
    assert_string_equal(jstr(s, "card_no_masked"), "1000********5678");
    assert_string_equal(jstr(s, "holder_masked"), "王**");
    assert_string_equal(jstr(s, "status"), "active");
    assert_int_equal(jint(s, "allocation_fen"), 0);
    assert_string_equal(jstr(cJSON_GetArrayItem(subs, 2), "card_no"), "1000113300005680");
    backend_result_free(r);
    expect_error(card_call(b, CARD_2001, "/subcards"), 409, "NOT_A_MAIN_CARD");
    expect_error(card_call(b, CARD_SUB1, "/subcards"), 409, "NOT_A_MAIN_CARD");

    /* one line to a card that is not this main card's sub-card: nothing moves */
    expect_error(call_with(b, "POST", "/v1/cards/" CARD_MAIN "/allocations",
                           "{\"allocation_id\":\"A-1\",\"lines\":["
                           "{\"to_card\":\"" CARD_SUB1 "\",\"amount_fen\":1000},"
                           "{\"to_card\":\"" CARD_2001 "\",\"amount_fen\":500}]}", NULL),
                 409, "NOT_A_SUB_CARD");
    card_money(b, CARD_MAIN, &account, &allocation, &pending);
    assert_int_equal(account, 500000);
    card_money(b, CARD_SUB1, &account, &allocation, &pending);
    assert_int_equal(allocation, 0);
    expect_error(call_with(b, "POST", "/v1/cards/" CARD_MAIN "/allocations",
                           "{\"allocation_id\":\"A-1\",\"lines\":["
                           "{\"to_card\":\"" CARD_SUB1 "\",\"amount_fen\":1000},"
                           "{\"to_card\":\"" CARD_SUB1 "\",\"amount_fen\":500}]}", NULL),
                 400, "INVALID_ARGUMENT");
    expect_error(call_with(b, "POST", "/v1/cards/" CARD_MAIN "/allocations",
                           "{\"allocation_id\":\"A-1\",\"lines\":["
                           "{\"to_card\":\"" CARD_SUB1 "\",\"amount_fen\":0}]}", NULL),
                 400, "INVALID_ARGUMENT");
    expect_error(call_with(b, "POST", "/v1/cards/" CARD_MAIN "/allocations",
                           "{\"allocation_id\":\"A-1\",\"lines\":[]}", NULL),
                 400, "INVALID_ARGUMENT");
    expect_error(call_with(b, "POST", "/v1/cards/" CARD_MAIN "/allocations",
                           "{\"allocation_id\":\"A-1\",\"lines\":["
                           "{\"to_card\":\"" CARD_SUB1 "\",\"amount_fen\":500001}]}", NULL),
                 409, "INSUFFICIENT_BALANCE");
    expect_error(call_with(b, "POST", "/v1/cards/" CARD_2001 "/allocations",
                           "{\"allocation_id\":\"A-1\",\"lines\":["
                           "{\"to_card\":\"" CARD_SUB1 "\",\"amount_fen\":1}]}", NULL),
                 409, "NOT_A_MAIN_CARD");

    static const char alloc[] = "{\"allocation_id\":\"A-2\",\"lines\":["
                                "{\"to_card\":\"" CARD_SUB1 "\",\"amount_fen\":3000},"
                                "{\"to_card\":\"" CARD_SUB2 "\",\"amount_fen\":2000}]}";
    for (int i = 0; i < 2; i++) {
        /* the second time (a new key): the same answer, nothing moves again */
        r = call_with(b, "POST", "/v1/cards/" CARD_MAIN "/allocations", alloc, NULL);
        assert_int_equal(r->status, 200);
        assert_string_equal(jstr(r->json, "allocation_id"), "A-2");
        assert_int_equal(jint(r->json, "account_fen"), 495000);
        const cJSON *lines = cJSON_GetObjectItemCaseSensitive(r->json, "lines");
        assert_int_equal(cJSON_GetArraySize(lines), 2);
        assert_string_equal(jstr(cJSON_GetArrayItem(lines, 0), "to_card"), CARD_SUB1);
        assert_string_equal(jstr(cJSON_GetArrayItem(lines, 0), "card_no_masked"),
                            "1000********5678");
        assert_int_equal(jint(cJSON_GetArrayItem(lines, 1), "amount_fen"), 2000);
        backend_result_free(r);
        card_money(b, CARD_MAIN, &account, &allocation, &pending);
        assert_int_equal(account, 495000);
        card_money(b, CARD_SUB1, &account, &allocation, &pending);
        assert_int_equal(allocation, 3000);
        card_money(b, CARD_SUB2, &account, &allocation, &pending);
        assert_int_equal(allocation, 2000);
    }
    /* the same allocation_id with other lines */
    expect_error(call_with(b, "POST", "/v1/cards/" CARD_MAIN "/allocations",
                           "{\"allocation_id\":\"A-2\",\"lines\":["
                           "{\"to_card\":\"" CARD_SUB1 "\",\"amount_fen\":3000}]}", NULL),
                 409, "ALLOCATION_MISMATCH");
    r = card_call(b, CARD_MAIN, "/subcards");
    s = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r->json, "subcards"), 1);
    assert_int_equal(jint(s, "allocation_fen"), 2000);
    backend_result_free(r);

    /* 王师傅 loads his allocation onto his chip (2000 on it) */
    struct chip c = {CARD_SUB1, 2000, 11, {9, 8, 7, 6}};
    expect_error(load_call(b, &c, "L-SUB-1", 3001, "allocation", 0), 409,
                 "INSUFFICIENT_BALANCE");
    expect_error(load_call(b, &c, "L-SUB-1", 1, "account", 0), 409, "INSUFFICIENT_BALANCE");
    char tac[9];
    r = load_call(b, &c, "L-SUB-1", 3000, "allocation", 0);
    chip_credit(&c, r, 3000, tac);
    backend_result_free(r);
    card_money(b, CARD_SUB1, &account, &allocation, &pending);
    assert_int_equal(allocation, 0);
    assert_int_equal(pending, 3000);
    r = confirm_call(b, CARD_SUB1, "L-SUB-1", tac);
    assert_string_equal(jstr(r->json, "state"), "LOADED");
    backend_result_free(r);

    /* histories, newest first */
    r = card_call(b, CARD_MAIN, "/history");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "entries");
    assert_int_equal(cJSON_GetArraySize(e), 2);
    assert_string_equal(jstr(cJSON_GetArrayItem(e, 0), "kind"), "allocation_out");
    assert_int_equal(jint(cJSON_GetArrayItem(e, 0), "amount_fen"), 2000);
    assert_int_equal(jint(cJSON_GetArrayItem(e, 1), "amount_fen"), 3000);
    backend_result_free(r);
    r = card_call(b, CARD_SUB1, "/history");
    e = cJSON_GetObjectItemCaseSensitive(r->json, "entries");
    assert_int_equal(cJSON_GetArraySize(e), 2);
    assert_string_equal(jstr(cJSON_GetArrayItem(e, 0), "kind"), "load");
    assert_int_equal(jint(cJSON_GetArrayItem(e, 0), "amount_fen"), 3000);
    assert_string_equal(jstr(cJSON_GetArrayItem(e, 1), "kind"), "allocation_in");
    assert_int_equal(jint(cJSON_GetArrayItem(e, 1), "amount_fen"), 3000);
    assert_true(jint(cJSON_GetArrayItem(e, 0), "at_ms") >= jint(cJSON_GetArrayItem(e, 1),
                                                                 "at_ms"));
    backend_result_free(r);
    /* only the last 10 */
    for (int i = 0; i < 12; i++) {
        char body[200];
        snprintf(body, sizeof body, "{\"allocation_id\":\"A-H%d\",\"lines\":[{\"to_card\":"
                                    "\"1000113300005680\",\"amount_fen\":%d}]}", i, 100 + i);
        r = call_with(b, "POST", "/v1/cards/" CARD_MAIN "/allocations", body, NULL);
        assert_int_equal(r->status, 200);
        backend_result_free(r);
    }
    r = card_call(b, CARD_MAIN, "/history");
    e = cJSON_GetObjectItemCaseSensitive(r->json, "entries");
    assert_int_equal(cJSON_GetArraySize(e), 10);
    assert_int_equal(jint(cJSON_GetArrayItem(e, 0), "amount_fen"), 111);
    assert_int_equal(jint(cJSON_GetArrayItem(e, 9), "amount_fen"), 102);
    backend_result_free(r);
    /* no fen made or lost: the main card's and its sub-cards' accounts, allocations, pending
     * loads and what went onto the chip */
    int64_t total = 3000; /* loaded onto 王师傅's chip */
    const char *const all[] = {CARD_MAIN, CARD_SUB1, CARD_SUB2, "1000113300005680"};
    for (int i = 0; i < 4; i++) {
        card_money(b, all[i], &account, &allocation, &pending);
        total += account + allocation + pending;
    }
    assert_int_equal(total, 500000);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* A recharge is an order: priced as one line, paid, completed; the card's account is
 * credited once, however the completion arrives (the kiosk, again, its journal). */
static void card_recharge_orders(void **state)
{
    int p = 0;
    extra_pid = start_sim("cards3", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    int64_t account, allocation, pending;
    struct backend_result *r = call_with(b, "POST", "/v1/orders",
                                         "{\"order_id\":\"ORD-RC-1\",\"recharge\":{\"card_no\":"
                                         "\"" CARD_2001 "\",\"amount_fen\":20000}}", NULL);
    assert_int_equal(r->status, 200);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r->json, "member_id")));
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(r->json, "lines");
    assert_int_equal(cJSON_GetArraySize(lines), 1);
    assert_string_equal(jstr(cJSON_GetArrayItem(lines, 0), "kind"), "recharge");
    assert_string_equal(jstr(cJSON_GetArrayItem(lines, 0), "card_no_masked"),
                        "1000********2001");
    assert_int_equal(jint(cJSON_GetArrayItem(lines, 0), "amount_fen"), 20000);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json,
                                                                         "discounts")), 0);
    assert_int_equal(jint(r->json, "subtotal_fen"), 20000);
    assert_int_equal(jint(r->json, "points_earned"), 0);
    assert_int_equal(jint(r->json, "points_used"), 0);
    assert_int_equal(jint(r->json, "total_fen"), 20000);
    backend_result_free(r);
    /* no member, coupons, sales or items with it; nothing but a known, usable card */
    expect_error(call_with(b, "POST", "/v1/orders",
                           "{\"order_id\":\"ORD-RC-X\",\"member_id\":\"M001\",\"recharge\":"
                           "{\"card_no\":\"" CARD_2001 "\",\"amount_fen\":100}}", NULL),
                 400, "INVALID_ARGUMENT");
    expect_error(call_with(b, "POST", "/v1/orders",
                           "{\"order_id\":\"ORD-RC-X\",\"sale_ids\":[\"S1001\"],\"recharge\":"
                           "{\"card_no\":\"" CARD_2001 "\",\"amount_fen\":100}}", NULL),
                 400, "INVALID_ARGUMENT");
    expect_error(call_with(b, "POST", "/v1/orders",
                           "{\"order_id\":\"ORD-RC-X\",\"recharge\":{\"card_no\":\""
                           CARD_2001 "\",\"amount_fen\":0}}", NULL),
                 400, "INVALID_ARGUMENT");
    expect_error(call_with(b, "POST", "/v1/orders",
                           "{\"order_id\":\"ORD-RC-X\",\"recharge\":{\"card_no\":"
                           "\"1000113300008888\",\"amount_fen\":100}}", NULL),
                 404, "CARD_NOT_FOUND");
    /* the daily cap: 500000 today, nothing recharged yet */
    expect_error(call_with(b, "POST", "/v1/orders",
                           "{\"order_id\":\"ORD-RC-X\",\"recharge\":{\"card_no\":\""
                           CARD_2001 "\",\"amount_fen\":500001}}", NULL),
                 409, "RECHARGE_LIMIT");

    expect_error(call_with(b, "POST", "/v1/orders/ORD-RC-1/complete",
                           "{\"out_trade_no\":\"OTN-RC-1\"}", NULL), 409, "NOT_PAID");
    pay(b, "OTN-RC-1", "ORD-RC-1", 20000);
    for (int i = 0; i < 2; i++) {
        /* completed, then completed again: credited once */
        r = call_with(b, "POST", "/v1/orders/ORD-RC-1/complete",
                      "{\"out_trade_no\":\"OTN-RC-1\",\"txn_no\":\"T0001-20261130-000001\"}",
                      NULL);
        assert_int_equal(r->status, 200);
        assert_string_equal(jstr(r->json, "status"), "COMPLETED");
        backend_result_free(r);
        card_money(b, CARD_2001, &account, &allocation, &pending);
        assert_int_equal(account, 20000);
    }
    /* the kiosk's journal record of it too changes nothing */
    r = call_with(b, "POST", "/v1/journal/records",
                  journal_body("T0001-J-RC-1", "sale", "ORD-RC-1", "OTN-RC-1"), NULL);
    assert_int_equal(jint(r->json, "accepted"), 1);
    backend_result_free(r);
    r = card_call(b, CARD_2001, "");
    assert_int_equal(jint(r->json, "account_fen"), 20000);
    assert_int_equal(jint(r->json, "recharged_today_fen"), 20000);
    backend_result_free(r);
    expect_error(call_with(b, "POST", "/v1/orders",
                           "{\"order_id\":\"ORD-RC-1\",\"recharge\":{\"card_no\":\""
                           CARD_2001 "\",\"amount_fen\":100}}", NULL),
                 409, "ORDER_COMPLETED");

    /* what is left today: 480000 */
    expect_error(call_with(b, "POST", "/v1/orders",
                           "{\"order_id\":\"ORD-RC-2\",\"recharge\":{\"card_no\":\""
                           CARD_2001 "\",\"amount_fen\":480001}}", NULL),
                 409, "RECHARGE_LIMIT");
    /* a kiosk offline when the customer paid: its journal completes the recharge */
    assert_int_equal(price(b, "ORD-RC-2", "\"recharge\":{\"card_no\":\"" CARD_2001 "\","
                                          "\"amount_fen\":480000}"), 480000);
    pay(b, "OTN-RC-2", "ORD-RC-2", 480000);
    r = call_with(b, "POST", "/v1/journal/records",
                  journal_body("T0001-J-RC-2", "sale", "ORD-RC-2", "OTN-RC-2"), NULL);
    assert_int_equal(jint(r->json, "accepted"), 1);
    backend_result_free(r);
    r = call_with(b, "GET", "/v1/admin/orders/ORD-RC-2", NULL, NULL);
    assert_string_equal(jstr(r->json, "status"), "COMPLETED");
    backend_result_free(r);
    card_money(b, CARD_2001, &account, &allocation, &pending);
    assert_int_equal(account, 500000);
    expect_error(call_with(b, "POST", "/v1/orders",
                           "{\"order_id\":\"ORD-RC-3\",\"recharge\":{\"card_no\":\""
                           CARD_2001 "\",\"amount_fen\":1}}", NULL),
                 409, "RECHARGE_LIMIT");
    /* a priced recharge priced again as a cart recharges nothing when paid */
    assert_int_equal(price(b, "ORD-RC-4", "\"recharge\":{\"card_no\":\"" CARD_2002 "\","
                                          "\"amount_fen\":100}"), 100);
    assert_int_equal(price(b, "ORD-RC-4", "\"items\":[{\"barcode\":\"6920000010004\","
                                          "\"qty\":1}]"), 200);
    pay(b, "OTN-RC-4", "ORD-RC-4", 200);
    r = call_with(b, "POST", "/v1/orders/ORD-RC-4/complete", "{\"out_trade_no\":\"OTN-RC-4\"}",
                  NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    card_money(b, CARD_2002, &account, &allocation, &pending);
    assert_int_equal(account, 30000);

    /* the next China day starts with nothing recharged */
    admin_post(b, "/v1/admin/clock", "{\"advance_ms\":86400000}");
    r = card_call(b, CARD_2001, "");
    assert_int_equal(jint(r->json, "recharged_today_fen"), 0);
    backend_result_free(r);
    r = card_call(b, CARD_2001, "/history");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "entries");
    assert_int_equal(cJSON_GetArraySize(e), 2);
    assert_string_equal(jstr(cJSON_GetArrayItem(e, 0), "kind"), "recharge");
    assert_int_equal(jint(cJSON_GetArrayItem(e, 0), "amount_fen"), 480000);
    assert_int_equal(jint(cJSON_GetArrayItem(e, 1), "amount_fen"), 20000);
    backend_result_free(r);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* A fuel card's recharge, priced, paid and completed, then invoiced (充值开票): one prepaid
 * line, not taxable (不征税): no quantity, unit or price, rate 0, tax 0, the recharge as its
 * amount; no refined-oil stock taken. A card invoiced per fuel sale (invoice_mode sale) has
 * its recharge refused, on the lines and on issuing. */
static void invoice_card_recharge(void **state)
{
    int p = 0;
    extra_pid = start_sim("inv-rc", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    assert_int_equal(price(b, "ORD-RI-1", "\"recharge\":{\"card_no\":\"" CARD_2001 "\","
                                          "\"amount_fen\":20000}"), 20000);
    pay(b, "OTN-RI-1", "ORD-RI-1", 20000);
    /* paid, not completed: not a sale yet */
    sale_refused(b, "T0001-20261130-000001", 404, "SALE_NOT_FOUND");
    struct backend_result *r = call_with(b, "POST", "/v1/orders/ORD-RI-1/complete",
                                         "{\"out_trade_no\":\"OTN-RI-1\","
                                         "\"txn_no\":\"T0001-20261130-000001\"}", NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);

    r = sale_of(b, "T0001-20261130-000001");
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(r->json, "lines");
    assert_int_equal(cJSON_GetArraySize(lines), 1);
    const cJSON *l = line_at(r->json, 0);
    expect_line(l, "goods", "*预付卡销售*加油卡充值", 20000, 0);
    assert_string_equal(jstr(l, "unit"), "");
    assert_null(cJSON_GetObjectItemCaseSensitive(l, "qty"));
    assert_null(cJSON_GetObjectItemCaseSensitive(l, "qty_ml"));
    assert_null(cJSON_GetObjectItemCaseSensitive(l, "price_fen"));
    assert_int_equal(jint(l, "rate_pct"), 0);
    assert_string_equal(jstr(l, "zero_rate"), "NOT_TAXABLE");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "excluded")),
                     0);
    assert_int_equal(jint(r->json, "amount_fen"), 20000);
    assert_int_equal(jint(r->json, "tax_fen"), 0);
    assert_int_equal(jint(r->json, "total_fen"), 20000);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r->json, "invoice")));
    backend_result_free(r);

    /* issued as the kiosk asks: the recharge, tax 0; no refined oil taken off the stock (100,000
     * L of each grade, less the 30 L of 95# the seeded phone page invoiced) */
    const char *key = inv_key("T0001-20261130-000001");
    struct backend_result *a =
        invoice(b, inv_body("\"T0001-20261130-000001\"", BUYER_ZW, "13800138000", ""), key);
    assert_string_equal(jstr(a->json, "status"), "ISSUED");
    assert_true(twenty_digits(jstr(a->json, "invoice_no")));
    assert_int_equal(jint(a->json, "amount_fen"), 20000);
    assert_int_equal(jint(a->json, "tax_fen"), 0);
    assert_int_equal(jint(a->json, "total_fen"), 20000);
    backend_result_free(a);
    r = call_with(b, "GET", "/v1/admin/invoices/settings", NULL, NULL);
    const cJSON *stock = cJSON_GetObjectItemCaseSensitive(r->json, "stock_ml");
    static const char *const grades[] = {"92#", "95#", "98#", "0#"};
    static const int64_t left_ml[] = {100000000, 99970000, 100000000, 100000000};
    for (int i = 0; i < 4; i++)
        assert_int_equal(jint(stock, grades[i]), left_ml[i]);
    backend_result_free(r);
    /* on the invoice now: answered with it; a second request is refused */
    r = sale_of(b, "T0001-20261130-000001");
    assert_string_equal(jstr(cJSON_GetObjectItemCaseSensitive(r->json, "invoice"), "status"),
                        "ISSUED");
    backend_result_free(r);
    expect_error(call_with(b, "POST", "/v1/invoices",
                           inv_body("\"T0001-20261130-000001\"", BUYER_ZW, "13800138000", ""),
                           NULL),
                 409, "ALREADY_INVOICED");

    /* 陈静's card is invoiced per fuel sale: its recharge is not invoiced, by anyone */
    assert_int_equal(price(b, "ORD-RI-2", "\"recharge\":{\"card_no\":\"" CARD_2002 "\","
                                          "\"amount_fen\":10000}"), 10000);
    pay(b, "OTN-RI-2", "ORD-RI-2", 10000);
    r = call_with(b, "POST", "/v1/orders/ORD-RI-2/complete",
                  "{\"out_trade_no\":\"OTN-RI-2\",\"txn_no\":\"T0001-20261130-000002\"}",
                  NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    sale_refused(b, "T0001-20261130-000002", 422, "INVOICED_PER_SALE");
    key = inv_key("T0001-20261130-000002");
    expect_error(call_with(b, "POST", "/v1/invoices",
                           inv_body("\"T0001-20261130-000002\"", BUYER_ZW, "13800138000", ""),
                           key),
                 422, "INVOICED_PER_SALE");
    char path[120];
    snprintf(path, sizeof path, "/v1/invoices/requests/%s", key);
    r = call_with(b, "GET", path, NULL, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "REFUSED");
    assert_string_equal(jstr(r->json, "code"), "INVOICED_PER_SALE");
    backend_result_free(r);
    /* nor with a sale that may be invoiced, nor on the phone page */
    expect_error(call_with(b, "POST", "/v1/invoices",
                           inv_body("\"T0002-20261101-000101\",\"T0001-20261130-000002\"",
                                    BUYER_ZW, "13800138000", ""),
                           NULL),
                 422, "INVOICED_PER_SALE");
    expect_error(call_with(b, "POST", "/v1/admin/invoices/phone-page",
                           "{\"txn_no\":\"T0001-20261130-000002\",\"buyer_name\":\"陈静\","
                           "\"phone\":\"13800138000\"}", NULL),
                 422, "INVOICED_PER_SALE");
    /* one invoice in all besides the seeded phone page's: the recharge of 2001 */
    r = call_with(b, "GET", "/v1/admin/invoices", NULL, NULL);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "invoices")),
                     2);
    backend_result_free(r);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* A card_load journal record (the kiosk's confirmation got no answer) confirms the load as
 * the route would; a TAC that does not verify only flags it. */
static void card_load_journal(void **state)
{
    int p = 0;
    extra_pid = start_sim("cards4", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    struct chip c = {CARD_2002, 1500, 7, {0xCA, 0xFE, 0x00, 0x01}};
    char tac[9], body[400];
    int flagged = -1;
    struct backend_result *r = load_call(b, &c, "L-J-1", 5000, "account", 0);
    chip_credit(&c, r, 5000, tac);
    backend_result_free(r);
    snprintf(body, sizeof body, "{\"records\":[{\"record_id\":\"T0001-J-CL-1\",\"kind\":"
                                "\"card_load\",\"body\":{\"card_no\":\"" CARD_2002 "\","
                                "\"load_id\":\"L-J-1\",\"tac\":\"%s\"}}]}",
             tac[0] == '0' ? "10000000" : "00000000");
    r = call_with(b, "POST", "/v1/journal/records", body, NULL);
    assert_int_equal(jint(r->json, "accepted"), 1);
    backend_result_free(r);
    assert_string_equal(load_state(b, CARD_2002, "L-J-1", &flagged), "PENDING");
    assert_int_equal(flagged, 1);
    snprintf(body, sizeof body, "{\"records\":[{\"record_id\":\"T0001-J-CL-2\",\"kind\":"
                                "\"card_load\",\"body\":{\"card_no\":\"" CARD_2002 "\","
                                "\"load_id\":\"L-J-1\",\"tac\":\"%s\"}}]}", tac);
    r = call_with(b, "POST", "/v1/journal/records", body, NULL);
    assert_int_equal(jint(r->json, "accepted"), 1);
    backend_result_free(r);
    assert_string_equal(load_state(b, CARD_2002, "L-J-1", NULL), "LOADED");
    /* the kiosk's late confirmation answers the same */
    r = confirm_call(b, CARD_2002, "L-J-1", tac);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "state"), "LOADED");
    assert_int_equal(jint(r->json, "amount_fen"), 5000);
    backend_result_free(r);
    int64_t account, allocation, pending;
    card_money(b, CARD_2002, &account, &allocation, &pending);
    assert_int_equal(account, 25000);
    assert_int_equal(pending, 0);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* Other master keys (--card-keys): the test cards' MACs no longer check. A database from
 * before card loads gets the new card tables and the test cards. */
static void card_keys_and_old_database(void **state)
{
    int p = 0;
    extra_pid = start_sim("cards5", &p, "--card-keys",
                          "00112233445566778899AABBCCDDEEFF:FFEEDDCCBBAA99887766554433221100",
                          NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    struct chip c = {CARD_2002, 1500, 7, {1, 2, 3, 4}};
    expect_error(load_call(b, &c, "L-K-1", 100, "account", 0), 409, "MAC1_MISMATCH");
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);

    /* the same database as it was before card loads */
    char db[600];
    sqlite3 *h;
    snprintf(db, sizeof db, "%s/cards5.db", dir);
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "DROP TABLE cards; DROP TABLE card_loads;"
                                     "DROP TABLE card_allocations; DROP TABLE card_moves;"
                                     "DROP TABLE card_recharges;"
                                     "CREATE TABLE cards (card_no TEXT PRIMARY KEY, holder TEXT,"
                                     " kind TEXT, main_card TEXT, account_fen INTEGER,"
                                     " status TEXT);"
                                     "CREATE TABLE card_ops (op_id TEXT PRIMARY KEY,"
                                     " card_no TEXT, kind TEXT, amount_fen INTEGER);"
                                     "INSERT INTO cards VALUES ('" CARD_MAIN "','x','main',"
                                     "NULL,1,'active');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    extra_pid = start_sim("cards5", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    b = client_at(p);
    struct backend_result *r = card_call(b, CARD_MAIN, "");
    assert_int_equal(r->status, 200);
    assert_int_equal(jint(r->json, "account_fen"), 500000);
    backend_result_free(r);
    char tac[9];
    r = load_call(b, &c, "L-K-2", 100, "account", 0);
    chip_credit(&c, r, 100, tac);
    backend_result_free(r);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* ---- depot pickups (docs/backend-api.md, "Depot pickups (提油)") ---- */

/* The test people's ID numbers (made up, with good check characters). */
#define WANG_ID "110105198203154413" /* 王建国: PO2611300001, 02, 05..09 */
#define CHEN_ID "810000199007080026" /* 陈美玲: PO2611300002, a residence permit */
#define ZHAO_ID "320102197505201233" /* 赵刚: PO2611300003 */
#define LIU_ID "440106198811023153"  /* 刘洋: PO2611300004, the face never matches */
#define LI_ID "310104199302146625"   /* 李娜: on no order */

/* A refusal's error object: the status and code checked; r still to be freed. */
static const cJSON *refusal(struct backend_result *r, int status, const char *code)
{
    if (r->status != status || strcmp(r->err_code, code))
        fail_msg("expected %d %s, got %d %s (%s)", status, code, r->status, r->err_code,
                 r->err_msg);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
    assert_non_null(e);
    return e;
}

/* 1 if s ends with `tail`. */
static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && !strcmp(s + n - t, tail);
}

/* The China-time day of an ISO 8601 time "YYYY-MM-DDTHH:MM:SS+08:00", as days since 1970. */
static long iso_day(const char *iso)
{
    struct tm tm = {0};
    assert_int_equal(sscanf(iso, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday), 3);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long)(timegm(&tm) / 86400);
}

/* GET /v1/depots/{depot}/pickups/{code} as client b. */
static struct backend_result *pickup(struct backend *b, const char *depot, const char *code)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/depots/%s/pickups/%s", depot, code);
    return call_with(b, "GET", path, NULL, NULL);
}

/* The id_salt of the order behind `code` (at D01), into salt (65 bytes). */
static void salt_of(struct backend *b, const char *code, char *salt)
{
    struct backend_result *r = pickup(b, "D01", code);
    assert_int_equal(r->status, 200);
    snprintf(salt, SIGN_HEX_LEN, "%s", jstr(r->json, "id_salt"));
    assert_int_equal(strlen(salt), 64);
    backend_result_free(r);
}

/* What the kiosk sends for an ID number: hex(HMAC-SHA256(key = the salt's 32 bytes, the
 * 18-character number)). */
static void id_proof(const char *salt, const char *id_no, char out[SIGN_HEX_LEN])
{
    uint8_t key[SIGN_KEY_LEN], mac[crypto_auth_hmacsha256_BYTES];
    assert_int_equal(sign_key_from_hex(salt, key), 0);
    crypto_auth_hmacsha256(mac, (const unsigned char *)id_no, strlen(id_no), key);
    sodium_bin2hex(out, SIGN_HEX_LEN, mac, sizeof mac);
}

/* POST /v1/depot/orders/{order}/driver with this proof and kind, as client b with `key`. */
static struct backend_result *driver_call(struct backend *b, const char *order,
                                          const char *proof, const char *kind, const char *key)
{
    char path[96], body[200];
    snprintf(path, sizeof path, "/v1/depot/orders/%s/driver", order);
    snprintf(body, sizeof body, "{\"id_proof\":\"%s\",\"id_kind\":\"%s\"}", proof, kind);
    return call_with(b, "POST", path, body, key);
}

/* The driver_ref of the holder of `id_no` on `order` (whose code is `code`), checked as
 * client b; the masked name it answered into masked (32 bytes) when not NULL. */
static void driver_ok(struct backend *b, const char *order, const char *code, const char *id_no,
                      const char *kind, char ref[32], char *masked)
{
    char salt[SIGN_HEX_LEN], proof[SIGN_HEX_LEN];
    salt_of(b, code, salt);
    id_proof(salt, id_no, proof);
    struct backend_result *r = driver_call(b, order, proof, kind, NULL);
    if (r->status != 200)
        fail_msg("driver of %s: %d %s", order, r->status, r->err_code);
    snprintf(ref, 32, "%s", jstr(r->json, "driver_ref"));
    assert_int_equal(strlen(ref), 18);
    assert_memory_equal(ref, "DR", 2);
    if (masked)
        snprintf(masked, 32, "%s", jstr(r->json, "name_masked"));
    backend_result_free(r);
}

/* n bytes of a made-up picture that starts with `head` (4 bytes) and ends with FF D9, as
 * base64; the caller frees it. */
static char *picture_b64(size_t n, const unsigned char head[4])
{
    unsigned char *bin = malloc(n);
    assert_non_null(bin);
    for (size_t i = 0; i < n; i++)
        bin[i] = (unsigned char)(i * 7 + 3);
    memcpy(bin, head, 4);
    bin[n - 2] = 0xFF;
    bin[n - 1] = 0xD9;
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(cap);
    assert_non_null(s);
    sodium_bin2base64(s, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
    free(bin);
    return s;
}

static const unsigned char JPEG_HEAD[4] = {0xFF, 0xD8, 0xFF, 0xE0};
static const unsigned char PNG_HEAD[4] = {0x89, 0x50, 0x4E, 0x47};

/* POST /v1/depot/orders/{order}/face as client b with `key` (NULL: a new one); frame and wlt
 * are base64 (wlt NULL: null). */
static struct backend_result *face_call(struct backend *b, const char *order, const char *ref,
                                        const char *frame, const char *wlt, const char *key)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/depot/orders/%s/face", order);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "driver_ref", ref);
    if (frame)
        cJSON_AddStringToObject(o, "frame_jpeg", frame);
    if (wlt)
        cJSON_AddStringToObject(o, "id_photo_wlt", wlt);
    else
        cJSON_AddNullToObject(o, "id_photo_wlt");
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    struct backend_result *r = call_with(b, "POST", path, body, key);
    free(body);
    return r;
}

/* A face check of `ref` on `order` that answers `verdict`: its check_id into check (32). */
static void face_ok(struct backend *b, const char *order, const char *ref, const char *verdict,
                    char check[32])
{
    char *frame = picture_b64(4096, JPEG_HEAD);
    struct backend_result *r = face_call(b, order, ref, frame, NULL, NULL);
    free(frame);
    if (r->status != 200)
        fail_msg("face on %s: %d %s", order, r->status, r->err_code);
    assert_string_equal(jstr(r->json, "verdict"), verdict);
    snprintf(check, 32, "%s", jstr(r->json, "check_id"));
    assert_memory_equal(check, "FC", 2);
    backend_result_free(r);
}

/* POST /v1/depot/orders/{order}/ticket as client b (terminal `terminal` in the body) with
 * `key`: the kiosk's is the order id. */
static struct backend_result *ticket_call(struct backend *b, const char *order, const char *ref,
                                          const char *check, const char *terminal,
                                          const char *key)
{
    char path[96], body[200];
    snprintf(path, sizeof path, "/v1/depot/orders/%s/ticket", order);
    snprintf(body, sizeof body, "{\"driver_ref\":\"%s\",\"check_id\":\"%s\",\"terminal\":\"%s\"}",
             ref, check, terminal);
    return call_with(b, "POST", path, body, key);
}

/* The admin record of depot order `id` (GET /v1/admin/depot); the caller frees *all. */
static const cJSON *depot_record(struct backend *b, const char *id, struct backend_result **all)
{
    *all = call_with(b, "GET", "/v1/admin/depot", NULL, NULL);
    assert_int_equal((*all)->status, 200);
    const cJSON *o;
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive((*all)->json, "orders"))
    {
        if (!strcmp(jstr(o, "order_id"), id))
            return o;
    }
    fail_msg("no depot order %s", id);
    return NULL;
}

/* Looking a pickup code up: the order at its depot, its ticket once issued, and the
 * refusals in their order (unknown, other depot, used, expired) with their extra fields; a
 * database from before depot orders gains them. */
static void depot_lookup(void **state)
{
    int p = 0;
    extra_pid = start_sim("depot-lookup", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    struct backend_result *r = pickup(b, "D01", "PK2611300001");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "order_id"), "PO2611300001");
    assert_string_equal(jstr(r->json, "code"), "PK2611300001");
    assert_string_equal(jstr(r->json, "product"), "0号柴油");
    assert_string_equal(jstr(r->json, "unit"), "L");
    assert_int_equal(jnum(r->json, "quantity_milli"), 30000000);
    assert_string_equal(jstr(r->json, "plate"), "京A·12345");
    assert_string_equal(jstr(r->json, "depot"), "D01");
    assert_string_equal(jstr(r->json, "depot_name"), "北郊油库");
    assert_string_equal(jstr(r->json, "bay"), "3");
    assert_string_equal(jstr(r->json, "status"), "OPEN");
    const char *salt = jstr(r->json, "id_salt");
    assert_int_equal(strlen(salt), 64);
    assert_int_equal(strspn(salt, "0123456789abcdef"), 64);
    /* valid from yesterday 00:00 to the end of the day after tomorrow, China time */
    const char *from = jstr(r->json, "valid_from"), *to = jstr(r->json, "valid_to");
    assert_true(ends_with(from, "T00:00:00+08:00"));
    assert_true(ends_with(to, "T23:59:59+08:00"));
    assert_int_equal(iso_day(to) - iso_day(from), 3);
    assert_null(cJSON_GetObjectItemCaseSensitive(r->json, "ticket"));
    backend_result_free(r);
    /* tonnes: thousandths are kilograms */
    r = pickup(b, "D01", "PK2611300002");
    assert_string_equal(jstr(r->json, "product"), "92号汽油");
    assert_string_equal(jstr(r->json, "unit"), "t");
    assert_int_equal(jnum(r->json, "quantity_milli"), 25500);
    backend_result_free(r);
    /* issued already, at 10:42 by T0002: when and where */
    r = pickup(b, "D01", "PK2611300005");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "ISSUED");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r->json, "ticket");
    assert_string_equal(jstr(t, "ticket_no"), "TK2611300005");
    assert_string_equal(jstr(t, "terminal"), "T0002");
    assert_true(ends_with(jstr(t, "issued_at"), "T10:42:00+08:00"));
    backend_result_free(r);

    /* the refusals, each with its extra field in the error object */
    r = pickup(b, "D01", "PK2611309999");
    const cJSON *e = refusal(r, 404, "PICKUP_NOT_FOUND");
    assert_int_equal(cJSON_GetArraySize(e), 3); /* code, message, retryable */
    assert_false(r->retryable);
    backend_result_free(r);
    r = pickup(b, "D01", "PK2611300008");
    e = refusal(r, 403, "PICKUP_OTHER_DEPOT");
    assert_string_equal(jstr(e, "depot_name"), "南港油库");
    backend_result_free(r);
    r = pickup(b, "D02", "PK2611300008");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "depot_name"), "南港油库");
    backend_result_free(r);
    r = pickup(b, "D01", "PK2611300006");
    e = refusal(r, 409, "PICKUP_USED");
    assert_int_equal(cJSON_GetArraySize(e), 3);
    backend_result_free(r);
    r = pickup(b, "D01", "PK2611300007");
    e = refusal(r, 410, "PICKUP_EXPIRED");
    assert_true(ends_with(jstr(e, "valid_to"), "T23:59:59+08:00"));
    backend_result_free(r);
    /* in order: another depot's order says so before it says used or expired */
    r = pickup(b, "D02", "PK2611300006");
    e = refusal(r, 403, "PICKUP_OTHER_DEPOT");
    assert_string_equal(jstr(e, "depot_name"), "北郊油库");
    backend_result_free(r);
    expect_error(pickup(b, "D02", "PK2611300007"), 403, "PICKUP_OTHER_DEPOT");
    expect_error(pickup(b, "D02", "PK2611309999"), 404, "PICKUP_NOT_FOUND");
    /* codes are 4..40 of [A-Za-z0-9-] */
    expect_error(pickup(b, "D01", "PK1"), 400, "INVALID_ARGUMENT");
    expect_error(pickup(b, "D01", "PK26113000010000000000000000000000000000X"), 400,
                 "INVALID_ARGUMENT");
    expect_error(pickup(b, "D01", "PK_2611300001"), 400, "INVALID_ARGUMENT");
    /* the old routes are gone, and nothing else is under the depot paths */
    expect_error(call_with(b, "GET", "/v1/pickups/PK2611300001", NULL, NULL), 404, "NOT_FOUND");
    expect_error(call_with(b, "GET", "/v1/depots/D01/pickups/PK2611300001/x", NULL, NULL), 404,
                 "NOT_FOUND");
    expect_error(call_with(b, "POST", "/v1/depot/orders/PO2611300001/cancel", "{}", NULL), 404,
                 "NOT_FOUND");
    expect_error(call_with(b, "POST", "/v1/depot/orders/PO2611309999/driver", "{}", NULL), 404,
                 "PICKUP_NOT_FOUND");
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);

    /* a database from before depot orders: its pickups go, the test orders come */
    char db[600];
    sqlite3 *h;
    snprintf(db, sizeof db, "%s/depot-lookup.db", dir);
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "DROP TABLE depot_orders; DROP TABLE depot_drivers;"
                                     "DROP TABLE depot_driver_refs; DROP TABLE depot_face_checks;"
                                     "DROP TABLE depot_settings;"
                                     "CREATE TABLE pickups (code TEXT PRIMARY KEY, product TEXT,"
                                     " volume_ml INTEGER, plate TEXT, id_hash TEXT,"
                                     " verified INTEGER DEFAULT 0, ticket_no TEXT);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    extra_pid = start_sim("depot-lookup", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    b = client_at(p);
    r = pickup(b, "D01", "PK2611300009");
    assert_int_equal(r->status, 200);
    assert_int_equal(jnum(r->json, "quantity_milli"), 12000000);
    backend_result_free(r);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master WHERE name ="
                                           " 'pickups'", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
}

/* Who may pick an order up: the ID number proved by an HMAC keyed by the order's salt, one
 * of the order's drivers or a 403 that says nothing more; the masked name. */
static void depot_driver(void **state)
{
    int p = 0;
    extra_pid = start_sim("depot-driver", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    char salt[SIGN_HEX_LEN], proof[SIGN_HEX_LEN], ref[32], again[32], masked[32];
    salt_of(b, "PK2611300001", salt);
    id_proof(salt, WANG_ID, proof);
    struct backend_result *r = driver_call(b, "PO2611300001", proof, "resident",
                                           "drv-PO2611300001-1");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "name_masked"), "王**");
    snprintf(ref, sizeof ref, "%s", jstr(r->json, "driver_ref"));
    assert_int_equal(strlen(ref), 18);
    assert_memory_equal(ref, "DR", 2);
    assert_int_equal(cJSON_GetArraySize(r->json), 2); /* driver_ref, name_masked: no more */
    backend_result_free(r);
    /* the same driver again, the proof in capitals: the same ref */
    for (char *c = proof; *c; c++)
        if (*c >= 'a' && *c <= 'f')
            *c = (char)(*c - 'a' + 'A');
    r = driver_call(b, "PO2611300001", proof, "resident", "drv-PO2611300001-2");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "driver_ref"), ref);
    backend_result_free(r);

    /* 李娜 is on no order; 陈美玲 on another one; a proof with another order's salt */
    id_proof(salt, LI_ID, proof);
    r = driver_call(b, "PO2611300001", proof, "resident", "drv-PO2611300001-3");
    const cJSON *e = refusal(r, 403, "DRIVER_NOT_AUTHORISED");
    assert_int_equal(cJSON_GetArraySize(e), 3); /* nothing else is said */
    backend_result_free(r);
    id_proof(salt, CHEN_ID, proof);
    expect_error(driver_call(b, "PO2611300001", proof, "hmt", NULL), 403,
                 "DRIVER_NOT_AUTHORISED");
    salt_of(b, "PK2611300003", salt);
    id_proof(salt, WANG_ID, proof);
    expect_error(driver_call(b, "PO2611300001", proof, "resident", NULL), 403,
                 "DRIVER_NOT_AUTHORISED");
    /* 陈美玲 on her order, with her residence permit; two-character names */
    driver_ok(b, "PO2611300002", "PK2611300002", CHEN_ID, "hmt", again, masked);
    assert_string_equal(masked, "陈**");
    driver_ok(b, "PO2611300002", "PK2611300002", WANG_ID, "resident", again, masked);
    assert_string_equal(masked, "王**");
    assert_string_not_equal(again, ref); /* a ref stands for a driver on one order */
    driver_ok(b, "PO2611300003", "PK2611300003", ZHAO_ID, "resident", again, masked);
    assert_string_equal(masked, "赵*");
    driver_ok(b, "PO2611300004", "PK2611300004", LIU_ID, "resident", again, masked);
    assert_string_equal(masked, "刘*");

    /* what is not a proof or a kind */
    salt_of(b, "PK2611300001", salt);
    id_proof(salt, WANG_ID, proof);
    expect_error(driver_call(b, "PO2611300001", "abc", "resident", NULL), 400,
                 "INVALID_ARGUMENT");
    proof[63] = 'g';
    expect_error(driver_call(b, "PO2611300001", proof, "resident", NULL), 400,
                 "INVALID_ARGUMENT");
    id_proof(salt, WANG_ID, proof);
    expect_error(driver_call(b, "PO2611300001", proof, "passport", NULL), 400,
                 "INVALID_ARGUMENT");
    expect_error(call_with(b, "POST", "/v1/depot/orders/PO2611300001/driver", "{}", NULL), 400,
                 "INVALID_ARGUMENT");
    /* a used or expired order is refused as the lookup refuses it, whatever the proof */
    expect_error(driver_call(b, "PO2611300006", proof, "resident", NULL), 409, "PICKUP_USED");
    expect_error(driver_call(b, "PO2611300007", proof, "resident", NULL), 410, "PICKUP_EXPIRED");

    struct backend_result *all;
    const cJSON *o = depot_record(b, "PO2611300001", &all);
    assert_int_equal(jnum(o, "driver_checks"), 5); /* 2 matches, 3 refusals */
    backend_result_free(all);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* The face check: MATCH or NO_MATCH by the driver, a driver_ref of this order's driver check,
 * images of the right form, and the busy service: a 503 whose retry with the same key is
 * processed, never replayed. */
static void depot_face(void **state)
{
    int p = 0;
    extra_pid = start_sim("depot-face", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p), *once = client_as(p, "T0001", KEY, 3000, 0);
    char ref[32], other[32], check[32];
    driver_ok(b, "PO2611300001", "PK2611300001", WANG_ID, "resident", ref, NULL);
    char *frame = picture_b64(2048, JPEG_HEAD), *wlt = picture_b64(1024, JPEG_HEAD);
    struct backend_result *r = face_call(b, "PO2611300001", ref, frame, wlt, "face-PO2611300001-1");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "verdict"), "MATCH");
    assert_int_equal(jnum(r->json, "score"), 93);
    snprintf(check, sizeof check, "%s", jstr(r->json, "check_id"));
    assert_memory_equal(check, "FC", 2);
    backend_result_free(r);
    /* 刘洋's face never matches */
    driver_ok(b, "PO2611300004", "PK2611300004", LIU_ID, "resident", other, NULL);
    r = face_call(b, "PO2611300004", other, frame, NULL, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "verdict"), "NO_MATCH");
    assert_int_equal(jnum(r->json, "score"), 31);
    assert_string_not_equal(jstr(r->json, "check_id"), check);
    backend_result_free(r);
    /* a ref of another order, or none a driver check gave */
    expect_error(face_call(b, "PO2611300001", other, frame, NULL, NULL), 409, "NOT_VERIFIED");
    expect_error(face_call(b, "PO2611300001", "DR0000000000000000", frame, NULL, NULL), 409,
                 "NOT_VERIFIED");

    /* images: a JPEG of 1 KiB..512 KiB, a photo of exactly 1024 bytes */
    char *png = picture_b64(2048, PNG_HEAD), *tiny = picture_b64(1000, JPEG_HEAD);
    char *huge = picture_b64(512 * 1024 + 1, JPEG_HEAD), *max = picture_b64(512 * 1024, JPEG_HEAD);
    char *short_wlt = picture_b64(1000, JPEG_HEAD);
    expect_error(face_call(b, "PO2611300001", ref, png, NULL, NULL), 400, "BAD_IMAGE");
    expect_error(face_call(b, "PO2611300001", ref, tiny, NULL, NULL), 400, "BAD_IMAGE");
    expect_error(face_call(b, "PO2611300001", ref, huge, NULL, NULL), 400, "BAD_IMAGE");
    expect_error(face_call(b, "PO2611300001", ref, "not base64!", NULL, NULL), 400, "BAD_IMAGE");
    expect_error(face_call(b, "PO2611300001", ref, frame, short_wlt, NULL), 400, "BAD_IMAGE");
    expect_error(face_call(b, "PO2611300001", ref, frame, "AAAA", NULL), 400, "BAD_IMAGE");
    expect_error(face_call(b, "PO2611300001", ref, NULL, NULL, NULL), 400, "INVALID_ARGUMENT");
    r = face_call(b, "PO2611300001", ref, max, NULL, NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    r = face_call(b, "PO2611300001", ref, frame, wlt, NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    free(png);
    free(tiny);
    free(huge);
    free(max);
    free(short_wlt);

    /* busy: the answer is not kept with the key, so the same request later is processed */
    r = call_with(b, "POST", "/v1/admin/depot/face", "{\"busy\":1}", NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(jnum(r->json, "busy"), 1);
    backend_result_free(r);
    r = face_call(once, "PO2611300001", ref, frame, wlt, "face-PO2611300001-2");
    refusal(r, 503, "FACE_BUSY");
    assert_true(r->retryable);
    backend_result_free(r);
    r = face_call(once, "PO2611300001", ref, frame, wlt, "face-PO2611300001-2");
    assert_int_equal(r->status, 200);
    assert_false(r->replayed);
    assert_string_equal(jstr(r->json, "verdict"), "MATCH");
    char *first = cJSON_PrintUnformatted(r->json);
    backend_result_free(r);
    r = face_call(once, "PO2611300001", ref, frame, wlt, "face-PO2611300001-2");
    assert_true(r->replayed);
    char *replayed = cJSON_PrintUnformatted(r->json);
    assert_string_equal(first, replayed);
    free(first);
    free(replayed);
    backend_result_free(r);
    /* the kiosk's client retries a busy answer itself, with the same key */
    r = call_with(b, "POST", "/v1/admin/depot/face", "{\"busy\":2}", NULL);
    backend_result_free(r);
    r = face_call(b, "PO2611300001", ref, frame, wlt, "face-PO2611300001-3");
    assert_int_equal(r->status, 200);
    assert_int_equal(r->attempts, 3);
    backend_result_free(r);
    expect_error(call_with(b, "POST", "/v1/admin/depot/face", "{\"busy\":-1}", NULL), 400,
                 "INVALID_ARGUMENT");
    expect_error(call_with(b, "POST", "/v1/admin/depot/face", "{}", NULL), 400,
                 "INVALID_ARGUMENT");

    struct backend_result *all;
    const cJSON *o = depot_record(b, "PO2611300001", &all);
    assert_int_equal(jnum(o, "face_checks"), 5); /* verdicts only: not busy, not bad images */
    assert_int_equal(jnum(o, "face_matches"), 5);
    backend_result_free(all);
    o = depot_record(b, "PO2611300004", &all);
    assert_int_equal(jnum(o, "face_checks"), 1);
    assert_int_equal(jnum(o, "face_matches"), 0);
    backend_result_free(all);
    free(frame);
    free(wlt);
    backend_destroy(once);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* The loading ticket: only after a MATCH of this order's driver; issued once, its key the
 * order id: the same request again is replayed, another kiosk's request answers the first
 * issue (first: false), restarts keep it; refusals as the lookup's; the admin record counts
 * every request and never holds an ID number or a name; nothing personal in the log; a
 * reset brings the test orders back. */
static void depot_ticket(void **state)
{
    static const char *const secrets[] = {WANG_ID, CHEN_ID, ZHAO_ID, LIU_ID, LI_ID, "王建国",
                                          "陈美玲", "刘洋", "李娜", "王**"};
    char log[600];
    snprintf(log, sizeof log, "%s/depot.log", dir);
    int p = 0;
    extra_pid = start_sim_log("depot", log, &p, "--terminal", "T0002:" KEY2, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *a = client_at(p), *b = client_as(p, "T0002", KEY2, 3000, 3);
    char ref[32], check[32], check2[32], no[32], ref_b[32], check_b[32];
    driver_ok(a, "PO2611300001", "PK2611300001", WANG_ID, "resident", ref, NULL);
    /* before a face check, and with a NO_MATCH: not verified; the key stays free */
    expect_error(ticket_call(a, "PO2611300001", ref, "FC99999999", "T0001", "PO2611300001"), 409,
                 "NOT_VERIFIED");
    driver_ok(a, "PO2611300004", "PK2611300004", LIU_ID, "resident", no, NULL);
    face_ok(a, "PO2611300004", no, "NO_MATCH", check);
    expect_error(ticket_call(a, "PO2611300004", no, check, "T0001", "PO2611300004"), 409,
                 "NOT_VERIFIED");
    /* a MATCH of another order, or of another driver_ref, is no check of this one */
    face_ok(a, "PO2611300001", ref, "MATCH", check);
    face_ok(a, "PO2611300001", ref, "MATCH", check2);
    expect_error(ticket_call(a, "PO2611300004", no, check, "T0001", "PO2611300004"), 409,
                 "NOT_VERIFIED");
    expect_error(ticket_call(a, "PO2611300001", no, check, "T0001", "PO2611300001"), 409,
                 "NOT_VERIFIED");
    /* the body's terminal is the caller's own */
    expect_error(ticket_call(a, "PO2611300001", ref, check, "T0002", "PO2611300001"), 400,
                 "INVALID_ARGUMENT");

    /* issued, once */
    struct backend_result *r = ticket_call(a, "PO2611300001", ref, check, "T0001",
                                           "PO2611300001");
    assert_int_equal(r->status, 200);
    assert_false(r->replayed);
    assert_string_equal(jstr(r->json, "ticket_no"), "TK2611300001");
    assert_string_equal(jstr(r->json, "order_id"), "PO2611300001");
    assert_string_equal(jstr(r->json, "bay"), "3");
    assert_string_equal(jstr(r->json, "terminal"), "T0001");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->json, "first")));
    char issued_at[40], *text = cJSON_PrintUnformatted(r->json);
    snprintf(issued_at, sizeof issued_at, "%s", jstr(r->json, "issued_at"));
    assert_true(ends_with(issued_at, "+08:00"));
    backend_result_free(r);
    /* the same request again (a lost answer, a restart): the same answer, replayed */
    r = ticket_call(a, "PO2611300001", ref, check, "T0001", "PO2611300001");
    assert_true(r->replayed);
    char *again = cJSON_PrintUnformatted(r->json);
    assert_string_equal(again, text);
    free(again);
    backend_result_free(r);
    /* the lookup says when and where */
    r = pickup(b, "D01", "PK2611300001");
    assert_string_equal(jstr(r->json, "status"), "ISSUED");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r->json, "ticket");
    assert_string_equal(jstr(t, "ticket_no"), "TK2611300001");
    assert_string_equal(jstr(t, "issued_at"), issued_at);
    assert_string_equal(jstr(t, "terminal"), "T0001");
    backend_result_free(r);
    /* another kiosk, with its own driver and face checks and the same key (the order id):
     * the first issue, not a second ticket nor a reused key (keys are per terminal) */
    driver_ok(b, "PO2611300001", "PK2611300001", WANG_ID, "resident", ref_b, NULL);
    assert_string_equal(ref_b, ref);
    face_ok(b, "PO2611300001", ref_b, "MATCH", check_b);
    r = ticket_call(b, "PO2611300001", ref_b, check_b, "T0002", "PO2611300001");
    assert_int_equal(r->status, 200);
    assert_false(r->replayed);
    assert_string_equal(jstr(r->json, "ticket_no"), "TK2611300001");
    assert_string_equal(jstr(r->json, "issued_at"), issued_at);
    assert_string_equal(jstr(r->json, "terminal"), "T0001");
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->json, "first")));
    backend_result_free(r);
    /* this kiosk with the same key and another request: a reused key (the conventions); with
     * another key: the first issue */
    expect_error(ticket_call(a, "PO2611300001", ref, check2, "T0001", "PO2611300001"), 409,
                 "IDEMPOTENCY_KEY_REUSED");
    r = ticket_call(a, "PO2611300001", ref, check2, "T0001", "PO2611300001-2");
    assert_int_equal(r->status, 200);
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->json, "first")));
    assert_string_equal(jstr(r->json, "issued_at"), issued_at);
    backend_result_free(r);

    /* the seeded ticket: issued at 10:42 by T0002 */
    driver_ok(a, "PO2611300005", "PK2611300005", WANG_ID, "resident", ref_b, NULL);
    face_ok(a, "PO2611300005", ref_b, "MATCH", check_b);
    r = ticket_call(a, "PO2611300005", ref_b, check_b, "T0001", "PO2611300005");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "ticket_no"), "TK2611300005");
    assert_string_equal(jstr(r->json, "terminal"), "T0002");
    assert_true(ends_with(jstr(r->json, "issued_at"), "T10:42:00+08:00"));
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->json, "first")));
    backend_result_free(r);
    /* used, expired, unknown: as the lookup, whatever the checks */
    expect_error(ticket_call(a, "PO2611300006", ref, check, "T0001", "PO2611300006"), 409,
                 "PICKUP_USED");
    r = ticket_call(a, "PO2611300007", ref, check, "T0001", "PO2611300007");
    const cJSON *e = refusal(r, 410, "PICKUP_EXPIRED");
    assert_true(ends_with(jstr(e, "valid_to"), "T23:59:59+08:00"));
    backend_result_free(r);
    expect_error(ticket_call(a, "PO2611309999", ref, check, "T0001", "PO2611309999"), 404,
                 "PICKUP_NOT_FOUND");

    /* the backend's record: one ticket, every request counted (replays included) */
    struct backend_result *all;
    const cJSON *o = depot_record(a, "PO2611300001", &all);
    assert_string_equal(jstr(o, "code"), "PK2611300001");
    assert_string_equal(jstr(o, "status"), "ISSUED");
    assert_string_equal(jstr(o, "ticket_no"), "TK2611300001");
    assert_string_equal(jstr(o, "issued_at"), issued_at);
    assert_string_equal(jstr(o, "terminal"), "T0001");
    assert_int_equal(jnum(o, "tickets_issued"), 1);
    /* not verified, another ref, another terminal, issued, replayed, the other kiosk, a
     * reused key, another key */
    assert_int_equal(jnum(o, "ticket_calls"), 8);
    assert_int_equal(jnum(o, "driver_checks"), 2);
    assert_int_equal(jnum(o, "face_checks"), 3);
    assert_int_equal(jnum(o, "face_matches"), 3);
    char *admin = cJSON_PrintUnformatted(all->json);
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(admin, secrets[i]))
            fail_msg("the admin record holds %s", secrets[i]);
    assert_null(strstr(admin, "name\""));
    free(admin);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(all->json, "orders")),
                     9);
    backend_result_free(all);
    o = depot_record(a, "PO2611300005", &all);
    assert_string_equal(jstr(o, "status"), "ISSUED");
    assert_int_equal(jnum(o, "tickets_issued"), 1);
    assert_int_equal(jnum(o, "ticket_calls"), 1);
    assert_string_equal(jstr(o, "terminal"), "T0002");
    backend_result_free(all);
    o = depot_record(a, "PO2611300009", &all);
    assert_string_equal(jstr(o, "status"), "OPEN");
    assert_string_equal(jstr(o, "ticket_no"), "");
    assert_string_equal(jstr(o, "issued_at"), "");
    assert_int_equal(jnum(o, "tickets_issued"), 0);
    backend_result_free(all);
    backend_destroy(a);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);

    /* the log: requests, never an ID number, a name, a proof or an image */
    static char logged[65536];
    FILE *f = fopen(log, "r");
    assert_non_null(f);
    size_t n = fread(logged, 1, sizeof logged - 1, f);
    fclose(f);
    logged[n] = '\0';
    char salt[SIGN_HEX_LEN], proof[SIGN_HEX_LEN];
    sign_sha256_hex("PO2611300001", 12, salt); /* the seed's salt of PO2611300001 */
    id_proof(salt, WANG_ID, proof);
    char *frame = picture_b64(4096, JPEG_HEAD);
    frame[40] = '\0'; /* its first 40 characters */
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(logged, secrets[i]))
            fail_msg("the simulator's log holds %s:\n%s", secrets[i], logged);
    assert_null(strstr(logged, proof));
    assert_null(strstr(logged, frame));
    free(frame);
    assert_non_null(strstr(logged, "POST /v1/depot/orders/PO2611300001/face "));
    assert_non_null(strstr(logged, "POST /v1/depot/orders/PO2611300001/ticket "));

    /* restarted: the ticket stays, the same request is still replayed */
    extra_pid = start_sim("depot", &p, "--terminal", "T0002:" KEY2, NULL, NULL);
    assert_true(extra_pid > 0);
    a = client_at(p);
    r = ticket_call(a, "PO2611300001", ref, check, "T0001", "PO2611300001");
    assert_true(r->replayed);
    again = cJSON_PrintUnformatted(r->json);
    assert_string_equal(again, text);
    free(again);
    backend_result_free(r);
    free(text);
    o = depot_record(a, "PO2611300001", &all);
    assert_int_equal(jnum(o, "tickets_issued"), 1);
    assert_int_equal(jnum(o, "ticket_calls"), 9);
    backend_result_free(all);
    /* a reset: the test orders as seeded, the busy knob off */
    r = call_with(a, "POST", "/v1/admin/depot/face", "{\"busy\":5}", NULL);
    backend_result_free(r);
    r = call_with(a, "POST", "/v1/admin/reset", "{}", NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    r = pickup(a, "D01", "PK2611300001");
    assert_string_equal(jstr(r->json, "status"), "OPEN");
    backend_result_free(r);
    o = depot_record(a, "PO2611300001", &all);
    assert_int_equal(jnum(o, "tickets_issued"), 0);
    assert_int_equal(jnum(o, "ticket_calls"), 0);
    assert_int_equal(jnum(o, "driver_checks"), 0);
    backend_result_free(all);
    driver_ok(a, "PO2611300001", "PK2611300001", WANG_ID, "resident", ref, NULL);
    face_ok(a, "PO2611300001", ref, "MATCH", check);
    backend_destroy(a);
    assert_int_equal(stop_extra(state), 0);
}

/* ---- staff and refunds (docs/backend-api.md, "Staff and refunds"): a simulator each ---- */

/* The test staff's PINs: what the kiosk sends, never what the simulator keeps or logs. */
static const char *const staff_pins[][2] = {
    {"1001", "246810"}, {"1002", "112233"}, {"2001", "135790"}};

static struct backend_result *login_call(struct backend *b, const char *no, const char *pin,
                                         const char *purpose, const char *key)
{
    char body[200];
    snprintf(body, sizeof body, "{\"staff_no\":\"%s\",\"pin\":\"%s\",\"purpose\":\"%s\"}", no,
             pin, purpose);
    return call_with(b, "POST", "/v1/staff/login", body, key);
}

static void login_ok(struct backend *b, const char *no, const char *pin, const char *purpose,
                     const char *name, const char *role)
{
    struct backend_result *r = login_call(b, no, pin, purpose, NULL);
    if (r->status != 200)
        fail_msg("login %s: %d %s", no, r->status, r->err_code);
    assert_string_equal(jstr(r->json, "staff_no"), no);
    assert_string_equal(jstr(r->json, "name"), name);
    assert_string_equal(jstr(r->json, "role"), role);
    assert_null(cJSON_GetObjectItemCaseSensitive(r->json, "pin"));
    backend_result_free(r);
}

/* 1 if the n bytes at p hold `s`. */
static int bytes_hold(const char *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(p + i, s, k))
            return 1;
    return 0;
}

/* Fails when the file `path` (absent: nothing) holds one of the test staff's PINs. */
static void no_pin_in(const char *path)
{
    static char text[4 << 20];
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    for (size_t i = 0; i < sizeof staff_pins / sizeof staff_pins[0]; i++)
        if (bytes_hold(text, n, staff_pins[i][1]))
            fail_msg("%s holds the PIN of %s", path, staff_pins[i][0]);
}

/* Logins: the verifiers a kiosk caches (Argon2id, cheap enough for a kiosk, checking the
 * PINs), the answer for each role and purpose, one refusal for a wrong PIN and an unknown
 * person alike, bad requests, the down switch, every checked attempt counted, and no PIN in
 * the log or the database. */
static void staff_login(void **state)
{
    char log[600];
    snprintf(log, sizeof log, "%s/staff.log", dir);
    int p = 0;
    extra_pid = start_sim_log("staff", log, &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    assert_true(sodium_init() >= 0);

    struct backend_result *r = call_with(b, "GET", "/v1/staff/verifiers", NULL, NULL);
    assert_int_equal(r->status, 200);
    const cJSON *staff = cJSON_GetObjectItemCaseSensitive(r->json, "staff");
    assert_int_equal(cJSON_GetArraySize(staff), 3);
    static const char *const want[][4] = {{"1001", "王芳", "attendant", "1000113300009001"},
                                          {"1002", "赵磊", "attendant", "1000113300009003"},
                                          {"2001", "李强", "supervisor", "1000113300009002"}};
    for (int i = 0; i < 3; i++) {
        const cJSON *s = cJSON_GetArrayItem(staff, i);
        assert_string_equal(jstr(s, "staff_no"), want[i][0]);
        assert_string_equal(jstr(s, "name"), want[i][1]);
        assert_string_equal(jstr(s, "role"), want[i][2]);
        assert_string_equal(jstr(s, "card_no"), want[i][3]);
        const char *v = jstr(s, "verifier");
        assert_true(!strncmp(v, "$argon2id$v=19$m=8192,t=2,p=1$", 30));
        assert_int_equal(crypto_pwhash_str_verify(v, staff_pins[i][1], 6), 0);
        assert_int_not_equal(crypto_pwhash_str_verify(v, "000000", 6), 0);
        assert_null(strstr(v, staff_pins[i][1]));
    }
    backend_result_free(r);

    login_ok(b, "1001", "246810", "login", "王芳", "attendant");
    login_ok(b, "2001", "135790", "approval", "李强", "supervisor");
    /* a wrong PIN and an unknown person (with someone's PIN) are one refusal, never a 401 */
    r = login_call(b, "1001", "135790", "login", NULL);
    char msg[200];
    snprintf(msg, sizeof msg, "%s", r->err_msg);
    expect_error(r, 403, "WRONG_PIN");
    r = login_call(b, "9999", "246810", "approval", NULL);
    assert_string_equal(r->err_msg, msg);
    expect_error(r, 403, "WRONG_PIN");
    /* bad requests are not attempts */
    expect_error(call_with(b, "POST", "/v1/staff/login", "{\"staff_no\":\"1001\","
                                                         "\"purpose\":\"login\"}", NULL),
                 400, "INVALID_ARGUMENT");
    expect_error(call_with(b, "POST", "/v1/staff/login", "{\"pin\":\"246810\","
                                                         "\"purpose\":\"login\"}", NULL),
                 400, "INVALID_ARGUMENT");
    expect_error(login_call(b, "1001", "246810", "open", NULL), 400, "INVALID_ARGUMENT");
    expect_error(call_with(b, "POST", "/v1/staff/login", NULL, NULL), 400, "INVALID_ARGUMENT");

    /* the login service down: 503 (retryable), nothing counted; the verifiers still come */
    admin_post(b, "/v1/admin/staff", "{\"login_down\":true}");
    struct backend *once = client_as(p, "T0001", KEY, 3000, 0);
    r = login_call(once, "1001", "246810", "login", NULL);
    assert_true(r->retryable);
    expect_error(r, 503, "UNAVAILABLE");
    backend_destroy(once);
    r = call_with(b, "GET", "/v1/staff/verifiers", NULL, NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    expect_error(call_with(b, "POST", "/v1/admin/staff", "{\"login_down\":1}", NULL), 400,
                 "INVALID_ARGUMENT");
    admin_post(b, "/v1/admin/staff", "{\"login_down\":false}");
    /* a login is not kept with its key: the same key again is another attempt */
    for (int i = 0; i < 2; i++) {
        r = login_call(b, "1002", "112233", "login", "login-same-key");
        assert_int_equal(r->status, 200);
        assert_false(r->replayed);
        backend_result_free(r);
    }

    r = call_with(b, "GET", "/v1/admin/staff", NULL, NULL);
    assert_int_equal(r->status, 200);
    const cJSON *logins = cJSON_GetObjectItemCaseSensitive(r->json, "logins");
    static const struct {
        const char *no, *purpose;
        int ok;
    } tried[] = {{"1001", "login", 1}, {"2001", "approval", 1}, {"1001", "login", 0},
                 {"9999", "approval", 0}, {"1002", "login", 1}, {"1002", "login", 1}};
    assert_int_equal(cJSON_GetArraySize(logins), 6);
    for (int i = 0; i < 6; i++) {
        const cJSON *l = cJSON_GetArrayItem(logins, i);
        assert_string_equal(jstr(l, "staff_no"), tried[i].no);
        assert_string_equal(jstr(l, "purpose"), tried[i].purpose);
        assert_int_equal(jnum(l, "ok"), tried[i].ok);
    }
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "refunds")), 0);
    backend_result_free(r);
    /* a reset: the switch up, no attempts */
    admin_post(b, "/v1/admin/staff", "{\"login_down\":true}");
    admin_post(b, "/v1/admin/reset", "{}");
    login_ok(b, "1001", "246810", "login", "王芳", "attendant");
    r = call_with(b, "GET", "/v1/admin/staff", NULL, NULL);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "logins")), 1);
    backend_result_free(r);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);

    /* no PIN anywhere the simulator writes: its log, its database (no idempotency record of
     * a login either: it would hold a hash of the body) */
    no_pin_in(log);
    char db[600];
    snprintf(db, sizeof db, "%s/staff.db", dir);
    no_pin_in(db);
    snprintf(db, sizeof db, "%s/staff.db-wal", dir);
    no_pin_in(db);
    snprintf(db, sizeof db, "%s/staff.db", dir);
    sqlite3 *h;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM idem WHERE path ="
                                           " '/v1/staff/login'", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    FILE *f = fopen(log, "r");
    static char text[65536];
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    assert_non_null(strstr(text, "POST /v1/staff/login "));
}

/* A refund request: `order` NULL leaves order_id out. */
static const char *refund_body(const char *no, const char *txn, const char *order,
                               int64_t amount, const char *approver)
{
    static char body[600];
    char order_field[96] = "";
    if (order)
        snprintf(order_field, sizeof order_field, "\"order_id\":\"%s\",", order);
    snprintf(body, sizeof body,
             "{\"refund_no\":\"%s\",\"txn_no\":\"%s\",%s\"amount_fen\":%lld,\"whole\":false,"
             "\"lines\":[{\"barcode\":\"6920000010004\",\"qty\":1,\"amount_fen\":%lld}],"
             "\"reason\":\"wrong_item\",\"attendant\":\"1001\",\"approver\":\"%s\"}",
             no, txn, order_field, (long long)amount, (long long)amount, approver);
    return body;
}

/* A refund answered REFUNDED on `channel` for `amount`. */
static void refund_ok(struct backend *b, const char *body, const char *key, const char *no,
                      const char *channel, int64_t amount)
{
    struct backend_result *r = call_with(b, "POST", "/v1/refunds", body, key);
    if (r->status != 200)
        fail_msg("refund %s: %d %s (%s)", no, r->status, r->err_code, r->err_msg);
    assert_string_equal(jstr(r->json, "refund_no"), no);
    assert_string_equal(jstr(r->json, "status"), "REFUNDED");
    assert_string_equal(jstr(r->json, "channel"), channel);
    assert_int_equal(jnum(r->json, "amount_fen"), amount);
    backend_result_free(r);
}

/* Refunds: of a paid sale only (completed, or a PAID payment for it; by order or by
 * transaction number), approved by a supervisor, never more than was paid; a replay refunds
 * nothing more, another key with the same number is a duplicate, a refused key stays free;
 * the admin record; and the attendant's outbox records, kept as any others. */
static void refunds(void **state)
{
    int p = 0;
    extra_pid = start_sim("refunds", &p, NULL, NULL, NULL, NULL);
    assert_true(extra_pid > 0);
    struct backend *b = client_at(p);
    const char *txn1 = "T0001-20261130-000001";
    /* 3 bottles of water, paid by WeChat and completed */
    int64_t total = price(b, "ORD-RF-1", "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":3}]");
    assert_int_equal(total, 600);
    pay(b, "OTN-RF-1", "ORD-RF-1", total);
    struct backend_result *r = call_with(b, "POST", "/v1/orders/ORD-RF-1/complete",
                                         "{\"out_trade_no\":\"OTN-RF-1\",\"txn_no\":"
                                         "\"T0001-20261130-000001\"}", NULL);
    assert_int_equal(r->status, 200);
    backend_result_free(r);

    char body[600];
    snprintf(body, sizeof body, "%s", refund_body("R1", txn1, "ORD-RF-1", 200, "2001"));
    refund_ok(b, body, "rf-R1", "R1", "wechat", 200);
    /* the same key: the first answer again, nothing more refunded */
    r = call_with(b, "POST", "/v1/refunds", body, "rf-R1");
    assert_int_equal(r->status, 200);
    assert_true(r->replayed);
    assert_string_equal(jstr(r->json, "status"), "REFUNDED");
    assert_int_equal(jnum(r->json, "amount_fen"), 200);
    backend_result_free(r);
    expect_error(call_with(b, "POST", "/v1/refunds", body, "rf-R1-again"), 409, "DUPLICATE");
    /* approved by an attendant, or by nobody known */
    expect_error(call_with(b, "POST", "/v1/refunds",
                           refund_body("R2", txn1, "ORD-RF-1", 100, "1002"), NULL),
                 403, "NOT_APPROVED");
    expect_error(call_with(b, "POST", "/v1/refunds",
                           refund_body("R2", txn1, "ORD-RF-1", 100, "S9999"), NULL),
                 403, "NOT_APPROVED");
    /* 400 of 600 left */
    r = call_with(b, "POST", "/v1/refunds", refund_body("R2", txn1, "ORD-RF-1", 401, "2001"),
                  NULL);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
    assert_int_equal(jnum(cJSON_GetObjectItemCaseSensitive(e, "details"), "refundable_fen"), 400);
    expect_error(r, 409, "OVER_REFUND");
    refund_ok(b, refund_body("R2", txn1, "ORD-RF-1", 400, "2001"), NULL, "R2", "wechat", 400);
    expect_error(call_with(b, "POST", "/v1/refunds",
                           refund_body("R3", txn1, "ORD-RF-1", 1, "2001"), NULL),
                 409, "OVER_REFUND");
    /* no such order; the order under another transaction number */
    expect_error(call_with(b, "POST", "/v1/refunds",
                           refund_body("R3", txn1, "ORD-NOPE", 1, "2001"), NULL),
                 404, "SALE_NOT_FOUND");
    expect_error(call_with(b, "POST", "/v1/refunds",
                           refund_body("R3", "T0001-20261130-999999", "ORD-RF-1", 1, "2001"),
                           NULL),
                 404, "SALE_NOT_FOUND");

    /* not paid yet: refused, and the key stays free; once a PAID payment is there (the
     * kiosk's completion lost), the same request with the same key refunds */
    const char *txn2 = "T0001-20261130-000002";
    total = price(b, "ORD-RF-2", "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":1}]");
    snprintf(body, sizeof body, "%s", refund_body("R4", txn2, "ORD-RF-2", total, "2001"));
    expect_error(call_with(b, "POST", "/v1/refunds", body, "rf-R4"), 404, "SALE_NOT_FOUND");
    pay(b, "OTN-RF-2", "ORD-RF-2", total);
    refund_ok(b, body, "rf-R4", "R4", "wechat", total);

    /* completed by the outbox's sale record; the refund names the transaction only, for the
     * whole sale, paid by Alipay */
    total = price(b, "ORD-RF-3", "\"items\":[{\"barcode\":\"6920000010004\",\"qty\":2}]");
    snprintf(body, sizeof body, "{\"out_trade_no\":\"OTN-RF-3\",\"order_id\":\"ORD-RF-3\","
                                "\"amount_fen\":%lld,\"mode\":\"micropay\","
                                "\"auth_code\":\"284567890123454444\"}", (long long)total);
    r = call_with(b, "POST", "/v1/payments", body, NULL);
    assert_string_equal(jstr(r->json, "status"), "PAID");
    backend_result_free(r);
    r = call_with(b, "POST", "/v1/journal/records",
                  "{\"records\":[{\"record_id\":\"T0001-RF-000003\",\"kind\":\"sale\","
                  "\"body\":{\"order_id\":\"ORD-RF-3\",\"out_trade_no\":\"OTN-RF-3\","
                  "\"txn_no\":\"T0001-20261130-000003\"}}]}", NULL);
    assert_int_equal(jnum(r->json, "accepted"), 1);
    backend_result_free(r);
    snprintf(body, sizeof body,
             "{\"refund_no\":\"R5\",\"txn_no\":\"T0001-20261130-000003\",\"amount_fen\":%lld,"
             "\"whole\":true,\"reason\":\"customer\",\"attendant\":\"1002\","
             "\"approver\":\"2001\"}", (long long)total);
    refund_ok(b, body, NULL, "R5", "alipay", total);
    /* a seeded past sale: no payment says how it was paid */
    refund_ok(b, refund_body("R6", "T0002-20261101-000101", "SEED-T0002-20261101-000101", 100,
                             "2001"), NULL, "R6", "unknown", 100);

    /* bad requests */
    static const char *const bad[] = {
        "{\"refund_no\":\"R9\",\"txn_no\":\"T\",\"amount_fen\":1,\"reason\":\"x\","
        "\"attendant\":\"1001\"}",
        "{\"refund_no\":\"R9\",\"txn_no\":\"T\",\"amount_fen\":0,\"reason\":\"x\","
        "\"attendant\":\"1001\",\"approver\":\"2001\"}",
        "{\"refund_no\":\"R9\",\"txn_no\":\"T\",\"amount_fen\":1.5,\"reason\":\"x\","
        "\"attendant\":\"1001\",\"approver\":\"2001\"}",
        "{\"refund_no\":\"R9\",\"txn_no\":\"T\",\"amount_fen\":1,\"reason\":\"x\","
        "\"attendant\":\"1001\",\"approver\":\"2001\",\"whole\":\"yes\"}",
        "{\"refund_no\":\"R9\",\"txn_no\":\"T\",\"amount_fen\":1,\"reason\":\"x\","
        "\"attendant\":\"1001\",\"approver\":\"2001\",\"lines\":{}}",
        "{\"refund_no\":\"R9\",\"txn_no\":\"T\",\"amount_fen\":1,\"reason\":\"x\","
        "\"attendant\":\"1001\",\"approver\":\"2001\",\"lines\":[{\"qty\":0,"
        "\"amount_fen\":1}]}",
        "{\"refund_no\":\"\",\"txn_no\":\"T\",\"amount_fen\":1,\"reason\":\"x\","
        "\"attendant\":\"1001\",\"approver\":\"2001\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_error(call_with(b, "POST", "/v1/refunds", bad[i], NULL), 400,
                     "INVALID_ARGUMENT");

    r = call_with(b, "GET", "/v1/admin/staff", NULL, NULL);
    assert_int_equal(r->status, 200);
    const cJSON *made = cJSON_GetObjectItemCaseSensitive(r->json, "refunds");
    static const struct {
        const char *no, *txn, *order;
        int64_t amount;
    } want[] = {{"R1", "T0001-20261130-000001", "ORD-RF-1", 200},
                {"R2", "T0001-20261130-000001", "ORD-RF-1", 400},
                {"R4", "T0001-20261130-000002", "ORD-RF-2", 200},
                {"R5", "T0001-20261130-000003", "ORD-RF-3", 400},
                {"R6", "T0002-20261101-000101", "SEED-T0002-20261101-000101", 100}};
    assert_int_equal(cJSON_GetArraySize(made), 5);
    for (int i = 0; i < 5; i++) {
        const cJSON *m = cJSON_GetArrayItem(made, i);
        assert_string_equal(jstr(m, "refund_no"), want[i].no);
        assert_string_equal(jstr(m, "txn_no"), want[i].txn);
        assert_string_equal(jstr(m, "order_id"), want[i].order);
        assert_int_equal(jnum(m, "amount_fen"), want[i].amount);
        assert_string_equal(jstr(m, "approver"), "2001");
        assert_int_equal(jnum(m, "whole"), i == 3);
    }
    assert_string_equal(jstr(cJSON_GetArrayItem(made, 0), "reason"), "wrong_item");
    assert_string_equal(jstr(cJSON_GetArrayItem(made, 3), "reason"), "customer");
    assert_string_equal(jstr(cJSON_GetArrayItem(made, 3), "attendant"), "1002");
    backend_result_free(r);

    /* the attendant's outbox records: kept as any others, listed by kind */
    r = call_with(b, "POST", "/v1/journal/records",
                  "{\"records\":["
                  "{\"record_id\":\"T0001-AT-000001\",\"kind\":\"shift_report\",\"body\":{}},"
                  "{\"record_id\":\"T0001-AT-000002\",\"kind\":\"day_report\",\"body\":{}},"
                  "{\"record_id\":\"T0001-AT-000003\",\"kind\":\"refund\","
                  "\"body\":{\"refund_of\":\"T0001-20261130-000001\",\"amount_fen\":200}},"
                  "{\"record_id\":\"T0001-AT-000004\",\"kind\":\"audit\",\"body\":{}}]}",
                  NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(jnum(r->json, "accepted"), 4);
    backend_result_free(r);
    r = call_with(b, "GET", "/v1/admin/journal", NULL, NULL);
    static const char *const kinds[] = {"sale", "shift_report", "day_report", "refund", "audit"};
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(r->json, "records");
    assert_int_equal(cJSON_GetArraySize(recs), 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(jstr(cJSON_GetArrayItem(recs, i), "kind"), kinds[i]);
    backend_result_free(r);
    backend_destroy(b);
    assert_int_equal(stop_extra(state), 0);
}

/* HTTPS: with the backend's CA configured the client verifies and talks; without it, the
 * self-signed server is refused (TLS verification is always on). */
static void tls_is_verified(void **state)
{
    (void)state;
    char cmd[2000], cert[600], key[600], db[600], pf[600];
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(db, sizeof db, "%s/tls.db", dir);
    snprintf(pf, sizeof pf, "%s/tls.port", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 2 "
             "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
             key, cert);
    assert_int_equal(system(cmd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        execl(getenv("SIM"), "kiosk-backend-sim", "--db", db, "--port", "0", "--port-file", pf,
              "--tls-cert", cert, "--tls-key", key, (char *)NULL);
        _exit(127);
    }
    FILE *f = NULL;
    for (int i = 0; i < 250 && !(f = fopen(pf, "r")); i++)
        sleep_ms(20);
    int tls_port = 0;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%d", &tls_port), 1);
    fclose(f);
    char url[64], err[200];
    snprintf(url, sizeof url, "https://127.0.0.1:%d", tls_port);
    struct backend_options o = {url, "T0001", KEY, cert, 3000, 1000, 0, 10, 20, 3};
    struct backend *b = backend_create(&o, q, err, sizeof err);
    struct backend_result *r = call_with(b, "GET", "/v1/pumps", NULL, NULL);
    assert_int_equal(r->outcome, BE_OK);
    assert_int_equal(r->status, 200);
    backend_result_free(r);
    backend_destroy(b);
    o.ca_file = NULL; /* the system's CAs do not know this server */
    b = backend_create(&o, q, err, sizeof err);
    r = call_with(b, "GET", "/v1/pumps", NULL, NULL);
    assert_int_equal(r->outcome, BE_TLS);
    assert_int_equal(r->status, 0);
    backend_result_free(r);
    backend_destroy(b);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

int main(void)
{
    log_set_quiet(1);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pumps_and_sales),
        cmocka_unit_test(products_and_members),
        cmocka_unit_test(payment_state_machine),
        cmocka_unit_test(idempotent_replay),
        cmocka_unit_test(faults),
        cmocka_unit_test(journal_exactly_once),
        cmocka_unit_test(orders_price_and_complete),
        cmocka_unit_test(bearer_coupons),
        cmocka_unit_test(order_arguments),
        cmocka_unit_test(journal_completes_order),
        cmocka_unit_test(native_channels),
        cmocka_unit_test(admin_records),
        cmocka_unit_test_teardown(points_rule_restart_reset, stop_extra),
        cmocka_unit_test_teardown(lock_lease, stop_extra),
        cmocka_unit_test_teardown(log_masks_personal_codes, stop_extra),
        cmocka_unit_test(invoices_cards_shifts),
        cmocka_unit_test(companies_and_titles),
        cmocka_unit_test_teardown(invoice_kiosk_sale, stop_extra),
        cmocka_unit_test_teardown(invoice_seeds, stop_extra),
        cmocka_unit_test_teardown(invoice_refusals, stop_extra),
        cmocka_unit_test_teardown(invoice_merge_pending_reissue, stop_extra),
        cmocka_unit_test_teardown(card_read_and_refusals, stop_extra),
        cmocka_unit_test_teardown(card_loads, stop_extra),
        cmocka_unit_test_teardown(card_allocations, stop_extra),
        cmocka_unit_test_teardown(card_recharge_orders, stop_extra),
        cmocka_unit_test_teardown(invoice_card_recharge, stop_extra),
        cmocka_unit_test_teardown(card_load_journal, stop_extra),
        cmocka_unit_test_teardown(card_keys_and_old_database, stop_extra),
        cmocka_unit_test_teardown(depot_lookup, stop_extra),
        cmocka_unit_test_teardown(depot_driver, stop_extra),
        cmocka_unit_test_teardown(depot_face, stop_extra),
        cmocka_unit_test_teardown(depot_ticket, stop_extra),
        cmocka_unit_test_teardown(staff_login, stop_extra),
        cmocka_unit_test_teardown(refunds, stop_extra),
        cmocka_unit_test(bad_requests),
        cmocka_unit_test(fault_answers),
        cmocka_unit_test(unreachable_and_garbage),
        cmocka_unit_test(closed_unseen_and_paid_once), /* resets the simulator: keep it last */
        cmocka_unit_test(tls_is_verified),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
