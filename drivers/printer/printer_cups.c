/* The CUPS printer driver: the only file that uses libcups. Receipts go as raw jobs to a
 * queue (the printer gets the ESC/POS bytes unchanged). Status comes from the printer
 * itself over its TCP port (DLE EOT) when status_addr is set, and from CUPS
 * (printer-state, printer-state-reasons), worst first. */
#include <arpa/inet.h>
#include <cups/cups.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "printer/printer.h"
#include "core/log.h"

struct cups_priv {
    char server[260]; /* "host:port" as configured, or "" for CUPS's default */
    char host[200];
    int port;
    char queue[64];
    char status_host[200];
    int status_port;
    int timeout_ms;
};

static int split_addr(const char *s, char *host, size_t cap, int *port)
{
    const char *colon = s ? strrchr(s, ':') : NULL;
    if (!colon || colon == s || (size_t)(colon - s) >= cap)
        return -1;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 1 || p > 65535)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    *port = (int)p;
    return 0;
}

/* Its keys in a [printer.<name>] section. */
struct cups_opts {
    char server[256];
    char queue[64];
    char status_addr[128];
    int timeout_ms;
};

static const struct cfg_option cups_options[] = {
    CFG_STR_OPT(struct cups_opts, NULL, "queue", queue, "receipt", "CUPS queue name"),
    CFG_STR_OPT(struct cups_opts, NULL, "server", server, "",
                "CUPS server (host:port or socket); empty = default"),
    CFG_STR_OPT(struct cups_opts, NULL, "status_addr", status_addr, "",
                "host:port for DLE EOT status where the link allows; empty = CUPS only"),
    CFG_INT_OPT(struct cups_opts, NULL, "timeout_ms", timeout_ms, "3000", 100, 60000,
                "bound on every call to CUPS or the printer"),
    {0},
};

static int cups_open(void *priv, const void *opts, char *err, size_t errcap)
{
    const struct cups_opts *o = opts;
    struct cups_priv *c = priv;
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
    if (*o->server) {
        if (split_addr(o->server, c->host, sizeof c->host, &c->port) != 0) {
            snprintf(err, errcap, "server '%s' is not host:port", o->server);
            return -1;
        }
        snprintf(c->server, sizeof c->server, "%s", o->server);
    } else {
        snprintf(c->host, sizeof c->host, "%s", cupsServer());
        c->port = ippPort();
    }
    if (!*o->queue || strlen(o->queue) >= sizeof c->queue) {
        snprintf(err, errcap, "queue is missing or too long");
        return -1;
    }
    snprintf(c->queue, sizeof c->queue, "%s", o->queue);
    if (*o->status_addr &&
        split_addr(o->status_addr, c->status_host, sizeof c->status_host, &c->status_port) != 0) {
        snprintf(err, errcap, "status_addr '%s' is not host:port", o->status_addr);
        return -1;
    }
    return 0;
}

/* Connects to the configured CUPS server. libcups also builds job URIs from its default
 * server, which is per thread: make it ours on the calling thread first. */
static http_t *connect_cups(struct cups_priv *c)
{
    if (c->server[0])
        cupsSetServer(c->server);
    return httpConnect2(c->host, c->port, NULL, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1,
                        c->timeout_ms, NULL);
}

/* Asks the printer for DLE EOT 1, 2 and 4 over TCP; PRINTER_UNKNOWN unless three good
 * status bytes come back within the timeout. */
static enum printer_state direct_status(struct cups_priv *c, char *why, size_t cap)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    char port[8];
    snprintf(port, sizeof port, "%d", c->status_port);
    if (getaddrinfo(c->status_host, port, &hints, &ai) != 0 || !ai) {
        snprintf(why, cap, "cannot resolve %.60s", c->status_host);
        return PRINTER_UNKNOWN;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    enum printer_state st = PRINTER_UNKNOWN;
    uint8_t got[3];
    size_t n = 0;
    if (fd < 0)
        goto out;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
        snprintf(why, cap, "printer port refused: %s", strerror(errno));
        goto out;
    }
    struct pollfd pfd = {fd, POLLOUT, 0};
    if (poll(&pfd, 1, c->timeout_ms) != 1 || (pfd.revents & (POLLERR | POLLHUP))) {
        snprintf(why, cap, "printer port does not answer");
        goto out;
    }
    if (send(fd, escpos_status_request, sizeof escpos_status_request, MSG_NOSIGNAL) !=
        (ssize_t)sizeof escpos_status_request) {
        snprintf(why, cap, "cannot send status request");
        goto out;
    }
    while (n < sizeof got) {
        pfd = (struct pollfd){fd, POLLIN, 0};
        if (poll(&pfd, 1, c->timeout_ms) != 1)
            break;
        ssize_t r = recv(fd, got + n, sizeof got - n, 0);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    st = escpos_parse_status(got, n);
    if (st == PRINTER_UNKNOWN)
        snprintf(why, cap, "printer status unreadable (%zu bytes)", n);
    else
        snprintf(why, cap, "printer says %s", printer_state_name(st));
out:
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    return st;
}

/* What CUPS knows: a stopped queue or media/offline reasons. */
static enum printer_state spooler_status(struct cups_priv *c, char *why, size_t cap)
{
    http_t *http = connect_cups(c);
    if (!http) {
        snprintf(why, cap, "CUPS at %.60s:%d does not answer", c->host, c->port);
        return PRINTER_UNKNOWN;
    }
    char uri[512];
    httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", NULL, c->host, c->port,
                     "/printers/%s", c->queue);
    ipp_t *req = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
    static const char *const want[] = {"printer-state", "printer-state-reasons",
                                       "printer-is-accepting-jobs"};
    ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 3, NULL, want);
    ipp_t *resp = cupsDoRequest(http, req, "/");
    enum printer_state st = PRINTER_UNKNOWN;
    if (!resp || ippGetStatusCode(resp) > IPP_STATUS_OK_CONFLICTING) {
        snprintf(why, cap, "CUPS: %s", cupsLastErrorString());
        goto out;
    }
    ipp_attribute_t *a = ippFindAttribute(resp, "printer-state", IPP_TAG_ENUM);
    int pstate = a ? ippGetInteger(a, 0) : 0;
    char reasons[160] = "";
    st = pstate == IPP_PSTATE_STOPPED ? PRINTER_OFFLINE : PRINTER_OK;
    if ((a = ippFindAttribute(resp, "printer-state-reasons", IPP_TAG_KEYWORD))) {
        for (int i = 0; i < ippGetCount(a); i++) {
            const char *r = ippGetString(a, i, NULL);
            if (!r || !strcmp(r, "none"))
                continue;
            size_t used = strlen(reasons);
            snprintf(reasons + used, sizeof reasons - used, "%s%s", used ? "," : "", r);
            if (!strncmp(r, "media-empty", 11) || !strncmp(r, "media-needed", 12))
                st = PRINTER_PAPER_OUT;
            else if (!strncmp(r, "cover-open", 10) || !strncmp(r, "door-open", 9))
                st = st == PRINTER_PAPER_OUT ? st : PRINTER_COVER_OPEN;
            else if (!strncmp(r, "offline", 7) && st == PRINTER_OK)
                st = PRINTER_OFFLINE;
            else if (!strncmp(r, "media-low", 9) && st == PRINTER_OK)
                st = PRINTER_PAPER_NEAR_END;
        }
    }
    if ((a = ippFindAttribute(resp, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN)) &&
        !ippGetBoolean(a, 0) && st == PRINTER_OK)
        st = PRINTER_OFFLINE;
    snprintf(why, cap, "CUPS queue %s: %s%s%s", c->queue,
             pstate == IPP_PSTATE_IDLE         ? "idle"
             : pstate == IPP_PSTATE_PROCESSING ? "processing"
                                               : "stopped",
             reasons[0] ? ", " : "", reasons);
out:
    ippDelete(resp);
    httpClose(http);
    return st;
}

/* Ranks states so the worse of two reports wins. */
static int severity(enum printer_state s)
{
    switch (s) {
    case PRINTER_OK: return 0;
    case PRINTER_PAPER_NEAR_END: return 1;
    case PRINTER_UNKNOWN: return 2;
    case PRINTER_OFFLINE: return 3;
    case PRINTER_COVER_OPEN: return 4;
    case PRINTER_ERROR: return 5;
    case PRINTER_PAPER_OUT: return 6;
    default: return 7;
    }
}

static void cups_status(void *priv, struct printer_status *out)
{
    struct cups_priv *c = priv;
    char a[100] = "", b[100] = "";
    enum printer_state st = spooler_status(c, a, sizeof a);
    if (c->status_host[0]) {
        enum printer_state d = direct_status(c, b, sizeof b);
        if (severity(d) > severity(st))
            st = d;
    }
    out->state = st;
    snprintf(out->detail, sizeof out->detail, "%s%s%s", b, b[0] ? "; " : "", a);
}

static int cups_print(void *priv, const uint8_t *data, size_t len, const char *title, int *job,
                      char *err, size_t errcap)
{
    struct cups_priv *c = priv;
    http_t *http = connect_cups(c);
    if (!http) {
        snprintf(err, errcap, "CUPS at %.60s:%d does not answer", c->host, c->port);
        return -1;
    }
    int id = cupsCreateJob(http, c->queue, title ? title : "receipt", 0, NULL);
    int rc = -1;
    if (id <= 0) {
        snprintf(err, errcap, "CUPS refused the job: %s", cupsLastErrorString());
        goto out;
    }
    if (cupsStartDocument(http, c->queue, id, "receipt", CUPS_FORMAT_RAW, 1) != HTTP_STATUS_CONTINUE ||
        cupsWriteRequestData(http, (const char *)data, len) != HTTP_STATUS_CONTINUE ||
        cupsFinishDocument(http, c->queue) > IPP_STATUS_OK_CONFLICTING) {
        snprintf(err, errcap, "CUPS job %d failed: %s", id, cupsLastErrorString());
        cupsCancelJob2(http, c->queue, id, 0);
        goto out;
    }
    *job = id;
    rc = 0;
    log_info("printer:cups", "job %d queued on %s (%zu bytes)", id, c->queue, len);
out:
    httpClose(http);
    return rc;
}

static enum job_state cups_job_state(void *priv, int job, char *detail, size_t cap)
{
    struct cups_priv *c = priv;
    http_t *http = connect_cups(c);
    if (!http) {
        snprintf(detail, cap, "CUPS does not answer");
        return JOB_UNKNOWN;
    }
    char uri[512];
    httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", NULL, c->host, c->port,
                     "/jobs/%d", job);
    ipp_t *req = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", NULL, uri);
    ipp_t *resp = cupsDoRequest(http, req, "/");
    enum job_state js = JOB_UNKNOWN;
    ipp_attribute_t *a = resp ? ippFindAttribute(resp, "job-state", IPP_TAG_ENUM) : NULL;
    if (a) {
        int v = ippGetInteger(a, 0);
        switch (v) {
        case IPP_JSTATE_PENDING:
        case IPP_JSTATE_HELD:
        case IPP_JSTATE_STOPPED: js = JOB_PENDING; break; /* a stopped job can be resumed */
        case IPP_JSTATE_PROCESSING: js = JOB_PRINTING; break;
        case IPP_JSTATE_COMPLETED: js = JOB_DONE; break;
        default: js = JOB_FAILED; break; /* canceled, aborted */
        }
        ipp_attribute_t *r = ippFindAttribute(resp, "job-state-reasons", IPP_TAG_KEYWORD);
        snprintf(detail, cap, "job %d: %s (%s)", job, ippEnumString("job-state", v),
                 r ? ippGetString(r, 0, NULL) : "");
    } else if ((resp ? ippGetStatusCode(resp) : cupsLastError()) == IPP_STATUS_ERROR_NOT_FOUND) {
        js = JOB_GONE;
        snprintf(detail, cap, "job %d: CUPS has no such job", job);
    } else {
        snprintf(detail, cap, "job %d: %s", job, cupsLastErrorString());
    }
    ippDelete(resp);
    httpClose(http);
    return js;
}

static int cups_cancel(void *priv, int job, char *detail, size_t cap)
{
    struct cups_priv *c = priv;
    http_t *http = connect_cups(c);
    if (!http) {
        snprintf(detail, cap, "CUPS does not answer");
        return -1;
    }
    ipp_status_t st = cupsCancelJob2(http, c->queue, job, 0);
    snprintf(detail, cap, "cancel job %d: %s", job, cupsLastErrorString());
    httpClose(http);
    /* "not possible": completed, cancelled or aborted already; "not found": purged */
    if (st <= IPP_STATUS_OK_CONFLICTING || st == IPP_STATUS_ERROR_NOT_POSSIBLE ||
        st == IPP_STATUS_ERROR_NOT_FOUND)
        return 0;
    return -1;
}

static void cups_close(void *priv)
{
    (void)priv;
}

static const struct printer_ops cups_ops = {
    .open = cups_open,
    .status = cups_status,
    .print = cups_print,
    .job_state = cups_job_state,
    .cancel = cups_cancel,
    .close = cups_close,
};

const struct dev_driver printer_cups = {
    .name = "cups",
    .options = cups_options,
    .opts_size = sizeof(struct cups_opts),
    .priv_size = sizeof(struct cups_priv),
    .ops = &cups_ops,
};
