/* Sale records read back from the journal (reprints, recovery, the outbox): anything that
 * decodes must encode and decode again to the same record; nothing else may be printed. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kiosk/app/sale_json.h"

const char *const fuzz_seeds[] = {
    "{\"txn_no\":\"T0001-20261123-000001\",\"order_id\":\"T0001-20261123-000001-O\","
    "\"out_trade_no\":\"T0001-20261123-000001-P1\",\"invoice_token\":\"abcdefghijkmnpqrstuvwxyz\","
    "\"paid_unix\":1795392000,\"fuel\":{\"sale_id\":\"S1001\",\"pump\":1,\"grade\":\"92#\","
    "\"volume_ml\":45120,\"price_fen_per_l\":734,\"amount_fen\":33118},\"items\":[{\"barcode\":"
    "\"6920000010004\",\"name_zh\":\"水\",\"name_en\":\"Water\",\"qty\":2,\"unit_fen\":200}],"
    "\"discounts\":[{\"kind\":\"points\",\"label_zh\":\"积分\",\"label_en\":\"Points\","
    "\"amount_fen\":-100}],\"subtotal_fen\":33518,\"total_fen\":33418,\"points_used\":1,"
    "\"points_earned\":334,\"member\":{\"phone_masked\":\"138****8000\",\"level\":\"gold\"},"
    "\"payment\":{\"channel\":\"wechat\",\"mode\":\"micropay\",\"code_masked\":\"1345****1234\"},"
    "\"receipt\":\"paper\"}",
    "{\"txn_no\":\"T\",\"order_id\":\"O\",\"out_trade_no\":\"\",\"invoice_token\":\"\","
    "\"paid_unix\":0,\"items\":[],\"discounts\":[],\"subtotal_fen\":1,\"total_fen\":1,"
    "\"points_used\":0,\"points_earned\":0,\"payment\":{\"channel\":\"\",\"mode\":\"\","
    "\"code_masked\":\"\"}}",
    "{\"total_fen\":1e300,\"items\":{}}",
    NULL,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct sale_record a, b;
    if (sale_json_decode(text, &a) == 0) {
        char *again = sale_json_encode(&a);
        if (!again || sale_json_decode(again, &b) != 0 || memcmp(&a, &b, sizeof a) != 0)
            abort(); /* what the journal holds must read back the same */
        free(again);
    }
    free(text);
    return 0;
}
