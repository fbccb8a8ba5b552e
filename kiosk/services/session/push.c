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

static int64_t version_of(const cJSON *o, int *bad)
{
    return json_int(o, "version", 1, PUSH_VERSION_MAX, bad);
}

int push_playlist_parse(const char *json, struct push_playlist *out, char *err, size_t errcap)
{
    int bad = 0;
    memset(out, 0, sizeof *out);
    cJSON *o = object_of(json, err, errcap);
    if (!o)
        return -1;
    out->version = version_of(o, &bad);
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

/* Printable text of under `cap` bytes: what a label or a grade may be. */
static int text_ok(const char *s, size_t cap)
{
    return code_scan_ok(s) && strlen(s) < cap;
}

/* Item `it` into *p; 0, or -1 with the reason in err. */
static int price_of(const cJSON *it, struct price *p, char *err, size_t errcap)
{
    int bad = 0;
    if (!cJSON_IsObject(it)) {
        snprintf(err, errcap, "not an object");
        return -1;
    }
    json_copy(it, "grade", p->grade, sizeof p->grade, 0, &bad);
    if (bad || !text_ok(p->grade, sizeof p->grade)) {
        snprintf(err, errcap, "grade: not a text of 1..%zu bytes", sizeof p->grade - 1);
        return -1;
    }
    p->fen_per_l = json_int(it, "fen_per_l", 1, PRICE_FEN_MAX, &bad);
    if (bad) {
        snprintf(err, errcap, "fen_per_l: not a whole number of fen 1..%d", PRICE_FEN_MAX);
        return -1;
    }
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(it, "label");
    if (!cJSON_IsObject(labels) || cJSON_GetArraySize(labels) < 1 ||
        cJSON_GetArraySize(labels) > I18N_MAX_LANGS) {
        snprintf(err, errcap, "label: not an object of 1..%d languages", I18N_MAX_LANGS);
        return -1;
    }
    int k = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, labels)
    {
        if (!json_path_safe(l->string) || strlen(l->string) >= sizeof p->lang[k] ||
            !cJSON_IsString(l) || !text_ok(l->valuestring, sizeof p->label[k])) {
            snprintf(err, errcap, "label: '%.15s': not a language and a text of 1..%zu bytes",
                     l->string ? l->string : "", sizeof p->label[k] - 1);
            return -1;
        }
        for (int j = 0; j < k; j++)
            if (!strcmp(p->lang[j], l->string)) {
                snprintf(err, errcap, "label: '%s' given twice", l->string);
                return -1;
            }
        snprintf(p->lang[k], sizeof p->lang[k], "%s", l->string);
        snprintf(p->label[k], sizeof p->label[k], "%s", l->valuestring);
        k++;
    }
    return 0;
}

int push_prices_parse(const char *json, struct prices *out, char *err, size_t errcap)
{
    int bad = 0;
    char why[160] = "";
    memset(out, 0, sizeof *out);
    cJSON *o = object_of(json, err, errcap);
    if (!o)
        return -1;
    out->version = version_of(o, &bad);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(o, "items");
    if (bad) {
        snprintf(err, errcap, "version: not a whole number 1..2^53");
    } else if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) > PRICES_MAX) {
        snprintf(err, errcap, "items: not an array of at most %d", PRICES_MAX);
        bad = 1;
    } else {
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            if (price_of(it, &out->v[out->n], why, sizeof why) != 0) {
                snprintf(err, errcap, "items[%d]: %s", out->n, why);
                bad = 1;
                break;
            }
            out->n++;
        }
    }
    cJSON_Delete(o);
    if (bad)
        memset(out, 0, sizeof *out);
    return bad ? -1 : 0;
}

const char *push_price_label(const struct prices *p, int i, const char *lang)
{
    const struct price *it = &p->v[i];
    for (int k = 0; k < I18N_MAX_LANGS && it->lang[k][0]; k++)
        if (lang && !strcmp(it->lang[k], lang))
            return it->label[k];
    return it->label[0][0] ? it->label[0] : it->grade;
}
