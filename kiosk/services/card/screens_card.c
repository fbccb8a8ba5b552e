#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/money.h"
#include "screens.h"

/* The fuel-card screens about the card itself: the menu (the card, its balances, what can
 * be done), the load in progress, the load done, and the history. */

/* ---- the menu --------------------------------------------------------------------------- */

/* The card and its balances in a panel at r (its height as it needs, at most r.h): kind,
 * number, holder; the balance on the chip, big; the account (备用金), a sub-card's
 * allocation waiting, a load finished from before. Returns the height used. */
static int card_panel(struct ui_tree *t, const struct theme *th, const struct cd_flow *f,
                      const struct layout *l, SDL_Rect r)
{
    /* portrait has the height: everything a size roomier; landscape with large text has
     * not: everything shrinks alike to fit */
    int k = l->portrait ? 4 : 3, pad = th->min_target / 4;
    int cap_h = th->font_px[FONT_BODY] * k / 2, row_h = l->portrait
                                                            ? th->font_px[FONT_TITLE] * 2
                                                            : th->font_px[FONT_BODY] * 3 / 2;
    int sub = f->info.kind == CARD_SUB, resolved = f->resolved_fen > 0;
    enum { NO, HOLDER, LABEL, BIG, ACCOUNT, ALLOC, RESOLVED, ROWS };
    int h[ROWS] = {th->font_px[FONT_TITLE] * k / 2, cap_h, cap_h,
                   th->font_px[FONT_DISPLAY] * (k + 2) / 4, row_h, sub ? row_h : 0,
                   resolved ? cap_h : 0};
    int ph = 3 * pad + chrome_fit(h, ROWS, r.h - 3 * pad, th->font_px[FONT_CAPTION] * 9 / 8);
    enum font_role rf = l->portrait ? FONT_TITLE : FONT_BODY;
    ui_add(t, UI_PANEL, ST_CARD, NULL, (SDL_Rect){r.x, r.y, r.w, ph}, NULL);
    int x = r.x + pad, w = r.w - 2 * pad, y = r.y + pad;
    char text[96], amt[32];
    /* the number left, the kind right; the holder under them */
    cd_mask_no(f->info.card_no, text, sizeof text);
    chrome_text(t, "card.no", (SDL_Rect){x, y, w * 62 / 100, h[NO]}, text, FONT_TITLE, ALIGN_LEFT)
        ->bold = 1;
    chrome_text(t, "card.kind", (SDL_Rect){x + w * 62 / 100, y, w - w * 62 / 100, h[NO]},
                cd_kind_text(f->info.kind), FONT_BODY, ALIGN_RIGHT)
        ->fg = th->text_dim;
    y += h[NO];
    cd_holder_text(f, text, sizeof text);
    chrome_text(t, "card.holder", (SDL_Rect){x, y, w, h[HOLDER]}, text, FONT_BODY, ALIGN_LEFT);
    y += h[HOLDER] + pad / 2;
    ui_add(t, UI_PANEL, ST_PLAIN, NULL, (SDL_Rect){x, y, w, 2}, NULL)->bg = th->border;
    y += pad / 2;
    /* the chip's balance: what the pump takes */
    chrome_text(t, "card.balance.label", (SDL_Rect){x, y, w, h[LABEL]}, _("Balance on the card"),
                FONT_BODY, ALIGN_LEFT)
        ->fg = th->text_dim;
    y += h[LABEL];
    money_format(f->balance_fen, amt, sizeof amt);
    chrome_text(t, "card.balance", (SDL_Rect){x, y, w, h[BIG]}, amt, FONT_DISPLAY, ALIGN_LEFT)
        ->bold = 1;
    y += h[BIG];
    money_format(f->acct.account_fen, amt, sizeof amt);
    cd_pair_row(t, (SDL_Rect){x, y, w, h[ACCOUNT]}, _("Account balance (备用金)"), amt, rf, 1,
                "card.account", 60);
    y += h[ACCOUNT];
    if (sub) {
        money_format(f->acct.allocation_fen, amt, sizeof amt);
        cd_pair_row(t, (SDL_Rect){x, y, w, h[ALLOC]}, _("Allocation waiting to load"), amt, rf,
                    1, "card.allocation", 60);
        y += h[ALLOC];
    }
    if (resolved) {
        money_format(f->resolved_fen, amt, sizeof amt);
        snprintf(text, sizeof text, _("An earlier load of %s was completed"), amt);
        struct ui_widget *w2 = chrome_text(t, "card.resolved", (SDL_Rect){x, y, w, h[RESOLVED]},
                                           text, FONT_BODY, ALIGN_LEFT);
        w2->fg = th->ok;
        w2->bold = 1;
    }
    return ph;
}

void cd_screen_menu(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct cd_flow *f = v->f;
    int bh = th->min_target * 3 / 2, gap = l->gap / 2;
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    cd_notice(t, th, f, &left); /* over the card (landscape: the actions need the column) */
    int used = card_panel(t, th, f, l, left);
    SDL_Rect col = l->portrait ? (SDL_Rect){a.x, left.y + used + l->gap, a.w,
                                            a.y + a.h - left.y - used - l->gap}
                               : right;
    /* the actions bottom-up: the primary at the bottom, the others over it; lower where
     * the column is short (landscape, large text), never under a touch target */
    const char *src = "account";
    int64_t waiting = cd_waiting(f, &src);
    int nb = 2 + (waiting > 0) + (f->info.kind == CARD_MAIN);
    if (nb * bh + (nb - 1) * gap > col.h)
        bh = (col.h - (nb - 1) * gap) / nb > th->min_target ? (col.h - (nb - 1) * gap) / nb
                                                            : th->min_target;
    char text[120], amt[32];
    int y = col.y + col.h - bh;
    struct ui_widget *b;
    if (waiting > 0) {
        money_format(waiting, amt, sizeof amt);
        snprintf(text, sizeof text, _("Load %s onto the card"), amt);
        b = chrome_primary(t, "card.load", (SDL_Rect){col.x, y, col.w, bh}, text);
        snprintf(b->sub, sizeof b->sub, "%s",
                 src && !strcmp(src, "allocation") ? _("What the main card allocated to you")
                                                   : _("From your account balance (备用金)"));
        y -= bh + gap;
        b = cd_action(t, "card.recharge", (SDL_Rect){col.x, y, col.w, bh},
                      _("Recharge and load"), _("Pay, and it is loaded onto the card at once"));
    } else {
        b = chrome_primary(t, "card.recharge", (SDL_Rect){col.x, y, col.w, bh},
                           _("Recharge and load"));
        snprintf(b->sub, sizeof b->sub, "%s", _("Pay, and it is loaded onto the card at once"));
    }
    b->disabled = f->busy;
    if (cd_recharge_max(f) <= 0) { /* said before the customer starts, not after */
        b->disabled = 1;
        snprintf(b->sub, sizeof b->sub, "%s",
                 _("Not possible now: today's limit is reached or the card is full"));
    }
    if (waiting <= 0 && (f->acct.account_fen > 0 || f->acct.allocation_fen > 0)) {
        /* money is waiting, but the card holds all it may */
        int fh = th->font_px[FONT_BODY] * 3;
        struct ui_widget *n =
            chrome_text(t, "card.full", (SDL_Rect){col.x, y - gap - fh, col.w, fh},
                        _("The card holds as much as it may. Spend some of its balance on fuel, "
                          "then load what is waiting."),
                        FONT_BODY, ALIGN_LEFT);
        n->style = ST_NOTICE;
        y -= fh + gap;
    }
    if (f->info.kind == CARD_MAIN) {
        y -= bh + gap;
        b = cd_action(t, "card.allocate", (SDL_Rect){col.x, y, col.w, bh},
                      _("Allocate to sub-cards"), _("From the main card's account"));
        b->disabled = f->busy;
    }
    y -= bh + gap;
    b = cd_action(t, "card.history", (SDL_Rect){col.x, y, col.w, bh}, _("History"),
                  _("The card's transactions and the account's"));
    b->disabled = f->busy;
}

/* ---- the load --------------------------------------------------------------------------- */

static const char *step_text(enum cd_step s)
{
    switch (s) {
    case CS_INTENT: return _("Recording the load on this kiosk...");
    case CS_CREDIT: return _("Writing the money onto the card...");
    case CS_RECORD:
    case CS_CONFIRM: return _("Confirming the load...");
    case CS_BALANCE: return _("Reading the new balance...");
    case CS_PROOF: return _("Checking the card...");
    case CS_NONE:
    case CS_INIT:
    case CS_MAC2: break;
    }
    return _("Asking the station system for the load...");
}

void cd_screen_loading(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                       const struct layout *l, SDL_Rect a)
{
    const struct cd_flow *f = v->f;
    int gap = l->gap;
    /* the warning first, across the screen: in every step, as big as the headline */
    int warn_h = th->font_px[FONT_HEADLINE] * 2;
    struct ui_widget *w =
        chrome_text(t, "card.warning", (SDL_Rect){a.x, a.y, a.w, warn_h},
                    f->step == CS_CREDIT ? _("Writing to the card: do not remove it")
                                         : _("Do not remove your card"),
                    FONT_HEADLINE, ALIGN_CENTER);
    w->style = ST_NOTICE;
    w->bold = 1;
    a.y += warn_h + gap;
    a.h -= warn_h + gap;
    /* the progress through the steps, at the bottom */
    int bar_h = th->min_target / 5;
    struct ui_widget *p = ui_add(t, UI_PROGRESS, ST_PLAIN, "card.progress",
                                 (SDL_Rect){a.x, a.y + a.h - bar_h, a.w, bar_h}, NULL);
    p->value = f->step > CS_BALANCE ? CS_CREDIT : (int)f->step;
    p->max = CS_BALANCE;
    a.h -= bar_h + gap;
    /* the amount, and what is happening */
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    int cap_h = th->font_px[FONT_TITLE] * 3 / 2, big_h = th->font_px[FONT_DISPLAY] * 3 / 2;
    int y = l->portrait ? a.y : left.y + (left.h - cap_h - big_h) / 2;
    char amt[32];
    chrome_text(t, "card.amount.label", (SDL_Rect){left.x, y, left.w, cap_h}, _("Amount to load"),
                FONT_TITLE, ALIGN_CENTER)
        ->fg = th->text_dim;
    y += cap_h;
    money_format(f->load.amount_fen, amt, sizeof amt);
    chrome_text(t, "card.amount", (SDL_Rect){left.x, y, left.w, big_h}, amt, FONT_DISPLAY,
                ALIGN_CENTER)
        ->bold = 1;
    y += big_h + gap;
    const char *detail = cd_slow(v)
                             ? _("The station system is slow to answer. Please wait a little longer: no money is lost.")
                             : NULL;
    SDL_Rect r = l->portrait ? (SDL_Rect){a.x, y, a.w, a.y + a.h - y} : right;
    cd_wait_block(t, th, l, r, -1, step_text(f->step), detail);
}

/* ---- the load done ---------------------------------------------------------------------- */

/* A balance: its words in body type left, the figure (font `ff`) right. */
static void balance_row(struct ui_tree *t, SDL_Rect r, const char *words, const char *figure,
                        enum font_role ff, const char *id)
{
    cd_pair_row(t, r, words, figure, ff, 0, id, 58);
    t->v[t->n - 2].font = FONT_BODY;
}

void cd_screen_done(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct cd_flow *f = v->f;
    int bh = th->min_target * 3 / 2, gap = l->gap / 2, pad = th->min_target / 4;
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    enum text_align al = l->portrait ? ALIGN_CENTER : ALIGN_LEFT;
    char text[160], amt[32];
    /* the title, the amount and the balances: before, after (read back from the chip), what
     * is left in the account; all shrink alike where the column is short (landscape, large
     * text) */
    int row_h = th->font_px[FONT_TITLE] * 3 / 2;
    int sub = f->info.kind == CARD_SUB && f->acct.allocation_fen > 0;
    int resolved = f->resolved_fen > 0;
    enum { TITLE, AMOUNT, BEFORE, NOW, ACCOUNT, ALLOC, RESOLVED, ROWS };
    int h[ROWS] = {th->font_px[FONT_DISPLAY] * 5 / 4, th->font_px[FONT_HEADLINE] * 3 / 2, row_h,
                   th->font_px[FONT_HEADLINE] * 3 / 2, row_h, sub ? row_h : 0,
                   resolved ? row_h : 0};
    if (!l->portrait)
        chrome_fit(h, ROWS, left.h - 2 * pad - gap, th->font_px[FONT_CAPTION] * 9 / 8);
    struct ui_widget *w =
        chrome_text(t, "card.done.title", (SDL_Rect){left.x, left.y, left.w, h[TITLE]}, _("Loaded"),
                    FONT_DISPLAY, al);
    w->bold = 1;
    w->fg = th->ok;
    int y = left.y + h[TITLE];
    money_format(f->loaded_fen, amt, sizeof amt);
    snprintf(text, sizeof text, _("%s loaded onto your card"), amt);
    chrome_text(t, "card.done.amount", (SDL_Rect){left.x, y, left.w, h[AMOUNT]}, text,
                FONT_HEADLINE, al)
        ->bold = 1;
    y += h[AMOUNT] + gap;
    int ph = 2 * pad + h[BEFORE] + h[NOW] + h[ACCOUNT] + h[ALLOC] + h[RESOLVED];
    ui_add(t, UI_PANEL, ST_CARD, NULL, (SDL_Rect){left.x, y, left.w, ph}, NULL);
    int x = left.x + pad, iw = left.w - 2 * pad;
    y += pad;
    money_format(f->balance_before_fen, amt, sizeof amt);
    balance_row(t, (SDL_Rect){x, y, iw, h[BEFORE]}, _("Balance before"), amt, FONT_TITLE,
                "card.done.before");
    y += h[BEFORE];
    money_format(f->balance_fen, amt, sizeof amt);
    balance_row(t, (SDL_Rect){x, y, iw, h[NOW]}, _("Balance on the card now"), amt,
                FONT_HEADLINE, "card.done.balance");
    t->v[t->n - 1].bold = 1;
    y += h[NOW];
    money_format(f->acct.account_fen, amt, sizeof amt);
    balance_row(t, (SDL_Rect){x, y, iw, h[ACCOUNT]}, _("Left in the account (备用金)"), amt,
                FONT_TITLE, "card.done.account");
    y += h[ACCOUNT];
    if (sub) {
        money_format(f->acct.allocation_fen, amt, sizeof amt);
        balance_row(t, (SDL_Rect){x, y, iw, h[ALLOC]}, _("Allocation still to load"), amt,
                    FONT_TITLE, "card.done.allocation");
        y += h[ALLOC];
    }
    if (resolved) {
        money_format(f->resolved_fen, amt, sizeof amt);
        snprintf(text, sizeof text, _("An earlier load of %s was completed too"), amt);
        chrome_text(t, "card.done.resolved", (SDL_Rect){x, y, iw, h[RESOLVED]}, text, FONT_BODY,
                    ALIGN_LEFT)
            ->fg = th->ok;
        y += h[RESOLVED];
    }
    y += pad + gap;
    /* the receipt, the ways on: under the balances (portrait), the right column (landscape) */
    SDL_Rect col = l->portrait ? (SDL_Rect){a.x, y, a.w, a.y + a.h - y} : right;
    int printed = f->printed && v->printer_ok;
    const char *rec = printed      ? _("Your receipt is printed. Please take it with your card.")
                      : v->printer_ok ? _("Printing your receipt...")
                                      : _("The printer cannot print now, so there is no receipt. The load is complete and on the card all the same.");
    int rec_h = th->font_px[FONT_TITLE] * 3;
    w = chrome_text(t, "card.done.receipt", (SDL_Rect){col.x, col.y, col.w, rec_h}, rec, FONT_TITLE,
                    l->portrait ? ALIGN_CENTER : ALIGN_LEFT);
    if (!v->printer_ok)
        w->style = ST_NOTICE;
    SDL_Rect next = {col.x, col.y + col.h - bh, col.w, bh};
    int invoice = !strcmp(f->acct.invoice_mode, "recharge") && f->recharge_txn[0];
    int reprint = v->printer_ok && f->printed;
    SDL_Rect row = {col.x, next.y - gap - bh, col.w, bh};
    if (invoice && reprint) { /* side by side */
        int hw = (row.w - gap) / 2;
        cd_action(t, "card.invoice", (SDL_Rect){row.x, row.y, hw, bh}, _("Get an e-invoice"),
                  NULL);
        cd_action(t, "card.print", (SDL_Rect){row.x + hw + gap, row.y, row.w - hw - gap, bh},
                  _("Print another receipt"), NULL);
    } else if (invoice) {
        cd_action(t, "card.invoice", row, _("Get an e-invoice"), _("For this recharge"));
    } else if (reprint) {
        cd_action(t, "card.print", row, _("Print another receipt"), NULL);
    }
    cd_finish(t, v, next);
}

/* ---- the history ------------------------------------------------------------------------ */

/* "2026-11-30 14:15" from the card's log. */
static void log_when(const struct card_log *g, char *out, size_t cap)
{
    snprintf(out, cap, "%04u-%02u-%02u %02u:%02u", (unsigned)(g->date / 10000),
             (unsigned)(g->date / 100 % 100), (unsigned)(g->date % 100),
             (unsigned)(g->time / 10000), (unsigned)(g->time / 100 % 100));
}

static void move_when(int64_t at_ms, char *out, size_t cap)
{
    time_t s = (time_t)(at_ms / 1000);
    struct tm tm;
    if (!localtime_r(&s, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M", &tm))
        snprintf(out, cap, "-");
}

static const char *move_kind(const char *kind, int *in)
{
    *in = 1;
    if (!strcmp(kind, "recharge"))
        return _("Recharge");
    if (!strcmp(kind, "allocation_in"))
        return _("Allocation received");
    *in = 0;
    if (!strcmp(kind, "load"))
        return _("Load onto the card");
    if (!strcmp(kind, "allocation_out"))
        return _("Allocated to a sub-card");
    return kind;
}

/* "+¥300.00" or "-¥45.00". */
static void signed_money(int64_t fen, int in, char *out, size_t cap)
{
    char amt[32];
    money_format(fen, amt, sizeof amt);
    snprintf(out, cap, "%s%s", in ? "+" : "-", amt);
}

struct hist_row {
    char what[64], when[32], amount[40], where[48];
    int in;
};

/* One section: its title, then its rows in a list that scrolls when they do not fit (or
 * `empty` when there are none, or the wait). */
static void section(struct ui_tree *t, const struct theme *th, SDL_Rect r, const char *id,
                    const char *title, const struct hist_row *rows, int n, const char *empty,
                    int busy)
{
    int title_h = th->font_px[FONT_TITLE] * 3 / 2, gap = th->min_target / 8, bar = 12;
    struct ui_widget *h =
        chrome_text(t, NULL, (SDL_Rect){r.x, r.y, r.w, title_h}, title, FONT_TITLE, ALIGN_LEFT);
    h->bold = 1;
    SDL_Rect view = {r.x, r.y + title_h, r.w, r.h - title_h};
    if (busy || n == 0) {
        int eh = th->font_px[FONT_BODY] * 2;
        if (busy) {
            ui_add(t, UI_SPINNER, ST_PLAIN, "card.busy", (SDL_Rect){view.x, view.y, eh, eh}, NULL);
            chrome_text(t, NULL, (SDL_Rect){view.x + eh * 4 / 3, view.y, view.w - eh * 4 / 3, eh},
                        _("Looking up the account..."), FONT_BODY, ALIGN_LEFT);
        } else {
            chrome_text(t, NULL, (SDL_Rect){view.x, view.y, view.w, eh}, empty, FONT_BODY,
                        ALIGN_LEFT)
                ->fg = th->text_dim;
        }
        return;
    }
    int r1 = th->font_px[FONT_BODY] * 3 / 2, r2 = th->font_px[FONT_CAPTION] * 3 / 2;
    int rh = r1 + r2 + gap, content = n * rh;
    if (view.h > content)
        view.h = content;
    struct ui_widget *lw = ui_add(t, UI_LIST, ST_PLAIN, NULL, view, NULL);
    int li = t->n - 1, first = t->n;
    lw->content_h = content;
    int w = content > view.h ? view.w - bar - gap : view.w, aw = w * 35 / 100;
    char rid[UI_ID_LEN];
    for (int i = 0; i < n; i++) {
        int y = view.y + i * rh;
        char line[120];
        snprintf(line, sizeof line, "%s  %s", rows[i].what, rows[i].when);
        snprintf(rid, sizeof rid, "%s.%d", id, i);
        struct ui_widget *a =
            chrome_text(t, rid, (SDL_Rect){view.x, y, w - aw, r1}, line, FONT_BODY, ALIGN_LEFT);
        a->bold = 1;
        snprintf(rid, sizeof rid, "%s.%d.amount", id, i);
        struct ui_widget *m = chrome_text(t, rid, (SDL_Rect){view.x + w - aw, y, aw, r1 + r2},
                                          rows[i].amount, FONT_TITLE, ALIGN_RIGHT);
        m->bold = 1;
        if (rows[i].in)
            m->fg = th->ok;
        chrome_text(t, NULL, (SDL_Rect){view.x, y + r1, w - aw, r2}, rows[i].where, FONT_CAPTION,
                    ALIGN_LEFT)
            ->fg = th->text_dim;
        if (i + 1 < n)
            ui_add(t, UI_PANEL, ST_PLAIN, NULL, (SDL_Rect){view.x, y + rh - gap / 2 - 1, w, 2},
                   NULL)
                ->bg = th->border;
    }
    cd_adopt(t, first, li);
}

void cd_screen_history(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                       const struct layout *l, SDL_Rect a)
{
    const struct cd_flow *f = v->f;
    struct hist_row rows[CARD_LOG_MAX > CD_MAX_HISTORY ? CARD_LOG_MAX : CD_MAX_HISTORY];
    char term[16];
    cd_notice(t, th, f, &a);
    SDL_Rect top, bottom;
    if (l->portrait) {
        int h = (a.h - l->gap) / 2;
        top = (SDL_Rect){a.x, a.y, a.w, h};
        bottom = (SDL_Rect){a.x, a.y + h + l->gap, a.w, a.h - h - l->gap};
    } else {
        top = chrome_column(l, a, 0);
        bottom = chrome_column(l, a, 1);
    }
    int n = f->nlog < CARD_LOG_MAX ? f->nlog : CARD_LOG_MAX;
    for (int i = 0; i < n; i++) {
        const struct card_log *g = &f->log[i];
        int load = g->type == CARD_LOAD_TYPE, buy = g->type == 0x06;
        snprintf(rows[i].what, sizeof rows[i].what, "%s",
                 load ? _("Load") : buy ? _("Purchase") : _("Other"));
        log_when(g, rows[i].when, sizeof rows[i].when);
        signed_money(g->amount_fen, load, rows[i].amount, sizeof rows[i].amount);
        card_hex(g->term_id, sizeof g->term_id, term);
        snprintf(rows[i].where, sizeof rows[i].where, _("Terminal %s"), term);
        rows[i].in = load;
    }
    section(t, th, top, "card.hist.card", _("On the card"), rows, n,
            _("No transactions on the card yet."), 0);
    n = f->nmoves < CD_MAX_HISTORY ? f->nmoves : CD_MAX_HISTORY;
    for (int i = 0; i < n; i++) {
        const struct cd_move *m = &f->moves[i];
        int in;
        snprintf(rows[i].what, sizeof rows[i].what, "%s", move_kind(m->kind, &in));
        move_when(m->at_ms, rows[i].when, sizeof rows[i].when);
        signed_money(m->amount_fen, in, rows[i].amount, sizeof rows[i].amount);
        snprintf(rows[i].where, sizeof rows[i].where, _("Terminal %s"),
                 m->terminal[0] ? m->terminal : "-");
        rows[i].in = in;
    }
    section(t, th, bottom, "card.hist.acct", _("Account (备用金)"), rows, n,
            _("No account movements yet."), f->busy && f->nmoves == 0);
}
