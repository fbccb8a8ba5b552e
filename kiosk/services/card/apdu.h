/* The fuel card's commands and answers (reference.md section 5; docs/card.md has the
 * files). Pure: builds command APDUs and reads response APDUs, nothing else. Every reader
 * of a response takes the whole response APDU (data then SW1 SW2) as the reader gave it,
 * checks its length and status word and never reads past `n`.
 *
 * The card's files (our layout; a real issuer's is configured the same way):
 *  - SFI 0x15, card info, 32 bytes: issuer id (8), app type (1), app version (1), card
 *    number (8, BCD, 16 digits), start date (4, BCD YYYYMMDD), expiry date (4, BCD), kind
 *    (1: 01 personal, 02 company main card, 03 company sub-card), status (1: 00 active,
 *    01 blocked by the issuer), RFU (4);
 *  - SFI 0x16, holder, 32 bytes: the holder's name in UTF-8, zero-padded (30), RFU (2);
 *  - SFI 0x18, the transaction log: records of 23 bytes, newest first (record 1): online or
 *    offline serial (2), overdraft limit (3), amount (4, fen), type (1: 02 load, 06
 *    purchase), terminal id (6), date (4, BCD), time (3, BCD). */
#ifndef CARD_APDU_H
#define CARD_APDU_H

#include <stddef.h>
#include <stdint.h>

#define APDU_MAX 64           /* the longest command this kiosk sends */
#define CARD_NO_LEN 16
#define CARD_PIN_MIN 4
#define CARD_PIN_MAX 12
#define CARD_SFI_INFO 0x15
#define CARD_SFI_HOLDER 0x16
#define CARD_SFI_LOG 0x18
#define CARD_LOG_MAX 10       /* records the kiosk reads */
#define CARD_LOAD_TYPE 0x02   /* e-purse load */

struct apdu {
    uint8_t b[APDU_MAX];
    size_t n;
};

/* What an answer says. */
enum card_ans {
    CA_OK = 0,
    CA_GONE,         /* under 2 bytes: the card went away, the outcome is unknown */
    CA_SHORT,        /* 9000, but the data is not the length the command asks for */
    CA_WRONG_PIN,    /* 63Cx: *tries_left = x */
    CA_PIN_LOCKED,   /* 6983 (or 63C0) */
    CA_NOT_FOUND,    /* 6A82: no such application or file: not a fuel card of ours */
    CA_NO_RECORD,    /* 6A83: past the end of the log */
    CA_MAC_INVALID,  /* 9302: the card refused MAC2 */
    CA_NO_PROOF,     /* 9406: GET TRANSACTION PROOF: no such credit on the card */
    CA_NOT_INIT,     /* 6985: CREDIT FOR LOAD without INITIALIZE FOR LOAD */
    CA_BAD_SW,       /* any other status word */
    CA_BAD_DATA,     /* the data does not make sense (digits that are not BCD, a bad date) */
};

/* ---- commands ---- */

/* SELECT by name (AID, 5 to 16 bytes). */
void apdu_select(struct apdu *a, const uint8_t *aid, size_t n);
/* READ BINARY of a whole short file: 00 B0 (80|sfi) 00 len. */
void apdu_read_binary(struct apdu *a, int sfi, int len);
/* VERIFY: the PIN's digits (4 to 12) as BCD, padded with F. 0, or -1 when pin is not that
 * (nothing written). */
int apdu_verify(struct apdu *a, const char *pin);
/* GET BALANCE of the e-purse: 80 5C 00 02 04. */
void apdu_get_balance(struct apdu *a);
/* INITIALIZE FOR LOAD: 80 50 00 02 0B | key index 01, amount (4), terminal id (6) | 10. */
void apdu_init_load(struct apdu *a, uint32_t amount_fen, const uint8_t term_id[6]);
/* CREDIT FOR LOAD: 80 52 00 00 0B | date (4) time (3) MAC2 (4) | 04. */
void apdu_credit_load(struct apdu *a, const uint8_t date[4], const uint8_t time[3],
                      const uint8_t mac2[4]);
/* GET TRANSACTION PROOF of the load that took the card to online serial `serial` (the
 * serial INITIALIZE FOR LOAD gave, plus one): 80 5A 00 02 02 serial 08. */
void apdu_proof(struct apdu *a, uint16_t serial);
/* READ RECORD `rec` (1 = newest) of the log: 00 B2 rec (sfi<<3|4) 17. */
void apdu_read_record(struct apdu *a, int rec);

/* ---- answers ---- */

/* The status word of a response, or -1 under 2 bytes. */
int apdu_sw(const uint8_t *r, size_t n);
/* What a response to anything says, from its length and status word alone (tries_left set
 * for CA_WRONG_PIN; may be NULL). */
enum card_ans card_status(const uint8_t *r, size_t n, int *tries_left);

/* The card info file's kind byte; a staff card (员工卡) is the station's, not a customer's. */
enum card_kind { CARD_PERSONAL = 1, CARD_MAIN = 2, CARD_SUB = 3, CARD_STAFF = 4 };

struct card_info {
    char card_no[CARD_NO_LEN + 1];
    uint32_t start_date, expiry_date; /* YYYYMMDD */
    enum card_kind kind;
    int blocked;                      /* the issuer blocked the application */
};
/* The card info file. CA_BAD_DATA for a number that is not 16 BCD digits, a date that is
 * no date, an unknown kind. */
enum card_ans card_read_info(const uint8_t *r, size_t n, struct card_info *out);
/* The holder file: the name, cut at the first zero, replaced by "" when it is not UTF-8
 * (never CA_BAD_DATA: a card without a name still works). */
enum card_ans card_read_holder(const uint8_t *r, size_t n, char *name, size_t cap);
enum card_ans card_read_balance(const uint8_t *r, size_t n, uint32_t *fen);

struct card_init {
    uint32_t old_balance;
    uint16_t online_serial;
    uint8_t key_version, algorithm;
    uint8_t random[4], mac1[4];
};
enum card_ans card_read_init(const uint8_t *r, size_t n, struct card_init *out);
/* CREDIT FOR LOAD's TAC. */
enum card_ans card_read_tac(const uint8_t *r, size_t n, uint8_t tac[4]);
/* GET TRANSACTION PROOF: MAC2 and TAC (CA_NO_PROOF: the credit did not happen). */
enum card_ans card_read_proof(const uint8_t *r, size_t n, uint8_t mac2[4], uint8_t tac[4]);

struct card_log {
    uint16_t serial;
    uint32_t amount_fen;
    uint8_t type;                     /* 02 load, 06 purchase, ... */
    uint8_t term_id[6];
    uint32_t date, time;              /* YYYYMMDD, hhmmss */
};
/* A log record (CA_NO_RECORD past the end; a record of all zeros is CA_NO_RECORD too). */
enum card_ans card_read_log(const uint8_t *r, size_t n, struct card_log *out);

/* Hex (upper case) of n bytes into out (2n+1). */
void card_hex(const uint8_t *b, size_t n, char *out);
/* n bytes from 2n hex digits: 0, or -1. */
int card_unhex(const char *hex, uint8_t *b, size_t n);

#endif
