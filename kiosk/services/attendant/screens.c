#include "screens.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/money.h"

/* Attendant mode's screens but the shift's, the day's, a refund's lines and the devices'
 * (screens_ops.c): the frame of every screen (header, footer) and the pieces they share;
 * the keypads (staff number, PIN, a supervisor's approval, a transaction number), the
 * lock, the menu, the waits, the ends and out of service. Portrait: the words above, the
 * keys or the actions low on the screen; landscape: the words left, the keys or the actions
 * right. The primary action sits at the bottom of the content (in landscape: of the right
 * column), Back (or Log out) bottom-left in the footer. */

const char *const at_oos_messages[AT_OOS_MESSAGES] = {
    N_("This kiosk is out of service. Please pay at the counter."),
    N_("Under maintenance. Please use another kiosk."),
    N_("Closed for the night."),
};

/* ---- words ------------------------------------------------------------------------------ */

const char *at_note_text(enum at_note n)
{
    switch (n) {
    case AT_NOTE_WRONG_PIN: return _("Wrong staff number or PIN.");
    case AT_NOTE_LOCKED: return _("Too many wrong PINs: this staff number is locked for now.");
    case AT_NOTE_NOT_SUPERVISOR:
        return _("This needs a supervisor, and not the staff member who asks for it.");
    case AT_NOTE_OFFLINE:
        return _("The station system did not answer, and this kiosk cannot check it on its own. Please try again.");
    case AT_NOTE_NOT_FOUND: return _("No transaction has this number. Please check it.");
    case AT_NOTE_NOT_REFUNDABLE:
        return _("This cannot be refunded: it is not a sale, or it was refunded already.");
    case AT_NOTE_REFUSED: return _("The station system refused the refund: no money moved.");
    case AT_NOTE_PRINT_FAILED:
        return _("It did not print. Please check the printer and its paper, then try again.");
    case AT_NOTE_KIOSK: return _("This kiosk could not record it, so nothing was done.");
    case AT_NOTE_UNFINISHED: return _("The close waits for the items that are not finished.");
    case AT_NOTE_SHIFT_FIRST:
        return _("The open shift has transactions: please close the shift first.");
    case AT_NOTE_NONE:
    case AT_NOTE_LAST: break;
    }
    return "";
}

/* The note with what goes with it (the tries left after a wrong PIN), "" for none. */
static void note_line(const struct at_flow *f, char *out, size_t cap)
{
    if (f->note == AT_NOTE_WRONG_PIN && f->tries_left == 1)
        snprintf(out, cap, "%s",
                 _("Wrong staff number or PIN. 1 try left before this staff number is locked."));
    else if (f->note == AT_NOTE_WRONG_PIN && f->tries_left > 1)
        snprintf(out, cap, _("Wrong staff number or PIN. %d tries left."), f->tries_left);
    else
        snprintf(out, cap, "%s", at_note_text(f->note));
}

static const char *role_text(enum at_role r)
{
    switch (r) {
    case AT_ROLE_SUPERVISOR: return _("Supervisor");
    case AT_ROLE_ATTENDANT: return _("Attendant on duty");
    case AT_ROLE_NONE: break;
    }
    return "";
}

/* What a supervisor approves, in a line ("" for nothing known). */
static void approval_for(const struct at_view *v, char *out, size_t cap)
{
    const struct at_flow *f = v->f;
    char amt[32];
    switch (f->after_approval) {
    case AT_OP_REFUND:
        money_format(f->refund.amount_fen, amt, sizeof amt);
        snprintf(out, cap, _("For a refund of %s of sale %s"), amt,
                 f->refund.txn_no[0] ? f->refund.txn_no : f->txn);
        return;
    case AT_OP_REPRINT:
        snprintf(out, cap, _("For a reprint of loading ticket %s"), f->txn);
        return;
    case AT_OP_SHIFT_CLOSE:
        if (f->unfinished == 1)
            snprintf(out, cap, "%s",
                     _("To close the shift with 1 unfinished item carried over"));
        else
            snprintf(out, cap, _("To close the shift with %d unfinished items carried over"),
                     f->unfinished);
        return;
    default: break;
    }
    out[0] = '\0';
}

/* What an operation under way does. */
static const char *working_text(enum at_op op)
{
    switch (op) {
    case AT_OP_VERIFY: return _("Checking...");
    case AT_OP_SHIFT_LOAD: return _("Reading the shift's records...");
    case AT_OP_SHIFT_CLOSE: return _("Closing the shift...");
    case AT_OP_DAY_LOAD: return _("Adding up the day's shifts...");
    case AT_OP_DAY_CLOSE: return _("Closing the day...");
    case AT_OP_TXN_LOAD: return _("Looking up the transaction...");
    case AT_OP_REPRINT: return _("Printing a copy...");
    case AT_OP_REFUND: return _("Refunding...");
    case AT_OP_REPRINT_REPORT: return _("Printing the report...");
    case AT_OP_HEALTH: return _("Checking the devices...");
    case AT_OP_TEST_SLIP:
    case AT_OP_PAPER: return _("Printing a test slip...");
    case AT_OP_OUT_OF_SERVICE: return _("Saving...");
    case AT_OP_OUTBOX_RETRY: return _("Sending the record again...");
    case AT_OP_OUTBOX_HANDLED: return _("Marking the record handled...");
    case AT_OP_NONE:
    case AT_OP_LAST: break;
    }
    return _("Working...");
}

/* A quieter line under the spinner: what happens meanwhile, or NULL for nothing. */
static const char *working_detail(enum at_op op)
{
    switch (op) {
    case AT_OP_SHIFT_CLOSE:
    case AT_OP_DAY_CLOSE:
        return _("The records are written, then the report is printed. Please do not switch the kiosk off.");
    case AT_OP_REFUND:
        return _("Waiting for the station system. The refund is never made twice.");
    case AT_OP_PAPER: return _("Then the printer is checked again.");
    default: break;
    }
    return NULL;
}

/* ---- shared pieces ---------------------------------------------------------------------- */

struct ui_widget *at_headline(struct ui_tree *t, const char *id, SDL_Rect *a, int h,
                              const char *text, enum text_align al)
{
    struct ui_widget *w = chrome_text(t, id, (SDL_Rect){a->x, a->y, a->w, h}, text,
                                      FONT_HEADLINE, al);
    w->bold = 1;
    a->y += h;
    a->h -= h;
    return w;
}

void at_notice(struct ui_tree *t, const struct theme *th, const char *id, SDL_Rect *a, int h,
               const char *text, enum font_role f)
{
    int gap = th->min_target / 6;
    if (h > a->h - gap) /* its words shrink, down to a line of the smallest type */
        h = a->h - gap > th->font_px[FONT_CAPTION] * 3 / 2 ? a->h - gap
                                                             : th->font_px[FONT_CAPTION] * 3 / 2;
    chrome_text(t, id, (SDL_Rect){a->x, a->y, a->w, h}, text, f, ALIGN_LEFT)->style = ST_NOTICE;
    a->y += h + gap;
    a->h -= h + gap;
}

int at_wait_block(struct ui_tree *t, const struct theme *th, const struct layout *l, SDL_Rect r,
                  int y, const char *text, const char *detail)
{
    int sp = l->portrait ? th->min_target * 2 : th->min_target * 3 / 2;
    int h[2] = {th->font_px[FONT_HEADLINE] * (l->portrait ? 5 : 3) / 2,
                detail ? th->font_px[FONT_TITLE] * 3 : 0};
    chrome_fit(h, 2, r.h - sp - l->gap, th->font_px[FONT_CAPTION] * 3 / 2);
    if (y < 0) /* centred in r */
        y = r.y + (r.h - sp - l->gap - h[0] - h[1]) / 2;
    if (y < r.y)
        y = r.y;
    ui_add(t, UI_SPINNER, ST_PLAIN, "at.busy", (SDL_Rect){r.x + (r.w - sp) / 2, y, sp, sp}, NULL);
    y += sp + l->gap;
    chrome_text(t, "at.busy.text", (SDL_Rect){r.x, y, r.w, h[0]}, text, FONT_HEADLINE,
                ALIGN_CENTER)
        ->bold = 1;
    y += h[0];
    if (detail) {
        chrome_text(t, "at.busy.detail", (SDL_Rect){r.x, y, r.w, h[1]}, detail, FONT_TITLE,
                    ALIGN_CENTER)
            ->fg = th->text_dim;
        y += h[1];
    }
    return y;
}

void at_adopt(struct ui_tree *t, int from, int li)
{
    for (int i = from; i < t->n; i++)
        t->v[i].parent = li;
}

void at_mute(struct ui_tree *t, int from, int muted)
{
    if (!muted)
        return;
    for (int i = from; i < t->n; i++)
        t->v[i].disabled = 1;
}

void at_when(int64_t wall_ms, char *out, size_t cap)
{
    time_t s = (time_t)(wall_ms / 1000);
    struct tm tm;
    if (wall_ms <= 0 || !localtime_r(&s, &tm) || !strftime(out, cap, "%m-%d %H:%M", &tm))
        snprintf(out, cap, "-");
}

int at_two_lines_h(const struct theme *th)
{
    /* the renderer gives the first line 11/20 of the inside (a quarter target less): room
     * for the title type a little tighter than its line (it shrinks a little, not more) */
    return th->min_target / 4 + th->font_px[FONT_TITLE] * 11 / 10 * 20 / 11;
}

SDL_Rect at_primary_rect(const struct theme *th, const struct layout *l, SDL_Rect a)
{
    int bh = th->min_target * 3 / 2;
    SDL_Rect r = {a.x, a.y + a.h - bh, a.w, bh};
    return l->portrait ? r : chrome_column(l, r, 1);
}

/* An end screen: a title (at.title; colour title_fg, 0 for the text's), a figure in large
 * type (at.figure, NULL for none), a message (at.message, NULL for none) and a quieter line
 * (at.more, NULL for none), the primary action (next_id) at the bottom. Returns the bottom
 * of the words. */
static int message(struct ui_tree *t, const struct theme *th, const struct layout *l,
                   SDL_Rect a, const char *title, uint32_t title_fg, const char *figure,
                   const char *msg, const char *more, const char *next_id,
                   const char *next_label)
{
    SDL_Rect next = at_primary_rect(th, l, a);
    int h[4] = {th->font_px[FONT_HEADLINE] * 3,
                figure && figure[0] ? th->font_px[FONT_DISPLAY] * 3 / 2 : 0,
                msg && msg[0] ? th->font_px[FONT_TITLE] * (l->portrait ? 5 : 4) : 0,
                more && more[0] ? th->font_px[FONT_BODY] * 3 : 0};
    int top = l->portrait ? a.h / 10 : 0;
    int room = (l->portrait ? next.y - l->gap : a.y + a.h) - a.y - top;
    chrome_fit(h, 4, room, th->font_px[FONT_CAPTION] * 3 / 2);
    /* in landscape the words take the left column, the way on the right one's bottom */
    SDL_Rect col = l->portrait ? a : chrome_column(l, a, 0);
    int y = a.y + top;
    struct ui_widget *w = chrome_text(t, "at.title", (SDL_Rect){col.x, y, col.w, h[0]}, title,
                                      FONT_HEADLINE, l->portrait ? ALIGN_CENTER : ALIGN_LEFT);
    w->bold = 1;
    if (title_fg)
        w->fg = title_fg;
    y += h[0];
    enum text_align al = l->portrait ? ALIGN_CENTER : ALIGN_LEFT;
    if (h[1]) {
        chrome_text(t, "at.figure", (SDL_Rect){col.x, y, col.w, h[1]}, figure, FONT_DISPLAY, al)
            ->bold = 1;
        y += h[1];
    }
    if (h[2]) {
        chrome_text(t, "at.message", (SDL_Rect){col.x, y, col.w, h[2]}, msg, FONT_TITLE, al);
        y += h[2];
    }
    if (h[3]) {
        chrome_text(t, "at.more", (SDL_Rect){col.x, y, col.w, h[3]}, more, FONT_BODY, al)->fg =
            th->text_dim;
        y += h[3];
    }
    if (next_id)
        chrome_primary(t, next_id, next, next_label);
    return y;
}

/* ---- the keypads ------------------------------------------------------------------------ */

/* A keypad area no larger than needed: at most `max_h` high (low in r, away from the top
 * strip) and `ratio`/2 as wide as high, centred. */
static SDL_Rect keys_area(SDL_Rect r, int max_h, int ratio)
{
    if (r.h > max_h) {
        r.y += r.h - max_h;
        r.h = max_h;
    }
    if (r.w > r.h * ratio / 2) {
        r.x += (r.w - r.h * ratio / 2) / 2;
        r.w = r.h * ratio / 2;
    }
    return r;
}

static struct ui_widget *key(struct ui_tree *t, const char *name, SDL_Rect r, const char *label,
                             enum ui_style st)
{
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "at.key.%s", name);
    struct ui_widget *w = ui_button(t, id, r, label, st);
    w->font = FONT_HEADLINE;
    w->bold = 1;
    return w;
}

/* The transaction keys, three columns: T - Delete / 1 2 3 / 4 5 6 / 7 8 9 / 0 (wide) OK.
 * Ids at.key.<digit>, at.key.T, at.key.dash, at.key.del, at.key.ok. */
static void txn_keys(struct ui_tree *t, SDL_Rect r, const char *ok_text)
{
    static const char *const names[12] = {"T", "dash", "del", "1", "2", "3",
                                          "4", "5",    "6",   "7", "8", "9"};
    int gap = r.w / 40;
    int kw = (r.w - 2 * gap) / 3, kh = (r.h - 4 * gap) / 5;
    for (int i = 0; i < 12; i++) {
        SDL_Rect k = {r.x + (i % 3) * (kw + gap), r.y + (i / 3) * (kh + gap), kw, kh};
        const char *label = names[i];
        if (!strcmp(names[i], "dash"))
            label = "-";
        else if (!strcmp(names[i], "del"))
            label = _("Delete");
        key(t, names[i], k, label, ST_KEY)->font = strcmp(names[i], "del") ? FONT_HEADLINE
                                                                            : FONT_TITLE;
    }
    int y = r.y + 4 * (kh + gap), wide = 2 * kw + gap;
    key(t, "0", (SDL_Rect){r.x, y, wide, kh}, "0", ST_KEY);
    key(t, "ok", (SDL_Rect){r.x + wide + gap, y, r.w - wide - gap, kh}, ok_text, ST_PRIMARY);
}

/* What a keypad screen shows. */
struct entry {
    const char *title;      /* the headline */
    char what[200];         /* what it is for (a quieter line), "" for none */
    const char *label;      /* over the field: what to type */
    char field[64];         /* what is typed, or the PIN's dots */
    const char *placeholder;/* shown dim while nothing is typed */
    int typed;              /* something is typed (Delete can be pressed) */
    char note[240];         /* the note, "" for none */
    int txn;                /* the transaction keys (T and -) */
    int ok;                 /* the OK key can be pressed */
    const char *ok_label;
};

/* "● ● ● ●": a dot for each digit typed, rings up to four. */
static void dots(const char *pin, char *out, size_t cap)
{
    int typed = (int)strnlen(pin, AT_PIN_MAX + 1), n = typed > 4 ? typed : 4;
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < n && o + 5 < cap; i++) {
        int k = snprintf(out + o, cap - o, "%s%s", i ? " " : "", i < typed ? "●" : "○");
        if (k < 0)
            break;
        o += (size_t)k;
    }
}

/* Portrait: the headline and what it is for at the top; low on the screen what to type,
 * the field and the note right over the keys. Landscape: the words and the field left, the
 * keys right. The keys are muted while something is checked (busy). */
static void entry_screen(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                         const struct layout *l, SDL_Rect a, const struct entry *e)
{
    const struct at_flow *f = v->f;
    int gap = l->gap / 2, card_h = th->min_target * 3 / 2;
    SDL_Rect left = chrome_column(l, a, 0);
    enum { TITLE, WHAT, LABEL, NOTE, ROWS };
    int h[ROWS] = {th->font_px[FONT_HEADLINE] * 3 / 2, e->what[0] ? th->font_px[FONT_TITLE] * 3 : 0,
                   th->font_px[FONT_TITLE] * 3 / 2, e->note[0] ? th->font_px[FONT_BODY] * 3 : 0};
    int ngap = e->note[0] ? th->min_target / 6 : 0;
    SDL_Rect keys;
    /* the keys: four rows (the transaction's five) of keys as big as there is room for, no
     * bigger than needed, never under a touch target and a bit */
    int rows = e->txn ? 5 : 4, keys_max = th->min_target * (e->txn ? 8 : 7);
    int keys_min = rows * th->min_target * 6 / 5;
    if (l->portrait) {
        int room = a.h - card_h - 2 * gap - ngap - l->gap;
        int keys_h = room - (h[TITLE] + h[WHAT] + h[LABEL] + h[NOTE]);
        if (keys_h > keys_max)
            keys_h = keys_max;
        if (keys_h < keys_min) { /* a short window: no line of what it is for; the rest
                                  * shrinks */
            keys_h = keys_min;
            if (room - keys_h < h[TITLE] + h[WHAT] + h[LABEL] + h[NOTE])
                h[WHAT] = 0;
        }
        keys = keys_area((SDL_Rect){a.x, a.y + a.h - keys_h, a.w, keys_h}, keys_h, 3);
        chrome_fit(h, ROWS, room - keys_h, th->font_px[FONT_CAPTION] * 3 / 2);
    } else {
        keys = keys_area(chrome_column(l, a, 1), keys_max, 3);
        int room = left.h - card_h - 2 * gap - ngap;
        if (room < h[TITLE] + h[WHAT] + h[LABEL] + h[NOTE])
            h[WHAT] = 0;
        chrome_fit(h, ROWS, room, th->font_px[FONT_CAPTION] * 3 / 2);
    }
    at_headline(t, "at.entry.title", &left, h[TITLE], e->title, ALIGN_LEFT);
    if (h[WHAT]) {
        chrome_text(t, "at.entry.what", (SDL_Rect){left.x, left.y, left.w, h[WHAT]}, e->what,
                    FONT_TITLE, ALIGN_LEFT)
            ->fg = th->text_dim;
        left.y += h[WHAT];
        left.h -= h[WHAT];
    }
    /* the field and the note: right over the keys and as wide (portrait), under the words
     * (landscape) */
    int block = h[LABEL] + card_h + gap + (e->note[0] ? h[NOTE] + ngap : 0);
    SDL_Rect fc = l->portrait ? (SDL_Rect){keys.x, keys.y - l->gap - block, keys.w, block}
                              : (SDL_Rect){left.x, left.y + gap, left.w, a.y + a.h - left.y - gap};
    if (fc.y < left.y)
        fc.y = left.y;
    int y = fc.y;
    chrome_text(t, "at.entry.label", (SDL_Rect){fc.x, y, fc.w, h[LABEL]}, e->label, FONT_TITLE,
                ALIGN_LEFT)
        ->bold = 1;
    y += h[LABEL];
    SDL_Rect field = {fc.x, y, fc.w, card_h};
    ui_add(t, UI_PANEL, ST_CARD, NULL, field, NULL);
    int pad = th->min_target / 4;
    struct ui_widget *w = chrome_text(
        t, "at.entry.value", (SDL_Rect){field.x + pad, field.y, field.w - 2 * pad, field.h},
        e->typed ? e->field : e->placeholder, FONT_HEADLINE, ALIGN_CENTER);
    w->bold = e->typed;
    if (!e->typed)
        w->fg = th->text_dim;
    y += card_h + gap;
    if (e->note[0]) {
        SDL_Rect rest = {fc.x, y, fc.w, l->portrait ? keys.y - y : a.y + a.h - y};
        at_notice(t, th, "at.note", &rest, h[NOTE], e->note, FONT_BODY);
    }
    int first = t->n;
    if (e->txn) {
        txn_keys(t, keys, e->ok_label);
    } else {
        ui_keypad(t, "at.key", keys, e->ok_label);
        struct ui_widget *del = ui_find(t, "at.key.del");
        if (del)
            del->font = FONT_TITLE;
    }
    at_mute(t, first, f->busy);
    struct ui_widget *ok = ui_find(t, "at.key.ok");
    if (ok) {
        ok->on_enter = 1;
        ok->font = FONT_TITLE;
        ok->disabled = f->busy || !e->ok;
    }
    struct ui_widget *del = ui_find(t, "at.key.del");
    if (del)
        del->disabled = f->busy || !e->typed;
}

static void staff_no(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                     const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    struct entry e = {.title = _("Staff login"), .label = _("Staff number"),
                      .placeholder = _("Type your staff number"), .ok_label = _("Next")};
    snprintf(e.what, sizeof e.what, "%s", _("Or put your staff card on the card reader."));
    snprintf(e.field, sizeof e.field, "%s", f->typed);
    e.typed = f->typed[0] != '\0';
    e.ok = e.typed;
    note_line(f, e.note, sizeof e.note);
    entry_screen(t, th, v, l, a, &e);
}

static void pin(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    char title[96];
    snprintf(title, sizeof title, _("PIN for %s"), f->staff_no);
    struct entry e = {.title = title, .label = _("PIN"), .placeholder = "○ ○ ○ ○",
                      .ok_label = _("Log in")};
    snprintf(e.what, sizeof e.what, "%s",
             f->by_card ? _("Staff card read. Type your PIN: at least 4 digits.")
                        : _("Type your PIN: at least 4 digits."));
    dots(f->pin, e.field, sizeof e.field);
    size_t n = strnlen(f->pin, sizeof f->pin);
    e.typed = n > 0;
    e.ok = n >= 4;
    note_line(f, e.note, sizeof e.note);
    entry_screen(t, th, v, l, a, &e);
}

static void approve(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    char label[96];
    struct entry e = {.title = _("Supervisor approval")};
    approval_for(v, e.what, sizeof e.what);
    if (f->state == AT_APPROVE_PIN) {
        const char *who = f->approver[0] ? f->approver : f->typed;
        snprintf(label, sizeof label, _("PIN of supervisor %s"), who);
        e.label = label;
        e.placeholder = "○ ○ ○ ○";
        e.ok_label = _("Approve");
        dots(f->pin, e.field, sizeof e.field);
        size_t n = strnlen(f->pin, sizeof f->pin);
        e.typed = n > 0;
        e.ok = n >= 4;
    } else {
        e.label = _("Supervisor's staff number");
        e.placeholder = _("A supervisor types theirs");
        e.ok_label = _("Next");
        snprintf(e.field, sizeof e.field, "%s", f->typed);
        e.typed = f->typed[0] != '\0';
        e.ok = e.typed;
    }
    note_line(f, e.note, sizeof e.note);
    entry_screen(t, th, v, l, a, &e);
}

static void txn(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    struct entry e = {.title = f->op == AT_OP_REFUND ? _("Refund / void") : _("Reprint"),
                      .label = _("Transaction number"), .placeholder = "T0001-20261130-000042",
                      .txn = 1, .ok_label = _("Look up")};
    snprintf(e.what, sizeof e.what, "%s", _("Scan the receipt or type its transaction number"));
    snprintf(e.field, sizeof e.field, "%s", f->typed);
    e.typed = f->typed[0] != '\0';
    e.ok = e.typed;
    if (f->busy)
        snprintf(e.note, sizeof e.note, "%s", working_text(AT_OP_TXN_LOAD));
    else
        note_line(f, e.note, sizeof e.note);
    entry_screen(t, th, v, l, a, &e);
}

/* ---- the lock, the waits, the ends ------------------------------------------------------ */

static void locked(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                   const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    int64_t left = f->locked_until - v->base.now_ms;
    if (f->locked_until <= 0 || left > AT_LOCK_MS)
        left = AT_LOCK_MS;
    int min = (int)((left + 59999) / 60000);
    if (min < 1)
        min = 1;
    char title[160];
    if (min == 1)
        snprintf(title, sizeof title, _("Staff number %s is locked for 1 minute"), f->staff_no);
    else
        snprintf(title, sizeof title, _("Staff number %s is locked for %d minutes"), f->staff_no,
                 min);
    message(t, th, l, a, title, th->warn, NULL,
            _("Too many wrong PINs. Please wait, or ask a supervisor to log in."), NULL,
            "at.back", _("OK"));
}

static void waiting(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    const char *text, *detail = NULL;
    char what[200];
    if (f->state == AT_VERIFYING) {
        text = _("Checking the PIN...");
    } else if (f->state == AT_APPROVING) {
        text = _("Checking the supervisor's PIN...");
        approval_for(v, what, sizeof what);
        detail = what[0] ? what : NULL;
    } else {
        text = working_text(f->op);
        detail = working_detail(f->op);
    }
    at_wait_block(t, th, l, a, -1, text, detail);
}

/* The report printed or not: the flow's note says (the print's outcome), the view too. */
static int report_printed(const struct at_view *v)
{
    return v->report_printed && v->f->note != AT_NOTE_PRINT_FAILED;
}

static void closed(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                   const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    enum at_op what = f->closed != AT_OP_NONE ? f->closed : f->op;
    int day = what == AT_OP_DAY_CLOSE || what == AT_OP_DAY_LOAD;
    int printed = report_printed(v);
    char figure[64] = "", more[160] = "", amt[32], when[32];
    if (v->totals) {
        money_format(v->totals->net_fen, amt, sizeof amt);
        snprintf(figure, sizeof figure, _("Net %s"), amt);
    }
    at_when(v->closed_ms, when, sizeof when);
    if (day)
        snprintf(more, sizeof more, _("%d shifts · closed %s"), v->shifts, when);
    else
        snprintf(more, sizeof more, _("Shift %lld · closed %s"), (long long)v->shift_id, when);
    SDL_Rect next = at_primary_rect(th, l, a);
    int bh = th->min_target * 3 / 2, nh = th->font_px[FONT_BODY] * 3;
    SDL_Rect words = a;
    if (!printed && l->portrait) /* the notice and the way to print again over Done */
        words.h -= bh + nh + l->gap * 2;
    message(t, th, l, words, day ? _("Day closed") : _("Shift closed"), th->ok, figure,
            printed ? _("The report is printed. Please take it from the printer.") : NULL, more,
            NULL, NULL);
    if (!printed) {
        SDL_Rect again = {next.x, next.y - l->gap - bh, next.w, bh};
        SDL_Rect n = {next.x, again.y - l->gap - nh, next.w, nh};
        chrome_text(t, "at.report.note", n,
                    _("The report did not print. The close is saved all the same."), FONT_BODY,
                    ALIGN_LEFT)
            ->style = ST_NOTICE;
        struct ui_widget *b = ui_button(t, "at.reprint_report", again,
                                        _("Print the report again"), ST_SECONDARY);
        b->font = FONT_TITLE;
        b->disabled = f->busy;
    }
    chrome_primary(t, "at.next", next, _("Done"));
}

static const char *result_title(const struct at_flow *f)
{
    if (f->note == AT_NOTE_NONE) {
        switch (f->op) {
        case AT_OP_REPRINT: return _("Printed again");
        case AT_OP_REFUND: return _("Refund made");
        case AT_OP_TEST_SLIP:
        case AT_OP_PAPER: return _("Test slip printed");
        case AT_OP_OUTBOX_RETRY: return _("Sent again");
        case AT_OP_OUTBOX_HANDLED: return _("Marked as handled");
        default: return _("Done");
        }
    }
    switch (f->op) {
    case AT_OP_REFUND:
        return f->note == AT_NOTE_PRINT_FAILED ? _("Refunded, but the slip did not print")
                                               : _("Not refunded");
    case AT_OP_REPRINT: return _("The copy was not printed");
    case AT_OP_TEST_SLIP:
    case AT_OP_PAPER: return _("The test slip did not print");
    case AT_OP_OUTBOX_RETRY: return _("The record was not sent");
    case AT_OP_SHIFT_LOAD:
    case AT_OP_SHIFT_CLOSE: return _("The shift was not closed");
    case AT_OP_DAY_LOAD:
    case AT_OP_DAY_CLOSE: return _("The day was not closed");
    case AT_OP_OUT_OF_SERVICE: return _("The kiosk's service was not changed");
    default: break;
    }
    return _("That did not work");
}

static void result(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                   const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    int ok = f->note == AT_NOTE_NONE;
    char figure[48] = "", note[240];
    const char *msg = NULL;
    if (f->op == AT_OP_REFUND && (ok || f->note == AT_NOTE_PRINT_FAILED))
        money_format(f->refund.amount_fen, figure, sizeof figure);
    if (ok) {
        switch (f->op) {
        case AT_OP_REPRINT: msg = _("The copy is marked COPY. Please hand it over."); break;
        case AT_OP_REFUND:
            msg = _("The money goes back the way the sale was paid. Please hand over the refund slip.");
            break;
        case AT_OP_TEST_SLIP:
        case AT_OP_PAPER: msg = _("Please check that it is clear and complete."); break;
        default: break;
        }
    } else {
        note_line(f, note, sizeof note);
        msg = note;
    }
    char sale[96] = "";
    if (f->txn[0] && (f->op == AT_OP_REFUND || f->op == AT_OP_REPRINT))
        snprintf(sale, sizeof sale, _("Sale %s"), f->txn);
    message(t, th, l, a, result_title(f), ok ? th->ok : th->warn, figure, msg, sale, "at.next",
            _("OK"));
}

/* ---- the menu --------------------------------------------------------------------------- */

static void menu(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                 const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    int gap = l->gap / 2, bh = th->min_target * 3 / 2;
    char text[200];
    /* who is logged in, and when they are logged out: two lines (portrait), one
     * (landscape: the height is the actions') */
    int h[3] = {th->font_px[FONT_HEADLINE] * 3 / 2,
                l->portrait ? th->font_px[FONT_BODY] * 3 / 2 : 0,
                v->out_of_service ? th->font_px[FONT_BODY] * (l->portrait ? 3 : 2) : 0};
    if (!l->portrait)
        h[0] = th->font_px[FONT_TITLE] * 3 / 2;
    int tiles_min = (l->portrait ? 3 : 2) * (th->min_target + gap) + bh + gap;
    chrome_fit(h, 3, a.h - tiles_min - gap, th->font_px[FONT_CAPTION] * 3 / 2);
    if (f->name[0])
        snprintf(text, sizeof text, "%s · %s · %s", f->name, f->staff_no, role_text(f->role));
    else
        snprintf(text, sizeof text, "%s · %s", f->staff_no, role_text(f->role));
    const char *hint = _("Logged out after 60 seconds without a touch.");
    if (l->portrait) {
        at_headline(t, "at.who", &a, h[0], text, ALIGN_LEFT);
        chrome_text(t, "at.who.hint", (SDL_Rect){a.x, a.y, a.w, h[1]}, hint, FONT_BODY,
                    ALIGN_LEFT)
            ->fg = th->text_dim;
    } else {
        int ww = a.w * 55 / 100;
        chrome_text(t, "at.who", (SDL_Rect){a.x, a.y, ww, h[0]}, text, FONT_TITLE, ALIGN_LEFT)
            ->bold = 1;
        chrome_text(t, "at.who.hint", (SDL_Rect){a.x + ww, a.y, a.w - ww, h[0]}, hint, FONT_BODY,
                    ALIGN_RIGHT)
            ->fg = th->text_dim;
        a.y += h[0];
        a.h -= h[0];
    }
    a.y += h[1] + gap;
    a.h -= h[1] + gap;
    if (v->out_of_service) {
        snprintf(text, sizeof text, _("Out of service. Customers see: %s"), _(v->out_of_service));
        at_notice(t, th, "at.oos.now", &a, h[2], text, FONT_BODY);
    }
    /* the actions low on the screen: out of service across the bottom, the rest over it */
    struct {
        const char *id, *title, *sub;
    } ops[6] = {
        {"at.op.shift", _("Shift close"), _("Totals, close, print the shift report")},
        {"at.op.day", _("Day close"), _("Add up the shifts, print the day report")},
        {"at.op.reprint", _("Reprint"), _("A receipt or a loading ticket, marked COPY")},
        {"at.op.refund", _("Refund / void"), _("All or part of a sale, with a supervisor")},
        {"at.op.health", _("Device health"), _("Devices, link, journal, records waiting")},
        {"at.op.paper", _("Paper changed"), _("Prints a test slip, checks the printer")},
    };
    int cols = l->portrait ? 2 : 3, rows = 6 / cols;
    SDL_Rect svc = {a.x, a.y + a.h - bh, a.w, bh};
    int grid_h = svc.y - gap - a.y;
    int th_ = (grid_h - (rows - 1) * gap) / rows;
    if (th_ > th->min_target * 5 / 2)
        th_ = th->min_target * 5 / 2;
    int tw = (a.w - (cols - 1) * gap) / cols;
    int y0 = svc.y - gap - rows * th_ - (rows - 1) * gap;
    int first = t->n;
    /* what each does, where there are two lines of room for it */
    int subs = th_ >= th->font_px[FONT_BODY] * 11 / 2 + th->min_target / 4;
    for (int i = 0; i < 6; i++) {
        SDL_Rect r = {a.x + (i % cols) * (tw + gap), y0 + (i / cols) * (th_ + gap), tw, th_};
        struct ui_widget *b = ui_button(t, ops[i].id, r, ops[i].title, ST_TILE);
        b->font = FONT_TITLE;
        b->bold = 1;
        if (subs) {
            snprintf(b->sub, sizeof b->sub, "%s", ops[i].sub);
            b->sub_font = FONT_BODY;
        }
    }
    struct ui_widget *b;
    int sub = svc.h >= at_two_lines_h(th);
    if (v->out_of_service) { /* the likely next step: the one primary action */
        b = chrome_primary(t, "at.op.service", svc, _("Back in service"));
        if (sub)
            snprintf(b->sub, sizeof b->sub, "%s", _("Customers can use the kiosk again"));
    } else {
        b = ui_button(t, "at.op.service", svc, _("Out of service"), ST_SECONDARY);
        b->font = FONT_TITLE;
        b->bold = 1;
        if (sub)
            snprintf(b->sub, sizeof b->sub, "%s",
                     _("Customers see a message instead of the menu"));
    }
    at_mute(t, first, f->busy);
}

/* ---- out of service --------------------------------------------------------------------- */

static void service(struct ui_tree *t, const struct theme *th, const struct at_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct at_flow *f = v->f;
    int gap = l->gap / 2, bh = th->min_target * 2;
    if (v->out_of_service) {
        char msg[300];
        snprintf(msg, sizeof msg, _("Customers see: %s"), _(v->out_of_service));
        message(t, th, l, a, _("The kiosk is out of service"), th->warn, NULL, msg, NULL,
                "at.oos.back", _("Back in service"));
        struct ui_widget *b = ui_find(t, "at.oos.back");
        if (b)
            b->disabled = f->busy;
        return;
    }
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    int h[2] = {th->font_px[FONT_HEADLINE] * 3, th->font_px[FONT_TITLE] * (l->portrait ? 3 : 5)};
    int need = AT_OOS_MESSAGES * (bh + gap);
    chrome_fit(h, 2, (l->portrait ? a.h - need : left.h), th->font_px[FONT_CAPTION] * 3 / 2);
    at_headline(t, "at.oos.title", &left, h[0], _("Take the kiosk out of service"), ALIGN_LEFT);
    chrome_text(t, "at.oos.hint", (SDL_Rect){left.x, left.y, left.w, h[1]},
                _("Choose the message customers see. It stays until you put the kiosk back in service."),
                FONT_TITLE, ALIGN_LEFT)
        ->fg = th->text_dim;
    /* the messages low on the screen (portrait), down the right column (landscape) */
    SDL_Rect col = l->portrait ? a : right;
    int n = AT_OOS_MESSAGES;
    int room = col.h - (l->portrait ? h[0] + h[1] + l->gap : 0);
    int bhh = (room - (n - 1) * gap) / n; /* tall enough for two lines of title type */
    if (bhh > th->min_target * 2)
        bhh = th->min_target * 2;
    if (bhh < th->min_target)
        bhh = th->min_target;
    int y = col.y + col.h - n * bhh - (n - 1) * gap;
    int first = t->n;
    for (int i = 0; i < n; i++) {
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "at.oos.%d", i);
        struct ui_widget *b = ui_button(t, id, (SDL_Rect){col.x, y, col.w, bhh},
                                        _(at_oos_messages[i]), ST_SECONDARY);
        b->font = FONT_TITLE;
        y += bhh + gap;
    }
    at_mute(t, first, f->busy);
}

/* ---- the frame -------------------------------------------------------------------------- */

static const char *const screen_names[AT_STATE_LAST] = {
    [AT_IDLE] = "at_idle",
    [AT_STAFF_NO] = "at_staff_no",
    [AT_PIN] = "at_pin",
    [AT_VERIFYING] = "at_verifying",
    [AT_LOCKED] = "at_locked",
    [AT_MENU] = "at_menu",
    [AT_UNFINISHED] = "at_unfinished",
    [AT_SUMMARY] = "at_summary",
    [AT_TXN] = "at_txn",
    [AT_LINES] = "at_lines",
    [AT_APPROVE_NO] = "at_approve_no",
    [AT_APPROVE_PIN] = "at_approve_pin",
    [AT_APPROVING] = "at_approving",
    [AT_WORKING] = "at_working",
    [AT_CLOSED] = "at_closed",
    [AT_RESULT] = "at_result",
    [AT_HEALTH] = "at_health",
    [AT_SERVICE] = "at_service",
};

/* Logged in: the header names who ("张三 · 1001 · 值班员"), else attendant mode. */
static void header_title(const struct at_flow *f, char *out, size_t cap)
{
    if (f->role != AT_ROLE_NONE && f->state >= AT_MENU && f->staff_no[0]) {
        if (f->name[0])
            snprintf(out, cap, "%s %s · %s", f->staff_no, f->name, role_text(f->role));
        else
            snprintf(out, cap, "%s · %s", f->staff_no, role_text(f->role));
    } else {
        snprintf(out, cap, "%s", _("Attendant mode"));
    }
}

void at_screen(struct ui_tree *t, const struct theme *th, const struct at_view *v)
{
    const struct at_flow *f = v->f;
    struct layout l;
    int s = f->state >= 0 && f->state < AT_STATE_LAST ? (int)f->state : AT_IDLE;
    snprintf(t->screen, sizeof t->screen, "%s", screen_names[s]);
    t->prompt = NULL;
    chrome_layout(&l, t, th);
    char title[96];
    header_title(f, title, sizeof title);
    chrome_header(t, &l, &v->base, title);
    SDL_Rect a = l.content;
    switch (f->state) {
    case AT_IDLE:
    case AT_STAFF_NO: staff_no(t, th, v, &l, a); break;
    case AT_PIN: pin(t, th, v, &l, a); break;
    case AT_LOCKED: locked(t, th, v, &l, a); break;
    case AT_MENU: menu(t, th, v, &l, a); break;
    case AT_UNFINISHED: at_screen_unfinished(t, th, v, &l, a); break;
    case AT_SUMMARY: at_screen_summary(t, th, v, &l, a); break;
    case AT_TXN: txn(t, th, v, &l, a); break;
    case AT_LINES: at_screen_lines(t, th, v, &l, a); break;
    case AT_APPROVE_NO:
    case AT_APPROVE_PIN: approve(t, th, v, &l, a); break;
    case AT_CLOSED: closed(t, th, v, &l, a); break;
    case AT_RESULT: result(t, th, v, &l, a); break;
    case AT_HEALTH: at_screen_health(t, th, v, &l, a); break;
    case AT_SERVICE: service(t, th, v, &l, a); break;
    case AT_VERIFYING:
    case AT_APPROVING:
    case AT_WORKING:
    case AT_STATE_LAST: waiting(t, th, v, &l, a); break;
    }
    /* the way back, bottom-left: Log out on the menu, Back where there is a step back (a
     * supervisor's check too: it cancels the operation); none while a login is checked or an
     * operation runs, nor where the primary action is the way on (the lock's OK is at.back
     * itself) */
    int back = f->state == AT_IDLE || f->state == AT_STAFF_NO || f->state == AT_PIN ||
               f->state == AT_UNFINISHED || f->state == AT_SUMMARY || f->state == AT_TXN ||
               f->state == AT_LINES || f->state == AT_APPROVE_NO || f->state == AT_APPROVE_PIN ||
               f->state == AT_HEALTH || f->state == AT_SERVICE || f->state == AT_MENU ||
               f->state == AT_APPROVING;
    chrome_footer(t, &l, &v->base, back ? "at.back" : NULL,
                  f->state == AT_MENU ? _("Log out") : _("Back"));
    struct ui_widget *b = ui_find(t, "at.back");
    if (b) /* never muted: Back while something is asked for cancels the asking */
        b->on_escape = 1;
}
