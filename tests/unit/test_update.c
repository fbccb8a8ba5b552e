/* The update module's pure and file parts: versions; bundles (every refusal, made by the
 * tool and crafted here byte by byte: a tar writer of its own, so a test can hold what no
 * honest tool writes); the slots, `current` and update.json (switch, commit, rollback, the
 * boot check's counting and deadline on a fake wall clock, repairs after a power cut); the
 * DDI answers and bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/sign.h"
#include "update/bundle.h"
#include "update/ddi.h"
#include "update/slots.h"
#include "update/version.h"

#define SEED_A "0101010101010101010101010101010101010101010101010101010101010101"
#define SEED_B "0202020202020202020202020202020202020202020202020202020202020202"

static char tmp[64];
static char pk_a[65];

static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmp, name);
}

static void put(const char *path, const char *text, int mode)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, (mode_t)mode), 0);
}

/* rm -rf dir, then mkdir -p of dir/sub for each sub (NULL-ended). */
static void fresh_dir(const char *dir, ...)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    va_list ap;
    va_start(ap, dir);
    for (const char *sub; (sub = va_arg(ap, const char *));) {
        snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s'", dir, sub);
        assert_int_equal(system(cmd), 0);
    }
    va_end(ap);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/unit-update-XXXXXX");
    if (!mkdtemp(tmp) || sign_init() != 0 || bundle_public_key(SEED_A, pk_a) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- versions ------------------------------------------------------------------------- */

static void test_version(void **state)
{
    (void)state;
    assert_true(version_valid("0.1.0"));
    assert_true(version_valid("10.20.300"));
    assert_true(version_valid("999999999.0.0"));
    const char *bad[] = {"", "1", "1.2", "1.2.3.4", "v1.2.3", "1.2.3-rc1", "01.2.3", "1.02.3",
                         "1..3", " 1.2.3", "1.2.3 ", "1.2.x", "1000000000.0.0", "-1.2.3",
                         "1.2.+3", "1.2.3\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(version_valid(bad[i]));
    assert_false(version_valid(NULL));
    assert_int_equal(version_cmp("0.10.0", "0.9.3"), 1);
    assert_int_equal(version_cmp("0.9.3", "0.10.0"), -1);
    assert_int_equal(version_cmp("1.0.0", "1.0.0"), 0);
    assert_int_equal(version_cmp("0.0.9", "0.1.0"), -1);
    assert_int_equal(version_cmp("2.0.0", "1.99.99"), 1);
    assert_int_equal(version_cmp("1.0.0", "garbage"), -2);
    assert_int_equal(version_cmp("x", "1.0.0"), -2);
}

/* ---- a tar and a bundle, byte by byte ------------------------------------------------- */

struct buf {
    uint8_t p[1 << 16];
    size_t n;
};

static void tar_entry(struct buf *t, const char *name, char type, int mode, const char *data,
                      const char *link)
{
    uint8_t h[512] = {0};
    size_t len = data ? strlen(data) : 0;
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", mode);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011o", (unsigned)len);
    snprintf((char *)h + 136, 12, "%011o", 1u);
    h[156] = (uint8_t)type;
    if (link)
        snprintf((char *)h + 157, 100, "%s", link);
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    h[155] = ' ';
    assert_true(t->n + 512 + len + 512 < sizeof t->p);
    memcpy(t->p + t->n, h, 512);
    t->n += 512;
    if (len) {
        memcpy(t->p + t->n, data, len);
        t->n += (len + 511) / 512 * 512;
    }
}

static void tar_end(struct buf *t)
{
    memset(t->p + t->n, 0, 1024);
    t->n += 1024;
}

/* A tree every bundle needs, for version v. */
static void tar_good(struct buf *t, const char *v)
{
    char vline[40];
    snprintf(vline, sizeof vline, "%s\n", v);
    tar_entry(t, "./", '5', 0755, NULL, NULL);
    tar_entry(t, "./bin/", '5', 0755, NULL, NULL);
    tar_entry(t, "./bin/kiosk", '0', 04755, "#!/bin/sh\necho kiosk\n", NULL);
    tar_entry(t, "./VERSION", '0', 0644, vline, NULL);
}

static void hex_of(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

/* Writes `name` under tmp: the FKB1 header for `payload` as version v signed with seed,
 * then the payload. */
static void craft(const char *name, const struct buf *payload, const char *v, const char *seed,
                  char *path, size_t cap)
{
    char sha[SIGN_HEX_LEN], manifest[400], sig_hex[129];
    uint8_t s[32], pk[SIGN_ED_PK_LEN], sk[SIGN_ED_SK_LEN], sig[SIGN_ED_SIG_LEN];
    sign_sha256_hex(payload->p, payload->n, sha);
    snprintf(manifest, sizeof manifest,
             "{\"product\":\"fuel-kiosk\",\"version\":\"%s\",\"payload_size\":%zu,"
             "\"payload_sha256\":\"%s\",\"created\":1700000000}",
             v, payload->n, sha);
    assert_int_equal(sign_hex_to_bin(seed, s, sizeof s), 0);
    sign_ed25519_seed_keypair(s, pk, sk);
    sign_ed25519_sign(sk, manifest, strlen(manifest), sig);
    hex_of(sig, sizeof sig, sig_hex);
    path_of(path, cap, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fprintf(f, "FKB1\n%s\n%s\n", manifest, sig_hex);
    fwrite(payload->p, 1, payload->n, f);
    fclose(f);
}

static enum bundle_err verify(const char *path, const char *installed, char *err)
{
    struct bundle_info info;
    enum bundle_err rc = bundle_verify(path, pk_a, installed, 1 << 20, &info, err, 256);
    if (rc != BUNDLE_OK)
        print_message("  %s: %s: %s\n", strrchr(path, '/') + 1, bundle_strerror(rc), err);
    return rc;
}

/* Flips one byte of the file at offset (from the end when negative). */
static void flip(const char *path, long offset)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, offset, offset < 0 ? SEEK_END : SEEK_SET), 0);
    int c = fgetc(f);
    assert_int_equal(fseek(f, -1, SEEK_CUR), 0);
    fputc(c ^ 0x20, f);
    fclose(f);
}

static void test_bundle_tool(void **state)
{
    (void)state;
    char dir[128], out[128], err[256], target[128];
    struct bundle_info info;
    path_of(dir, sizeof dir, "tree");
    fresh_dir(dir, "bin", "share/x", (const char *)NULL);
    char p[200];
    snprintf(p, sizeof p, "%s/bin/kiosk", dir);
    put(p, "#!/bin/sh\nexit 0\n", 0755);
    snprintf(p, sizeof p, "%s/VERSION", dir);
    put(p, "0.2.0\n", 0644);
    snprintf(p, sizeof p, "%s/share/x/data.txt", dir);
    put(p, "hello", 0644);
    snprintf(p, sizeof p, "%s/share/link", dir);
    assert_int_equal(symlink("x/data.txt", p), 0);
    path_of(out, sizeof out, "good.fkb");
    assert_int_equal(bundle_write(dir, SEED_A, "0.2.0", 1700000000, out, err, sizeof err), 0);
    assert_int_equal(verify(out, "0.1.0", err), BUNDLE_OK);
    assert_int_equal(bundle_verify(out, pk_a, "0.1.0", 1 << 20, &info, err, sizeof err),
                     BUNDLE_OK);
    assert_string_equal(info.m.version, "0.2.0");
    assert_string_equal(info.m.product, "fuel-kiosk");
    assert_int_equal(info.m.created, 1700000000);
    assert_int_equal(info.entries, 7); /* bin bin/kiosk VERSION share share/link share/x x/data */
    /* extracted into an empty slot: the tree, bin/kiosk executable, the link kept */
    path_of(target, sizeof target, "slot");
    assert_int_equal(mkdir(target, 0755), 0);
    assert_int_equal(bundle_extract(out, &info, target, err, sizeof err), BUNDLE_OK);
    snprintf(p, sizeof p, "%s/bin/kiosk", target);
    assert_int_equal(access(p, X_OK), 0);
    snprintf(p, sizeof p, "%s/share/link", target);
    char *text = file_slurp(p, 100, NULL);
    assert_non_null(text);
    assert_string_equal(text, "hello");
    free(text);
    /* the same version again, an older one, another key's seed, a tool refusing garbage */
    assert_int_equal(verify(out, "0.2.0", err), BUNDLE_SAME_VERSION);
    assert_int_equal(verify(out, "0.3.0", err), BUNDLE_DOWNGRADE);
    assert_non_null(strstr(err, "0.2.0"));
    assert_int_equal(bundle_write(dir, "abc", "0.2.0", 1, out, err, sizeof err), -1);
    assert_int_equal(bundle_write(dir, SEED_A, "v2", 1, out, err, sizeof err), -1);
    /* the public key of a seed */
    char pk[65];
    assert_int_equal(bundle_public_key(SEED_A, pk), 0);
    assert_string_equal(pk, pk_a);
    assert_int_equal(bundle_public_key("zz", pk), -1);
}

static void test_bundle_refusals(void **state)
{
    (void)state;
    char path[128], err[256];
    struct buf *t = calloc(1, sizeof *t);
    struct bundle_info info;
    tar_good(t, "0.2.0");
    tar_end(t);
    craft("ok.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_OK);
    /* no key configured, or a bad one */
    assert_int_equal(bundle_verify(path, "", "0.1.0", 1 << 20, &info, err, sizeof err),
                     BUNDLE_NO_KEY);
    assert_int_equal(bundle_verify(path, "xyz", "0.1.0", 1 << 20, &info, err, sizeof err),
                     BUNDLE_NO_KEY);
    /* too big for the limit */
    assert_int_equal(bundle_verify(path, pk_a, "0.1.0", 100, &info, err, sizeof err),
                     BUNDLE_TOO_BIG);
    /* another key */
    craft("other.fkb", t, "0.2.0", SEED_B, path, sizeof path);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_BAD_SIGNATURE);
    /* a changed manifest (version 0.2.0 -> 0.2.1: byte 5 + offset of the version's last) */
    craft("changed.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    char *text = file_slurp(path, 1 << 20, NULL);
    long at = (long)(strstr(text, "0.2.0") - text) + 4;
    free(text);
    flip(path, at);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_BAD_SIGNATURE);
    /* one byte of the payload flipped: tampered (the last byte, in the tar's zero end) */
    craft("tampered.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    flip(path, -1);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_TAMPERED);
    /* and one in the middle of bin/kiosk's data */
    craft("tampered2.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    flip(path, -(long)t->n + 3 * 512 + 3);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_TAMPERED);
    /* the payload cut short, or grown */
    craft("short.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size - 512), 0);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_TAMPERED);
    FILE *f = fopen(path, "ab");
    fputs("more bytes than were signed..........................................", f);
    fclose(f);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_TAMPERED);
    /* a downgrade, signed with the right key */
    struct buf *old = calloc(1, sizeof *old);
    tar_good(old, "0.0.9");
    tar_end(old);
    craft("down.fkb", old, "0.0.9", SEED_A, path, sizeof path);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_DOWNGRADE);
    free(old);
    /* unsigned: a plain tar, an empty signature line, a signature that is not hex */
    path_of(path, sizeof path, "plain.tar");
    f = fopen(path, "wb");
    fwrite(t->p, 1, t->n, f);
    fclose(f);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_NOT_SIGNED);
    path_of(path, sizeof path, "nosig.fkb");
    f = fopen(path, "wb");
    fprintf(f, "FKB1\n{\"product\":\"fuel-kiosk\"}\n\n");
    fwrite(t->p, 1, t->n, f);
    fclose(f);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_NOT_SIGNED);
    path_of(path, sizeof path, "badsig.fkb");
    f = fopen(path, "wb");
    fprintf(f, "FKB1\n{}\nnot-a-signature\n");
    fclose(f);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_MALFORMED);
    path_of(path, sizeof path, "empty.fkb");
    f = fopen(path, "wb");
    fclose(f);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_NOT_SIGNED);
    path_of(path, sizeof path, "missing.fkb");
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_IO);
    free(t);
}

/* A tree with one more entry, signed: what verify says. */
static enum bundle_err with_entry(const char *name, char type, int mode, const char *data,
                                  const char *link)
{
    char path[128], err[256];
    struct buf *t = calloc(1, sizeof *t);
    tar_good(t, "0.2.0");
    tar_entry(t, name, type, mode, data, link);
    tar_end(t);
    craft("entry.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    free(t);
    return verify(path, "0.1.0", err);
}

static void test_bundle_tree(void **state)
{
    (void)state;
    char path[128], err[256];
    assert_int_equal(with_entry("share/ok.txt", '0', 0644, "x", NULL), BUNDLE_OK);
    assert_int_equal(with_entry("lib/libk.so", '2', 0777, NULL, "libk.so.1"), BUNDLE_OK);
    assert_int_equal(with_entry("lib/up", '2', 0777, NULL, "../bin/kiosk"), BUNDLE_OK);
    assert_int_equal(with_entry("/etc/passwd", '0', 0644, "x", NULL), BUNDLE_UNSAFE);
    assert_int_equal(with_entry("../escape", '0', 0644, "x", NULL), BUNDLE_UNSAFE);
    assert_int_equal(with_entry("share/../../escape", '0', 0644, "x", NULL), BUNDLE_UNSAFE);
    assert_int_equal(with_entry("dev/tty", '3', 0644, NULL, NULL), BUNDLE_UNSAFE);
    assert_int_equal(with_entry("dev/sda", '4', 0644, NULL, NULL), BUNDLE_UNSAFE);
    assert_int_equal(with_entry("fifo", '6', 0644, NULL, NULL), BUNDLE_UNSAFE);
    assert_int_equal(with_entry("hard", '1', 0644, NULL, "VERSION"), BUNDLE_UNSAFE);
    assert_int_equal(with_entry("lib/out", '2', 0777, NULL, "../../etc/shadow"), BUNDLE_UNSAFE);
    assert_int_equal(with_entry("lib/abs", '2', 0777, NULL, "/etc/shadow"), BUNDLE_UNSAFE);
    assert_int_equal(with_entry("a\x01b", '0', 0644, "x", NULL), BUNDLE_UNSAFE);
    /* a link, then an entry through it */
    struct buf *t = calloc(1, sizeof *t);
    tar_good(t, "0.2.0");
    tar_entry(t, "lib", '2', 0777, NULL, ".");
    tar_entry(t, "lib/x", '0', 0644, "x", NULL);
    tar_end(t);
    craft("through.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_UNSAFE);
    /* no bin/kiosk; bin/kiosk not executable; no VERSION; VERSION of another version */
    memset(t, 0, sizeof *t);
    tar_entry(t, "VERSION", '0', 0644, "0.2.0\n", NULL);
    tar_end(t);
    craft("nokiosk.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_INCOMPLETE);
    memset(t, 0, sizeof *t);
    tar_entry(t, "VERSION", '0', 0644, "0.2.0\n", NULL);
    tar_entry(t, "bin/kiosk", '0', 0644, "x", NULL);
    tar_end(t);
    craft("noexec.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_INCOMPLETE);
    memset(t, 0, sizeof *t);
    tar_entry(t, "bin/kiosk", '0', 0755, "x", NULL);
    tar_end(t);
    craft("noversion.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_INCOMPLETE);
    memset(t, 0, sizeof *t);
    tar_good(t, "0.3.0");
    tar_end(t);
    craft("otherversion.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_BAD_PAYLOAD);
    /* not a tar at all, signed */
    memset(t, 0, sizeof *t);
    memcpy(t->p, "this is not a tar archive", 25);
    t->n = 25;
    craft("nottar.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    assert_int_equal(verify(path, "0.1.0", err), BUNDLE_BAD_PAYLOAD);
    free(t);
}

/* The bundle changes between verify and extract: the extraction refuses it. */
static void test_bundle_extract_rechecks(void **state)
{
    (void)state;
    char path[128], err[256], dir[128];
    struct bundle_info info;
    struct buf *t = calloc(1, sizeof *t);
    tar_good(t, "0.2.0");
    tar_end(t);
    craft("race.fkb", t, "0.2.0", SEED_A, path, sizeof path);
    free(t);
    assert_int_equal(bundle_verify(path, pk_a, "0.1.0", 1 << 20, &info, err, sizeof err),
                     BUNDLE_OK);
    /* as it is: no set-user-ID bit comes out of a bundle */
    path_of(dir, sizeof dir, "okslot");
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(bundle_extract(path, &info, dir, err, sizeof err), BUNDLE_OK);
    char bin[200];
    struct stat st;
    snprintf(bin, sizeof bin, "%s/bin/kiosk", dir);
    assert_int_equal(stat(bin, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
    /* changed after the check */
    flip(path, -1);
    path_of(dir, sizeof dir, "raceslot");
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(bundle_extract(path, &info, dir, err, sizeof err), BUNDLE_TAMPERED);
}

static void test_bundle_paths(void **state)
{
    (void)state;
    char out[BUNDLE_PATH_MAX];
    assert_true(bundle_path_safe("./bin/kiosk", out, sizeof out));
    assert_string_equal(out, "bin/kiosk");
    assert_true(bundle_path_safe("share/", out, sizeof out));
    assert_string_equal(out, "share");
    const char *bad[] = {"", "./", "/x", "..", "../x", "a/../b", "a/./b", "a//b", "a/..",
                         ".", "a\nb", "x//"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(bundle_path_safe(bad[i], out, sizeof out));
    assert_false(bundle_path_safe(NULL, out, sizeof out));
    assert_false(bundle_path_safe("abc", out, 3));
    assert_true(bundle_link_safe("a", "b"));
    assert_true(bundle_link_safe("x/a", "../b"));
    assert_true(bundle_link_safe("x/y/a", "../../b/./c"));
    assert_false(bundle_link_safe("a", "../b"));
    assert_false(bundle_link_safe("x/a", "../../b"));
    assert_false(bundle_link_safe("x/a", "/b"));
    assert_false(bundle_link_safe("x/a", ""));
    assert_false(bundle_link_safe("x/a", NULL));
    assert_false(bundle_link_safe("x/a", "y/../../../z"));
}

static void test_bundle_header(void **state)
{
    (void)state;
    struct bundle_header h;
    struct bundle_manifest m;
    char sig[129];
    memset(sig, 'a', 128);
    sig[128] = '\0';
    char buf[600];
    int n = snprintf(buf, sizeof buf, "FKB1\n{\"a\":1}\n%s\nPAYLOAD", sig);
    assert_int_equal(bundle_header_split(buf, (size_t)n, &h), BUNDLE_OK);
    assert_int_equal(h.manifest_len, 7);
    assert_int_equal(h.len, (size_t)n - 7);
    assert_int_equal(bundle_header_split(buf, 4, &h), BUNDLE_NOT_SIGNED);
    assert_int_equal(bundle_header_split(buf, (size_t)n - 20, &h), BUNDLE_MALFORMED);
    assert_int_equal(bundle_header_split("FKB1\n\n", 6, &h), BUNDLE_MALFORMED);
    assert_int_equal(bundle_header_split("FKB1\n{}\n\nx", 10, &h), BUNDLE_NOT_SIGNED);
    buf[20] = 'G'; /* not hex */
    assert_int_equal(bundle_header_split(buf, (size_t)n, &h), BUNDLE_MALFORMED);
#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"
#define MANIFEST(product, version, size, sha, created)                                      \
    "{\"product\":\"" product "\",\"version\":\"" version "\",\"payload_size\":" size      \
    ",\"payload_sha256\":\"" sha "\"" created "}"
    const char *good = MANIFEST("fuel-kiosk", "1.2.3", "5", ZEROS, ",\"created\":7");
    assert_int_equal(bundle_manifest_parse(good, strlen(good), &m), BUNDLE_OK);
    assert_string_equal(m.version, "1.2.3");
    assert_int_equal(m.payload_size, 5);
    const char *bad[] = {
        "{}",
        "[]",
        "garbage",
        MANIFEST("other", "1.2.3", "5", ZEROS, ",\"created\":7"),
        MANIFEST("fuel-kiosk", "1.2", "5", ZEROS, ",\"created\":7"),
        MANIFEST("fuel-kiosk", "1.2.3", "-5", ZEROS, ",\"created\":7"),
        MANIFEST("fuel-kiosk", "1.2.3", "5.5", ZEROS, ",\"created\":7"),
        MANIFEST("fuel-kiosk", "1.2.3", "5", "00", ",\"created\":7"),
        MANIFEST("fuel-kiosk", "1.2.3", "5",
                 "000000000000000000000000000000000000000000000000000000000000000G",
                 ",\"created\":7"),
        MANIFEST("fuel-kiosk", "1.2.3", "5", ZEROS, ""), /* no created */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(bundle_manifest_parse(bad[i], strlen(bad[i]), &m), BUNDLE_BAD_MANIFEST);
    for (int e = 0; e <= BUNDLE_ERR_LAST; e++)
        assert_non_null(bundle_strerror((enum bundle_err)e));
}

/* ---- the slots ------------------------------------------------------------------------ */

/* A fresh prefix with slot a (0.1.0) current and slot b staged with 0.2.0. */
static void prefix_staged(char *prefix, size_t cap, const char *name)
{
    char p[200], err[256];
    path_of(prefix, cap, name);
    fresh_dir(prefix, "a/bin", "b/bin", (const char *)NULL);
    snprintf(p, sizeof p, "%s/a/VERSION", prefix);
    put(p, "0.1.0\n", 0644);
    snprintf(p, sizeof p, "%s/b/VERSION", prefix);
    put(p, "0.2.0\n", 0644);
    snprintf(p, sizeof p, "%s/a/bin/kiosk", prefix);
    put(p, "#!/bin/sh\n", 0755);
    snprintf(p, sizeof p, "%s/b/bin/kiosk", prefix);
    put(p, "#!/bin/sh\n", 0755);
    assert_int_equal(slots_set_link(prefix, "a", err, sizeof err), 0);
    struct slots_state st = {.phase = SLOTS_STAGED, .action = "17", .version = "0.2.0",
                             .slot = "b", .current = "a", .done = "3"};
    assert_int_equal(slots_write(prefix, &st, err, sizeof err), 0);
}

static void read_state(const char *prefix, struct slots_state *st)
{
    char err[256];
    assert_int_equal(slots_read(prefix, st, err, sizeof err), 0);
}

static void test_slots_link(void **state)
{
    (void)state;
    char prefix[128], slot[8], version[VERSION_MAX], err[256];
    prefix_staged(prefix, sizeof prefix, "links");
    slots_current(prefix, slot, sizeof slot, version, sizeof version);
    assert_string_equal(slot, "a");
    assert_string_equal(version, "0.1.0");
    assert_string_equal(slots_inactive(prefix), "b");
    assert_int_equal(slots_set_link(prefix, "b", err, sizeof err), 0);
    char target[8], p[200];
    snprintf(p, sizeof p, "%s/current", prefix);
    ssize_t n = readlink(p, target, sizeof target);
    assert_int_equal(n, 1); /* relative */
    assert_int_equal(target[0], 'b');
    assert_string_equal(slots_inactive(prefix), "a");
    assert_int_equal(slots_set_link(prefix, "factory", err, sizeof err), 0);
    slots_current(prefix, slot, sizeof slot, version, sizeof version);
    assert_string_equal(slot, "factory");
    assert_true(version_valid(version)); /* the version built in */
    assert_string_equal(slots_inactive(prefix), "a");
    /* no current.new left behind */
    snprintf(p, sizeof p, "%s/current.new", prefix);
    assert_int_equal(access(p, F_OK), -1);
    /* a prefix that does not exist: the factory, no state */
    struct slots_state st;
    assert_int_equal(slots_read("/nonexistent/prefix", &st, err, sizeof err), 0);
    assert_int_equal(st.phase, SLOTS_IDLE);
}

static void test_slots_switch_commit(void **state)
{
    (void)state;
    char prefix[128], err[256], version[VERSION_MAX], slot[8];
    struct slots_state st;
    prefix_staged(prefix, sizeof prefix, "commit");
    assert_int_equal(slots_staged(prefix, version, sizeof version), 1);
    assert_string_equal(version, "0.2.0");
    assert_int_equal(slots_commit(prefix, "x", err, sizeof err), -1); /* not in a trial */
    assert_int_equal(slots_switch(prefix, 1000000, 120, err, sizeof err), 0);
    read_state(prefix, &st);
    assert_int_equal(st.phase, SLOTS_TRIAL);
    assert_string_equal(st.current, "b");
    assert_string_equal(st.previous, "a");
    assert_string_equal(st.previous_version, "0.1.0");
    assert_int_equal(st.deadline, 1000000 + 120000);
    slots_current(prefix, slot, sizeof slot, version, sizeof version);
    assert_string_equal(slot, "b");
    assert_string_equal(version, "0.2.0");
    assert_int_equal(slots_staged(prefix, version, sizeof version), 0);
    assert_int_equal(slots_switch(prefix, 1000000, 120, err, sizeof err), -1); /* twice */
    assert_int_equal(slots_commit(prefix, "home and backend in 9 s", err, sizeof err), 0);
    read_state(prefix, &st);
    assert_int_equal(st.phase, SLOTS_COMMITTED);
    assert_string_equal(st.reason, "home and backend in 9 s");
    assert_int_equal(slots_rollback(prefix, "late", err, sizeof err), -1);
    /* boot after a commit: nothing to do, the link stays */
    char what[300];
    assert_int_equal(slots_boot(prefix, 2000000, 600, what, sizeof what), 0);
    assert_string_equal(what, "");
    slots_current(prefix, slot, sizeof slot, version, sizeof version);
    assert_string_equal(slot, "b");
}

/* kiosk-update replaces or drops a staged version only if the kiosk has not switched to it;
 * both hold the state's lock for it. */
static void test_slots_write_if(void **state)
{
    (void)state;
    char prefix[128], err[256], p[200];
    struct slots_state was, st, idle = {.phase = SLOTS_IDLE, .current = "a"};
    prefix_staged(prefix, sizeof prefix, "writeif");
    read_state(prefix, &was);
    assert_int_equal(slots_write_if(prefix, &was, &was, err, sizeof err), 0);
    assert_int_equal(slots_switch(prefix, 1000, 120, err, sizeof err), 0);
    assert_int_equal(slots_write_if(prefix, &was, &idle, err, sizeof err), 1);
    read_state(prefix, &st);
    assert_int_equal(st.phase, SLOTS_TRIAL);
    /* the lock held elsewhere: a switch gives up after a second */
    prefix_staged(prefix, sizeof prefix, "locked");
    snprintf(p, sizeof p, "%s/update.lock", prefix);
    int fd = open(p, O_RDWR | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    assert_int_equal(slots_switch(prefix, 1000, 120, err, sizeof err), -1);
    assert_non_null(strstr(err, "busy"));
    assert_int_equal(slots_write_if(prefix, &was, &idle, err, sizeof err), -1);
    close(fd);
    assert_int_equal(slots_switch(prefix, 1000, 120, err, sizeof err), 0);
}

static void test_slots_switch_needs_kiosk(void **state)
{
    (void)state;
    char prefix[128], err[256], p[200];
    prefix_staged(prefix, sizeof prefix, "nokiosk");
    snprintf(p, sizeof p, "%s/b/bin/kiosk", prefix);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(slots_switch(prefix, 1000, 120, err, sizeof err), -1);
    struct slots_state st;
    read_state(prefix, &st);
    assert_int_equal(st.phase, SLOTS_STAGED);
}

static void test_slots_crash_loop(void **state)
{
    (void)state;
    char prefix[128], err[256], what[300], slot[8], version[VERSION_MAX];
    struct slots_state st;
    prefix_staged(prefix, sizeof prefix, "loop");
    int64_t t0 = 5000000;
    assert_int_equal(slots_switch(prefix, t0, 120, err, sizeof err), 0);
    assert_int_equal(slots_boot(prefix, t0 + 1000, 600, what, sizeof what), 0);
    read_state(prefix, &st);
    assert_int_equal(st.phase, SLOTS_TRIAL);
    assert_int_equal(st.nstarts, 1);
    assert_int_equal(slots_boot(prefix, t0 + 3000, 600, what, sizeof what), 0);
    read_state(prefix, &st);
    assert_int_equal(st.nstarts, 2);
    assert_int_equal(slots_boot(prefix, t0 + 5000, 600, what, sizeof what), 0);
    assert_non_null(strstr(what, "crash loop"));
    read_state(prefix, &st);
    assert_int_equal(st.phase, SLOTS_FAILED);
    assert_true(st.rolled_back);
    assert_string_equal(st.current, "a");
    assert_non_null(strstr(st.reason, "rolled back to 0.1.0: crash loop: 3 starts"));
    slots_current(prefix, slot, sizeof slot, version, sizeof version);
    assert_string_equal(slot, "a");
    /* further starts: the failure waits to be reported, the link stays */
    assert_int_equal(slots_boot(prefix, t0 + 7000, 600, what, sizeof what), 0);
    slots_current(prefix, slot, sizeof slot, version, sizeof version);
    assert_string_equal(slot, "a");
}

static void test_slots_window(void **state)
{
    (void)state;
    char prefix[128], err[256], what[300];
    struct slots_state st;
    prefix_staged(prefix, sizeof prefix, "window");
    int64_t t0 = 5000000;
    assert_int_equal(slots_switch(prefix, t0, 3600, err, sizeof err), 0);
    /* starts 11 minutes apart never make a loop within a 10-minute window */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(slots_boot(prefix, t0 + i * 660000, 600, what, sizeof what), 0);
        read_state(prefix, &st);
        assert_int_equal(st.phase, SLOTS_TRIAL);
        assert_int_equal(st.nstarts, 1);
    }
    /* the deadline passed without a commit */
    assert_int_equal(slots_boot(prefix, t0 + 3600001, 600, what, sizeof what), 0);
    assert_non_null(strstr(what, "deadline"));
    read_state(prefix, &st);
    assert_int_equal(st.phase, SLOTS_FAILED);
    assert_string_equal(st.current, "a");
}

static void test_slots_rollback_and_repair(void **state)
{
    (void)state;
    char prefix[128], err[256], what[300], slot[8], version[VERSION_MAX];
    struct slots_state st;
    prefix_staged(prefix, sizeof prefix, "repair");
    assert_int_equal(slots_switch(prefix, 1000, 120, err, sizeof err), 0);
    /* a power cut after the state was written, before the link: boot makes the link */
    assert_int_equal(slots_set_link(prefix, "a", err, sizeof err), 0);
    assert_int_equal(slots_boot(prefix, 2000, 600, what, sizeof what), 0);
    assert_non_null(strstr(what, "current was a, set to b"));
    slots_current(prefix, slot, sizeof slot, version, sizeof version);
    assert_string_equal(slot, "b");
    /* the service rolls back: the link follows */
    assert_int_equal(slots_rollback(prefix, "backend not reached in 120 s", err, sizeof err), 0);
    read_state(prefix, &st);
    assert_int_equal(st.phase, SLOTS_FAILED);
    assert_non_null(strstr(st.reason, "backend not reached"));
    slots_current(prefix, slot, sizeof slot, version, sizeof version);
    assert_string_equal(slot, "a");
    /* a power cut between the rollback's state and its link: repaired */
    assert_int_equal(slots_set_link(prefix, "b", err, sizeof err), 0);
    assert_int_equal(slots_boot(prefix, 3000, 600, what, sizeof what), 0);
    slots_current(prefix, slot, sizeof slot, version, sizeof version);
    assert_string_equal(slot, "a");
    /* back to the factory: no link */
    prefix_staged(prefix, sizeof prefix, "factory");
    assert_int_equal(slots_set_link(prefix, "factory", err, sizeof err), 0);
    read_state(prefix, &st);
    st.current[0] = '\0';
    assert_int_equal(slots_write(prefix, &st, err, sizeof err), 0);
    assert_int_equal(slots_switch(prefix, 1000, 120, err, sizeof err), 0);
    read_state(prefix, &st);
    assert_string_equal(st.previous, "factory");
    assert_true(version_valid(st.previous_version));
    assert_int_equal(slots_rollback(prefix, "no", err, sizeof err), 0);
    slots_current(prefix, slot, sizeof slot, version, sizeof version);
    assert_string_equal(slot, "factory");
}

static void test_slots_bad_state(void **state)
{
    (void)state;
    char prefix[128], what[300], p[200], slot[8], version[VERSION_MAX];
    prefix_staged(prefix, sizeof prefix, "bad");
    snprintf(p, sizeof p, "%s/update.json", prefix);
    put(p, "{\"phase\":", 0644);
    assert_int_equal(slots_staged(prefix, version, sizeof version), -1);
    assert_int_equal(slots_boot(prefix, 1000, 600, what, sizeof what), 0);
    assert_non_null(strstr(what, "set aside"));
    assert_int_equal(access(p, F_OK), -1);
    snprintf(p, sizeof p, "%s/update.json.bad", prefix);
    assert_int_equal(access(p, F_OK), 0);
    slots_current(prefix, slot, sizeof slot, version, sizeof version);
    assert_string_equal(slot, "a");
    assert_int_equal(slots_staged(prefix, version, sizeof version), 0);
}

static void test_state_round_trip(void **state)
{
    (void)state;
    struct slots_state a = {.phase = SLOTS_TRIAL, .action = "12345678901234567890",
                            .version = "1.2.3", .tries = 2, .slot = "b", .current = "b",
                            .previous = "factory", .previous_version = "0.9.0",
                            .switched_at = INT64_C(1700000000000),
                            .deadline = INT64_C(1700000120000), .nstarts = 3,
                            .starts = {1, 2, INT64_C(1700000000001)},
                            .reason = "a \"quoted\"\nreason", .done = "7"};
    memset(a.sha256, 'f', 64);
    char *json = slots_state_json(&a);
    assert_non_null(json);
    struct slots_state b;
    assert_int_equal(slots_state_parse(json, strlen(json), &b), 0);
    free(json);
    assert_memory_equal(&a, &b, sizeof a);
    for (int p = 0; p < SLOTS_PHASE_LAST; p++)
        assert_string_not_equal(slots_phase_name((enum slots_phase)p), "?");
    const char *bad[] = {
        "", "[]", "{}", "{\"phase\":\"flying\"}",
        /* a trial without a slot */
        "{\"phase\":\"trial\",\"action\":\"1\",\"version\":\"1.0.0\",\"sha256\":\"\",\"tries\":0,"
        "\"slot\":\"\",\"current\":\"b\",\"previous\":\"a\",\"previous_version\":\"\","
        "\"rolled_back\":false,\"switched_at\":0,\"deadline\":0,\"starts\":[],\"reason\":\"\","
        "\"done\":\"\"}",
        /* slot c */
        "{\"phase\":\"staged\",\"action\":\"1\",\"version\":\"1.0.0\",\"sha256\":\"\",\"tries\":0,"
        "\"slot\":\"c\",\"current\":\"a\",\"previous\":\"\",\"previous_version\":\"\","
        "\"rolled_back\":false,\"switched_at\":0,\"deadline\":0,\"starts\":[],\"reason\":\"\","
        "\"done\":\"\"}",
        /* an action that is not digits */
        "{\"phase\":\"staged\",\"action\":\"1/../x\",\"version\":\"1.0.0\",\"sha256\":\"\","
        "\"tries\":0,"
        "\"slot\":\"b\",\"current\":\"a\",\"previous\":\"\",\"previous_version\":\"\","
        "\"rolled_back\":false,\"switched_at\":0,\"deadline\":0,\"starts\":[],\"reason\":\"\","
        "\"done\":\"\"}",
        /* too many starts */
        "{\"phase\":\"idle\",\"action\":\"\",\"version\":\"\",\"sha256\":\"\",\"tries\":0,"
        "\"slot\":\"\",\"current\":\"\",\"previous\":\"\",\"previous_version\":\"\","
        "\"rolled_back\":false,\"switched_at\":0,\"deadline\":0,\"starts\":[1,2,3,4,5,6,7,8,9],"
        "\"reason\":\"\",\"done\":\"\"}",
        /* a fractional time */
        "{\"phase\":\"idle\",\"action\":\"\",\"version\":\"\",\"sha256\":\"\",\"tries\":0,"
        "\"slot\":\"\",\"current\":\"\",\"previous\":\"\",\"previous_version\":\"\","
        "\"rolled_back\":false,\"switched_at\":0.5,\"deadline\":0,\"starts\":[],"
        "\"reason\":\"\",\"done\":\"\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(slots_state_parse(bad[i], strlen(bad[i]), &b), -1);
    const char *idle = "{\"phase\":\"idle\",\"action\":\"\",\"version\":\"\",\"sha256\":\"\","
                       "\"tries\":0,\"slot\":\"\",\"current\":\"\",\"previous\":\"\","
                       "\"previous_version\":\"\",\"rolled_back\":false,\"switched_at\":0,"
                       "\"deadline\":0,\"starts\":[],\"reason\":\"\",\"done\":\"\","
                       "\"later\":\"a field of a newer kiosk\"}";
    assert_int_equal(slots_state_parse(idle, strlen(idle), &b), 0);
}

/* ---- DDI ------------------------------------------------------------------------------ */

static void test_ddi_base(void **state)
{
    (void)state;
    struct ddi_base b;
    char err[256];
    const char *with = "{\"config\":{\"polling\":{\"sleep\":\"00:05:00\"}},\"_links\":{"
                       "\"deploymentBase\":{\"href\":\"https://h/DEFAULT/controller/v1/K1/"
                       "deploymentBase/42?c=-2129030598\"},\"configData\":{\"href\":"
                       "\"https://h/DEFAULT/controller/v1/K1/configData\"}}}";
    assert_int_equal(ddi_parse_base(with, strlen(with), &b, err, sizeof err), 0);
    assert_int_equal(b.sleep_s, 300);
    assert_string_equal(b.action, "42");
    assert_true(b.config_data);
    assert_false(b.cancel);
    const char *none = "{\"config\":{\"polling\":{\"sleep\":\"12:00:01\"}},\"_links\":{}}";
    assert_int_equal(ddi_parse_base(none, strlen(none), &b, err, sizeof err), 0);
    assert_int_equal(b.sleep_s, 43201);
    assert_string_equal(b.deployment, "");
    assert_int_equal(ddi_parse_base("{}", 2, &b, err, sizeof err), 0);
    assert_int_equal(b.sleep_s, -1);
    const char *bad[] = {
        "", "[]", "nope", "{\"config\":{\"polling\":{\"sleep\":\"5 minutes\"}}}",
        "{\"config\":{\"polling\":{\"sleep\":300}}}",
        "{\"_links\":{\"deploymentBase\":{\"href\":\"ftp://h/deploymentBase/1\"}}}",
        "{\"_links\":{\"deploymentBase\":{\"href\":\"https://h/deploymentBase/x1\"}}}",
        "{\"_links\":{\"deploymentBase\":{\"href\":\"https://h/somewhere/1\"}}}",
        "{\"_links\":{\"deploymentBase\":{\"href\":\"https://h/a b/deploymentBase/1\"}}}",
        "{\"_links\":{\"deploymentBase\":\"https://h/deploymentBase/1\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ddi_parse_base(bad[i], strlen(bad[i]), &b, err, sizeof err), -1);
    assert_int_equal(ddi_sleep_parse("00:00:00"), 0);
    assert_int_equal(ddi_sleep_parse("99:59:59"), 99 * 3600 + 59 * 60 + 59);
    assert_int_equal(ddi_sleep_parse("00:60:00"), -1);
    assert_int_equal(ddi_sleep_parse("0:5:00"), -1);
    assert_int_equal(ddi_sleep_parse("00:05:0x"), -1);
    assert_int_equal(ddi_sleep_parse(NULL), -1);
    char action[DDI_ACTION_MAX];
    assert_int_equal(ddi_action_of("http://h/deploymentBase/7", action, sizeof action), 0);
    assert_string_equal(action, "7");
    assert_int_equal(ddi_action_of("http://h/deploymentBase/7/x", action, sizeof action), -1);
    assert_int_equal(ddi_action_of("http://h/deploymentBase/123456789012345678901", action,
                                   sizeof action), -1);
}

#define SHA "2f3d0a62a8b3c0d0e0f0a0b0c0d0e0f0a0b0c0d0e0f0a0b0c0d0e0f0a0b0c0d0"
#define ART(name, sha, link)                                                                \
    "{\"filename\":\"" name "\",\"size\":1234,\"hashes\":{\"sha1\":\"x\",\"md5\":\"y\","    \
    "\"sha256\":\"" sha "\"},\"_links\":{" link "}}"
/* A deployment of the one artifact x. */
#define ONE(x) "{\"id\":\"1\",\"deployment\":{\"chunks\":[{\"artifacts\":[" x "]}]}}"
#define DL "\"download-http\":{\"href\":\"http://h/DEFAULT/controller/v1/K1/softwaremodules/" \
           "3/artifacts/k.fkb\"}"

static void test_ddi_deployment(void **state)
{
    (void)state;
    struct ddi_deployment d;
    char err[256];
    const char *good = "{\"id\":\"42\",\"deployment\":{\"download\":\"forced\",\"update\":"
                       "\"forced\",\"chunks\":[{\"part\":\"os\",\"version\":\"0.2.0\",\"name\":"
                       "\"fuel-kiosk\",\"artifacts\":[" ART("k.fkb", SHA, DL) ","
                       ART("notes.txt", SHA, DL) "]}]}}";
    assert_int_equal(ddi_parse_deployment(good, strlen(good), &d, err, sizeof err), 0);
    assert_string_equal(d.id, "42");
    assert_string_equal(d.art.filename, "k.fkb");
    assert_int_equal(d.art.size, 1234);
    assert_string_equal(d.art.sha256, SHA);
    assert_string_equal(d.art.version, "0.2.0");
    assert_non_null(strstr(d.art.href, "/artifacts/k.fkb"));
    assert_false(d.skip_download || d.skip_update || d.window_closed);
    /* https preferred, sha256 read in either case */
    const char *both = "{\"id\":\"1\",\"deployment\":{\"download\":\"skip\",\"update\":\"skip\","
                       "\"maintenanceWindow\":\"unavailable\",\"chunks\":[{\"artifacts\":["
                       ART("k.fkb",
                           "2F3D0A62A8B3C0D0E0F0A0B0C0D0E0F0A0B0C0D0E0F0A0B0C0D0E0F0A0B0C0D0",
                           DL ",\"download\":{\"href\":\"https://h/k.fkb\"}") "]}]}}";
    assert_int_equal(ddi_parse_deployment(both, strlen(both), &d, err, sizeof err), 0);
    assert_string_equal(d.art.href, "https://h/k.fkb");
    assert_string_equal(d.art.sha256, SHA);
    assert_true(d.skip_download && d.skip_update && d.window_closed);
    const char *bad[] = {
        "", "{}", "{\"id\":\"1\"}", "{\"id\":\"x\",\"deployment\":{\"chunks\":[]}}",
        "{\"id\":\"1\",\"deployment\":{\"chunks\":[]}}",
        "{\"id\":\"1\",\"deployment\":{\"chunks\":{}}}",
        ONE(ART("a.txt", SHA, DL)),
        ONE(ART("a.fkb", SHA, DL) "," ART("b.fkb", SHA, DL)),
        ONE(ART("a.fkb", "abc", DL)),
        ONE(ART("a.fkb", SHA, "")),
        ONE(ART("../a.fkb", SHA, DL)),
        ONE("{\"filename\":\"a.fkb\",\"size\":-1,\"hashes\":{\"sha256\":\"" SHA "\"},"
            "\"_links\":{" DL "}}"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ddi_parse_deployment(bad[i], strlen(bad[i]), &d, err, sizeof err), -1);
}

static void test_ddi_bodies(void **state)
{
    (void)state;
    char *f = ddi_feedback_json(1700000000123, "closed", "failure", "refused: \"tampered\"");
    assert_non_null(f);
    assert_string_equal(f, "{\"timestamp\":1700000000123,\"status\":{\"execution\":\"closed\","
                           "\"result\":{\"finished\":\"failure\"},\"details\":[\"refused: "
                           "\\\"tampered\\\"\"]}}");
    free(f);
    f = ddi_feedback_json(1, "proceeding", "none", NULL);
    assert_non_null(strstr(f, "\"details\":[]"));
    free(f);
    f = ddi_config_json("b", "0.2.0");
    assert_string_equal(f, "{\"mode\":\"merge\",\"data\":{\"kiosk_slot\":\"b\",\"kiosk_version\":"
                           "\"0.2.0\"}}");
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_bundle_tool),
        cmocka_unit_test(test_bundle_refusals),
        cmocka_unit_test(test_bundle_tree),
        cmocka_unit_test(test_bundle_extract_rechecks),
        cmocka_unit_test(test_bundle_paths),
        cmocka_unit_test(test_bundle_header),
        cmocka_unit_test(test_slots_link),
        cmocka_unit_test(test_slots_switch_commit),
        cmocka_unit_test(test_slots_write_if),
        cmocka_unit_test(test_slots_switch_needs_kiosk),
        cmocka_unit_test(test_slots_crash_loop),
        cmocka_unit_test(test_slots_window),
        cmocka_unit_test(test_slots_rollback_and_repair),
        cmocka_unit_test(test_slots_bad_state),
        cmocka_unit_test(test_state_round_trip),
        cmocka_unit_test(test_ddi_base),
        cmocka_unit_test(test_ddi_deployment),
        cmocka_unit_test(test_ddi_bodies),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
