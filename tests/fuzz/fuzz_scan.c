/* The scan classifier: whatever a scanner delivers, code_classify() names it without
 * crashing, and its answer agrees with the checks each kind stands for: a text that is not
 * code_scan_ok() is never anything but "not a code", a payment code is one the ranges
 * accept, a product barcode has its check digit right, and so on. The same text always
 * gets the same answer. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/codes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char s[2 * CODE_SCAN_MAX + 2];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = '\0';
    enum code_kind k = code_classify(s);
    if (k != code_classify(s))
        abort();
    const char *name = code_kind_name(k);
    if (!name || !name[0])
        abort();
    if ((k == CODE_NOT_A_CODE) != !code_scan_ok(s))
        abort();
    switch (k) {
    case CODE_PAYMENT:
        if (code_paycode_kind(s) == PAYCODE_INVALID)
            abort();
        break;
    case CODE_PRODUCT:
        if (!code_ean_valid(s) || code_paycode_kind(s) != PAYCODE_INVALID)
            abort();
        break;
    case CODE_PHONE:
        if (!code_phone_valid(s))
            abort();
        break;
    case CODE_ID_NUMBER:
        if (!code_id_valid(s))
            abort();
        break;
    case CODE_URL:
        if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
            abort();
        break;
    case CODE_OTHER:
        if (code_paycode_kind(s) != PAYCODE_INVALID || code_ean_valid(s) ||
            code_phone_valid(s) || code_id_valid(s))
            abort();
        break;
    case CODE_NOT_A_CODE:
        break;
    }
    return 0;
}
