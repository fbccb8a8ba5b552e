/* The [update] section of the kiosk's config file: one table for both readers, the kiosk's
 * update service (kiosk/services/update) and the kiosk-update tool (docs/updates.md). */
#ifndef KIOSK_UPDATE_OPTIONS_H
#define KIOSK_UPDATE_OPTIONS_H

#include "core/config.h"

struct update_options {
    char prefix[512];        /* the slots, the state file, downloads; "" = no updates */
    char ddi_url[256];       /* hawkBit's DDI base with the tenant; "" = no polling */
    char controller_id[64];  /* "" = [kiosk] terminal_id */
    char token[128];         /* the target security token (never logged) */
    char ca_file[512];       /* "" = the system's CAs */
    char public_key[80];     /* hex Ed25519 key bundles must be signed with */
    int trial_s;             /* a new version's time to prove itself */
    int crash_window_s;      /* 3 starts within it during a trial roll back */
    int quiet_s;             /* idle seconds on attract/home before switching */
    int poll_s;              /* polling when the server names no interval */
    int bundle_max_mb;       /* the largest bundle downloaded */
};

/* Ended by an entry with name NULL. */
extern const struct cfg_option update_options_table[];

#endif
