/* backend/fetch.h against a tiny libmicrohttpd server on a free port: GET and POST/PUT into
 * memory (sizes, statuses, the auth line, timeouts, refused connections), and downloads into
 * a file with Range resume (a cut connection, a server without ranges, 416 on a complete
 * file, a file that is not a start of the artifact, redirects, the size limit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/fetch.h"

#define ART_LEN 100000

static struct MHD_Daemon *daemon_;
static int port;
static char art[ART_LEN];
static int cut_after = -1;     /* /file: the next answer stops after this many bytes */
static char last_range[64];    /* the Range header of the last /file request */
static char tmpdir[64];

struct cut {
    const char *p;
    size_t n, limit;
};

static ssize_t cut_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct cut *c = cls;
    if (pos >= c->limit)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* the connection drops */
    size_t k = c->limit - (size_t)pos < max ? c->limit - (size_t)pos : max;
    memcpy(buf, c->p + pos, k);
    return (ssize_t)k;
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *body,
                              size_t n)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(n, (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

/* The artifact from `from` (a 206 when from > 0), cut short when asked. */
static enum MHD_Result serve_file(struct MHD_Connection *c, int ranges)
{
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
    snprintf(last_range, sizeof last_range, "%s", range ? range : "");
    long from = 0;
    if (ranges && range && sscanf(range, "bytes=%ld-", &from) == 1 && from >= ART_LEN) {
        char cr[64];
        snprintf(cr, sizeof cr, "bytes */%d", ART_LEN);
        struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Content-Range", cr);
        enum MHD_Result rc = MHD_queue_response(c, 416, r);
        MHD_destroy_response(r);
        return rc;
    }
    if (!ranges)
        from = 0;
    size_t n = (size_t)(ART_LEN - from);
    struct MHD_Response *r;
    static struct cut cut;
    if (cut_after >= 0) {
        cut = (struct cut){art + from, n, (size_t)cut_after};
        cut_after = -1;
        r = MHD_create_response_from_callback(n, 4096, cut_read, &cut, NULL);
    } else {
        r = MHD_create_response_from_buffer(n, art + from, MHD_RESPMEM_PERSISTENT);
    }
    if (from > 0) {
        char cr[80];
        snprintf(cr, sizeof cr, "bytes %ld-%d/%d", from, ART_LEN - 1, ART_LEN);
        MHD_add_response_header(r, "Content-Range", cr);
    }
    enum MHD_Result rc = MHD_queue_response(c, from > 0 ? 206 : 200, r);
    MHD_destroy_response(r);
    return rc;
}

struct post {
    char buf[4096];
    size_t n;
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    (void)cls, (void)version;
    if (!*con_cls) {
        *con_cls = calloc(1, sizeof(struct post));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    struct post *p = *con_cls;
    if (*size) {
        size_t k = *size < sizeof p->buf - 1 - p->n ? *size : sizeof p->buf - 1 - p->n;
        memcpy(p->buf + p->n, data, k);
        p->n += k;
        *size = 0;
        return MHD_YES;
    }
    if (!strcmp(url, "/hello"))
        return answer(c, 200, "hello", 5);
    if (!strcmp(url, "/empty"))
        return answer(c, 204, "", 0);
    if (!strcmp(url, "/missing"))
        return answer(c, 404, "{\"error\":\"no\"}", 14);
    if (!strcmp(url, "/auth")) {
        const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        return a ? answer(c, 200, a, strlen(a)) : answer(c, 401, "", 0);
    }
    if (!strcmp(url, "/echo")) {
        char out[4200];
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        int n = snprintf(out, sizeof out, "%s %s %.*s", method, ct ? ct : "-", (int)p->n,
                         p->buf);
        return answer(c, 201, out, (size_t)n);
    }
    if (!strcmp(url, "/slow")) {
        usleep(1500000);
        return answer(c, 200, "late", 4);
    }
    if (!strcmp(url, "/file"))
        return serve_file(c, 1);
    if (!strcmp(url, "/norange"))
        return serve_file(c, 0);
    if (!strcmp(url, "/moved")) {
        struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Location", "/file");
        enum MHD_Result rc = MHD_queue_response(c, 302, r);
        MHD_destroy_response(r);
        return rc;
    }
    return answer(c, 404, "", 0);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)c, (void)code;
    free(*con_cls);
    *con_cls = NULL;
}

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < ART_LEN; i++)
        art[i] = (char)(i * 7 + i / 251);
    daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                               0, NULL, NULL, on_request, NULL, MHD_OPTION_NOTIFY_COMPLETED,
                               on_done, NULL, MHD_OPTION_END);
    if (!daemon_)
        return -1;
    port = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/unit-fetch-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    MHD_stop_daemon(daemon_);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void url_of(char *out, size_t cap, const char *path)
{
    snprintf(out, cap, "http://127.0.0.1:%d%s", port, path);
}

static void test_get(void **state)
{
    (void)state;
    char url[128], err[256];
    char *body = NULL;
    size_t len = 0;
    url_of(url, sizeof url, "/hello");
    assert_int_equal(fetch_get(NULL, url, 100, &body, &len, err, sizeof err), 200);
    assert_int_equal(len, 5);
    assert_string_equal(body, "hello");
    free(body);
    /* an answer over max is an error, not a cut body */
    body = (char *)1;
    assert_int_equal(fetch_get(NULL, url, 4, &body, &len, err, sizeof err), -1);
    assert_null(body);
    assert_non_null(strstr(err, "larger than 4"));
    /* an empty answer is "" */
    url_of(url, sizeof url, "/empty");
    assert_int_equal(fetch_get(NULL, url, 100, &body, &len, err, sizeof err), 204);
    assert_string_equal(body, "");
    free(body);
    /* an error status comes back as itself, with its body */
    url_of(url, sizeof url, "/missing");
    assert_int_equal(fetch_get(NULL, url, 100, &body, &len, err, sizeof err), 404);
    assert_string_equal(body, "{\"error\":\"no\"}");
    free(body);
    /* body not wanted */
    assert_int_equal(fetch_get(NULL, url, 100, NULL, NULL, err, sizeof err), 404);
}

static void test_auth_and_send(void **state)
{
    (void)state;
    char url[128], err[256];
    char *body = NULL;
    size_t len;
    url_of(url, sizeof url, "/auth");
    assert_int_equal(fetch_get(NULL, url, 100, NULL, NULL, err, sizeof err), 401);
    struct fetch_opts o = {.auth = "Authorization: TargetToken s3cret"};
    assert_int_equal(fetch_get(&o, url, 100, &body, &len, err, sizeof err), 200);
    assert_string_equal(body, "TargetToken s3cret");
    free(body);
    url_of(url, sizeof url, "/echo");
    assert_int_equal(fetch_send(&o, "POST", url, "{\"a\":1}", 1000, &body, &len, err,
                                sizeof err), 201);
    assert_string_equal(body, "POST application/json {\"a\":1}");
    free(body);
    assert_int_equal(fetch_send(&o, "PUT", url, "{}", 1000, NULL, NULL, err, sizeof err), 201);
}

static void test_failures(void **state)
{
    (void)state;
    char url[128], err[256];
    struct fetch_opts quick = {.timeout_ms = 300};
    url_of(url, sizeof url, "/slow");
    assert_int_equal(fetch_get(&quick, url, 100, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "timeout"));
    /* nobody listens on port 1 */
    assert_int_equal(fetch_get(NULL, "http://127.0.0.1:1/x", 100, NULL, NULL, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "connect failed"));
    assert_int_equal(fetch_get(NULL, "file:///etc/passwd", 100, NULL, NULL, err, sizeof err),
                     -1);
}

static int same_as_art(const char *path, int64_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    static char buf[ART_LEN + 1];
    size_t k = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return (int64_t)k == n && !memcmp(buf, art, k);
}

static void test_file_resume(void **state)
{
    (void)state;
    char url[128], err[256], path[128];
    int64_t size = 0;
    snprintf(path, sizeof path, "%s/resume", tmpdir);
    url_of(url, sizeof url, "/file");
    /* the first answer is cut after 30000 bytes: an error, what came is kept */
    cut_after = 30000;
    assert_int_equal(fetch_file(NULL, url, path, ART_LEN, &size, err, sizeof err), -1);
    assert_true(size > 0 && size <= 30000);
    assert_string_equal(last_range, "");
    assert_true(same_as_art(path, size));
    int64_t had = size;
    /* the next goes on from there with a Range request */
    assert_int_equal(fetch_file(NULL, url, path, ART_LEN, &size, err, sizeof err), 206);
    char want[48];
    snprintf(want, sizeof want, "bytes=%lld-", (long long)had);
    assert_string_equal(last_range, want);
    assert_int_equal(size, ART_LEN);
    assert_true(same_as_art(path, ART_LEN));
    /* again: the server says 416, the file is whole */
    assert_int_equal(fetch_file(NULL, url, path, ART_LEN, &size, err, sizeof err), 206);
    assert_int_equal(size, ART_LEN);
    assert_true(same_as_art(path, ART_LEN));
}

static void test_file_restart(void **state)
{
    (void)state;
    char url[128], err[256], path[128];
    int64_t size = 0;
    snprintf(path, sizeof path, "%s/restart", tmpdir);
    /* a server without ranges answers 200: the file starts over */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("garbage that is not the start", f);
    fclose(f);
    url_of(url, sizeof url, "/norange");
    assert_int_equal(fetch_file(NULL, url, path, ART_LEN, &size, err, sizeof err), 200);
    assert_int_equal(size, ART_LEN);
    assert_true(same_as_art(path, ART_LEN));
    /* a file longer than the artifact: 416 without a match, from the start once */
    f = fopen(path, "ab");
    assert_non_null(f);
    fputs("more", f);
    fclose(f);
    url_of(url, sizeof url, "/file");
    assert_int_equal(fetch_file(NULL, url, path, 2 * ART_LEN, &size, err, sizeof err), 200);
    assert_int_equal(size, ART_LEN);
    assert_true(same_as_art(path, ART_LEN));
    /* redirects are followed, and resume too */
    assert_int_equal(truncate(path, 1000), 0);
    url_of(url, sizeof url, "/moved");
    assert_int_equal(fetch_file(NULL, url, path, ART_LEN, &size, err, sizeof err), 206);
    assert_true(same_as_art(path, ART_LEN));
}

static void test_file_limits(void **state)
{
    (void)state;
    char url[128], err[256], path[128];
    int64_t size = 0;
    snprintf(path, sizeof path, "%s/limits", tmpdir);
    url_of(url, sizeof url, "/file");
    assert_int_equal(fetch_file(NULL, url, path, ART_LEN - 1, &size, err, sizeof err), -1);
    assert_non_null(strstr(err, "larger than"));
    /* an HTTP error leaves the file as it was */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("keep", f);
    fclose(f);
    url_of(url, sizeof url, "/missing");
    assert_int_equal(fetch_file(NULL, url, path, ART_LEN, &size, err, sizeof err), -1);
    assert_string_equal(err, "HTTP 404");
    assert_int_equal(size, 4);
    /* a folder that does not exist */
    assert_int_equal(fetch_file(NULL, url, "/nonexistent/dir/x", ART_LEN, &size, err,
                                sizeof err), -1);
    assert_int_equal(size, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_auth_and_send),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_file_resume),
        cmocka_unit_test(test_file_restart),
        cmocka_unit_test(test_file_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
