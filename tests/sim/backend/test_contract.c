/* Contract tests: the backend simulator as a real process on a free port, driven through the
 * kiosk's own backend client (signing, idempotency keys, retries) and, for what the client
 * never sends (bad signatures, stale clocks, huge bodies), through raw libcurl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kiosk/backend/backend.h"
#include "kiosk/core/clock.h"
#include "kiosk/core/log.h"
#include "kiosk/core/sign.h"

#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

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

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    char db[600], pf[600];
    snprintf(db, sizeof db, "%s/sim.db", dir);
    snprintf(pf, sizeof pf, "%s/port", dir);
    sim_pid = fork();
    if (sim_pid == 0) {
        execl(getenv("SIM"), "kiosk-backend-sim", "--db", db, "--port", "0", "--port-file", pf,
              "--terminal", "T0001:" KEY, (char *)NULL);
        _exit(127);
    }
    FILE *f = NULL;
    for (int i = 0; i < 250 && !(f = fopen(pf, "r")); i++)
        sleep_ms(20);
    if (!f || fscanf(f, "%d", &port) != 1)
        return -1;
    fclose(f);
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
    if (sim_pid > 0) {
        kill(sim_pid, SIGTERM);
        int st;
        waitpid(sim_pid, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            return -1; /* the simulator must stop cleanly */
    }
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Calls and waits for the result (the UI loop would get it as an event). */
static struct backend_result *call_with(struct backend *b, const char *method, const char *path,
                                        const char *body, const char *key)
{
    char k[32];
    if (!key && strcmp(method, "GET")) {
        snprintf(k, sizeof k, "test-%d-%ld", keyno++, (long)getpid());
        key = k;
    }
    struct backend_request rq = {method, path, body, key, 0, 0};
    uint64_t id;
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
    backend_result_free(r);
    expect_error(call("POST", "/v1/sales/S1006/lock", "{}"), 409, "SALE_LOCKED");
    expect_error(call("POST", "/v1/sales/S1010/lock", "{}"), 409, "SALE_PAID");
    expect_error(call("POST", "/v1/sales/NOPE/lock", "{}"), 404, "NOT_FOUND");
    r = call("POST", "/v1/sales/S1001/unlock", "{}");
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
    backend_result_free(r);
    r = call("GET", "/v1/members/by-qr/MQR-22B0C4", NULL);
    assert_string_equal(jstr(r->json, "level"), "silver");
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
    assert_int_equal(jnum(r->json, "points_used"), pts);
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

static void invoices_cards_pickups_shifts(void **state)
{
    (void)state;
    struct backend_result *r = call("POST", "/v1/invoices",
        "{\"txn_no\":\"T0001-20261123-000001\",\"buyer_type\":\"organization\","
        "\"buyer_name\":\"某某物流有限公司\",\"tax_id\":\"91350100M000100Y43\",\"email\":\"a@b.cn\"}");
    assert_int_equal(r->status, 200);
    assert_string_equal(jstr(r->json, "status"), "ISSUED");
    backend_result_free(r);
    expect_error(call("POST", "/v1/invoices", "{\"txn_no\":\"T0001-20261123-000001\","
                                              "\"buyer_type\":\"individual\",\"buyer_name\":\"张三\"}"),
                 409, "ALREADY_INVOICED");
    expect_error(call("POST", "/v1/invoices", "{\"txn_no\":\"T0001-20261123-000002\","
                                              "\"buyer_type\":\"organization\",\"buyer_name\":\"X\","
                                              "\"tax_id\":\"91350100M000100Y44\"}"),
                 400, "INVALID_TAX_ID");

    r = call("GET", "/v1/cards/1000113300001234", NULL);
    assert_int_equal(jnum(r->json, "account_fen"), 500000);
    assert_string_equal(jstr(r->json, "card_no_masked"), "1000********1234");
    backend_result_free(r);
    r = call("POST", "/v1/cards/1000113300001234/recharge",
             "{\"amount_fen\":10000,\"out_trade_no\":\"OTN-RC-1\"}");
    assert_int_equal(jnum(r->json, "account_fen"), 510000);
    backend_result_free(r);
    /* the same recharge again (new key, same out_trade_no) credits nothing more */
    r = call("POST", "/v1/cards/1000113300001234/recharge",
             "{\"amount_fen\":10000,\"out_trade_no\":\"OTN-RC-1\"}");
    assert_int_equal(jnum(r->json, "account_fen"), 510000);
    backend_result_free(r);
    r = call("POST", "/v1/cards/1000113300001234/allocate",
             "{\"amount_fen\":3000,\"out_trade_no\":\"OTN-AL-1\",\"to_card\":\"1000113300005678\"}");
    assert_int_equal(jnum(r->json, "account_fen"), 507000);
    backend_result_free(r);
    r = call("GET", "/v1/cards/1000113300005678", NULL);
    assert_int_equal(jnum(r->json, "account_fen"), 5000);
    backend_result_free(r);
    expect_error(call("POST", "/v1/cards/1000113300009999/recharge",
                      "{\"amount_fen\":100,\"out_trade_no\":\"OTN-RC-2\"}"),
                 409, "CARD_BLOCKED");
    expect_error(call("GET", "/v1/cards/1234", NULL), 404, "CARD_NOT_FOUND");

    r = call("GET", "/v1/pickups/PK20261123001", NULL);
    assert_int_equal(jnum(r->json, "volume_ml"), 20000000);
    backend_result_free(r);
    char hash[SIGN_HEX_LEN], body[200];
    sign_sha256_hex("11010519491231002X", 18, hash);
    expect_error(call("POST", "/v1/pickups/PK20261123001/ticket", "{}"), 409, "NOT_VERIFIED");
    snprintf(body, sizeof body, "{\"id_hash\":\"%s\",\"face_score\":60}", hash);
    expect_error(call("POST", "/v1/pickups/PK20261123001/verify", body), 403, "IDENTITY_MISMATCH");
    snprintf(body, sizeof body, "{\"id_hash\":\"%s\",\"face_score\":92}", hash);
    r = call("POST", "/v1/pickups/PK20261123001/verify", body);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->json, "verified")));
    backend_result_free(r);
    r = call_with(be, "POST", "/v1/pickups/PK20261123001/ticket", "{}", "ticket-key-1");
    assert_string_equal(jstr(r->json, "ticket_no"), "LT-20261123001");
    backend_result_free(r);
    /* the same request again is the same answer; a new request is refused: issued once */
    r = call_with(be, "POST", "/v1/pickups/PK20261123001/ticket", "{}", "ticket-key-1");
    assert_true(r->replayed);
    backend_result_free(r);
    expect_error(call("POST", "/v1/pickups/PK20261123001/ticket", "{}"), 409,
                 "TICKET_ALREADY_ISSUED");

    r = call("POST", "/v1/shifts/close", "{\"shift_id\":\"SH-1\",\"attendant\":\"A01\","
                                         "\"totals\":{\"sales_fen\":123456}}");
    assert_string_equal(jstr(r->json, "status"), "CLOSED");
    backend_result_free(r);
    expect_error(call("POST", "/v1/shifts/close", "{\"shift_id\":\"SH-1\",\"attendant\":\"A01\","
                                                  "\"totals\":{}}"),
                 409, "SHIFT_CLOSED");
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
        cmocka_unit_test(invoices_cards_pickups_shifts),
        cmocka_unit_test(bad_requests),
        cmocka_unit_test(unreachable_and_garbage),
        cmocka_unit_test(tls_is_verified),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
