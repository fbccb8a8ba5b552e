/* ddi-sim: a small hawkBit DDI server for the updater's tests (docs/updates.md). One tenant,
 * any controller, TargetToken authentication; deployments made by the test from a bundle
 * file, artifacts served with HTTP ranges, every feedback kept for the test to read.
 *
 * usage: ddi-sim [--port N] [--port-file FILE] [--tenant NAME] [--token TOKEN]
 *                [--sleep HH:MM:SS]
 *
 * Controller routes (Authorization: TargetToken <token>, else 401):
 *   GET  /{tenant}/controller/v1/{id}                                the base: polling sleep,
 *        deploymentBase of the controller's oldest open action, configData until it was sent
 *   GET  .../{id}/deploymentBase/{action}                            the deployment
 *   POST .../{id}/deploymentBase/{action}/feedback                   kept; "closed" closes the
 *        action, and feedback for a closed action is 410 Gone (as hawkBit answers)
 *   PUT  .../{id}/configData                                         kept
 *   GET  .../{id}/softwaremodules/{action}/artifacts/{filename}      the bundle; Range
 *        "bytes=N-" or "bytes=N-M" answers 206 with Content-Range, past the end 416
 * Admin routes (no token; loopback only):
 *   POST   /admin/deployments {"controller","file","version"[,"filename"]} -> {"action":N}
 *   GET    /admin/actions | /admin/feedback | /admin/downloads | /admin/config
 *   POST   /admin/faults {"cut_after":BYTES, "slow_ms":MS}: the next download is cut after
 *          BYTES (once); every 16 KiB of every download waits MS
 *   DELETE /admin/faults;  POST /admin/reset
 * One log line per request on stderr (method, path, status, Range), never the token. */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sign.h"

#define MAX_ACTIONS 64
#define MAX_BODY 65536
#define CHUNK 16384

struct action {
    int id;
    char controller[64];
    char file[512];
    char filename[128];
    char version[64];
    long long size;
    char sha256[SIGN_HEX_LEN];
    int closed;
    char finished[16];
    int finals;          /* "closed" feedback taken (must end at 1) */
};

static struct action actions[MAX_ACTIONS];
static int nactions, next_id = 101;
static cJSON *feedback_log, *downloads_log, *config_log;
static long long cut_after = -1;
static int slow_ms;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *tenant = "DEFAULT", *token = "sim-token", *sleep_text = "00:00:05";

struct conn {
    char *body;
    size_t len;
    int too_big;
};

static void log_line(const char *method, const char *url, int status, const char *range)
{
    fprintf(stderr, "ddi-sim: %s %s %d%s%s\n", method, url, status, range ? " range=" : "",
            range ? range : "");
}

static int send_json(struct MHD_Connection *c, int status, cJSON *body)
{
    char *text = body ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    const char *t = text ? text : "{}";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(t), (void *)t, MHD_RESPMEM_MUST_COPY);
    free(text);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    int rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static int send_error(struct MHD_Connection *c, int status, const char *why)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "message", why);
    return send_json(c, status, o);
}

static struct action *action_by_id(int id)
{
    for (int i = 0; i < nactions; i++)
        if (actions[i].id == id)
            return &actions[i];
    return NULL;
}

/* "http://<Host>/<tenant>/controller/v1/<cid>" */
static void base_href(struct MHD_Connection *c, const char *cid, char *out, size_t cap)
{
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    snprintf(out, cap, "http://%s/%s/controller/v1/%s", host ? host : "127.0.0.1", tenant, cid);
}

static cJSON *action_json(const struct action *a)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", a->id);
    cJSON_AddStringToObject(o, "controller", a->controller);
    cJSON_AddStringToObject(o, "version", a->version);
    cJSON_AddStringToObject(o, "status", a->closed ? "closed" : "open");
    cJSON_AddStringToObject(o, "finished", a->finished);
    cJSON_AddNumberToObject(o, "finals", a->finals);
    return o;
}

/* ---- the controller's routes ---------------------------------------------------------- */

static int route_base(struct MHD_Connection *c, const char *cid)
{
    char base[300], href[400];
    base_href(c, cid, base, sizeof base);
    cJSON *o = cJSON_CreateObject();
    cJSON *polling = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "config"), "polling");
    cJSON_AddStringToObject(polling, "sleep", sleep_text);
    cJSON *links = cJSON_AddObjectToObject(o, "_links");
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nactions; i++)
        if (!actions[i].closed && !strcmp(actions[i].controller, cid)) {
            snprintf(href, sizeof href, "%s/deploymentBase/%d?c=-%d", base, actions[i].id,
                     actions[i].id * 7919);
            cJSON_AddStringToObject(cJSON_AddObjectToObject(links, "deploymentBase"), "href",
                                    href);
            break;
        }
    int asked = 1;
    const cJSON *x;
    cJSON_ArrayForEach(x, config_log)
    {
        if (!strcmp(cJSON_GetObjectItem(x, "controller")->valuestring, cid))
            asked = 0;
    }
    pthread_mutex_unlock(&lock);
    if (asked) {
        snprintf(href, sizeof href, "%s/configData", base);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(links, "configData"), "href", href);
    }
    return send_json(c, 200, o);
}

static int route_deployment(struct MHD_Connection *c, const char *cid, int id)
{
    char base[300], href[700];
    pthread_mutex_lock(&lock);
    struct action *a = action_by_id(id);
    struct action copy;
    int found = a && !strcmp(a->controller, cid);
    if (found)
        copy = *a;
    pthread_mutex_unlock(&lock);
    if (!found)
        return send_error(c, 404, "no such action for this controller");
    base_href(c, cid, base, sizeof base);
    snprintf(href, sizeof href, "%s/softwaremodules/%d/artifacts/%s", base, copy.id,
             copy.filename);
    cJSON *o = cJSON_CreateObject();
    char id_text[16];
    snprintf(id_text, sizeof id_text, "%d", copy.id);
    cJSON_AddStringToObject(o, "id", id_text);
    cJSON *dep = cJSON_AddObjectToObject(o, "deployment");
    cJSON_AddStringToObject(dep, "download", "forced");
    cJSON_AddStringToObject(dep, "update", "forced");
    cJSON *chunk = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(dep, "chunks"), chunk);
    cJSON_AddStringToObject(chunk, "part", "os");
    cJSON_AddStringToObject(chunk, "version", copy.version);
    cJSON_AddStringToObject(chunk, "name", "fuel-kiosk");
    cJSON *art = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(chunk, "artifacts"), art);
    cJSON_AddStringToObject(art, "filename", copy.filename);
    cJSON_AddNumberToObject(art, "size", (double)copy.size);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(art, "hashes"), "sha256", copy.sha256);
    cJSON *links = cJSON_AddObjectToObject(art, "_links");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(links, "download-http"), "href", href);
    return send_json(c, 200, o);
}

static int route_feedback(struct MHD_Connection *c, const char *cid, int id,
                          const struct conn *cn)
{
    static const char *const executions[] = {"closed",  "proceeding", "canceled", "scheduled",
                                             "rejected", "resumed",   "downloaded", "download"};
    cJSON *b = cJSON_ParseWithLength(cn->body ? cn->body : "", cn->len);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(b, "status");
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(st, "execution");
    const cJSON *fin = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(st, "result"), "finished");
    int ok = cJSON_IsString(ex) && cJSON_IsString(fin) &&
             (!strcmp(fin->valuestring, "success") || !strcmp(fin->valuestring, "failure") ||
              !strcmp(fin->valuestring, "none"));
    int known = 0;
    for (size_t i = 0; ok && i < sizeof executions / sizeof executions[0]; i++)
        known |= !strcmp(ex->valuestring, executions[i]);
    if (!ok || !known) {
        cJSON_Delete(b);
        return send_error(c, 400, "status.execution and status.result.finished are required");
    }
    int status;
    pthread_mutex_lock(&lock);
    struct action *a = action_by_id(id);
    if (!a || strcmp(a->controller, cid)) {
        status = 404;
    } else {
        status = a->closed ? 410 : 200;
        cJSON *rec = cJSON_CreateObject();
        cJSON_AddNumberToObject(rec, "action", id);
        cJSON_AddStringToObject(rec, "controller", cid);
        cJSON_AddStringToObject(rec, "execution", ex->valuestring);
        cJSON_AddStringToObject(rec, "finished", fin->valuestring);
        cJSON *details = cJSON_GetObjectItemCaseSensitive(st, "details");
        cJSON_AddItemToObject(rec, "details",
                              cJSON_IsArray(details) ? cJSON_Duplicate(details, 1)
                                                     : cJSON_CreateArray());
        cJSON_AddBoolToObject(rec, "accepted", status == 200);
        cJSON_AddItemToArray(feedback_log, rec);
        if (status == 200 && !strcmp(ex->valuestring, "closed")) {
            a->closed = 1;
            a->finals++;
            snprintf(a->finished, sizeof a->finished, "%s", fin->valuestring);
        }
    }
    pthread_mutex_unlock(&lock);
    cJSON_Delete(b);
    return status == 200 ? send_json(c, 200, NULL)
                         : send_error(c, status, status == 410 ? "Action is not active anymore."
                                                               : "no such action");
}

static int route_config(struct MHD_Connection *c, const char *cid, const struct conn *cn)
{
    cJSON *b = cJSON_ParseWithLength(cn->body ? cn->body : "", cn->len);
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(b, "data");
    if (!cJSON_IsObject(data)) {
        cJSON_Delete(b);
        return send_error(c, 400, "data is required");
    }
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "controller", cid);
    cJSON_AddItemToObject(rec, "data", cJSON_Duplicate(data, 1));
    pthread_mutex_lock(&lock);
    cJSON_AddItemToArray(config_log, rec);
    pthread_mutex_unlock(&lock);
    cJSON_Delete(b);
    return send_json(c, 200, NULL);
}

/* An artifact's answer: the file from `from` to `to`, cut after `cut` bytes (-1: not). */
struct stream {
    int fd;
    long long from, n, cut;
    int slow_ms;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;
    if (s->cut >= 0 && (long long)pos >= s->cut)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* the connection drops mid-file */
    if ((long long)pos >= s->n)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t k = max;
    if ((long long)k > s->n - (long long)pos)
        k = (size_t)(s->n - (long long)pos);
    if (s->cut >= 0 && (long long)(pos + k) > s->cut)
        k = (size_t)(s->cut - (long long)pos);
    if (s->slow_ms > 0)
        usleep((useconds_t)s->slow_ms * 1000);
    ssize_t r = pread(s->fd, buf, k, (off_t)(s->from + (long long)pos));
    return r > 0 ? r : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_free(void *cls)
{
    struct stream *s = cls;
    close(s->fd);
    free(s);
}

static int route_artifact(struct MHD_Connection *c, const char *url, int id, const char *name)
{
    pthread_mutex_lock(&lock);
    struct action *a = action_by_id(id);
    struct action copy;
    int found = a && !strcmp(a->filename, name);
    if (found)
        copy = *a;
    long long cut = found ? cut_after : -1;
    if (found)
        cut_after = -1;
    int slow = slow_ms;
    pthread_mutex_unlock(&lock);
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
    if (!found) {
        log_line("GET", url, 404, range);
        return send_error(c, 404, "no such artifact");
    }
    long long from = 0, to = copy.size - 1;
    int partial = 0;
    if (range) {
        char tail = 0;
        int n = sscanf(range, "bytes=%lld-%lld%c", &from, &to, &tail);
        if (n == 1)
            to = copy.size - 1;
        if (n < 1 || n > 2 || from < 0 || (n == 2 && to < from)) {
            log_line("GET", url, 400, range);
            return send_error(c, 400, "only bytes=N- and bytes=N-M ranges");
        }
        if (from >= copy.size) {
            char cr[64];
            snprintf(cr, sizeof cr, "bytes */%lld", copy.size);
            struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
            MHD_add_response_header(r, "Content-Range", cr);
            int rc = MHD_queue_response(c, 416, r);
            MHD_destroy_response(r);
            log_line("GET", url, 416, range);
            return rc;
        }
        if (to >= copy.size)
            to = copy.size - 1;
        partial = 1;
    }
    struct stream *s = calloc(1, sizeof *s);
    int fd = open(copy.file, O_RDONLY | O_CLOEXEC);
    if (!s || fd < 0) {
        free(s);
        if (fd >= 0)
            close(fd);
        log_line("GET", url, 500, range);
        return send_error(c, 500, "the bundle file is gone");
    }
    *s = (struct stream){.fd = fd, .from = from, .n = to - from + 1, .cut = cut, .slow_ms = slow};
    struct MHD_Response *r = MHD_create_response_from_callback((uint64_t)s->n, CHUNK, stream_read,
                                                               s, stream_free);
    if (!r) {
        stream_free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/octet-stream");
    MHD_add_response_header(r, "Accept-Ranges", "bytes");
    if (partial) {
        char cr[96];
        snprintf(cr, sizeof cr, "bytes %lld-%lld/%lld", from, to, copy.size);
        MHD_add_response_header(r, "Content-Range", cr);
    }
    int status = partial ? 206 : 200;
    int rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddNumberToObject(rec, "action", id);
    cJSON_AddStringToObject(rec, "range", range ? range : "");
    cJSON_AddNumberToObject(rec, "status", status);
    cJSON_AddNumberToObject(rec, "cut_after", (double)cut);
    pthread_mutex_lock(&lock);
    cJSON_AddItemToArray(downloads_log, rec);
    pthread_mutex_unlock(&lock);
    log_line("GET", url, status, range);
    return rc;
}

/* "/{tenant}/controller/v1/{cid}[/rest]": the controller's routes. */
static int controller(struct MHD_Connection *c, const char *method, const char *url,
                      const struct conn *cn)
{
    char prefix[128], cid[64], rest[300] = "", name[128];
    snprintf(prefix, sizeof prefix, "/%s/controller/v1/", tenant);
    size_t pn = strlen(prefix);
    if (strncmp(url, prefix, pn)) {
        log_line(method, url, 404, NULL);
        return send_error(c, 404, "no such route");
    }
    const char *p = url + pn;
    size_t k = strcspn(p, "/");
    if (k == 0 || k >= sizeof cid) {
        log_line(method, url, 404, NULL);
        return send_error(c, 404, "no controller id");
    }
    memcpy(cid, p, k);
    cid[k] = '\0';
    if (p[k] == '/')
        snprintf(rest, sizeof rest, "%s", p + k + 1);
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    char want[200];
    snprintf(want, sizeof want, "TargetToken %s", token);
    if (!auth || strcmp(auth, want)) {
        log_line(method, url, 401, NULL);
        return send_error(c, 401, "a TargetToken is required");
    }
    int id = 0;
    char tail = 0;
    if (!rest[0] && !strcmp(method, "GET")) {
        log_line(method, url, 200, NULL);
        return route_base(c, cid);
    }
    if (sscanf(rest, "deploymentBase/%d%c", &id, &tail) == 1 && !strcmp(method, "GET")) {
        log_line(method, url, 200, NULL);
        return route_deployment(c, cid, id);
    }
    if (sscanf(rest, "deploymentBase/%d/feedback%c", &id, &tail) == 1 &&
        !strcmp(method, "POST")) {
        log_line(method, url, 200, NULL);
        return route_feedback(c, cid, id, cn);
    }
    if (!strcmp(rest, "configData") && !strcmp(method, "PUT")) {
        log_line(method, url, 200, NULL);
        return route_config(c, cid, cn);
    }
    if (sscanf(rest, "softwaremodules/%d/artifacts/%127[^/]%c", &id, name, &tail) == 2 &&
        !strcmp(method, "GET"))
        return route_artifact(c, url, id, name);
    log_line(method, url, 404, NULL);
    return send_error(c, 404, "no such route");
}

/* ---- admin ---------------------------------------------------------------------------- */

/* The file's size and SHA-256. 0 or -1. */
static int hash_file(const char *path, long long *size, char *hex)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct sign_sha256 s;
    char buf[CHUNK];
    size_t k;
    *size = 0;
    sign_sha256_init(&s);
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) {
        sign_sha256_update(&s, buf, k);
        *size += (long long)k;
    }
    int bad = ferror(f);
    fclose(f);
    sign_sha256_final_hex(&s, hex);
    return bad ? -1 : 0;
}

static int admin_deploy(struct MHD_Connection *c, const cJSON *b)
{
    const cJSON *cid = cJSON_GetObjectItemCaseSensitive(b, "controller");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(b, "file");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(b, "version");
    const cJSON *fname = cJSON_GetObjectItemCaseSensitive(b, "filename");
    if (!cJSON_IsString(cid) || !cJSON_IsString(file) || !cJSON_IsString(version) ||
        strlen(cid->valuestring) >= sizeof actions[0].controller ||
        strlen(file->valuestring) >= sizeof actions[0].file ||
        strlen(version->valuestring) >= sizeof actions[0].version ||
        (fname && (!cJSON_IsString(fname) || strchr(fname->valuestring, '/') ||
                   strlen(fname->valuestring) >= sizeof actions[0].filename)))
        return send_error(c, 400, "controller, file and version are required");
    struct action a = {0};
    snprintf(a.controller, sizeof a.controller, "%s", cid->valuestring);
    snprintf(a.file, sizeof a.file, "%s", file->valuestring);
    snprintf(a.version, sizeof a.version, "%s", version->valuestring);
    if (fname)
        snprintf(a.filename, sizeof a.filename, "%s", fname->valuestring);
    else
        snprintf(a.filename, sizeof a.filename, "fuel-kiosk-%.60s.fkb", a.version);
    if (hash_file(a.file, &a.size, a.sha256) != 0)
        return send_error(c, 400, "the file cannot be read");
    pthread_mutex_lock(&lock);
    int ok = nactions < MAX_ACTIONS;
    if (ok) {
        a.id = next_id++;
        actions[nactions++] = a;
    }
    pthread_mutex_unlock(&lock);
    if (!ok)
        return send_error(c, 400, "too many actions");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "action", a.id);
    return send_json(c, 200, o);
}

/* {"<name>": a copy of list} */
static int send_list(struct MHD_Connection *c, const char *name, const cJSON *list)
{
    cJSON *o = cJSON_CreateObject();
    pthread_mutex_lock(&lock);
    cJSON_AddItemToObject(o, name, cJSON_Duplicate(list, 1));
    pthread_mutex_unlock(&lock);
    return send_json(c, 200, o);
}

static void reset_logs(void)
{
    cJSON_Delete(feedback_log);
    cJSON_Delete(downloads_log);
    cJSON_Delete(config_log);
    feedback_log = cJSON_CreateArray();
    downloads_log = cJSON_CreateArray();
    config_log = cJSON_CreateArray();
}

static int admin(struct MHD_Connection *c, const char *method, const char *url,
                 const struct conn *cn)
{
    cJSON *b = cn->len ? cJSON_ParseWithLength(cn->body, cn->len) : NULL;
    int rc;
    log_line(method, url, 200, NULL);
    if (cn->len && !b) {
        rc = send_error(c, 400, "the body is not JSON");
    } else if (!strcmp(url, "/admin/deployments") && !strcmp(method, "POST")) {
        rc = admin_deploy(c, b);
    } else if (!strcmp(url, "/admin/actions") && !strcmp(method, "GET")) {
        cJSON *o = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(o, "actions");
        pthread_mutex_lock(&lock);
        for (int i = 0; i < nactions; i++)
            cJSON_AddItemToArray(list, action_json(&actions[i]));
        pthread_mutex_unlock(&lock);
        rc = send_json(c, 200, o);
    } else if (!strcmp(url, "/admin/feedback") && !strcmp(method, "GET")) {
        rc = send_list(c, "feedback", feedback_log);
    } else if (!strcmp(url, "/admin/downloads") && !strcmp(method, "GET")) {
        rc = send_list(c, "downloads", downloads_log);
    } else if (!strcmp(url, "/admin/config") && !strcmp(method, "GET")) {
        rc = send_list(c, "config", config_log);
    } else if (!strcmp(url, "/admin/faults") && !strcmp(method, "POST")) {
        const cJSON *cut = cJSON_GetObjectItemCaseSensitive(b, "cut_after");
        const cJSON *slow = cJSON_GetObjectItemCaseSensitive(b, "slow_ms");
        pthread_mutex_lock(&lock);
        if (cJSON_IsNumber(cut) && cut->valuedouble >= 0)
            cut_after = (long long)cut->valuedouble;
        if (cJSON_IsNumber(slow) && slow->valuedouble >= 0 && slow->valuedouble <= 10000)
            slow_ms = slow->valueint;
        pthread_mutex_unlock(&lock);
        rc = send_json(c, 200, NULL);
    } else if (!strcmp(url, "/admin/faults") && !strcmp(method, "DELETE")) {
        pthread_mutex_lock(&lock);
        cut_after = -1;
        slow_ms = 0;
        pthread_mutex_unlock(&lock);
        rc = send_json(c, 200, NULL);
    } else if (!strcmp(url, "/admin/reset") && !strcmp(method, "POST")) {
        pthread_mutex_lock(&lock);
        nactions = 0;
        cut_after = -1;
        slow_ms = 0;
        reset_logs();
        pthread_mutex_unlock(&lock);
        rc = send_json(c, 200, NULL);
    } else {
        rc = send_error(c, 404, "no such admin route");
    }
    cJSON_Delete(b);
    return rc;
}

/* ---- the server ----------------------------------------------------------------------- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    (void)cls, (void)version;
    struct conn *cn = *con_cls;
    if (!cn) {
        cn = calloc(1, sizeof *cn);
        *con_cls = cn;
        return cn ? MHD_YES : MHD_NO;
    }
    if (*size) {
        if (cn->len + *size > MAX_BODY) {
            cn->too_big = 1;
        } else {
            char *nb = realloc(cn->body, cn->len + *size + 1);
            if (!nb)
                return MHD_NO;
            cn->body = nb;
            memcpy(cn->body + cn->len, data, *size);
            cn->len += *size;
            cn->body[cn->len] = '\0';
        }
        *size = 0;
        return MHD_YES;
    }
    if (cn->too_big) {
        log_line(method, url, 413, NULL);
        return send_error(c, 413, "bodies are limited to 64 KiB") == MHD_YES ? MHD_YES : MHD_NO;
    }
    int rc = !strncmp(url, "/admin/", 7) ? admin(c, method, url, cn)
                                         : controller(c, method, url, cn);
    return rc == MHD_YES ? MHD_YES : MHD_NO;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)c, (void)code;
    struct conn *cn = *con_cls;
    if (cn) {
        free(cn->body);
        free(cn);
    }
    *con_cls = NULL;
}

static const char usage[] = "usage: ddi-sim [--port N] [--port-file FILE] [--tenant NAME] "
                            "[--token TOKEN] [--sleep HH:MM:SS]\n";

int main(int argc, char **argv)
{
    const char *port_file = NULL;
    int port = 0;
    for (int i = 1; i < argc; i++) {
        int more = i + 1 < argc;
        if (!strcmp(argv[i], "--port") && more)
            port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--port-file") && more)
            port_file = argv[++i];
        else if (!strcmp(argv[i], "--tenant") && more)
            tenant = argv[++i];
        else if (!strcmp(argv[i], "--token") && more)
            token = argv[++i];
        else if (!strcmp(argv[i], "--sleep") && more)
            sleep_text = argv[++i];
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (sign_init() != 0)
        return 1;
    reset_logs();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
        NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "ddi-sim: cannot listen on 127.0.0.1:%d\n", port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int bound = info ? info->port : port;
    if (port_file) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%d\n", bound) < 0 || fclose(f) != 0 || rename(tmp, port_file)) {
            fprintf(stderr, "ddi-sim: cannot write %s\n", port_file);
            return 1;
        }
    }
    printf("ddi-sim on http://127.0.0.1:%d/%s\n", bound, tenant);
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    reset_logs();
    cJSON_Delete(feedback_log);
    cJSON_Delete(downloads_log);
    cJSON_Delete(config_log);
    return 0;
}
