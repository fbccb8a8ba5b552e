#include "push.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/codes.h"
#include "core/json.h"

/* The setting's object, or NULL with the reason in err. */
static cJSON *object_of(const char *json, char *err, size_t errcap)
{
    cJSON *o = json ? cJSON_Parse(json) : NULL;
    if (!cJSON_IsObject(o)) {
        snprintf(err, errcap, "not a JSON object");
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int push_playlist_parse(const char *json, struct push_playlist *out, char *err, size_t errcap)
{
    int bad = 0;
    memset(out, 0, sizeof *out);
    cJSON *o = object_of(json, err, errcap);
    if (!o)
        return -1;
    out->version = json_int(o, "version", 1, PUSH_VERSION_MAX, &bad);
    if (bad) {
        snprintf(err, errcap, "version: not a whole number 1..2^53");
    } else {
        json_copy(o, "dir", out->dir, sizeof out->dir, 0, &bad);
        if (bad || out->dir[0] != '/' || strstr(out->dir, "..") || !code_scan_ok(out->dir)) {
            snprintf(err, errcap, "dir: not an absolute folder of under %zu bytes",
                     sizeof out->dir);
            bad = 1;
        }
    }
    cJSON_Delete(o);
    if (bad)
        memset(out, 0, sizeof *out);
    return bad ? -1 : 0;
}
