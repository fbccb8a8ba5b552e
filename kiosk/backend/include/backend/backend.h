/* The backend client: asynchronous signed REST calls (libcurl multi on a worker thread;
 * the only module that uses libcurl). Results come back to the UI loop as EV_BACKEND events
 * whose ptr is a struct backend_result the receiver frees with backend_result_free().
 *
 * Retries are only where safe: GETs on network errors and 5xx/429; state-changing calls
 * only with the same Idempotency-Key and only when the server cannot have answered
 * (connect failed, timeout, dropped connection) or said the error is retryable. Backoff is
 * exponential with full jitter, timed on the kiosk clock. (libcurl itself re-sends a request
 * whose kept-alive connection turns out dead; with the same key, that is just as safe.) */
#ifndef KIOSK_BACKEND_BACKEND_H
#define KIOSK_BACKEND_BACKEND_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "core/evq.h"

struct backend_options {
    const char *base_url;      /* "https://..." or "http://127.0.0.1:port" */
    const char *terminal_id;
    const char *key_hex;       /* 64 hex characters */
    const char *ca_file;       /* CA bundle; NULL/"" = the system's. TLS is always verified */
    int timeout_ms;            /* per attempt */
    int connect_timeout_ms;
    int max_retries;           /* attempts after the first */
    int64_t backoff_base_ms, backoff_cap_ms;
    uint32_t seed;             /* jitter; fixed in tests */
};

struct backend_request {
    const char *method;        /* GET, POST, PUT, DELETE */
    const char *path;          /* "/v1/pumps"; copied */
    const char *body;          /* JSON text or NULL; copied */
    const char *idem_key;      /* required unless GET; copied */
    int timeout_ms;            /* 0 = the default */
    int64_t tag;               /* the caller's, returned in the result */
    int private_tail;          /* the path's last segment is personal (a phone number): logs
                                * show "***" in its place and the copy is wiped after use */
    int once;                  /* one attempt, never retried: the caller has a way of its
                                * own when the server does not answer (a PIN checked on the
                                * kiosk) and someone is waiting for it */
};

enum backend_outcome {
    BE_OK,             /* an HTTP response arrived (any status) */
    BE_TIMEOUT,        /* no complete answer in time */
    BE_CONNECT_FAILED, /* never reached the server: nothing was sent */
    BE_DROPPED,        /* the connection closed without an answer */
    BE_TLS,            /* certificate or handshake failure */
    BE_CANCELLED,
    BE_BAD_RESPONSE,   /* not JSON, or larger than 1 MiB */
    BE_OUTCOME_LAST
};

struct backend_result {
    uint64_t call_id;
    int64_t tag;
    enum backend_outcome outcome;
    int status;              /* HTTP status, 0 without a response */
    int attempts;
    int64_t elapsed_ms;
    int replayed;            /* the server replayed a stored answer (Idempotent-Replayed) */
    int outcome_unknown;     /* a state-changing call that may have been applied unseen */
    cJSON *json;             /* parsed body or NULL; owned by the result */
    char err_code[48];       /* from the error model, for non-2xx */
    char err_msg[200];
    int retryable;
};

enum backend_health { BACKEND_UNKNOWN, BACKEND_UP, BACKEND_DOWN };

struct backend;

/* Starts the worker. NULL with the reason in err (bad URL or key, no memory). */
struct backend *backend_create(const struct backend_options *o, struct evq *q, char *err,
                               size_t errcap);
/* Stops the worker; calls in flight end without an event. NULL-safe. */
void backend_destroy(struct backend *b);
/* Queues a call. 0 with *call_id set, or -1 (state-changing call without a key, no memory). */
int backend_call(struct backend *b, const struct backend_request *req, uint64_t *call_id);
/* Cancels a queued or running call: it is not tried again, and ends with BE_CANCELLED. Its
 * copy of the request (a payment code in the body, say) is wiped. */
void backend_cancel(struct backend *b, uint64_t call_id);
/* Reachability from the last finished call. */
enum backend_health backend_health(struct backend *b);
void backend_result_free(struct backend_result *r); /* NULL-safe */
/* Reads an answer's body (`n` bytes, not NUL-terminated; NULL when there was none) into
 * `r`, whose outcome and status are set: its JSON (a body that is not JSON makes the
 * outcome BE_BAD_RESPONSE), and for a status >= 300 the error model's code (never empty:
 * "HTTP_ERROR" when it has none), message and retryable flag. */
void backend_read_reply(struct backend_result *r, const char *reply, size_t n);
const char *backend_outcome_str(enum backend_outcome o);
#endif
