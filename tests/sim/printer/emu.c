/* escpos-printer-emu: a receipt printer on a TCP port, for the demo and the tests. What a
 * CUPS socket:// queue sends it is decoded back into page images (receipt-NNNN.png in the
 * output folder); DLE EOT status requests are answered in-stream. A control port takes
 * line commands to make it run out of paper, go offline or jam:
 *   paper out | paper near-end | paper ok | offline | online | jam | clear |
 *   paper-out-after N | hold | release | status | count
 * `hold` stops taking connections on the printer port (they are refused, as by a printer
 * that is switched off or busy with another host), so a CUPS job waits in its spooler and
 * nothing reaches the paper; `release` listens on the same port again. Status requests on
 * that port are refused too while held.
 * With --raw DIR, the bytes of every connection to the printer port are also kept as they
 * came (DIR/conn-NNNN.bin): real ESC/POS for the fuzz corpus and for debugging.
 * usage: escpos-printer-emu --out DIR [--port N] [--control-port N] [--port-file FILE]
 *                           [--width DOTS] [--raw DIR] */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "printer/escpos.h"
#include "core/log.h"
#include "core/pngio.h"

#define MAX_CLIENTS 16

static volatile sig_atomic_t stop;

struct emu {
    const char *out;
    int width;
    int paper; /* 0 ok, 1 near end, 2 out */
    int offline, jam;
    long paper_out_after; /* rows, -1 = off */
    int pages;
    int lfd;  /* the printer port's listener; -1 while held */
    int port; /* the printer port, to listen on again at `release` */
    const char *raw; /* keep each connection's bytes here, or NULL */
    int conns;
};

struct client {
    int fd;
    int control;
    struct escpos_decoder *dec;
    FILE *raw;
    char line[256];
    size_t nline;
};

static struct emu emu = {.paper_out_after = -1, .width = 576, .lfd = -1};
static struct client clients[MAX_CLIENTS];

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static uint8_t status_byte(int n, void *user)
{
    (void)user;
    uint8_t b = 0x12;
    if (n == 1 && emu.offline)
        b |= 0x08;
    if (n == 2) {
        if (emu.jam)
            b |= 0x04 | 0x40;
        if (emu.paper == 2)
            b |= 0x20;
    }
    if (n == 4) {
        if (emu.paper == 1)
            b |= 0x0C;
        if (emu.paper == 2)
            b |= 0x60;
    }
    return b;
}

/* A page row as grey bytes: black dots 0, paper 255. */
static void page_row(void *user, int y, unsigned char *row)
{
    const struct bitmap *b = user;
    for (int x = 0; x < b->width; x++)
        row[x] = bitmap_get(b, x, y) ? 0 : 255;
}

static int write_png(const char *path, const struct bitmap *b)
{
    char err[300];
    int rc = pngio_write_rows(path, b->width, b->height, 1, page_row, (void *)b, NULL, NULL,
                              err, sizeof err);
    if (rc != 0)
        log_error("printer:emu", "%s", err);
    return rc;
}

static void on_page(const struct bitmap *page, int torn, void *user)
{
    (void)user;
    char path[1024];
    emu.pages++;
    snprintf(path, sizeof path, "%s/receipt-%04d%s.png", emu.out, emu.pages, torn ? "-torn" : "");
    if (write_png(path, page) == 0)
        log_info("printer:emu", "page %d: %dx%d%s -> %s", emu.pages, page->width, page->height,
                 torn ? " (paper ran out)" : "", path);
    else
        log_error("printer:emu", "cannot write %s", path);
    if (torn)
        emu.paper = 2;
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    return ntohs(a.sin_port);
}

static void reply(int fd, const char *s)
{
    if (send(fd, s, strlen(s), MSG_NOSIGNAL) < 0)
        log_warn("printer:emu", "control reply lost");
}

static void control_line(int fd, char *l)
{
    char buf[160];
    long n;
    if (!strcmp(l, "paper out"))
        emu.paper = 2;
    else if (!strcmp(l, "paper near-end"))
        emu.paper = 1;
    else if (!strcmp(l, "paper ok"))
        emu.paper = 0;
    else if (!strcmp(l, "offline"))
        emu.offline = 1;
    else if (!strcmp(l, "online"))
        emu.offline = 0;
    else if (!strcmp(l, "jam"))
        emu.jam = 1;
    else if (!strcmp(l, "clear")) {
        emu.jam = emu.offline = emu.paper = 0;
        emu.paper_out_after = -1;
    } else if (sscanf(l, "paper-out-after %ld", &n) == 1 && n >= 0)
        emu.paper_out_after = n;
    else if (!strcmp(l, "hold")) {
        if (emu.lfd >= 0)
            close(emu.lfd);
        emu.lfd = -1;
    } else if (!strcmp(l, "release")) {
        if (emu.lfd < 0 && (emu.lfd = listen_on(emu.port)) < 0) {
            reply(fd, "error: cannot listen on the printer port again\n");
            return;
        }
    } else if (!strcmp(l, "count")) {
        snprintf(buf, sizeof buf, "%d\n", emu.pages);
        reply(fd, buf);
        return;
    } else if (!strcmp(l, "status")) {
        snprintf(buf, sizeof buf, "paper=%s offline=%d jam=%d held=%d pages=%d\n",
                 emu.paper == 2 ? "out" : emu.paper == 1 ? "near-end" : "ok", emu.offline,
                 emu.jam, emu.lfd < 0, emu.pages);
        reply(fd, buf);
        return;
    } else {
        reply(fd, "error: unknown command\n");
        return;
    }
    reply(fd, "ok\n");
}

static void drop(struct client *c)
{
    if (c->dec) {
        escpos_decoder_finish(c->dec);
        escpos_decoder_destroy(c->dec);
    }
    if (c->raw)
        fclose(c->raw);
    close(c->fd);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

static void accept_client(int lfd, int control)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].fd >= 0)
            continue;
        clients[i].fd = fd;
        clients[i].control = control;
        if (!control) {
            clients[i].dec = escpos_decoder_create(emu.width, on_page, status_byte, NULL);
            if (emu.raw) {
                char path[1024];
                snprintf(path, sizeof path, "%s/conn-%04d.bin", emu.raw, ++emu.conns);
                clients[i].raw = fopen(path, "wb");
            }
            if (emu.paper == 2)
                escpos_decoder_paper_limit(clients[i].dec, 0);
            else if (emu.paper_out_after >= 0)
                escpos_decoder_paper_limit(clients[i].dec, emu.paper_out_after);
        }
        return;
    }
    close(fd); /* busy */
}

static void serve(struct client *c)
{
    uint8_t buf[8192], rep[64];
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n <= 0) {
        drop(c);
        return;
    }
    if (c->control) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n' || c->nline == sizeof c->line - 1) {
                c->line[c->nline] = '\0';
                if (c->nline && c->line[c->nline - 1] == '\r')
                    c->line[c->nline - 1] = '\0';
                control_line(c->fd, c->line);
                c->nline = 0;
            } else {
                c->line[c->nline++] = (char)buf[i];
            }
        }
        return;
    }
    size_t nrep;
    if (c->raw && fwrite(buf, 1, (size_t)n, c->raw) != (size_t)n)
        log_warn("printer:emu", "raw copy cut short");
    escpos_decoder_feed(c->dec, buf, (size_t)n, rep, sizeof rep, &nrep);
    if (nrep && send(c->fd, rep, nrep, MSG_NOSIGNAL) < 0)
        log_warn("printer:emu", "status reply lost");
}

int main(int argc, char **argv)
{
    int port = 0, cport = 0;
    const char *port_file = NULL;
    for (int i = 1; i < argc; i++) {
        int more = i + 1 < argc;
        if (!strcmp(argv[i], "--out") && more)
            emu.out = argv[++i];
        else if (!strcmp(argv[i], "--port") && more)
            port = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--control-port") && more)
            cport = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--port-file") && more)
            port_file = argv[++i];
        else if (!strcmp(argv[i], "--width") && more)
            emu.width = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--raw") && more)
            emu.raw = argv[++i];
        else {
            fprintf(stderr, "usage: escpos-printer-emu --out DIR [--port N] [--control-port N] "
                            "[--port-file FILE] [--width DOTS] [--raw DIR]\n");
            return 2;
        }
    }
    if (!emu.out || emu.width < 8 || emu.width > 4096) {
        fprintf(stderr, "escpos-printer-emu: --out DIR is required (and --width 8..4096)\n");
        return 2;
    }
    for (int i = 0; i < MAX_CLIENTS; i++)
        clients[i].fd = -1;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    int cfd = listen_on(cport);
    emu.lfd = listen_on(port);
    if (emu.lfd < 0 || cfd < 0) {
        fprintf(stderr, "escpos-printer-emu: cannot listen: %s\n", strerror(errno));
        return 1;
    }
    emu.port = port_of(emu.lfd);
    if (port_file) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%d %d\n", emu.port, port_of(cfd)) < 0 || fclose(f) != 0 ||
            rename(tmp, port_file) != 0) {
            fprintf(stderr, "escpos-printer-emu: cannot write %s\n", port_file);
            return 1;
        }
    }
    log_info("printer:emu", "printer on 127.0.0.1:%d, control on %d, pages to %s", emu.port,
             port_of(cfd), emu.out);
    while (!stop) {
        struct pollfd p[MAX_CLIENTS + 2];
        int map[MAX_CLIENTS + 2], n = 0;
        if (emu.lfd >= 0) { /* not while held */
            p[n] = (struct pollfd){emu.lfd, POLLIN, 0};
            map[n++] = -1;
        }
        p[n] = (struct pollfd){cfd, POLLIN, 0};
        map[n++] = -2;
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (clients[i].fd >= 0) {
                p[n] = (struct pollfd){clients[i].fd, POLLIN, 0};
                map[n++] = i;
            }
        if (poll(p, (nfds_t)n, 500) <= 0)
            continue;
        for (int k = 0; k < n; k++) {
            if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (map[k] == -1)
                accept_client(emu.lfd, 0);
            else if (map[k] == -2)
                accept_client(cfd, 1);
            else if (clients[map[k]].fd >= 0)
                serve(&clients[map[k]]);
        }
    }
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (clients[i].fd >= 0)
            drop(&clients[i]);
    if (emu.lfd >= 0)
        close(emu.lfd);
    close(cfd);
    return 0;
}
