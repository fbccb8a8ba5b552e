/* Blocking HTTP(S) transfers for tools and worker threads (the updater's DDI client, ad
 * downloads), never for the UI thread: each call returns only when its transfer ended or its
 * timeout ran out. Part of the backend module, the only one that uses libcurl.
 *
 * TLS is always verified (peer and host name); redirects are followed (at most 3, http and
 * https only; an `auth` header is not sent to another host). No request is ever logged with
 * its `auth` line. Errors are -1 with a short reason in err ("connect failed: ...",
 * "timeout", "HTTP 404", "larger than N bytes"). Thread-safe: calls share nothing. */
#ifndef KIOSK_BACKEND_FETCH_H
#define KIOSK_BACKEND_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct fetch_opts {
    const char *ca_file;       /* NULL/"": the system's CAs; TLS always verified */
    const char *auth;          /* a whole header line ("Authorization: TargetToken x") or NULL */
    int timeout_ms;            /* the whole transfer; 0 = 30 s */
    int connect_timeout_ms;    /* 0 = 5 s */
};

/* GET url: *body malloc'd, NUL-terminated (*len without the NUL), at most `max` bytes (more is
 * an error). Returns the HTTP status, or -1 with the reason in err. body and len may be NULL
 * when the answer is not wanted; the caller frees *body (also on a status >= 300, when the
 * server said why). */
int fetch_get(const struct fetch_opts *o, const char *url, size_t max, char **body,
              size_t *len, char *err, size_t errcap);

/* POST/PUT a JSON body (Content-Type: application/json); the answer as fetch_get's (body may
 * be NULL when not wanted). */
int fetch_send(const struct fetch_opts *o, const char *method, const char *url,
               const char *json, size_t max, char **body, size_t *len, char *err,
               size_t errcap);

/* Downloads url into `path` (created when missing), resuming from the file's current size
 * with a Range request: a 206 answer whose Content-Range starts there is appended; a 200
 * answer instead starts the file over; a 416 whose Content-Range says the whole is as long as
 * the file means it is complete already (206 is returned), any other 416 empties the file and
 * the download starts over once. At most `max` bytes in all (a larger announced or delivered
 * size is an error). The file is fsynced before returning, also after an error (what came is
 * kept for the next resume). Returns 200 or 206, or -1 with the reason in err (an HTTP error
 * status as "HTTP <status>": the file is left as it was). *size (may be NULL) = the file's
 * size after, -1 when it could not be read. Crash point "fetch.write:after" after each piece
 * written (core/crash.h: KIOSK_CRASH_AT=fetch.write:after#3 cuts the power mid-file). */
int fetch_file(const struct fetch_opts *o, const char *url, const char *path, int64_t max,
               int64_t *size, char *err, size_t errcap);

#endif
