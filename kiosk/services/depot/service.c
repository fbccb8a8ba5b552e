/* Depot pickup (提油) as a service of the host: its tile (offered at a depot: [kiosk] site),
 * its config, taps, scans, ID card readings and the face step turned into flow events, its
 * screens. A pickup code scanned on the home menu starts it. */
#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "depot/service.h"
#include "face/face.h"
#include "io.h"
#include "screens.h"

static const struct service_tile tiles[] = {
    {"depot", N_("Fuel pickup"), N_("Pickup code, ID card, loading ticket"), "icons/depot.png",
     NEEDS(COMP_BACKEND) | NEEDS(COMP_JOURNAL) | NEEDS(COMP_ID_READER) | NEEDS(COMP_PRINTER),
     SITE_DEPOT, NULL},
    {0},
};

#define STR(n, f, d, h) CFG_STR_OPT(struct dp_options, "depot", n, f, d, h)
#define INT(n, f, d, lo, hi, h) CFG_INT_OPT(struct dp_options, "depot", n, f, d, lo, hi, h)

static const struct cfg_option options[] = {
    STR("depot", depot, "D01", "this depot's code at the backend"),
    STR("code_prefix", code_prefix, "PK", "what a pickup code begins with"),
    STR("face_cascade", cascade, FACE_CASCADE_DEFAULT,
        "the face detector's cascade file (OpenCV's, from opencv-data)"),
    INT("face_width", face_width, "640", 160, 1920, "width of the frames the face step judges"),
    INT("face_height", face_height, "480", 120, 1080, "height of those frames"),
    INT("min_face_pct", min_face_pct, "10", 5, 80,
        "faces narrower than this % of the frame are not looked for"),
    INT("jpeg_quality", jpeg_quality, "85", 30, 100, "quality of the frame sent to be compared"),
    INT("retry_s", retry_s, "10", 1, 600,
        "a ticket whose call got no answer is asked for again after this many seconds"),
    {0},
};

static int ds_open(void *priv, struct host_svc *h, const void *cfg, char *err, size_t errcap)
{
    return dp_io_open(priv, h, cfg, err, errcap);
}

static void ds_recover(void *priv, int64_t now)
{
    dp_io_recover(priv, now);
}

static void ds_enter(void *priv, int tile, int64_t now)
{
    (void)tile;
    struct dp_event e = {.in = DP_IN_START};
    dp_io_input(priv, &e, now);
}

static void ds_leave(void *priv, int64_t now)
{
    dp_io_leave(priv, now);
}

static int ds_tap(void *priv, const char *id, int64_t now)
{
    struct depot_io *io = priv;
    static const struct {
        const char *id;
        enum dp_input in;
    } plain[] = {
        {"depot.type", DP_IN_TYPE},   {"depot.retry", DP_IN_NEXT},
        {"depot.back", DP_IN_BACK},   {"depot.finish", DP_IN_FINISH},
    };
    if (io->f.state == DP_IDLE || strncmp(id, "depot.", 6))
        return 0;
    struct dp_event e = {.in = DP_IN_TICK};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(id, plain[i].id))
            e.in = plain[i].in;
    if (e.in == DP_IN_TICK) {
        if (strncmp(id, "depot.key.", 10))
            return 0;
        e = (struct dp_event){.in = DP_IN_KEY, .text = id + 10};
    }
    dp_io_input(io, &e, now);
    return 1;
}

static void ds_scan(void *priv, const char *code, int ok, int64_t now)
{
    struct dp_event e = {.in = DP_IN_CODE, .text = code, .ok = ok};
    dp_io_input(priv, &e, now);
}

/* A pickup code scanned on the home menu starts the pickup with it. */
static int ds_start_with(const void *priv, const char *code)
{
    const struct depot_io *io = priv;
    return dp_code_ok(&io->cfg, code) ? 0 : -1;
}

static void ds_result(void *priv, const struct host_result *r, int64_t now)
{
    dp_io_result(priv, r, now);
}

static void ds_tick(void *priv, int64_t now)
{
    dp_io_tick(priv, now);
}

static int64_t ds_deadline(const void *priv)
{
    return dp_io_deadline(priv);
}

static void ds_build(const void *priv, struct ui_tree *t, const struct theme *th,
                     const struct view *v)
{
    const struct depot_io *io = priv;
    struct dp_view dv = {.base = *v,
                         .f = &io->f,
                         .live = host_scanner_preview(io->h),
                         .printer_problem = host_printer_problem(io->h),
                         .reader_problem = host_idcard_problem(io->h),
                         .camera_problem = host_face_problem(io->h)};
    dp_screen(t, th, &dv);
}

/* A ticket being issued or printed: the session must not end under it. */
static int ds_busy(const void *priv)
{
    const struct depot_io *io = priv;
    return dp_busy(&io->f);
}

static int ds_idle(const void *priv)
{
    return dp_io_idle(priv);
}

/* An attendant's reprint of a loading ticket (补打). */
static struct slip *ds_reprint(void *priv, const char *kind, const char *payload,
                               const char *lang)
{
    return dp_io_reprint(priv, kind, payload, lang);
}

const struct service_def depot_service = {
    .name = "depot",
    .tiles = tiles,
    .priv_size = sizeof(struct depot_io),
    .options = options,
    .config_size = sizeof(struct dp_options),
    .open = ds_open,
    .recover = ds_recover,
    .enter = ds_enter,
    .leave = ds_leave,
    .tap = ds_tap,
    .scan = ds_scan,
    .start_with = ds_start_with,
    .result = ds_result,
    .tick = ds_tick,
    .deadline = ds_deadline,
    .build = ds_build,
    .busy = ds_busy,
    .idle = ds_idle,
    .reprint = ds_reprint,
};
