/* What the e-invoice service reads from outside (the backend's sales, invoices, buyers and
 * answers, scanned refs, typed emails, the journal's payloads), and its flow under random
 * customer actions, answers and time. The first byte picks the reader, the rest is the text
 * (or, for the flow, the script). Whatever a reader accepts keeps its promises: counts
 * bounded, money whole fen in range, fuel lines in 升, 20-digit invoice numbers, strings
 * terminated. The flow keeps its rules: the intent is written before an issue is asked, each
 * intent is settled once, a payment code is never sent, phone and email never leave in an
 * effect, the journal gets no run of 16 digits, every wait has a deadline; there is always a
 * title (an individual unless the customer says otherwise); a title QR is asked about only
 * when it is a web address scanned on the delivery screen or the tax ID keypad, never while
 * resending; a correction or a resend names a numbered invoice and never outlives the
 * invoice's screens (the list is never a correction's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "api.h"
#include "core/codes.h"
#include "core/json.h"
#include "core/log.h"
#include "record.h"

static void check_text(const char *s, size_t cap)
{
    if (strnlen(s, cap) == cap)
        abort(); /* not terminated inside its field */
}

static void check_fen(int64_t v, int64_t lo)
{
    if (v < lo || v > JSON_MAX_FEN)
        abort();
}

static int digits_only(const char *s)
{
    return strspn(s, "0123456789") == strlen(s);
}

/* The longest run of digits in s. */
static int digit_run(const char *s)
{
    int run = 0, longest = 0;
    for (; *s; s++) {
        run = *s >= '0' && *s <= '9' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    return longest;
}

static void check_invoice(const struct inv_invoice *iv)
{
    check_text(iv->number, sizeof iv->number);
    check_text(iv->status, sizeof iv->status);
    check_text(iv->buyer_name, sizeof iv->buyer_name);
    check_text(iv->delivery, sizeof iv->delivery);
    check_text(iv->url, sizeof iv->url);
    check_text(iv->by, sizeof iv->by);
}

/* An invoice as inv_api_invoice() promises it. */
static void check_read_invoice(const struct inv_invoice *iv)
{
    check_invoice(iv);
    size_t n = strlen(iv->number);
    if (n && (n != INV_NO_LEN || !digits_only(iv->number)))
        abort();
    if (strcmp(iv->status, "ISSUED") && strcmp(iv->status, "PENDING"))
        abort();
    if (!strcmp(iv->status, "ISSUED") && (!n || !iv->url[0]))
        abort();
    if (iv->reissues_left < 0 || iv->reissues_left > 100)
        abort();
}

static void check_sale(const struct inv_sale *s)
{
    check_text(s->txn_no, sizeof s->txn_no);
    check_text(s->station, sizeof s->station);
    if (s->nlines < 1 || s->nlines > INV_MAX_LINES || s->nexcluded < 0 ||
        s->nexcluded > INV_MAX_EXCLUDED)
        abort();
    int fuel = 0;
    for (int i = 0; i < s->nlines; i++) {
        const struct inv_line *l = &s->lines[i];
        check_text(l->name, sizeof l->name);
        check_text(l->unit, sizeof l->unit);
        check_fen(l->amount_fen, -JSON_MAX_FEN);
        check_fen(l->tax_fen, -JSON_MAX_FEN);
        if (!l->name[0] || l->rate_pct < 0 || l->rate_pct > 100)
            abort();
        if (l->discount && (l->unit[0] || l->qty || l->qty_ml || l->price_fen))
            abort();
        if (l->qty_ml && strcmp(l->unit, "升"))
            abort(); /* refined oil: litres, always */
        if (!l->discount && !l->qty_ml && l->qty < 1)
            abort();
        fuel |= l->qty_ml > 0;
    }
    if (fuel != s->has_fuel)
        abort();
    for (int i = 0; i < s->nexcluded; i++) {
        check_text(s->excluded[i].reason, sizeof s->excluded[i].reason);
        check_text(s->excluded[i].label_zh, sizeof s->excluded[i].label_zh);
        check_text(s->excluded[i].label_en, sizeof s->excluded[i].label_en);
        check_fen(s->excluded[i].amount_fen, 0);
    }
    check_fen(s->amount_fen, 0);
    check_fen(s->tax_fen, 0);
    check_fen(s->total_fen, 1);
    if (s->max_merge < 1 || s->window_days < 1 || s->paid_unix < 0)
        abort();
    if (s->invoiced)
        check_read_invoice(&s->invoice);
    if (inv_sale_adds_up(s) && s->amount_fen + s->tax_fen != s->total_fen)
        abort();
}

static void check_buyer(const struct inv_buyer *b)
{
    check_text(b->name, sizeof b->name);
    check_text(b->tax_id, sizeof b->tax_id);
    check_text(b->address, sizeof b->address);
    check_text(b->phone, sizeof b->phone);
    check_text(b->bank, sizeof b->bank);
    check_text(b->account, sizeof b->account);
}

static void check_answer(enum inv_call k, int status, const struct inv_answer *a)
{
    check_text(a->code, sizeof a->code);
    check_text(a->issue_status, sizeof a->issue_status);
    check_text(a->detail, sizeof a->detail);
    check_invoice(&a->invoice);
    check_buyer(&a->buyer);
    if (a->transport != (status == 0) || a->status != status)
        abort();
    if (a->ok && (status < 200 || status > 299))
        abort(); /* an error is never used as an answer */
    if (!a->ok && status >= 200 && status <= 299 && strcmp(a->code, "UNUSABLE"))
        abort();
    if (!a->ok)
        return;
    switch (k) {
    case INV_CALL_SALE:
        check_sale(&a->sale);
        break;
    case INV_CALL_COMPANY:
    case INV_CALL_TITLE:
        if (!a->buyer.name[0] || (a->buyer.organisation && !code_taxid_valid(a->buyer.tax_id)))
            abort();
        break;
    case INV_CALL_ISSUE:
    case INV_CALL_STATUS:
        if (!strcmp(a->issue_status, "REFUSED")) {
            if (!a->code[0])
                abort(); /* refused: always why */
        } else {
            check_read_invoice(&a->invoice);
        }
        break;
    default:
        break;
    }
}

/* ---- the flow under a script ------------------------------------------------------------ */

static const char *const refs[] = {
    "T0001-20261123-000042",
    "T000120261123000043",
    "000120261123000044",
    "https://inv.example/t/AbCdEfGhIjKlMnOpQrSt",
    "S1003",
    "",
};
static const char *const scans[] = {
    "T0001-20261123-000042",
    "T0001-20261123-000043",
    "T000120261123000044",
    "T0001-20261123-000045",
    "https://inv.example/t/AbCdEfGhIjKlMnOpQrSt",
    "https://wx.example/invoice-title/T100",
    "134567890123451234",
    "284567890123451234",
    "6901234567892",
    "13800138000",
    "91110000710926094P",
    "hello",
};
static const char *const keys[] = {
    "0", "1", "3", "8", "9",    "ok", "del", "del", "A", "K",  "P",
    "I", "z", "@", ".", ".com", "qq", "Z",   "_",   " ", "12", "",
};
static const char *const txns[] = {
    "T0001-20261123-000042",
    "T0001-20261123-000043",
    "T0001-20261123-000044",
    "T0001-20261123-000045",
};
static const int64_t times[] = {
    INT64_C(1795420800),
    INT64_C(1796054340),
    INT64_C(1796054460),
    INT64_C(1796083260),
};
static const struct {
    int status;
    const char *code;
} errors[] = {
    {404, "SALE_NOT_FOUND"}, {422, "OUT_OF_WINDOW"},     {422, "RECHARGE_INVOICED"},
    {422, "OTHER_STATION"},  {422, "NOT_PAID"},          {404, "COMPANY_NOT_FOUND"},
    {400, "INVALID_TAX_ID"}, {404, "TITLE_NOT_FOUND"},   {400, "INVALID_PHONE"},
    {400, "INVALID_EMAIL"},  {409, "ALREADY_INVOICED"},  {422, "REFINED_OIL_STOCK"},
    {422, "COUNTER_ONLY"},   {422, "MERGE_NOT_ALLOWED"}, {409, "REISSUE_LIMIT"},
    {404, "NOT_FOUND"},      {409, "NOT_ISSUED"},        {400, "INVALID_ARGUMENT"},
    {429, "RATE_LIMITED"},   {500, "INTERNAL"},          {503, "UNAVAILABLE"},
    {401, "BAD_SIGNATURE"},
};
#define NUMBER "26110000000000000012"

struct script {
    const uint8_t *p;
    size_t n;
};

static uint8_t next(struct script *s)
{
    if (!s->n)
        return 0;
    s->n--;
    return *s->p++;
}

/* A sale answered with fields from the script: one of four numbers, two stations, either
 * side of a month boundary, fuel or not, invoiced or not, its sums right or not. */
static void make_sale(struct inv_sale *s, uint8_t x, uint8_t y)
{
    memset(s, 0, sizeof *s);
    snprintf(s->txn_no, sizeof s->txn_no, "%s", txns[x % 4]);
    snprintf(s->station, sizeof s->station, "ST00%d", 1 + ((x >> 2) & 1));
    s->paid_unix = times[(x >> 3) % 4];
    s->max_merge = (y & 15) ? (y & 15) : 5;
    s->window_days = 30;
    s->fuel_same_month = !((y >> 4) & 1);
    s->reissue_limit = 1;
    if ((x >> 5) & 1) {
        s->lines[s->nlines++] = (struct inv_line){.name = "*汽油*92号车用汽油",
                                                  .unit = "升",
                                                  .qty_ml = 38500,
                                                  .price_fen = 781,
                                                  .rate_pct = 13,
                                                  .amount_fen = 26610,
                                                  .tax_fen = 3459};
        s->has_fuel = 1;
    }
    s->lines[s->nlines++] = (struct inv_line){.name = "*饮料*水",
                                              .unit = "瓶",
                                              .qty = 2,
                                              .price_fen = 200,
                                              .rate_pct = 13,
                                              .amount_fen = 354,
                                              .tax_fen = 46};
    for (int i = 0; i < s->nlines; i++) {
        s->amount_fen += s->lines[i].amount_fen;
        s->tax_fen += s->lines[i].tax_fen;
    }
    s->total_fen = s->amount_fen + s->tax_fen + ((x >> 6) & 1); /* sometimes a fen off */
    if ((y >> 5) == 7) {
        s->invoiced = 1;
        s->invoice = (struct inv_invoice){.number = NUMBER,
                                          .status = "ISSUED",
                                          .by = "phone",
                                          .url = "https://inv.example/d/12",
                                          .reissues_left = (y >> 4) & 1};
    }
}

/* An answer to call k: none, an error, a 2xx that does not read, or one that does. */
static void make_answer(struct inv_answer *a, enum inv_call k, struct script *sc)
{
    uint8_t kind = next(sc), x = next(sc), y = next(sc);
    memset(a, 0, sizeof *a);
    switch (kind % 8) {
    case 0:
        a->transport = 1;
        return;
    case 1: {
        size_t e = x % (sizeof errors / sizeof errors[0]);
        a->status = errors[e].status;
        snprintf(a->code, sizeof a->code, "%s", errors[e].code);
        if (!strcmp(a->code, "ALREADY_INVOICED") && (y & 1))
            a->invoice = (struct inv_invoice){.number = NUMBER,
                                              .status = "ISSUED",
                                              .url = "https://inv.example/d/12",
                                              .reissues_left = (y >> 1) & 1};
        if (!strcmp(a->code, "REFINED_OIL_STOCK"))
            snprintf(a->detail, sizeof a->detail, "*汽油*92号车用汽油");
        return;
    }
    case 2:
        a->status = 200;
        snprintf(a->code, sizeof a->code, "UNUSABLE");
        return;
    default:
        break;
    }
    a->ok = 1;
    a->status = 200 + (x & 1);
    switch (k) {
    case INV_CALL_SALE:
        make_sale(&a->sale, x, y);
        break;
    case INV_CALL_COMPANY:
    case INV_CALL_TITLE:
        a->buyer.organisation = k == INV_CALL_COMPANY || (y & 1);
        snprintf(a->buyer.name, sizeof a->buyer.name, "%s",
                 a->buyer.organisation ? "中国石油化工股份有限公司" : "张三");
        if (a->buyer.organisation)
            snprintf(a->buyer.tax_id, sizeof a->buyer.tax_id,
                     (y & 2) ? "91110000710926094P" : "91350100MA2Y7K3B3K");
        if (y & 4)
            snprintf(a->buyer.address, sizeof a->buyer.address, "北京市朝阳区朝阳门北大街22号");
        break;
    case INV_CALL_ISSUE:
    case INV_CALL_STATUS: {
        static const char *const st[] = {"ISSUED", "PENDING", "REFUSED"};
        snprintf(a->issue_status, sizeof a->issue_status, "%s", st[y % 3]);
        snprintf(a->invoice.status, sizeof a->invoice.status, "%s", st[y % 3]);
        if (!strcmp(a->issue_status, "ISSUED")) {
            snprintf(a->invoice.number, sizeof a->invoice.number, NUMBER);
            snprintf(a->invoice.url, sizeof a->invoice.url, "https://inv.example/d/12");
        } else if (!strcmp(a->issue_status, "REFUSED")) {
            snprintf(a->code, sizeof a->code, "%s",
                     errors[x % (sizeof errors / sizeof errors[0])].code);
        }
        break;
    }
    default:
        break;
    }
}

/* 1 if s contains the phone typed (a whole mobile number) in full. */
static int holds_phone(const char *s, const struct inv_flow *f)
{
    return code_phone_valid(f->phone) && strstr(s, f->phone);
}

/* 1 if s contains the email typed (one with its '@') in full. */
static int holds_email(const char *s, const struct inv_flow *f)
{
    return strchr(f->email, '@') && strstr(s, f->email);
}

/* The flow's strings, counts and state after a step. */
static void check_flow(const struct inv_flow *f, int64_t now)
{
    if (f->state < INV_IDLE || f->state >= INV_STATE_LAST || !inv_screen_name(f))
        abort();
    if (f->nsales < 0 || f->nsales > INV_MAX_SALES)
        abort();
    if (f->busy && (f->waiting <= INV_CALL_NONE || f->waiting >= INV_CALL_LAST))
        abort();
    check_text(f->refusal_detail, sizeof f->refusal_detail);
    check_text(f->txn_digits, sizeof f->txn_digits);
    check_text(f->taxid, sizeof f->taxid);
    check_text(f->phone, sizeof f->phone);
    check_text(f->email, sizeof f->email);
    check_text(f->idem_key, sizeof f->idem_key);
    check_buyer(&f->buyer);
    check_invoice(&f->existing);
    check_invoice(&f->result);
    for (int i = 0; i < f->nsales; i++) {
        check_text(f->sales[i].txn_no, sizeof f->sales[i].txn_no);
        if (!inv_sale_adds_up(&f->sales[i]))
            abort(); /* a sale that does not add up is never on the list */
        for (int j = 0; j < i; j++)
            if (!strcmp(f->sales[i].txn_no, f->sales[j].txn_no) ||
                strcmp(f->sales[i].station, f->sales[j].station))
                abort();
    }
    if (!digits_only(f->phone) || !digits_only(f->txn_digits))
        abort();
    /* a title always, from the delivery screen on: an individual's by default */
    if (f->state >= INV_TAXID && f->state <= INV_ISSUING && !f->buyer.name[0])
        abort();
    /* the list is a new invoice's: no correction or resend carried back to it */
    if ((f->state == INV_COLLECT || f->state == INV_TXN) && (f->correcting || f->resending))
        abort();
    /* resending: the delivery screen, for a numbered invoice, then its "sent" */
    if (f->resending && ((f->state != INV_DELIVERY && f->state != INV_RESENT) ||
                         strlen(f->existing.number) != INV_NO_LEN))
        abort();
    /* waiting for the backend: once asked there is a deadline, within the wait; before (the
     * intent still on its way to the disk) the journal's answer moves it on */
    int64_t d = inv_deadline(f);
    if (f->state == INV_ISSUING && f->sent) {
        if (d > f->asked_ms + INV_WAIT_MS)
            abort();
    } else if (f->state == INV_ISSUING) {
        if (d != INT64_MAX || !f->intent_open)
            abort();
    } else if (d != INT64_MAX) {
        abort();
    }
    (void)now;
}

/* A key as the flow makes it: inv- and 40 hex, or rei- and the (numbered) invoice it
 * corrects. */
static void check_key(const struct inv_flow *f)
{
    const char *k = f->idem_key;
    if (!strncmp(k, "inv-", 4)) {
        if (strlen(k) != 44 || strspn(k + 4, "0123456789abcdef") != 40 || f->correcting)
            abort();
    } else if (strncmp(k, "rei-", 4) || !f->correcting || strcmp(k + 4, f->existing.number) ||
               strlen(f->existing.number) != INV_NO_LEN) {
        abort();
    }
}

static void drive(struct script *sc)
{
    static struct inv_flow f;
    static struct inv_answer a;
    struct effects fx;
    char *payload = NULL;
    int64_t now = 1000, payload_total = 0;
    int intents = 0;
    inv_init(&f);
    while (sc->n) {
        uint8_t op = next(sc), arg;
        struct inv_event e = {.in = INV_IN_TICK};
        int paycode = 0;
        now += 10;
        switch (op % 21) {
        case 0:
            e.in = INV_IN_START;
            break;
        case 1:
            e.in = INV_IN_TAKE;
            arg = next(sc);
            e.text = arg == 0xFF ? NULL : refs[arg % (sizeof refs / sizeof refs[0])];
            break;
        case 2:
            e.in = INV_IN_SCAN;
            arg = next(sc);
            e.text = scans[arg % (sizeof scans / sizeof scans[0])];
            e.ok = arg != 0xFF;
            paycode = code_paycode_kind(e.text) != PAYCODE_INVALID;
            break;
        case 3:
            e.in = INV_IN_KEY;
            e.text = keys[next(sc) % (sizeof keys / sizeof keys[0])];
            break;
        case 4:
            e.in = INV_IN_TYPE_TXN;
            break;
        case 5:
            e.in = INV_IN_REMOVE;
            e.index = (int)(next(sc) % 13) - 1;
            break;
        case 6:
            e.in = INV_IN_NEXT;
            break;
        case 7:
            e.in = INV_IN_BACK;
            break;
        case 8:
            e.in = INV_IN_INDIVIDUAL;
            break;
        case 9:
            e.in = INV_IN_ORGANISATION;
            break;
        case 10:
            e.in = INV_IN_EXTRAS;
            break;
        case 11:
            e.in = INV_IN_FIELD;
            e.index = next(sc) % 3;
            break;
        case 12:
            e.in = INV_IN_SHIFT;
            break;
        case 13:
            e.in = INV_IN_ISSUE;
            break;
        case 14:
            e.in = INV_IN_PRINT;
            break;
        case 15:
            e.in = INV_IN_RESEND;
            break;
        case 16:
            e.in = INV_IN_CORRECT;
            break;
        case 17:
            e.in = INV_IN_FINISH;
            break;
        case 18:
            e.in = INV_IN_ANSWER;
            arg = next(sc);
            e.call = arg % 4 == 0 && f.busy ? f.waiting : (enum inv_call)(arg % INV_CALL_LAST);
            make_answer(&a, e.call, sc);
            e.answer = &a;
            break;
        case 19:
            e.in = INV_IN_INTENT_WRITTEN;
            e.ok = next(sc) % 4 != 0;
            break;
        default:
            arg = next(sc);
            if (arg == 0 && inv_deadline(&f) != INT64_MAX && inv_deadline(&f) > now)
                now = inv_deadline(&f);
            else
                now += (int64_t)arg * 50;
            break;
        }
        int was_open = f.intent_open, was_busy = f.busy, was_resending = f.resending;
        int was_nsales = f.nsales;
        enum inv_state was = f.state;
        fx.n = 0;
        inv_step(&f, &e, now, &fx);
        if (fx.n < 0 || fx.n > EFFECTS_MAX)
            abort();
        check_flow(&f, now);
        /* the title's screens: a title QR is a web address, anything else is said to be none */
        int title_screen = was == INV_DELIVERY || was == INV_TAXID;
        if (e.in == INV_IN_SCAN && title_screen && !was_busy && e.ok && !paycode &&
            (code_classify(e.text) != CODE_URL || was_resending) &&
            (f.note != INV_NOTE_TITLE_UNKNOWN || f.state != was || f.busy))
            abort();
        /* the title chosen on the delivery screen: the company's keypad next, or the same
         * screen; neither while resending */
        if ((e.in == INV_IN_INDIVIDUAL || e.in == INV_IN_ORGANISATION) &&
            (was_resending || was != INV_DELIVERY || was_busy) && (fx.n || f.state != was))
            abort();
        if (e.in == INV_IN_INDIVIDUAL && f.state != was)
            abort();
        if (f.state == INV_TAXID && was != INV_TAXID &&
            !(e.in == INV_IN_ORGANISATION && was == INV_DELIVERY) &&
            !(e.in == INV_IN_BACK && was == INV_COMPANY))
            abort();
        /* Back from an invoice that exists or a refusal: home when handed over, or else an
         * empty list for another receipt */
        if (e.in == INV_IN_BACK && !was_busy && (was == INV_EXISTING || was == INV_REFUSED) &&
            (f.handed ? f.state != was : (f.state != INV_COLLECT || f.nsales)))
            abort();
        /* a sale invoiced already, asked about alone: its invoice, the sale on the list */
        if (e.in == INV_IN_ANSWER && e.call == INV_CALL_SALE && f.state == INV_EXISTING &&
            was != INV_EXISTING &&
            (was_nsales || f.nsales != 1 || !f.sales[0].invoiced ||
             strcmp(f.existing.number, f.sales[0].invoice.number)))
            abort();
        int settled = 0;
        for (int i = 0; i < fx.n; i++) {
            const struct effect *x = &fx.v[i];
            if (x->kind <= EFF_NONE || x->kind >= EFF_LAST)
                abort();
            check_text(x->arg, sizeof x->arg);
            /* what the customer typed never travels in an effect */
            if (holds_phone(x->arg, &f) || holds_email(x->arg, &f))
                abort();
            switch (x->kind) {
            case EFF_CALL: {
                const struct inv_request *rq = (const struct inv_request *)x->data;
                if (x->ndata != sizeof *rq || rq->call != x->i || rq->call <= INV_CALL_NONE ||
                    rq->call >= INV_CALL_LAST)
                    abort();
                check_text(rq->subject, sizeof rq->subject);
                /* a payment code is never sent; the phone or email typed never go as a
                 * subject (a scan goes as itself: a title QR is whatever was scanned) */
                int scanned = e.in == INV_IN_SCAN && !strcmp(rq->subject, e.text);
                if (paycode ||
                    (!scanned && (holds_phone(rq->subject, &f) || holds_email(rq->subject, &f))))
                    abort();
                if (rq->call == INV_CALL_ISSUE) {
                    /* asked only once its intent is durable (whatever the screen by then) */
                    if (!intents || !was_open || !f.intent_open || e.in != INV_IN_INTENT_WRITTEN)
                        abort();
                    if (strcmp(rq->subject, rq->reissue ? f.existing.number : f.idem_key))
                        abort();
                }
                /* a title QR: a web address scanned on the title's screens, not resending */
                if (rq->call == INV_CALL_TITLE && (!scanned || !title_screen || was_resending ||
                                                   code_classify(e.text) != CODE_URL))
                    abort();
                /* a resend: the numbered invoice, to the delivery typed */
                if (rq->call == INV_CALL_RESEND &&
                    (!f.resending || strlen(rq->subject) != INV_NO_LEN ||
                     strcmp(rq->subject, f.existing.number)))
                    abort();
                if (rq->reissue != (rq->call == INV_CALL_ISSUE && f.correcting))
                    abort();
                struct inv_http h;
                if (inv_api_http(&f, rq, &h) == 0) {
                    check_text(h.path, sizeof h.path);
                    check_text(h.key, sizeof h.key);
                    if (strncmp(h.path, "/v1/", 4) || strchr(h.path + 4, '?'))
                        abort();
                    if (rq->call == INV_CALL_ISSUE && strcmp(h.key, f.idem_key))
                        abort();
                    if (!strcmp(h.method, "POST") && (!h.body || !h.key[0]))
                        abort(); /* every change has its body and its key */
                } else if (rq->call == INV_CALL_ISSUE && !rq->reissue) {
                    abort(); /* the flow's own issue always builds */
                }
                inv_api_http_free(&h);
                if (h.body)
                    abort();
                break;
            }
            case EFF_INTENT: {
                if (was_open || f.state != INV_ISSUING || !f.intent_open ||
                    strcmp(x->arg, f.idem_key))
                    abort();
                if (f.nsales == 0)
                    abort(); /* a correction too invoices its sale again */
                check_key(&f);
                intents++;
                free(payload);
                payload = inv_record_intent(&f);
                if (!payload)
                    abort();
                if (holds_phone(payload, &f) || holds_email(payload, &f))
                    abort();
                if (digit_run(payload) >= 16)
                    abort(); /* the journal would refuse it */
                int64_t amount, tax;
                inv_totals(&f, &amount, &tax, &payload_total);
                break;
            }
            case EFF_TXN: {
                /* accepted: settled once, by the key it was asked with */
                if (!was_open || f.intent_open || settled++ || strcmp(x->arg, f.idem_key))
                    abort();
                if (strcmp(f.result.status, "ISSUED") && strcmp(f.result.status, "PENDING"))
                    abort();
                int64_t total = -1;
                char *r = payload ? inv_record_txn(payload, x->arg, f.result.status,
                                                   f.result.number, &total)
                                  : NULL;
                if (!r || total != payload_total)
                    abort();
                if (digit_run(r) >= 16)
                    abort();
                free(r);
                break;
            }
            case EFF_OUTCOME:
            case EFF_SETTLE:
                if (!was_open || f.intent_open || settled++)
                    abort();
                if (x->kind == EFF_SETTLE && strcmp(x->arg, f.idem_key))
                    abort();
                if (x->kind == EFF_OUTCOME && x->i != 2)
                    abort();
                break;
            default:
                break;
            }
        }
        if (was_open && !f.intent_open && !settled && e.in != INV_IN_START && e.in != INV_IN_TAKE &&
            !(e.in == INV_IN_INTENT_WRITTEN && !e.ok))
            abort(); /* an intent closed without a word to the journal */
        if (e.in == INV_IN_START && (f.phone[0] || f.email[0] || f.nsales))
            abort(); /* a new session starts from nothing */
    }
    inv_wipe(&f);
    if (f.phone[0] || f.email[0] || f.buyer.name[0] || f.taxid[0])
        abort();
    free(payload);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    log_set_quiet(1);
    if (data[0] == 'F') {
        struct script sc = {data + 1, size - 1};
        drive(&sc);
        return 0;
    }
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    static struct inv_sale s;
    static struct inv_answer a;
    struct inv_invoice iv;
    struct inv_buyer b;
    char out[64];
    cJSON *j = NULL;
    switch (data[0]) {
    case 'S':
        j = cJSON_ParseWithLength(text, size - 1);
        if (inv_api_sale(j, &s) == 0)
            check_sale(&s);
        break;
    case 'I':
        j = cJSON_ParseWithLength(text, size - 1);
        if (inv_api_invoice(j, &iv) == 0)
            check_read_invoice(&iv);
        break;
    case 'B':
        j = cJSON_ParseWithLength(text, size - 1);
        if (inv_api_buyer(j, &b) == 0) {
            check_buyer(&b);
            if (!b.name[0] || (b.organisation && !code_taxid_valid(b.tax_id)))
                abort();
        }
        break;
    case 'A': {
        /* the call, the status (0..599) and the error code's length, then the body */
        if (size < 5)
            break;
        enum inv_call k = (enum inv_call)(data[1] % INV_CALL_LAST);
        int status = ((data[2] << 8) | data[3]) % 600;
        size_t clen = data[4] % 48;
        const char *body = text + 4;
        char code[48];
        size_t avail = strlen(body);
        if (clen > avail)
            clen = avail;
        memcpy(code, body, clen);
        code[clen] = '\0';
        body += clen;
        j = cJSON_Parse(body);
        inv_api_answer(k, status, j, data[4] & 0x80 ? NULL : code, &a);
        check_answer(k, status, &a);
        break;
    }
    case 'R':
        if (inv_ref_of(text, out, sizeof out)) {
            check_text(out, sizeof out);
            size_t n = strlen(out);
            char again[64];
            if (strchr(out, '-')) { /* a transaction number, as it is written */
                if (n != 21 || out[0] != 'T' || out[5] != '-' || out[14] != '-' ||
                    !inv_ref_of(out, again, sizeof again) || strcmp(out, again))
                    abort();
            } else if (n < 16 || n > 40 ||
                       strspn(out, "0123456789abcdefghijklmnopqrstuvwxyz"
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != n) {
                abort(); /* a link's token: letters and digits only */
            }
        }
        break;
    case 'E':
        if (inv_email_valid(text)) {
            const char *at = strchr(text, '@');
            if (strlen(text) > INV_EMAIL_LEN || !at || at == text || strchr(at + 1, '@'))
                abort();
            for (const char *p = text; *p; p++)
                if (*p <= ' ' || *p > '~')
                    abort();
        }
        inv_grouped(text, 4, out, size > 1 ? (size_t)(data[1] % 64) : 0);
        break;
    case 'P': {
        int64_t total = -1;
        char *r = inv_record_txn(text, "inv-0123456789abcdef0123456789abcdef01234567", "ISSUED",
                                 NUMBER, &total);
        if (r) {
            check_fen(total, 0);
            cJSON *p = cJSON_Parse(r);
            if (!p || strcmp(json_str(p, "invoice_no"), "2611 0000 0000 0000 0012"))
                abort();
            cJSON_Delete(p);
            free(r);
        }
        break;
    }
    default:
        break;
    }
    cJSON_Delete(j);
    free(text);
    return 0;
}
