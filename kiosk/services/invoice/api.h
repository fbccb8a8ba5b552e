/* The e-invoice service's side of the wire (docs/backend-api.md, "E-invoices"): requests
 * built from the flow, answers read into the flow's types. Pure: cJSON only; every reader
 * is strict and bounded (an answer not exactly as the API says is refused whole). Fuzzed
 * by tests/fuzz/fuzz_invoice.c. */
#ifndef INVOICE_API_H
#define INVOICE_API_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

struct inv_http {
    const char *method;       /* GET or POST */
    char path[240];
    char *body;               /* JSON or NULL (may hold a phone number or email) */
    char key[112];            /* idempotency key ("" for a GET) */
    int private_tail;         /* the path ends in a receipt's QR token (a bearer secret):
                               * logs show "***" */
};
/* The request for `rq` as the flow stands (an issue's body: its sales, buyer, delivery).
 * 0, or -1 (no memory, a subject that cannot go in a path). Free with inv_api_http_free(),
 * which wipes the body. */
int inv_api_http(const struct inv_flow *f, const struct inv_request *rq, struct inv_http *h);
void inv_api_http_free(struct inv_http *h);

/* Reads an answer to call `k` into `a`: `status` the HTTP status (0: no answer at all),
 * `json` its body (NULL if none or not JSON), `code` the error's code for a non-2xx. A 2xx
 * that does not read is a->ok 0 with code "UNUSABLE". */
void inv_api_answer(enum inv_call k, int status, const cJSON *json, const char *code,
                    struct inv_answer *a);
/* The parts, for the fuzzer and the tests: 0, or -1 when the object is not as the API says. */
int inv_api_sale(const cJSON *j, struct inv_sale *s);
int inv_api_invoice(const cJSON *j, struct inv_invoice *iv);
int inv_api_buyer(const cJSON *j, struct inv_buyer *b);


#endif
