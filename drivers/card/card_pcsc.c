/* The PC/SC card reader driver: any reader pcscd knows (a CCID reader on USB, a contactless
 * one, the vsmartcard virtual reader in tests), through libpcsclite, which lives here and
 * nowhere else. The client library finds pcscd's socket itself (PCSCLITE_CSOCK_NAME in the
 * environment points it at a private pcscd in tests).
 *
 * open() takes a context and the first reader whose name starts with the `reader` option;
 * wait() asks SCardGetStatusChange about that reader for at most its time and connects to a
 * card put on it (exclusively, T=0 or T=1), disconnecting when it is taken off; transmit()
 * is SCardTransmit; wake() is SCardCancel. A reader that is unplugged, or a pcscd that
 * stops, makes wait() return CARD_EV_GONE; the hub opens it again, with a back-off, so a
 * reader plugged in later is found within a few seconds (there is no \\?PnP?\Notification
 * watch: the reader's own state says when it goes, and open must not wait for one to come).
 *
 * Threads: everything runs on the hub's worker but wake(), which the hub calls from a
 * thread of its own while the context is open. SCardCancel only interrupts a
 * SCardGetStatusChange that is already blocked, so wake() also leaves a flag the next wait
 * looks at, and repeats the cancel while a wait is starting. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <winscard.h>

#include "card/card.h"
#include "core/sign.h"

/* The options block: keys of the instance's section ([card.<name>]). */
struct pcsc_opts {
    char reader[MAX_READERNAME]; /* a prefix of the reader's name; "" = the first reader */
};

static const struct cfg_option pcsc_options[] = {
    CFG_STR_OPT(struct pcsc_opts, NULL, "reader", reader, "",
                "the reader to use: the first whose name starts with this (pcsc_scan lists "
                "them); empty = the first reader"),
    {0},
};

#define GET_RESPONSE_MAX 16 /* 61xx answered with GET RESPONSE at most this often */
#define WAKE_TRIES 250      /* ... and the cancel repeated for at most this many ms */

/* One open reader (the hub's priv block, zeroed before the first open). */
struct pcsc {
    SCARDCONTEXT ctx;
    char reader[MAX_READERNAME];
    DWORD state;                  /* the reader's state as last seen (its event count in the
                                   * high word), CHANGED cleared */
    int present;                  /* a card reported inserted and not yet removed */
    int swapped;                  /* it was taken off and put back between two looks: its
                                   * removal is reported, its insertion is due */
    SCARDHANDLE card;
    int connected;
    DWORD proto;
    uint8_t atr[CARD_ATR_MAX];
    size_t atr_len;
    atomic_int woken;             /* wake() was called since the last wait began */
    atomic_int waiting;           /* a wait is in SCardGetStatusChange (or about to be) */
};

/* "<words> (<call>: 0x...)" into err: what went wrong first, for the health line. */
static void say(char *err, size_t errcap, const char *call, LONG rc)
{
    const char *w;
    switch (rc) {
    case SCARD_E_NO_SERVICE:
    case SCARD_E_SERVICE_STOPPED:
    case SCARD_F_COMM_ERROR:
        w = "no PC/SC service (is pcscd running?)";
        break;
    case SCARD_E_NO_READERS_AVAILABLE:
        w = "reader not found: no card reader is connected";
        break;
    case SCARD_E_READER_UNAVAILABLE:
    case SCARD_E_UNKNOWN_READER:
        w = "reader not found: it was unplugged";
        break;
    case SCARD_E_NO_SMARTCARD:
    case SCARD_W_REMOVED_CARD:
        w = "the card was taken off the reader";
        break;
    case SCARD_W_RESET_CARD:
        w = "the card was reset by another program";
        break;
    case SCARD_W_UNRESPONSIVE_CARD:
    case SCARD_W_UNPOWERED_CARD:
        w = "the card does not answer (is it the right way round?)";
        break;
    case SCARD_E_NOT_TRANSACTED:
        w = "the card did not answer (taken off mid-command?)";
        break;
    case SCARD_E_SHARING_VIOLATION:
        w = "another program is using the card";
        break;
    case SCARD_E_PROTO_MISMATCH:
        w = "the card speaks neither T=0 nor T=1";
        break;
    case SCARD_E_INSUFFICIENT_BUFFER:
        w = "the card's answer is too long";
        break;
    default:
        w = pcsc_stringify_error(rc); /* thread-local in pcsc-lite */
        break;
    }
    snprintf(err, errcap, "%s (%s: 0x%08lX)", w, call, (unsigned long)(uint32_t)rc);
}

/* 1 when a reader state says the reader is not there (unplugged) or not usable. */
static int reader_away(DWORD st)
{
    return (st & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE | SCARD_STATE_UNAVAILABLE)) != 0;
}

static void seen(struct pcsc *p, const SCARD_READERSTATE *rs)
{
    p->state = rs->dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
    if (rs->dwEventState & SCARD_STATE_PRESENT) {
        p->atr_len = rs->cbAtr <= sizeof p->atr ? rs->cbAtr : 0;
        memcpy(p->atr, rs->rgbAtr, p->atr_len);
    }
}

static void disconnect(struct pcsc *p, DWORD how)
{
    if (p->connected)
        SCardDisconnect(p->card, how);
    p->connected = 0;
}

static LONG connect_card(struct pcsc *p)
{
    LONG rc = SCardConnect(p->ctx, p->reader, SCARD_SHARE_EXCLUSIVE,
                           SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &p->card, &p->proto);
    p->connected = rc == SCARD_S_SUCCESS;
    return rc;
}

static int pcsc_open(void *priv, const void *opts, char *err, size_t errcap)
{
    struct pcsc *p = priv;
    const struct pcsc_opts *o = opts;
    p->present = p->swapped = p->connected = 0;
    p->atr_len = 0;
    atomic_store(&p->woken, 0);
    atomic_store(&p->waiting, 0);
    LONG rc = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->ctx);
    if (rc != SCARD_S_SUCCESS) {
        say(err, errcap, "SCardEstablishContext", rc);
        return -1;
    }
    char names[4096];
    DWORD len = sizeof names;
    rc = SCardListReaders(p->ctx, NULL, names, &len);
    if (rc != SCARD_S_SUCCESS) {
        say(err, errcap, "SCardListReaders", rc);
        goto fail;
    }
    names[sizeof names - 1] = '\0';
    p->reader[0] = '\0';
    int n = 0;
    for (const char *r = names; *r && r < names + len; r += strlen(r) + 1, n++)
        if (!p->reader[0] && !strncmp(r, o->reader, strlen(o->reader)) &&
            strlen(r) < sizeof p->reader)
            memcpy(p->reader, r, strlen(r) + 1);
    if (!p->reader[0]) {
        snprintf(err, errcap, "reader not found: no reader's name starts with \"%s\" (%d seen)",
                 o->reader, n);
        goto fail;
    }
    /* where it stands now: a card already on it is reported by the first wait */
    SCARD_READERSTATE rs = {.szReader = p->reader, .dwCurrentState = SCARD_STATE_UNAWARE};
    rc = SCardGetStatusChange(p->ctx, 0, &rs, 1);
    if (rc != SCARD_S_SUCCESS && rc != SCARD_E_TIMEOUT) {
        say(err, errcap, "SCardGetStatusChange", rc);
        goto fail;
    }
    if (reader_away(rs.dwEventState)) {
        snprintf(err, errcap, "reader not found: %s is not available", p->reader);
        goto fail;
    }
    seen(p, &rs);
    return 0;
fail:
    SCardReleaseContext(p->ctx);
    return -1;
}

/* What changed between the reader's state as last seen and what was reported. */
static int settle(struct pcsc *p)
{
    int there = (p->state & SCARD_STATE_PRESENT) != 0;
    if (p->present && (!there || p->swapped)) {
        p->swapped = 0;
        p->present = 0;
        disconnect(p, SCARD_LEAVE_CARD);
        return CARD_EV_REMOVED;
    }
    if (!p->present && there) {
        LONG rc = connect_card(p);
        if (rc == SCARD_E_NO_SMARTCARD || rc == SCARD_W_REMOVED_CARD)
            return CARD_EV_NONE; /* gone already: the next look says so */
        /* a card that cannot be connected to now (it does not answer, another program has
         * it) is still a card on the reader: transmit() tries again and says why */
        p->present = 1;
        return CARD_EV_INSERTED;
    }
    return CARD_EV_NONE;
}

static int pcsc_wait(void *priv, int ms, char *err, size_t errcap)
{
    struct pcsc *p = priv;
    int ev = settle(p);
    if (ev != CARD_EV_NONE)
        return ev;
    atomic_store(&p->waiting, 1);
    if (atomic_exchange(&p->woken, 0)) {
        atomic_store(&p->waiting, 0);
        return CARD_EV_NONE;
    }
    SCARD_READERSTATE rs = {.szReader = p->reader, .dwCurrentState = p->state};
    LONG rc = SCardGetStatusChange(p->ctx, (DWORD)ms, &rs, 1);
    atomic_store(&p->woken, 0); /* whatever woke it, this wait has returned */
    atomic_store(&p->waiting, 0);
    if (rc == SCARD_E_TIMEOUT || rc == SCARD_E_CANCELLED)
        return CARD_EV_NONE;
    if (rc != SCARD_S_SUCCESS) {
        say(err, errcap, "SCardGetStatusChange", rc);
        return CARD_EV_GONE;
    }
    if (reader_away(rs.dwEventState)) {
        snprintf(err, errcap, "reader not found: %s was unplugged", p->reader);
        return CARD_EV_GONE;
    }
    /* still a card, but the reader counted comings and goings since: another card (or the
     * same one put back), which knows nothing of what was said to the first */
    if (p->present && (rs.dwEventState & SCARD_STATE_PRESENT) &&
        (rs.dwEventState >> 16) != (p->state >> 16))
        p->swapped = 1;
    seen(p, &rs);
    return settle(p);
}

static size_t pcsc_atr(void *priv, uint8_t *out, size_t cap)
{
    struct pcsc *p = priv;
    size_t n = p->atr_len < cap ? p->atr_len : cap;
    memcpy(out, p->atr, n);
    return n;
}

static void pcsc_wake(void *priv)
{
    struct pcsc *p = priv;
    atomic_store(&p->woken, 1);
    /* A cancel that comes before SCardGetStatusChange blocks is lost: repeat it until the
     * wait has returned (it clears `woken`) or none is under way. */
    for (int i = 0; i < WAKE_TRIES && atomic_load(&p->waiting) && atomic_load(&p->woken); i++) {
        SCardCancel(p->ctx);
        struct timespec d = {0, 1000000L};
        nanosleep(&d, NULL);
    }
}

/* After a failed exchange: what the connection is good for now. */
static void after_failure(struct pcsc *p, LONG rc)
{
    if (rc == SCARD_W_REMOVED_CARD || rc == SCARD_E_NO_SMARTCARD || rc == SCARD_W_RESET_CARD ||
        rc == SCARD_W_UNPOWERED_CARD || rc == SCARD_W_UNRESPONSIVE_CARD ||
        rc == SCARD_E_INVALID_HANDLE)
        disconnect(p, SCARD_LEAVE_CARD); /* the next transmit connects again */
}

static int pcsc_transmit(void *priv, const uint8_t *cmd, size_t n, uint8_t *resp, size_t cap,
                         char *err, size_t errcap)
{
    struct pcsc *p = priv;
    if (!p->present) {
        snprintf(err, errcap, "no card on the reader");
        return -1;
    }
    if (n < 4 || n > CARD_APDU_MAX) {
        snprintf(err, errcap, "a command APDU of %zu bytes", n);
        return -1;
    }
    if (!p->connected) {
        LONG rc = connect_card(p);
        if (rc != SCARD_S_SUCCESS) {
            say(err, errcap, "SCardConnect", rc);
            return -1;
        }
    }
    uint8_t c[CARD_APDU_MAX];
    memcpy(c, cmd, n);
    size_t cn = n, got = 0;
    int rounds = 0, rv = -1;
    for (;;) {
        const SCARD_IO_REQUEST *pci = p->proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0
                                                                     : SCARD_PCI_T1;
        DWORD len = (DWORD)(cap - got);
        LONG rc = SCardTransmit(p->card, pci, c, (DWORD)cn, NULL, resp + got, &len);
        if (rc != SCARD_S_SUCCESS) {
            say(err, errcap, "SCardTransmit", rc);
            after_failure(p, rc);
            break;
        }
        got += len;
        if (len < 2) { /* the card went away mid-command: its outcome is unknown */
            rv = (int)got;
            break;
        }
        uint8_t sw1 = resp[got - 2], sw2 = resp[got - 1];
        if (sw1 == 0x61 && rounds < GET_RESPONSE_MAX) {
            /* more to come: GET RESPONSE, on the same logical channel */
            got -= 2;
            uint8_t gr[5] = {(uint8_t)(cmd[0] & 0x03), 0xC0, 0x00, 0x00, sw2};
            memcpy(c, gr, sizeof gr);
            cn = sizeof gr;
            rounds++;
            if (cap - got < (size_t)(sw2 ? sw2 : 256) + 2) {
                snprintf(err, errcap, "the card's answer is longer than %zu bytes", cap);
                break;
            }
            continue;
        }
        if (sw1 == 0x6C && rounds == 0 && n == 5) {
            /* wrong Le: the same command again with the one the card asks for */
            got -= 2;
            c[4] = sw2;
            rounds++;
            continue;
        }
        rv = (int)got;
        break;
    }
    sign_wipe(c, sizeof c);
    if (rv < 0)
        sign_wipe(resp, cap);
    return rv;
}

static void pcsc_close(void *priv)
{
    struct pcsc *p = priv;
    disconnect(p, SCARD_RESET_CARD); /* nothing said to the card outlives the kiosk's hold */
    SCardReleaseContext(p->ctx);
    p->present = p->swapped = 0;
    p->atr_len = 0;
}

static const struct card_ops pcsc_ops = {
    .open = pcsc_open,
    .wait = pcsc_wait,
    .atr = pcsc_atr,
    .wake = pcsc_wake,
    .transmit = pcsc_transmit,
    .close = pcsc_close,
};

const struct dev_driver card_pcsc = {
    .name = "pcsc",
    .options = pcsc_options,
    .opts_size = sizeof(struct pcsc_opts),
    .priv_size = sizeof(struct pcsc),
    .ops = &pcsc_ops,
};
