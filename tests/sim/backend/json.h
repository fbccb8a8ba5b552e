/* The simulator's one set of request readers, shared by every route file: JSON body fields
 * (strict ones that answer 400 INVALID_ARGUMENT themselves, lenient ones that leave the
 * answer to the route) and path segments. */
#ifndef SIM_BACKEND_JSON_H
#define SIM_BACKEND_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

struct sim_resp;

/* Strict readers. A field absent or null is NULL/0, and a 400 INVALID_ARGUMENT naming it
 * when `required`; a field of the wrong type (a string over 256 bytes, a number that is not
 * whole or not in min..max) is NULL/0 and a 400 naming it. Only the first problem is
 * answered: *bad is set then, and later calls leave the response alone, so a route reads
 * every field and checks *bad once. */
const char *sim_str_field(const cJSON *o, const char *name, int required, struct sim_resp *r,
                          int *bad);
int64_t sim_int_field(const cJSON *o, const char *name, int required, int64_t min, int64_t max,
                      struct sim_resp *r, int *bad);

/* Lenient readers: the route answers what is wrong. A string field, or NULL when absent or
 * not a string; a whole number field in 0..1e12, or -1 otherwise. */
const char *sim_jstr(const cJSON *o, const char *name);
int64_t sim_jint(const cJSON *o, const char *name);

/* Path segments count from the first after the leading '/': in "/v1/sales/S1001/lock",
 * segment 0 is "v1", 1 "sales", 2 "S1001" and 3 "lock". */

/* How many '/' the path has: 4 for "/v1/sales/S1001/lock", so that a route can refuse what
 * follows the segments it expects. */
int sim_path_depth(const char *path);
/* Copies segment idx into out: 0, or -1 with out untouched when the path has no such
 * segment, it is empty or it does not fit in cap bytes. */
int sim_path_segment(const char *path, int idx, char *out, size_t cap);
/* 1 if segment idx is exactly `name`. */
int sim_path_is(const char *path, int idx, const char *name);
/* 1 if the path has a segment idx that is not empty, however long. */
int sim_path_has(const char *path, int idx);

#endif
