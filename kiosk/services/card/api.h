/* The fuel card's side of the wire (docs/backend-api.md, "Fuel cards"): requests built from
 * the flow's cd_request, answers read into its types. Pure: cJSON only; every reader is
 * strict and bounded (an answer not as the API says is refused whole). Fuzzed by
 * tests/fuzz/fuzz_card_api.c. */
#ifndef CARD_API_H
#define CARD_API_H

#include <cjson/cJSON.h>

#include "flow.h"

struct cd_http {
    const char *method;       /* GET or POST */
    char path[160];
    char *body;               /* JSON or NULL */
    char key[80];             /* idempotency key ("" for a GET) */
};
/* The request for rq. 0, or -1 (no memory, a card number or id that cannot go in a path).
 * Free with cd_api_http_free(). */
int cd_api_http(const struct cd_request *rq, struct cd_http *h);
void cd_api_http_free(struct cd_http *h);

/* Reads an answer to call `k` into `a`: `status` the HTTP status (0: no answer at all),
 * `json` its body, `code` the error's code for a non-2xx. A 2xx that does not read is
 * a->ok 0 with code "UNUSABLE". */
void cd_api_answer(enum cd_call k, int status, const cJSON *json, const char *code,
                   struct cd_answer *a);
/* The card object of GET /v1/cards/{no}: 0, or -1 when it is not as the API says. */
int cd_api_account(const cJSON *j, struct cd_account *acct);

#endif
