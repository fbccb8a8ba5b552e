/* Attendant mode (站务) as a service of the host: no tile on the home menu, a door instead
 * (the station name held for 3 s) and a staff card handed over by the fuel-card service
 * ("staff.card"); its config, taps, scans and cards turned into flow events, its screens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attendant/service.h"
#include "core/i18n.h"
#include "io.h"
#include "journal/journal.h"
#include "screens.h"

static const struct service_tile tiles[] = {
    {"staff", N_("Attendant"), N_("Staff only"), NULL, NEEDS(COMP_JOURNAL),
     SITE_FORECOURT | SITE_DEPOT, TILE_DOOR_HOLD},
    {0},
};

#define INT(n, f, d, lo, hi, h) CFG_INT_OPT(struct at_options, "attendant", n, f, d, lo, hi, h)

static const struct cfg_option options[] = {
    INT("staff_refresh_s", staff_refresh_s, "600", 30, 86400,
        "the staff list and their PIN verifiers are asked for this often"),
    INT("login_timeout_s", login_timeout_s, "5", 1, 30,
        "a PIN check the station system has not answered by then uses the cached verifier"),
    {0},
};

static int as_open(void *priv, struct host_svc *h, const void *cfg, char *err, size_t errcap)
{
    (void)err;
    (void)errcap;
    return at_io_open(priv, h, cfg);
}

static void as_close(void *priv)
{
    at_io_close(priv);
}

static void as_recover(void *priv, int64_t now)
{
    at_io_recover(priv, now);
}

static void as_enter(void *priv, int tile, int64_t now)
{
    (void)tile;
    struct at_event e = {.in = AT_IN_DOOR};
    at_io_input(priv, &e, now);
}

/* A staff card: its holder's PIN next; a card nobody on the staff list has is turned away. */
static void as_take(void *priv, const char *arg, int64_t now)
{
    struct attendant_io *io = priv;
    struct journal *j = host_journal_reader(io->h);
    struct staff_row row;
    if (!j || journal_staff_by_card(j, arg, &row) != KERR_OK) {
        host_toast(io->h, N_("This staff card is not on this station's staff list."));
        host_done(io->h);
        return;
    }
    struct at_event e = {.in = AT_IN_CARD, .text = row.staff_no};
    at_io_input(io, &e, now);
}

/* The customer's session ended (the kiosk went back to attract): nobody stays logged in. */
static void as_leave(void *priv, int64_t now)
{
    struct attendant_io *io = priv;
    if (io->f.state != AT_IDLE) {
        struct at_event e = {.in = AT_IN_CUSTOMER};
        at_io_input(io, &e, now);
    }
}

static int as_tap(void *priv, const char *id, int64_t now)
{
    struct attendant_io *io = priv;
    static const struct {
        const char *id;
        enum at_input in;
        int index;
        const char *text;
    } plain[] = {
        {"at.back", AT_IN_BACK, 0, NULL},
        {"at.next", AT_IN_NEXT, 0, NULL},
        {"at.carry", AT_IN_CARRY, 0, NULL},
        {"at.op.shift", AT_IN_CHOOSE, AT_OP_SHIFT_CLOSE, NULL},
        {"at.op.day", AT_IN_CHOOSE, AT_OP_DAY_CLOSE, NULL},
        {"at.op.reprint", AT_IN_CHOOSE, AT_OP_REPRINT, NULL},
        {"at.op.refund", AT_IN_CHOOSE, AT_OP_REFUND, NULL},
        {"at.op.health", AT_IN_CHOOSE, AT_OP_HEALTH, NULL},
        {"at.op.service", AT_IN_CHOOSE, AT_OP_OUT_OF_SERVICE, NULL},
        {"at.op.paper", AT_IN_CHOOSE, AT_OP_PAPER, NULL},
        {"at.line.all", AT_IN_CHOOSE, -1, NULL},
        {"at.oos.back", AT_IN_CHOOSE, -1, NULL},
        {"at.test_slip", AT_IN_CHOOSE, 0, "test"},
        {"at.refresh", AT_IN_CHOOSE, 0, "refresh"},
        {"at.reprint_report", AT_IN_CHOOSE, 0, NULL},
    };
    if (io->f.state == AT_IDLE || strncmp(id, "at.", 3))
        return 0;
    struct at_event e = {.in = AT_IN_TICK};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(id, plain[i].id))
            e = (struct at_event){.in = plain[i].in, .index = plain[i].index,
                                  .text = plain[i].text};
    int n = -1;
    char what[16] = "";
    if (e.in != AT_IN_TICK) {
        /* one of the above */
    } else if (!strncmp(id, "at.key.", 7)) {
        e = (struct at_event){.in = AT_IN_KEY,
                              .text = !strcmp(id + 7, "dash") ? "-" : id + 7};
    } else if (sscanf(id, "at.line.%d", &n) == 1) {
        e = (struct at_event){.in = AT_IN_CHOOSE, .index = n};
    } else if (sscanf(id, "at.reason.%d", &n) == 1) {
        e = (struct at_event){.in = AT_IN_REASON, .index = n};
    } else if (sscanf(id, "at.oos.%d", &n) == 1) {
        e = (struct at_event){.in = AT_IN_CHOOSE, .index = n};
    } else if (sscanf(id, "at.parked.%d.%15s", &n, what) == 2) {
        e = (struct at_event){.in = AT_IN_CHOOSE, .index = n, .text = what};
    } else {
        return 0;
    }
    at_io_input(io, &e, now);
    return 1;
}

static void as_scan(void *priv, const char *code, int ok, int64_t now)
{
    struct at_event e = {.in = AT_IN_SCAN, .text = code, .ok = ok};
    at_io_input(priv, &e, now);
}

/* A card put on while staff are in: a customer is at the kiosk. */
static void as_card(void *priv, int present, int64_t now)
{
    if (!present)
        return;
    struct at_event e = {.in = AT_IN_CUSTOMER};
    at_io_input(priv, &e, now);
}

static void as_result(void *priv, const struct host_result *r, int64_t now)
{
    at_io_result(priv, r, now);
}

static void as_tick(void *priv, int64_t now)
{
    at_io_tick(priv, now);
}

static int64_t as_deadline(const void *priv)
{
    return at_io_deadline(priv);
}

static void as_build(const void *priv, struct ui_tree *t, const struct theme *th,
                     const struct view *v)
{
    struct at_view av;
    memset(&av, 0, sizeof av);
    av.base = *v;
    at_io_view(priv, &av);
    at_screen(t, th, &av);
}

/* Staff at the kiosk keep their own time (60 s): the customer's "need more time?" never
 * shows over attendant mode. */
static int as_busy(const void *priv)
{
    const struct attendant_io *io = priv;
    return io->f.state != AT_IDLE;
}

static int as_idle(const void *priv)
{
    return at_io_idle(priv);
}

const struct service_def attendant_service = {
    .name = "attendant",
    .tiles = tiles,
    .priv_size = sizeof(struct attendant_io),
    .options = options,
    .config_size = sizeof(struct at_options),
    .open = as_open,
    .close = as_close,
    .recover = as_recover,
    .enter = as_enter,
    .takes = "staff.card",
    .take = as_take,
    .leave = as_leave,
    .tap = as_tap,
    .scan = as_scan,
    .card = as_card,
    .result = as_result,
    .tick = as_tick,
    .deadline = as_deadline,
    .build = as_build,
    .busy = as_busy,
    .idle = as_idle,
};
