/* Pay for fuel and shop goods as a service of the host: its tiles, its config keys, how its
 * widgets and scans become flow inputs, and its view. It takes a fuel card's recharge from
 * the fuel-card service ("checkout.recharge") and hands the customer back when it is over
 * ("card.recharged"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkout/service.h"
#include "core/codes.h"
#include "core/i18n.h"
#include "core/log.h"
#include "io.h"

static const struct service_tile tiles[] = {
    {"fuel", N_("Pay for fuel"), N_("Pick your pump and pay"), "icons/fuel.png",
     NEEDS(COMP_BACKEND) | NEEDS(COMP_JOURNAL), SITE_FORECOURT, NULL},
    {"shop", N_("Shop"), N_("Scan goods from the shop"), "icons/shop.png",
     NEEDS(COMP_BACKEND) | NEEDS(COMP_SCANNER) | NEEDS(COMP_JOURNAL), SITE_FORECOURT, NULL},
    {0},
};

enum { TILE_FUEL, TILE_SHOP };

static const struct cfg_option options[] = {
    CFG_INT_OPT(struct co_options, "receipt", "reprint_s", reprint_s, "180", 0, 3600,
                "seconds the done screen offers to print the receipt again"),
    CFG_BOOL_OPT(struct co_options, "receipt", "release_slip", release_slip, "false",
                 "print a release slip with a barcode for the attendant after each fuel sale"),
    CFG_STR_OPT(struct co_options, "checkout", "member_prefix", member_prefix, "MQR-",
                "scanned codes starting so are member codes"),
    CFG_STR_OPT(struct co_options, "checkout", "coupon_prefix", coupon_prefix, "CPN-",
                "scanned codes starting so are coupon codes"),
    CFG_INT_OPT(struct co_options, "checkout", "points_max", points_max, "0", 0, 1000000,
                "most member points one order may use; 0 = as many as the station allows"),
    CFG_STR_OPT(struct co_options, "checkout", "invoice_url", invoice_url,
                "https://inv.example/t/",
                "e-invoice link on receipts: this, then the sale's invoice token"),
    {0},
};

static int co_open(void *priv, struct host_svc *h, const void *cfg, char *err, size_t errcap)
{
    struct checkout *io = priv;
    (void)err;
    (void)errcap;
    io->h = h;
    io->opt = cfg;
    co_io_open(io);
    return 0;
}

static void co_close(void *priv)
{
    struct checkout *io = priv;
    co_io_close(io);
}

static void co_recover(void *priv, int64_t now)
{
    (void)now;
    co_bg_recover(priv);
}

static void co_enter(void *priv, int tile, int64_t now)
{
    log_info("checkout", "%s started", tiles[tile].key);
    co_io_start(priv, tile == TILE_SHOP ? CO_START_SHOP : CO_START_FUEL, NULL, 0, now);
}

/* A fuel card's recharge handed over by the fuel-card service: "<card_no> <amount_fen>".
 * Paid as any sale; the customer goes back ("card.recharged") when it is over. One that
 * cannot be is handed back at once, unpaid. */
static void co_take(void *priv, const char *arg, int64_t now)
{
    struct checkout *io = priv;
    char card[CO_CARD_NO_LEN + 1], shown[24];
    int64_t fen;
    if (co_recharge_parse(arg, card, &fen) != 0) {
        /* not logged as it came: whatever it holds, it is no card number and amount */
        log_error("checkout", "a recharge handed over that cannot be (%zu characters): "
                  "handed back", arg ? strlen(arg) : 0);
        co_io_hand_back(io, CO_RECHARGED, "", now);
        return;
    }
    co_card_format(card, 0, shown, sizeof shown);
    log_info("checkout", "recharge of card %s started: %lld fen", shown, (long long)fen);
    co_io_start(io, CO_START_RECHARGE, card, fen, now);
}

static void co_leave(void *priv, int64_t now)
{
    co_io_leave(priv, now);
}

/* Taps on its screens: 1 if the id was one of them. */
static int co_tap(void *priv, const char *id, int64_t now)
{
    struct checkout *io = priv;
    /* widgets that are one input each */
    static const struct {
        const char *id;
        enum co_input in;
    } plain[] = {
        {"review.member", CO_IN_OPEN_MEMBER}, {"member.done", CO_IN_MEMBER_DONE},
        {"member.forget", CO_IN_MEMBER_FORGET}, {"member.points", CO_IN_TOGGLE_POINTS},
        {"member.key.ok", CO_IN_PHONE_OK},   {"co.continue", CO_IN_CONTINUE},
        {"failed.retry", CO_IN_RETRY},       {"pay.code", CO_IN_PAY_CODE},
        {"co.cancel", CO_IN_CANCEL},         {"done.reprint", CO_IN_REPRINT},
        {"done.ok", CO_IN_FINISH},           {"failed.ok", CO_IN_FINISH},
    };
    /* widgets numbered <prefix><n><suffix> */
    static const struct {
        const char *prefix, *suffix;
        enum co_input in;
    } numbered[] = {
        {"item.", ".more", CO_IN_ITEM_MORE}, {"item.", ".less", CO_IN_ITEM_LESS},
        {"sale.", "", CO_IN_PICK_SALE},      {"coupon.", "", CO_IN_TOGGLE_COUPON},
    };
    if (!strcmp(id, "done.get_invoice")) { /* the paid sale to e-invoicing, as it is */
        if (io->co.state == CO_DONE && io->co.txn_no[0] && !io->co.recharge)
            host_hand_over(io->h, "invoice.sale", io->co.txn_no, now);
        return 1;
    }
    if (!strcmp(id, "notice.ok")) { /* the restart notice over attract and home */
        co_bg_notice_close(io);
        return 1;
    }
    struct co_event e = {.in = CO_IN_TICK};
    int n;
    char tail;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0] && e.in == CO_IN_TICK; i++)
        if (!strcmp(id, plain[i].id))
            e.in = plain[i].in;
    for (size_t i = 0; i < sizeof numbered / sizeof numbered[0] && e.in == CO_IN_TICK; i++) {
        size_t pl = strlen(numbered[i].prefix);
        char *end;
        if (strncmp(id, numbered[i].prefix, pl) || id[pl] < '0' || id[pl] > '9')
            continue;
        long v = strtol(id + pl, &end, 10);
        if (!strcmp(end, numbered[i].suffix) && v < 1000)
            e = (struct co_event){.in = numbered[i].in, .index = (int)v};
    }
    if (e.in != CO_IN_TICK) {
        /* found */
    } else if (sscanf(id, "pump.%d%c", &n, &tail) == 1) {
        for (int i = 0; i < io->co.npumps; i++)
            if (io->co.pumps[i].pump == n)
                e = (struct co_event){.in = CO_IN_PICK_PUMP, .index = i};
        if (e.in == CO_IN_TICK)
            return 1;
    } else if (!strncmp(id, "member.key.", 11)) {
        e = (struct co_event){.in = CO_IN_KEY, .text = id + 11};
    } else if (!strncmp(id, "pay.qr.", 7)) {
        e = (struct co_event){.in = CO_IN_PAY_QR, .text = id + 7};
    } else {
        return 0;
    }
    co_io_input(io, &e, now);
    return 1;
}

static void co_scan(void *priv, const char *code, int ok, int64_t now)
{
    struct co_event e = {.in = CO_IN_SCAN, .text = ok ? code : "", .ok = ok};
    co_io_input(priv, &e, now);
}

/* A product barcode on the home menu: the customer means to buy it. */
static int co_start_with(const void *priv, const char *code)
{
    (void)priv;
    return code_ean_valid(code) ? TILE_SHOP : -1;
}

static const char *co_scan_hint(const void *priv, const char *code)
{
    (void)priv;
    if (code_paycode_kind(code) != PAYCODE_INVALID)
        return N_("To pay, choose \"Pay for fuel\" and your pump first. Then show your payment code.");
    if (code_ean_valid(code)) /* the shop cannot start now */
        return N_("The shop cannot be used at this kiosk now. Please pay at the counter.");
    return N_("Choose \"Pay for fuel\" or \"Shop\" first, then scan your member code or coupon on the bill.");
}

static void co_result(void *priv, const struct host_result *r, int64_t now)
{
    co_io_result(priv, r, now);
}

static void co_tick(void *priv, int64_t now)
{
    co_io_tick(priv, now);
}

static int64_t co_deadline_of(const void *priv)
{
    return co_io_deadline(priv);
}

static void co_build(const void *priv, struct ui_tree *t, const struct theme *th,
                     const struct view *v)
{
    const struct checkout *io = priv;
    struct health hl;
    host_health(io->h, &hl);
    struct co_view cv = {.base = *v,
                         .co = &io->co,
                         .printer_ok = hl.c[COMP_PRINTER] == HEALTH_OK ||
                                       hl.c[COMP_PRINTER] == HEALTH_DEGRADED,
                         .printer_problem = _(host_printer_problem(io->h)),
                         .invoice_url = io->invoice_url,
                         .scanner_problem = _(host_scanner_problem(io->h)),
                         .preview = host_scanner_preview(io->h),
                         .invoice = host_can_hand_over(io->h, "invoice.sale")};
    co_screen(t, th, &cv);
}

static void co_overlay(const void *priv, struct ui_tree *t, const struct theme *th,
                       const struct view *v)
{
    const struct checkout *io = priv;
    (void)v;
    if (io->notice.state != NOTICE_NONE)
        co_screen_notice(t, th, &io->notice);
}

static int co_busy_now(const void *priv)
{
    const struct checkout *io = priv;
    return co_busy(&io->co);
}

/* A payment left open (a restart, a customer who walked away) is being settled: new sales
 * wait until it is, so that no sale is paid twice. */
static enum svc_reason co_unavailable(const void *priv)
{
    return co_bg_settling(priv) ? REASON_SETTLING : REASON_NONE;
}

static int co_idle(const void *priv)
{
    return co_io_idle(priv);
}

/* An attendant's reprint of a sale's receipt, marked as a copy. */
static struct slip *co_reprint(void *priv, const char *kind, const char *payload,
                               const char *lang)
{
    return co_io_reprint(priv, kind, payload, lang);
}

const struct service_def checkout_service = {
    .name = "checkout",
    .tiles = tiles,
    .priv_size = sizeof(struct checkout),
    .options = options,
    .config_size = sizeof(struct co_options),
    .open = co_open,
    .close = co_close,
    .recover = co_recover,
    .enter = co_enter,
    .takes = "checkout.recharge",
    .take = co_take,
    .leave = co_leave,
    .tap = co_tap,
    .scan = co_scan,
    .start_with = co_start_with,
    .scan_hint = co_scan_hint,
    .result = co_result,
    .tick = co_tick,
    .deadline = co_deadline_of,
    .build = co_build,
    .overlay = co_overlay,
    .busy = co_busy_now,
    .unavailable = co_unavailable,
    .idle = co_idle,
    .reprint = co_reprint,
};
