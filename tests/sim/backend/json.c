/* Request readers shared by the route files: JSON body fields and path segments (json.h). */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

/* ---- strict body fields: they answer 400 INVALID_ARGUMENT themselves ---- */

/* Answers the first problem only (see json.h): a 400 INVALID_ARGUMENT saying what is wrong. */
static void field_error(struct sim_resp *r, int *bad, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void field_error(struct sim_resp *r, int *bad, const char *fmt, ...)
{
    if (*bad)
        return;
    char m[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    sim_error(r, 400, "INVALID_ARGUMENT", m);
    *bad = 1;
}

const char *sim_str_field(const cJSON *o, const char *name, int required, struct sim_resp *r,
                          int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            field_error(r, bad, "field '%s' is required", name);
        return NULL;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) > 256) {
        field_error(r, bad, "field '%s' must be a string", name);
        return NULL;
    }
    return v->valuestring;
}

int64_t sim_int_field(const cJSON *o, const char *name, int required, int64_t min, int64_t max,
                      struct sim_resp *r, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            field_error(r, bad, "field '%s' is required", name);
        return 0;
    }
    /* whole numbers only: money is integer fen */
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int64_t)v->valuedouble ||
        v->valuedouble < (double)min || v->valuedouble > (double)max) {
        field_error(r, bad, "field '%s' must be a whole number in %lld..%lld", name,
                    (long long)min, (long long)max);
        return 0;
    }
    return (int64_t)v->valuedouble;
}

/* ---- lenient body fields: the route answers what is wrong ---- */

const char *sim_jstr(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int64_t sim_jint(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e12 ||
        v->valuedouble != (double)(int64_t)v->valuedouble)
        return -1;
    return (int64_t)v->valuedouble;
}

/* ---- path segments ---- */

/* Segment idx of path and its length (0 when empty), or NULL when the path has none. */
static const char *segment_at(const char *path, int idx, size_t *len)
{
    const char *p = path;
    for (int i = 0; i <= idx; i++) {
        if (*p != '/')
            return NULL;
        p++;
        const char *e = strchr(p, '/');
        *len = e ? (size_t)(e - p) : strlen(p);
        if (i == idx)
            return p;
        p += *len;
    }
    return NULL;
}

int sim_path_depth(const char *path)
{
    int n = 0;
    for (; *path; path++)
        n += *path == '/';
    return n;
}

int sim_path_segment(const char *path, int idx, char *out, size_t cap)
{
    size_t len = 0;
    const char *s = segment_at(path, idx, &len);
    if (!s || len == 0 || len >= cap)
        return -1;
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

int sim_path_is(const char *path, int idx, const char *name)
{
    size_t len = 0;
    const char *s = segment_at(path, idx, &len);
    return s && len == strlen(name) && !memcmp(s, name, len);
}

int sim_path_has(const char *path, int idx)
{
    size_t len = 0;
    return segment_at(path, idx, &len) && len > 0;
}
