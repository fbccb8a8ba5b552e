/* What pay-for-fuel reads from outside: the backend's answers (pumps, priced bills and
 * fuel-card recharges, members, coupons, products, lock leases) and the payloads it reads
 * back from its journal at recovery. The first byte picks the reader, the rest is the text.
 * Whatever a reader accepts keeps its promises: counts bounded, money whole fen in range, a
 * priced bill that adds up, names cut between characters. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "api.h"
#include "core/json.h"
#include "core/log.h"

static void check_text(const char *s, size_t cap)
{
    if (strnlen(s, cap) == cap)
        abort(); /* not terminated inside its field */
}

static void check_fen(int64_t v, int64_t lo)
{
    if (v < lo || v > JSON_MAX_FEN)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    log_set_quiet(1);
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    cJSON *j = cJSON_ParseWithLength(text, size - 1);
    static struct co_pump pumps[CO_MAX_PUMPS];
    struct co_priced p;
    struct co_member m;
    struct co_coupon cps[CO_MAX_COUPONS];
    struct co_item it;
    struct checkout_payment_intent pi;
    char sale[24], txn[40];
    int n = 0;
    switch (data[0]) {
    case 'P':
        if (co_api_pumps(j, pumps, &n) == 0) {
            if (n > CO_MAX_PUMPS)
                abort();
            for (int i = 0; i < n; i++) {
                if (pumps[i].nsales > CO_MAX_SALES)
                    abort();
                for (int k = 0; k < pumps[i].nsales; k++) {
                    check_text(pumps[i].sales[k].id, sizeof pumps[i].sales[k].id);
                    check_fen(pumps[i].sales[k].amount_fen, 0);
                    check_fen(pumps[i].sales[k].volume_ml, 0);
                }
            }
        }
        break;
    case 'O':
        if (co_api_priced(j, &p) == 0) {
            int64_t sum = p.subtotal_fen;
            if (p.ndiscounts > CO_MAX_DISCOUNTS)
                abort();
            for (int i = 0; i < p.ndiscounts; i++) {
                if (p.discounts[i].amount_fen > 0)
                    abort(); /* a discount that adds to the bill */
                sum += p.discounts[i].amount_fen;
            }
            if (sum != p.total_fen || p.total_fen < 1)
                abort(); /* a total the lines do not explain */
            if (p.recharge_fen != 0)
                check_fen(p.recharge_fen, 1); /* a fuel card's recharge line */
            check_text(p.recharge_masked, sizeof p.recharge_masked);
        }
        break;
    case 'M':
        if (co_api_member(j, &m, cps, &n) == 0) {
            if (n > CO_MAX_COUPONS || m.points < 0 || m.point_value_fen < 1)
                abort();
            check_text(m.name_masked, sizeof m.name_masked);
            for (int i = 0; i < n; i++)
                check_fen(cps[i].off_fen, 1);
        }
        break;
    case 'C':
        if (co_api_coupon(j, &cps[0]) == 0)
            check_fen(cps[0].off_fen, 1);
        break;
    case 'R':
        if (co_api_product(j, &it) == 0) {
            check_fen(it.unit_fen, 1);
            if (!it.name_zh[0])
                abort();
        }
        break;
    case 'L': {
        int64_t lease = co_api_lease(j);
        if (lease != 0 && (lease < 1000 || lease > 86400000))
            abort();
        break;
    }
    case 'I':
        co_api_payment_intent(text, "T0001-20261123-000001-P1", &pi);
        check_text(pi.txn_no, sizeof pi.txn_no);
        check_fen(pi.amount_fen, 0);
        if (!pi.txn_no[0])
            abort(); /* there is always a number to settle by */
        break;
    case 'K':
        if (co_api_lock_intent(text, sale, sizeof sale, txn, sizeof txn) == 0 && !sale[0])
            abort();
        break;
    default:
        break;
    }
    cJSON_Delete(j);
    free(text);
    return 0;
}
