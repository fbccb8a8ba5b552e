/* The fuel card's journal records: a load's intent (before CREDIT FOR LOAD) and its
 * transaction record (after the TAC), which the outbox uploads as a `card_load` record
 * (docs/backend-api.md, Journal upload). The journal keeps no run of 16 digits: the card
 * number is written in groups of four ("1000 1133 0000 2001"). Pure: cJSON only. */
#ifndef CARD_RECORD_H
#define CARD_RECORD_H

#include "flow.h"

/* The intent's payload (JSON), or NULL (no memory). Free with free(). */
char *cd_record_intent(const struct cd_load_record *r);
/* The transaction record of a load (JSON), or NULL. Free with free(). */
char *cd_record_txn(const struct cd_load_record *r);
/* Reads an intent's payload back into r (the card number as its 16 digits). 0, or -1. */
int cd_record_read(const char *payload, struct cd_load_record *r);
/* Reads a load's transaction record (cd_record_txn) back into r, all of it, strictly: what
 * cd_record_read reads, and the terminal (12 hex digits), the date and time (8 and 6
 * digits, or "" for a load proved on a later insertion), the TAC (8 hex digits) and the
 * chip's balances before and after (the after the before plus the amount). 0, or -1 (an
 * intent's payload, or not a load's record): what a copy of the load's receipt is drawn
 * from. */
int cd_record_read_txn(const char *payload, struct cd_load_record *r);

#endif
