/* Reading fields out of JSON the kiosk did not write itself (backend answers, journaled
 * records): strict, bounded, and a failure recorded rather than guessed around. */
#ifndef KIOSK_APP_JSON_FIELD_H
#define KIOSK_APP_JSON_FIELD_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* No sale, order or balance is bigger: ¥1,000,000,000.00. */
#define JSON_MAX_FEN INT64_C(100000000000)

/* String field `name` of `o` (borrowed from `o`), or "" when absent or not a string. */
const char *json_str(const cJSON *o, const char *name);
/* Whole-number field `name` in [lo, hi] (money is integer fen: 1.5 is refused); sets *bad
 * and returns 0 when it is absent, not a number, fractional or out of range. */
int64_t json_int(const cJSON *o, const char *name, int64_t lo, int64_t hi, int *bad);
/* Copies string field `name` into out (`cap` bytes); sets *bad when it is absent, empty
 * (unless `empty_ok`) or too long for out (out then holds "" or the truncated value). */
void json_copy(const cJSON *o, const char *name, char *out, size_t cap, int empty_ok, int *bad);

/* Adds whole number `v` (fen, millilitres, milliseconds, versions) to `o` as `name`, printed
 * exactly: from 10^15 on as its digits (a raw item: printed, not read back as a number from
 * the tree). Returns the item, or NULL on no memory. */
cJSON *json_add_int(cJSON *o, const char *name, int64_t v);

/* 1 when s may be a part of a URL path as it is: 1.. of [A-Za-z0-9_-]. */
int json_path_safe(const char *s);
/* The object printed unformatted (malloc'd; NULL on no memory), and deleted. NULL-safe. */
char *json_print_free(cJSON *o);

#endif
