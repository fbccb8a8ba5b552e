#include "golden.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/shot.h"
#include "core/pngio.h"

/* ---- pictures ------------------------------------------------------------------------- */

/* One number of a mask line; advances *s. -1 when there is none. */
static int next_int(const char **s, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(*s, &end, 10);
    if (end == *s || errno || v < 0 || v > 100000)
        return -1;
    *out = (int)v;
    *s = end;
    return 0;
}

/* The next space-delimited word of *s into out (cap bytes); advances *s. */
static int next_word(const char **s, char *out, size_t cap)
{
    const char *p = *s;
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, " \n");
    if (n == 0 || n >= cap)
        return -1;
    memcpy(out, p, n);
    out[n] = '\0';
    *s = p + n;
    return 0;
}

/* Parses the screenshot writer's "KIND X Y W H ID" lines. */
static int parse_masks(const char *text, struct golden_pic *p, char *err, size_t errcap)
{
    p->nm = 0;
    for (const char *s = text; s && *s;) {
        if (*s == '\n') {
            s++;
            continue;
        }
        if (p->nm == GOLDEN_MAX_MASKS) {
            snprintf(err, errcap, "more than %d volatile rectangles", GOLDEN_MAX_MASKS);
            return -1;
        }
        struct golden_mask *m = &p->m[p->nm];
        if (next_word(&s, m->kind, sizeof m->kind) != 0 || next_int(&s, &m->x) != 0 ||
            next_int(&s, &m->y) != 0 || next_int(&s, &m->w) != 0 || next_int(&s, &m->h) != 0 ||
            next_word(&s, m->id, sizeof m->id) != 0) {
            snprintf(err, errcap, "bad volatile rectangle line '%.60s'", s);
            return -1;
        }
        p->nm++;
        s += strcspn(s, "\n");
    }
    return 0;
}

int golden_load(const char *path, struct golden_pic *p, char *err, size_t errcap)
{
    struct pngio_image img;
    memset(p, 0, sizeof *p);
    if (pngio_read_rgb(path, SHOT_VOLATILE_KEY, &img, err, errcap) != 0)
        return -1;
    p->w = img.w;
    p->h = img.h;
    p->rgb = img.rgb;
    char why[200];
    int rc = parse_masks(img.text, p, why, sizeof why);
    if (rc != 0)
        snprintf(err, errcap, "%s: %s", path, why);
    free(img.text);
    if (rc != 0)
        golden_free(p);
    return rc;
}

int golden_save(const char *path, const struct golden_pic *p, char *err, size_t errcap)
{
    char text[GOLDEN_MAX_MASKS * 96] = "";
    size_t len = 0;
    for (int i = 0; i < p->nm; i++) {
        const struct golden_mask *m = &p->m[i];
        int n = snprintf(text + len, sizeof text - len, "%s %d %d %d %d %s\n", m->kind, m->x,
                         m->y, m->w, m->h, m->id);
        if (n < 0 || (size_t)n >= sizeof text - len)
            break; /* cannot happen: each line is under 96 bytes */
        len += (size_t)n;
    }
    return pngio_write(path, p->w, p->h, 3, p->rgb, (size_t)p->w * 3, SHOT_VOLATILE_KEY, text,
                       err, errcap);
}

void golden_free(struct golden_pic *p)
{
    free(p->rgb);
    memset(p, 0, sizeof *p);
}

int golden_shrink(const struct golden_pic *full, struct golden_pic *out)
{
    const int k = GOLDEN_SCALE;
    memset(out, 0, sizeof *out);
    out->w = full->w / k;
    out->h = full->h / k;
    out->rgb = malloc((size_t)out->w * (size_t)out->h * 3 + 1);
    if (!out->rgb)
        return -1;
    for (int y = 0; y < out->h; y++)
        for (int x = 0; x < out->w; x++)
            for (int c = 0; c < 3; c++) {
                int sum = 0;
                for (int dy = 0; dy < k; dy++)
                    for (int dx = 0; dx < k; dx++)
                        sum += full->rgb[((size_t)(y * k + dy) * (size_t)full->w +
                                          (size_t)(x * k + dx)) * 3 + (size_t)c];
                out->rgb[((size_t)y * (size_t)out->w + (size_t)x) * 3 + (size_t)c] =
                    (unsigned char)((sum + k * k / 2) / (k * k));
            }
    /* a rectangle covers every small pixel any of its pixels went into */
    out->nm = full->nm;
    for (int i = 0; i < full->nm; i++) {
        struct golden_mask m = full->m[i];
        int x1 = (m.x + m.w + k - 1) / k, y1 = (m.y + m.h + k - 1) / k;
        m.x /= k;
        m.y /= k;
        m.w = m.w ? x1 - m.x : 0;
        m.h = m.h ? y1 - m.y : 0;
        out->m[i] = m;
    }
    return 0;
}

/* ---- comparison ----------------------------------------------------------------------- */

static void mark_masks(unsigned char *skip, int w, int h, const struct golden_pic *p)
{
    for (int i = 0; i < p->nm; i++) {
        const struct golden_mask *m = &p->m[i];
        for (int y = m->y; y < m->y + m->h && y < h; y++)
            for (int x = m->x; x < m->x + m->w && x < w; x++)
                skip[(size_t)y * (size_t)w + (size_t)x] = 1;
    }
}

long golden_count(const struct golden_pic *ref, const struct golden_pic *act,
                  struct golden_pic *diff)
{
    const int w = act->w, h = act->h;
    unsigned char *skip = calloc((size_t)w * (size_t)h, 1);
    if (!skip)
        return -1;
    mark_masks(skip, w, h, ref);
    mark_masks(skip, w, h, act);
    if (diff) {
        memset(diff, 0, sizeof *diff);
        diff->w = w;
        diff->h = h;
        diff->rgb = malloc((size_t)w * (size_t)h * 3);
        if (!diff->rgb) {
            free(skip);
            return -1;
        }
    }
    long n = 0;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        const unsigned char *a = act->rgb + i * 3, *r = ref->rgb + i * 3;
        int differs = 0;
        for (int c = 0; c < 3 && !skip[i]; c++)
            if (abs((int)a[c] - (int)r[c]) > GOLDEN_TOLERANCE)
                differs = 1;
        n += differs;
        if (!diff)
            continue;
        unsigned char *d = diff->rgb + i * 3;
        for (int c = 0; c < 3; c++)
            d[c] = (unsigned char)(191 + a[c] / 4); /* the actual picture, faded */
        if (differs) {
            d[0] = 255;
            d[1] = d[2] = 0;
        } else if (skip[i]) {
            d[0] = (unsigned char)(d[0] * 3 / 4); /* left out: tinted blue */
            d[1] = (unsigned char)(d[1] * 7 / 8);
        }
    }
    free(skip);
    return n;
}

/* ---- fonts ---------------------------------------------------------------------------- */

static int sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    static unsigned char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_hash_sha256_update(&st, buf, n);
    int bad = ferror(f);
    fclose(f);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
    return bad ? -1 : 0;
}

int golden_fonts_check(const char *sums, char *err, size_t errcap)
{
    FILE *f = fopen(sums, "r");
    if (!f) {
        snprintf(err, errcap, "%s: %s", sums, strerror(errno));
        return -1;
    }
    if (sodium_init() < 0) {
        fclose(f);
        snprintf(err, errcap, "libsodium does not start");
        return -1;
    }
    char line[1200];
    int files = 0, bad = 0;
    size_t len = 0;
    err[0] = '\0';
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        /* "HEX  PATH" (sha256sum's text mode) or "HEX *PATH" (binary mode) */
        if (strlen(line) < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*')) {
            snprintf(err, errcap, "%s: bad line '%.80s'", sums, line);
            fclose(f);
            return -1;
        }
        const char *path = line + 66;
        line[64] = '\0';
        char hex[65];
        files++;
        int n = 0;
        if (sha256_file(path, hex) != 0) {
            n = snprintf(err + len, errcap - len, "%sfont %s: %s", bad ? "; " : "", path,
                         strerror(errno));
            bad++;
        } else if (strcmp(hex, line) != 0) {
            n = snprintf(err + len, errcap - len,
                         "%sfont %s: SHA-256 %s, the references were made with %s", bad ? "; " : "",
                         path, hex, line);
            bad++;
        }
        if (n > 0 && (size_t)n < errcap - len)
            len += (size_t)n;
    }
    fclose(f);
    if (!files) {
        snprintf(err, errcap, "%s lists no font", sums);
        return -1;
    }
    if (bad && len + 1 < errcap)
        snprintf(err + len, errcap - len,
                 " (%s). The screenshots may be drawn with other glyphs than the references: "
                 "install the fonts listed there (Debian 12's fonts-noto-cjk "
                 "1:20220127+repack1-1), or look at every NAME.actual.png of this run and "
                 "run golden-update, which records the new fonts too",
                 sums);
    return bad ? -1 : 0;
}

/* ---- one check ------------------------------------------------------------------------ */

static int same_masks(const struct golden_pic *a, const struct golden_pic *b)
{
    if (a->nm != b->nm)
        return 0;
    for (int i = 0; i < a->nm; i++) {
        const struct golden_mask *x = &a->m[i], *y = &b->m[i];
        if (strcmp(x->kind, y->kind) || strcmp(x->id, y->id) || x->x != y->x || x->y != y->y ||
            x->w != y->w || x->h != y->h)
            return 0;
    }
    return 1;
}

static void masks_text(const struct golden_pic *p, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < p->nm && len < cap; i++) {
        const struct golden_mask *m = &p->m[i];
        int n = snprintf(out + len, cap - len, "%s%s %s at %d,%d %dx%d", i ? ", " : "", m->kind,
                         m->id, m->x, m->y, m->w, m->h);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    if (!p->nm)
        snprintf(out, cap, "none");
}

int golden_check(const char *shot, const char *ref, const char *out_dir, const char *name,
                 const char *what, char *msg, size_t msgcap)
{
    char err[400], actual_path[1024], diff_path[1024];
    snprintf(actual_path, sizeof actual_path, "%s/%s.actual.png", out_dir, name);
    snprintf(diff_path, sizeof diff_path, "%s/%s.diff.png", out_dir, name);
    remove(actual_path);
    remove(diff_path);
    struct golden_pic full, act, want, diff;
    memset(&want, 0, sizeof want);
    memset(&diff, 0, sizeof diff);
    if (golden_load(shot, &full, err, sizeof err) != 0) {
        snprintf(msg, msgcap, "%s: no screenshot: %s", what, err);
        return -1;
    }
    int rc = golden_shrink(&full, &act);
    golden_free(&full);
    if (rc != 0) {
        snprintf(msg, msgcap, "%s: out of memory", what);
        return -1;
    }
    rc = 1;
    if (access(ref, F_OK) != 0) {
        snprintf(msg, msgcap, "%s: no reference %s; look at %s and, if it is right, run "
                 "`cmake --build <build dir> --target golden-update`", what, ref, actual_path);
        goto save;
    }
    if (golden_load(ref, &want, err, sizeof err) != 0) {
        snprintf(msg, msgcap, "%s: bad reference: %s", what, err);
        goto save;
    }
    if (want.w != act.w || want.h != act.h) {
        snprintf(msg, msgcap, "%s: the screen is %dx%d (at 1/%d), the reference %dx%d: see %s",
                 what, act.w, act.h, GOLDEN_SCALE, want.w, want.h, actual_path);
        goto save;
    }
    long n = golden_count(&want, &act, &diff);
    if (n < 0) {
        snprintf(msg, msgcap, "%s: out of memory", what);
        rc = -1;
        goto end;
    }
    if (!same_masks(&want, &act)) {
        char a[300], b[300];
        masks_text(&act, a, sizeof a);
        masks_text(&want, b, sizeof b);
        snprintf(msg, msgcap, "%s: the volatile widgets moved: now %s, in the reference %s "
                 "(%ld pixels differ besides); see %s and %s", what, a, b, n, actual_path,
                 diff_path);
        goto save;
    }
    if (n > GOLDEN_CAP) {
        snprintf(msg, msgcap, "%s: %ld pixels differ (more than %d at 1/%d size, a channel by "
                 "more than %d); see %s and %s", what, n, GOLDEN_CAP, GOLDEN_SCALE,
                 GOLDEN_TOLERANCE, actual_path, diff_path);
        goto save;
    }
    snprintf(msg, msgcap, "%s: matches (%ld pixels differ)", what, n);
    rc = 0;
    goto end;
save:
    if (golden_save(actual_path, &act, err, sizeof err) != 0 ||
        (diff.rgb && golden_save(diff_path, &diff, err, sizeof err) != 0)) {
        size_t len = strlen(msg);
        snprintf(msg + len, msgcap - len, " (and it could not be written: %s)", err);
    }
end:
    golden_free(&act);
    golden_free(&want);
    golden_free(&diff);
    return rc;
}

int golden_stale(const char *ref_dir, const char *const *names, int n, const char *out_dir)
{
    char list[1024];
    snprintf(list, sizeof list, "%s/golden-stale.txt", out_dir);
    remove(list);
    DIR *d = opendir(ref_dir);
    if (!d)
        return 0;
    int stale = 0;
    FILE *f = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || strcmp(e->d_name + len - 4, ".png") != 0)
            continue;
        int known = 0;
        for (int i = 0; i < n && !known; i++)
            known = strlen(names[i]) == len - 4 && !strncmp(names[i], e->d_name, len - 4);
        if (known)
            continue;
        stale++;
        fprintf(stderr, "golden: %s/%s is the reference of no screenshot any more: "
                "golden-update deletes it\n", ref_dir, e->d_name);
        if (!f)
            f = fopen(list, "w");
        if (f)
            fprintf(f, "%s/%s\n", ref_dir, e->d_name);
    }
    closedir(d);
    if (f)
        fclose(f);
    return stale;
}
