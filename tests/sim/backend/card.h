/* Fuel cards (加油卡) in the backend simulator (docs/backend-api.md, "Fuel cards"): what the
 * card modules share. card_store.c keeps the cards, their loads and movements, holds the
 * card keys and confirms loads; routes_cards.c answers the kiosk; card_admin.c the tests.
 * Orders price and credit recharges, and a card_load journal record confirms a load, through
 * the hooks below. */
#ifndef SIM_BACKEND_CARD_H
#define SIM_BACKEND_CARD_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct sim_resp;

#define CARD_NO_DIGITS 16
#define CARD_ID_MAX 64                   /* load_id, allocation_id: 1..64 of [A-Za-z0-9_-] */
#define CARD_MAX_LINES 20                /* lines of one allocation */
#define CARD_HISTORY 10                  /* movements GET /history answers */
#define CARD_LOAD_TYPE 0x02              /* e-purse load, in MAC1, MAC2 and the TAC */
#define CARD_MAX_FEN INT64_C(2147483647) /* amounts and balances: 4 bytes on the chip */

/* A card as the backend keeps it. */
struct card {
    char card_no[CARD_NO_DIGITS + 1];
    char holder[96];
    char kind[12];                      /* personal, main, sub */
    char main_card[CARD_NO_DIGITS + 1]; /* a sub-card's main card, "" for others */
    char status[12];                    /* active, lost, blocked */
    char invoice_mode[12];              /* recharge, sale */
    int64_t account_fen;                /* 备用金: recharged (or allocated to) and not loaded */
    int64_t allocation_fen;             /* a sub-card's: allocated by the main card, not loaded */
    int64_t balance_cap_fen;            /* the chip's balance after a load is at most this */
    int64_t daily_recharge_cap_fen;     /* recharges of one China-time day */
    int64_t expiry;                     /* YYYYMMDD, China time: the last day the card works */
};

/* ---- cards and movements (card_store.c) ---- */

/* Finds the card `card_no`: 1 with *c filled, or 0 with 404 CARD_NOT_FOUND in r (r may be
 * NULL: nothing answered). */
int card_find(sqlite3 *db, const char *card_no, struct card *c, struct sim_resp *r);
/* Whether the card may be used at `now_ms`: 0, or -1 with 409 CARD_EXPIRED in r (past its
 * expiry day) or, when `changes` (a state-changing route), 409 CARD_BLOCKED (lost or
 * blocked). */
int card_usable(const struct card *c, int changes, int64_t now_ms, struct sim_resp *r);
/* The card number masked as the kiosk shows it (1000********2001) into out. */
void card_mask(const char *card_no, char *out, size_t cap);
/* What was recharged onto the card's account since China-time midnight of `now_ms`. */
int64_t card_recharged_today(sqlite3 *db, const char *card_no, int64_t now_ms);
/* Keeps one movement of the card's money: kind recharge, load, allocation_in or
 * allocation_out, which says the direction; amount_fen is what moved (> 0). `terminal` is
 * the kiosk's X-Terminal-Id. */
void card_move(sqlite3 *db, const char *card_no, const char *kind, int64_t amount_fen,
               const char *terminal, int64_t now_ms);

/* ---- keys and cryptography (card_store.c, over tests/sim/card/pboc.h) ---- */

/* The card's load key (DLK) and TAC key (DTK), diversified from the master keys
 * (sim_card_keys(): --card-keys, else the test keys). 0, or -1 when card_no is not 16
 * digits. */
int card_keys(const char *card_no, uint8_t dlk[16], uint8_t dtk[16]);
/* `now_ms` as China time (UTC+8) in BCD, date YYYYMMDD (4 bytes) and time hhmmss (3), and
 * as the digits "20261130" and "141503" (text_date 9 bytes, text_time 7). */
void card_bcd_time(int64_t now_ms, uint8_t date[4], uint8_t time[3], char text_date[9],
                   char text_time[7]);
/* n bytes from exactly 2n hex digits (either case): 0, or -1. */
int card_unhex(const char *hex, uint8_t *out, size_t n);
/* Hex (upper case) of n bytes into out (2n + 1). */
void card_hex(const uint8_t *b, size_t n, char *out);

/* ---- loads (card_store.c) ---- */

/* A load (圈存) as the backend keeps it: the money taken from its source waits in it until
 * the chip's TAC confirms it. */
struct card_load {
    char load_id[CARD_ID_MAX + 1];
    char card_no[CARD_NO_DIGITS + 1];
    char source[12];                /* account, allocation */
    char terminal[32];              /* the kiosk that began it (X-Terminal-Id) */
    char terminal_id[13];           /* the terminal number of the last MAC2 (12 hex digits) */
    char state[8];                  /* PENDING, LOADED */
    char mac2[9], date[9], time[7]; /* the last MAC2, its date (YYYYMMDD) and time (hhmmss) */
    int64_t amount_fen;
    int64_t balance_before_fen; /* the chip's balance the last MAC2 was computed for */
    int online_serial;          /* the chip's online serial before the load */
    int flagged;                /* a TAC that did not verify came for it: the staff look */
};

/* Finds the load `load_id`, whichever card's: 1 with *l filled, else 0. */
int card_load_find(sqlite3 *db, const char *load_id, struct card_load *l);
/* Keeps l with its new MAC2 (mac2, date, time, terminal_id, balance_before_fen). `fresh`:
 * a new load, PENDING: its amount leaves the card's source (account or allocation) with a
 * load movement by l->terminal; else the same load's MAC2 again: nothing moves. */
void card_load_keep(sqlite3 *db, const struct card_load *l, int fresh, int64_t now_ms);

/* What confirming a load found. */
enum card_confirm {
    CARD_CONFIRM_NOT_FOUND,    /* no such load of this card */
    CARD_CONFIRM_LOADED,       /* the TAC verified: LOADED now */
    CARD_CONFIRM_WAS_LOADED,   /* LOADED before: nothing changed */
    CARD_CONFIRM_TAC_MISMATCH, /* the TAC does not verify: still PENDING, now flagged */
};

/* Confirms the load `load_id` of card `card_no` with the chip's TAC (POST
 * /v1/cards/{no}/loads/{id}/confirm and a card_load journal record share it): checked with
 * the card's TAC key against what the last MAC2 was computed with. *amount_fen is the load's
 * amount unless NOT_FOUND (amount_fen may be NULL). */
enum card_confirm card_load_confirm(sqlite3 *db, const char *card_no, const char *load_id,
                                    const uint8_t tac[4], int64_t now_ms, int64_t *amount_fen);

/* ---- recharges: orders (card_store.c) ---- */

/* Whether `amount_fen` may be recharged onto `card_no` now: 0, or -1 with the refusal in r
 * (404 CARD_NOT_FOUND, 409 CARD_BLOCKED, CARD_EXPIRED, RECHARGE_LIMIT: over what is left of
 * the daily recharge cap). */
int card_recharge_check(sqlite3 *db, const char *card_no, int64_t amount_fen, int64_t now_ms,
                        struct sim_resp *r);
/* Remembers that order `order_id` recharges `amount_fen` onto `card_no`, replacing what an
 * earlier pricing of the order said; card_no NULL: the order recharges nothing (any earlier
 * recharge of it is forgotten). */
void card_recharge_keep(sqlite3 *db, const char *order_id, const char *card_no, int64_t amount_fen);
/* The order `order_id` was completed (paid) by `terminal`: its recharge, if it has one,
 * credits the card's account and today's recharges, once however often this runs. */
void card_recharge_credit(sqlite3 *db, const char *order_id, const char *terminal, int64_t now_ms);

#endif
