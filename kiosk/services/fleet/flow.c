#include "flow.h"

#include <stdio.h>
#include <string.h>

const struct fl_cmd_def fl_cmds[FL_CMD_LAST] = {
    [FL_RELOAD_CONFIG] = {"reload_config", 0, 1},
    [FL_CONFIG] = {"config", 1, 1},
    [FL_PRICES] = {"prices", 1, 0},
    [FL_PLAYLIST] = {"playlist", 1, 0},
    [FL_OUT_OF_SERVICE] = {"out_of_service", 0, 0},
    [FL_COLLECT_LOGS] = {"collect_logs", 0, 0},
    [FL_PRINT_TEST_SLIP] = {"print_test_slip", 0, 0},
};

int fl_cmd_of(const char *name)
{
    for (int i = 0; name && i < FL_CMD_LAST; i++)
        if (!strcmp(fl_cmds[i].name, name))
            return i;
    return -1;
}

static const char *const results[FL_RESULT_LAST] = {"accepted", "ok", "refused", "failed"};

const char *fl_result_name(enum fl_result r)
{
    return r < FL_RESULT_LAST ? results[r] : "failed";
}

int fl_result_of(const char *name)
{
    for (int i = 0; name && i < FL_RESULT_LAST; i++)
        if (!strcmp(results[i], name))
            return i;
    return -1;
}

int fl_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > FL_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return 0;
    }
    return 1;
}

/* A text cut to fit ends with a whole character: a partial UTF-8 sequence at its end goes. */
static void utf8_cut(char *s)
{
    size_t n = strlen(s), lead = n;
    while (lead > 0 && n - lead < 4 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0 || (unsigned char)s[lead - 1] < 0xC0)
        return; /* ASCII at the end (or no lead byte): whole */
    unsigned c = (unsigned char)s[lead - 1];
    size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (n - (lead - 1) < want)
        s[lead - 1] = '\0';
}

struct fl_seen_entry *fl_seen_find(struct fl_seen *s, const char *id)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].id, id))
            return &s->v[i];
    return NULL;
}

struct fl_seen_entry *fl_seen_put(struct fl_seen *s, const char *id, int cmd,
                                  enum fl_result r, const char *detail)
{
    struct fl_seen_entry *e = fl_seen_find(s, id);
    if (!e) {
        if (s->n < FL_SEEN) {
            e = &s->v[s->n++];
        } else {
            e = &s->v[s->next];
            s->next = (s->next + 1) % FL_SEEN;
        }
    }
    memset(e, 0, sizeof *e);
    snprintf(e->id, sizeof e->id, "%s", id);
    e->cmd = cmd;
    e->result = r;
    snprintf(e->detail, sizeof e->detail, "%s", detail ? detail : "");
    utf8_cut(e->detail);
    return e;
}

enum fl_admit fl_admit(const struct fl_seen *s, const struct fl_wait *restart,
                       const struct fl_wait *playlist, const char *id, int cmd)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].id, id))
            return FL_ADMIT_REPEAT;
    if (cmd >= 0 && cmd < FL_CMD_LAST) {
        if (fl_cmds[cmd].restarts && restart->stage != FL_STAGE_NONE)
            return FL_ADMIT_BUSY;
        if (cmd == FL_PLAYLIST && playlist->stage != FL_STAGE_NONE)
            return FL_ADMIT_BUSY;
    }
    return FL_ADMIT_RUN;
}

int64_t fl_quiet_next(const struct fl_quiet_in *q, int64_t quiet_ms, int64_t now)
{
    if (q->quiet)
        return now;
    if (q->on_frame && !q->busy && q->idle_ms >= 0 && q->idle_ms < quiet_ms)
        return now + (quiet_ms - q->idle_ms); /* nobody there: when the idle time is up */
    return now + FL_POLL_MS;                  /* a customer, or work in hand */
}

int fl_watch_same(const struct fl_watch *a, const struct fl_watch *b)
{
    if (a->ndevices != b->ndevices || strcmp(a->oos, b->oos) ||
        a->config_version != b->config_version || a->prices_version != b->prices_version ||
        a->playlist_version != b->playlist_version)
        return 0;
    for (int i = 0; i < COMP_LAST; i++)
        if (a->health[i] != b->health[i])
            return 0;
    for (int i = 0; i < a->ndevices && i < FL_DEVICES_MAX; i++)
        if (a->devices[i] != b->devices[i])
            return 0;
    return 1;
}

void fl_tele_init(struct fl_tele *t)
{
    memset(t, 0, sizeof *t);
    t->sent_at = -1;
}

int64_t fl_tele_due(const struct fl_tele *t, const struct fl_watch *w, int64_t period_ms)
{
    if (t->sent_at < 0)
        return INT64_MIN; /* never sent: now */
    if (!fl_watch_same(&t->sent, w))
        return t->sent_at + FL_DEBOUNCE_MS;
    return t->sent_at + period_ms;
}

void fl_tele_sent(struct fl_tele *t, const struct fl_watch *w, int64_t now)
{
    t->sent = *w;
    t->sent_at = now;
}
