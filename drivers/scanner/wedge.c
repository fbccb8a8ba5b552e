#include "scanner/wedge.h"

#include <stdio.h>
#include <string.h>

#include "core/sign.h"

void wedge_text(struct wedge *w, const char *text)
{
    for (const char *c = text; *c; c++) {
        if (w->n < sizeof w->buf - 1)
            w->buf[w->n++] = *c;
        else
            w->overflow = 1;
    }
    w->buf[w->n] = '\0';
}

void wedge_clear(struct wedge *w)
{
    sign_wipe(w, sizeof *w);
}

int wedge_enter(struct wedge *w, char *out, size_t cap, int *refused)
{
    if (w->n == 0 && !w->overflow) {
        wedge_clear(w);
        return 0;
    }
    snprintf(out, cap, "%s", w->buf);
    *refused = w->overflow || strlen(out) != w->n || !code_scan_ok(out);
    wedge_clear(w);
    return 1;
}
