#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "core/codes.h"
#include "core/i18n.h"
#include "core/money.h"

/* The fuel-card screens that frame the others, wait, or end: the frame of every screen
 * (header, steps, footer) and the pieces they share; insert the card, the wait while it is
 * read, the PIN locked, the card removed, failed. The keypads are in screens_entry.c, the
 * menu, the load and the history in screens_card.c, the allocation in screens_alloc.c.
 * Every screen has its one primary action at the bottom of the content (in landscape: of
 * the column it belongs to), the way out bottom-left in the footer. */

const char *cd_error_text(enum cd_error e)
{
    switch (e) {
    case CD_ERR_UNKNOWN_CARD: return _("This is not a fuel card this station can read");
    case CD_ERR_BAD_CARD: return _("The card could not be read. Please insert it again.");
    case CD_ERR_EXPIRED: return _("This fuel card has expired");
    case CD_ERR_BLOCKED: return _("This card is reported lost or is blocked");
    case CD_ERR_TAMPERED: return _("The card failed its security check: nothing was loaded");
    case CD_ERR_MAC2: return _("The card did not accept the load: nothing was loaded");
    case CD_ERR_OFFLINE: return _("The station system cannot be reached: nothing was loaded");
    case CD_ERR_UNUSABLE:
        return _("The station system sent an answer the kiosk cannot use: nothing was loaded");
    case CD_ERR_KIOSK: return _("This kiosk cannot record a load right now: nothing was loaded");
    case CD_ERR_CAP: return _("That is more than the card may hold");
    case CD_ERR_NOTHING: return _("There is nothing to load");
    case CD_ERR_NOT_ALLOWED: return _("The station system did not allow this: nothing was loaded");
    case CD_OK:
    case CD_ERR_LAST: break;
    }
    return "";
}

const char *cd_error_advice(enum cd_error e)
{
    switch (e) {
    case CD_ERR_UNKNOWN_CARD:
        return _("Please check that it is a fuel card of this company, or ask at the counter.");
    case CD_ERR_BAD_CARD:
        return _("Take the card out, wipe the chip gently and insert it again, chip first. If it still cannot be read, please ask at the counter.");
    case CD_ERR_EXPIRED:
        return _("Please take it to a service hall (营业厅) for a new card.");
    case CD_ERR_BLOCKED:
        return _("Please go to a service hall (营业厅) with your ID card.");
    case CD_ERR_TAMPERED:
        return _("Please have this card checked at a service hall (营业厅).");
    case CD_ERR_MAC2:
        return _("No money is lost: it stays in your card account. Insert the card again to try once more, or ask at the counter.");
    case CD_ERR_OFFLINE:
        return _("Your money is safe. Please try again in a few minutes, or ask at the counter.");
    case CD_ERR_UNUSABLE:
        return _("Your money is safe. Please try again later, or ask at the counter.");
    case CD_ERR_KIOSK:
        return _("Your money is safe. Please use another kiosk or ask at the counter. The staff have been told.");
    case CD_ERR_CAP:
        return _("Spend some of the card's balance on fuel first, or load less. What is not loaded stays in your card account.");
    case CD_ERR_NOTHING:
        return _("Recharge first: the money is loaded onto the card right after you pay.");
    case CD_ERR_NOT_ALLOWED:
        return _("Your money is safe. Please ask at the counter.");
    case CD_OK:
    case CD_ERR_LAST: break;
    }
    return "";
}

void cd_note_text(const struct cd_flow *f, char *out, size_t cap)
{
    char amt[32];
    out[0] = '\0';
    switch (f->note) {
    case CD_NOTE_WRONG_PIN:
        if (f->pin_tries_left == 1)
            snprintf(out, cap, "%s",
                     _("Wrong PIN: 1 try left. One more wrong PIN locks the card."));
        else if (f->pin_tries_left > 1)
            snprintf(out, cap, _("Wrong PIN: %d tries left"), f->pin_tries_left);
        else
            snprintf(out, cap, "%s", _("Wrong PIN. Please try again."));
        break;
    case CD_NOTE_PIN_SHORT:
        snprintf(out, cap, _("Please enter all %d digits of your PIN."),
                 f->cfg.pin_len > 0 ? f->cfg.pin_len : 6);
        break;
    case CD_NOTE_AMOUNT_LOW:
        money_format(100, amt, sizeof amt);
        snprintf(out, cap, _("The least you can recharge is %s."), amt);
        break;
    case CD_NOTE_AMOUNT_HIGH:
        money_format(cd_recharge_max(f), amt, sizeof amt);
        snprintf(out, cap, _("That is more than can be recharged now: at most %s."), amt);
        break;
    case CD_NOTE_LIMIT: {
        int64_t left = f->acct.daily_cap_fen - f->acct.recharged_today_fen;
        money_format(left > 0 ? left : 0, amt, sizeof amt);
        snprintf(out, cap, _("That is over today's recharge limit: %s left today."), amt);
        break;
    }
    case CD_NOTE_ALLOC_EMPTY:
        snprintf(out, cap, "%s", _("Please type an amount for at least one sub-card."));
        break;
    case CD_NOTE_ALLOC_HIGH:
        money_format(f->acct.account_fen, amt, sizeof amt);
        snprintf(out, cap, _("That is more than the main card's account holds (%s)."), amt);
        break;
    case CD_NOTE_OFFLINE: /* what did not answer, and what it means, by where it is said */
        snprintf(out, cap, "%s",
                 f->state == CD_AMOUNT
                     ? _("The payment could not be started: nothing was charged. Please try again.")
                 : f->state == CD_ALLOC_CONFIRM
                     ? _("The station system did not answer, so it is not known yet whether the allocation was made. Please confirm again: it is never made twice.")
                 : f->state == CD_HISTORY
                     ? _("The station system did not answer: the account's movements cannot be shown now.")
                     : _("The station system did not answer. Please try again."));
        break;
    case CD_NOTE_REFUSED:
        snprintf(out, cap, "%s",
                 f->state == CD_MENU
                     ? _("The station system did not give this card's sub-cards. Please ask at the counter.")
                     : _("The station system refused the allocation: nothing was moved. Please check the amounts, or ask at the counter."));
        break;
    case CD_NOTE_NONE: break;
    }
}

/* ---- shared pieces ---------------------------------------------------------------------- */

int cd_notice_h(const struct theme *th, const struct cd_flow *f)
{
    char note[300];
    cd_note_text(f, note, sizeof note);
    return note[0] ? th->font_px[FONT_BODY] * 3 + th->min_target / 6 : 0;
}

int cd_notice(struct ui_tree *t, const struct theme *th, const struct cd_flow *f, SDL_Rect *a)
{
    char note[300];
    cd_note_text(f, note, sizeof note);
    if (!note[0])
        return 0;
    int h = th->font_px[FONT_BODY] * 3, gap = th->min_target / 6;
    if (h > a->h - gap) /* its words shrink, down to a line of the smallest type */
        h = a->h - gap > th->font_px[FONT_CAPTION] * 3 / 2 ? a->h - gap
                                                             : th->font_px[FONT_CAPTION] * 3 / 2;
    struct ui_widget *n =
        chrome_text(t, "card.note", (SDL_Rect){a->x, a->y, a->w, h}, note, FONT_BODY, ALIGN_LEFT);
    n->style = ST_NOTICE;
    a->y += h + gap;
    a->h -= h + gap;
    return h + gap;
}

struct ui_widget *cd_headline(struct ui_tree *t, const char *id, SDL_Rect *a, int h,
                              const char *text)
{
    struct ui_widget *w =
        chrome_text(t, id, (SDL_Rect){a->x, a->y, a->w, h}, text, FONT_HEADLINE, ALIGN_LEFT);
    w->bold = 1;
    a->y += h;
    a->h -= h;
    return w;
}

struct ui_widget *cd_action(struct ui_tree *t, const char *id, SDL_Rect r, const char *text,
                            const char *sub)
{
    struct ui_widget *b = ui_button(t, id, r, text, ST_SECONDARY);
    b->font = FONT_TITLE;
    if (sub)
        snprintf(b->sub, sizeof b->sub, "%s", sub);
    return b;
}

void cd_pair_row(struct ui_tree *t, SDL_Rect r, const char *left, const char *right,
                 enum font_role f, int bold, const char *id, int split_pct)
{
    int lw = r.w * split_pct / 100;
    struct ui_widget *a = ui_label(t, (SDL_Rect){r.x, r.y, lw, r.h}, left, f, ALIGN_LEFT);
    struct ui_widget *b = ui_label(t, (SDL_Rect){r.x + lw, r.y, r.w - lw, r.h}, right, f,
                                   ALIGN_RIGHT);
    b->bold = bold;
    if (id) {
        snprintf(b->id, sizeof b->id, "%s", id);
        int n = snprintf(a->id, sizeof a->id, "%s.label", id);
        if (n < 0 || (size_t)n >= sizeof a->id)
            a->id[0] = '\0'; /* too long for an id: none rather than a wrong one */
    }
}

void cd_holder_text(const struct cd_flow *f, char *out, size_t cap)
{
    if (f->have_account && f->acct.holder_masked[0])
        snprintf(out, cap, "%s", f->acct.holder_masked);
    else
        mask_name(f->holder, out, cap);
}

void cd_card_line(const struct cd_flow *f, char *out, size_t cap)
{
    char no[32], holder[64];
    cd_mask_no(f->info.card_no, no, sizeof no);
    cd_holder_text(f, holder, sizeof holder);
    snprintf(out, cap, "%s%s%s", no, holder[0] ? " · " : "", holder);
}

const char *cd_kind_text(enum card_kind k)
{
    switch (k) {
    case CARD_MAIN: return _("Company main card");
    case CARD_SUB: return _("Company sub-card");
    case CARD_STAFF: return _("Staff card");
    case CARD_PERSONAL: break;
    }
    return _("Personal card");
}

int64_t cd_typed_fen(const char *digits)
{
    int64_t yuan = 0;
    for (const char *p = digits; *p >= '0' && *p <= '9' && p - digits < CD_AMOUNT_DIGITS; p++)
        yuan = yuan * 10 + (*p - '0');
    return yuan * 100;
}

void cd_typed_money(const char *digits, char *out, size_t cap)
{
    money_format(cd_typed_fen(digits), out, cap);
}

void cd_adopt(struct ui_tree *t, int from, int li)
{
    for (int i = from; i < t->n; i++)
        t->v[i].parent = li;
}

void cd_mute(struct ui_tree *t, int from, int muted)
{
    for (int i = from; i < t->n; i++)
        t->v[i].disabled = muted;
}

int cd_wait_block(struct ui_tree *t, const struct theme *th, const struct layout *l, SDL_Rect r,
                  int y, const char *text, const char *detail)
{
    int sp = l->portrait ? th->min_target * 2 : th->min_target * 3 / 2;
    int msg_h = th->font_px[FONT_HEADLINE] * (l->portrait ? 5 : 3) / 2;
    int more_h = detail ? th->font_px[FONT_TITLE] * 3 : 0;
    if (y < 0) /* centred in r */
        y = r.y + (r.h - sp - l->gap - msg_h - more_h) / 2;
    if (y < r.y)
        y = r.y;
    ui_add(t, UI_SPINNER, ST_PLAIN, "card.busy", (SDL_Rect){r.x + (r.w - sp) / 2, y, sp, sp},
           NULL);
    y += sp + l->gap;
    chrome_text(t, "card.busy.text", (SDL_Rect){r.x, y, r.w, msg_h}, text, FONT_HEADLINE,
                ALIGN_CENTER)
        ->bold = 1;
    y += msg_h;
    if (detail) {
        chrome_text(t, "card.busy.detail", (SDL_Rect){r.x, y, r.w, more_h}, detail, FONT_TITLE,
                    ALIGN_CENTER)
            ->fg = th->text_dim;
        y += more_h;
    }
    return y;
}

struct ui_widget *cd_finish(struct ui_tree *t, const struct cd_view *v, SDL_Rect r)
{
    struct ui_widget *b = chrome_primary(t, "card.finish", r, _("Done"));
    if (v->f->present) { /* a card left in the reader is the next customer's to take */
        snprintf(b->sub, sizeof b->sub, "%s", _("Please take your card"));
        b->sub_font = FONT_BODY;
    }
    return b;
}

void cd_message(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                const struct layout *l, SDL_Rect a, const char *title_id, const char *title,
                uint32_t title_fg, const char *msg_id, const char *msg, const char *more_id,
                const char *more)
{
    int bh = th->min_target * 3 / 2;
    int title_h = th->font_px[FONT_HEADLINE] * (l->portrait ? 3 : 2);
    int msg_h = th->font_px[FONT_TITLE] * (l->portrait ? 6 : 4);
    int more_h = more ? th->font_px[FONT_BODY] * 3 : 0;
    int y = a.y + (l->portrait ? a.h / 10 : 0);
    struct ui_widget *w = chrome_text(t, title_id, (SDL_Rect){a.x, y, a.w, title_h}, title,
                                      FONT_HEADLINE, ALIGN_CENTER);
    w->bold = 1;
    if (title_fg)
        w->fg = title_fg;
    y += title_h;
    if (y + msg_h > a.y + a.h - bh - more_h)
        msg_h = a.y + a.h - bh - more_h - y;
    chrome_text(t, msg_id, (SDL_Rect){a.x, y, a.w, msg_h}, msg, FONT_TITLE, ALIGN_CENTER);
    y += msg_h;
    if (more)
        chrome_text(t, more_id, (SDL_Rect){a.x, y, a.w, more_h}, more, FONT_BODY, ALIGN_CENTER)
            ->fg = th->text_dim;
    SDL_Rect next = {a.x, a.y + a.h - bh, a.w, bh};
    if (!l->portrait)
        next = chrome_column(l, next, 1);
    cd_finish(t, v, next);
}

/* The step bar of the path the customer is on: "1 Insert card 2 PIN 3 Choose", then
 * "1 Amount 2 Pay 3 Load" for a recharge or "1 Amounts 2 Confirm 3 Done" for an
 * allocation; none off those paths (the history, a load of what was waiting, the ends).
 * Returns its height. */
static int steps(struct ui_tree *t, const struct theme *th, const struct cd_flow *f,
                 const struct layout *l)
{
    static const char *const start[] = {N_("Insert card"), N_("PIN"), N_("Choose")};
    static const char *const recharge[] = {N_("Amount"), N_("Pay"), N_("Load")};
    static const char *const alloc[] = {N_("Amounts"), N_("Confirm"), N_("Allocated")};
    const char *const *names = start;
    int cur = -1;
    switch (f->state) {
    case CD_IDLE:
    case CD_INSERT:
    case CD_READING:
    case CD_LOOKUP: cur = 0; break;
    case CD_PIN:
    case CD_VERIFYING: cur = 1; break;
    case CD_RESOLVING:
    case CD_MENU: cur = 2; break;
    case CD_AMOUNT:
        names = recharge;
        cur = 0;
        break;
    case CD_PAYING:
    case CD_REFRESH:
        names = recharge;
        cur = 1;
        break;
    case CD_LOADING:
    case CD_DONE:
        if (f->recharge_fen > 0) {
            names = recharge;
            cur = 2;
        }
        break;
    case CD_SUBCARDS:
    case CD_ALLOC_KEYPAD:
        names = alloc;
        cur = 0;
        break;
    case CD_ALLOC_CONFIRM:
    case CD_ALLOCATING:
        names = alloc;
        cur = 1;
        break;
    case CD_ALLOCATED:
        names = alloc;
        cur = 2;
        break;
    default: break;
    }
    if (cur < 0)
        return 0;
    return chrome_steps(t, l, th, names, 3, cur);
}

/* ---- insert the card -------------------------------------------------------------------- */

/* A fuel card over the reader's slot, an arrow between: drawn with panels, centred in r. */
static void card_picture(struct ui_tree *t, const struct theme *th, SDL_Rect r)
{
    int arrow_h = th->font_px[FONT_DISPLAY] * 5 / 4, slot_h = th->min_target / 3;
    int cw = r.w * 55 / 100, ch = cw * 54 / 86;
    if (ch > r.h - arrow_h - slot_h) {
        ch = r.h - arrow_h - slot_h;
        cw = ch * 86 / 54;
    }
    if (ch < th->min_target)
        return; /* no room: the words say it */
    int y = r.y + (r.h - ch - arrow_h - slot_h) / 2;
    SDL_Rect c = {r.x + (r.w - cw) / 2, y, cw, ch};
    ui_add(t, UI_PANEL, ST_CARD, "card.picture", c, NULL)->bg = th->primary;
    ui_add(t, UI_PANEL, ST_PLAIN, NULL,
           (SDL_Rect){c.x + cw * 12 / 100, c.y + ch * 34 / 100, cw * 17 / 100, ch * 26 / 100},
           NULL)
        ->bg = 0xE8B64CFF; /* the chip */
    struct ui_widget *w = ui_label(t, (SDL_Rect){c.x + cw * 36 / 100, c.y + ch * 30 / 100,
                                                 cw * 58 / 100, ch * 34 / 100},
                                   _("Fuel card"), FONT_TITLE, ALIGN_LEFT);
    w->fg = th->on_primary;
    w->bold = 1;
    ui_add(t, UI_PANEL, ST_PLAIN, NULL,
           (SDL_Rect){c.x + cw * 12 / 100, c.y + ch * 76 / 100, cw * 50 / 100, ch * 7 / 100},
           NULL)
        ->bg = th->on_primary;
    w = ui_label(t, (SDL_Rect){r.x, c.y + ch, r.w, arrow_h}, "↓", FONT_DISPLAY, ALIGN_CENTER);
    w->fg = th->accent;
    w->bold = 1;
    int sw = cw * 125 / 100;
    ui_add(t, UI_PANEL, ST_PLAIN, NULL, (SDL_Rect){r.x + (r.w - sw) / 2, c.y + ch + arrow_h, sw,
                                                   slot_h},
           NULL)
        ->bg = th->text;
}

static void insert(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                   const struct layout *l, SDL_Rect a)
{
    const char *problem = v->reader_problem && v->reader_problem[0] ? v->reader_problem : NULL;
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    int gap = l->gap;
    SDL_Rect words = l->portrait ? a : right;
    /* why the reader cannot be used, the headline, how to insert it: in landscape all in
     * the right column, shrunk alike where it is short (large text) */
    int h[3] = {problem ? th->font_px[FONT_BODY] * 4 : 0, th->font_px[FONT_DISPLAY] * 3 / 2,
                th->font_px[FONT_TITLE] * 4};
    int used = l->portrait ? h[0] + h[1] + h[2]
                           : chrome_fit(h, 3, words.h - (problem ? gap : 0),
                                        th->font_px[FONT_CAPTION] * 3 / 2);
    int y = words.y;
    if (!l->portrait && !problem) /* landscape: the words in the middle of their column */
        y = words.y + (words.h - used) / 2;
    if (problem) {
        char why[400];
        snprintf(why, sizeof why, _("%s Please ask at the counter: the staff can recharge and load your card there."),
                 problem);
        struct ui_widget *n = chrome_text(t, "card.reader", (SDL_Rect){words.x, y, words.w, h[0]},
                                          why, FONT_BODY, ALIGN_LEFT);
        n->style = ST_NOTICE;
        y += h[0] + gap;
    }
    struct ui_widget *w = chrome_text(t, "card.insert.title", (SDL_Rect){words.x, y, words.w, h[1]},
                                      _("Insert your fuel card"), FONT_DISPLAY,
                                      l->portrait ? ALIGN_CENTER : ALIGN_LEFT);
    w->bold = 1;
    w->fg = problem ? th->text_dim : th->text;
    y += h[1];
    w = chrome_text(t, "card.insert.hint", (SDL_Rect){words.x, y, words.w, h[2]},
                    _("Chip first, face up, into the card reader. Leave it there until you are "
                      "done: the kiosk gives it back."),
                    FONT_TITLE, l->portrait ? ALIGN_CENTER : ALIGN_LEFT);
    w->fg = th->text_dim;
    y += h[2] + gap;
    SDL_Rect pic = l->portrait ? (SDL_Rect){a.x, y, a.w, a.y + a.h - y} : left;
    card_picture(t, th, pic);
}

/* ---- the wait while the card is read ---------------------------------------------------- */

/* Waiting for the station system (not for the card or the journal): a wait that can be
 * slow. */
static int waits_call(const struct cd_flow *f)
{
    if (f->state == CD_LOOKUP || f->state == CD_ALLOCATING)
        return 1;
    return (f->state == CD_LOADING || f->state == CD_RESOLVING) &&
           (f->step == CS_MAC2 || f->step == CS_CONFIRM);
}

int cd_slow(const struct cd_view *v)
{
    const struct cd_flow *f = v->f;
    return waits_call(f) && f->wait_until > 0 &&
           v->base.now_ms >= f->wait_until - CD_CALL_MS + 10000;
}

static void reading(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct cd_flow *f = v->f;
    const char *text, *detail = _("Please leave the card in the reader.");
    switch (f->state) {
    case CD_LOOKUP: text = _("Looking up your card's account..."); break;
    case CD_VERIFYING: text = _("Checking your PIN..."); break;
    case CD_RESOLVING:
        text = _("Finishing a load that did not finish last time...");
        detail = _("Do not remove your card: the money is being loaded onto it.");
        break;
    case CD_PAYING: text = _("Waiting for your payment..."); break;
    case CD_REFRESH:
        text = _("Paid. Reading your card again...");
        detail = _("Then the money is loaded onto the card. Do not remove it.");
        break;
    default: text = _("Reading your card..."); break;
    }
    if (cd_slow(v))
        detail = f->state == CD_LOOKUP /* nothing is under way yet: the card can go */
                     ? _("The station system is slow to answer. Please wait, or take your card out to stop: nothing has been charged.")
                     : _("The station system is slow to answer. Please wait a little longer: no money is lost.");
    int y = cd_wait_block(t, th, l, a, -1, text, detail);
    (void)y;
}

/* ---- the ends --------------------------------------------------------------------------- */

static void locked(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                   const struct layout *l, SDL_Rect a)
{
    cd_message(t, th, v, l, a, "card.locked.title", _("The card's PIN is locked"), th->warn,
               "card.locked.text",
               _("Take your ID card to the station counter or a service hall (营业厅) to unlock it."),
               "card.locked.more",
               _("The money on the card and in its account is safe. Nothing was charged."));
}

/* What stays in the card's account after the card went away: what was paid now, else
 * what was waiting. */
static int64_t money_kept(const struct cd_flow *f)
{
    if (f->recharge_txn[0] && f->recharge_fen > 0)
        return f->recharge_fen;
    if (f->info.kind == CARD_SUB && f->acct.allocation_fen > 0)
        return f->acct.allocation_fen;
    return f->acct.account_fen;
}

static void removed(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct cd_flow *f = v->f;
    char msg[400], amt[32];
    const char *title;
    uint32_t fg = 0;
    switch (f->removed) {
    case CD_GONE_IN_ACCOUNT: {
        int64_t kept = money_kept(f);
        title = _("The card was taken out");
        if (kept > 0) {
            money_format(kept, amt, sizeof amt);
            snprintf(msg, sizeof msg,
                     _("Your %s is safe in your card account: nothing is lost. Insert the card again to load it, here or at any kiosk."),
                     amt);
        } else {
            snprintf(msg, sizeof msg, "%s",
                     _("Your money is safe in your card account: nothing is lost. Insert the card again to load it, here or at any kiosk."));
        }
        break;
    }
    case CD_GONE_PENDING:
        title = _("The load did not finish");
        fg = th->warn;
        snprintf(msg, sizeof msg, "%s",
                 _("Insert the card again to complete it, here or at any kiosk. No money is lost."));
        break;
    case CD_GONE_NOTHING:
    default:
        title = _("Card removed");
        snprintf(msg, sizeof msg, "%s", _("Nothing was changed on the card or its account."));
        break;
    }
    cd_message(t, th, v, l, a, "card.removed.title", title, fg, "card.removed.text", msg, NULL,
               NULL);
}

static void failed(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                   const struct layout *l, SDL_Rect a)
{
    const struct cd_flow *f = v->f;
    const char *title = cd_error_text(f->error);
    if (!title[0])
        title = _("The card service stopped");
    char more[300] = "", amt[32];
    if (f->recharge_txn[0] && f->recharge_fen > 0 && f->loaded_fen == 0) {
        money_format(f->recharge_fen, amt, sizeof amt);
        snprintf(more, sizeof more,
                 _("The %s you paid is in your card account: nothing is lost. Load it later at any kiosk."),
                 amt);
    }
    cd_message(t, th, v, l, a, "card.failed.title", title, th->warn, "card.failed.text",
               cd_error_advice(f->error), "card.failed.money", more[0] ? more : NULL);
}

/* ---- the frame -------------------------------------------------------------------------- */

void cd_screen(struct ui_tree *t, const struct theme *th, const struct cd_view *v)
{
    const struct cd_flow *f = v->f;
    struct layout l;
    snprintf(t->screen, sizeof t->screen, "%s", cd_screen_name(f));
    t->prompt = NULL;
    chrome_layout(&l, t, th);
    chrome_header(t, &l, &v->base, _("Fuel card"));
    SDL_Rect a = l.content;
    int sh = steps(t, th, f, &l);
    a.y += sh;
    a.h -= sh;
    switch (f->state) {
    case CD_IDLE:
    case CD_INSERT: insert(t, th, v, &l, a); break;
    case CD_PIN: cd_screen_pin(t, th, v, &l, a); break;
    case CD_MENU: cd_screen_menu(t, th, v, &l, a); break;
    case CD_AMOUNT: cd_screen_amount(t, th, v, &l, a); break;
    case CD_LOADING: cd_screen_loading(t, th, v, &l, a); break;
    case CD_DONE: cd_screen_done(t, th, v, &l, a); break;
    case CD_SUBCARDS: cd_screen_subcards(t, th, v, &l, a); break;
    case CD_ALLOC_KEYPAD: cd_screen_alloc_keypad(t, th, v, &l, a); break;
    case CD_ALLOC_CONFIRM: cd_screen_alloc_confirm(t, th, v, &l, a); break;
    case CD_ALLOCATING: cd_screen_allocating(t, th, v, &l, a); break;
    case CD_ALLOCATED: cd_screen_allocated(t, th, v, &l, a); break;
    case CD_HISTORY: cd_screen_history(t, th, v, &l, a); break;
    case CD_LOCKED: locked(t, th, v, &l, a); break;
    case CD_REMOVED: removed(t, th, v, &l, a); break;
    case CD_FAILED: failed(t, th, v, &l, a); break;
    case CD_READING:
    case CD_LOOKUP:
    case CD_VERIFYING:
    case CD_RESOLVING:
    case CD_PAYING:
    case CD_REFRESH:
    case CD_STATE_LAST: reading(t, th, v, &l, a); break;
    }
    /* the way out, bottom-left: Back where there is a way back, Finish on the menu (the card
     * comes out), none while the card is read or written, nor at the ends (their Finish is
     * the primary action) */
    int back = f->state == CD_INSERT || f->state == CD_IDLE || f->state == CD_PIN ||
               f->state == CD_AMOUNT || f->state == CD_SUBCARDS ||
               f->state == CD_ALLOC_KEYPAD || f->state == CD_ALLOC_CONFIRM ||
               f->state == CD_HISTORY;
    chrome_footer(t, &l, &v->base, back ? "card.back" : NULL, _("Back"));
    struct ui_widget *b = NULL;
    if (back) {
        b = ui_find(t, "card.back");
    } else if (f->state == CD_MENU) {
        /* wider than Back: it says the card comes out */
        SDL_Rect r = {l.footer.x, l.footer.y, l.sound.x - l.gap - l.footer.x, l.footer.h};
        b = ui_button(t, "card.finish", r, _("Finish and take my card"), ST_SECONDARY);
        b->font = FONT_TITLE;
    }
    if (b) /* never muted: Back while something is asked for cancels the asking */
        b->on_escape = 1;
}
