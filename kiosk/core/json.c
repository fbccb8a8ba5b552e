#include "core/json.h"

#include <stdio.h>
#include <string.h>

const char *json_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

int64_t json_int(const cJSON *o, const char *name, int64_t lo, int64_t hi, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || v->valuedouble < (double)lo || v->valuedouble > (double)hi ||
        v->valuedouble != (double)(int64_t)v->valuedouble) {
        *bad = 1;
        return 0;
    }
    return (int64_t)v->valuedouble;
}

void json_copy(const cJSON *o, const char *name, char *out, size_t cap, int empty_ok, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
    if (!s || (!s[0] && !empty_ok) || strlen(s) >= cap)
        *bad = 1;
    snprintf(out, cap, "%s", s ? s : "");
}

int json_path_safe(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              *s == '-' || *s == '_'))
            return 0;
    return 1;
}

char *json_print_free(cJSON *o)
{
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return s;
}

cJSON *json_add_int(cJSON *o, const char *name, int64_t v)
{
    /* cJSON prints a number in 15 significant digits whenever they read back within its
     * epsilon: from 10^15 on the last digit would be lost (2^53 - 1 comes back as ...990),
     * so such a number goes into the text as its own digits */
    if (v > -INT64_C(1000000000000000) && v < INT64_C(1000000000000000))
        return cJSON_AddNumberToObject(o, name, (double)v);
    char digits[24];
    snprintf(digits, sizeof digits, "%lld", (long long)v);
    return cJSON_AddRawToObject(o, name, digits);
}
