#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "core/i18n.h"

/* The depot pickup's screens but the face step (screens_face.c): the frame of every screen
 * (header, steps, footer) and the pieces the face step shares; scan or type the pickup code,
 * the order and "put your ID card on the reader", the waits, the ticket taken, and the ways
 * it ends. Every screen has its one primary action at the bottom of the content (in
 * landscape: of the right column), the way out bottom-left in the footer: Back where there
 * is a step back, Finish where the primary action is another (try again); where Finish is
 * all there is to do, it is the primary action. */

/* ---- words ------------------------------------------------------------------------------ */

const char *dp_error_text(enum dp_error e)
{
    switch (e) {
    case DP_ERR_UNKNOWN_CODE: return _("No order has this pickup code");
    case DP_ERR_EXPIRED_ORDER: return _("This pickup order has expired");
    case DP_ERR_USED: return _("This pickup order has been used");
    case DP_ERR_OTHER_DEPOT: return _("This order is for another depot");
    case DP_ERR_NOT_CODE: return _("That is not a pickup code");
    case DP_ERR_ID_EXPIRED: return _("This ID card has expired");
    case DP_ERR_ID_NOT_YET: return _("This ID card is not valid yet");
    case DP_ERR_ID_BAD: return _("This ID card could not be checked");
    case DP_ERR_ID_UNREADABLE:
        return _("The card could not be read: keep it on the reader until your order is checked");
    case DP_ERR_ID_KIND:
        return _("This kind of card cannot be used here: please go to the counter");
    case DP_ERR_NO_MATCH: return _("The face check did not pass");
    case DP_ERR_OFFLINE: return _("The depot system cannot be reached");
    case DP_ERR_KIOSK: return _("This kiosk cannot issue tickets now");
    case DP_ERR_REFUSED: return _("The depot system refused this");
    case DP_OK:
    case DP_ERR_LAST: break;
    }
    return "";
}

/* What to do about an error that ends the journey, in the current language. */
static const char *error_advice(enum dp_error e)
{
    switch (e) {
    case DP_ERR_UNKNOWN_CODE: return _("Check the code in the app, or contact your dispatcher.");
    case DP_ERR_EXPIRED_ORDER: return _("Please contact your dispatcher for a new pickup order.");
    case DP_ERR_USED:
        return _("It was loaded already, or cancelled. Please contact your dispatcher.");
    case DP_ERR_OTHER_DEPOT:
        return _("Please collect it at that depot, or contact your dispatcher.");
    case DP_ERR_OFFLINE: return _("Please try again in a minute, or go to the counter.");
    case DP_ERR_KIOSK: return _("Please use another kiosk, or go to the counter.");
    case DP_ERR_NO_MATCH:
    case DP_ERR_REFUSED:
    default: break;
    }
    return _("Please go to the counter.");
}

/* "12-02 23:59" from ISO 8601 ("2026-12-02T23:59:59+08:00"); what is there when it is not
 * that form; "-" for nothing. */
static void iso_short(const char *iso, char *out, size_t cap)
{
    if (strlen(iso) >= 16 && iso[4] == '-' && iso[7] == '-' && (iso[10] == 'T' || iso[10] == ' ') &&
        iso[13] == ':')
        snprintf(out, cap, "%.5s %.5s", iso + 5, iso + 11);
    else
        snprintf(out, cap, "%s", iso[0] ? iso : "-");
}

/* The slow answer: a call to the depot system has taken 10 s and more. */
static int slow(const struct dp_view *v)
{
    const struct dp_flow *f = v->f;
    int calls = f->state == DP_LOOKUP || f->state == DP_DRIVER || f->state == DP_FACE_CHECK ||
                f->state == DP_ISSUING;
    return calls && f->wait_until > 0 && v->base.now_ms >= f->wait_until - DP_CALL_MS + 10000;
}

/* ---- shared pieces ---------------------------------------------------------------------- */

/* A notice label (id) in type f at the top of *a, `h` high at most, which shrinks by what
 * it takes. */
static void notice(struct ui_tree *t, const struct theme *th, const char *id, SDL_Rect *a,
                   int h, const char *text, enum font_role f)
{
    int gap = th->min_target / 6;
    if (h > a->h - gap)
        h = a->h - gap > th->font_px[FONT_CAPTION] * 3 / 2 ? a->h - gap
                                                             : th->font_px[FONT_CAPTION] * 3 / 2;
    chrome_text(t, id, (SDL_Rect){a->x, a->y, a->w, h}, text, f, ALIGN_LEFT)->style = ST_NOTICE;
    a->y += h + gap;
    a->h -= h + gap;
}

/* A big spinner (depot.busy), what is being waited for (depot.busy.text) and a quieter
 * line (depot.busy.detail, may be NULL), centred in r. */
static void wait_block(struct ui_tree *t, const struct theme *th, const struct layout *l,
                       SDL_Rect r, const char *text, const char *detail)
{
    int sp = l->portrait ? th->min_target * 2 : th->min_target * 3 / 2;
    int msg_h = th->font_px[FONT_HEADLINE] * (l->portrait ? 5 : 3) / 2;
    int more_h = detail ? th->font_px[FONT_TITLE] * 3 : 0;
    int y = r.y + (r.h - sp - l->gap - msg_h - more_h) / 2;
    if (y < r.y)
        y = r.y;
    ui_add(t, UI_SPINNER, ST_PLAIN, "depot.busy", (SDL_Rect){r.x + (r.w - sp) / 2, y, sp, sp},
           NULL);
    y += sp + l->gap;
    chrome_text(t, "depot.busy.text", (SDL_Rect){r.x, y, r.w, msg_h}, text, FONT_HEADLINE,
                ALIGN_CENTER)
        ->bold = 1;
    y += msg_h;
    if (detail)
        chrome_text(t, "depot.busy.detail", (SDL_Rect){r.x, y, r.w, more_h}, detail, FONT_TITLE,
                    ALIGN_CENTER)
            ->fg = th->text_dim;
}

/* An end screen: a title (depot.title; colour title_fg, 0 for the text's), a figure in
 * large type (figure_id: the ticket's number, the tries left; NULL for none), a message
 * (depot.message), a quieter line (depot.more, may be NULL) and the primary action
 * (next_id) at the bottom (in landscape: of the right column). */
static void message_with(struct ui_tree *t, const struct theme *th, const struct layout *l,
                         SDL_Rect a, const char *title, uint32_t title_fg,
                         const char *figure_id, const char *figure, const char *msg,
                         const char *more, const char *next_id, const char *next_label)
{
    int bh = th->min_target * 3 / 2;
    int h[4] = {th->font_px[FONT_HEADLINE] * (l->portrait ? 3 : 2),
                figure && figure[0] ? th->font_px[FONT_HEADLINE] * 3 / 2 : 0,
                msg && msg[0] ? th->font_px[FONT_TITLE] * (l->portrait ? 6 : 4) : 0,
                more && more[0] ? th->font_px[FONT_BODY] * 3 : 0};
    int top = l->portrait ? a.h / 10 : 0;
    chrome_fit(h, 4, a.h - bh - l->gap - top, th->font_px[FONT_CAPTION] * 3 / 2);
    int y = a.y + top;
    struct ui_widget *w = chrome_text(t, "depot.title", (SDL_Rect){a.x, y, a.w, h[0]}, title,
                                      FONT_HEADLINE, ALIGN_CENTER);
    w->bold = 1;
    if (title_fg)
        w->fg = title_fg;
    y += h[0];
    if (h[1]) {
        chrome_text(t, figure_id, (SDL_Rect){a.x, y, a.w, h[1]}, figure, FONT_HEADLINE,
                    ALIGN_CENTER)
            ->bold = 1;
        y += h[1];
    }
    if (h[2]) {
        chrome_text(t, "depot.message", (SDL_Rect){a.x, y, a.w, h[2]}, msg, FONT_TITLE,
                    ALIGN_CENTER);
        y += h[2];
    }
    if (h[3])
        chrome_text(t, "depot.more", (SDL_Rect){a.x, y, a.w, h[3]}, more, FONT_BODY, ALIGN_CENTER)
            ->fg = th->text_dim;
    SDL_Rect next = {a.x, a.y + a.h - bh, a.w, bh};
    if (!l->portrait)
        next = chrome_column(l, next, 1);
    chrome_primary(t, next_id, next, next_label);
}

/* An end screen: a title (depot.title; colour title_fg, 0 for the text's), a message
 * (depot.message), a quieter line (depot.more, may be NULL) and the primary action
 * (next_id) at the bottom (in landscape: of the right column). */
static void message(struct ui_tree *t, const struct theme *th, const struct layout *l,
                    SDL_Rect a, const char *title, uint32_t title_fg, const char *msg,
                    const char *more, const char *next_id, const char *next_label)
{
    message_with(t, th, l, a, title, title_fg, NULL, NULL, msg, more, next_id, next_label);
}

/* The step bar: "1 Pickup code 2 ID card 3 Face check 4 Ticket"; none at the ends but the
 * ticket taken. Returns its height. */
static int steps(struct ui_tree *t, const struct theme *th, const struct dp_flow *f,
                 const struct layout *l)
{
    static const char *const names[] = {N_("Pickup code"), N_("ID card"), N_("Face check"),
                                        N_("Ticket")};
    int cur = -1;
    switch (f->state) {
    case DP_IDLE:
    case DP_SCAN:
    case DP_LOOKUP: cur = 0; break;
    case DP_ORDER:
    case DP_DRIVER: cur = 1; break;
    case DP_FACE:
    case DP_FACE_CHECK:
    case DP_FACE_RETRY:
    case DP_FACE_BUSY: cur = 2; break;
    case DP_PRINTER:
    case DP_JOURNALING:
    case DP_ISSUING:
    case DP_RECORDING:
    case DP_PRINTING:
    case DP_DONE:
    case DP_PRINT_FAILED: cur = 3; break;
    default: break;
    }
    if (cur < 0)
        return 0;
    return chrome_steps(t, l, th, names, 4, cur);
}

/* ---- scan the pickup code, or type it --------------------------------------------------- */

/* The camera's picture (depot.live) 4:3 in a frame, at most r, its caption under it; or
 * the picture of a phone's code over the scanner (depot.picture) and its caption. */
static void scan_picture(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                         SDL_Rect r)
{
    int cap_h = th->font_px[FONT_TITLE] * 2, frame = th->min_target / 12;
    int pw = r.w, ph = r.h - cap_h;
    if (v->live) {
        pw = r.w - 2 * frame;
        ph = pw * 3 / 4;
        if (ph > r.h - cap_h - 2 * frame) {
            ph = r.h - cap_h - 2 * frame;
            pw = ph * 4 / 3;
        }
        if (ph < th->min_target)
            return; /* no room: the words say it */
        SDL_Rect p = {r.x + (r.w - pw) / 2, r.y + frame, pw, ph};
        ui_add(t, UI_PANEL, ST_CARD, NULL,
               (SDL_Rect){p.x - frame, p.y - frame, p.w + 2 * frame, p.h + 2 * frame}, NULL)
            ->bg = th->primary;
        ui_add(t, UI_LIVE, ST_PLAIN, "depot.live", p, NULL);
        chrome_text(t, "depot.live.hint", (SDL_Rect){r.x, p.y + p.h + frame, r.w, cap_h},
                    _("Hold the code in front of the camera"), FONT_TITLE, ALIGN_CENTER)
            ->bold = 1;
        return;
    }
    int side = pw < ph ? pw : ph;
    if (side > r.w * 7 / 10)
        side = r.w * 7 / 10;
    if (side < th->min_target)
        return;
    int y = r.y + (r.h - side - cap_h) / 2;
    struct ui_widget *img = ui_add(t, UI_IMAGE, ST_PLAIN, "depot.picture",
                                   (SDL_Rect){r.x + (r.w - side) / 2, y, side, side}, NULL);
    snprintf(img->image, sizeof img->image, "icons/paycode.png");
    img->bg = th->bg;
    chrome_text(t, "depot.picture.hint", (SDL_Rect){r.x, y + side, r.w, cap_h},
                _("Hold the code to the scanner"), FONT_TITLE, ALIGN_CENTER)
        ->bold = 1;
}

/* "That is not a pickup code. Pickup codes begin with PK." */
static void not_code_text(const struct dp_flow *f, char *out, size_t cap)
{
    const char *prefix = f->cfg.code_prefix ? f->cfg.code_prefix : "";
    if (prefix[0])
        snprintf(out, cap, _("That is not a pickup code. Pickup codes begin with %s."), prefix);
    else
        snprintf(out, cap, "%s", dp_error_text(DP_ERR_NOT_CODE));
}

static void scan(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                 const struct layout *l, SDL_Rect a)
{
    const struct dp_flow *f = v->f;
    int bh = th->min_target * 3 / 2, gap = l->gap;
    SDL_Rect words = chrome_column(l, a, 1);
    /* the way to type it instead, at the bottom (of the right column) */
    SDL_Rect type = {words.x, words.y + words.h - bh, words.w, bh};
    struct ui_widget *b = ui_button(t, "depot.type", type, _("Type the code instead"),
                                    ST_SECONDARY);
    b->font = FONT_TITLE;
    b->disabled = f->busy;
    words.h -= bh + gap;
    int note = f->error == DP_ERR_NOT_CODE;
    /* landscape has less height: the hint and the note a size smaller, the note instead of
     * the hint */
    enum font_role hf = l->portrait ? FONT_TITLE : FONT_BODY, nf = hf;
    int ngap = note ? th->min_target / 6 : 0;
    int h[3] = {th->font_px[FONT_DISPLAY] * 3 / 2,
                note && !l->portrait ? 0 : th->font_px[hf] * 3, note ? th->font_px[nf] * 3 : 0};
    if (!l->portrait)
        chrome_fit(h, 3, words.h - 2 * ngap, th->font_px[FONT_CAPTION] * 3 / 2);
    enum text_align al = l->portrait ? ALIGN_CENTER : ALIGN_LEFT;
    int y = words.y;
    chrome_text(t, "depot.scan.title", (SDL_Rect){words.x, y, words.w, h[0]},
                _("Scan your pickup code"), FONT_DISPLAY, al)
        ->bold = 1;
    y += h[0];
    if (h[1])
        chrome_text(t, "depot.scan.hint", (SDL_Rect){words.x, y, words.w, h[1]},
                    _("Open the order in your company's app and show its code."), hf, al)
            ->fg = th->text_dim;
    y += h[1] + ngap;
    SDL_Rect rest = {words.x, y, words.w, words.y + words.h - y};
    if (note) {
        char text[200];
        not_code_text(f, text, sizeof text);
        notice(t, th, "depot.note", &rest, h[2], text, nf);
    }
    /* the picture: under the words (portrait), the left column (landscape) */
    SDL_Rect pic = l->portrait ? (SDL_Rect){a.x, rest.y + gap / 2, a.w, rest.h - gap / 2}
                               : chrome_column(l, a, 0);
    scan_picture(t, th, v, pic);
}

/* A keypad area no larger than needed: at most `max_h` high (low in r) and 3:2 wide,
 * centred. */
static SDL_Rect keys_area(SDL_Rect r, int max_h)
{
    if (r.h > max_h) {
        r.y += r.h - max_h;
        r.h = max_h;
    }
    if (r.w > r.h * 3 / 2) {
        r.x += (r.w - r.h * 3 / 2) / 2;
        r.w = r.h * 3 / 2;
    }
    return r;
}

/* The code as typed in a field at r: the prefix in a box of its own (it is not typed), the
 * digits after it; Clear beside it. */
static void code_field(struct ui_tree *t, const struct theme *th, const struct dp_flow *f,
                       SDL_Rect r, int gap)
{
    const char *prefix = f->cfg.code_prefix ? f->cfg.code_prefix : "";
    size_t plen = strlen(prefix);
    const char *typed = f->typed;
    if (plen && !strncmp(typed, prefix, plen)) /* a flow that keeps the prefix: shown once */
        typed += plen;
    int clear_w = r.w * 26 / 100, fw = r.w - clear_w - gap;
    ui_add(t, UI_PANEL, ST_CARD, NULL, (SDL_Rect){r.x, r.y, fw, r.h}, NULL);
    int pw = 0;
    if (plen) {
        pw = th->font_px[FONT_HEADLINE] * (int)(plen < 6 ? plen : 6) * 7 / 10 +
             th->min_target / 2;
        ui_add(t, UI_PANEL, ST_PLAIN, NULL, (SDL_Rect){r.x + 2, r.y + 2, pw, r.h - 4}, NULL)
            ->bg = th->surface_alt;
        chrome_text(t, "depot.code.prefix", (SDL_Rect){r.x, r.y, pw, r.h}, prefix, FONT_HEADLINE,
                    ALIGN_CENTER)
            ->bold = 1;
    }
    int pad = th->min_target / 4;
    chrome_text(t, "depot.code.value", (SDL_Rect){r.x + pw + pad, r.y, fw - pw - 2 * pad, r.h},
                typed, FONT_HEADLINE, ALIGN_LEFT)
        ->bold = 1;
    struct ui_widget *b = ui_button(t, "depot.key.clear",
                                    (SDL_Rect){r.x + fw + gap, r.y, clear_w, r.h}, _("Clear"),
                                    ST_KEY);
    b->font = FONT_TITLE;
    b->bold = 1;
    b->disabled = f->busy || !typed[0];
}

/* Portrait: the headline and the hint at the top; low on the screen the code as typed, the
 * note and the keys. Landscape: all but the keys left, the keys right. */
static void typing(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                   const struct layout *l, SDL_Rect a)
{
    const struct dp_flow *f = v->f;
    int gap = l->gap / 2, card_h = th->min_target * 3 / 2;
    SDL_Rect left = chrome_column(l, a, 0);
    const char *prefix = f->cfg.code_prefix ? f->cfg.code_prefix : "";
    char text[200], note[200] = "";
    int head_h = th->font_px[FONT_HEADLINE] * 3 / 2, hint_h = th->font_px[FONT_BODY] * 2;
    chrome_text(t, "depot.code.title", (SDL_Rect){left.x, left.y, left.w, head_h},
                _("Type your pickup code"), FONT_HEADLINE, ALIGN_LEFT)
        ->bold = 1;
    int y = left.y + head_h;
    if (prefix[0])
        snprintf(text, sizeof text, _("Type the digits after %s, as the app shows them."), prefix);
    else
        snprintf(text, sizeof text, "%s", _("Type the code as the app shows it."));
    chrome_text(t, "depot.code.hint", (SDL_Rect){left.x, y, left.w, hint_h}, text, FONT_BODY,
                ALIGN_LEFT)
        ->fg = th->text_dim;
    y += hint_h + gap;
    if (f->error == DP_ERR_NOT_CODE)
        not_code_text(f, note, sizeof note);
    int note_h = note[0] ? th->font_px[FONT_BODY] * 3 : 0;
    SDL_Rect keys;
    if (l->portrait) { /* the keys low, the field and the note right over them */
        keys = keys_area((SDL_Rect){a.x, y, a.w, a.y + a.h - y}, th->min_target * 7);
        y = keys.y - l->gap - (note[0] ? note_h + th->min_target / 6 : 0) - card_h - gap;
        if (y < left.y + head_h + hint_h + gap)
            y = left.y + head_h + hint_h + gap;
    } else {
        keys = keys_area(chrome_column(l, a, 1), th->min_target * 7);
    }
    code_field(t, th, f, (SDL_Rect){left.x, y, left.w, card_h}, gap);
    y += card_h + gap;
    SDL_Rect rest = {left.x, y, left.w, a.y + a.h - y};
    if (note[0])
        notice(t, th, "depot.note", &rest, note_h, note, FONT_BODY);
    int first = t->n;
    ui_keypad(t, "depot.key", keys, _("Look up"));
    struct ui_widget *ok = ui_find(t, "depot.key.ok");
    if (ok)
        ok->on_enter = 1;
    for (int i = first; i < t->n; i++)
        t->v[i].disabled = f->busy;
}

/* ---- the order, and the ID card ---------------------------------------------------------- */

/* The order in a panel at r (its height as it needs, at most r.h): the product and the
 * quantity big, the plate, valid until, the bay, the code. Returns the height used. */
static int order_panel(struct ui_tree *t, const struct theme *th, const struct dp_flow *f,
                       SDL_Rect r)
{
    const struct dp_order *o = &f->order;
    int pad = th->min_target / 4;
    int row_h = th->font_px[FONT_TITLE] * 3 / 2;
    enum { PRODUCT, QTY, PLATE, VALID, BAY, CODE, ROWS };
    int h[ROWS] = {th->font_px[FONT_TITLE] * 3 / 2, th->font_px[FONT_HEADLINE] * 3 / 2, row_h,
                   row_h, row_h, th->font_px[FONT_BODY] * 3 / 2};
    int ph = 3 * pad + chrome_fit(h, ROWS, r.h - 3 * pad, th->font_px[FONT_CAPTION] * 9 / 8);
    ui_add(t, UI_PANEL, ST_CARD, NULL, (SDL_Rect){r.x, r.y, r.w, ph}, NULL);
    int x = r.x + pad, w = r.w - 2 * pad, y = r.y + pad;
    char text[96];
    chrome_text(t, "depot.order.product", (SDL_Rect){x, y, w, h[PRODUCT]}, o->product, FONT_TITLE,
                ALIGN_LEFT)
        ->bold = 1;
    y += h[PRODUCT];
    dp_quantity(o->unit, o->quantity_milli, text, sizeof text);
    chrome_text(t, "depot.order.quantity", (SDL_Rect){x, y, w, h[QTY]}, text, FONT_HEADLINE,
                ALIGN_LEFT)
        ->bold = 1;
    y += h[QTY] + pad / 2;
    ui_add(t, UI_PANEL, ST_PLAIN, NULL, (SDL_Rect){x, y, w, 2}, NULL)->bg = th->border;
    y += pad / 2;
    const struct {
        const char *id, *label;
        const char *value;
    } rows[3] = {{"depot.order.plate", _("Plate"), o->plate},
                 {"depot.order.valid", _("Valid until"), NULL},
                 {"depot.order.bay", _("Loading bay"), o->bay}};
    for (int i = 0; i < 3; i++) {
        char value[64], lid[UI_ID_LEN];
        if (rows[i].value)
            snprintf(value, sizeof value, "%s", rows[i].value[0] ? rows[i].value : "-");
        else
            iso_short(o->valid_to, value, sizeof value);
        int lw = w * 45 / 100;
        snprintf(lid, sizeof lid, "%s.label", rows[i].id);
        chrome_text(t, lid, (SDL_Rect){x, y, lw, h[PLATE + i]}, rows[i].label, FONT_TITLE,
                    ALIGN_LEFT)
            ->fg = th->text_dim;
        chrome_text(t, rows[i].id, (SDL_Rect){x + lw, y, w - lw, h[PLATE + i]}, value, FONT_TITLE,
                    ALIGN_RIGHT)
            ->bold = 1;
        y += h[PLATE + i];
    }
    snprintf(text, sizeof text, _("Pickup code %s"), o->code[0] ? o->code : f->typed);
    chrome_text(t, "depot.order.code", (SDL_Rect){x, y, w, h[CODE]}, text, FONT_BODY, ALIGN_LEFT)
        ->fg = th->text_dim;
    return ph;
}

/* An ID card over the reader, an arrow between: drawn with panels, centred in r. */
static void id_picture(struct ui_tree *t, const struct theme *th, SDL_Rect r)
{
    int arrow_h = th->font_px[FONT_DISPLAY] * 5 / 4, pad_h = th->min_target / 3;
    if (arrow_h > r.h / 4) /* short (landscape, a note): the card keeps its size */
        arrow_h = r.h / 4;
    int cw = r.w * 50 / 100, ch = cw * 54 / 86; /* ID-1: 85.6 x 54 mm */
    if (ch > r.h - arrow_h - pad_h) {
        ch = r.h - arrow_h - pad_h;
        cw = ch * 86 / 54;
    }
    if (ch < th->min_target)
        return; /* no room: the words say it */
    int y = r.y + (r.h - ch - arrow_h - pad_h) / 2;
    SDL_Rect c = {r.x + (r.w - cw) / 2, y, cw, ch};
    ui_add(t, UI_PANEL, ST_CARD, "depot.idcard.picture", c, NULL)->bg = 0xDCE9F5FF;
    /* the photo right, the lines of name, birth and address left, the number under them */
    ui_add(t, UI_PANEL, ST_PLAIN, NULL,
           (SDL_Rect){c.x + cw * 66 / 100, c.y + ch * 14 / 100, cw * 26 / 100, ch * 52 / 100},
           NULL)
        ->bg = 0x9FB3C8FF;
    for (int i = 0; i < 4; i++)
        ui_add(t, UI_PANEL, ST_PLAIN, NULL,
               (SDL_Rect){c.x + cw * 8 / 100, c.y + ch * (16 + 13 * i) / 100,
                          cw * (i == 3 ? 38 : 50) / 100, ch * 6 / 100},
               NULL)
            ->bg = 0x5B6B7FFF;
    ui_add(t, UI_PANEL, ST_PLAIN, NULL,
           (SDL_Rect){c.x + cw * 8 / 100, c.y + ch * 78 / 100, cw * 84 / 100, ch * 8 / 100},
           NULL)
        ->bg = 0x34435AFF;
    struct ui_widget *w = ui_label(t, (SDL_Rect){r.x, c.y + ch, r.w, arrow_h}, "↓",
                                   FONT_DISPLAY, ALIGN_CENTER);
    w->fg = th->accent;
    w->bold = 1;
    int pw = cw * 125 / 100;
    ui_add(t, UI_PANEL, ST_PLAIN, NULL,
           (SDL_Rect){r.x + (r.w - pw) / 2, c.y + ch + arrow_h, pw, pad_h}, NULL)
        ->bg = th->text;
}

/* The note about the card just read, in words ("" for none). */
static void id_note(const struct dp_flow *f, char *out, size_t cap)
{
    switch (f->error) {
    case DP_ERR_ID_EXPIRED:
    case DP_ERR_ID_NOT_YET:
    case DP_ERR_ID_BAD:
        snprintf(out, cap, "%s\n%s", dp_error_text(f->error),
                 _("Please use a valid ID card, or go to the counter."));
        return;
    case DP_ERR_ID_UNREADABLE:
    case DP_ERR_ID_KIND:
        snprintf(out, cap, "%s", dp_error_text(f->error));
        return;
    default: break;
    }
    out[0] = '\0';
}

/* Portrait: the order, then the ID card's note, "put your ID card on the reader" and the
 * picture. Landscape: the order left, the rest right. With the reader out of order: why,
 * and "please go to the counter" instead. */
static void order(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                  const struct layout *l, SDL_Rect a)
{
    const struct dp_flow *f = v->f;
    const char *problem = v->reader_problem && v->reader_problem[0] ? v->reader_problem : NULL;
    SDL_Rect left = chrome_column(l, a, 0);
    int used = order_panel(t, th, f, left);
    SDL_Rect col = l->portrait ? (SDL_Rect){a.x, a.y + used + l->gap, a.w, a.h - used - l->gap}
                               : chrome_column(l, a, 1);
    enum font_role big = l->portrait ? FONT_DISPLAY : FONT_HEADLINE;
    if (problem) {
        int h[2] = {th->font_px[FONT_TITLE] * 2, th->font_px[big] * 4};
        chrome_fit(h, 2, col.h - th->min_target / 6, th->font_px[FONT_CAPTION] * 3 / 2);
        notice(t, th, "depot.reader", &col, h[0], _(problem), FONT_TITLE);
        struct ui_widget *w = chrome_text(
            t, "depot.idcard.title", (SDL_Rect){col.x, col.y, col.w, h[1]},
            _("Please go to the counter: your ID card cannot be read here."), big, ALIGN_CENTER);
        w->bold = 1;
        w->fg = th->warn;
        return;
    }
    char note[300];
    id_note(f, note, sizeof note);
    enum font_role nf = l->portrait ? FONT_TITLE : FONT_BODY;
    int h[2] = {note[0] ? th->font_px[nf] * 3 : 0, th->font_px[big] * 11 / 4};
    int room = col.h - (note[0] ? th->min_target / 6 : 0) - th->min_target * 2;
    chrome_fit(h, 2, room, th->font_px[FONT_CAPTION] * 3 / 2);
    if (note[0])
        notice(t, th, "depot.note", &col, h[0], note, nf);
    chrome_text(t, "depot.idcard.title", (SDL_Rect){col.x, col.y, col.w, h[1]},
                _("Put your ID card on the reader"), big, ALIGN_CENTER)
        ->bold = 1;
    col.y += h[1];
    col.h -= h[1];
    id_picture(t, th, col);
}

/* ---- the waits -------------------------------------------------------------------------- */

static void waiting(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct dp_flow *f = v->f;
    const char *text, *detail = NULL;
    switch (f->state) {
    case DP_LOOKUP: text = _("Looking up your order..."); break;
    case DP_DRIVER: text = _("Checking your ID card..."); break;
    case DP_FACE_CHECK:
        text = _("Comparing with your ID card photo...");
        detail = _("This takes a few seconds.");
        break;
    case DP_PRINTING:
        text = _("Printing your ticket...");
        detail = _("Please take it from the printer slot.");
        break;
    default: text = _("Issuing your loading ticket..."); break;
    }
    if (slow(v))
        detail = f->state == DP_ISSUING
                     ? _("The depot system is slow to answer. Please wait: an order never gets two tickets.")
                     : _("The depot system is slow to answer. Please wait a little longer.");
    wait_block(t, th, l, a, text, detail);
}

/* ---- the face check did not pass --------------------------------------------------------- */

static void face_retry(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                       const struct layout *l, SDL_Rect a)
{
    int left = DP_FACE_TRIES - v->f->face_tries;
    char msg[120];
    if (left == 1)
        snprintf(msg, sizeof msg, "%s", _("1 try left"));
    else
        snprintf(msg, sizeof msg, _("%d tries left"), left > 0 ? left : 0);
    message_with(t, th, l, a, _("Your face did not match"), th->warn, "depot.tries", msg,
                 _("Take off a hat or sunglasses, face the light and look straight at the camera."),
                 NULL, "depot.retry", _("Try again"));
}

/* ---- the ticket ------------------------------------------------------------------------- */

/* Portrait: "take your loading ticket", the bay very large, the ticket, plate and product,
 * Finish. Landscape: the title and the bay left, the rest right. */
static void done(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                 const struct layout *l, SDL_Rect a)
{
    const struct dp_flow *f = v->f;
    int bh = th->min_target * 3 / 2, gap = l->gap;
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    enum text_align al = l->portrait ? ALIGN_CENTER : ALIGN_LEFT;
    char text[160], qty[48];
    int h[2] = {th->font_px[FONT_DISPLAY] * 3 / 2,
                th->font_px[FONT_DISPLAY] * (l->portrait ? 4 : 3)};
    if (!l->portrait)
        chrome_fit(h, 2, left.h - gap, th->font_px[FONT_TITLE] * 2);
    struct ui_widget *w =
        chrome_text(t, "depot.done.title", (SDL_Rect){left.x, left.y, left.w, h[0]},
                    _("Take your loading ticket"), FONT_DISPLAY, al);
    w->bold = 1;
    w->fg = th->ok;
    int y = left.y + h[0] + gap / 2;
    /* the bay in a block of its own: where to drive to */
    SDL_Rect bay = {left.x, y, left.w, h[1]};
    ui_add(t, UI_PANEL, ST_CARD, NULL, bay, NULL)->bg = th->primary;
    int cap_h = h[1] * 30 / 100;
    chrome_text(t, NULL, (SDL_Rect){bay.x, bay.y + h[1] / 12, bay.w, cap_h}, _("Drive to"),
                l->portrait ? FONT_HEADLINE : FONT_TITLE, ALIGN_CENTER)
        ->fg = th->on_primary;
    snprintf(text, sizeof text, _("Bay %s"), f->order.bay[0] ? f->order.bay : "-");
    w = chrome_text(t, "depot.bay",
                    (SDL_Rect){bay.x, bay.y + h[1] / 12 + cap_h, bay.w, h[1] - cap_h - h[1] / 6},
                    text, FONT_DISPLAY, ALIGN_CENTER);
    w->bold = 1;
    w->fg = th->on_primary;
    y += h[1] + gap;
    /* the ticket, the plate and the product: under the bay (portrait), right (landscape) */
    SDL_Rect col = l->portrait ? (SDL_Rect){a.x, y, a.w, a.y + a.h - y} : right;
    int row_h = th->font_px[FONT_TITLE] * 3 / 2;
    int r[4] = {th->font_px[FONT_HEADLINE] * 3 / 2, row_h, row_h, th->font_px[FONT_BODY] * 3};
    chrome_fit(r, 4, col.h - bh - gap, th->font_px[FONT_CAPTION] * 3 / 2);
    y = col.y;
    snprintf(text, sizeof text, _("Ticket %s"), f->ticket_no);
    chrome_text(t, "depot.ticket", (SDL_Rect){col.x, y, col.w, r[0]}, text, FONT_HEADLINE, al)
        ->bold = 1;
    y += r[0];
    chrome_text(t, "depot.done.plate", (SDL_Rect){col.x, y, col.w, r[1]}, f->order.plate,
                FONT_TITLE, al);
    y += r[1];
    dp_quantity(f->order.unit, f->order.quantity_milli, qty, sizeof qty);
    snprintf(text, sizeof text, "%s · %s", f->order.product, qty);
    chrome_text(t, "depot.done.product", (SDL_Rect){col.x, y, col.w, r[2]}, text, FONT_TITLE, al);
    y += r[2];
    chrome_text(t, "depot.done.hint", (SDL_Rect){col.x, y, col.w, r[3]},
                _("Show the ticket at the gate and at the bay."), FONT_BODY, al)
        ->fg = th->text_dim;
    chrome_primary(t, "depot.finish", (SDL_Rect){col.x, col.y + col.h - bh, col.w, bh},
                   _("Finish"));
}

static void print_failed(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                         const struct layout *l, SDL_Rect a)
{
    char ticket[96];
    snprintf(ticket, sizeof ticket, _("Ticket %s"), v->f->ticket_no);
    message_with(t, th, l, a, _("Your ticket was issued, but not printed"), th->warn,
                 "depot.ticket", ticket,
                 _("The staff have been called. It prints as soon as the printer is back: please wait here, or go to the counter."),
                 NULL, "depot.finish", _("Finish"));
}

static void issued(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                   const struct layout *l, SDL_Rect a)
{
    const struct dp_order *o = &v->f->order;
    char when[32], msg[200], more[120] = "";
    iso_short(o->issued_at, when, sizeof when);
    if (o->issued_by[0])
        snprintf(msg, sizeof msg, _("Issued %s by terminal %s."), when, o->issued_by);
    else
        snprintf(msg, sizeof msg, _("Issued %s."), when);
    size_t n = strlen(msg);
    snprintf(msg + n, sizeof msg - n, "\n%s",
             _("A reprint needs an attendant: please go to the counter."));
    if (o->ticket_no[0])
        snprintf(more, sizeof more, _("Ticket %s"), o->ticket_no);
    message(t, th, l, a, _("A ticket was issued for this order already"), th->warn, msg, more,
            "depot.finish", _("Finish"));
}

/* ---- the ends --------------------------------------------------------------------------- */

static void refused(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct dp_flow *f = v->f;
    char title[160];
    if (f->error == DP_ERR_OTHER_DEPOT && f->order.depot_name[0])
        snprintf(title, sizeof title, _("This order is for %s"), f->order.depot_name);
    else
        snprintf(title, sizeof title, "%s",
                 f->error != DP_OK ? dp_error_text(f->error) : dp_error_text(DP_ERR_UNKNOWN_CODE));
    char code[96] = ""; /* the code that was looked up, to compare with the app's */
    if (f->order.code[0])
        snprintf(code, sizeof code, _("Pickup code %s"), f->order.code);
    message(t, th, l, a, title, th->warn, error_advice(f->error), code, "depot.retry",
            _("Scan another code"));
}

static void not_authorised(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                           const struct layout *l, SDL_Rect a)
{
    (void)v; /* nothing about the order or the person */
    message(t, th, l, a, _("This ID card is not authorised for this order"), th->warn,
            _("Only a driver named on the order can collect it. Use that driver's ID card, or contact your dispatcher."),
            NULL, "depot.retry", _("Use another ID card"));
}

static void counter(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct dp_flow *f = v->f;
    char why[200];
    if (f->error == DP_ERR_NO_MATCH)
        snprintf(why, sizeof why, _("The face check did not pass %d times."), DP_FACE_TRIES);
    else if (f->error != DP_OK)
        snprintf(why, sizeof why, "%s", dp_error_text(f->error));
    else
        why[0] = '\0';
    message(t, th, l, a, _("Please go to the counter"), th->warn, why,
            _("Bring your ID card and the pickup code: the staff can issue your ticket there."),
            "depot.finish", _("Finish"));
}

static void no_printer(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                       const struct layout *l, SDL_Rect a)
{
    char msg[300];
    const char *nothing = _("No ticket was issued. Please go to the counter.");
    if (v->printer_problem && v->printer_problem[0])
        snprintf(msg, sizeof msg, "%s\n%s", _(v->printer_problem), nothing);
    else
        snprintf(msg, sizeof msg, "%s", nothing);
    message(t, th, l, a, _("The printer cannot print now"), th->warn, msg, NULL, "depot.finish",
            _("Finish"));
}

/* Offline before anything was issued: "try again" looks the order up again. */
static int retry_offline(const struct dp_flow *f)
{
    return f->error == DP_ERR_OFFLINE && f->order.code[0] && !f->check_id[0];
}

static void failed(struct ui_tree *t, const struct theme *th, const struct dp_view *v,
                   const struct layout *l, SDL_Rect a)
{
    const struct dp_flow *f = v->f;
    const char *title = dp_error_text(f->error);
    if (!title[0])
        title = _("The pickup service stopped");
    if (f->error == DP_ERR_OFFLINE && f->check_id[0]) /* the ticket's call went unanswered */
        message(t, th, l, a, title, th->warn,
                _("If your ticket was issued, this kiosk prints it as soon as the system answers. Please wait a minute here, or go to the counter."),
                _("An order never gets two tickets."), "depot.finish", _("Finish"));
    else if (retry_offline(f))
        message(t, th, l, a, title, th->warn, error_advice(f->error), NULL, "depot.retry",
                _("Try again"));
    else
        message(t, th, l, a, title, th->warn, error_advice(f->error), NULL, "depot.finish",
                _("Finish"));
}

/* ---- the frame -------------------------------------------------------------------------- */

/* Where the way out bottom-left is Finish, the primary action being another (try again,
 * scan another code). */
static int finish_in_footer(const struct dp_view *v)
{
    const struct dp_flow *f = v->f;
    switch (f->state) {
    case DP_FACE: return !(v->camera_problem && v->camera_problem[0]);
    case DP_FACE_RETRY:
    case DP_FACE_BUSY:
    case DP_REFUSED:
    case DP_NOT_AUTHORISED: return 1;
    case DP_FAILED: return retry_offline(f);
    default: return 0;
    }
}

void dp_screen(struct ui_tree *t, const struct theme *th, const struct dp_view *v)
{
    const struct dp_flow *f = v->f;
    struct layout l;
    snprintf(t->screen, sizeof t->screen, "%s", dp_screen_name(f));
    t->prompt = NULL;
    chrome_layout(&l, t, th);
    chrome_header(t, &l, &v->base, _("Fuel pickup"));
    SDL_Rect a = l.content;
    int sh = steps(t, th, f, &l);
    a.y += sh;
    a.h -= sh;
    switch (f->state) {
    case DP_IDLE:
    case DP_SCAN:
        if (f->typing)
            typing(t, th, v, &l, a);
        else
            scan(t, th, v, &l, a);
        break;
    case DP_ORDER: order(t, th, v, &l, a); break;
    case DP_FACE: dp_screen_face(t, th, v, &l, a); break;
    case DP_FACE_RETRY: face_retry(t, th, v, &l, a); break;
    case DP_FACE_BUSY:
        message(t, th, &l, a, _("The face check service is busy"), th->warn,
                _("Please wait a moment, then try again."), NULL, "depot.retry", _("Try again"));
        break;
    case DP_DONE: done(t, th, v, &l, a); break;
    case DP_PRINT_FAILED: print_failed(t, th, v, &l, a); break;
    case DP_ISSUED: issued(t, th, v, &l, a); break;
    case DP_REFUSED: refused(t, th, v, &l, a); break;
    case DP_NOT_AUTHORISED: not_authorised(t, th, v, &l, a); break;
    case DP_COUNTER: counter(t, th, v, &l, a); break;
    case DP_NO_PRINTER: no_printer(t, th, v, &l, a); break;
    case DP_FAILED:
    case DP_STATE_LAST: failed(t, th, v, &l, a); break;
    case DP_LOOKUP:
    case DP_DRIVER:
    case DP_FACE_CHECK:
    case DP_PRINTER:
    case DP_JOURNALING:
    case DP_ISSUING:
    case DP_RECORDING:
    case DP_PRINTING: waiting(t, th, v, &l, a); break;
    }
    /* the way out, bottom-left: Back where there is a step back (the lookup too: it can be
     * slow), Finish where the primary action is another; none while the ID card, the face or
     * the ticket is under way, nor where Finish is the primary action */
    int back = f->state == DP_IDLE || f->state == DP_SCAN || f->state == DP_LOOKUP ||
               f->state == DP_ORDER;
    int finish = finish_in_footer(v);
    chrome_footer(t, &l, &v->base, back ? "depot.back" : finish ? "depot.finish" : NULL,
                  back ? _("Back") : _("Finish"));
    struct ui_widget *b = back ? ui_find(t, "depot.back") : finish ? ui_find(t, "depot.finish")
                                                                   : NULL;
    if (b)
        b->on_escape = 1;
}
