/* The fuel card in one flow (加油卡): one insertion shows the card and its account, takes
 * the PIN, resolves any load left unfinished, then recharges and loads (圈存), loads what is
 * waiting, allocates to sub-cards (预分配) or shows the history. Pure: events in, state and
 * effects out (core/effect.h); no SDL, no curl, no SQLite, no PC/SC. The glue (io.c) turns
 * taps, card events and answers into events and runs the effects; the screens read the
 * state. docs/card.md has the journey, the APDU counts and the crash table.
 *
 *   INSERT --card--> READING (SELECT, info, holder, balance) --> LOOKUP (GET card) --> PIN
 *   PIN --VERIFY ok--> RESOLVING (each pending load: proof, or the same load again) --> MENU
 *   MENU --recharge--> AMOUNT --pay--> (checkout takes the payment) --back--> LOADING --> DONE
 *        --load waiting--> LOADING --> DONE
 *        --allocate--> SUBCARDS --confirm--> ALLOC_CONFIRM --> ALLOCATING --> ALLOCATED
 *        --history--> HISTORY
 *   any state --card pulled--> REMOVED (what happened to the money); a load whose TAC did
 *   not come back is resolved when the card is back, here or at any kiosk.
 *
 * A load: INITIALIZE FOR LOAD (MAC1) -> the backend checks MAC1 and answers MAC2 (the
 * money is now a pending load) -> the intent is journaled (card, load id, online serial,
 * amount) -> CREDIT FOR LOAD -> TAC -> the record (EFF_TXN, settles the intent) -> confirm
 * with the TAC -> GET BALANCE read back. The PIN lives in the flow only while it is typed
 * and is wiped when VERIFY is built. */
#ifndef CARD_FLOW_H
#define CARD_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "apdu.h"
#include "core/effect.h"

#define CD_MAX_PENDING 4       /* pending loads resolved at one insertion */
#define CD_MAX_SUBS 10         /* sub-cards listed for an allocation */
#define CD_MAX_HISTORY 10      /* account movements shown */
#define CD_AMOUNT_DIGITS 5     /* yuan typed on the amount keypad: up to 99999 */
#define CD_APDU_MS 5000        /* a card that does not answer by then is gone */
#define CD_CALL_MS 20000       /* a backend answer that does not come by then: offline */
#define CD_JOURNAL_MS 10000    /* a journal write that takes longer has failed */
#define CD_NPRESETS 4

enum cd_state {
    CD_IDLE,
    CD_INSERT,        /* the tile was chosen without a card: "insert your card" */
    CD_READING,       /* reading the card (SELECT, info, holder, balance) */
    CD_LOOKUP,        /* the backend's side of the card: account, limits, pending loads */
    CD_PIN,           /* the PIN keypad (shuffled) */
    CD_VERIFYING,     /* VERIFY sent */
    CD_RESOLVING,     /* a load left unfinished is being resolved */
    CD_MENU,          /* the card, its balances, what can be done */
    CD_AMOUNT,        /* recharge: how much (presets, keypad), the limits */
    CD_PAYING,        /* checkout has the customer: paying for the recharge */
    CD_REFRESH,       /* back from paying: the card and its account read again */
    CD_LOADING,       /* the load in progress */
    CD_DONE,          /* loaded: the new balance read back, the receipt */
    CD_SUBCARDS,      /* allocation: the sub-cards and the amount for each */
    CD_ALLOC_KEYPAD,  /* allocation: the keypad for one sub-card, or the total to split */
    CD_ALLOC_CONFIRM, /* allocation: the list to confirm */
    CD_ALLOCATING,
    CD_ALLOCATED,
    CD_HISTORY,       /* the card's log and the account's movements */
    CD_LOCKED,        /* the PIN is locked: where to unlock it */
    CD_REMOVED,       /* the card was taken out: what became of the money */
    CD_FAILED,        /* stopped: why (cd_error), and what to do */
    CD_STATE_LAST
};

/* The load's steps (CD_LOADING, and CD_RESOLVING when a load is tried again). */
enum cd_step {
    CS_NONE,
    CS_INIT,          /* INITIALIZE FOR LOAD sent */
    CS_MAC2,          /* POST loads: waiting for MAC2 */
    CS_INTENT,        /* the intent is being journaled */
    CS_CREDIT,        /* CREDIT FOR LOAD sent: from here the outcome is on the card */
    CS_RECORD,        /* the TAC came: the record is being journaled */
    CS_CONFIRM,       /* POST confirm */
    CS_BALANCE,       /* GET BALANCE: the new balance read back */
    CS_PROOF,         /* resolving: GET TRANSACTION PROOF sent */
};

enum cd_call {
    CD_CALL_NONE,
    CD_CALL_CARD,     /* GET /v1/cards/{no} */
    CD_CALL_LOAD,     /* POST /v1/cards/{no}/loads */
    CD_CALL_CONFIRM,  /* POST /v1/cards/{no}/loads/{id}/confirm */
    CD_CALL_SUBCARDS, /* GET /v1/cards/{no}/subcards */
    CD_CALL_ALLOCATE, /* POST /v1/cards/{no}/allocations */
    CD_CALL_HISTORY,  /* GET /v1/cards/{no}/history */
    CD_CALL_LAST
};

/* Why the flow stopped (CD_FAILED) or what a screen warns of (note). */
enum cd_error {
    CD_OK,
    CD_ERR_UNKNOWN_CARD,   /* not a fuel card of ours (SELECT refused, or the backend does
                            * not know the number) */
    CD_ERR_BAD_CARD,       /* it answered garbage, too little, or an unexpected status */
    CD_ERR_EXPIRED,        /* the card's expiry date has passed */
    CD_ERR_BLOCKED,        /* lost, blacklisted or blocked (the chip or the backend) */
    CD_ERR_TAMPERED,       /* the backend's MAC1 check failed: nothing was loaded */
    CD_ERR_MAC2,           /* the card refused MAC2: nothing was loaded */
    CD_ERR_OFFLINE,        /* the station system did not answer */
    CD_ERR_UNUSABLE,       /* it answered what the kiosk cannot use */
    CD_ERR_KIOSK,          /* this kiosk cannot record the load (journal): nothing loaded */
    CD_ERR_CAP,            /* the card would hold more than it may */
    CD_ERR_NOTHING,        /* nothing to load */
    CD_ERR_NOT_ALLOWED,    /* a refusal of the backend not named above */
    CD_ERR_LAST
};

/* Notices on a screen (the screens word them). */
enum cd_note {
    CD_NOTE_NONE,
    CD_NOTE_WRONG_PIN,     /* wrong PIN: pin_tries_left shown */
    CD_NOTE_PIN_SHORT,     /* fewer than 6 digits */
    CD_NOTE_AMOUNT_LOW,    /* under ¥1 */
    CD_NOTE_AMOUNT_HIGH,   /* over what may be recharged */
    CD_NOTE_ALLOC_EMPTY,   /* no amount on any sub-card */
    CD_NOTE_ALLOC_HIGH,    /* more than the main card's account holds */
    CD_NOTE_OFFLINE,       /* a call failed; the screen stays */
    CD_NOTE_REFUSED,       /* the backend refused the allocation */
    CD_NOTE_LIMIT,         /* the recharge is over today's limit */
};

/* What became of the money when the card went away (CD_REMOVED). */
enum cd_removed {
    CD_GONE_NOTHING,       /* nothing was under way */
    CD_GONE_IN_ACCOUNT,    /* paid (or waiting) money stays in the card's account */
    CD_GONE_PENDING,       /* a load was under way: finished when the card is back */
};

struct cd_pending {
    char load_id[40];
    int64_t amount_fen;
    int online_serial;     /* the serial INITIALIZE FOR LOAD gave */
    char source[12];       /* account, allocation */
};

struct cd_sub {
    char card_no[CARD_NO_LEN + 1];
    char no_masked[24], holder_masked[32];
    char status[12];
    int64_t allocation_fen;   /* allocated before, not loaded yet */
    int64_t amount_fen;       /* what this allocation gives it */
};

struct cd_move {
    int64_t at_ms;
    char kind[16];            /* recharge, load, allocation_in, allocation_out */
    int64_t amount_fen;
    char terminal[16];
};

/* The backend's side of the card (CD_CALL_CARD). */
struct cd_account {
    char no_masked[24], holder_masked[32];
    char kind[12], status[12], invoice_mode[12];
    int64_t account_fen, allocation_fen;
    int64_t balance_cap_fen, daily_cap_fen, recharged_today_fen;
    int npending;
    struct cd_pending pending[CD_MAX_PENDING];
};

/* What an answer brought (api.c fills the part of its call). */
struct cd_answer {
    int ok;                   /* 2xx and readable */
    int transport;            /* no answer at all */
    int status;
    char code[40];
    struct cd_account account;            /* CARD */
    char mac2[9], date[9], time[7];       /* LOAD: hex, YYYYMMDD, hhmmss */
    int nsubs;                            /* SUBCARDS */
    struct cd_sub subs[CD_MAX_SUBS];
    int64_t main_account_fen;             /* ALLOCATE: the main card's account after */
    int nmoves;                           /* HISTORY */
    struct cd_move moves[CD_MAX_HISTORY];
};

enum cd_input {
    CD_IN_START,          /* the home tile */
    CD_IN_CARD,           /* a card was put on the reader (ok 1) or taken off (ok 0) */
    CD_IN_APDU,           /* the answer to the APDU in flight: data/len (ok 0: none) */
    CD_IN_ANSWER,         /* call `call` answered: answer */
    CD_IN_JOURNAL,        /* the intent or the record is durable: ok 1, or 0 */
    CD_IN_KEY,            /* a keypad key: text = the digit, "del", "clear" or "ok" */
    CD_IN_RECHARGE,       /* menu: recharge and load */
    CD_IN_LOAD,           /* menu: load what is waiting */
    CD_IN_ALLOCATE,       /* menu: allocate to sub-cards */
    CD_IN_HISTORY,        /* menu: history */
    CD_IN_PRESET,         /* amount: preset `index` */
    CD_IN_PAY,            /* amount: pay this much */
    CD_IN_PAID,           /* checkout hands the customer back (text: the recharge's
                           * transaction number, or "" when nothing was paid) */
    CD_IN_SUB,            /* allocation: type the amount of sub-card `index` */
    CD_IN_SPLIT,          /* allocation: type a total, split evenly */
    CD_IN_NEXT,           /* the screen's primary "continue" / "confirm" */
    CD_IN_BACK,
    CD_IN_PRINT,          /* done: print the receipt again */
    CD_IN_FINISH,
    CD_IN_TICK,
};

struct cd_event {
    enum cd_input in;
    const char *text;
    int index, ok;
    const uint8_t *data;
    size_t len;
    enum cd_call call;
    const struct cd_answer *answer;
};

/* What the app configures. */
struct cd_config {
    uint8_t aid[16];
    size_t aid_len;
    uint8_t term_id[6];           /* the terminal id the card and the MACs see */
    const char *terminal;         /* "T0001": load and allocation ids */
    int64_t presets_fen[CD_NPRESETS];
    int pin_len;                  /* digits a PIN has (6) */
    uint32_t today;               /* YYYYMMDD, China time: the expiry check */
    int64_t wall_ms;              /* the time of day (unix ms): the load and allocation ids
                                   * stay unique across restarts. The glue sets both before
                                   * each step. */
};

/* The whole flow: the view model the screens read. */
struct cd_flow {
    struct cd_config cfg;
    enum cd_state state;
    enum cd_error error;
    enum cd_note note;
    enum cd_removed removed;
    enum cd_step step;
    int busy;                     /* a spinner: an APDU or a call is in flight */
    int64_t wait_until;           /* the deadline of what is in flight, or 0 */
    int seq;                      /* ids made by this flow (loads, allocations) */
    /* the card as read */
    int present;
    struct card_info info;
    char holder[64];
    uint32_t balance_fen;         /* on the chip, as last read */
    uint32_t balance_before_fen;  /* before this insertion's load */
    /* its account */
    int have_account;
    struct cd_account acct;
    /* the PIN */
    char pin[CARD_PIN_MAX + 1];
    int pin_tries_left;           /* after a wrong PIN (-1: not known) */
    uint8_t pin_order[10];        /* the keypad's digits, position by position (shuffled) */
    int verified;                 /* VERIFY passed at this insertion */
    /* the load in progress (or being resolved) */
    struct cd_pending load;
    int resolving;                /* index into acct.pending being resolved, or -1 */
    int retried;                  /* the resolution tries the same load again */
    struct card_init init;
    uint8_t mac2[4], tac[4];
    char date[9], time[7];
    int64_t loaded_fen;           /* loaded at this insertion (the done screen) */
    int64_t resolved_fen;         /* loads finished from before (the done and menu screens) */
    int printed;                  /* the receipt: 0 not yet, 1 asked */
    /* recharge */
    char amount_digits[CD_AMOUNT_DIGITS + 1];
    int64_t recharge_fen;
    char recharge_txn[32];        /* the recharge's transaction number (invoice offer) */
    /* allocation */
    int nsubs;
    struct cd_sub subs[CD_MAX_SUBS];
    int editing;                  /* the sub-card whose amount is typed, -1 = the total to
                                   * split */
    char alloc_id[40];
    /* history */
    int nlog;
    struct card_log log[CARD_LOG_MAX];
    int nmoves;
    struct cd_move moves[CD_MAX_HISTORY];
    /* the APDU in flight and what it was */
    int apdu_kind;                /* an internal tag of the command in flight */
};

/* What EFF_CALL carries (data). */
struct cd_request {
    enum cd_call call;
    char card_no[CARD_NO_LEN + 1];
    char load_id[40];
    int64_t amount_fen;
    char source[12];
    int64_t card_balance_fen;
    int online_serial, key_version, algorithm;
    char random[9], mac1[9], tac[9];
    char term_hex[13];
    char alloc_id[40];
    int nlines;
    struct { char card_no[CARD_NO_LEN + 1]; int64_t amount_fen; } lines[CD_MAX_SUBS];
};

/* What EFF_INTENT and EFF_TXN carry (data): the load, for the journal. */
struct cd_load_record {
    char card_no[CARD_NO_LEN + 1];
    char load_id[40];
    int64_t amount_fen;
    int online_serial;
    char source[12];
    int64_t balance_before_fen;   /* EFF_TXN: the chip before and after */
    int64_t balance_after_fen;
    char tac[9];
    char date[9], time[7];
    char term_hex[13];
};

/* Effects the flow makes besides the common ones:
 *  EFF_APDU: data = struct apdu (send it; the answer is CD_IN_APDU);
 *  EFF_CALL: data = struct cd_request;
 *  EFF_INTENT / EFF_TXN: data = struct cd_load_record (EFF_TXN settles the intent of the
 *    same load id, if this kiosk journaled one);
 *  EFF_HAND_OVER: arg = "checkout.recharge", data = "card_no amount_fen" (a string);
 *  EFF_PRINT: the receipt of the load (from the flow's state);
 *  EFF_HOME. */

void cd_init(struct cd_flow *f, const struct cd_config *cfg);
void cd_step(struct cd_flow *f, const struct cd_event *e, int64_t now, struct effects *out);
/* When the flow next needs CD_IN_TICK, or INT64_MAX. */
int64_t cd_deadline(const struct cd_flow *f);
/* Shuffles the PIN keypad (pin_order) from `seed`: a fresh order for each entry. */
void cd_shuffle(struct cd_flow *f, uint64_t seed);
/* The state's name, for logs ("pin", "loading"). */
const char *cd_state_name(enum cd_state s);
/* The screen of the state: "card_insert", "card_reading", "card_pin", "card_menu", ... */
const char *cd_screen_name(const struct cd_flow *f);
/* 1 while money is moving between the account and the chip (the session must not end). */
int cd_busy(const struct cd_flow *f);
/* The most that may be recharged now (daily limit left, room on the card), in fen. */
int64_t cd_recharge_max(const struct cd_flow *f);
/* What "load what is waiting" would load now (account or allocation, within the card's
 * room), in fen, and from where ("account" or "allocation"). */
int64_t cd_waiting(const struct cd_flow *f, const char **source);
/* The sum of the allocation's lines. */
int64_t cd_alloc_total(const struct cd_flow *f);
/* A card number masked and grouped for a screen or a receipt: "1000 **** **** 2001". */
void cd_mask_no(const char *card_no, char *out, size_t cap);
/* The PIN and everything read from the card are wiped (the session ended). */
void cd_wipe(struct cd_flow *f);

#endif
