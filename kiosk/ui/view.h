/* The view model: everything a screen needs to build its widget tree, prepared by the app
 * from flow state each time something changes. Screens read it; they never change flows. */
#ifndef KIOSK_UI_VIEW_H
#define KIOSK_UI_VIEW_H

#include <stdint.h>

#include "kiosk/flows/checkout.h"
#include "kiosk/flows/services.h"
#include "kiosk/flows/session.h"

struct slide_view {
    const char *image;    /* file under assets/, or "" */
    uint32_t bg;          /* RGBA background */
    const char *title;    /* already in the current language */
    const char *subtitle;
};

struct view {
    const struct session *sess;
    int64_t now_ms;
    const char *station;          /* station name, may be "" */
    const char *terminal_id;
    const char *lang;             /* current language code */
    const char *other_lang_label; /* label of the language button: the language it switches to */
    struct slide_view slide;      /* current attract slide */
    int nslides;
    enum svc_reason reason[SVC_LAST];
    /* The "why is this unavailable" dialog, when open. */
    int explain_open;
    enum service explain_svc;
    enum svc_reason explain_reason;
    /* "Need more time?" prompt. */
    int prompt_left_s, prompt_total_s;
    /* Pay for fuel. */
    const struct checkout *co;
    int printer_ok;               /* a receipt can be printed now */
    const char *printer_problem;  /* why it cannot ("The printer is out of paper."), or "" */
    const char *invoice_url;      /* e-invoice link of the finished sale, or "" */
};

#endif
