#include "ads.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "backend/fetch.h"
#include "core/file.h"
#include "core/log.h"
#include "core/sign.h"

#define MOD "fleet"
#define TRIES 3                       /* per image */
#define TRANSFER_MS 120000            /* one try of one image */
#define CONNECT_MS 10000
#define RETRY_MS 2000                 /* x the try: the pause between tries */
#define DISK_MARGIN (INT64_C(16) << 20) /* left free besides the images */

struct fl_download {
    pthread_mutex_t lock;     /* refs, abandoned, done, ok, detail */
    pthread_cond_t cond;      /* abandoned */
    int refs, abandoned, done, ok;
    char detail[FL_DETAIL_MAX];
    struct host_svc *h;
    struct fl_playlist p;
    char *body;
    char ads_dir[512], dir[600];
    pthread_t thread;
};

static void release(struct fl_download *d)
{
    pthread_mutex_lock(&d->lock);
    int last = --d->refs == 0;
    pthread_mutex_unlock(&d->lock);
    if (!last)
        return;
    free(d->body);
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

static int abandoned(struct fl_download *d)
{
    pthread_mutex_lock(&d->lock);
    int a = d->abandoned;
    pthread_mutex_unlock(&d->lock);
    return a;
}

/* Sleeps ms unless the download is let go meanwhile. */
static void pause_ms(struct fl_download *d, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&d->lock);
    while (!d->abandoned && pthread_cond_timedwait(&d->cond, &d->lock, &until) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&d->lock);
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* 1 when the file at path is `size` bytes whose SHA-256 is sha256 (hex). */
static int file_matches(const char *path, int64_t size, const char *sha256)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != size)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    struct sign_sha256 h;
    char buf[16384], hex[SIGN_HEX_LEN];
    size_t n;
    sign_sha256_init(&h);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sign_sha256_update(&h, buf, n);
    int err = ferror(f);
    fclose(f);
    sign_sha256_final_hex(&h, hex);
    return !err && !strcmp(hex, sha256);
}

/* Slide s into <dir>/<id>.png: 0, or -1 with why. */
static int fetch_slide(struct fl_download *d, const struct fl_slide *s, char *why, size_t cap)
{
    char path[700], part[720];
    snprintf(path, sizeof path, "%s/%s.png", d->dir, s->id);
    snprintf(part, sizeof part, "%s.part", path);
    if (file_matches(path, s->size, s->sha256))
        return 0;
    struct fetch_opts o = {.timeout_ms = TRANSFER_MS, .connect_timeout_ms = CONNECT_MS};
    char err[160] = "";
    for (int attempt = 1; attempt <= TRIES && !abandoned(d); attempt++) {
        int64_t got = -1;
        if (fetch_file(&o, s->url, part, s->size, &got, err, sizeof err) < 0) {
            log_warn(MOD, "playlist %" PRId64 ": slide %s, try %d: %s", d->p.version, s->id,
                     attempt, err);
            if (attempt < TRIES)
                pause_ms(d, RETRY_MS * attempt);
            continue;
        }
        if (got != s->size || !file_matches(part, s->size, s->sha256)) {
            unlink(part); /* the server's file is not the one signed: no use resuming it */
            snprintf(why, cap, "slide %s: %" PRId64 " bytes that are not the signed image "
                               "(size or sha256)", s->id, got);
            return -1;
        }
        if (rename(part, path) != 0) {
            snprintf(why, cap, "slide %s: %s", s->id, strerror(errno));
            return -1;
        }
        return 0;
    }
    snprintf(why, cap, "slide %s: %s", s->id, abandoned(d) ? "stopped" : err);
    return -1;
}

static int fetch_all(struct fl_download *d, char *why, size_t cap)
{
    if ((mkdir(d->ads_dir, 0755) != 0 && errno != EEXIST) ||
        (mkdir(d->dir, 0755) != 0 && errno != EEXIST)) {
        snprintf(why, cap, "%.100s: %s", d->dir, strerror(errno));
        return -1;
    }
    struct statvfs vfs;
    int64_t need = DISK_MARGIN;
    for (int i = 0; i < d->p.n; i++)
        need += d->p.v[i].size;
    if (statvfs(d->dir, &vfs) == 0 && (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize < need) {
        snprintf(why, cap, "not enough disk: %" PRId64 " MiB needed, %" PRId64 " MiB free",
                 need >> 20, ((int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize) >> 20);
        return -1;
    }
    for (int i = 0; i < d->p.n; i++)
        if (fetch_slide(d, &d->p.v[i], why, cap) != 0)
            return -1;
    char path[700];
    char *manifest = fl_playlist_manifest(&d->p);
    snprintf(path, sizeof path, "%s/slides.ini", d->dir);
    int rc = manifest ? file_replace(path, manifest, strlen(manifest)) : -1;
    free(manifest);
    snprintf(path, sizeof path, "%s/playlist.json", d->dir);
    if (rc == 0)
        rc = file_replace(path, d->body, strlen(d->body));
    if (rc != 0 || sync_dir(d->dir) != 0) {
        snprintf(why, cap, "%.100s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int version_folder(const char *name)
{
    size_t n = strlen(name);
    return n > 0 && n < 20 && strspn(name, "0123456789") == n;
}

/* A version folder and the files in it (it has no folders). */
static void remove_folder(const char *ads_dir, const char *name)
{
    char dir[600], path[900];
    snprintf(dir, sizeof dir, "%s/%s", ads_dir, name);
    DIR *dp = opendir(dir);
    struct dirent *e;
    while (dp && (e = readdir(dp)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (dp)
        closedir(dp);
    if (rmdir(dir) != 0)
        log_warn(MOD, "cannot remove the old playlist %s: %s", dir, strerror(errno));
}

/* `current` to the new folder (current.new made, renamed over it), then the folders other
 * than it and the one before it removed. */
static int switch_to(struct fl_download *d, char *why, size_t cap)
{
    char cur[600], tmp[610], prev[64] = "", name[24];
    snprintf(cur, sizeof cur, "%s/current", d->ads_dir);
    snprintf(tmp, sizeof tmp, "%s.new", cur);
    snprintf(name, sizeof name, "%" PRId64, d->p.version);
    ssize_t n = readlink(cur, prev, sizeof prev - 1);
    prev[n > 0 ? n : 0] = '\0';
    unlink(tmp);
    if (symlink(name, tmp) != 0 || rename(tmp, cur) != 0 || sync_dir(d->ads_dir) != 0) {
        snprintf(why, cap, "%.100s: %s", cur, strerror(errno));
        unlink(tmp);
        return -1;
    }
    if (!strcmp(prev, name))
        return 0; /* taken up again after a restart: the folder before it is unknown now */
    DIR *dp = opendir(d->ads_dir);
    struct dirent *e;
    while (dp && (e = readdir(dp)))
        if (version_folder(e->d_name) && strcmp(e->d_name, name) && strcmp(e->d_name, prev))
            remove_folder(d->ads_dir, e->d_name);
    if (dp)
        closedir(dp);
    return 0;
}

static void *run(void *arg)
{
    struct fl_download *d = arg;
    char why[FL_DETAIL_MAX] = "";
    int ok = fetch_all(d, why, sizeof why) == 0;
    if (ok && abandoned(d)) { /* the kiosk is stopping: it is taken up at the next start */
        snprintf(why, sizeof why, "stopped");
        ok = 0;
    }
    ok = ok && switch_to(d, why, sizeof why) == 0;
    pthread_mutex_lock(&d->lock);
    d->done = 1;
    d->ok = ok;
    if (ok)
        snprintf(d->detail, sizeof d->detail, "playlist %" PRId64 " in force: %d slides",
                 d->p.version, d->p.n);
    else
        snprintf(d->detail, sizeof d->detail, "%s", why);
    if (!d->abandoned)
        host_wake(d->h);
    pthread_mutex_unlock(&d->lock);
    release(d);
    return NULL;
}

struct fl_download *fl_download_start(struct host_svc *h, const char *ads_dir,
                                      const struct fl_playlist *p, const char *body,
                                      char *why, size_t cap)
{
    struct fl_download *d = calloc(1, sizeof *d);
    if (!d || !(d->body = strdup(body))) {
        free(d);
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&d->lock, NULL);
    d->h = h;
    d->p = *p;
    snprintf(d->ads_dir, sizeof d->ads_dir, "%s", ads_dir);
    snprintf(d->dir, sizeof d->dir, "%s/%" PRId64, ads_dir, p->version);
    d->refs = 2;
    if (pthread_create(&d->thread, NULL, run, d) != 0) {
        d->refs = 1;
        release(d);
        snprintf(why, cap, "cannot start the download's thread");
        return NULL;
    }
    return d;
}

int fl_download_done(struct fl_download *d, int *ok, char *detail, size_t cap)
{
    pthread_mutex_lock(&d->lock);
    int done = d->done;
    if (done) {
        *ok = d->ok;
        snprintf(detail, cap, "%s", d->detail);
    }
    pthread_mutex_unlock(&d->lock);
    return done;
}

const char *fl_download_dir(const struct fl_download *d)
{
    return d->dir;
}

void fl_download_release(struct fl_download *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    int done = d->done;
    d->abandoned = 1;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    if (done)
        pthread_join(d->thread, NULL); /* it is at its end */
    else
        pthread_detach(d->thread);
    release(d);
}
