/* The virtual fuel card (fuel-vcard, vcard.c): the cards of the fixture, the chip's state
 * that survives a pull or a restart, and the card's answer to one command APDU. The data
 * layout is the one kiosk/services/card/apdu.h documents; the crypto is pboc.h's.
 *
 * vcard_apdu.c is the card (pure: bytes in, bytes out, nothing saved); vcard_store.c reads
 * the fixture and reads and writes the state files; vcard.c is the process (vpcd socket,
 * control FIFO, faults). */
#ifndef SIM_CARD_VCARD_H
#define SIM_CARD_VCARD_H

#include <stddef.h>
#include <stdint.h>

#define VC_CARDS_MAX 64
#define VC_NO_LEN 16
#define VC_HOLDER_MAX 30 /* bytes of UTF-8 in the holder file */
#define VC_PIN_MAX 12
#define VC_TRIES 3       /* PIN tries after a right PIN */
#define VC_LOG_MAX 10    /* records the log keeps, newest first */
#define VC_LOG_REC 23    /* bytes of a log record */
#define VC_PROOF_MAX 256 /* loads whose MAC2 and TAC GET TRANSACTION PROOF still gives */
#define VC_AID_MAX 16
#define VC_RESP_MAX 258 /* the longest answer: 256 bytes and SW1 SW2 */
#define VC_DEFAULT_AID "F046554C434152443031"
#define VC_LOAD_TYPE 0x02 /* e-purse load */
#define VC_PURCHASE_TYPE 0x06

enum vc_kind { VC_PERSONAL = 1, VC_MAIN = 2, VC_SUB = 3, VC_STAFF = 4 };

/* One card of the fixture (cards.ini), as issued; never changed by the card. */
struct vc_def {
    char card_no[VC_NO_LEN + 1];
    char holder[VC_HOLDER_MAX + 1];
    enum vc_kind kind;
    uint32_t balance; /* fen on the chip when issued */
    char pin[VC_PIN_MAX + 1];
    int tries;                /* PIN tries left when issued (1..3) */
    uint32_t start, expiry;   /* YYYYMMDD */
    int blocked;              /* status = blocked: the issuer blocked the application */
    int other_app;            /* app = other: not one of our fuel cards */
    int log;                  /* purchase records the log starts with (0..10) */
    uint8_t dlk[16], dtk[16]; /* load and TAC keys, diversified from the master keys */
};

struct vc_fixture {
    uint8_t mlk[16], mtk[16];
    int n;
    struct vc_def cards[VC_CARDS_MAX];
};

struct vc_proof {
    uint16_t serial; /* the online serial the load brought the card to */
    uint8_t mac2[4], tac[4];
};

/* What the chip keeps between insertions: DIR/<card_no>.state. */
struct vc_state {
    uint32_t balance; /* fen */
    uint16_t serial;  /* online serial: the loads done so far */
    int tries;        /* PIN tries left; 0 = locked */
    uint64_t rng;     /* the random generator of INITIALIZE FOR LOAD */
    int nlog;
    uint8_t log[VC_LOG_MAX][VC_LOG_REC]; /* newest first */
    int nproof;
    struct vc_proof proof[VC_PROOF_MAX]; /* oldest first */
};

/* A card in the reader: its state and what this insertion (power-up) remembers. A plain
 * value: copying it gives a card to try a command on and throw away. */
struct vc_card {
    const struct vc_def *def; /* not owned: the fixture's */
    uint8_t aid[VC_AID_MAX];
    size_t aid_n;
    struct vc_state st;
    int selected; /* our application is selected */
    int pin_ok;   /* VERIFY passed since the SELECT */
    int pending;  /* an INITIALIZE FOR LOAD waits for its CREDIT FOR LOAD */
    uint32_t p_amount;
    uint16_t p_serial; /* the online serial INITIALIZE FOR LOAD gave */
    uint8_t p_term[6], p_sk[8];
};

/* ---- vcard_apdu.c: the card ---- */

/* The state of a card as issued: the fixture's balance and tries, serial 0, the log filled
 * with def->log purchase records, the random generator seeded from the card number. */
void vc_state_fresh(const struct vc_def *def, struct vc_state *st);
/* A card powered up (or reset, or powered off): nothing selected, no PIN, no pending load. */
void vc_card_reset(struct vc_card *c);
/* The card's answer to the command APDU cmd[0..n) in resp (at most VC_RESP_MAX bytes; data
 * then SW1 SW2): its length. *changed is 1 when c->st changed in a way that must be saved
 * before the answer leaves (a credit, a PIN try), else 0. */
size_t vc_apdu(struct vc_card *c, const uint8_t *cmd, size_t n, uint8_t *resp, int *changed);
/* The card's files, as READ BINARY gives them (32 bytes each). */
void vc_file_info(const struct vc_def *def, uint8_t out[32]);
void vc_file_holder(const struct vc_def *def, uint8_t out[32]);

/* ---- vcard_store.c: the fixture and the state files ---- */

/* Reads cards.ini into f (owned by the caller). 0, or -1 with the reason in err. */
int vc_fixture_load(const char *path, struct vc_fixture *f, char *err, size_t cap);
/* The card numbered card_no, or NULL. */
const struct vc_def *vc_fixture_find(const struct vc_fixture *f, const char *card_no);
/* DIR/<card_no>.state into st: 0 read, 1 there is none (st untouched), -1 unreadable or not
 * a state file (logged). */
int vc_state_load(const char *dir, const struct vc_def *def, struct vc_state *st);
/* Writes st to DIR/<card_no>.state atomically: a temporary file, fsync, rename, fsync of
 * the folder. 0, or -1 (logged; the old file stays). */
int vc_state_save(const char *dir, const struct vc_def *def, const struct vc_state *st);

/* n bytes from 2n hex digits: 0, or -1. */
int vc_unhex(const char *hex, uint8_t *out, size_t n);

#endif
