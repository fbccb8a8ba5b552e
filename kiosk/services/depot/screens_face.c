#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "face/face.h"
#include "screens.h"

/* The depot pickup's face step: the camera's picture with an oval to fit the face in (the
 * UI_LIVE widget's guide), one line of advice in large type under it (over it in landscape:
 * beside it), which try this is, and "try again" once the step has waited too long for a
 * good picture. The preview is shown only here (docs: privacy on screen). */

/* The camera is out of order: say so, and the way on (the counter). */
static void no_camera(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                      const struct layout *l, SDL_Rect a)
{
    int bh = th->min_target * 3 / 2;
    int h[2] = {th->font_px[FONT_HEADLINE] * (l->portrait ? 3 : 2),
                th->font_px[FONT_TITLE] * (l->portrait ? 6 : 4)};
    chrome_fit(h, 2, a.h - bh - l->gap, th->font_px[FONT_CAPTION] * 3 / 2);
    int y = a.y + (l->portrait ? a.h / 10 : 0);
    if (y + h[0] + h[1] > a.y + a.h - bh - l->gap)
        y = a.y;
    struct ui_widget *w =
        chrome_text(t, "depot.title", (SDL_Rect){a.x, y, a.w, h[0]},
                    _("The face check cannot be done here"), FONT_HEADLINE, ALIGN_CENTER);
    w->bold = 1;
    w->fg = th->warn;
    y += h[0];
    char text[300];
    snprintf(text, sizeof text, "%s\n%s", _(v->camera_problem), _("Please go to the counter."));
    chrome_text(t, "depot.camera", (SDL_Rect){a.x, y, a.w, h[1]}, text, FONT_TITLE, ALIGN_CENTER);
    SDL_Rect next = {a.x, a.y + a.h - bh, a.w, bh};
    if (!l->portrait)
        next = chrome_column(l, next, 1);
    chrome_primary(t, "depot.finish", next, _("Finish"));
}

/* The picture 4:3, framed, as large as fits r, with its guide (depot.face.live). Returns
 * the height taken. */
static int face_live(struct ui_tree *t, const struct theme *th, SDL_Rect r)
{
    int frame = th->min_target / 12;
    int pw = r.w - 2 * frame, ph = pw * 3 / 4;
    if (ph > r.h - 2 * frame) {
        ph = r.h - 2 * frame;
        pw = ph * 4 / 3;
    }
    if (ph < th->min_target)
        return 0;
    SDL_Rect p = {r.x + (r.w - pw) / 2, r.y + frame, pw, ph};
    ui_add(t, UI_PANEL, ST_CARD, NULL,
           (SDL_Rect){p.x - frame, p.y - frame, p.w + 2 * frame, p.h + 2 * frame}, NULL)
        ->bg = th->primary;
    ui_add(t, UI_LIVE, ST_PLAIN, "depot.face.live", p, NULL)->guide = 80;
    return ph + 2 * frame;
}

/* Portrait: the picture across the top, the advice under it, which try, "try again" at the
 * bottom. Landscape: the picture left, the rest right. */
void dp_screen_face(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct dp_flow *f = v->f;
    if (v->camera_problem && v->camera_problem[0]) {
        no_camera(t, th, v, l, a);
        return;
    }
    int bh = th->min_target * 3 / 2, gap = l->gap;
    SDL_Rect col = chrome_column(l, a, 1);
    if (l->portrait) { /* the picture takes what the words leave, at most its 4:3 */
        int words = th->font_px[FONT_DISPLAY] * 5 / 2 + th->font_px[FONT_TITLE] * 3 / 2 + bh +
                    2 * gap;
        int used = face_live(t, th, (SDL_Rect){a.x, a.y, a.w, a.h - words});
        col.y = a.y + used + gap;
        col.h = a.y + a.h - col.y;
    } else {
        face_live(t, th, chrome_column(l, a, 0));
    }
    /* before the first report (DP_HINT_STARTING) face_hint_text() says "look at the camera" */
    int hint = f->face_hint;
    int h[2] = {th->font_px[FONT_DISPLAY] * (l->portrait ? 5 : 6) / 2,
                f->face_tries > 0 ? th->font_px[FONT_TITLE] * 3 / 2 : 0};
    chrome_fit(h, 2, col.h - (f->face_timed_out ? bh + gap : 0), th->font_px[FONT_TITLE] * 3 / 2);
    int y = col.y;
    if (!l->portrait && !f->face_timed_out) /* beside the picture, in the middle */
        y = col.y + (col.h - h[0] - h[1]) / 2;
    struct ui_widget *w =
        chrome_text(t, "depot.face.hint", (SDL_Rect){col.x, y, col.w, h[0]},
                    _(face_hint_text((enum face_hint)hint)), FONT_DISPLAY, ALIGN_CENTER);
    w->bold = 1;
    if (hint == DP_HINT_OK)
        w->fg = th->ok;
    y += h[0];
    if (h[1]) {
        char text[80];
        snprintf(text, sizeof text, _("Try %d of %d"), f->face_tries + 1, DP_FACE_TRIES);
        chrome_text(t, "depot.face.tries", (SDL_Rect){col.x, y, col.w, h[1]}, text, FONT_TITLE,
                    ALIGN_CENTER)
            ->fg = th->text_dim;
    }
    if (f->face_timed_out)
        chrome_primary(t, "depot.retry", (SDL_Rect){col.x, col.y + col.h - bh, col.w, bh},
                       _("Try again"));
}
