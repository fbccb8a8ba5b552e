/* The fuel-card records of the backend simulator (docs/backend-api.md, "Fuel cards"): cards
 * and their movements, the card keys (diversified per card from master keys, pboc.h),
 * confirming a load with its TAC, and the recharge that an order makes. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "card.h"
#include "core/codes.h"
#include "core/log.h"
#include "pboc.h"
#include "sim.h"

#define CHINA_TZ_MS INT64_C(28800000) /* UTC+8 */
#define DAY_MS INT64_C(86400000)

/* The master keys: load (MLK) and TAC (MTK). */
static uint8_t master_lk[16], master_tk[16];
static int keys_ready;

/* ---- cards and movements ---- */

int card_find(sqlite3 *db, const char *card_no, struct card *c, struct sim_resp *r)
{
    memset(c, 0, sizeof *c);
    sqlite3_stmt *st = sim_q(db, "SELECT card_no, holder, kind, coalesce(main_card, ''), status,"
                                 " invoice_mode, account_fen, allocation_fen, balance_cap_fen,"
                                 " daily_recharge_cap_fen, expiry FROM cards WHERE card_no = ?");
    sqlite3_bind_text(st, 1, card_no ? card_no : "", -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (r)
            sim_error(r, 404, "CARD_NOT_FOUND", "no such fuel card");
        return 0;
    }
    snprintf(c->card_no, sizeof c->card_no, "%s", sim_col(st, 0));
    snprintf(c->holder, sizeof c->holder, "%s", sim_col(st, 1));
    snprintf(c->kind, sizeof c->kind, "%s", sim_col(st, 2));
    snprintf(c->main_card, sizeof c->main_card, "%s", sim_col(st, 3));
    snprintf(c->status, sizeof c->status, "%s", sim_col(st, 4));
    snprintf(c->invoice_mode, sizeof c->invoice_mode, "%s", sim_col(st, 5));
    c->account_fen = sqlite3_column_int64(st, 6);
    c->allocation_fen = sqlite3_column_int64(st, 7);
    c->balance_cap_fen = sqlite3_column_int64(st, 8);
    c->daily_recharge_cap_fen = sqlite3_column_int64(st, 9);
    c->expiry = sqlite3_column_int64(st, 10);
    sqlite3_finalize(st);
    return 1;
}

/* The China-time calendar day of `now_ms` as YYYYMMDD. */
static int64_t china_day(int64_t now_ms)
{
    time_t t = (time_t)((now_ms + CHINA_TZ_MS) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (int64_t)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int card_usable(const struct card *c, int changes, int64_t now_ms, struct sim_resp *r)
{
    if (china_day(now_ms) > c->expiry) {
        sim_error(r, 409, "CARD_EXPIRED", "the card has expired");
        return -1;
    }
    if (changes && strcmp(c->status, "active")) {
        sim_error(r, 409, "CARD_BLOCKED", "the card is reported lost or blocked");
        return -1;
    }
    return 0;
}

void card_mask(const char *card_no, char *out, size_t cap)
{
    mask_code(card_no, out, cap);
}

int64_t card_recharged_today(sqlite3 *db, const char *card_no, int64_t now_ms)
{
    /* China-time midnight: days are counted from the epoch in UTC+8 */
    int64_t midnight = (now_ms + CHINA_TZ_MS) / DAY_MS * DAY_MS - CHINA_TZ_MS;
    sqlite3_stmt *st = sim_q(db, "SELECT coalesce(sum(amount_fen), 0) FROM card_moves "
                                 "WHERE card_no = ? AND kind = 'recharge' AND at_ms >= ?");
    sqlite3_bind_text(st, 1, card_no, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, midnight);
    int64_t sum = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return sum;
}

void card_move(sqlite3 *db, const char *card_no, const char *kind, int64_t amount_fen,
               const char *terminal, int64_t now_ms)
{
    sqlite3_stmt *st = sim_q(db, "INSERT INTO card_moves (at_ms, card_no, kind, amount_fen, "
                                 "terminal) VALUES (?,?,?,?,?)");
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_text(st, 2, card_no, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, amount_fen);
    sqlite3_bind_text(st, 5, terminal ? terminal : "", -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

/* ---- keys and cryptography ---- */

int sim_card_keys(const char *spec)
{
    uint8_t lk[16], tk[16];
    char a[33], b[33];
    if (!spec) {
        snprintf(a, sizeof a, "%s", PBOC_TEST_MLK);
        snprintf(b, sizeof b, "%s", PBOC_TEST_MTK);
    } else {
        const char *colon = strchr(spec, ':');
        if (!colon || colon - spec != 32 || strlen(colon + 1) != 32)
            return -1;
        memcpy(a, spec, 32);
        a[32] = '\0';
        memcpy(b, colon + 1, 33);
    }
    if (pboc_key_hex(a, lk) != 0 || pboc_key_hex(b, tk) != 0)
        return -1;
    memcpy(master_lk, lk, sizeof lk);
    memcpy(master_tk, tk, sizeof tk);
    keys_ready = 1;
    return 0;
}

int card_keys(const char *card_no, uint8_t dlk[16], uint8_t dtk[16])
{
    if (!keys_ready && sim_card_keys(NULL) != 0)
        return -1;
    return pboc_diversify(master_lk, card_no, dlk) != 0 ||
                   pboc_diversify(master_tk, card_no, dtk) != 0
               ? -1
               : 0;
}

static uint8_t bcd(int v)
{
    return (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

void card_bcd_time(int64_t now_ms, uint8_t date[4], uint8_t time[3], char text_date[9],
                   char text_time[7])
{
    time_t t = (time_t)((now_ms + CHINA_TZ_MS) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    int year = tm.tm_year + 1900;
    date[0] = bcd(year / 100);
    date[1] = bcd(year % 100);
    date[2] = bcd(tm.tm_mon + 1);
    date[3] = bcd(tm.tm_mday);
    time[0] = bcd(tm.tm_hour);
    time[1] = bcd(tm.tm_min);
    time[2] = bcd(tm.tm_sec);
    card_hex(date, 4, text_date); /* BCD digits read as hex are the decimal digits */
    card_hex(time, 3, text_time);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
}

int card_unhex(const char *hex, uint8_t *out, size_t n)
{
    if (!hex || strlen(hex) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void card_hex(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* ---- loads ---- */

/* Every change of a load is logged: "card <no> load <id>: old -> new". */
static void load_logged(const char *card_no, const char *load_id, const char *from, const char *to)
{
    log_info("sim", "card %s load %s: %s -> %s", card_no, load_id, from, to);
}

int card_load_find(sqlite3 *db, const char *load_id, struct card_load *l)
{
    memset(l, 0, sizeof *l);
    sqlite3_stmt *st = sim_q(db, "SELECT load_id, card_no, source, terminal, terminal_id, state,"
                                 " mac2, date, time, amount_fen, balance_before_fen,"
                                 " online_serial, flagged FROM card_loads WHERE load_id = ?");
    sqlite3_bind_text(st, 1, load_id, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        snprintf(l->load_id, sizeof l->load_id, "%s", sim_col(st, 0));
        snprintf(l->card_no, sizeof l->card_no, "%s", sim_col(st, 1));
        snprintf(l->source, sizeof l->source, "%s", sim_col(st, 2));
        snprintf(l->terminal, sizeof l->terminal, "%s", sim_col(st, 3));
        snprintf(l->terminal_id, sizeof l->terminal_id, "%s", sim_col(st, 4));
        snprintf(l->state, sizeof l->state, "%s", sim_col(st, 5));
        snprintf(l->mac2, sizeof l->mac2, "%s", sim_col(st, 6));
        snprintf(l->date, sizeof l->date, "%s", sim_col(st, 7));
        snprintf(l->time, sizeof l->time, "%s", sim_col(st, 8));
        l->amount_fen = sqlite3_column_int64(st, 9);
        l->balance_before_fen = sqlite3_column_int64(st, 10);
        l->online_serial = sqlite3_column_int(st, 11);
        l->flagged = sqlite3_column_int(st, 12);
    }
    sqlite3_finalize(st);
    return found;
}

void card_load_keep(sqlite3 *db, const struct card_load *l, int fresh, int64_t now_ms)
{
    sqlite3_stmt *st;
    if (fresh) {
        st = sim_q(db, "INSERT INTO card_loads (load_id, card_no, amount_fen, source,"
                       " online_serial, terminal, terminal_id, balance_before_fen, state,"
                       " flagged, mac2, date, time, created_ms, loaded_ms)"
                       " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,'PENDING',0,?9,?10,?11,?12,0)");
        sqlite3_bind_text(st, 2, l->card_no, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, l->amount_fen);
        sqlite3_bind_text(st, 4, l->source, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, l->online_serial);
        sqlite3_bind_text(st, 6, l->terminal, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 12, now_ms);
    } else {
        /* the chip was not credited: the same load, a MAC2 for the chip's new INITIALIZE */
        st = sim_q(db, "UPDATE card_loads SET terminal_id = ?7, balance_before_fen = ?8,"
                       " mac2 = ?9, date = ?10, time = ?11 WHERE load_id = ?1");
    }
    sqlite3_bind_text(st, 1, l->load_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, l->terminal_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, l->balance_before_fen);
    sqlite3_bind_text(st, 9, l->mac2, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, l->date, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, l->time, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!fresh) {
        load_logged(l->card_no, l->load_id, "PENDING", "PENDING (MAC2 again)");
        return;
    }
    /* the money leaves its source once, with the load that holds it until the TAC */
    st = sim_q(db, !strcmp(l->source, "allocation")
                       ? "UPDATE cards SET allocation_fen = allocation_fen - ? WHERE card_no = ?"
                       : "UPDATE cards SET account_fen = account_fen - ? WHERE card_no = ?");
    sqlite3_bind_int64(st, 1, l->amount_fen);
    sqlite3_bind_text(st, 2, l->card_no, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
    card_move(db, l->card_no, "load", l->amount_fen, l->terminal, now_ms);
    load_logged(l->card_no, l->load_id, "(none)", "PENDING");
}

enum card_confirm card_load_confirm(sqlite3 *db, const char *card_no, const char *load_id,
                                    const uint8_t tac[4], int64_t now_ms, int64_t *amount_fen)
{
    struct card_load l;
    if (!card_load_find(db, load_id, &l) || strcmp(l.card_no, card_no))
        return CARD_CONFIRM_NOT_FOUND;
    if (amount_fen)
        *amount_fen = l.amount_fen;
    if (!strcmp(l.state, "LOADED"))
        return CARD_CONFIRM_WAS_LOADED;
    /* the TAC of the credit the last MAC2 allowed: the chip's CREDIT FOR LOAD used its date,
     * time and terminal number, and the new balance is the old one plus the amount */
    uint8_t term[6], date[4], time[3], dlk[16], dtk[16], want[4];
    int ok = card_unhex(l.terminal_id, term, sizeof term) == 0 &&
             card_unhex(l.date, date, sizeof date) == 0 &&
             card_unhex(l.time, time, sizeof time) == 0 && card_keys(card_no, dlk, dtk) == 0;
    if (ok) {
        pboc_tac(dtk, (uint32_t)(l.balance_before_fen + l.amount_fen), (uint16_t)l.online_serial,
                 (uint32_t)l.amount_fen, CARD_LOAD_TYPE, term, date, time, want);
        ok = !memcmp(want, tac, sizeof want);
    }
    sqlite3_stmt *st = sim_q(db, ok ? "UPDATE card_loads SET state = 'LOADED', loaded_ms = ?2"
                                      " WHERE load_id = ?1"
                                    : "UPDATE card_loads SET flagged = 1 WHERE load_id = ?1");
    sqlite3_bind_text(st, 1, load_id, -1, SQLITE_STATIC);
    if (ok)
        sqlite3_bind_int64(st, 2, now_ms);
    sqlite3_step(st);
    sqlite3_finalize(st);
    /* a TAC that does not verify leaves the load pending (the money stays in it) and
     * flagged for the staff: a tampered card, or a chip that was not credited */
    load_logged(card_no, load_id, "PENDING", ok ? "LOADED" : "PENDING (TAC mismatch, flagged)");
    return ok ? CARD_CONFIRM_LOADED : CARD_CONFIRM_TAC_MISMATCH;
}

/* ---- recharges ---- */

int card_recharge_check(sqlite3 *db, const char *card_no, int64_t amount_fen, int64_t now_ms,
                        struct sim_resp *r)
{
    struct card c;
    if (!card_find(db, card_no, &c, r) || card_usable(&c, 1, now_ms, r) != 0)
        return -1;
    if (card_recharged_today(db, card_no, now_ms) + amount_fen > c.daily_recharge_cap_fen) {
        sim_error(r, 409, "RECHARGE_LIMIT", "over what is left of the card's daily recharge cap");
        return -1;
    }
    return 0;
}

void card_recharge_keep(sqlite3 *db, const char *order_id, const char *card_no, int64_t amount_fen)
{
    sqlite3_stmt *st = sim_q(db, card_no ? "INSERT OR REPLACE INTO card_recharges (order_id,"
                                           " card_no, amount_fen, credited) VALUES (?,?,?,0)"
                                         : "DELETE FROM card_recharges WHERE order_id = ?");
    sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
    if (card_no) {
        sqlite3_bind_text(st, 2, card_no, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, amount_fen);
    }
    sqlite3_step(st);
    sqlite3_finalize(st);
}

void card_recharge_credit(sqlite3 *db, const char *order_id, const char *terminal, int64_t now_ms)
{
    /* the flag moves first: however often this runs, the account is credited once */
    sqlite3_stmt *st = sim_q(db, "UPDATE card_recharges SET credited = 1"
                                 " WHERE order_id = ? AND credited = 0"
                                 " RETURNING card_no, amount_fen");
    sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return;
    }
    char card_no[CARD_NO_DIGITS + 1];
    snprintf(card_no, sizeof card_no, "%s", sim_col(st, 0));
    int64_t amount = sqlite3_column_int64(st, 1);
    sqlite3_step(st); /* RETURNING: the update is done when the statement is */
    sqlite3_finalize(st);
    /* paid is paid: a card lost since pricing, or a cap reached meanwhile, still gets it */
    st = sim_q(db, "UPDATE cards SET account_fen = account_fen + ? WHERE card_no = ?");
    sqlite3_bind_int64(st, 1, amount);
    sqlite3_bind_text(st, 2, card_no, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
    card_move(db, card_no, "recharge", amount, terminal, now_ms);
    log_info("sim", "card %s: recharge of %lld fen by order %s credited", card_no,
             (long long)amount, order_id);
}
