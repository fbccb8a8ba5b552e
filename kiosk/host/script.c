#include "host/script.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"

static const struct {
    const char *word;
    enum step_kind kind;
    int need_arg; /* 1 = an argument is required, 0 = none allowed, 2 = optional */
} words[] = {
    {"tap", STEP_TAP, 1},      {"hold", STEP_HOLD, 1},    {"type", STEP_TYPE, 1},
    {"key", STEP_KEY, 1},      {"scan", STEP_SCAN, 1},
    {"wait", STEP_WAIT, 1},
    {"expect", STEP_EXPECT, 1}, {"absent", STEP_ABSENT, 1},
    {"unavailable", STEP_UNAVAILABLE, 1},
    {"available", STEP_AVAILABLE, 1},   {"await", STEP_AWAIT, 1},
    {"advance", STEP_ADVANCE, 1}, {"pause", STEP_PAUSE, 1},
    {"shot", STEP_SHOT, 1},    {"size", STEP_SIZE, 1},
    {"settled", STEP_SETTLED, 0},
};

int64_t script_duration(const char *t)
{
    char *end;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    if (errno || end == t || v < 0 || v > 24LL * 3600 * 1000)
        return -1;
    if (!strcmp(end, "ms"))
        return v;
    if (!strcmp(end, "s"))
        return v * 1000;
    if (!strcmp(end, "m"))
        return v * 60000;
    return -1;
}

static int valid_id(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
            return 0;
    return 1;
}

static int parse_line(struct step *st, char *line, char *why, size_t whycap)
{
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    char *word = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    if (*p)
        *p++ = '\0';
    while (*p == ' ' || *p == '\t')
        p++;
    char *rest = p;
    size_t rl = strlen(rest);
    while (rl && (rest[rl - 1] == ' ' || rest[rl - 1] == '\t'))
        rest[--rl] = '\0';

    size_t i;
    for (i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(words[i].word, word))
            break;
    if (i == sizeof words / sizeof words[0]) {
        snprintf(why, whycap, "unknown step '%.40s'", word);
        return -1;
    }
    st->kind = words[i].kind;
    if (words[i].need_arg == 1 && !*rest) {
        snprintf(why, whycap, "'%.40s' needs an argument", word);
        return -1;
    }
    if (rl >= sizeof st->arg) {
        snprintf(why, whycap, "argument too long");
        return -1;
    }
    /* Split rest into its first word (arg) and the remainder (text). */
    char first[256];
    const char *sp = strpbrk(rest, " \t");
    size_t fl = sp ? (size_t)(sp - rest) : rl;
    memcpy(first, rest, fl);
    first[fl] = '\0';
    const char *tail = sp ? sp : "";
    while (*tail == ' ' || *tail == '\t')
        tail++;

    switch (st->kind) {
    case STEP_TAP:
    case STEP_HOLD:
    case STEP_ABSENT:
    case STEP_UNAVAILABLE:
    case STEP_AVAILABLE:
        if (*tail || !valid_id(first)) {
            snprintf(why, whycap, "'%.40s' takes one widget id", word);
            return -1;
        }
        snprintf(st->arg, sizeof st->arg, "%s", first);
        return 0;
    case STEP_AWAIT:
        if (!*tail) {
            snprintf(why, whycap, "'await' takes a widget id and the text to wait for");
            return -1;
        }
        /* fall through */
    case STEP_EXPECT:
        if (!valid_id(first)) {
            snprintf(why, whycap, "'%.60s' is not a widget id", first);
            return -1;
        }
        snprintf(st->arg, sizeof st->arg, "%s", first);
        snprintf(st->text, sizeof st->text, "%s", tail);
        return 0;
    case STEP_TYPE:
    case STEP_SCAN:
        /* the text as a device sends it: \xNN stands for any byte, \\ for a backslash */
        for (size_t o = 0, n = 0; n < sizeof st->arg; o++) {
            char ch = rest[o];
            if (ch == '\\' && rest[o + 1] == '\\') {
                o++;
            } else if (ch == '\\') {
                unsigned v;
                int used = 0;
                if (rest[o + 1] != 'x' || sscanf(rest + o + 2, "%2x%n", &v, &used) != 1 ||
                    used != 2 || v == 0) {
                    snprintf(why, whycap, "'%.40s': a backslash starts \\xNN (01..ff) or \\\\", word);
                    return -1;
                }
                ch = (char)v;
                o += 3;
            }
            st->arg[n++] = ch;
            if (!ch)
                return 0;
        }
        snprintf(why, whycap, "argument too long");
        return -1;
    case STEP_KEY:
        if (*tail) {
            snprintf(why, whycap, "'key' takes one key name");
            return -1;
        }
        snprintf(st->arg, sizeof st->arg, "%s", first);
        return 0;
    case STEP_WAIT:
        snprintf(st->arg, sizeof st->arg, "%s", first);
        st->ms = 5000;
        if (*tail && (st->ms = script_duration(tail)) < 0) {
            snprintf(why, whycap, "bad timeout '%.40s' (use 500ms, 5s, 2m)", tail);
            return -1;
        }
        return 0;
    case STEP_ADVANCE:
    case STEP_PAUSE:
        if (*tail || (st->ms = script_duration(first)) < 0) {
            snprintf(why, whycap, "bad duration '%.40s' (use 500ms, 5s, 2m)", rest);
            return -1;
        }
        return 0;
    case STEP_SHOT:
        if (*tail || !valid_id(first)) {
            snprintf(why, whycap, "'shot' takes one name of letters, digits, . _ -");
            return -1;
        }
        snprintf(st->arg, sizeof st->arg, "%s", first);
        return 0;
    case STEP_SIZE: {
        char extra;
        if (sscanf(rest, "%d %d %c", &st->w, &st->h, &extra) != 2 || st->w < 240 ||
            st->h < 240 || st->w > 4096 || st->h > 4096) {
            snprintf(why, whycap, "'size' takes width and height in 240..4096");
            return -1;
        }
        return 0;
    }
    case STEP_SETTLED:
        if (*rest) {
            snprintf(why, whycap, "'settled' takes no argument");
            return -1;
        }
        return 0;
    case STEP_LAST:
        break;
    }
    snprintf(why, whycap, "unhandled step");
    return -1;
}

int script_parse(struct script *s, const char *name, const char *text, char *err, size_t errcap)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", name);
    int cap = 0, lineno = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[600];
        lineno++;
        if (len >= sizeof line) {
            snprintf(err, errcap, "%s:%d: line too long", name, lineno);
            goto fail;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        if (len && line[len - 1] == '\r')
            line[len - 1] = '\0';
        p = nl ? nl + 1 : p + len;
        char *q = line;
        while (*q == ' ' || *q == '\t')
            q++;
        if (!*q || *q == '#')
            continue;
        if (s->n == cap) {
            cap = cap ? cap * 2 : 32;
            struct step *ns = realloc(s->steps, (size_t)cap * sizeof *ns);
            if (!ns) {
                snprintf(err, errcap, "%s: out of memory", name);
                goto fail;
            }
            s->steps = ns;
        }
        struct step *st = &s->steps[s->n];
        memset(st, 0, sizeof *st);
        st->line = lineno;
        char why[200];
        if (parse_line(st, q, why, sizeof why) != 0) {
            snprintf(err, errcap, "%s:%d: %s", name, lineno, why);
            goto fail;
        }
        s->n++;
    }
    return 0;
fail:
    script_free(s);
    return -1;
}

int script_load(struct script *s, const char *path, char *err, size_t errcap)
{
    size_t n = 0;
    char *buf = file_slurp(path, (1 << 20) - 1, &n);
    if (!buf) {
        snprintf(err, errcap, "%s: cannot read the script (%s)", path,
                 errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
        return -1;
    }
    if (memchr(buf, '\0', n)) {
        free(buf);
        snprintf(err, errcap, "%s: script is not text", path);
        return -1;
    }
    int r = script_parse(s, path, buf, err, errcap);
    free(buf);
    return r;
}

void script_free(struct script *s)
{
    free(s->steps);
    s->steps = NULL;
    s->n = 0;
}
