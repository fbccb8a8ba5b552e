/* The e-invoice flow (flow.h): a pure state machine. */
#include "flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"
#include "core/sign.h"

#define CST_OFFSET_S (8 * 3600) /* months are China Standard Time's */

void inv_init(struct inv_flow *f)
{
    memset(f, 0, sizeof *f);
    f->state = INV_IDLE;
}

void inv_wipe(struct inv_flow *f)
{
    sign_wipe(f->phone, sizeof f->phone);
    sign_wipe(f->email, sizeof f->email);
    sign_wipe(&f->buyer, sizeof f->buyer);
    sign_wipe(f->taxid, sizeof f->taxid);
    sign_wipe(f->txn_digits, sizeof f->txn_digits);
}

const char *inv_screen_name(const struct inv_flow *f)
{
    static const char *const names[INV_STATE_LAST] = {
        [INV_IDLE] = "inv_collect",       [INV_COLLECT] = "inv_collect",
        [INV_TXN] = "inv_txn",
        [INV_TAXID] = "inv_taxid",        [INV_COMPANY] = "inv_company",
        [INV_DELIVERY] = "inv_delivery",  [INV_PREVIEW] = "inv_preview",
        [INV_ISSUING] = "inv_issuing",    [INV_ISSUED] = "inv_issued",
        [INV_SUBMITTED] = "inv_submitted", [INV_EXISTING] = "inv_existing",
        [INV_RESENT] = "inv_resent",      [INV_REFUSED] = "inv_refused",
    };
    return names[f->state];
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[n] == '\0';
}

int inv_ref_of(const char *text, char *out, size_t cap)
{
    size_t n = strlen(text);
    if (n == 21 && text[0] == 'T' && text[5] == '-' && text[14] == '-') {
        char d[19];
        memcpy(d, text + 1, 4);
        memcpy(d + 4, text + 6, 8);
        memcpy(d + 12, text + 15, 6);
        d[18] = '\0';
        if (!all_digits(d, 18))
            return 0;
        snprintf(out, cap, "%s", text);
        return 1;
    }
    if (n == 19 && text[0] == 'T' && all_digits(text + 1, 18)) {
        const char *d = text + 1;
        snprintf(out, cap, "T%.4s-%.8s-%.6s", d, d + 4, d + 12);
        return 1;
    }
    if (!strncmp(text, "https://", 8) || !strncmp(text, "http://", 7)) {
        const char *t = strrchr(text, '/') + 1;
        size_t k = strlen(t);
        if (k < 16 || k > 40)
            return 0;
        for (size_t i = 0; i < k; i++)
            if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'z') ||
                  (t[i] >= 'A' && t[i] <= 'Z')))
                return 0;
        snprintf(out, cap, "%s", t);
        return 1;
    }
    return 0;
}

void inv_grouped(const char *s, int group, char *out, size_t cap)
{
    size_t n = 0;
    if (cap)
        out[0] = '\0';
    for (size_t i = 0; s[i] && n + 2 < cap; i++) {
        if (i && group > 0 && i % (size_t)group == 0)
            out[n++] = ' ';
        out[n++] = s[i];
        out[n] = '\0';
    }
}

int inv_email_valid(const char *s)
{
    const char *at = strchr(s, '@');
    size_t n = strlen(s);
    if (!at || at == s || strchr(at + 1, '@') || n > INV_EMAIL_LEN)
        return 0;
    for (const char *p = s; *p; p++)
        if (*p <= ' ' || *p > '~' || strchr("()<>,;:\\\"[]", *p))
            return 0;
    const char *dot = strrchr(at + 1, '.');
    /* a domain with a dot that is neither its first nor its last character, no ".." */
    return dot && dot > at + 1 && dot[1] && strlen(dot + 1) >= 2 && !strstr(s, "..") &&
           s[n - 1] != '.';
}

int inv_sale_adds_up(const struct inv_sale *s)
{
    int64_t amount = 0, tax = 0;
    if (s->nlines <= 0)
        return 0;
    for (int i = 0; i < s->nlines; i++) {
        const struct inv_line *l = &s->lines[i];
        /* a goods line is positive and its tax is the rate's share of it (within a fen) */
        int64_t gross = l->amount_fen + l->tax_fen;
        int64_t want = l->rate_pct > 0 ? (gross * l->rate_pct * 2 + (100 + l->rate_pct)) /
                                             (2 * (100 + l->rate_pct))
                                       : 0;
        if (gross < 0)
            want = -((-gross * l->rate_pct * 2 + (100 + l->rate_pct)) / (2 * (100 + l->rate_pct)));
        if ((!l->discount && gross <= 0) || (l->discount && gross >= 0) ||
            llabs(want - l->tax_fen) > 1)
            return 0;
        amount += l->amount_fen;
        tax += l->tax_fen;
    }
    return amount == s->amount_fen && tax == s->tax_fen && amount + tax == s->total_fen &&
           s->total_fen > 0;
}

void inv_totals(const struct inv_flow *f, int64_t *amount, int64_t *tax, int64_t *total)
{
    *amount = *tax = *total = 0;
    for (int i = 0; i < f->nsales; i++) {
        *amount += f->sales[i].amount_fen;
        *tax += f->sales[i].tax_fen;
        *total += f->sales[i].total_fen;
    }
}

int64_t inv_deadline(const struct inv_flow *f)
{
    /* a request not made yet (its intent still on its way to the disk) keeps the customer
     * here: "submitted" is said only of what was sent */
    if (f->state != INV_ISSUING || !f->sent)
        return INT64_MAX;
    int64_t d = f->asked_ms + INV_WAIT_MS;
    if (f->poll_ms && f->poll_ms < d)
        d = f->poll_ms;
    return d;
}

static void set_state(struct inv_flow *f, enum inv_state s, struct effects *out)
{
    f->state = s;
    effects_add(out, EFF_REDRAW, 0, NULL);
}

static void call(struct inv_flow *f, struct effects *out, enum inv_call k, const char *subject,
                 int busy)
{
    struct inv_request rq;
    memset(&rq, 0, sizeof rq);
    rq.call = k;
    rq.reissue = k == INV_CALL_ISSUE && f->correcting;
    snprintf(rq.subject, sizeof rq.subject, "%s", subject);
    effects_add_data(out, EFF_CALL, k, NULL, &rq, sizeof rq);
    if (busy) {
        f->busy = 1;
        f->waiting = k;
    }
}

static void note(struct inv_flow *f, enum inv_note n, struct effects *out)
{
    f->note = n;
    effects_add(out, EFF_REDRAW, 0, NULL);
}

/* The month (China Standard Time) of a moment, as year * 12 + month. */
static int month_of(int64_t unix_s)
{
    int64_t days = (unix_s + CST_OFFSET_S) / 86400;
    /* civil-from-days (proleptic Gregorian), for the year and month only */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
    return (int)(y * 12 + m);
}

/* A sale may join those on the list: the same station, fuel of the same month, room left. */
static enum inv_note may_join(const struct inv_flow *f, const struct inv_sale *s)
{
    int max = f->nsales ? f->sales[0].max_merge : s->max_merge;
    if (max <= 0 || max > INV_MAX_SALES)
        max = INV_MAX_SALES;
    for (int i = 0; i < f->nsales; i++) {
        const struct inv_sale *o = &f->sales[i];
        if (!strcmp(o->txn_no, s->txn_no))
            return INV_NOTE_DUPLICATE;
        if (strcmp(o->station, s->station))
            return INV_NOTE_OTHER_STATION;
        if (s->has_fuel && o->has_fuel && (s->fuel_same_month || o->fuel_same_month) &&
            month_of(s->paid_unix) != month_of(o->paid_unix))
            return INV_NOTE_OTHER_MONTH;
    }
    if (f->nsales >= max)
        return INV_NOTE_TOO_MANY;
    return INV_NOTE_NONE;
}

/* The idempotency key of the list: inv- and 40 hex of SHA-256 of the sorted numbers. */
static int cmp_txn(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void make_key(struct inv_flow *f)
{
    if (f->correcting) { /* one correction per invoice: its number is the key */
        snprintf(f->idem_key, sizeof f->idem_key, "rei-%s", f->existing.number);
        return;
    }
    const char *v[INV_MAX_SALES];
    char joined[INV_MAX_SALES * (INV_TXN_LEN + 5)] = "", hex[SIGN_HEX_LEN];
    for (int i = 0; i < f->nsales; i++)
        v[i] = f->sales[i].txn_no;
    qsort(v, (size_t)f->nsales, sizeof v[0], cmp_txn);
    size_t n = 0;
    for (int i = 0; i < f->nsales; i++)
        n += (size_t)snprintf(joined + n, sizeof joined - n, "%s%s", i ? "," : "", v[i]);
    sign_sha256_hex(joined, n, hex);
    snprintf(f->idem_key, sizeof f->idem_key, "inv-%.40s", hex);
}

static void lookup(struct inv_flow *f, const char *ref, struct effects *out)
{
    for (int i = 0; i < f->nsales; i++)
        if (!strcmp(f->sales[i].txn_no, ref)) {
            note(f, INV_NOTE_DUPLICATE, out);
            return;
        }
    f->note = INV_NOTE_NONE;
    call(f, out, INV_CALL_SALE, ref, 1);
    effects_add(out, EFF_REDRAW, 0, NULL);
}

static void start(struct inv_flow *f, struct effects *out)
{
    inv_wipe(f);
    inv_init(f);
    snprintf(f->buyer.name, sizeof f->buyer.name, "个人");
    set_state(f, INV_COLLECT, out);
}

static enum inv_note note_of_code(const struct inv_answer *a)
{
    static const struct {
        const char *code;
        enum inv_note n;
    } map[] = {
        {"SALE_NOT_FOUND", INV_NOTE_NOT_FOUND},   {"NOT_FOUND", INV_NOTE_NOT_FOUND},
        {"OUT_OF_WINDOW", INV_NOTE_OUT_OF_WINDOW}, {"RECHARGE_INVOICED", INV_NOTE_NOTHING_LEFT},
        {"OTHER_STATION", INV_NOTE_OTHER_STATION}, {"NOT_PAID", INV_NOTE_NOT_PAID},
        {"COMPANY_NOT_FOUND", INV_NOTE_COMPANY_UNKNOWN},
        {"INVALID_TAX_ID", INV_NOTE_TAXID_CHECK},  {"TITLE_NOT_FOUND", INV_NOTE_TITLE_UNKNOWN},
        {"INVALID_PHONE", INV_NOTE_PHONE_BAD},     {"INVALID_EMAIL", INV_NOTE_EMAIL_BAD},
    };
    if (a->transport || a->status >= 500 || a->status == 429)
        return INV_NOTE_OFFLINE;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(a->code, map[i].code))
            return map[i].n;
    return INV_NOTE_UNUSABLE;
}

static void on_sale(struct inv_flow *f, const struct inv_answer *a, struct effects *out)
{
    if (!a->ok) {
        enum inv_note n = note_of_code(a);
        /* a refusal whose code the kiosk does not know (a newer rule of the backend's) is a
         * no all the same: not "try again" */
        if (n == INV_NOTE_UNUSABLE && a->status >= 400 && a->status <= 499)
            n = INV_NOTE_REFUSED;
        note(f, n, out);
        return;
    }
    const struct inv_sale *s = &a->sale;
    if (!inv_sale_adds_up(s)) {
        note(f, INV_NOTE_BAD_SUMS, out);
        return;
    }
    if (s->invoiced) {
        if (f->nsales == 0) { /* the one sale asked about: show its invoice */
            f->sales[f->nsales++] = *s; /* a correction invoices it again */
            f->existing = s->invoice;
            f->note = INV_NOTE_NONE;
            set_state(f, INV_EXISTING, out);
        } else {
            note(f, INV_NOTE_INVOICED, out);
        }
        return;
    }
    enum inv_note why = may_join(f, s);
    if (why != INV_NOTE_NONE) {
        note(f, why, out);
        return;
    }
    f->sales[f->nsales++] = *s;
    f->note = INV_NOTE_NONE;
    if (f->handed && f->nsales == 1 && f->state == INV_COLLECT)
        set_state(f, INV_DELIVERY, out); /* the sale just paid: on to title and delivery */
    else
        effects_add(out, EFF_REDRAW, 0, NULL);
}

static void on_buyer(struct inv_flow *f, const struct inv_answer *a, enum inv_call k,
                     struct effects *out)
{
    if (!a->ok) {
        note(f, k == INV_CALL_TITLE && !a->transport && a->status < 500
                    ? INV_NOTE_TITLE_UNKNOWN
                    : note_of_code(a),
             out);
        return;
    }
    f->buyer = a->buyer;
    /* what the customer's own title QR carries goes on the invoice; the directory's
     * address and bank only when they ask for it */
    f->buyer.extras = k == INV_CALL_TITLE && (a->buyer.address[0] || a->buyer.bank[0]);
    if (k == INV_CALL_COMPANY)
        f->buyer.organisation = 1;
    if (!f->buyer.name[0])
        snprintf(f->buyer.name, sizeof f->buyer.name, "个人");
    f->note = INV_NOTE_NONE;
    set_state(f, f->buyer.organisation ? INV_COMPANY : INV_DELIVERY, out);
}

static enum inv_refusal refusal_of(const char *code)
{
    static const struct {
        const char *code;
        enum inv_refusal r;
    } map[] = {
        {"REFINED_OIL_STOCK", INV_REF_STOCK}, {"RECHARGE_INVOICED", INV_REF_RECHARGE},
        {"COUNTER_ONLY", INV_REF_COUNTER},    {"OUT_OF_WINDOW", INV_REF_WINDOW},
        {"MERGE_NOT_ALLOWED", INV_REF_MERGE}, {"REISSUE_LIMIT", INV_REF_REISSUE_LIMIT},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(code, map[i].code))
            return map[i].r;
    return INV_REF_OTHER;
}

/* The backend has the request (ISSUED or PENDING): it is recorded, the intent settled. */
static void accepted(struct inv_flow *f, const struct inv_answer *a, struct effects *out)
{
    f->result = a->invoice;
    snprintf(f->result.status, sizeof f->result.status, "%s", a->issue_status);
    if (f->intent_open) {
        f->intent_open = 0;
        effects_add(out, EFF_TXN, 0, f->idem_key);
    }
}

static void refused(struct inv_flow *f, const struct inv_answer *a, struct effects *out)
{
    if (f->intent_open) {
        f->intent_open = 0;
        effects_add(out, EFF_OUTCOME, 2 /* failed */, a->code);
    }
    if (f->state != INV_ISSUING && f->state != INV_PREVIEW)
        return; /* the customer has gone on */
    if (!strcmp(a->code, "ALREADY_INVOICED")) {
        f->existing = a->invoice;
        set_state(f, INV_EXISTING, out);
    } else if (!strcmp(a->code, "INVALID_PHONE") || !strcmp(a->code, "INVALID_EMAIL")) {
        f->note = note_of_code(a);
        set_state(f, INV_DELIVERY, out);
    } else {
        f->refusal = refusal_of(a->code);
        snprintf(f->refusal_detail, sizeof f->refusal_detail, "%s", a->detail);
        set_state(f, INV_REFUSED, out);
    }
}

static void on_issue(struct inv_flow *f, const struct inv_answer *a, enum inv_call k,
                     int64_t now, struct effects *out)
{
    f->busy = 0;
    if (a->ok && (!strcmp(a->issue_status, "ISSUED") || !strcmp(a->issue_status, "PENDING"))) {
        accepted(f, a, out);
        if (f->state != INV_ISSUING)
            return;
        if (!strcmp(a->issue_status, "ISSUED")) {
            f->offline = 0;
            set_state(f, INV_ISSUED, out);
        } else if (!f->poll_ms) {
            f->poll_ms = now + INV_POLL_MS; /* the tax system is slow: ask after it */
        }
        return;
    }
    if (a->ok && !strcmp(a->issue_status, "REFUSED")) {
        refused(f, a, out);
        return;
    }
    if (k == INV_CALL_STATUS) {
        /* not seen yet (the issue call is still on its way), or no answer: ask again */
        if (f->state == INV_ISSUING)
            f->poll_ms = now + INV_POLL_MS;
        return;
    }
    if (a->transport || a->status >= 500 || a->status == 429 ||
        (a->status >= 200 && a->status <= 299)) {
        /* no answer, or a 2xx that does not read: whether it was issued is not known; the
         * glue asks in the background until the backend says; the customer is told so and
         * may go */
        f->offline = 1;
        if (f->intent_open) {
            f->intent_open = 0;
            effects_add(out, EFF_SETTLE, 0, f->idem_key);
        }
        if (f->state == INV_ISSUING)
            set_state(f, INV_SUBMITTED, out);
        return;
    }
    refused(f, a, out);
}

static void on_answer(struct inv_flow *f, const struct inv_event *e, int64_t now,
                      struct effects *out)
{
    const struct inv_answer *a = e->answer;
    if (e->call == f->waiting)
        f->busy = 0;
    switch (e->call) {
    case INV_CALL_SALE:
        if (f->state == INV_COLLECT || f->state == INV_TXN)
            on_sale(f, a, out);
        break;
    case INV_CALL_COMPANY:
        if (f->state == INV_TAXID)
            on_buyer(f, a, e->call, out);
        break;
    case INV_CALL_TITLE:
        if ((f->state == INV_DELIVERY && !f->resending) || f->state == INV_TAXID)
            on_buyer(f, a, e->call, out);
        break;
    case INV_CALL_ISSUE:
    case INV_CALL_STATUS:
        if (f->sent) /* nothing else is an answer to this request */
            on_issue(f, a, e->call, now, out);
        break;
    case INV_CALL_RESEND:
        if (f->state != INV_DELIVERY)
            break;
        if (a->ok) {
            f->note = INV_NOTE_NONE;
            set_state(f, INV_RESENT, out);
        } else {
            note(f, note_of_code(a), out);
        }
        break;
    default:
        break;
    }
}

static void type_key(char *buf, size_t cap, const char *key)
{
    size_t n = strlen(buf);
    if (!strcmp(key, "del")) {
        if (n)
            buf[n - 1] = '\0';
        return;
    }
    if (n + strlen(key) < cap)
        memcpy(buf + n, key, strlen(key) + 1);
}

static void delivery_done(struct inv_flow *f, struct effects *out)
{
    if (f->phone[0] && !code_phone_valid(f->phone)) {
        f->field = 0;
        note(f, INV_NOTE_PHONE_BAD, out);
        return;
    }
    if (f->email[0] && !inv_email_valid(f->email)) {
        f->field = 1;
        note(f, INV_NOTE_EMAIL_BAD, out);
        return;
    }
    if (!f->phone[0] && !f->email[0]) {
        note(f, INV_NOTE_NO_DELIVERY, out);
        return;
    }
    f->note = INV_NOTE_NONE;
    if (f->resending) {
        call(f, out, INV_CALL_RESEND, f->existing.number, 1);
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    }
    set_state(f, INV_PREVIEW, out);
}

static void on_key(struct inv_flow *f, const char *key, struct effects *out)
{
    int ok = !strcmp(key, "ok");
    switch (f->state) {
    case INV_TXN:
        if (ok) {
            char ref[32];
            if (strlen(f->txn_digits) != INV_TXN_DIGITS) {
                note(f, INV_NOTE_TXN_SHORT, out);
                return;
            }
            char typed[INV_TXN_DIGITS + 2];
            snprintf(typed, sizeof typed, "T%s", f->txn_digits);
            inv_ref_of(typed, ref, sizeof ref);
            f->txn_digits[0] = '\0';
            set_state(f, INV_COLLECT, out);
            lookup(f, ref, out);
            return;
        }
        if (!strcmp(key, "del") || (strlen(key) == 1 && key[0] >= '0' && key[0] <= '9'))
            type_key(f->txn_digits, INV_TXN_DIGITS + 1, key);
        break;
    case INV_TAXID: {
        size_t n = strlen(f->taxid);
        if (ok) {
            if (n < 15) {
                note(f, INV_NOTE_TAXID_LENGTH, out);
            } else if (!code_taxid_valid(f->taxid)) {
                note(f, INV_NOTE_TAXID_CHECK, out); /* refused here: nothing is sent */
            } else {
                f->note = INV_NOTE_NONE;
                call(f, out, INV_CALL_COMPANY, f->taxid, 1);
                effects_add(out, EFF_REDRAW, 0, NULL);
            }
            return;
        }
        if (!strcmp(key, "del") || (strlen(key) == 1 && strchr("0123456789ABCDEFGHJKLMNPQRTUWXY", key[0])))
            type_key(f->taxid, INV_TAXID_LEN + 1, key);
        break;
    }
    case INV_DELIVERY:
        if (ok) {
            if (f->field == 0 && !f->email[0] && !f->phone[0])
                f->field = 1; /* nothing typed: perhaps the email */
            delivery_done(f, out);
            return;
        }
        if (f->field == 0) {
            if (!strcmp(key, "del") || (strlen(key) == 1 && key[0] >= '0' && key[0] <= '9'))
                type_key(f->phone, sizeof f->phone, key);
        } else {
            type_key(f->email, sizeof f->email, key);
        }
        break;
    default:
        return;
    }
    f->note = INV_NOTE_NONE;
    effects_add(out, EFF_REDRAW, 0, NULL);
}

static void on_scan(struct inv_flow *f, const struct inv_event *e, struct effects *out)
{
    char ref[48];
    if (f->busy)
        return; /* one question at a time; the screen shows it is asking */
    if (!e->ok) {
        note(f, INV_NOTE_NOT_RECEIPT, out);
        return;
    }
    if (code_paycode_kind(e->text) != PAYCODE_INVALID) {
        note(f, INV_NOTE_PAYMENT_CODE, out); /* never sent anywhere */
        return;
    }
    switch (f->state) {
    case INV_COLLECT:
    case INV_TXN:
        if (!inv_ref_of(e->text, ref, sizeof ref)) {
            note(f, INV_NOTE_NOT_RECEIPT, out);
            return;
        }
        if (f->state == INV_TXN)
            set_state(f, INV_COLLECT, out);
        lookup(f, ref, out);
        break;
    case INV_DELIVERY:
    case INV_TAXID:
        /* a title QR is a web address; anything else here is no title */
        if (f->resending || strlen(e->text) >= sizeof((struct inv_request *)0)->subject ||
            code_classify(e->text) != CODE_URL) {
            note(f, INV_NOTE_TITLE_UNKNOWN, out);
            return;
        }
        f->note = INV_NOTE_NONE;
        call(f, out, INV_CALL_TITLE, e->text, 1);
        effects_add(out, EFF_REDRAW, 0, NULL);
        break;
    default:
        break;
    }
}

static void issue(struct inv_flow *f, int64_t now, struct effects *out)
{
    if (f->state != INV_PREVIEW || f->nsales == 0)
        return;
    make_key(f);
    f->asked_ms = now;
    f->poll_ms = 0;
    f->offline = 0;
    f->intent_open = 1;
    f->sent = 0;
    f->result = (struct inv_invoice){0};
    effects_add(out, EFF_INTENT, 0, f->idem_key); /* durable before the call */
    set_state(f, INV_ISSUING, out);
}

static void back(struct inv_flow *f, struct effects *out)
{
    f->note = INV_NOTE_NONE;
    switch (f->state) {
    case INV_COLLECT:
        effects_add(out, EFF_HOME, 0, NULL);
        return;
    case INV_TXN:
        set_state(f, INV_COLLECT, out);
        return;
    case INV_TAXID:
        set_state(f, INV_DELIVERY, out);
        return;
    case INV_COMPANY:
        set_state(f, INV_TAXID, out);
        return;
    case INV_DELIVERY:
        if (f->resending || f->correcting) {
            f->resending = f->correcting = 0;
            set_state(f, INV_EXISTING, out);
        } else {
            set_state(f, INV_COLLECT, out);
        }
        return;
    case INV_PREVIEW:
        set_state(f, INV_DELIVERY, out);
        return;
    case INV_EXISTING:
    case INV_REFUSED:
        if (!f->handed) { /* another receipt, perhaps: a new invoice, not a correction */
            f->nsales = 0;
            f->correcting = f->resending = 0;
            set_state(f, INV_COLLECT, out);
            return;
        }
        effects_add(out, EFF_HOME, 0, NULL);
        return;
    default:
        return;
    }
}

void inv_step(struct inv_flow *f, const struct inv_event *e, int64_t now, struct effects *out)
{
    switch (e->in) {
    case INV_IN_START:
        start(f, out);
        break;
    case INV_IN_TAKE: {
        char ref[48];
        start(f, out);
        f->handed = 1;
        if (e->text && inv_ref_of(e->text, ref, sizeof ref))
            lookup(f, ref, out);
        break;
    }
    case INV_IN_SCAN:
        on_scan(f, e, out);
        break;
    case INV_IN_KEY:
        if (!f->busy && e->text)
            on_key(f, e->text, out);
        break;
    case INV_IN_TYPE_TXN:
        if (f->state == INV_COLLECT && !f->busy) {
            f->note = INV_NOTE_NONE;
            f->txn_digits[0] = '\0';
            set_state(f, INV_TXN, out);
        }
        break;
    case INV_IN_REMOVE:
        if (f->state == INV_COLLECT && e->index >= 0 && e->index < f->nsales) {
            memmove(&f->sales[e->index], &f->sales[e->index + 1],
                    (size_t)(f->nsales - e->index - 1) * sizeof f->sales[0]);
            f->nsales--;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case INV_IN_NEXT:
        if (f->busy)
            break;
        if (f->state == INV_COLLECT && f->nsales > 0) {
            int64_t amount, tax, total;
            inv_totals(f, &amount, &tax, &total);
            if (f->sales[0].counter_over_fen > 0 && total > f->sales[0].counter_over_fen) {
                note(f, INV_NOTE_OVER_LIMIT, out); /* said before anything is typed */
                break;
            }
            f->note = INV_NOTE_NONE;
            set_state(f, INV_DELIVERY, out);
        } else if (f->state == INV_COMPANY) {
            set_state(f, INV_DELIVERY, out);
        } else if (f->state == INV_DELIVERY) {
            delivery_done(f, out);
        } else if (f->state == INV_PREVIEW) {
            issue(f, now, out);
        }
        break;
    case INV_IN_BACK:
        if (!f->busy)
            back(f, out);
        break;
    case INV_IN_INDIVIDUAL:
        if (f->state == INV_DELIVERY && !f->busy && !f->resending) {
            memset(&f->buyer, 0, sizeof f->buyer);
            snprintf(f->buyer.name, sizeof f->buyer.name, "个人");
            f->note = INV_NOTE_NONE;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case INV_IN_ORGANISATION:
        if (f->state == INV_DELIVERY && !f->busy && !f->resending) {
            f->note = INV_NOTE_NONE;
            set_state(f, INV_TAXID, out);
        }
        break;
    case INV_IN_EXTRAS:
        if (f->state == INV_COMPANY) {
            f->buyer.extras = !f->buyer.extras;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case INV_IN_FIELD:
        if (f->state == INV_DELIVERY && (e->index == 0 || e->index == 1)) {
            f->field = e->index;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case INV_IN_SHIFT:
        if (f->state == INV_DELIVERY) {
            f->shift = !f->shift;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case INV_IN_ISSUE:
        if (!f->busy)
            issue(f, now, out);
        break;
    case INV_IN_INTENT_WRITTEN:
        if (!f->intent_open)
            break;
        if (e->ok && !f->sent) {
            f->sent = 1;
            call(f, out, INV_CALL_ISSUE, f->correcting ? f->existing.number : f->idem_key, 0);
            if (now > f->asked_ms + INV_WAIT_MS / 2)
                f->asked_ms = now - INV_WAIT_MS / 2; /* a slow disk: the call gets 5 s */
        } else if (e->ok) {
            break;
        } else { /* nothing durable, nothing asked */
            f->intent_open = 0;
            f->refusal = INV_REF_JOURNAL;
            f->refusal_detail[0] = '\0';
            set_state(f, INV_REFUSED, out);
        }
        break;
    case INV_IN_PRINT:
        if (f->state == INV_ISSUED && !f->printed) {
            f->printed = 1;
            effects_add(out, EFF_PRINT, 0, NULL);
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case INV_IN_RESEND:
        if (f->state == INV_EXISTING && f->existing.number[0]) {
            f->resending = 1;
            f->note = INV_NOTE_NONE;
            set_state(f, INV_DELIVERY, out);
        }
        break;
    case INV_IN_CORRECT:
        if (f->state == INV_EXISTING && f->existing.number[0] && f->existing.reissues_left > 0 &&
            f->nsales <= 1) {
            f->correcting = 1;
            memset(&f->buyer, 0, sizeof f->buyer);
            snprintf(f->buyer.name, sizeof f->buyer.name, "个人");
            set_state(f, INV_DELIVERY, out);
        }
        break;
    case INV_IN_FINISH:
        effects_add(out, EFF_HOME, 0, NULL);
        break;
    case INV_IN_ANSWER:
        if (e->answer)
            on_answer(f, e, now, out);
        break;
    case INV_IN_TICK:
        if (f->state != INV_ISSUING || !f->sent)
            break;
        if (now >= f->asked_ms + INV_WAIT_MS) {
            set_state(f, INV_SUBMITTED, out); /* the backend finishes it; nobody waits */
        } else if (f->poll_ms && now >= f->poll_ms) {
            f->poll_ms = now + INV_POLL_MS;
            call(f, out, INV_CALL_STATUS, f->idem_key, 0);
        }
        break;
    }
}
