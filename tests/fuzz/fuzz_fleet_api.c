/* What the fleet agent reads from outside (fleet/api.h, docs/fleet.md) and what it makes of
 * it. The first byte picks, the rest is the text:
 *   0  a command from the broker: whatever reads keeps the command's rules (an id of 1..64
 *      of the allowed characters, a kind of the table, a signed one's version, audience,
 *      signature and body within their bounds, out of service's message and collect_logs'
 *      lines in range); a refusal says why and keeps only a usable id
 *   1  a prices push's body (core/prices.h): what reads has 0..8 items within the rules
 *      (grades unique, 1..I18N_MAX_LANGS labels in distinct languages, texts terminated),
 *      and the setting it writes reads back to the same prices, as the setting and as a body
 *   2  a playlist push's body: what reads has 1..8 slides within the rules (ids unique and
 *      file-safe, http(s) addresses, 64 lower-case hex, sizes, seconds, colours, texts
 *      without ';'), and its manifest has every slide
 *   3  the agent's own state as the journal gave it back: what reads writes and reads back
 *      to the same text
 *   4  a log line redacted into a buffer of a size the input picks: terminated within it,
 *      no run of 11 digits left, nothing but whole UTF-8 characters without controls
 *   5  a pushed config: refused for naming public_key or remote_config exactly when it
 *      holds either, in any case (a model written out again here) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "core/codes.h"
#include "core/log.h"
#include "core/prices.h"
#include "flow.h"
#include "fuzz.h"
#include "redact.h"

static void check_text(const char *s, size_t cap)
{
    if (strnlen(s, cap) == cap)
        abort(); /* not terminated inside its field */
}
#define TEXT(f) check_text((f), sizeof(f))

static int hex(const char *s, size_t n, int lower)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr(lower ? "0123456789abcdef" : "0123456789abcdefABCDEF", s[i]))
            return 0;
    return 1;
}

static void command(const char *text, size_t len)
{
    struct fl_command c;
    char why[FL_DETAIL_MAX];
    why[0] = '\0';
    int rc = fl_command_parse(text, len, &c, why, sizeof why);
    TEXT(c.id);
    TEXT(c.name);
    TEXT(why);
    if (c.id[0] && !fl_id_ok(c.id))
        abort();
    if (rc != 0) {
        if (!why[0] || c.body)
            abort(); /* a refusal says why and keeps nothing half read */
        fl_command_free(&c);
        return;
    }
    if (c.cmd < 0 || c.cmd >= FL_CMD_LAST || !c.id[0] || strcmp(fl_cmds[c.cmd].name, c.name))
        abort();
    if (fl_cmds[c.cmd].is_signed) {
        TEXT(c.to);
        TEXT(c.sig);
        if (c.version < 1 || c.version > FL_VERSION_MAX || !strchr(c.to, '/') ||
            !hex(c.sig, 128, 0) || !c.body || strlen(c.body) > FL_BODY_MAX)
            abort();
        static const char pk[] =
            "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c";
        fl_signed_check(&c, pk, "S001", "T0001", 0, why, sizeof why);
        TEXT(why);
        fl_config_forbidden(c.body);
    } else if (c.body) {
        abort();
    }
    if (c.cmd == FL_OUT_OF_SERVICE && (c.message < 0 || c.message >= FL_OOS_MESSAGES))
        abort();
    if (c.cmd == FL_COLLECT_LOGS && (c.lines < 1 || c.lines > FL_LOG_LINES_MAX))
        abort();
    fl_command_free(&c);
}

static void prices(const char *text)
{
    static struct price_board p, again;
    char why[FL_DETAIL_MAX];
    why[0] = '\0';
    if (prices_parse(text, 7, &p, why, sizeof why) != 0) {
        TEXT(why);
        if (!why[0])
            abort(); /* a refusal says why */
        return;
    }
    if (p.n < 0 || p.n > PRICES_MAX || p.version != 7)
        abort();
    for (int i = 0; i < p.n; i++) {
        const struct price *x = &p.v[i];
        TEXT(x->grade);
        if (x->fen_per_l < 1 || x->fen_per_l > PRICE_FEN_MAX || !code_scan_ok(x->grade) ||
            x->nlabels < 1 || x->nlabels > I18N_MAX_LANGS)
            abort();
        for (int k = 0; k < x->nlabels; k++) {
            TEXT(x->lang[k]);
            TEXT(x->label[k]);
            if (!x->lang[k][0] || !code_scan_ok(x->label[k]))
                abort();
            for (int j = 0; j < k; j++)
                if (!strcmp(x->lang[j], x->lang[k]))
                    abort();
        }
        for (int k = 0; k < i; k++)
            if (!strcmp(p.v[k].grade, x->grade))
                abort();
    }
    /* the setting reads back as the same prices, and so does its items as a push's body */
    char *json = prices_json(&p);
    const char *items = json ? strstr(json, "\"items\":") : NULL;
    if (!items || strlen(json) >= PRICES_JSON_MAX)
        abort();
    if (prices_parse(json, 0, &again, why, sizeof why) != 0 || memcmp(&p, &again, sizeof p))
        abort();
    size_t n = strlen(items) + 3;
    char *body = malloc(n);
    if (!body)
        abort();
    snprintf(body, n, "{%s", items);
    if (prices_parse(body, 7, &again, why, sizeof why) != 0 || memcmp(&p, &again, sizeof p))
        abort();
    if (fl_setting_version(json) != 7)
        abort();
    free(body);
    free(json);
}

static void playlist(const char *text)
{
    static struct fl_playlist p;
    char why[FL_DETAIL_MAX * 2];
    if (fl_playlist_parse(text, 9, &p, why, sizeof why) != 0) {
        TEXT(why);
        return;
    }
    if (p.n < 1 || p.n > FL_SLIDES_MAX)
        abort();
    for (int i = 0; i < p.n; i++) {
        const struct fl_slide *s = &p.v[i];
        TEXT(s->id);
        TEXT(s->url);
        TEXT(s->sha256);
        TEXT(s->bg);
        if (!s->id[0] ||
            strspn(s->id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-") !=
                strlen(s->id) ||
            (strncmp(s->url, "http://", 7) && strncmp(s->url, "https://", 8)) ||
            !hex(s->sha256, 64, 1) || s->size < 1 || s->size > FL_ASSET_MAX ||
            s->seconds < FL_SECONDS_MIN || s->seconds > FL_SECONDS_MAX || s->bg[0] != '#' ||
            !hex(s->bg + 1, 6, 0) || (!s->title[0][0] && !s->title[1][0]))
            abort();
        for (int k = 0; k < 2; k++) {
            TEXT(s->title[k]);
            TEXT(s->subtitle[k]);
            if (strchr(s->title[k], ';') || strchr(s->subtitle[k], ';') ||
                strchr(s->title[k], '\n') || strchr(s->subtitle[k], '\n'))
                abort();
        }
        for (int k = 0; k < i; k++)
            if (!strcmp(p.v[k].id, s->id))
                abort();
    }
    char *ini = fl_playlist_manifest(&p);
    if (!ini)
        abort();
    char section[16];
    snprintf(section, sizeof section, "[slide%d]", p.n);
    if (!strstr(ini, section))
        abort();
    free(ini);
    char *set = fl_playlist_setting(p.version, "/var/lib/fuelkiosk/ads/9");
    if (fl_setting_version(set) != 9)
        abort();
    free(set);
}

static void saved(const char *text)
{
    static struct fl_saved s, again;
    if (fl_saved_parse(text, &s) != 0) {
        if (s.seen.n || s.playlist_body)
            abort(); /* nothing half read */
        return;
    }
    if (s.seen.n < 0 || s.seen.n > FL_SEEN)
        abort();
    for (int i = 0; i < s.seen.n; i++) {
        TEXT(s.seen.v[i].id);
        TEXT(s.seen.v[i].detail);
        if (!fl_id_ok(s.seen.v[i].id))
            abort();
    }
    char *json = fl_saved_json(&s);
    if (!json || fl_saved_parse(json, &again) != 0)
        abort();
    char *json2 = fl_saved_json(&again);
    if (!json2 || strcmp(json, json2))
        abort();
    free(json);
    free(json2);
    fl_saved_free(&again);
    fl_saved_free(&s);
}

/* The length of a whole UTF-8 character at s without controls, or 0 (the rule of the
 * redacted text, written out again). */
static size_t whole_char(const unsigned char *s)
{
    if (s[0] < 0x80)
        return s[0] >= 0x20 && s[0] != 0x7F;
    size_t k = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
               : s[0] >= 0xF0 && s[0] <= 0xF4                                 ? 4
                                                                              : 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return k;
}

static void redact(const char *line, size_t cap)
{
    char *out = malloc(cap + 8);
    memset(out, 0xA5, cap + 8);
    fl_redact(line, out, cap);
    if (strnlen(out, cap) == cap)
        abort();
    for (size_t i = cap; i < cap + 8; i++)
        if ((unsigned char)out[i] != 0xA5)
            abort(); /* written past it */
    int run = 0;
    for (const char *p = out; *p;) {
        run = *p >= '0' && *p <= '9' ? run + 1 : 0;
        if (run >= 11)
            abort();
        size_t k = whole_char((const unsigned char *)p);
        if (!k)
            abort();
        p += k;
    }
    free(out);
}

static void forbidden(const char *text)
{
    const char *k = fl_config_forbidden(text);
    int has = 0;
    for (const char *p = text; *p && !has; p++)
        has = !strncasecmp(p, "public_key", 10) || !strncasecmp(p, "remote_config", 13);
    if (has != (k != NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        log_set_quiet(1);
        quiet = 1;
    }
    if (size < 1)
        return 0;
    uint8_t pick = data[0];
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    if (pick % 6 == 0) {
        command(rest, n);
        return 0;
    }
    char *text = malloc(n + 1);
    memcpy(text, rest, n);
    text[n] = '\0';
    switch (pick % 6) {
    case 1:
        prices(text);
        break;
    case 2:
        playlist(text);
        break;
    case 3:
        saved(text);
        break;
    case 4:
        redact(text, 1 + (size_t)(pick / 6) * 8);
        break;
    default:
        forbidden(text);
        break;
    }
    free(text);
    return 0;
}
