/* Update bundles: the header and its signature, the payload's hash, the tree's checks, the
 * extraction into a slot, and the tool's writer (bundle.h). The only file that uses
 * libarchive. */
#include "update/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crash.h"
#include "core/json.h"
#include "core/sign.h"
#include "internal.h"

#define LINKS_MAX 256 /* symbolic links in one tree */
#define CHUNK 65536

static const char *const err_names[BUNDLE_ERR_LAST] = {
    "ok",
    "cannot read the bundle",
    "not a signed bundle",
    "malformed bundle header",
    "no valid public key configured",
    "signature does not verify with the configured key",
    "bad manifest",
    "downgrade refused",
    "version installed already",
    "bundle too big",
    "payload does not match its signature (tampered)",
    "payload is not a valid tree",
    "unsafe entry in the payload",
    "incomplete payload",
};

const char *bundle_strerror(enum bundle_err e)
{
    return (unsigned)e < BUNDLE_ERR_LAST ? err_names[e] : "?";
}

/* ---- the header ----------------------------------------------------------------------- */

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

enum bundle_err bundle_header_split(const char *buf, size_t n, struct bundle_header *h)
{
    size_t m = strlen(BUNDLE_MAGIC);
    memset(h, 0, sizeof *h);
    if (n < m || memcmp(buf, BUNDLE_MAGIC, m))
        return BUNDLE_NOT_SIGNED;
    size_t lim = n < BUNDLE_HEADER_MAX ? n : BUNDLE_HEADER_MAX;
    const char *man = buf + m;
    const char *nl = memchr(man, '\n', lim - m);
    if (!nl || nl == man)
        return BUNDLE_MALFORMED;
    const char *sig = nl + 1;
    size_t left = lim - (size_t)(sig - buf);
    if (left >= 1 && sig[0] == '\n')
        return BUNDLE_NOT_SIGNED; /* an empty signature line */
    if (left < 129 || sig[128] != '\n' || !is_hex(sig, 128))
        return BUNDLE_MALFORMED;
    h->manifest = man;
    h->manifest_len = (size_t)(nl - man);
    memcpy(h->sig, sig, 128);
    h->sig[128] = '\0';
    h->len = (size_t)(sig + 129 - buf);
    return BUNDLE_OK;
}

enum bundle_err bundle_manifest_parse(const char *text, size_t len, struct bundle_manifest *m)
{
    memset(m, 0, sizeof *m);
    cJSON *o = cJSON_ParseWithLength(text, len);
    int bad = !cJSON_IsObject(o);
    json_copy(o, "product", m->product, sizeof m->product, 0, &bad);
    json_copy(o, "version", m->version, sizeof m->version, 0, &bad);
    json_copy(o, "payload_sha256", m->payload_sha256, sizeof m->payload_sha256, 0, &bad);
    m->payload_size = json_int(o, "payload_size", 0, INT64_C(1) << 50, &bad);
    m->created = json_int(o, "created", 0, INT64_C(1) << 50, &bad);
    cJSON_Delete(o);
    bad |= strcmp(m->product, BUNDLE_PRODUCT) != 0 || !version_valid(m->version) ||
           strlen(m->payload_sha256) != 64 || !is_hex(m->payload_sha256, 64);
    if (bad) {
        memset(m, 0, sizeof *m);
        return BUNDLE_BAD_MANIFEST;
    }
    return BUNDLE_OK;
}

/* ---- paths ---------------------------------------------------------------------------- */

int bundle_path_safe(const char *path, char *out, size_t cap)
{
    if (!path || cap < 2)
        return 0;
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    size_t n = strlen(path);
    if (n && path[n - 1] == '/')
        n--;
    if (n == 0 || n >= BUNDLE_PATH_MAX || n >= cap || path[0] == '/')
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
            return 0;
    memcpy(out, path, n);
    out[n] = '\0';
    /* every part: not empty, not ".", not ".." */
    for (const char *p = out;; p++) {
        size_t k = strcspn(p, "/");
        if (k == 0 || (k == 1 && p[0] == '.') || (k == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p += k;
        if (!*p)
            return 1;
    }
}

int bundle_link_safe(const char *path, const char *target)
{
    if (!target || !target[0] || target[0] == '/' || strlen(target) >= BUNDLE_PATH_MAX)
        return 0;
    int depth = 0; /* the link's folder, in parts below the slot's top */
    for (const char *p = path; *p; p++)
        depth += *p == '/';
    for (const char *p = target; *p;) {
        size_t k = strcspn(p, "/");
        if (k == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0)
                return 0;
        } else if (k > 0 && !(k == 1 && p[0] == '.')) {
            depth++;
        }
        for (size_t i = 0; i < k; i++)
            if ((unsigned char)p[i] < 0x20)
                return 0;
        p += k;
        if (*p == '/')
            p++;
    }
    return 1;
}

/* ---- reading the payload -------------------------------------------------------------- */

/* The payload as libarchive reads it: hashed and counted on the way. */
struct source {
    int fd;
    struct sign_sha256 sha;
    int64_t n;
    int error;
    char buf[CHUNK];
};

static la_ssize_t source_read(struct archive *a, void *user, const void **out)
{
    (void)a;
    struct source *s = user;
    ssize_t r;
    do
        r = read(s->fd, s->buf, sizeof s->buf);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        s->error = errno;
        return -1;
    }
    sign_sha256_update(&s->sha, s->buf, (size_t)r);
    s->n += r;
    *out = s->buf;
    return r;
}

/* Reads what is left, so the hash covers the whole payload. 0 or -1. */
static int source_drain(struct source *s)
{
    const void *p;
    la_ssize_t r;
    while ((r = source_read(NULL, s, &p)) > 0)
        ;
    return r < 0 ? -1 : 0;
}

/* Opens path at offset for reading with the hash started. 0 or -1 (errno). */
static int source_open(struct source *s, const char *path, int64_t offset)
{
    memset(s, 0, sizeof *s);
    sign_sha256_init(&s->sha);
    s->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0)
        return -1;
    if (lseek(s->fd, (off_t)offset, SEEK_SET) != (off_t)offset) {
        close(s->fd);
        s->fd = -1;
        return -1;
    }
    return 0;
}

/* TAMPERED unless what s read is the signed payload. */
static enum bundle_err source_check(struct source *s, const struct bundle_manifest *m,
                                    char *err, size_t errcap)
{
    char hex[SIGN_HEX_LEN];
    sign_sha256_final_hex(&s->sha, hex);
    if (s->n != m->payload_size) {
        snprintf(err, errcap, "the payload is %" PRId64 " bytes, the signed manifest says %" PRId64,
                 s->n, m->payload_size);
        return BUNDLE_TAMPERED;
    }
    if (strcmp(hex, m->payload_sha256)) {
        snprintf(err, errcap, "the payload's SHA-256 is not the one signed");
        return BUNDLE_TAMPERED;
    }
    return BUNDLE_OK;
}

int update_file_sha256(const char *path, char *out)
{
    struct source *s = malloc(sizeof *s);
    if (!s || source_open(s, path, 0) != 0) {
        free(s);
        return -1;
    }
    int rc = source_drain(s);
    close(s->fd);
    if (rc == 0)
        sign_sha256_final_hex(&s->sha, out);
    free(s);
    return rc;
}

/* ---- the tree ------------------------------------------------------------------------- */

struct walk {
    const struct bundle_manifest *m;
    const char *dest;          /* NULL: check only */
    int entries;
    int64_t bytes;
    int has_kiosk, has_version;
    char links[LINKS_MAX][BUNDLE_PATH_MAX];
    int nlinks;
};

/* Checks one entry (its plain path into plain). OK or why not. */
static enum bundle_err check_entry(struct walk *w, struct archive_entry *e, char *plain,
                                   size_t cap, char *err, size_t errcap)
{
    const char *name = archive_entry_pathname(e);
    if (++w->entries > BUNDLE_MAX_ENTRIES) {
        snprintf(err, errcap, "more than %d entries", BUNDLE_MAX_ENTRIES);
        return BUNDLE_UNSAFE;
    }
    if (!bundle_path_safe(name, plain, cap)) {
        snprintf(err, errcap, "entry %d: an absolute path, \"..\", or a control character",
                 w->entries);
        return BUNDLE_UNSAFE;
    }
    for (int i = 0; i < w->nlinks; i++) {
        size_t k = strlen(w->links[i]);
        if (!strncmp(plain, w->links[i], k) && (plain[k] == '/' || !plain[k])) {
            snprintf(err, errcap, "%s: through or over the symbolic link %s", plain,
                     w->links[i]);
            return BUNDLE_UNSAFE;
        }
    }
    mode_t type = archive_entry_filetype(e);
    if (archive_entry_hardlink(e) || (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)) {
        snprintf(err, errcap, "%s: not a regular file, folder or symbolic link", plain);
        return BUNDLE_UNSAFE;
    }
    if (type == AE_IFLNK) {
        if (!bundle_link_safe(plain, archive_entry_symlink(e))) {
            snprintf(err, errcap, "%s: a symbolic link out of the slot", plain);
            return BUNDLE_UNSAFE;
        }
        if (w->nlinks == LINKS_MAX) {
            snprintf(err, errcap, "more than %d symbolic links", LINKS_MAX);
            return BUNDLE_UNSAFE;
        }
        snprintf(w->links[w->nlinks++], BUNDLE_PATH_MAX, "%s", plain);
    }
    if (type == AE_IFREG) {
        int64_t size = archive_entry_size(e);
        if (size < 0 || size > BUNDLE_MAX_TREE - w->bytes) {
            snprintf(err, errcap, "the tree is larger than %" PRId64 " bytes", BUNDLE_MAX_TREE);
            return BUNDLE_UNSAFE;
        }
        w->bytes += size;
    }
    if (!strcmp(plain, "bin/kiosk")) {
        if (type != AE_IFREG || !(archive_entry_perm(e) & 0100)) {
            snprintf(err, errcap, "bin/kiosk is not an executable file");
            return BUNDLE_INCOMPLETE;
        }
        w->has_kiosk = 1;
    }
    return BUNDLE_OK;
}

/* VERSION's text (read through `a`; at most 64 bytes) must be the manifest's version. */
static enum bundle_err check_version_file(struct walk *w, struct archive *a, char *text,
                                          size_t cap, size_t *len, char *err, size_t errcap)
{
    la_ssize_t n = archive_read_data(a, text, cap - 1);
    char more;
    if (n < 0 || archive_read_data(a, &more, 1) != 0) {
        snprintf(err, errcap, "VERSION does not read, or is longer than %zu bytes", cap - 2);
        return BUNDLE_BAD_PAYLOAD;
    }
    *len = (size_t)n;
    text[n] = '\0';
    char v[VERSION_MAX + 2];
    snprintf(v, sizeof v, "%.*s", (int)strcspn(text, "\r\n"), text);
    if (strcmp(v, w->m->version)) {
        snprintf(err, errcap, "VERSION says \"%.32s\", the manifest %s", v, w->m->version);
        return BUNDLE_BAD_PAYLOAD;
    }
    w->has_version = 1;
    return BUNDLE_OK;
}

/* Writes the entry's data to disk through `out`. */
static enum bundle_err copy_data(struct archive *a, struct archive *out, char *err,
                                 size_t errcap)
{
    const void *buf;
    size_t size;
    la_int64_t off;
    int r;
    while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK)
        if (archive_write_data_block(out, buf, size, off) != ARCHIVE_OK) {
            snprintf(err, errcap, "write: %s", archive_error_string(out));
            return BUNDLE_IO;
        }
    if (r != ARCHIVE_EOF) {
        snprintf(err, errcap, "payload: %s", archive_error_string(a));
        return BUNDLE_BAD_PAYLOAD;
    }
    return BUNDLE_OK;
}

/* One entry: checked, then skipped (check only) or written under w->dest. */
static enum bundle_err one_entry(struct walk *w, struct archive *a, struct archive *out,
                                 struct archive_entry *e, char *err, size_t errcap)
{
    char plain[BUNDLE_PATH_MAX], text[66];
    size_t tlen = 0;
    const char *name = archive_entry_pathname(e);
    if (name && archive_entry_filetype(e) == AE_IFDIR &&
        name[strspn(name, "./")] == '\0' && strchr(name, '.') && !strstr(name, "..")) {
        /* "." or "./": the slot's top itself, which is there */
        w->entries++;
        return BUNDLE_OK;
    }
    enum bundle_err rc = check_entry(w, e, plain, sizeof plain, err, errcap);
    if (rc != BUNDLE_OK)
        return rc;
    int is_version = !strcmp(plain, "VERSION") && archive_entry_filetype(e) == AE_IFREG;
    if (is_version && (rc = check_version_file(w, a, text, sizeof text, &tlen, err, errcap)))
        return rc;
    if (!out)
        return is_version || archive_read_data_skip(a) == ARCHIVE_OK ? BUNDLE_OK
                                                                    : BUNDLE_BAD_PAYLOAD;
    archive_entry_set_pathname(e, plain); /* relative to the slot: the working folder */
    archive_entry_set_perm(e, archive_entry_perm(e) & 0755);
    if (archive_write_header(out, e) != ARCHIVE_OK) {
        snprintf(err, errcap, "%s: %s", plain, archive_error_string(out));
        return BUNDLE_IO;
    }
    if (is_version) {
        if (archive_write_data(out, text, tlen) != (la_ssize_t)tlen) {
            snprintf(err, errcap, "VERSION: %s", archive_error_string(out));
            return BUNDLE_IO;
        }
    } else if (archive_entry_filetype(e) == AE_IFREG &&
               (rc = copy_data(a, out, err, errcap)) != BUNDLE_OK) {
        return rc;
    }
    if (archive_write_finish_entry(out) != ARCHIVE_OK) {
        snprintf(err, errcap, "%s: %s", plain, archive_error_string(out));
        return BUNDLE_IO;
    }
    crash_point("update.extract:entry");
    return BUNDLE_OK;
}

/* The tree of the payload at offset: checked, and written under dest when not NULL; the
 * payload's hash checked at the end. */
static enum bundle_err walk_tree(const char *path, const struct bundle_info *info,
                                 const char *dest, struct walk *w, char *err, size_t errcap)
{
    struct source *s = malloc(sizeof *s);
    struct archive *a = archive_read_new();
    struct archive *out = dest ? archive_write_disk_new() : NULL;
    struct archive_entry *e;
    enum bundle_err rc = BUNDLE_OK;
    int cwd = -1;
    if (s)
        s->fd = -1;
    memset(w, 0, sizeof *w);
    w->m = &info->m;
    w->dest = dest;
    if (!s || !a || (dest && !out)) {
        snprintf(err, errcap, "out of memory");
        rc = BUNDLE_IO;
        goto end;
    }
    if (source_open(s, path, info->offset) != 0) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        free(s);
        s = NULL;
        rc = BUNDLE_IO;
        goto end;
    }
    /* Extracting, the working folder is the slot's: entry paths stay relative, and
     * libarchive's checks (no "..", nothing through a symbolic link) look only inside it. */
    if (dest && ((cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || chdir(dest) != 0)) {
        snprintf(err, errcap, "%s: %s", dest, strerror(errno));
        rc = BUNDLE_IO;
        goto end;
    }
    archive_read_support_format_tar(a);
    archive_read_support_filter_gzip(a);
    if (out)
        archive_write_disk_set_options(out, ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
    if (archive_read_open(a, s, NULL, source_read, NULL) != ARCHIVE_OK) {
        snprintf(err, errcap, "payload: %s", archive_error_string(a));
        rc = BUNDLE_BAD_PAYLOAD;
        goto end;
    }
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK)
        if ((rc = one_entry(w, a, out, e, err, errcap)) != BUNDLE_OK)
            goto end;
    if (r != ARCHIVE_EOF) {
        snprintf(err, errcap, "payload: %s", archive_error_string(a));
        rc = BUNDLE_BAD_PAYLOAD;
        goto end;
    }
    if (source_drain(s) != 0) {
        snprintf(err, errcap, "%s: %s", path, strerror(s->error));
        rc = BUNDLE_IO;
        goto end;
    }
    if ((rc = source_check(s, &info->m, err, errcap)) != BUNDLE_OK)
        goto end;
    if (!w->has_kiosk || !w->has_version) {
        snprintf(err, errcap, "no %s", !w->has_kiosk ? "bin/kiosk" : "VERSION");
        rc = BUNDLE_INCOMPLETE;
    }
end:
    if (out) {
        archive_write_close(out);
        archive_write_free(out);
    }
    if (cwd >= 0) {
        if (fchdir(cwd) != 0 && rc == BUNDLE_OK) {
            snprintf(err, errcap, "cannot go back to the working folder");
            rc = BUNDLE_IO;
        }
        close(cwd);
    }
    if (a)
        archive_read_free(a);
    if (s) {
        if (s->fd >= 0)
            close(s->fd);
        free(s);
    }
    return rc;
}

/* ---- verify and extract --------------------------------------------------------------- */

enum bundle_err bundle_verify(const char *path, const char *pk_hex, const char *installed,
                              int64_t max_payload, struct bundle_info *info, char *err,
                              size_t errcap)
{
    char buf[BUNDLE_HEADER_MAX];
    uint8_t pk[SIGN_ED_PK_LEN];
    struct bundle_header h;
    memset(info, 0, sizeof *info);
    err[0] = '\0';
    if (!pk_hex || sign_hex_to_bin(pk_hex, pk, sizeof pk) != 0) {
        snprintf(err, errcap, "[update] public_key is not 64 hex characters");
        return BUNDLE_NO_KEY;
    }
    struct source s;
    if (source_open(&s, path, 0) != 0) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return BUNDLE_IO;
    }
    ssize_t n = 0, r;
    while (n < (ssize_t)sizeof buf && (r = read(s.fd, buf + n, sizeof buf - (size_t)n)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errcap, "%s: %s", path, strerror(errno));
            close(s.fd);
            return BUNDLE_IO;
        }
        n += r;
    }
    close(s.fd);
    enum bundle_err rc = bundle_header_split(buf, (size_t)n, &h);
    if (rc == BUNDLE_NOT_SIGNED)
        snprintf(err, errcap, "no FKB1 header or no signature: an unsigned file");
    else if (rc != BUNDLE_OK)
        snprintf(err, errcap, "the header's lines are not magic, manifest, 128 hex");
    if (rc != BUNDLE_OK)
        return rc;
    if (!sign_ed25519_verify_hex(pk_hex, h.manifest, h.manifest_len, h.sig)) {
        snprintf(err, errcap, "another key signed it, or the manifest was changed");
        return BUNDLE_BAD_SIGNATURE;
    }
    if (bundle_manifest_parse(h.manifest, h.manifest_len, &info->m) != BUNDLE_OK) {
        snprintf(err, errcap, "product, version, payload_size, payload_sha256 or created");
        return BUNDLE_BAD_MANIFEST;
    }
    info->offset = (int64_t)h.len;
    int c = version_cmp(info->m.version, installed);
    if (c == -2 || c < 0) {
        snprintf(err, errcap, "version %s is older than %s installed", info->m.version,
                 installed);
        return BUNDLE_DOWNGRADE;
    }
    if (c == 0) {
        snprintf(err, errcap, "version %s is installed already", installed);
        return BUNDLE_SAME_VERSION;
    }
    if (info->m.payload_size > max_payload) {
        snprintf(err, errcap, "payload of %" PRId64 " bytes, the limit is %" PRId64,
                 info->m.payload_size, max_payload);
        return BUNDLE_TOO_BIG;
    }
    /* the hash first: a changed payload is "tampered", whatever else it breaks */
    if (source_open(&s, path, info->offset) != 0) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return BUNDLE_IO;
    }
    rc = source_drain(&s) == 0 ? source_check(&s, &info->m, err, errcap) : BUNDLE_IO;
    if (rc == BUNDLE_IO)
        snprintf(err, errcap, "%s: %s", path, strerror(s.error));
    close(s.fd);
    if (rc != BUNDLE_OK)
        return rc;
    struct walk *w = malloc(sizeof *w);
    if (!w) {
        snprintf(err, errcap, "out of memory");
        return BUNDLE_IO;
    }
    rc = walk_tree(path, info, NULL, w, err, errcap);
    info->entries = w->entries;
    info->tree_bytes = w->bytes;
    free(w);
    return rc;
}

enum bundle_err bundle_extract(const char *path, const struct bundle_info *info,
                               const char *dir, char *err, size_t errcap)
{
    struct walk *w = malloc(sizeof *w);
    if (!w) {
        snprintf(err, errcap, "out of memory");
        return BUNDLE_IO;
    }
    enum bundle_err rc = walk_tree(path, info, dir, w, err, errcap);
    free(w);
    if (rc == BUNDLE_OK && update_sync_tree(dir) != 0) {
        snprintf(err, errcap, "%s: fsync: %s", dir, strerror(errno));
        rc = BUNDLE_IO;
    }
    return rc;
}

/* ---- the writer (the tool) ------------------------------------------------------------ */


int bundle_public_key(const char *seed_hex, char out[65])
{
    uint8_t seed[32], pk[SIGN_ED_PK_LEN], sk[SIGN_ED_SK_LEN];
    if (sign_init() != 0 || sign_hex_to_bin(seed_hex, seed, sizeof seed) != 0)
        return -1;
    sign_ed25519_seed_keypair(seed, pk, sk);
    sign_bin_to_hex(pk, sizeof pk, out);
    sign_wipe(seed, sizeof seed);
    sign_wipe(sk, sizeof sk);
    return 0;
}

/* Adds the tree under `root`/`rel` ("" at the top) to the archive, names sorted. */
static int add_tree(struct archive *a, const char *root, const char *rel, char *err,
                    size_t errcap)
{
    char dir[BUNDLE_PATH_MAX + 600];
    snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        snprintf(err, errcap, "%s: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        char relp[BUNDLE_PATH_MAX], full[BUNDLE_PATH_MAX + 600], target[BUNDLE_PATH_MAX];
        struct stat st;
        if (rc || !strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        if (snprintf(relp, sizeof relp, "%s%s%s", rel, rel[0] ? "/" : "", name) >=
                (int)sizeof relp ||
            update_path(full, sizeof full, root, relp) != 0 || lstat(full, &st) != 0) {
            snprintf(err, errcap, "%s/%s: %s", dir, name, strerror(errno ? errno : ENAMETOOLONG));
            rc = -1;
            continue;
        }
        struct archive_entry *e = archive_entry_new();
        archive_entry_copy_stat(e, &st);
        archive_entry_set_pathname(e, relp);
        archive_entry_set_uid(e, 0);
        archive_entry_set_gid(e, 0);
        archive_entry_set_uname(e, "root");
        archive_entry_set_gname(e, "root");
        if (S_ISLNK(st.st_mode)) {
            ssize_t k = readlink(full, target, sizeof target - 1);
            target[k > 0 ? k : 0] = '\0';
            archive_entry_set_symlink(e, target);
        }
        if (archive_write_header(a, e) != ARCHIVE_OK) {
            snprintf(err, errcap, "%s: %s", relp, archive_error_string(a));
            rc = -1;
        } else if (S_ISREG(st.st_mode)) {
            int fd = open(full, O_RDONLY | O_CLOEXEC);
            char buf[CHUNK];
            ssize_t k = fd < 0 ? -1 : 0;
            while (fd >= 0 && (k = read(fd, buf, sizeof buf)) > 0)
                if (archive_write_data(a, buf, (size_t)k) != k)
                    k = -1;
            if (fd >= 0)
                close(fd);
            if (k < 0) {
                snprintf(err, errcap, "%s: cannot read or archive it", relp);
                rc = -1;
            }
        } else if (S_ISDIR(st.st_mode)) {
            rc = add_tree(a, root, relp, err, errcap);
        }
        archive_entry_free(e);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* Writes the tar.gz payload of dir into path; its size and SHA-256 into m. */
static int write_payload(const char *dir, const char *path, struct bundle_manifest *m,
                         char *err, size_t errcap)
{
    struct archive *a = archive_write_new();
    if (!a) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    int rc = archive_write_open_filename(a, path) == ARCHIVE_OK ? 0 : -1;
    if (rc != 0)
        snprintf(err, errcap, "%s: %s", path, archive_error_string(a));
    if (rc == 0)
        rc = add_tree(a, dir, "", err, errcap);
    if (archive_write_close(a) != ARCHIVE_OK && rc == 0) {
        snprintf(err, errcap, "%s: %s", path, archive_error_string(a));
        rc = -1;
    }
    archive_write_free(a);
    if (rc != 0)
        return -1;
    struct source *s = malloc(sizeof *s);
    if (!s || source_open(s, path, 0) != 0 || source_drain(s) != 0) {
        snprintf(err, errcap, "%s: cannot read it back", path);
        if (s && s->fd >= 0)
            close(s->fd);
        free(s);
        return -1;
    }
    close(s->fd);
    m->payload_size = s->n;
    sign_sha256_final_hex(&s->sha, m->payload_sha256);
    free(s);
    return 0;
}

/* Appends file `from` to stream f. 0 or -1. */
static int append_file(FILE *f, const char *from)
{
    FILE *in = fopen(from, "rb");
    char buf[CHUNK];
    size_t k;
    int rc = in ? 0 : -1;
    while (in && (k = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, k, f) != k)
            rc = -1;
    if (in && ferror(in))
        rc = -1;
    if (in)
        fclose(in);
    return rc;
}

int bundle_write(const char *dir, const char *seed_hex, const char *version, int64_t created,
                 const char *out, char *err, size_t errcap)
{
    uint8_t seed[32], pk[SIGN_ED_PK_LEN], sk[SIGN_ED_SK_LEN], sig[SIGN_ED_SIG_LEN];
    char payload[1100], tmp[1100], sig_hex[2 * SIGN_ED_SIG_LEN + 1];
    struct bundle_manifest m = {0};
    if (!version_valid(version)) {
        snprintf(err, errcap, "'%s' is not a version (x.y.z)", version);
        return -1;
    }
    if (sign_init() != 0 || sign_hex_to_bin(seed_hex, seed, sizeof seed) != 0) {
        snprintf(err, errcap, "the key is not a seed of 64 hex characters");
        return -1;
    }
    if (snprintf(payload, sizeof payload, "%s.payload", out) >= (int)sizeof payload ||
        snprintf(tmp, sizeof tmp, "%s.tmp", out) >= (int)sizeof tmp) {
        snprintf(err, errcap, "output path too long");
        return -1;
    }
    if (write_payload(dir, payload, &m, err, errcap) != 0) {
        unlink(payload);
        return -1;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "product", BUNDLE_PRODUCT);
    cJSON_AddStringToObject(o, "version", version);
    json_add_int(o, "payload_size", m.payload_size);
    cJSON_AddStringToObject(o, "payload_sha256", m.payload_sha256);
    json_add_int(o, "created", created);
    char *manifest = json_print_free(o);
    if (!manifest) {
        snprintf(err, errcap, "out of memory");
        unlink(payload);
        return -1;
    }
    sign_ed25519_seed_keypair(seed, pk, sk);
    sign_ed25519_sign(sk, manifest, strlen(manifest), sig);
    sign_wipe(seed, sizeof seed);
    sign_wipe(sk, sizeof sk);
    sign_bin_to_hex(sig, sizeof sig, sig_hex);
    FILE *f = fopen(tmp, "wb");
    int rc = f && fprintf(f, "%s%s\n%s\n", BUNDLE_MAGIC, manifest, sig_hex) > 0 &&
                     append_file(f, payload) == 0 && fflush(f) == 0 && fsync(fileno(f)) == 0
                 ? 0
                 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, out) != 0)
        rc = -1;
    if (rc != 0) {
        snprintf(err, errcap, "%s: %s", out, strerror(errno));
        unlink(tmp);
    }
    unlink(payload);
    free(manifest);
    return rc;
}
