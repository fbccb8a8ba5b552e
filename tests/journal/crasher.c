/* journal-crasher DB: writes intents, outcomes and transactions as fast as it can, printing
 * a line after each step has returned (so is durable), until it is killed. */
#include <stdio.h>
#include <stdlib.h>

#include "journal/journal.h"

int main(int argc, char **argv)
{
    char err[256];
    if (argc != 3)
        return 2;
    struct journal *j = journal_open(argv[1], err, sizeof err);
    if (!j) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    for (long i = 0;; i++) {
        char key[64], txn[64], payload[128];
        int64_t id;
        snprintf(key, sizeof key, "%s-%ld", argv[2], i);
        snprintf(payload, sizeof payload, "{\"amount_fen\":%ld,\"code\":\"1345**********6789\"}",
                 i * 100);
        if (journal_intent_begin(j, "payment", "checkout", key, payload, i, &id) != KERR_OK)
            return 1;
        printf("BEGUN %lld\n", (long long)id);
        if (i % 3 == 2)
            continue; /* left unfinished on purpose: recovery must list it */
        if (journal_intent_finish(j, id, INTENT_DONE, "paid", "{\"status\":\"PAID\"}", i) !=
            KERR_OK)
            return 1;
        printf("FINISHED %lld\n", (long long)id);
        if (journal_next_txn_no(j, "T0001", 1790000000, txn, sizeof txn) != KERR_OK ||
            journal_txn_add(j, txn, "sale", i * 100, payload, i) != KERR_OK)
            return 1;
        printf("TXN %s\n", txn);
    }
}
