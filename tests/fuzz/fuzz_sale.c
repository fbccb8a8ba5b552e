/* Sale records read back from the journal (reprints, recovery, the outbox): anything that
 * decodes must encode and decode again to the same record; nothing else may be printed. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "record.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct sale_record a, b;
    if (record_decode(text, &a) == 0) {
        char *again = record_encode(&a);
        if (!again || record_decode(again, &b) != 0 || memcmp(&a, &b, sizeof a) != 0)
            abort(); /* what the journal holds must read back the same */
        free(again);
    }
    free(text);
    return 0;
}
