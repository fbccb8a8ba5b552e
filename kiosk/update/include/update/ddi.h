/* hawkBit's Direct Device Integration API as the kiosk speaks it (docs/updates.md): the
 * answers it reads (the controller's base, a deployment) and the bodies it sends
 * (feedback, config data). Pure: no I/O. Readers are strict and bounded; what they do not
 * need is ignored, what they need and is wrong refuses the whole answer. */
#ifndef KIOSK_UPDATE_DDI_H
#define KIOSK_UPDATE_DDI_H

#include <stddef.h>
#include <stdint.h>

#define DDI_HREF_MAX 512
#define DDI_ACTION_MAX 24

/* GET {ddi_url}/controller/v1/{controllerId} */
struct ddi_base {
    int sleep_s;                        /* config.polling.sleep; -1 when absent */
    char deployment[DDI_HREF_MAX];      /* _links.deploymentBase.href, or "" */
    char action[DDI_ACTION_MAX];        /* its action id (digits) */
    int cancel;                         /* _links.cancelAction is there */
    int config_data;                    /* _links.configData is there: the server asks */
};
/* 0, or -1 with why in err. */
int ddi_parse_base(const char *text, size_t len, struct ddi_base *b, char *err, size_t errcap);

/* The bundle in a deployment: the one artifact whose name ends in ".fkb". */
struct ddi_artifact {
    char filename[128];
    int64_t size;
    char sha256[65];                    /* lowercase hex */
    char href[DDI_HREF_MAX];            /* _links.download (https), else download-http */
    char version[64];                   /* its chunk's version, as the operator typed it */
};

/* GET .../deploymentBase/{actionId} */
struct ddi_deployment {
    char id[DDI_ACTION_MAX];
    int skip_download;                  /* deployment.download is "skip" */
    int skip_update;                    /* deployment.update is "skip" (download only) */
    int window_closed;                  /* deployment.maintenanceWindow is "unavailable" */
    struct ddi_artifact art;
};
/* 0, or -1 with why in err (no .fkb artifact, or more than one, a field wrong). */
int ddi_parse_deployment(const char *text, size_t len, struct ddi_deployment *d, char *err,
                         size_t errcap);

/* The action id of a deploymentBase href (".../deploymentBase/17?c=-2"): 0, or -1. */
int ddi_action_of(const char *href, char *out, size_t cap);
/* "HH:MM:SS" in seconds, or -1. */
int ddi_sleep_parse(const char *s);

/* POST .../deploymentBase/{id}/feedback: execution "proceeding", "downloaded", "closed", ...;
 * finished "none", "success", "failure"; one detail line (may be NULL). malloc'd, or NULL
 * on no memory. */
char *ddi_feedback_json(int64_t timestamp_ms, const char *execution, const char *finished,
                        const char *detail);
/* PUT .../configData: the kiosk's slot and version, merged into the target's attributes. */
char *ddi_config_json(const char *slot, const char *version);

#endif
