/* The depot pickup's side of the wire (docs/backend-api.md, "Depot pickups"): requests built
 * from the flow's dp_request, answers read into its types. Pure: cJSON, and core/sign.h for
 * the ID number's proof and base64. Every reader is strict and bounded (an answer not as the
 * API says is refused whole). Fuzzed by tests/fuzz/fuzz_depot_api.c. */
#ifndef DEPOT_API_H
#define DEPOT_API_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

struct dp_http {
    const char *method;       /* GET or POST */
    char path[160];
    char *body;               /* JSON or NULL: private (a proof, a face): wiped when freed */
    size_t body_len;
    char key[80];             /* idempotency key ("" for a GET) */
};

/* The request for rq. The face call also takes the frame (a JPEG) and the ID card's photo
 * (the reader's WLT, IDF_PHOTO_LEN bytes, or NULL); the driver call proves rq->id_no with
 * HMAC-SHA256 keyed by rq->id_salt, and never sends it. 0, or -1 (no memory, an id or code
 * that cannot go in a path, a salt that is not 64 hex, a face call without a frame). Free
 * with dp_api_http_free(). */
int dp_api_http(const struct dp_request *rq, const uint8_t *jpeg, size_t jpeg_len,
                const uint8_t *photo, size_t photo_len, struct dp_http *h);
/* Wipes and frees the body. */
void dp_api_http_free(struct dp_http *h);

/* Reads an answer to call `k` into `a`: `status` the HTTP status (0: no answer at all),
 * `json` its body, `code` the error's code for a non-2xx. A 2xx that does not read is
 * a->ok 0 with code "UNUSABLE". */
void dp_api_answer(enum dp_call k, int status, const cJSON *json, const char *code,
                   struct dp_answer *a);

#endif
