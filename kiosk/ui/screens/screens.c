#include <stdio.h>

#include "kiosk/ui/screens/screens.h"

static void build_state(struct ui_tree *t, const struct theme *th, const struct view *v,
                        enum sess_state st)
{
    switch (st) {
    case SESS_ATTRACT:
        screen_attract(t, th, v);
        break;
    case SESS_SERVICE:
        if (v->co && (v->sess->svc == SVC_FUEL || v->sess->svc == SVC_SHOP)) {
            screen_checkout(t, th, v);
            break;
        }
        screen_home(t, th, v);
        break;
    case SESS_HOME:
    case SESS_ASK_MORE:
    case SESS_LAST:
        screen_home(t, th, v);
        break;
    }
}

void screens_build(struct ui_tree *t, const struct theme *th, const struct view *v)
{
    const struct session *s = v->sess;
    static const char *const names[SESS_LAST] = {"attract", "home", "home", "more_time"};
    ui_begin(t, names[s->state < SESS_LAST ? s->state : SESS_HOME], t->w, t->h);
    if (s->state == SESS_ASK_MORE) {
        build_state(t, th, v, s->resume);
        snprintf(t->screen, sizeof t->screen, "more_time");
        screen_more_time(t, th, v);
        if (v->toast)
            chrome_toast(t, th, v->toast);
        return;
    }
    build_state(t, th, v, s->state);
    /* over attract and home, unless the customer opened a dialog of their own */
    if (v->notice && (s->state == SESS_ATTRACT || s->state == SESS_HOME) && !v->explain_open)
        screen_notice(t, th, v);
    if (v->toast)
        chrome_toast(t, th, v->toast);
}
