/* Codes customers bring (barcodes, payment codes, phones, IDs, tax IDs) and the masks. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/codes.h"
#include "core/money.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[128], out[128];
    if (size >= sizeof s)
        size = sizeof s - 1;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t fen;
    (void)code_ean_valid(s);
    (void)code_paycode_kind(s);
    (void)code_phone_valid(s);
    (void)code_id_valid(s);
    (void)code_taxid_valid(s);
    (void)money_parse(s, &fen);
    mask_phone(s, out, sizeof out);
    mask_id(s, out, sizeof out);
    mask_code(s, out, 5);
    mask_email(s, out, sizeof out);
    if (strlen(s) > 1 && strchr(s, '@') && strchr(s, '@') - s > 1 && strstr(out, s) == out)
        abort(); /* the part before '@' is never shown whole */
    mask_email(s, out, 3);
    mask_name(s, out, sizeof out);
    mask_name(s, out, 3);
    return 0;
}
