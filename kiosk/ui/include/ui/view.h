/* What every screen shows whoever builds it: the kiosk's name, the language and its button,
 * the Sound button, the time. The host prepares it for each frame; each service adds its own
 * view of its state to build its screens from (screens read views; they never change a
 * flow). */
#ifndef UI_VIEW_H
#define UI_VIEW_H

#include <stdint.h>

struct view {
    int64_t now_ms;
    const char *station;          /* the station's name, may be "" */
    const char *terminal_id;
    const char *lang;             /* the current language's code */
    const char *other_lang_label; /* the language button: the language it switches to */
    int sound;                    /* the Sound button: 1 on, 0 off (the customer's switch);
                                   * -1 none (the kiosk has no sound) */
    const char *out_of_service;   /* the kiosk is out of service: the message id the home
                                   * menu shows; NULL in service */
};

#endif
