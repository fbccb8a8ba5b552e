#include "api.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/codes.h"
#include "core/i18n.h"
#include "core/json.h"
#include "core/sign.h"

/* The attendant's messages: the same words, already translated. */
const char *const fl_oos_names[FL_OOS_MESSAGES] = {"maintenance", "counter", "night"};
const char *const fl_oos_msgids[FL_OOS_MESSAGES] = {
    N_("Under maintenance. Please use another kiosk."),
    N_("This kiosk is out of service. Please pay at the counter."),
    N_("Closed for the night."),
};

static const char *const component_names[COMP_LAST] = {
    [COMP_BACKEND] = "backend",         [COMP_PRINTER] = "printer",
    [COMP_SCANNER] = "scanner",         [COMP_CARD_READER] = "card_reader",
    [COMP_ID_READER] = "id_reader",     [COMP_CAMERA] = "camera",
    [COMP_PUMP] = "pump",               [COMP_JOURNAL] = "journal",
};

static void say(char *why, size_t cap, const char *text)
{
    snprintf(why, cap, "%s", text);
}

/* 1 when every member of object o is named in `names` (NULL-ended). */
static int only(const cJSON *o, const char *const *names)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, o) {
        int known = 0;
        for (int i = 0; names[i] && !known; i++)
            known = it->string && !strcmp(it->string, names[i]);
        if (!known)
            return 0;
    }
    return 1;
}

/* Text a person wrote (a label, a title): 1..max-1 bytes of UTF-8 without control
 * characters (and at most CODE_SCAN_MAX bytes: code_scan_ok's rule). */
static int text_ok(const char *s, size_t max)
{
    return s && strlen(s) < max && code_scan_ok(s);
}

static int hex_ok(const char *s, size_t n, int lower_only)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
              (!lower_only && c >= 'A' && c <= 'F')))
            return 0;
    }
    return 1;
}

/* ---- commands --------------------------------------------------------------------------- */

static const char *const plain_fields[] = {"id", "cmd", NULL};
static const char *const signed_fields[] = {"id", "cmd", "version", "to", "body", "sig", NULL};
static const char *const oos_fields[] = {"id", "cmd", "on", "message", NULL};
static const char *const logs_fields[] = {"id", "cmd", "lines", NULL};

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n < sizeof ((struct fl_command *)0)->name &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz_") == n;
}

static int read_signed(const cJSON *o, struct fl_command *c, char *why, size_t cap)
{
    int bad = 0;
    c->version = json_int(o, "version", 1, FL_VERSION_MAX, &bad);
    if (bad) {
        say(why, cap, "version: a whole number 1..2^53-1");
        return -1;
    }
    json_copy(o, "to", c->to, sizeof c->to, 0, &bad);
    char *slash = bad ? NULL : strchr(c->to, '/');
    if (slash) {
        *slash = '\0';
        bad = !json_path_safe(c->to) || !json_path_safe(slash + 1);
        *slash = '/';
    }
    if (bad || !slash) {
        say(why, cap, "to: <station>/<terminal>, <station>/all or all/all");
        return -1;
    }
    json_copy(o, "sig", c->sig, sizeof c->sig, 0, &bad);
    if (bad || !hex_ok(c->sig, 128, 0)) {
        say(why, cap, "sig: 128 hex characters");
        return -1;
    }
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "body");
    if (!cJSON_IsString(b) || strlen(b->valuestring) > FL_BODY_MAX) {
        say(why, cap, "body: text of at most 64 KiB");
        return -1;
    }
    if (!(c->body = strdup(b->valuestring))) {
        say(why, cap, "out of memory");
        return -1;
    }
    return 0;
}

static int read_args(const cJSON *o, struct fl_command *c, char *why, size_t cap)
{
    const struct fl_cmd_def *d = &fl_cmds[c->cmd];
    const char *const *fields = d->is_signed              ? signed_fields
                                : c->cmd == FL_OUT_OF_SERVICE ? oos_fields
                                : c->cmd == FL_COLLECT_LOGS   ? logs_fields
                                                              : plain_fields;
    if (!only(o, fields)) {
        snprintf(why, cap, "%s: a field it does not take", d->name);
        return -1;
    }
    if (d->is_signed)
        return read_signed(o, c, why, cap);
    if (c->cmd == FL_OUT_OF_SERVICE) {
        const cJSON *on = cJSON_GetObjectItemCaseSensitive(o, "on");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "message");
        if (!cJSON_IsBool(on)) {
            say(why, cap, "on: true or false");
            return -1;
        }
        c->on = cJSON_IsTrue(on);
        c->message = m ? -1 : 0;
        for (int i = 0; m && cJSON_IsString(m) && i < FL_OOS_MESSAGES; i++)
            if (!strcmp(m->valuestring, fl_oos_names[i]))
                c->message = i;
        if (c->message < 0) {
            say(why, cap, "message: maintenance, counter or night");
            return -1;
        }
    } else if (c->cmd == FL_COLLECT_LOGS) {
        int bad = 0;
        c->lines = cJSON_GetObjectItemCaseSensitive(o, "lines")
                       ? (int)json_int(o, "lines", 1, FL_LOG_LINES_MAX, &bad)
                       : FL_LOG_LINES_DEFAULT;
        if (bad) {
            say(why, cap, "lines: 1..256");
            return -1;
        }
    }
    return 0;
}

int fl_command_parse(const char *text, size_t len, struct fl_command *c, char *why,
                     size_t cap)
{
    memset(c, 0, sizeof *c);
    c->cmd = -1;
    if (len > FL_MSG_MAX) {
        say(why, cap, "too big");
        return -1;
    }
    if (!text || memchr(text, '\0', len)) {
        say(why, cap, "not JSON text");
        return -1;
    }
    cJSON *o = cJSON_ParseWithLength(text, len);
    int rc = -1;
    if (!cJSON_IsObject(o)) {
        say(why, cap, "not a JSON object");
        goto end;
    }
    const char *id = json_str(o, "id");
    if (!fl_id_ok(id)) {
        say(why, cap, "id: 1..64 of A-Z a-z 0-9 . _ : -");
        goto end;
    }
    snprintf(c->id, sizeof c->id, "%s", id);
    const char *name = json_str(o, "cmd");
    if (!name_ok(name)) {
        snprintf(c->name, sizeof c->name, "?");
        say(why, cap, "cmd: missing or not a command name");
        goto end;
    }
    snprintf(c->name, sizeof c->name, "%s", name);
    c->cmd = fl_cmd_of(name);
    if (c->cmd < 0) {
        snprintf(why, cap, "unknown command %s", name);
        goto end;
    }
    rc = read_args(o, c, why, cap);
end:
    cJSON_Delete(o);
    return rc;
}

void fl_command_free(struct fl_command *c)
{
    if (c->body)
        sign_wipe(c->body, strlen(c->body)); /* a pushed config may hold a key */
    free(c->body);
    c->body = NULL;
}

char *fl_signed_bytes(const char *cmd, int64_t version, const char *to, const char *body,
                      size_t *len)
{
    size_t n = strlen("fleet/") + strlen(cmd) + 22 + strlen(to) + strlen(body) + 4;
    char *s = malloc(n);
    if (!s)
        return NULL;
    int w = snprintf(s, n, "fleet/%s\n%" PRId64 "\n%s\n%s", cmd, version, to, body);
    if (w < 0 || (size_t)w >= n) {
        free(s);
        return NULL;
    }
    *len = (size_t)w;
    return s;
}

int fl_signed_check(const struct fl_command *c, const char *pk_hex, const char *station,
                    const char *terminal, int64_t in_force, char *why, size_t cap)
{
    uint8_t pk[SIGN_ED_PK_LEN];
    if (!pk_hex || sign_hex_to_bin(pk_hex, pk, sizeof pk) != 0) {
        say(why, cap, "no public key configured ([fleet] public_key): signed pushes are "
                      "refused");
        return -1;
    }
    char mine[80], station_all[80];
    snprintf(mine, sizeof mine, "%s/%s", station, terminal);
    snprintf(station_all, sizeof station_all, "%s/all", station);
    if (strcmp(c->to, mine) && strcmp(c->to, station_all) && strcmp(c->to, "all/all")) {
        snprintf(why, cap, "to: %s is not this kiosk", c->to);
        return -1;
    }
    size_t n = 0;
    char *bytes = fl_signed_bytes(fl_cmds[c->cmd].name, c->version, c->to, c->body, &n);
    int ok = bytes && sign_ed25519_verify_hex(pk_hex, bytes, n, c->sig);
    if (bytes)
        sign_wipe(bytes, n);
    free(bytes);
    if (!ok) {
        say(why, cap, "bad signature");
        return -1;
    }
    if (c->version <= in_force) {
        snprintf(why, cap, "version %" PRId64 " is not newer than %" PRId64 " in force",
                 c->version, in_force);
        return -1;
    }
    return 0;
}

const char *fl_config_forbidden(const char *ini)
{
    static const char *const keys[] = {"public_key", "remote_config"};
    for (const char *p = ini; p && *p; p++)
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (!strncasecmp(p, keys[k], strlen(keys[k])))
                return keys[k];
    return NULL;
}

/* ---- the playlist ------------------------------------------------------------------------ */

static const char *const slide_fields[] = {"id", "url", "sha256", "size", "seconds", "bg",
                                           "title", "subtitle", NULL};
static const char *const slides_fields[] = {"slides", NULL};
static const char *const label_fields[] = {"zh_CN", "en_US", NULL};

static int url_ok(const char *s)
{
    size_t n = strlen(s);
    size_t head = !strncmp(s, "https://", 8) ? 8 : !strncmp(s, "http://", 7) ? 7 : 0;
    if (!head || n <= head || n >= sizeof ((struct fl_slide *)0)->url)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~')
            return 0;
    return 1;
}

/* A text in zh_CN and/or en_US ({"zh_CN":"..","en_US":".."}, at least one) into out[2]. A
 * ';' is refused: the slide manifest's reader would take what follows for a comment. */
static int read_texts(const cJSON *o, char out[2][FL_SLIDE_TEXT])
{
    if (!cJSON_IsObject(o) || !only(o, label_fields) || !cJSON_GetArraySize(o))
        return -1;
    for (int i = 0; i < 2; i++) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, label_fields[i]);
        if (!t)
            continue;
        if (!cJSON_IsString(t) || !text_ok(t->valuestring, FL_SLIDE_TEXT) ||
            strchr(t->valuestring, ';'))
            return -1;
        snprintf(out[i], FL_SLIDE_TEXT, "%s", t->valuestring);
    }
    return 0;
}

static int read_slide(const cJSON *it, struct fl_slide *s)
{
    int bad = !cJSON_IsObject(it) || !only(it, slide_fields);
    json_copy(it, "id", s->id, sizeof s->id, 0, &bad);
    json_copy(it, "url", s->url, sizeof s->url, 0, &bad);
    json_copy(it, "sha256", s->sha256, sizeof s->sha256, 0, &bad);
    json_copy(it, "bg", s->bg, sizeof s->bg, 0, &bad);
    s->size = json_int(it, "size", 1, FL_ASSET_MAX, &bad);
    s->seconds = (int)json_int(it, "seconds", FL_SECONDS_MIN, FL_SECONDS_MAX, &bad);
    if (bad || !json_path_safe(s->id) || strspn(s->id, "0123456789") >= 16 || !url_ok(s->url) ||
        !hex_ok(s->sha256, 64, 1) ||
        s->bg[0] != '#' || !hex_ok(s->bg + 1, 6, 0) ||
        read_texts(cJSON_GetObjectItemCaseSensitive(it, "title"), s->title) != 0)
        return -1;
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(it, "subtitle");
    return sub && read_texts(sub, s->subtitle) != 0 ? -1 : 0;
}

int fl_playlist_parse(const char *body, int64_t version, struct fl_playlist *p, char *why,
                      size_t cap)
{
    memset(p, 0, sizeof *p);
    p->version = version;
    cJSON *o = body ? cJSON_Parse(body) : NULL;
    const cJSON *slides = cJSON_IsObject(o) && only(o, slides_fields)
                              ? cJSON_GetObjectItemCaseSensitive(o, "slides")
                              : NULL;
    int rc = -1, n = cJSON_IsArray(slides) ? cJSON_GetArraySize(slides) : 0;
    if (n < 1 || n > FL_SLIDES_MAX) {
        say(why, cap, "playlist: {\"slides\":[...]} with 1..8 slides");
        goto end;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, slides) {
        struct fl_slide *s = &p->v[p->n];
        if (read_slide(it, s) != 0) {
            snprintf(why, cap, "playlist: slide %d: id, url, sha256, size 1..%" PRId64
                               ", seconds %d..%d, bg #RRGGBB, title (and subtitle) in zh_CN "
                               "or en_US", p->n + 1, FL_ASSET_MAX, FL_SECONDS_MIN,
                     FL_SECONDS_MAX);
            goto end;
        }
        for (int i = 0; i < p->n; i++)
            if (!strcmp(p->v[i].id, s->id)) {
                snprintf(why, cap, "playlist: slide id %s twice", s->id);
                goto end;
            }
        p->n++;
    }
    rc = 0;
end:
    cJSON_Delete(o);
    return rc;
}

char *fl_playlist_manifest(const struct fl_playlist *p)
{
    size_t cap = 1024 + (size_t)p->n * (2 * sizeof p->v[0].id + 160 + 4 * (FL_SLIDE_TEXT + 24));
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t n = 0;
    int w = snprintf(s, cap, "; the fleet agent's playlist %" PRId64 " (docs/fleet.md)\n",
                     p->version);
    n += (size_t)w;
    for (int i = 0; i < p->n && w >= 0; i++) {
        const struct fl_slide *sl = &p->v[i];
        w = snprintf(s + n, cap - n,
                     "[slide%d]\nid = %s\nimage = %s.png\nsha256 = %s\nseconds = %d\nbg = %s\n",
                     i + 1, sl->id, sl->id, sl->sha256, sl->seconds, sl->bg);
        n += w > 0 ? (size_t)w : 0;
        for (int k = 0; k < 2 && w >= 0; k++) {
            if (sl->title[k][0]) {
                w = snprintf(s + n, cap - n, "title.%s = %s\n", label_fields[k], sl->title[k]);
                n += w > 0 ? (size_t)w : 0;
            }
            if (sl->subtitle[k][0] && w >= 0) {
                w = snprintf(s + n, cap - n, "subtitle.%s = %s\n", label_fields[k],
                             sl->subtitle[k]);
                n += w > 0 ? (size_t)w : 0;
            }
        }
    }
    if (w < 0 || n >= cap) {
        free(s);
        return NULL;
    }
    return s;
}

char *fl_playlist_setting(int64_t version, const char *dir)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "version", version);
    cJSON_AddStringToObject(o, "dir", dir);
    return json_print_free(o);
}

int64_t fl_setting_version(const char *json)
{
    cJSON *o = json ? cJSON_Parse(json) : NULL;
    int bad = 0;
    int64_t v = json_int(o, "version", 1, FL_VERSION_MAX, &bad);
    cJSON_Delete(o);
    return bad ? 0 : v;
}

/* ---- what the kiosk publishes ---------------------------------------------------------- */

char *fl_status_json(const char *state, const char *reason, const char *version,
                     const char *slot, int64_t since, int64_t ts)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "state", state);
    if (reason)
        cJSON_AddStringToObject(o, "reason", reason);
    if (version)
        cJSON_AddStringToObject(o, "version", version);
    if (slot)
        cJSON_AddStringToObject(o, "slot", slot);
    if (since > 0)
        json_add_int(o, "since", since);
    if (ts > 0)
        json_add_int(o, "ts", ts);
    return json_print_free(o);
}

char *fl_telemetry_json(const struct fl_telemetry *t)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "ts", t->ts);
    cJSON_AddStringToObject(o, "name", t->name ? t->name : "");
    cJSON_AddStringToObject(o, "version", t->version ? t->version : "");
    cJSON_AddStringToObject(o, "slot", t->slot ? t->slot : "");
    json_add_int(o, "uptime_s", t->uptime_s);
    cJSON_AddBoolToObject(o, "on_frame", t->on_frame);
    json_add_int(o, "idle_s", t->idle_s);
    cJSON_AddBoolToObject(o, "busy", t->busy);
    cJSON_AddBoolToObject(o, "backend_up", t->backend_up);
    if (t->out_of_service)
        cJSON_AddStringToObject(o, "out_of_service", t->out_of_service);
    else
        cJSON_AddNullToObject(o, "out_of_service");
    cJSON *h = cJSON_AddObjectToObject(o, "health");
    for (int i = 0; h && i < COMP_LAST; i++)
        cJSON_AddStringToObject(h, component_names[i], health_state_name(t->health[i]));
    cJSON *devs = cJSON_AddArrayToObject(o, "devices");
    for (int i = 0; devs && i < t->ndevices && i < FL_DEVICES_MAX; i++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "name", t->devices[i].name);
        cJSON_AddStringToObject(d, "health", health_state_name(t->devices[i].health));
        cJSON_AddStringToObject(d, "why", t->devices[i].why);
        cJSON_AddItemToArray(devs, d);
    }
    cJSON *c = cJSON_AddObjectToObject(o, "counters");
    json_add_int(c, "sessions", t->sessions);
    json_add_int(c, "scans", t->scans);
    json_add_int(c, "prints", t->prints);
    json_add_int(c, "print_failures", t->print_failures);
    json_add_int(c, "call_failures", t->call_failures);
    cJSON *d = cJSON_AddObjectToObject(o, "day");
    json_add_int(d, "sales", t->sales);
    json_add_int(d, "sales_fen", t->sales_fen);
    json_add_int(d, "refunds", t->refunds);
    json_add_int(d, "refunds_fen", t->refunds_fen);
    json_add_int(o, "outbox_pending", t->outbox_pending);
    json_add_int(o, "disk_free_mb", t->disk_free_mb);
    json_add_int(o, "config_version", t->config_version);
    json_add_int(o, "prices_version", t->prices_version);
    json_add_int(o, "playlist_version", t->playlist_version);
    json_add_int(o, "dropped", (int64_t)t->dropped);
    return json_print_free(o);
}

char *fl_ack_json(const char *id, const char *cmd, enum fl_result r, const char *detail,
                  int64_t ts)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "cmd", cmd);
    cJSON_AddStringToObject(o, "result", fl_result_name(r));
    cJSON_AddStringToObject(o, "detail", detail ? detail : "");
    json_add_int(o, "ts", ts);
    return json_print_free(o);
}

char *fl_logs_json(const char *id, const char *const *lines, int n, int redacted, int64_t ts)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    json_add_int(o, "ts", ts);
    cJSON *a = cJSON_AddArrayToObject(o, "lines");
    for (int i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(lines[i]));
    cJSON_AddNumberToObject(o, "redacted", redacted);
    return json_print_free(o);
}

/* ---- the agent's own state --------------------------------------------------------------- */

static const char *const stage_names[] = {
    [FL_STAGE_NONE] = "none",          [FL_STAGE_QUIET] = "quiet",
    [FL_STAGE_SAVING] = "saving",      [FL_STAGE_RESTART] = "restart",
    [FL_STAGE_DOWNLOAD] = "download",  [FL_STAGE_SWITCHING] = "switching",
};

static cJSON *wait_json(const struct fl_wait *w)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", w->id);
    cJSON_AddStringToObject(o, "cmd", w->cmd >= 0 && w->cmd < FL_CMD_LAST ? fl_cmds[w->cmd].name
                                                                          : "?");
    cJSON_AddStringToObject(o, "stage", stage_names[w->stage]);
    json_add_int(o, "version", w->version);
    cJSON_AddStringToObject(o, "sha256", w->sha256);
    return o;
}

char *fl_saved_json(const struct fl_saved *s)
{
    cJSON *o = cJSON_CreateObject(), *seen = cJSON_AddArrayToObject(o, "seen");
    /* oldest first, so that reading them back in order keeps the order */
    for (int k = 0; seen && k < s->seen.n; k++) {
        const struct fl_seen_entry *e =
            &s->seen.v[s->seen.n < FL_SEEN ? k : (s->seen.next + k) % FL_SEEN];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", e->id);
        cJSON_AddStringToObject(x, "cmd", e->cmd >= 0 && e->cmd < FL_CMD_LAST
                                              ? fl_cmds[e->cmd].name
                                              : "?");
        cJSON_AddStringToObject(x, "result", fl_result_name(e->result));
        cJSON_AddStringToObject(x, "detail", e->detail);
        cJSON_AddBoolToObject(x, "sent", e->sent);
        cJSON_AddItemToArray(seen, x);
    }
    if (s->restart.stage != FL_STAGE_NONE)
        cJSON_AddItemToObject(o, "restart", wait_json(&s->restart));
    if (s->playlist.stage != FL_STAGE_NONE && s->playlist_body) {
        cJSON *p = wait_json(&s->playlist);
        cJSON_AddStringToObject(p, "body", s->playlist_body);
        cJSON_AddItemToObject(o, "playlist", p);
    }
    return json_print_free(o);
}

static int read_wait(const cJSON *o, struct fl_wait *w)
{
    int bad = !cJSON_IsObject(o);
    char cmd[24] = "", stage[16] = "";
    json_copy(o, "id", w->id, sizeof w->id, 0, &bad);
    json_copy(o, "cmd", cmd, sizeof cmd, 0, &bad);
    json_copy(o, "stage", stage, sizeof stage, 0, &bad);
    json_copy(o, "sha256", w->sha256, sizeof w->sha256, 1, &bad);
    w->version = json_int(o, "version", 0, FL_VERSION_MAX, &bad);
    w->cmd = fl_cmd_of(cmd);
    w->stage = FL_STAGE_NONE;
    for (size_t i = 1; i < sizeof stage_names / sizeof stage_names[0]; i++)
        if (!strcmp(stage, stage_names[i]))
            w->stage = (enum fl_stage)i;
    return bad || !fl_id_ok(w->id) || w->cmd < 0 || w->stage == FL_STAGE_NONE ? -1 : 0;
}

int fl_saved_parse(const char *text, struct fl_saved *s)
{
    memset(s, 0, sizeof *s);
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    const cJSON *seen = cJSON_GetObjectItemCaseSensitive(o, "seen"), *it;
    int bad = !cJSON_IsObject(o) || !cJSON_IsArray(seen);
    const cJSON *list = bad ? NULL : seen;
    cJSON_ArrayForEach(it, list) {
        char id[FL_ID_MAX + 1], cmd[24], result[16], detail[FL_DETAIL_MAX];
        json_copy(it, "id", id, sizeof id, 0, &bad);
        json_copy(it, "cmd", cmd, sizeof cmd, 0, &bad);
        json_copy(it, "result", result, sizeof result, 0, &bad);
        json_copy(it, "detail", detail, sizeof detail, 1, &bad);
        const cJSON *sent = cJSON_GetObjectItemCaseSensitive(it, "sent");
        int r = fl_result_of(result);
        if (bad || r < 0 || !fl_id_ok(id) || !cJSON_IsBool(sent)) {
            bad = 1;
            break;
        }
        fl_seen_put(&s->seen, id, fl_cmd_of(cmd), (enum fl_result)r, detail)->sent =
            cJSON_IsTrue(sent);
    }
    const cJSON *restart = cJSON_GetObjectItemCaseSensitive(o, "restart");
    if (!bad && restart)
        bad = read_wait(restart, &s->restart) != 0 || !fl_cmds[s->restart.cmd].restarts;
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(o, "playlist");
    if (!bad && pl) {
        const char *body = json_str(pl, "body");
        bad = read_wait(pl, &s->playlist) != 0 || s->playlist.cmd != FL_PLAYLIST || !body[0] ||
              strlen(body) > FL_BODY_MAX || !(s->playlist_body = strdup(body));
    }
    cJSON_Delete(o);
    if (bad) {
        fl_saved_free(s);
        return -1;
    }
    return 0;
}

void fl_saved_free(struct fl_saved *s)
{
    free(s->playlist_body);
    memset(s, 0, sizeof *s);
}
