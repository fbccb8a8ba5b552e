/* The fuel card as a service of the host: its tile, its config, taps and card events turned
 * into flow events, its screens. A card put on the reader on the home menu starts it; a
 * recharge is paid through checkout ("checkout.recharge"), which hands the customer back
 * ("card.recharged"). */
#include <stdio.h>
#include <string.h>

#include "card/service.h"
#include "core/i18n.h"
#include "core/sign.h"
#include "io.h"
#include "screens.h"

static const struct service_tile tiles[] = {
    {"card", N_("Fuel card"), N_("Balance, recharge, load onto the card"), "icons/card.png",
     NEEDS(COMP_BACKEND) | NEEDS(COMP_JOURNAL) | NEEDS(COMP_CARD_READER), SITE_FORECOURT, NULL},
    {0},
};

static const struct cfg_option options[] = {
    CFG_STR_OPT(struct cd_options, "card", "aid", aid, "F046554C434152443031",
                "the fuel-card application's AID (hex, as the issuer gives it)"),
    CFG_STR_OPT(struct cd_options, "card", "presets", presets, "100,200,500,1000",
                "the four recharge amounts offered, in yuan"),
    CFG_INT_OPT(struct cd_options, "card", "pin_len", pin_len, "6", 4, 12,
                "digits of a card PIN"),
    {0},
};

static int cs_open(void *priv, struct host_svc *h, const void *cfg, char *err, size_t errcap)
{
    return cd_io_open(priv, h, cfg, err, errcap);
}

static void cs_recover(void *priv, int64_t now)
{
    cd_io_recover(priv, now);
}

static void cs_enter(void *priv, int tile, int64_t now)
{
    struct card_io *io = priv;
    (void)tile;
    struct cd_event e = {.in = CD_IN_START, .ok = host_card_present(io->h)};
    cd_io_input(io, &e, now);
}

/* Back from checkout: "<txn_no>" when the recharge was paid, "" when it was not. */
static void cs_take(void *priv, const char *arg, int64_t now)
{
    struct cd_event e = {.in = CD_IN_PAID, .ok = 1, .text = arg ? arg : ""};
    cd_io_input(priv, &e, now);
}

static void cs_leave(void *priv, int64_t now)
{
    cd_io_leave(priv, now);
}

static int cs_tap(void *priv, const char *id, int64_t now)
{
    struct card_io *io = priv;
    static const struct {
        const char *id;
        enum cd_input in;
    } plain[] = {
        {"card.recharge", CD_IN_RECHARGE}, {"card.load", CD_IN_LOAD},
        {"card.allocate", CD_IN_ALLOCATE}, {"card.history", CD_IN_HISTORY},
        {"card.pay", CD_IN_PAY},           {"card.split", CD_IN_SPLIT},
        {"card.next", CD_IN_NEXT},         {"card.confirm", CD_IN_NEXT},
        {"card.back", CD_IN_BACK},         {"card.print", CD_IN_PRINT},
        {"card.finish", CD_IN_FINISH},     {"card.akey.ok", CD_IN_NEXT},
    };
    if (io->f.state == CD_IDLE || strncmp(id, "card.", 5))
        return 0;
    struct cd_event e = {.in = CD_IN_TICK};
    int n;
    char key[8];
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(id, plain[i].id))
            e.in = plain[i].in;
    if (e.in != CD_IN_TICK) {
        /* found */
    } else if (!strcmp(id, "card.invoice")) {
        host_hand_over(io->h, "invoice.sale", io->f.recharge_txn, now);
        return 1;
    } else if (sscanf(id, "card.preset.%d", &n) == 1) {
        e = (struct cd_event){.in = CD_IN_PRESET, .index = n};
    } else if (sscanf(id, "card.sub.%d", &n) == 1 && !strchr(id + 9, '.')) {
        e = (struct cd_event){.in = CD_IN_SUB, .index = n};
    } else if (sscanf(id, "card.pin.%7s", key) == 1 || sscanf(id, "card.amt.%7s", key) == 1 ||
               sscanf(id, "card.akey.%7s", key) == 1) {
        if (!strcmp(key, "del") || !strcmp(key, "ok") || !strcmp(key, "clear") ||
            (key[0] >= '0' && key[0] <= '9' && !key[1]))
            e = (struct cd_event){.in = CD_IN_KEY, .text = key};
        else
            return 0;
    } else {
        return 0;
    }
    cd_io_input(io, &e, now);
    sign_wipe(key, sizeof key);
    return 1;
}

/* A card on the reader on the home menu or the attract screen: this service, unless the
 * reader cannot be used. */
static int cs_card_start(const void *priv)
{
    (void)priv;
    return 0;
}

static void cs_card(void *priv, int present, int64_t now)
{
    struct cd_event e = {.in = CD_IN_CARD, .ok = present};
    cd_io_input(priv, &e, now);
}

static void cs_result(void *priv, const struct host_result *r, int64_t now)
{
    cd_io_result(priv, r, now);
}

static void cs_tick(void *priv, int64_t now)
{
    cd_io_tick(priv, now);
}

static int64_t cs_deadline(const void *priv)
{
    return cd_io_deadline(priv);
}

static void cs_build(const void *priv, struct ui_tree *t, const struct theme *th,
                     const struct view *v)
{
    const struct card_io *io = priv;
    struct health hl;
    host_health(io->h, &hl);
    struct cd_view cv = {.base = *v,
                         .f = &io->f,
                         .printer_ok = hl.c[COMP_PRINTER] == HEALTH_OK ||
                                       hl.c[COMP_PRINTER] == HEALTH_DEGRADED,
                         .reader_problem = _(host_card_problem(io->h))};
    cd_screen(t, th, &cv);
}

/* Money moving between the account and the chip: the session must not end under it. */
static int cs_busy(const void *priv)
{
    const struct card_io *io = priv;
    return cd_busy(&io->f);
}

static int cs_idle(const void *priv)
{
    return cd_io_idle(priv);
}

/* An attendant's reprint of a load's receipt, marked as a copy. */
static struct slip *cs_reprint(void *priv, const char *kind, const char *payload,
                               const char *lang)
{
    return cd_io_reprint(priv, kind, payload, lang);
}

const struct service_def card_service = {
    .name = "card",
    .tiles = tiles,
    .priv_size = sizeof(struct card_io),
    .options = options,
    .config_size = sizeof(struct cd_options),
    .open = cs_open,
    .recover = cs_recover,
    .enter = cs_enter,
    .takes = "card.recharged",
    .take = cs_take,
    .leave = cs_leave,
    .tap = cs_tap,
    .card_start = cs_card_start,
    .card = cs_card,
    .result = cs_result,
    .tick = cs_tick,
    .deadline = cs_deadline,
    .build = cs_build,
    .busy = cs_busy,
    .idle = cs_idle,
    .reprint = cs_reprint,
};
