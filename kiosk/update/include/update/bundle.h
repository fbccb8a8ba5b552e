/* Update bundles (docs/updates.md): one file, a signed header and a tar payload.
 *
 *   FKB1\n
 *   {"product":"fuel-kiosk","version":"0.2.0","payload_size":N,"payload_sha256":"<hex>",
 *    "created":<unix s>}\n                        the manifest: one line of JSON
 *   <128 hex: Ed25519 signature of the manifest line's bytes, without its \n>\n
 *   <payload: a tar, plain or gzip'd, of the slot's tree>
 *
 * A bundle is taken only when every check holds: the header, the signature with the
 * configured public key, the manifest's fields, a version newer than the one installed,
 * the payload's size and SHA-256 as signed, and the tree: only regular files, folders and
 * symbolic links, paths inside the slot (none absolute, no "..", nothing through a link, a
 * link's target inside too), at most BUNDLE_MAX_ENTRIES entries and BUNDLE_MAX_TREE bytes,
 * with an executable bin/kiosk and a VERSION file that says the manifest's version. The
 * only module that uses libarchive. */
#ifndef KIOSK_UPDATE_BUNDLE_H
#define KIOSK_UPDATE_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "update/version.h"

#define BUNDLE_MAGIC "FKB1\n"
#define BUNDLE_PRODUCT "fuel-kiosk"
#define BUNDLE_HEADER_MAX 4096            /* the three header lines together */
#define BUNDLE_MAX_ENTRIES 20000
#define BUNDLE_MAX_TREE (INT64_C(1) << 30) /* bytes of files in the tree */
#define BUNDLE_PATH_MAX 1024

/* Why a bundle was refused; fixed values, never renumbered. */
enum bundle_err {
    BUNDLE_OK = 0,
    BUNDLE_IO = 1,            /* the file cannot be read (or the slot written) */
    BUNDLE_NOT_SIGNED = 2,    /* no FKB1 header, or an empty signature line */
    BUNDLE_MALFORMED = 3,     /* the header's lines are not as above */
    BUNDLE_NO_KEY = 4,        /* the configured public key is not 64 hex characters */
    BUNDLE_BAD_SIGNATURE = 5, /* not signed with the configured key (another key, or changed) */
    BUNDLE_BAD_MANIFEST = 6,  /* signed, but a field is missing or wrong */
    BUNDLE_DOWNGRADE = 7,     /* not newer than the version installed */
    BUNDLE_SAME_VERSION = 8,  /* the version installed already */
    BUNDLE_TOO_BIG = 9,       /* payload over the limit */
    BUNDLE_TAMPERED = 10,     /* the payload is not what was signed (size or SHA-256) */
    BUNDLE_BAD_PAYLOAD = 11,  /* not a tar, or its VERSION says another version */
    BUNDLE_UNSAFE = 12,       /* an entry that could reach out of the slot, or too many */
    BUNDLE_INCOMPLETE = 13,   /* no executable bin/kiosk, or no VERSION */
    BUNDLE_ERR_LAST
};
const char *bundle_strerror(enum bundle_err e);

/* The header's three lines, borrowed from the buffer they were split out of. */
struct bundle_header {
    size_t len;             /* bytes before the payload */
    const char *manifest;   /* the signed bytes */
    size_t manifest_len;
    char sig[129];          /* 128 hex */
};
/* Splits the header at the start of buf (n bytes, at least the header's). */
enum bundle_err bundle_header_split(const char *buf, size_t n, struct bundle_header *h);

struct bundle_manifest {
    char product[32];
    char version[VERSION_MAX];
    char payload_sha256[65];
    int64_t payload_size;
    int64_t created;
};
/* Reads a manifest (strict: every field, the right types and sizes, a version, 64 lowercase
 * hex). BUNDLE_OK or BUNDLE_BAD_MANIFEST. */
enum bundle_err bundle_manifest_parse(const char *text, size_t len, struct bundle_manifest *m);

/* An entry's path made plain (leading "./" and a trailing "/" dropped) into out: 1 when it
 * stays inside the slot (not empty, not absolute, no "." or ".." part, no empty part, no
 * control character, shorter than BUNDLE_PATH_MAX), else 0. */
int bundle_path_safe(const char *path, char *out, size_t cap);
/* 1 when a symbolic link at plain path `path` pointing to `target` stays inside the slot
 * (relative, and its ".." parts never climb above the slot's top). */
int bundle_link_safe(const char *path, const char *target);

struct bundle_info {
    struct bundle_manifest m;
    int64_t offset;         /* where the payload starts */
    int entries;
    int64_t tree_bytes;
};

/* Every check of a bundle file against public key pk_hex and the installed version
 * (a version; "0.0.0" when unknown), the payload at most max_payload bytes. BUNDLE_OK with
 * info filled, or why not with the detail in err. Reads the file three times (header,
 * hash, tree); writes nothing. */
enum bundle_err bundle_verify(const char *path, const char *pk_hex, const char *installed,
                              int64_t max_payload, struct bundle_info *info, char *err,
                              size_t errcap);
/* Extracts a verified bundle into folder `dir` (existing, empty), checking every entry and
 * the payload's hash again as it goes (the file may have changed since bundle_verify), then
 * fsyncs every file and folder. BUNDLE_OK, or why not (what was written stays: the caller
 * wipes the folder). Crash point "update.extract:entry" after each entry. */
enum bundle_err bundle_extract(const char *path, const struct bundle_info *info,
                               const char *dir, char *err, size_t errcap);

/* Makes a bundle of folder `dir` (its tree as the slot will hold it: bin/kiosk, VERSION, ...)
 * for `version`, signed with the Ed25519 key of the 32-byte seed seed_hex (64 hex), into
 * `out` (written as out.tmp, then renamed). 0, or -1 with why in err. The tool's, for
 * operators and tests. */
int bundle_write(const char *dir, const char *seed_hex, const char *version, int64_t created,
                 const char *out, char *err, size_t errcap);
/* The public key (64 hex + NUL) of a seed (64 hex). 0 or -1. */
int bundle_public_key(const char *seed_hex, char out[65]);

#endif
