#include "core/prices.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/codes.h"
#include "core/json.h"

static const char *const setting_fields[] = {"version", "items", NULL};
static const char *const body_fields[] = {"items", NULL};
static const char *const item_fields[] = {"grade", "label", "fen_per_l", NULL};

/* 1 when object o has exactly the members named (NULL-ended), each once: nothing unknown,
 * nothing missing, nothing given twice. */
static int exactly(const cJSON *o, const char *const *names)
{
    int n = 0;
    if (!cJSON_IsObject(o))
        return 0;
    for (; names[n]; n++)
        if (!cJSON_GetObjectItemCaseSensitive(o, names[n]))
            return 0;
    return cJSON_GetArraySize(o) == n;
}

/* A language as the kiosk's catalogs are named: 2..3 lower-case letters, then optionally
 * '_' and 2 upper-case letters ("zh_CN", "en_US", "ug_CN", "en"). */
static int lang_ok(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
    if (n < 2 || n > 3)
        return 0;
    if (!s[n])
        return 1;
    return s[n] == '_' && strspn(s + n + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 2 && !s[n + 3];
}

/* The labels of item `i` (object o) into p. 0, or -1 with why. */
static int read_labels(const cJSON *o, int i, struct price *p, char *why, size_t cap)
{
    int n = cJSON_IsObject(o) ? cJSON_GetArraySize(o) : 0;
    if (n < 1 || n > I18N_MAX_LANGS) {
        snprintf(why, cap, "items[%d]: label: not an object of 1..%d languages", i, I18N_MAX_LANGS);
        return -1;
    }
    const cJSON *l;
    cJSON_ArrayForEach(l, o)
    {
        int k = p->nlabels;
        if (!l->string || !lang_ok(l->string)) {
            snprintf(why, cap, "items[%d]: label: a key that is not a language like zh_CN", i);
            return -1;
        }
        int bad = !cJSON_IsString(l) || strlen(l->valuestring) >= sizeof p->label[k] ||
                  !code_scan_ok(l->valuestring);
        if (bad) {
            snprintf(why, cap, "items[%d]: label.%s: not 1..%zu bytes of printable UTF-8", i,
                     l->string, sizeof p->label[k] - 1);
            return -1;
        }
        for (int j = 0; j < k; j++)
            if (!strcmp(p->lang[j], l->string)) {
                snprintf(why, cap, "items[%d]: label.%s given twice", i, l->string);
                return -1;
            }
        snprintf(p->lang[k], sizeof p->lang[k], "%s", l->string);
        snprintf(p->label[k], sizeof p->label[k], "%s", l->valuestring);
        p->nlabels++;
    }
    return 0;
}

/* Item `i` (it) into b->v[i], its grade not one before it. 0, or -1 with why. */
static int read_item(const cJSON *it, int i, struct price_board *b, char *why, size_t cap)
{
    struct price *p = &b->v[i];
    int bad = 0;
    if (!cJSON_IsObject(it)) {
        snprintf(why, cap, "items[%d]: not an object", i);
        return -1;
    }
    json_copy(it, "grade", p->grade, sizeof p->grade, 0, &bad);
    if (bad || !code_scan_ok(p->grade)) {
        snprintf(why, cap, "items[%d]: grade: not 1..%zu bytes of printable UTF-8", i,
                 sizeof p->grade - 1);
        return -1;
    }
    for (int j = 0; j < i; j++)
        if (!strcmp(b->v[j].grade, p->grade)) {
            snprintf(why, cap, "items[%d]: grade %s given twice", i, p->grade);
            return -1;
        }
    p->fen_per_l = json_int(it, "fen_per_l", 1, PRICE_FEN_MAX, &bad);
    if (bad) {
        snprintf(why, cap, "items[%d]: fen_per_l: not a whole number of fen 1..%d", i,
                 PRICE_FEN_MAX);
        return -1;
    }
    if (read_labels(cJSON_GetObjectItemCaseSensitive(it, "label"), i, p, why, cap) != 0)
        return -1;
    if (!exactly(it, item_fields)) {
        snprintf(why, cap,
                 "items[%d]: a field other than grade, label and fen_per_l, or one "
                 "twice",
                 i);
        return -1;
    }
    return 0;
}

int prices_parse(const char *json, int64_t version, struct price_board *b, char *why, size_t cap)
{
    int bad = 0, rc = -1;
    memset(b, 0, sizeof *b);
    cJSON *o = json ? cJSON_Parse(json) : NULL;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(o, "items"), *it;
    if (!cJSON_IsObject(o)) {
        snprintf(why, cap, "not a JSON object");
        goto end;
    }
    if (version) {
        b->version = version;
        bad = version < 1 || version > PRICES_VERSION_MAX;
    } else {
        b->version = json_int(o, "version", 1, PRICES_VERSION_MAX, &bad);
    }
    if (bad) {
        snprintf(why, cap, "version: not a whole number 1..2^53-1");
        goto end;
    }
    if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) > PRICES_MAX) {
        snprintf(why, cap, "items: not an array of at most %d", PRICES_MAX);
        goto end;
    }
    if (!exactly(o, version ? body_fields : setting_fields)) {
        snprintf(why, cap,
                 version ? "a field other than items, or items twice (the command "
                           "carries the version)"
                         : "a field other than version and items, or one twice");
        goto end;
    }
    cJSON_ArrayForEach(it, items)
    {
        if (read_item(it, b->n, b, why, cap) != 0)
            goto end;
        b->n++;
    }
    rc = 0;
end:
    cJSON_Delete(o);
    if (rc)
        memset(b, 0, sizeof *b);
    return rc;
}

/* Item p as the setting has it, or NULL on no memory. */
static cJSON *item_json(const struct price *p)
{
    cJSON *it = cJSON_CreateObject(), *label = NULL;
    int ok = it && cJSON_AddStringToObject(it, "grade", p->grade) &&
             (label = cJSON_AddObjectToObject(it, "label"));
    for (int k = 0; ok && k < p->nlabels && k < I18N_MAX_LANGS; k++)
        ok = cJSON_AddStringToObject(label, p->lang[k], p->label[k]) != NULL;
    if (!ok || !json_add_int(it, "fen_per_l", p->fen_per_l)) {
        cJSON_Delete(it);
        return NULL;
    }
    return it;
}

char *prices_json(const struct price_board *b)
{
    cJSON *o = cJSON_CreateObject(), *items = NULL;
    int ok = o && json_add_int(o, "version", b->version) &&
             (items = cJSON_AddArrayToObject(o, "items"));
    for (int i = 0; ok && i < b->n && i < PRICES_MAX; i++) {
        cJSON *it = item_json(&b->v[i]);
        ok = it && cJSON_AddItemToArray(items, it);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return json_print_free(o);
}

const char *prices_label(const struct price *p, const char *lang)
{
    for (int k = 0; lang && k < p->nlabels && k < I18N_MAX_LANGS; k++)
        if (!strcmp(p->lang[k], lang))
            return p->label[k];
    return p->nlabels > 0 ? p->label[0] : p->grade;
}
