#include <stddef.h>

#include "update/options.h"

#define STR(n, f, d, h) CFG_STR_OPT(struct update_options, "update", n, f, d, h)
#define INT(n, f, d, lo, hi, h) CFG_INT_OPT(struct update_options, "update", n, f, d, lo, hi, h)

const struct cfg_option update_options_table[] = {
    STR("prefix", prefix, "",
        "the slots a and b, `current`, update.json and downloads; empty = no updates"),
    STR("ddi_url", ddi_url, "",
        "hawkBit DDI base with the tenant (https://host/DEFAULT); empty = no polling"),
    STR("controller_id", controller_id, "",
        "the kiosk's controller id at hawkBit; empty = [kiosk] terminal_id"),
    STR("token", token, "", "hawkBit target security token (Authorization: TargetToken)"),
    STR("ca_file", ca_file, "", "CA bundle for the DDI server; empty = system"),
    STR("public_key", public_key, "", "hex Ed25519 public key update bundles must be signed with"),
    INT("trial_s", trial_s, "120", 5, 3600,
        "a new version must reach home and the backend within this, or it is rolled back"),
    INT("crash_window_s", crash_window_s, "600", 60, 86400,
        "3 starts of a new version within this many seconds roll it back"),
    INT("quiet_s", quiet_s, "30", 0, 3600,
        "a staged version is switched to after this many idle seconds on attract or home"),
    INT("poll_s", poll_s, "300", 5, 86400, "polling interval when the server names none"),
    INT("bundle_max_mb", bundle_max_mb, "512", 1, 4096, "the largest bundle downloaded (MiB)"),
    {0},
};
