/* hawkBit DDI bodies (ddi.h). */
#include "update/ddi.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"

/* Object `name` of o, or NULL. */
static const cJSON *obj(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsObject(v) ? v : NULL;
}

/* An http(s) URL without spaces or control characters that fits: 1. */
static int href_ok(const char *s)
{
    if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
        return 0;
    if (strlen(s) >= DDI_HREF_MAX)
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

/* _links.<name>.href into out (cap DDI_HREF_MAX): 1 copied, 0 absent, -1 there but bad. */
static int link_of(const cJSON *links, const char *name, char *out)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(links, name);
    if (!l)
        return 0;
    if (!cJSON_IsObject(l))
        return -1;
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(l, "href");
    if (!cJSON_IsString(h) || !href_ok(h->valuestring))
        return -1;
    snprintf(out, DDI_HREF_MAX, "%s", h->valuestring);
    return 1;
}

int ddi_sleep_parse(const char *s)
{
    int h, m, sec;
    char tail;
    if (!s || strlen(s) != 8 || s[2] != ':' || s[5] != ':')
        return -1;
    for (int i = 0; i < 8; i++)
        if (i != 2 && i != 5 && (s[i] < '0' || s[i] > '9'))
            return -1;
    if (sscanf(s, "%2d:%2d:%2d%c", &h, &m, &sec, &tail) != 3 || m > 59 || sec > 59)
        return -1;
    return h * 3600 + m * 60 + sec;
}

int ddi_action_of(const char *href, char *out, size_t cap)
{
    const char *p = strstr(href, "/deploymentBase/");
    if (!p)
        return -1;
    p += strlen("/deploymentBase/");
    size_t n = strspn(p, "0123456789");
    if (n == 0 || n > 20 || n >= cap || (p[n] && p[n] != '?'))
        return -1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

int ddi_parse_base(const char *text, size_t len, struct ddi_base *b, char *err, size_t errcap)
{
    memset(b, 0, sizeof *b);
    b->sleep_s = -1;
    cJSON *o = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(o)) {
        snprintf(err, errcap, "base: not a JSON object");
        cJSON_Delete(o);
        return -1;
    }
    int rc = 0;
    const cJSON *sleep = cJSON_GetObjectItemCaseSensitive(obj(obj(o, "config"), "polling"),
                                                          "sleep");
    if (sleep &&
        (!cJSON_IsString(sleep) || (b->sleep_s = ddi_sleep_parse(sleep->valuestring)) < 0)) {
        snprintf(err, errcap, "base: config.polling.sleep is not HH:MM:SS");
        rc = -1;
    }
    const cJSON *links = obj(o, "_links");
    char ignored[DDI_HREF_MAX];
    int d = link_of(links, "deploymentBase", b->deployment);
    if (rc == 0 && (d < 0 || (d > 0 && ddi_action_of(b->deployment, b->action,
                                                     sizeof b->action) != 0))) {
        snprintf(err, errcap, "base: _links.deploymentBase.href is not a deployment's URL");
        rc = -1;
    }
    b->cancel = link_of(links, "cancelAction", ignored) > 0;
    b->config_data = link_of(links, "configData", ignored) > 0;
    cJSON_Delete(o);
    if (rc != 0) {
        memset(b, 0, sizeof *b);
        b->sleep_s = -1;
    }
    return rc;
}

/* A file name: no '/', no control character. */
static int name_ok(const char *s)
{
    for (; *s; s++)
        if (*s == '/' || (unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

/* One artifact into a: 0, or -1 with why in err. */
static int read_artifact(const cJSON *x, struct ddi_artifact *a, char *err, size_t errcap)
{
    int bad = 0;
    a->size = json_int(x, "size", 0, INT64_C(1) << 50, &bad);
    json_copy(obj(x, "hashes"), "sha256", a->sha256, sizeof a->sha256, 0, &bad);
    for (char *p = a->sha256; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    bad |= strlen(a->sha256) != 64 || strspn(a->sha256, "0123456789abcdef") != 64;
    const cJSON *links = obj(x, "_links");
    int l = link_of(links, "download", a->href);
    if (l == 0)
        l = link_of(links, "download-http", a->href);
    bad |= l != 1;
    if (bad) {
        snprintf(err, errcap, "deployment: artifact %s: size, hashes.sha256 or its link",
                 a->filename);
        return -1;
    }
    return 0;
}

int ddi_parse_deployment(const char *text, size_t len, struct ddi_deployment *d, char *err,
                         size_t errcap)
{
    memset(d, 0, sizeof *d);
    cJSON *o = cJSON_ParseWithLength(text, len);
    int bad = !cJSON_IsObject(o), found = 0, rc = 0;
    json_copy(o, "id", d->id, sizeof d->id, 0, &bad);
    const cJSON *dep = obj(o, "deployment");
    bad |= !dep || strspn(d->id, "0123456789") != strlen(d->id);
    if (bad) {
        snprintf(err, errcap, "deployment: no id or no deployment");
        rc = -1;
    }
    d->skip_download = !strcmp(json_str(dep, "download"), "skip");
    d->skip_update = !strcmp(json_str(dep, "update"), "skip");
    d->window_closed = !strcmp(json_str(dep, "maintenanceWindow"), "unavailable");
    const cJSON *chunks = cJSON_GetObjectItemCaseSensitive(dep, "chunks"), *c, *x;
    if (rc == 0 && !cJSON_IsArray(chunks)) {
        snprintf(err, errcap, "deployment: no chunks");
        rc = -1;
    }
    const cJSON *chunk_list = rc == 0 ? chunks : NULL;
    cJSON_ArrayForEach(c, chunk_list)
    {
        const cJSON *arts = cJSON_GetObjectItemCaseSensitive(c, "artifacts");
        const cJSON *art_list = cJSON_IsArray(arts) ? arts : NULL;
        cJSON_ArrayForEach(x, art_list)
        {
            const char *name = json_str(x, "filename");
            if (!ends_with(name, ".fkb"))
                continue;
            if (found++ || strlen(name) >= sizeof d->art.filename ||
                !name_ok(name)) {
                snprintf(err, errcap, found > 1 ? "deployment: more than one .fkb artifact"
                                                : "deployment: a bad artifact name");
                rc = -1;
                break;
            }
            snprintf(d->art.filename, sizeof d->art.filename, "%s", name);
            snprintf(d->art.version, sizeof d->art.version, "%s", json_str(c, "version"));
            if (read_artifact(x, &d->art, err, errcap) != 0) {
                rc = -1;
                break;
            }
        }
        if (rc != 0)
            break;
    }
    if (rc == 0 && !found) {
        snprintf(err, errcap, "deployment: no .fkb artifact");
        rc = -1;
    }
    cJSON_Delete(o);
    if (rc != 0)
        memset(d, 0, sizeof *d);
    return rc;
}

char *ddi_feedback_json(int64_t timestamp_ms, const char *execution, const char *finished,
                        const char *detail)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    json_add_int(o, "timestamp", timestamp_ms);
    cJSON *st = cJSON_AddObjectToObject(o, "status");
    cJSON_AddStringToObject(st, "execution", execution);
    cJSON *r = cJSON_AddObjectToObject(st, "result");
    cJSON_AddStringToObject(r, "finished", finished);
    cJSON *details = cJSON_AddArrayToObject(st, "details");
    if (detail && details)
        cJSON_AddItemToArray(details, cJSON_CreateString(detail));
    return json_print_free(o);
}

char *ddi_config_json(const char *slot, const char *version)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "mode", "merge");
    cJSON *data = cJSON_AddObjectToObject(o, "data");
    cJSON_AddStringToObject(data, "kiosk_slot", slot);
    cJSON_AddStringToObject(data, "kiosk_version", version);
    return json_print_free(o);
}
