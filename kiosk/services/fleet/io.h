/* The fleet agent's glue: the MQTT link (kiosk/mqtt), the commands it brings run through the
 * host (the journal's settings, the printer, out of service, a restart), telemetry built
 * from what the host sees, acks published, and what a restart left (a pushed config being
 * applied, a playlist being downloaded) taken up. docs/fleet.md. */
#ifndef FLEET_IO_H
#define FLEET_IO_H

#include <stdint.h>

#include "ads.h"
#include "api.h"
#include "flow.h"
#include "host/service.h"

struct mqtt;

/* [fleet] */
struct fl_options {
    char broker[256];         /* "" = no fleet agent */
    int port;
    char tls_ca[512], tls_cert[512], tls_key[512];
    char username[64], password[128];
    char station[33];         /* the topic's station part */
    int keepalive_s;
    int telemetry_s;
    char public_key[80];      /* hex Ed25519: signed pushes; "" = refused */
    int quiet_s;              /* idle on the frame's screens before a restart */
    char ads_dir[512];        /* "" = <data_dir>/ads */
};

#define FL_OPS 64             /* host asks in flight at once (saves among them) */

/* What a host ask in flight is for. */
enum fl_op_kind {
    OP_SAVE,                  /* the "fleet" setting */
    OP_PRICES,                /* the "prices" setting: ack when it lands */
    OP_PLAYLIST,              /* the "playlist" setting */
    OP_CONFIG_VERSION,        /* "config_version" after a restart */
    OP_OOS,                   /* out of service on or off */
    OP_PRINT,                 /* the test slip */
};

struct fl_op {
    uint64_t handle;          /* 0: free */
    enum fl_op_kind kind;
    char id[FL_ID_MAX + 1];   /* the command it answers */
    int64_t version;
};

struct fleet_io {
    struct host_svc *h;
    const struct fl_options *opt;
    int on;                   /* the agent runs */
    struct mqtt *mqtt;
    char station[33], terminal[33];
    char t_status[160], t_telemetry[160], t_ack[160], t_logs[160];
    char t_cmd[3][160];       /* this kiosk's, its station's, every kiosk's */
    char version[32], slot[12];
    char ads_dir[512];
    int64_t since;            /* unix ms: when the kiosk started */
    unsigned long connects;   /* the client's links we published our state on */
    int restarting;           /* we asked for the restart: the goodbye says so */
    struct fl_tele tele;
    int64_t next_poll;
    int64_t config_version, prices_version, playlist_version; /* in force */
    struct fl_saved st;       /* ids seen, the command waiting for its restart, the
                               * playlist being downloaded (what the "fleet" setting keeps) */
    char *config_body;        /* the config waiting for its quiet moment */
    int64_t restart_next;     /* when to look for it */
    uint64_t restart_save;    /* the save that makes the waiting command durable */
    struct fl_download *dl;
    struct fl_op ops[FL_OPS];
};

int fl_io_open(struct fleet_io *io, struct host_svc *h, const struct fl_options *opt);
void fl_io_close(struct fleet_io *io);
void fl_io_recover(struct fleet_io *io, int64_t now);
void fl_io_result(struct fleet_io *io, const struct host_result *r, int64_t now);
void fl_io_tick(struct fleet_io *io, int64_t now);
int64_t fl_io_deadline(const struct fleet_io *io);
int fl_io_idle(const struct fleet_io *io);

#endif
