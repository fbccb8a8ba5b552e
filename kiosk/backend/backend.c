#include "backend/backend.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/backoff.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/sign.h"

#define MAX_REPLY (1u << 20)

struct call {
    struct call *next;
    uint64_t id;
    char method[8];
    char *path, *body, *key;
    char log_path[96];  /* the path as logs show it */
    int private_tail, once;
    int timeout_ms;
    int64_t tag;
    int attempts;
    int64_t started_ms, next_try_ms;
    int sent;           /* an attempt may have reached the server */
    int cancelled;
    CURL *easy;         /* the running attempt, or NULL while waiting */
    struct curl_slist *headers;
    char *reply;
    size_t nreply;
    int too_big, replayed;
};

struct backend {
    struct backend_options o;
    char base[256], terminal[32], ca[512];
    uint8_t key[SIGN_KEY_LEN];
    struct evq *q;
    CURLM *multi;
    pthread_t thread;
    pthread_mutex_t lock;
    struct call *calls;     /* all calls not finished yet */
    uint64_t next_id;
    int stop;
    uint32_t seed;
    _Atomic int health; /* enum backend_health */
};

static const char *const outcome_names[BE_OUTCOME_LAST] = {
    "ok", "timeout", "connect failed", "connection dropped", "TLS failure", "cancelled",
    "bad response"};

const char *backend_outcome_str(enum backend_outcome o)
{
    return o < BE_OUTCOME_LAST ? outcome_names[o] : "?";
}

void backend_result_free(struct backend_result *r)
{
    if (!r)
        return;
    cJSON_Delete(r->json);
    free(r);
}

static size_t on_data(char *p, size_t size, size_t n, void *user)
{
    struct call *c = user;
    size_t len = size * n;
    if (c->nreply + len > MAX_REPLY) {
        c->too_big = 1;
        return 0; /* abort the transfer */
    }
    char *nr = realloc(c->reply, c->nreply + len + 1);
    if (!nr)
        return 0;
    c->reply = nr;
    memcpy(c->reply + c->nreply, p, len);
    c->nreply += len;
    c->reply[c->nreply] = '\0';
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *user)
{
    struct call *c = user;
    if (!strncasecmp(p, "Idempotent-Replayed: true", 25))
        c->replayed = 1;
    return size * n;
}

static void free_call(struct call *c)
{
    if (c->easy)
        curl_easy_cleanup(c->easy);
    curl_slist_free_all(c->headers);
    if (c->path && c->private_tail)
        sign_wipe(c->path, strlen(c->path));
    if (c->body) /* it may carry a payment code: gone with the call */
        sign_wipe(c->body, strlen(c->body));
    free(c->path);
    free(c->body);
    free(c->key);
    free(c->reply);
    free(c);
}

/* Starts one attempt of `c` on the multi handle. 0 or -1. */
static int start_attempt(struct backend *b, struct call *c)
{
    char url[600], h[200], sig[SIGN_HEX_LEN];
    int64_t ts = (int64_t)time(NULL);
    size_t blen = c->body ? strlen(c->body) : 0;
    snprintf(url, sizeof url, "%s%s", b->base, c->path);
    sign_request(b->key, c->method, c->path, ts, c->body, blen, sig);
    curl_slist_free_all(c->headers);
    c->headers = NULL;
    snprintf(h, sizeof h, "X-Terminal-Id: %s", b->terminal);
    c->headers = curl_slist_append(c->headers, h);
    snprintf(h, sizeof h, "X-Timestamp: %lld", (long long)ts);
    c->headers = curl_slist_append(c->headers, h);
    snprintf(h, sizeof h, "X-Signature: %s", sig);
    c->headers = curl_slist_append(c->headers, h);
    if (c->key) {
        snprintf(h, sizeof h, "Idempotency-Key: %s", c->key);
        c->headers = curl_slist_append(c->headers, h);
    }
    c->headers = curl_slist_append(c->headers, "Content-Type: application/json");
    c->headers = curl_slist_append(c->headers, "Expect:");
    free(c->reply);
    c->reply = NULL;
    c->nreply = 0;
    c->too_big = c->replayed = 0;
    CURL *e = curl_easy_init();
    if (!e)
        return -1;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, c->method);
    if (c->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)blen);
    } else if (strcmp(c->method, "GET")) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)b->o.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (b->ca[0])
        curl_easy_setopt(e, CURLOPT_CAINFO, b->ca);
    curl_easy_setopt(e, CURLOPT_PRIVATE, c);
    c->easy = e;
    c->attempts++;
    curl_multi_add_handle(b->multi, e);
    return 0;
}

void backend_read_reply(struct backend_result *r, const char *reply, size_t n)
{
    if (r->outcome == BE_OK && n) {
        r->json = cJSON_ParseWithLength(reply, n);
        if (!r->json) {
            r->outcome = BE_BAD_RESPONSE;
            snprintf(r->err_msg, sizeof r->err_msg, "the reply is not JSON");
        }
    }
    if (r->outcome == BE_OK && r->status >= 300) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
        snprintf(r->err_code, sizeof r->err_code, "%s",
                 cJSON_IsString(code) && code->valuestring[0] ? code->valuestring : "HTTP_ERROR");
        snprintf(r->err_msg, sizeof r->err_msg, "%s",
                 cJSON_IsString(msg) ? msg->valuestring : "no error details");
        r->retryable = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "retryable"));
    } else if (r->outcome != BE_OK && !r->err_msg[0]) {
        snprintf(r->err_msg, sizeof r->err_msg, "%s", backend_outcome_str(r->outcome));
    }
}

static void post_result(struct backend *b, struct call *c, enum backend_outcome out, long status)
{
    struct backend_result *r = calloc(1, sizeof *r);
    if (!r)
        return;
    r->call_id = c->id;
    r->tag = c->tag;
    r->outcome = out;
    r->status = (int)status;
    r->attempts = c->attempts;
    r->elapsed_ms = clock_now_ms() - c->started_ms;
    r->replayed = c->replayed;
    int changes = strcmp(c->method, "GET") != 0;
    r->outcome_unknown = changes && c->sent && out != BE_OK && out != BE_BAD_RESPONSE;
    backend_read_reply(r, out == BE_OK ? c->reply : NULL, out == BE_OK ? c->nreply : 0);
    if (r->outcome == BE_OK || r->outcome == BE_BAD_RESPONSE)
        atomic_store(&b->health, BACKEND_UP);
    else if (r->outcome != BE_CANCELLED)
        atomic_store(&b->health, BACKEND_DOWN);
    log_info("backend", "%s %s -> %s %d after %d attempt(s), %lld ms", c->method, c->log_path,
             backend_outcome_str(r->outcome), r->status, r->attempts, (long long)r->elapsed_ms);
    struct ev ev = {.kind = EV_BACKEND, .ptr = r};
    if (evq_post(b->q, &ev) != 0) {
        log_error("backend", "event queue full: result of call %llu lost",
                  (unsigned long long)c->id);
        backend_result_free(r);
    }
}

/* Decides what a finished attempt means: answer, retry later, or give up. */
static int finish_attempt(struct backend *b, struct call *c, CURLcode rc)
{
    long status = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    enum backend_outcome out = BE_OK;
    if (rc == CURLE_OK)
        out = BE_OK;
    else if (c->too_big)
        out = BE_BAD_RESPONSE;
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        out = BE_TIMEOUT;
    else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
        out = BE_CONNECT_FAILED;
    else if (rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ||
             rc == CURLE_SSL_CACERT_BADFILE)
        out = BE_TLS;
    else
        out = BE_DROPPED; /* empty reply, reset, partial */
    if (out != BE_CONNECT_FAILED && out != BE_TLS)
        c->sent = 1;
    curl_multi_remove_handle(b->multi, c->easy);
    curl_easy_cleanup(c->easy);
    c->easy = NULL;

    int get = !strcmp(c->method, "GET");
    int retry = 0;
    if (out == BE_CONNECT_FAILED || out == BE_TIMEOUT || out == BE_DROPPED)
        retry = 1; /* GETs are safe; others carry the same idempotency key */
    if (out == BE_OK && (status >= 500 || status == 429)) {
        retry = get;
        if (!get) {
            /* retry a state-changing call only when the server says it is safe */
            cJSON *j = c->nreply ? cJSON_ParseWithLength(c->reply, c->nreply) : NULL;
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
            retry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "retryable"));
            cJSON_Delete(j);
        }
    }
    if (retry && !c->once && c->attempts <= b->o.max_retries && !c->cancelled) {
        c->next_try_ms = clock_now_ms() + backoff_ms(c->attempts, b->o.backoff_base_ms, b->o.backoff_cap_ms, &b->seed);
        log_info("backend", "%s %s: %s (HTTP %ld), retry %d in %lld ms", c->method, c->log_path,
                 backend_outcome_str(out), status, c->attempts,
                 (long long)(c->next_try_ms - clock_now_ms()));
        return 0;
    }
    post_result(b, c, out, status);
    return 1;
}

static void unlink_call(struct backend *b, struct call *c)
{
    for (struct call **p = &b->calls; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            return;
        }
}

static void *worker(void *arg)
{
    struct backend *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->lock);
        if (b->stop) {
            pthread_mutex_unlock(&b->lock);
            break;
        }
        int64_t now = clock_now_ms(), wait = 1000;
        for (struct call *c = b->calls, *next; c; c = next) {
            next = c->next;
            if (c->cancelled) {
                if (c->easy)
                    curl_multi_remove_handle(b->multi, c->easy);
                unlink_call(b, c);
                post_result(b, c, BE_CANCELLED, 0);
                free_call(c);
                continue;
            }
            if (!c->easy && c->next_try_ms <= now && start_attempt(b, c) != 0) {
                unlink_call(b, c);
                post_result(b, c, BE_CONNECT_FAILED, 0);
                free_call(c);
                continue;
            }
        }
        pthread_mutex_unlock(&b->lock);
        int running;
        curl_multi_perform(b->multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(b->multi, &left))) {
            if (m->msg != CURLMSG_DONE)
                continue;
            struct call *c;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
            CURLcode rc = m->data.result;
            pthread_mutex_lock(&b->lock);
            if (c->cancelled) {
                curl_multi_remove_handle(b->multi, c->easy);
                unlink_call(b, c);
                post_result(b, c, BE_CANCELLED, 0);
                free_call(c);
            } else if (finish_attempt(b, c, rc)) {
                unlink_call(b, c);
                free_call(c);
            }
            pthread_mutex_unlock(&b->lock);
        }
        /* until the next retry is due, counting the ones just scheduled */
        pthread_mutex_lock(&b->lock);
        now = clock_now_ms();
        for (struct call *c = b->calls; c; c = c->next)
            if (!c->easy && c->next_try_ms - now < wait)
                wait = c->next_try_ms - now;
        pthread_mutex_unlock(&b->lock);
        curl_multi_poll(b->multi, NULL, 0, (int)(wait < 1 ? 1 : wait), NULL);
    }
    return NULL;
}

struct backend *backend_create(const struct backend_options *o, struct evq *q, char *err,
                               size_t errcap)
{
    if (!o->base_url || (strncmp(o->base_url, "http://", 7) && strncmp(o->base_url, "https://", 8))
        || strlen(o->base_url) >= 256) {
        snprintf(err, errcap, "backend.url must start with http:// or https://");
        return NULL;
    }
    struct backend *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    if (sign_init() != 0 || sign_key_from_hex(o->key_hex, b->key) != 0) {
        snprintf(err, errcap, "backend.key must be 64 hex characters");
        free(b);
        return NULL;
    }
    b->o = *o;
    if (b->o.timeout_ms <= 0)
        b->o.timeout_ms = 8000;
    if (b->o.backoff_base_ms <= 0)
        b->o.backoff_base_ms = 200;
    if (b->o.backoff_cap_ms <= 0)
        b->o.backoff_cap_ms = 10000;
    if (b->o.connect_timeout_ms <= 0)
        b->o.connect_timeout_ms = b->o.timeout_ms < 3000 ? b->o.timeout_ms : 3000;
    snprintf(b->base, sizeof b->base, "%s", o->base_url);
    size_t bl = strlen(b->base);
    if (bl && b->base[bl - 1] == '/')
        b->base[bl - 1] = '\0';
    snprintf(b->terminal, sizeof b->terminal, "%s", o->terminal_id ? o->terminal_id : "");
    snprintf(b->ca, sizeof b->ca, "%s", o->ca_file ? o->ca_file : "");
    b->seed = o->seed ? o->seed : (uint32_t)time(NULL);
    b->q = q;
    b->next_id = 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    b->multi = curl_multi_init();
    pthread_mutex_init(&b->lock, NULL);
    if (!b->multi || pthread_create(&b->thread, NULL, worker, b) != 0) {
        snprintf(err, errcap, "cannot start the backend worker");
        if (b->multi)
            curl_multi_cleanup(b->multi);
        pthread_mutex_destroy(&b->lock);
        free(b);
        return NULL;
    }
    return b;
}

void backend_destroy(struct backend *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->lock);
    b->stop = 1;
    pthread_mutex_unlock(&b->lock);
    curl_multi_wakeup(b->multi);
    pthread_join(b->thread, NULL);
    for (struct call *c = b->calls, *next; c; c = next) {
        next = c->next;
        if (c->easy)
            curl_multi_remove_handle(b->multi, c->easy);
        free_call(c);
    }
    curl_multi_cleanup(b->multi);
    pthread_mutex_destroy(&b->lock);
    sign_wipe(b->key, sizeof b->key);
    free(b);
}

int backend_call(struct backend *b, const struct backend_request *req, uint64_t *call_id)
{
    int get = !strcmp(req->method, "GET");
    if (!req->path || req->path[0] != '/' || strlen(req->method) >= 8 ||
        (!get && (!req->idem_key || !*req->idem_key))) {
        log_error("backend", "refused %s %s: state-changing calls need an idempotency key",
                  req->method, req->path ? req->path : "?");
        return -1;
    }
    struct call *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    snprintf(c->method, sizeof c->method, "%s", req->method);
    c->path = strdup(req->path);
    c->body = req->body ? strdup(req->body) : NULL;
    c->key = req->idem_key ? strdup(req->idem_key) : NULL;
    c->private_tail = req->private_tail;
    if (!c->path || (req->body && !c->body) || (req->idem_key && !c->key)) {
        free_call(c);
        return -1;
    }
    const char *slash = strrchr(c->path, '/');
    if (c->private_tail && slash)
        snprintf(c->log_path, sizeof c->log_path, "%.*s/***", (int)(slash - c->path), c->path);
    else
        snprintf(c->log_path, sizeof c->log_path, "%s", c->path);
    c->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : b->o.timeout_ms;
    c->once = req->once;
    c->tag = req->tag;
    c->started_ms = clock_now_ms();
    pthread_mutex_lock(&b->lock);
    c->id = b->next_id++;
    c->next = b->calls;
    b->calls = c;
    pthread_mutex_unlock(&b->lock);
    if (call_id)
        *call_id = c->id;
    curl_multi_wakeup(b->multi);
    return 0;
}

void backend_cancel(struct backend *b, uint64_t call_id)
{
    pthread_mutex_lock(&b->lock);
    for (struct call *c = b->calls; c; c = c->next)
        if (c->id == call_id)
            c->cancelled = 1;
    pthread_mutex_unlock(&b->lock);
    curl_multi_wakeup(b->multi);
}

enum backend_health backend_health(struct backend *b)
{
    return (enum backend_health)atomic_load(&b->health);
}
