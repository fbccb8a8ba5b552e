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

/* After a restart in the middle of a payment: what became of it (kept by checkout_io). */
enum notice_state { NOTICE_NONE, NOTICE_CHECKING, NOTICE_PAID, NOTICE_NOT_PAID };
struct restart_notice {
    enum notice_state state;
    int64_t amount_fen;
    char txn_no[72];
    int unreachable; /* checking: the backend has not answered yet, it is asked again */
    int receipt;     /* paid: 0 printing, 1 printed, -1 could not be printed */
    int64_t until_ms; /* closes itself then (clock_now_ms) */
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
    const struct restart_notice *notice; /* NULL, or shown over attract and home */
    const char *toast;            /* a short word over the screen (translated), or NULL */
};

#endif
