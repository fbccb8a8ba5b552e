/* The updater's parsers of outside data (docs/updates.md); the first byte picks which:
 *   0  the DDI base answer: a deployment link only with its action id (digits), the polling
 *      sleep within HH:MM:SS; a refusal leaves nothing half read
 *   1  a DDI deployment: one .fkb artifact with a plain name, 64 lowercase hex, a size >= 0,
 *      an http(s) link without spaces; a refusal leaves nothing half read
 *   2  a bundle's header and manifest: the header within the input, a signature of 128 hex,
 *      a manifest of the product with a version and 64 lowercase hex
 *   3  a tar entry's path and a link's target: what is called safe, checked again by a model
 *      written here (no "..", nothing absolute, a link never above the slot's top)
 *   4  update.json: what reads writes and reads back to the same state
 *   5  versions: version_cmp agrees with version_valid, antisymmetric, reflexive
 * Strings always terminated within their fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "update/bundle.h"
#include "update/ddi.h"
#include "update/slots.h"
#include "update/version.h"

/* A rule broken: which one, then abort. */
static void broken(int line)
{
    fprintf(stderr, "fuzz_update.c:%d: a rule does not hold\n", line);
    abort();
}
#define need(ok) ((ok) ? (void)0 : broken(__LINE__))

static int terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

static int lower_hex(const char *s, size_t n)
{
    return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i])
            return 0;
    return 1;
}

static void base(const char *s, size_t n)
{
    struct ddi_base b;
    char err[256];
    int rc = ddi_parse_base(s, n, &b, err, sizeof err);
    need(terminated(b.deployment, sizeof b.deployment) && terminated(b.action, sizeof b.action));
    need(b.sleep_s >= -1 && b.sleep_s <= 99 * 3600 + 59 * 60 + 59);
    if (rc != 0) {
        need(b.sleep_s == -1 && !b.deployment[0] && !b.action[0] && !b.cancel && !b.config_data);
        need(terminated(err, sizeof err) && err[0]);
        return;
    }
    need(!b.deployment[0] == !b.action[0]);
    need(strspn(b.action, "0123456789") == strlen(b.action));
    if (b.deployment[0]) {
        char again[DDI_ACTION_MAX];
        need(ddi_action_of(b.deployment, again, sizeof again) == 0 && !strcmp(again, b.action));
        need(!strncmp(b.deployment, "http://", 7) || !strncmp(b.deployment, "https://", 8));
        need(!strchr(b.deployment, ' '));
    }
}

static void deployment(const char *s, size_t n)
{
    struct ddi_deployment d;
    char err[256];
    int rc = ddi_parse_deployment(s, n, &d, err, sizeof err);
    if (rc != 0) {
        need(all_zero(&d, sizeof d) && terminated(err, sizeof err) && err[0]);
        return;
    }
    need(terminated(d.id, sizeof d.id) && d.id[0] && strspn(d.id, "0123456789") == strlen(d.id));
    const struct ddi_artifact *a = &d.art;
    need(terminated(a->filename, sizeof a->filename) && terminated(a->href, sizeof a->href) &&
         terminated(a->version, sizeof a->version));
    size_t k = strlen(a->filename);
    need(k >= 4 && !strcmp(a->filename + k - 4, ".fkb") && !strchr(a->filename, '/'));
    need(lower_hex(a->sha256, 64) && a->size >= 0);
    need((!strncmp(a->href, "http://", 7) || !strncmp(a->href, "https://", 8)) &&
         !strchr(a->href, ' '));
}

static void header(const char *s, size_t n)
{
    struct bundle_header h;
    struct bundle_manifest m;
    enum bundle_err rc = bundle_header_split(s, n, &h);
    need(rc == BUNDLE_OK || rc == BUNDLE_NOT_SIGNED || rc == BUNDLE_MALFORMED);
    if (rc == BUNDLE_OK) {
        need(h.len <= n && h.len <= BUNDLE_HEADER_MAX && h.manifest > s &&
             h.manifest + h.manifest_len < s + h.len && lower_hex(h.sig, 128));
        need(!memchr(h.manifest, '\n', h.manifest_len));
        s = h.manifest;
        n = h.manifest_len;
    }
    rc = bundle_manifest_parse(s, n, &m);
    if (rc != BUNDLE_OK) {
        need(rc == BUNDLE_BAD_MANIFEST && all_zero(&m, sizeof m));
        return;
    }
    need(!strcmp(m.product, BUNDLE_PRODUCT) && version_valid(m.version) &&
         lower_hex(m.payload_sha256, 64) && m.payload_size >= 0 && m.created >= 0);
}

/* The model: a plain path's parts are neither empty, "." nor ".."; a link's target climbs
 * at most as many parts as the link's folder has. */
static void paths(const char *s, size_t n)
{
    char in[BUNDLE_PATH_MAX + 8], out[BUNDLE_PATH_MAX];
    size_t half = n / 2;
    if (half >= sizeof in)
        half = sizeof in - 1;
    memcpy(in, s, half);
    in[half] = '\0';
    if (!bundle_path_safe(in, out, sizeof out))
        return;
    need(terminated(out, sizeof out) && out[0] && out[0] != '/');
    int parts = 0;
    for (const char *p = out;; parts++) {
        size_t k = strcspn(p, "/");
        need(k > 0 && !(k == 1 && p[0] == '.') && !(k == 2 && p[0] == '.' && p[1] == '.'));
        for (size_t i = 0; i < k; i++)
            need((unsigned char)p[i] >= 0x20 && p[i] != 0x7f);
        if (!p[k])
            break;
        p += k + 1;
    }
    char target[BUNDLE_PATH_MAX + 8];
    size_t t = n - n / 2;
    if (t >= sizeof target)
        t = sizeof target - 1;
    memcpy(target, s + n / 2, t);
    target[t] = '\0';
    if (!bundle_link_safe(out, target))
        return;
    need(target[0] && target[0] != '/');
    int depth = parts; /* the folder the link is in */
    for (const char *p = target; *p;) {
        size_t k = strcspn(p, "/");
        if (k == 2 && p[0] == '.' && p[1] == '.')
            depth--;
        else if (k && !(k == 1 && p[0] == '.'))
            depth++;
        need(depth >= 0);
        p += k;
        if (*p)
            p++;
    }
}

static void state(const char *s, size_t n)
{
    struct slots_state a, b;
    if (slots_state_parse(s, n, &a) != 0) {
        need(all_zero(&a, sizeof a));
        return;
    }
    need(a.phase < SLOTS_PHASE_LAST && a.nstarts >= 0 && a.nstarts <= SLOTS_STARTS);
    need(terminated(a.reason, sizeof a.reason) && terminated(a.action, sizeof a.action));
    char *json = slots_state_json(&a);
    need(json != NULL);
    need(slots_state_parse(json, strlen(json), &b) == 0);
    need(!memcmp(&a, &b, sizeof a));
    free(json);
}

static void versions(const char *s, size_t n)
{
    char a[64], b[64];
    size_t half = n / 2 < sizeof a - 1 ? n / 2 : sizeof a - 1;
    size_t rest = n - n / 2 < sizeof b - 1 ? n - n / 2 : sizeof b - 1;
    memcpy(a, s, half);
    a[half] = '\0';
    memcpy(b, s + n / 2, rest);
    b[rest] = '\0';
    int ab = version_cmp(a, b), ba = version_cmp(b, a);
    need((ab == -2) == (!version_valid(a) || !version_valid(b)));
    need(ab == -2 ? ba == -2 : ab == -ba);
    need(version_valid(a) ? version_cmp(a, a) == 0 : version_cmp(a, a) == -2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] % 6) {
    case 0:
        base(s, n);
        break;
    case 1:
        deployment(s, n);
        break;
    case 2:
        header(s, n);
        break;
    case 3:
        paths(s, n);
        break;
    case 4:
        state(s, n);
        break;
    default:
        versions(s, n);
        break;
    }
    return 0;
}
