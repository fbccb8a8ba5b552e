/* kiosk-backend-sim: the backend simulator's HTTP side. Authentication (HMAC request
 * signatures), idempotency keys, the error model, body limits, fault injection and the
 * simulated clock live here. router.c runs the routes, one file per resource
 * (routes_<resource>.c, the /v1/admin/ ones in admin.c), which read requests with json.c;
 * the data is in db.c.
 *
 * usage: kiosk-backend-sim --db FILE [--port N] [--bind ADDR] [--port-file FILE]
 *                          [--terminal ID:HEXKEY]... [--reset] [--tls-cert PEM --tls-key PEM]
 *                          [--auto-pay-native-ms N] [--point-value-fen N]
 *                          [--points-max-share P] [--lock-lease-ms N]
 *                          [--card-keys MLKHEX:MTKHEX] */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/sign.h"
#include "sim.h"

#define MAX_BODY (1u << 20)
#define MAX_TERMINALS 16
#define MAX_FAULTS 16
#define SKEW_S 300
#define MAX_REPLACE_BODY 4096
#define LOG_URL_MAX 256

struct terminal {
    char id[32];
    uint8_t key[SIGN_KEY_LEN];
};

struct fault {
    char route[128];
    char method[8];
    int latency_ms, status, drop, refuse;
    /* processed as usual, but answered replace_status with exactly replace_body */
    int replace, replace_status;
    char replace_body[MAX_REPLACE_BODY];
    /* read, never processed nor answered: held open blackhole_ms, then closed */
    int blackhole, blackhole_ms;
    int count; /* requests left; 0 = until cleared */
};

static struct terminal terminals[MAX_TERMINALS];
static int nterminals;
static struct fault faults[MAX_FAULTS];
static int nfaults;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3 *db;
static atomic_int stopping;
int sim_auto_pay_ms; /* > 0: a native QR is paid this long after it is made (demo) */
int64_t sim_point_value_fen = 100; /* 1 point = ¥1 */
int sim_points_max_share = 50;     /* points pay at most half of what is left */
int64_t sim_lock_lease_ms = 180000; /* a pump-sale lock lasts 3 minutes unless renewed */

struct conn {
    char *body;
    size_t len;
    int too_big;
    int refused;
};

void sim_error(struct sim_resp *r, int status, const char *code, const char *message)
{
    cJSON_Delete(r->body);
    cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
    cJSON_AddStringToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", message);
    cJSON_AddBoolToObject(e, "retryable", status >= 500 || status == 429);
    r->status = status;
    r->body = o;
}

void sim_error_details(struct sim_resp *r, int status, const char *code, const char *message,
                       cJSON *details)
{
    sim_error(r, status, code, message);
    cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(r->body, "error"), "details",
                          details ? details : cJSON_CreateObject());
}

void sim_ok(struct sim_resp *r, cJSON *body)
{
    cJSON_Delete(r->body);
    r->status = 200;
    r->body = body;
}

const char *sim_log_url(const char *url, char *out, size_t cap)
{
    /* paths whose last part is a customer's phone number, member code, coupon code or the
     * receipt's invoice token (a bearer secret: whoever holds it may invoice the sale) */
    static const char *const personal[] = {"/v1/members/by-phone/", "/v1/members/by-qr/",
                                           "/v1/coupons/", "/v1/invoices/sales/"};
    for (size_t i = 0; i < sizeof personal / sizeof personal[0]; i++) {
        size_t n = strlen(personal[i]);
        if (!strncmp(url, personal[i], n) && url[n]) {
            snprintf(out, cap, "%s***", personal[i]); /* all of the rest, however long */
            return out;
        }
    }
    snprintf(out, cap, "%s", url);
    return out;
}

/* The simulator's clock: the business wall time (the test epoch when KIOSK_TEST_EPOCH is
 * set, as the kiosk's: the seeded past sales and their dates are the same on every run)
 * plus what /v1/admin/clock added. Request signatures are checked against real time. */
static int64_t sim_now_ms(void)
{
    return clock_wall_ms() + (clock_now_ms() - clock_real_ms());
}

static int send_text(struct MHD_Connection *c, int status, const char *text, int replayed)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (replayed)
        MHD_add_response_header(resp, "Idempotent-Replayed", "true");
    int r = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}

static int send_resp(struct MHD_Connection *c, struct sim_resp *r)
{
    char *text = r->body ? cJSON_PrintUnformatted(r->body) : NULL;
    int rc = send_text(c, r->status, text ? text : "{}", 0);
    free(text);
    cJSON_Delete(r->body);
    r->body = NULL;
    return rc;
}

static int send_error(struct MHD_Connection *c, int status, const char *code, const char *msg)
{
    struct sim_resp r = {0};
    sim_error(&r, status, code, msg);
    return send_resp(c, &r);
}

/* The first fault rule that applies to this request (consuming one of its count). */
static int fault_for(const char *method, const char *url, struct fault *out)
{
    int found = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nfaults; i++) {
        struct fault *f = &faults[i];
        if (strncmp(url, f->route, strlen(f->route)) || (f->method[0] && strcmp(f->method, method)))
            continue;
        *out = *f;
        found = 1;
        if (f->count > 0 && --f->count == 0)
            faults[i] = faults[--nfaults];
        break;
    }
    pthread_mutex_unlock(&lock);
    return found;
}

static const struct terminal *terminal_by_id(const char *id)
{
    for (int i = 0; id && i < nterminals; i++)
        if (!strcmp(terminals[i].id, id))
            return &terminals[i];
    return NULL;
}

static int valid_key(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (n < 1 || n > 64)
        return 0;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
              *k == '-' || *k == '_'))
            return 0;
    return 1;
}

/* ---- admin endpoints (no signature; loopback only) ---- */

/* A whole number field of `b` in min..max into *out (left alone when absent); -1 if it is
 * there but not such a number. */
static int whole_field(const cJSON *b, const char *name, int min, int max, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, name);
    if (!v)
        return 0;
    /* the range first: casting a number outside int's range is undefined */
    if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max ||
        v->valuedouble != (double)(int)v->valuedouble)
        return -1;
    *out = (int)v->valuedouble;
    return 0;
}

/* The fault kinds that change the answer: replace_body (+ replace_status) and blackhole (+
 * blackhole_ms). NULL when well formed, else what is wrong. */
static const char *fault_answer_args(const cJSON *b, struct fault *f)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, "replace_body");
    if (v && (!cJSON_IsString(v) || strlen(v->valuestring) >= sizeof f->replace_body))
        return "field 'replace_body' must be a string of at most 4095 bytes";
    f->replace = v != NULL;
    if (v)
        snprintf(f->replace_body, sizeof f->replace_body, "%s", v->valuestring);
    f->replace_status = 200;
    if (whole_field(b, "replace_status", 100, 599, &f->replace_status) != 0)
        return "field 'replace_status' must be a whole number in 100..599";
    if (!f->replace && cJSON_GetObjectItemCaseSensitive(b, "replace_status"))
        return "field 'replace_status' needs 'replace_body'";
    f->blackhole = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "blackhole"));
    f->blackhole_ms = 120000; /* longer than any client waits */
    if (whole_field(b, "blackhole_ms", 1, 3600000, &f->blackhole_ms) != 0)
        return "field 'blackhole_ms' must be a whole number in 1..3600000";
    if (!f->blackhole && cJSON_GetObjectItemCaseSensitive(b, "blackhole_ms"))
        return "field 'blackhole_ms' needs 'blackhole': true";
    return NULL;
}

static int admin(struct MHD_Connection *c, const char *method, const char *url, const cJSON *b)
{
    char m[160];
    if (!strcmp(url, "/v1/admin/faults") && !strcmp(method, "DELETE")) {
        pthread_mutex_lock(&lock);
        nfaults = 0;
        pthread_mutex_unlock(&lock);
        return send_text(c, 200, "{\"faults\":0}", 0);
    }
    if (!strcmp(url, "/v1/admin/faults") && !strcmp(method, "POST")) {
        const cJSON *route = cJSON_GetObjectItemCaseSensitive(b, "route");
        if (!cJSON_IsString(route) || strlen(route->valuestring) >= sizeof faults[0].route)
            return send_error(c, 400, "INVALID_ARGUMENT", "field 'route' must be a path prefix");
        struct fault f = {0};
        snprintf(f.route, sizeof f.route, "%s", route->valuestring);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, "method");
        if (cJSON_IsString(v))
            snprintf(f.method, sizeof f.method, "%s", v->valuestring);
        v = cJSON_GetObjectItemCaseSensitive(b, "latency_ms");
        f.latency_ms = cJSON_IsNumber(v) ? v->valueint : 0;
        v = cJSON_GetObjectItemCaseSensitive(b, "status");
        f.status = cJSON_IsNumber(v) ? v->valueint : 0;
        f.drop = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "drop_after_processing"));
        f.refuse = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "refuse"));
        v = cJSON_GetObjectItemCaseSensitive(b, "count");
        f.count = cJSON_IsNumber(v) ? v->valueint : 0;
        const char *wrong = fault_answer_args(b, &f);
        if (wrong)
            return send_error(c, 400, "INVALID_ARGUMENT", wrong);
        pthread_mutex_lock(&lock);
        int ok = nfaults < MAX_FAULTS;
        if (ok)
            faults[nfaults++] = f;
        pthread_mutex_unlock(&lock);
        if (!ok)
            return send_error(c, 400, "TOO_MANY_FAULTS", "at most 16 fault rules");
        snprintf(m, sizeof m, "{\"faults\":%d}", nfaults);
        return send_text(c, 200, m, 0);
    }
    if (!strcmp(url, "/v1/admin/reset") && !strcmp(method, "POST")) {
        /* a fresh station: the seed data again, no faults (tests run case after case) */
        pthread_mutex_lock(&lock);
        nfaults = 0;
        int rc = sim_db_reset(db, sim_now_ms());
        pthread_mutex_unlock(&lock);
        return rc == 0 ? send_text(c, 200, "{\"reset\":true}", 0)
                       : send_error(c, 500, "RESET_FAILED", sqlite3_errmsg(db));
    }
    if (!strcmp(url, "/v1/admin/clock") && !strcmp(method, "POST")) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, "advance_ms");
        if (!cJSON_IsNumber(v) || v->valuedouble < 0)
            return send_error(c, 400, "INVALID_ARGUMENT", "field 'advance_ms' must be >= 0");
        clock_advance_ms((int64_t)v->valuedouble);
        snprintf(m, sizeof m, "{\"now_ms\":%lld}", (long long)sim_now_ms());
        return send_text(c, 200, m, 0);
    }
    /* The rest of /v1/admin reads or drives state through the router. */
    struct sim_req rq = {
        .method = method, .path = url, .terminal = "", .body = b, .now_ms = sim_now_ms(),
        .idem_key = ""};
    struct sim_resp r = {0};
    pthread_mutex_lock(&lock);
    sim_route(db, &rq, &r);
    pthread_mutex_unlock(&lock);
    return send_resp(c, &r);
}

/* ---- the request pipeline ---- */

static int process(struct MHD_Connection *c, const char *method, const char *url,
                   struct conn *cn)
{
    struct fault f = {0};
    char shown[LOG_URL_MAX];
    sim_log_url(url, shown, sizeof shown);
    int faulty = strncmp(url, "/v1/admin/", 10) && fault_for(method, url, &f);
    if (faulty && f.latency_ms > 0)
        usleep((useconds_t)f.latency_ms * 1000);
    if (faulty && f.blackhole) {
        /* A blackholed network: the request arrived, nothing happens, nothing comes back. */
        log_info("sim", "%s %s: not processed, held %d ms without an answer (fault)", method,
                 shown, f.blackhole_ms);
        for (int waited = 0; waited < f.blackhole_ms && !atomic_load(&stopping); waited += 100)
            usleep(100000);
        return MHD_NO;
    }
    if (cn->too_big)
        return send_error(c, 413, "PAYLOAD_TOO_LARGE", "bodies are limited to 1 MiB");
    cJSON *body = NULL;
    if (cn->len) {
        body = cJSON_ParseWithLength(cn->body, cn->len);
        if (!body)
            return send_error(c, 400, "MALFORMED_JSON", "the body is not valid JSON");
    }
    int rc;
    if (!strncmp(url, "/v1/admin/", 10)) {
        rc = admin(c, method, url, body);
        cJSON_Delete(body);
        return rc;
    }

    /* Authentication: terminal, fresh timestamp, signature over method, path, time, body. */
    const char *tid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Terminal-Id");
    const char *ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Timestamp");
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Signature");
    const struct terminal *t = terminal_by_id(tid);
    char *end = NULL;
    long long tsv = ts ? strtoll(ts, &end, 10) : 0;
    int64_t now_s = clock_system_ms() / 1000;
    if (!t || !ts || !end || *end || !sig) {
        rc = send_error(c, 401, "UNAUTHENTICATED", "missing or unknown terminal credentials");
        goto out;
    }
    if (tsv < now_s - SKEW_S || tsv > now_s + SKEW_S) {
        rc = send_error(c, 401, "CLOCK_SKEW", "X-Timestamp is more than 300 s off");
        goto out;
    }
    if (!sign_verify(t->key, method, url, tsv, cn->body, cn->len, sig)) {
        rc = send_error(c, 401, "BAD_SIGNATURE", "the request signature does not match");
        goto out;
    }
    int changes = strcmp(method, "GET") && strcmp(method, "HEAD");
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    if (changes && !valid_key(key)) {
        rc = send_error(c, 400, "IDEMPOTENCY_KEY_REQUIRED",
                        "state-changing requests need an Idempotency-Key of 1..64 [A-Za-z0-9_-]");
        goto out;
    }
    if (faulty && f.status >= 400) {
        rc = send_error(c, f.status, "INJECTED_FAULT", "fault injected by the test");
        goto out;
    }

    char hash[SIGN_HEX_LEN];
    sign_sha256_hex(cn->body, cn->len, hash);
    struct sim_resp r = {0};
    int replay = 0;
    char *replay_text = NULL;
    pthread_mutex_lock(&lock);
    if (changes) {
        sqlite3_stmt *st;
        sqlite3_prepare_v2(db, "SELECT method, path, body_hash, status, response FROM idem "
                               "WHERE terminal = ? AND key = ?", -1, &st, NULL);
        sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            if (strcmp((const char *)sqlite3_column_text(st, 0), method) ||
                strcmp((const char *)sqlite3_column_text(st, 1), url) ||
                strcmp((const char *)sqlite3_column_text(st, 2), hash)) {
                sim_error(&r, 409, "IDEMPOTENCY_KEY_REUSED",
                          "this Idempotency-Key was used for another request");
            } else {
                replay = sqlite3_column_int(st, 3);
                replay_text = strdup((const char *)sqlite3_column_text(st, 4));
            }
        }
        sqlite3_finalize(st);
        if (replay || r.body) /* answered by the store: a replay, or a reused key */
            sim_depot_store_answered(db, method, url);
    }
    if (!replay && !r.body) {
        struct sim_req rq = {.method = method, .path = url, .terminal = t->id, .body = body,
                             .now_ms = sim_now_ms(), .idem_key = changes ? key : ""};
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sim_route(db, &rq, &r);
        if (changes && !r.key_stays_free) {
            char *text = r.body ? cJSON_PrintUnformatted(r.body) : NULL;
            sqlite3_stmt *st;
            sqlite3_prepare_v2(db, "INSERT INTO idem VALUES (?,?,?,?,?,?,?)", -1, &st, NULL);
            sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, method, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, url, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, hash, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 6, r.status);
            sqlite3_bind_text(st, 7, text ? text : "{}", -1, SQLITE_STATIC);
            sqlite3_step(st);
            sqlite3_finalize(st);
            free(text);
        }
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    pthread_mutex_unlock(&lock);
    for (int waited = 0; r.hang_ms > 0 && waited < r.hang_ms && !atomic_load(&stopping);
         waited += 100)
        usleep(100000);
    if (faulty && f.drop) {
        /* Processed and committed, but the answer is lost on the way back. */
        cJSON_Delete(r.body);
        free(replay_text);
        log_info("sim", "%s %s: processed, connection dropped (fault)", method, shown);
        rc = MHD_NO;
        goto out;
    }
    if (faulty && f.replace) {
        /* Processed and committed (the idempotency record keeps the real answer), but what
         * comes back is a body the kiosk cannot use, as from a broken backend or proxy. */
        cJSON_Delete(r.body);
        free(replay_text);
        log_info("sim", "%s %s: processed, answered %d with a replaced body (fault)", method,
                 shown, f.replace_status);
        rc = send_text(c, f.replace_status, f.replace_body, replay != 0);
        goto out;
    }
    if (replay) {
        rc = send_text(c, replay, replay_text ? replay_text : "{}", 1);
        free(replay_text);
    } else {
        rc = send_resp(c, &r);
    }
out:
    cJSON_Delete(body);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    (void)cls, (void)version;
    struct conn *cn = *con_cls;
    if (!cn) {
        cn = calloc(1, sizeof *cn);
        if (!cn)
            return MHD_NO;
        *con_cls = cn;
        struct fault f;
        /* A refusing route closes the connection before reading anything. Peek without
         * consuming: the rule is consumed when the request is processed. */
        pthread_mutex_lock(&lock);
        for (int i = 0; i < nfaults; i++)
            if (faults[i].refuse && !strncmp(url, faults[i].route, strlen(faults[i].route)) &&
                (!faults[i].method[0] || !strcmp(faults[i].method, method)))
                cn->refused = 1;
        pthread_mutex_unlock(&lock);
        if (cn->refused) {
            char shown[LOG_URL_MAX];
            fault_for(method, url, &f);
            sim_log_url(url, shown, sizeof shown);
            log_info("sim", "%s %s: refused (fault)", method, shown);
            return MHD_NO;
        }
        return MHD_YES;
    }
    if (*size) {
        if (cn->len + *size > MAX_BODY) {
            cn->too_big = 1;
        } else if (!cn->too_big) {
            char *nb = realloc(cn->body, cn->len + *size + 1);
            if (!nb)
                return MHD_NO;
            cn->body = nb;
            memcpy(cn->body + cn->len, data, *size);
            cn->len += *size;
            cn->body[cn->len] = '\0';
        }
        *size = 0;
        return MHD_YES;
    }
    int64_t t0 = clock_real_ms();
    int rc = process(c, method, url, cn);
    char shown[LOG_URL_MAX];
    log_info("sim", "%s %s %lld ms%s", method, sim_log_url(url, shown, sizeof shown),
             (long long)(clock_real_ms() - t0), rc == MHD_NO ? " (no response)" : "");
    return rc == MHD_YES ? MHD_YES : MHD_NO;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)c, (void)code;
    struct conn *cn = *con_cls;
    if (cn) {
        free(cn->body);
        free(cn);
    }
    *con_cls = NULL;
}

/* Reads a whole (small) PEM file; the caller frees it. NULL on error. */
static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (!n) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int add_terminal(const char *spec)
{
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof terminals[0].id ||
        nterminals == MAX_TERMINALS)
        return -1;
    struct terminal t = {0};
    memcpy(t.id, spec, (size_t)(colon - spec));
    if (sign_key_from_hex(colon + 1, t.key) != 0)
        return -1;
    for (int i = 0; i < nterminals; i++)
        if (!strcmp(terminals[i].id, t.id)) {
            terminals[i] = t;
            return 0;
        }
    terminals[nterminals++] = t;
    return 0;
}

/* A whole number in min..max, all of `s`; -1 otherwise. */
static int parse_int(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static const char usage[] =
    "usage: kiosk-backend-sim --db FILE [--port N] [--bind ADDR] [--port-file FILE]\n"
    "                         [--terminal ID:HEXKEY]... [--reset] [--tls-cert PEM --tls-key PEM]\n"
    "                         [--auto-pay-native-ms N] [--point-value-fen N]\n"
    "                         [--points-max-share P] [--lock-lease-ms N]\n"
    "                         [--card-keys MLKHEX:MTKHEX]\n"
    "  --point-value-fen N   one loyalty point pays N fen (1..100000, default 100)\n"
    "  --points-max-share P  points pay at most P% of what is left after member and coupon\n"
    "                        discounts (0..100, default 50)\n"
    "  --lock-lease-ms N     a pump-sale lock lasts N ms unless renewed by locking again\n"
    "                        (1000..86400000, default 180000)\n"
    "  --card-keys MLK:MTK   the fuel cards' master load and TAC keys, 32 hex digits each\n"
    "                        (default: the test keys of tests/sim/card/pboc.h)\n";

int main(int argc, char **argv)
{
    const char *dbpath = NULL, *port_file = NULL, *bind_addr = "127.0.0.1";
    const char *cert_file = NULL, *key_file = NULL;
    int port = 0, reset = 0;
    char err[512];
    if (sign_init() != 0)
        return 1;
    /* The demo terminal; tests add or replace terminals with --terminal. */
    add_terminal("T0001:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    for (int i = 1; i < argc; i++) {
        int more = i + 1 < argc;
        long v;
        if (!strcmp(argv[i], "--db") && more)
            dbpath = argv[++i];
        else if (!strcmp(argv[i], "--port") && more)
            port = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--bind") && more)
            bind_addr = argv[++i];
        else if (!strcmp(argv[i], "--port-file") && more)
            port_file = argv[++i];
        else if (!strcmp(argv[i], "--reset"))
            reset = 1;
        else if (!strcmp(argv[i], "--auto-pay-native-ms") && more)
            sim_auto_pay_ms = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--point-value-fen") && more &&
                 parse_int(argv[i + 1], 1, 100000, &v) == 0) {
            sim_point_value_fen = v;
            i++;
        } else if (!strcmp(argv[i], "--points-max-share") && more &&
                   parse_int(argv[i + 1], 0, 100, &v) == 0) {
            sim_points_max_share = (int)v;
            i++;
        } else if (!strcmp(argv[i], "--lock-lease-ms") && more &&
                   parse_int(argv[i + 1], 1000, 86400000, &v) == 0) {
            sim_lock_lease_ms = v;
            i++;
        } else if (!strcmp(argv[i], "--card-keys") && more &&
                   sim_card_keys(argv[i + 1]) == 0) {
            i++;
        } else if (!strcmp(argv[i], "--tls-cert") && more)
            cert_file = argv[++i];
        else if (!strcmp(argv[i], "--tls-key") && more)
            key_file = argv[++i];
        else if (!strcmp(argv[i], "--terminal") && more) {
            if (add_terminal(argv[++i]) != 0) {
                fprintf(stderr, "kiosk-backend-sim: --terminal takes ID:64HEXKEY\n");
                return 2;
            }
        } else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (!dbpath) {
        fprintf(stderr, "kiosk-backend-sim: --db FILE is required\n");
        return 2;
    }
    if (sim_db_open(&db, dbpath, reset, sim_now_ms(), err, sizeof err) != 0) {
        fprintf(stderr, "kiosk-backend-sim: %s\n", err);
        return 1;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, bind_addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "kiosk-backend-sim: --bind takes an IPv4 address\n");
        return 2;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the server threads inherit the mask */
    char *cert = NULL, *key = NULL;
    if ((cert_file || key_file) &&
        (!cert_file || !key_file || !(cert = read_pem(cert_file)) || !(key = read_pem(key_file)))) {
        fprintf(stderr, "kiosk-backend-sim: HTTPS needs readable --tls-cert and --tls-key files\n");
        return 2;
    }
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_ERROR_LOG | (cert ? MHD_USE_TLS : 0);
    struct MHD_Daemon *d =
        cert ? MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
                                (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                                MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
                                MHD_OPTION_END)
             : MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
                                (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "kiosk-backend-sim: cannot listen on %s:%d\n", bind_addr, port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int bound = info ? info->port : port;
    if (port_file) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%d\n", bound) < 0 || fclose(f) != 0 || rename(tmp, port_file)) {
            fprintf(stderr, "kiosk-backend-sim: cannot write %s\n", port_file);
            return 1;
        }
    }
    log_info("sim", "backend simulator on %s://%s:%d, database %s", cert ? "https" : "http",
             bind_addr, bound, dbpath);
    int sig;
    sigwait(&set, &sig);
    atomic_store(&stopping, 1);
    log_info("sim", "stopping");
    MHD_stop_daemon(d);
    sqlite3_close(db);
    free(cert);
    free(key);
    return 0;
}
