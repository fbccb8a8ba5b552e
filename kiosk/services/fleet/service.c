/* The fleet agent (docs/fleet.md) as a service of the host: no tile, no screen; its config
 * ([fleet]) and its hooks: it opens the MQTT link, takes up what a restart left, and works
 * from its tick (woken by the link's thread and by its downloads) and the host's answers. */
#include <stdint.h>

#include "fleet/service.h"
#include "io.h"

#define STR(n, f, d, h) CFG_STR_OPT(struct fl_options, "fleet", n, f, d, h)
#define INT(n, f, d, lo, hi, h) CFG_INT_OPT(struct fl_options, "fleet", n, f, d, lo, hi, h)

static const struct cfg_option options[] = {
    STR("broker", broker, "", "the fleet's MQTT broker (name or address); empty = no fleet agent"),
    INT("port", port, "1883", 1, 65535, "the broker's port (8883 is usual with TLS)"),
    STR("tls_ca", tls_ca, "", "CA file the broker's certificate is checked against; empty = "
        "plain TCP"),
    STR("tls_cert", tls_cert, "", "the kiosk's client certificate (PEM), with tls_key; TLS only"),
    STR("tls_key", tls_key, "", "the client certificate's private key (PEM)"),
    STR("username", username, "", "MQTT user name; empty = none"),
    STR("password", password, "", "MQTT password (never logged)"),
    STR("station", station, "", "the station in topics (kiosk/<station>/<terminal>/...): 1..32 "
        "of A-Z a-z 0-9 _ -; needed with a broker"),
    INT("keepalive_s", keepalive_s, "30", 5, 600, "a ping this often; the broker sends the "
        "kiosk's will after 1.5 times as long without a word"),
    INT("telemetry_s", telemetry_s, "300", 10, 86400, "telemetry this often (and at once, at "
        "most every 2 s, when health, out of service or a version changes)"),
    STR("public_key", public_key, "", "hex Ed25519 key that signs pushed config, prices and "
        "playlists; empty = they are refused"),
    INT("quiet_s", quiet_s, "20", 1, 3600, "a pushed config or a reload waits for this many "
        "seconds without a customer"),
    STR("ads_dir", ads_dir, "", "where playlists are kept; empty = <data_dir>/ads"),
    {0},
};

static int fs_open(void *priv, struct host_svc *h, const void *cfg, char *err, size_t errcap)
{
    (void)err;
    (void)errcap;
    return fl_io_open(priv, h, cfg); /* a fleet that cannot start never stops the kiosk */
}

static void fs_close(void *priv)
{
    fl_io_close(priv);
}

static void fs_recover(void *priv, int64_t now)
{
    fl_io_recover(priv, now);
}

static void fs_result(void *priv, const struct host_result *r, int64_t now)
{
    fl_io_result(priv, r, now);
}

static void fs_tick(void *priv, int64_t now)
{
    fl_io_tick(priv, now);
}

static int64_t fs_deadline(const void *priv)
{
    return fl_io_deadline(priv);
}

static int fs_idle(const void *priv)
{
    return fl_io_idle(priv);
}

const struct service_def fleet_service = {
    .name = "fleet",
    .priv_size = sizeof(struct fleet_io),
    .options = options,
    .config_size = sizeof(struct fl_options),
    .open = fs_open,
    .close = fs_close,
    .recover = fs_recover,
    .result = fs_result,
    .tick = fs_tick,
    .deadline = fs_deadline,
    .idle = fs_idle,
};
