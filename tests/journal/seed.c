/* journal-seed DB N: adds N finished sale transactions (and their outbox records) to a
 * journal, as a sale flow would. Used by the outbox upload test. */
#include <stdio.h>
#include <stdlib.h>

#include "journal/journal.h"

int main(int argc, char **argv)
{
    char err[256], no[64], body[128];
    if (argc != 3)
        return 2;
    struct journal *j = journal_open(argv[1], err, sizeof err);
    if (!j) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    long n = strtol(argv[2], NULL, 10);
    for (long i = 0; i < n; i++) {
        if (journal_next_txn_no(j, "T0001", 1795392000, no, sizeof no) != KERR_OK)
            return 1;
        snprintf(body, sizeof body, "{\"amount_fen\":%ld,\"pump\":3}", 1000 + i);
        if (journal_txn_add(j, no, "sale", 1000 + i, body, i) != KERR_OK)
            return 1;
        printf("%s\n", no);
    }
    journal_close(j);
    return 0;
}
