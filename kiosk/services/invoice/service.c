/* E-invoices as a service of the host: its tile, its config, taps and scans turned into
 * flow events, its screens. Checkout's done screen hands a paid sale over ("invoice.sale"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"
#include "core/config.h"
#include "core/i18n.h"
#include "core/log.h"
#include "invoice/service.h"
#include "io.h"
#include "screens.h"

static const struct service_tile tiles[] = {
    {"invoice", N_("E-invoice"), N_("Invoice one receipt or several"), "icons/invoice.png",
     NEEDS(COMP_BACKEND) | NEEDS(COMP_JOURNAL), SITE_FORECOURT, NULL},
    {0},
};

static const struct cfg_option options[] = {
    CFG_INT_OPT(struct inv_options, "invoice", "status_retry_s", status_retry_s, "10", 1, 3600,
                "seconds between asking the backend what became of an unanswered request"),
    CFG_BOOL_OPT(struct inv_options, "invoice", "slip", slip, "true",
                 "offer a printed \"invoice issued\" slip with the download QR"),
    {0},
};

static int iv_open(void *priv, struct host_svc *h, const void *cfg, char *err, size_t errcap)
{
    (void)err;
    (void)errcap;
    inv_io_open(priv, h, cfg);
    return 0;
}

static void iv_close(void *priv)
{
    inv_io_close(priv);
}

static void iv_recover(void *priv, int64_t now)
{
    inv_io_recover(priv, now);
}

static void iv_enter(void *priv, int tile, int64_t now)
{
    (void)tile;
    struct inv_event e = {.in = INV_IN_START};
    inv_io_input(priv, &e, now);
}

static void iv_take(void *priv, const char *arg, int64_t now)
{
    struct inv_event e = {.in = INV_IN_TAKE, .text = arg};
    inv_io_input(priv, &e, now);
}

static void iv_leave(void *priv, int64_t now)
{
    inv_io_leave(priv, now);
}

static int iv_tap(void *priv, const char *id, int64_t now)
{
    struct invoice *io = priv;
    static const struct {
        const char *id;
        enum inv_input in;
    } plain[] = {
        {"inv.type", INV_IN_TYPE_TXN},         {"inv.next", INV_IN_NEXT},
        {"inv.back", INV_IN_BACK},             {"inv.individual", INV_IN_INDIVIDUAL},
        {"inv.organisation", INV_IN_ORGANISATION}, {"inv.extras", INV_IN_EXTRAS},
        {"inv.issue", INV_IN_ISSUE},           {"inv.print", INV_IN_PRINT},
        {"inv.resend", INV_IN_RESEND},         {"inv.correct", INV_IN_CORRECT},
        {"inv.done", INV_IN_FINISH},           {"inv.kbd.shift", INV_IN_SHIFT},
    };
    struct inv_event e = {.in = INV_IN_TICK};
    int n;
    char tail[16];
    if (io->f.state == INV_IDLE)
        return 0;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(id, plain[i].id))
            e.in = plain[i].in;
    if (e.in != INV_IN_TICK) {
        /* found */
    } else if (sscanf(id, "inv.sale.%d.%15s", &n, tail) == 2 && !strcmp(tail, "remove")) {
        e = (struct inv_event){.in = INV_IN_REMOVE, .index = n};
    } else if (sscanf(id, "inv.field.%d", &n) == 1) {
        e = (struct inv_event){.in = INV_IN_FIELD, .index = n};
    } else if (!strcmp(id, "inv.key.del") || !strcmp(id, "inv.tax.del") ||
               !strcmp(id, "inv.kbd.del")) {
        e = (struct inv_event){.in = INV_IN_KEY, .text = "del"};
    } else if (!strcmp(id, "inv.key.ok") || !strcmp(id, "inv.tax.ok") ||
               !strcmp(id, "inv.kbd.ok")) {
        e = (struct inv_event){.in = INV_IN_KEY, .text = "ok"};
    } else {
        const char *t = ui_key_text("inv.key", id, 0);
        if (!t)
            t = ui_key_text("inv.tax", id, 1);
        if (!t)
            t = ui_key_text("inv.kbd", id, io->f.shift);
        if (!t)
            return 0;
        e = (struct inv_event){.in = INV_IN_KEY, .text = t};
    }
    inv_io_input(io, &e, now);
    return 1;
}

static void iv_scan(void *priv, const char *code, int ok, int64_t now)
{
    struct inv_event e = {.in = INV_IN_SCAN, .text = ok ? code : "", .ok = ok};
    inv_io_input(priv, &e, now);
}

/* A receipt's e-invoice QR or release-slip barcode on the home menu: invoice it. */
static int iv_start_with(const void *priv, const char *code)
{
    char ref[48];
    (void)priv;
    return inv_ref_of(code, ref, sizeof ref) ? 0 : -1;
}

static void iv_result(void *priv, const struct host_result *r, int64_t now)
{
    inv_io_result(priv, r, now);
}

static void iv_tick(void *priv, int64_t now)
{
    inv_io_tick(priv, now);
}

static int64_t iv_deadline(const void *priv)
{
    return inv_io_deadline(priv);
}

static void iv_build(const void *priv, struct ui_tree *t, const struct theme *th,
                     const struct view *v)
{
    const struct invoice *io = priv;
    struct health hl;
    host_health(io->h, &hl);
    struct inv_view iv = {.base = *v,
                          .f = &io->f,
                          .preview = host_scanner_preview(io->h),
                          .scanner_problem = _(host_scanner_problem(io->h)),
                          .printer_ok = io->opt->slip && (hl.c[COMP_PRINTER] == HEALTH_OK ||
                                                          hl.c[COMP_PRINTER] == HEALTH_DEGRADED)};
    inv_screen(t, th, &iv);
}

/* Issuing: the customer's session must not end under it (at most INV_WAIT_MS). */
static int iv_busy(const void *priv)
{
    const struct invoice *io = priv;
    return io->f.state == INV_ISSUING;
}

static int iv_idle(const void *priv)
{
    return inv_io_idle(priv);
}

const struct service_def invoice_service = {
    .name = "invoice",
    .tiles = tiles,
    .priv_size = sizeof(struct invoice),
    .options = options,
    .config_size = sizeof(struct inv_options),
    .open = iv_open,
    .close = iv_close,
    .recover = iv_recover,
    .enter = iv_enter,
    .takes = "invoice.sale",
    .take = iv_take,
    .leave = iv_leave,
    .tap = iv_tap,
    .scan = iv_scan,
    .start_with = iv_start_with,
    .result = iv_result,
    .tick = iv_tick,
    .deadline = iv_deadline,
    .build = iv_build,
    .busy = iv_busy,
    .idle = iv_idle,
};
