/* Blocking HTTP(S) transfers (backend/fetch.h): one libcurl easy handle per call. */
#include "backend/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crash.h"

#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_CONNECT_MS 5000

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- the common part ------------------------------------------------------------------ */

struct easy {
    CURL *e;
    struct curl_slist *headers;
    char errbuf[CURL_ERROR_SIZE];
};

/* A handle for url with the options every call shares. 0, or -1 (no memory). */
static int easy_open(struct easy *x, const struct fetch_opts *o, const char *url, char *err,
                     size_t errcap)
{
    pthread_once(&curl_once, curl_start);
    memset(x, 0, sizeof *x);
    x->e = curl_easy_init();
    if (!x->e) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    CURL *e = x->e;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     (long)(o && o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(o && o->connect_timeout_ms > 0 ? o->connect_timeout_ms
                                                           : DEFAULT_CONNECT_MS));
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (o && o->ca_file && o->ca_file[0])
        curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "fuel-kiosk");
    if (o && o->auth && o->auth[0])
        x->headers = curl_slist_append(x->headers, o->auth);
    x->headers = curl_slist_append(x->headers, "Expect:");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
    return 0;
}

static void easy_close(struct easy *x)
{
    curl_easy_cleanup(x->e);
    curl_slist_free_all(x->headers);
}

/* Runs the transfer: the HTTP status, or -1 with the reason in err. */
static int easy_run(struct easy *x, char *err, size_t errcap)
{
    CURLcode rc = curl_easy_perform(x->e);
    long status = 0;
    curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &status);
    if (rc == CURLE_OK)
        return (int)status;
    const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        snprintf(err, errcap, "timeout: %s", why);
    else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
        snprintf(err, errcap, "connect failed: %s", why);
    else if (rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ||
             rc == CURLE_SSL_CACERT_BADFILE)
        snprintf(err, errcap, "TLS: %s", why);
    else
        snprintf(err, errcap, "%s", why);
    return -1;
}

/* ---- answers into memory -------------------------------------------------------------- */

struct mem {
    char *buf;
    size_t n, max;
    int too_big, no_memory;
};

static size_t mem_write(char *p, size_t size, size_t n, void *user)
{
    struct mem *m = user;
    size_t len = size * n;
    if (len > m->max - m->n) {
        m->too_big = 1;
        return 0; /* aborts the transfer */
    }
    char *nb = realloc(m->buf, m->n + len + 1);
    if (!nb) {
        m->no_memory = 1;
        return 0;
    }
    m->buf = nb;
    memcpy(m->buf + m->n, p, len);
    m->n += len;
    m->buf[m->n] = '\0';
    return len;
}

static int to_memory(const struct fetch_opts *o, const char *method, const char *url,
                     const char *json, size_t max, char **body, size_t *len, char *err,
                     size_t errcap)
{
    struct easy x;
    struct mem m = {.max = max};
    if (body)
        *body = NULL;
    if (len)
        *len = 0;
    if (easy_open(&x, o, url, err, errcap) != 0)
        return -1;
    if (json) {
        x.headers = curl_slist_append(x.headers, "Content-Type: application/json");
        curl_easy_setopt(x.e, CURLOPT_HTTPHEADER, x.headers);
        curl_easy_setopt(x.e, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(x.e, CURLOPT_POSTFIELDS, json);
        curl_easy_setopt(x.e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json));
    }
    curl_easy_setopt(x.e, CURLOPT_WRITEFUNCTION, mem_write);
    curl_easy_setopt(x.e, CURLOPT_WRITEDATA, &m);
    int status = easy_run(&x, err, errcap);
    easy_close(&x);
    if (m.too_big)
        snprintf(err, errcap, "larger than %zu bytes", max);
    else if (m.no_memory)
        snprintf(err, errcap, "out of memory");
    if (status < 0 || m.too_big || m.no_memory) {
        free(m.buf);
        return -1;
    }
    if (!m.buf && !(m.buf = calloc(1, 1))) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    if (body)
        *body = m.buf;
    else
        free(m.buf);
    if (len)
        *len = m.n;
    return status;
}

int fetch_get(const struct fetch_opts *o, const char *url, size_t max, char **body,
              size_t *len, char *err, size_t errcap)
{
    return to_memory(o, "GET", url, NULL, max, body, len, err, errcap);
}

int fetch_send(const struct fetch_opts *o, const char *method, const char *url,
               const char *json, size_t max, char **body, size_t *len, char *err,
               size_t errcap)
{
    return to_memory(o, method, url, json ? json : "", max, body, len, err, errcap);
}

/* ---- answers into a file -------------------------------------------------------------- */

struct fsink {
    CURL *e;
    int fd;
    int64_t start;        /* where the request asked the answer to start */
    int64_t base;         /* the file offset of the answer's first byte */
    int64_t got;          /* bytes of this answer written */
    int64_t max;
    int decided;          /* the answer's status was looked at */
    int64_t cr_start, cr_total; /* its Content-Range, -1 when absent */
    int too_big, io_error, misplaced;
};

/* "Content-Range: bytes A-B/T" or "bytes *\/T" into cr_start, cr_total. */
static size_t file_header(char *p, size_t size, size_t n, void *user)
{
    struct fsink *s = user;
    size_t len = size * n;
    char line[256];
    size_t k = len < sizeof line - 1 ? len : sizeof line - 1;
    memcpy(line, p, k);
    line[k] = '\0';
    if (!strncmp(line, "HTTP/", 5)) { /* a new answer (after a redirect): its own headers */
        s->cr_start = s->cr_total = -1;
        return len;
    }
    if (strncasecmp(line, "Content-Range:", 14))
        return len;
    const char *v = line + 14;
    while (*v == ' ' || *v == '\t')
        v++;
    if (strncmp(v, "bytes ", 6))
        return len;
    v += 6;
    long long a = -1, b = -1, t = -1;
    if (*v == '*') {
        if (sscanf(v, "*/%lld", &t) == 1)
            s->cr_total = t;
    } else if (sscanf(v, "%lld-%lld/%lld", &a, &b, &t) >= 2) {
        s->cr_start = a;
        s->cr_total = t; /* an unknown total ("/" then "*") stays -1 */
    }
    return len;
}

/* The first bytes of a 200 or 206: where they go. 0, or -1 to abort. */
static int file_decide(struct fsink *s, long status)
{
    curl_off_t clen = -1;
    curl_easy_getinfo(s->e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
    if (status == 206) {
        if (s->cr_start != s->start) {
            s->misplaced = 1;
            return -1;
        }
        s->base = s->start;
        if (s->cr_total > s->max || (clen >= 0 && s->start + (int64_t)clen > s->max)) {
            s->too_big = 1;
            return -1;
        }
    } else {
        s->base = 0; /* the whole file, from its start */
        if (clen > (curl_off_t)s->max) {
            s->too_big = 1;
            return -1;
        }
        if (ftruncate(s->fd, 0) != 0) {
            s->io_error = errno;
            return -1;
        }
    }
    s->decided = 1;
    return 0;
}

static size_t file_write(char *p, size_t size, size_t n, void *user)
{
    struct fsink *s = user;
    size_t len = size * n;
    long status = 0;
    curl_easy_getinfo(s->e, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200 && status != 206)
        return len; /* an error's body, or a redirect's: not the file */
    if (!s->decided && file_decide(s, status) != 0)
        return 0;
    if ((int64_t)len > s->max - s->base - s->got) {
        s->too_big = 1;
        return 0;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = pwrite(s->fd, p + done, len - done, (off_t)(s->base + s->got));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->io_error = w < 0 ? errno : EIO;
            return 0;
        }
        done += (size_t)w;
        s->got += w;
    }
    crash_point("fetch.write:after"); /* a power cut mid-file (the updater's crash tests) */
    return len;
}

static int64_t file_size(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* One request from the file's current size. The status (200, 206, 416, other) or -1. */
static int file_attempt(const struct fetch_opts *o, const char *url, struct fsink *s,
                        char *err, size_t errcap)
{
    struct easy x;
    if (easy_open(&x, o, url, err, errcap) != 0)
        return -1;
    s->e = x.e;
    s->base = s->got = 0;
    s->decided = s->too_big = s->io_error = s->misplaced = 0;
    s->cr_start = s->cr_total = -1;
    char range[48];
    if (s->start > 0) {
        snprintf(range, sizeof range, "%" PRId64 "-", s->start);
        curl_easy_setopt(x.e, CURLOPT_RANGE, range);
    }
    curl_easy_setopt(x.e, CURLOPT_WRITEFUNCTION, file_write);
    curl_easy_setopt(x.e, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(x.e, CURLOPT_HEADERFUNCTION, file_header);
    curl_easy_setopt(x.e, CURLOPT_HEADERDATA, s);
    int status = easy_run(&x, err, errcap);
    easy_close(&x);
    if (s->too_big) {
        snprintf(err, errcap, "larger than %" PRId64 " bytes", s->max);
        return -1;
    }
    if (s->io_error) {
        snprintf(err, errcap, "write: %s", strerror(s->io_error));
        return -1;
    }
    if (s->misplaced) {
        snprintf(err, errcap, "the server resumed at %" PRId64 ", not %" PRId64
                 ": the file starts over", s->cr_start, s->start);
        if (ftruncate(s->fd, 0) != 0)
            snprintf(err, errcap, "ftruncate: %s", strerror(errno));
        return -1;
    }
    if (status == 200 && !s->decided && ftruncate(s->fd, 0) != 0) { /* an empty whole */
        snprintf(err, errcap, "ftruncate: %s", strerror(errno));
        return -1;
    }
    return status;
}

int fetch_file(const struct fetch_opts *o, const char *url, const char *path, int64_t max,
               int64_t *size, char *err, size_t errcap)
{
    if (size)
        *size = -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct fsink s = {.fd = fd, .max = max};
    int rc = -1;
    for (int round = 0; round < 2; round++) {
        s.start = file_size(fd);
        if (s.start < 0 || s.start > max) {
            if (s.start < 0 || ftruncate(fd, 0) != 0) {
                snprintf(err, errcap, "%s: %s", path, strerror(errno));
                break;
            }
            s.start = 0;
        }
        int status = file_attempt(o, url, &s, err, errcap);
        if (status == 200 || status == 206) {
            rc = status;
        } else if (status == 416 && s.start > 0 && s.cr_total == s.start) {
            rc = 206; /* it was whole already */
        } else if (status == 416 && s.start > 0 && round == 0) {
            if (ftruncate(fd, 0) == 0)
                continue; /* the file is not a start of this one: from the start, once */
            snprintf(err, errcap, "ftruncate: %s", strerror(errno));
        } else if (status >= 0) {
            snprintf(err, errcap, "HTTP %d", status);
        }
        break;
    }
    if (fsync(fd) != 0 && rc > 0) {
        snprintf(err, errcap, "fsync: %s", strerror(errno));
        rc = -1;
    }
    if (size)
        *size = file_size(fd);
    close(fd);
    return rc;
}
