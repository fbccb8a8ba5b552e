/* The e-invoice tests' sale as the backend answers it: the example of docs/backend-api.md
 * ("E-invoices"), whose lines add up: 26610 + 354 - 681 = 26283, 3459 + 46 - 89 = 3416,
 * each line's tax the rate's share of its gross. Included by test_invoice.c and
 * test_invoice_api.c. */
#ifndef TEST_INVOICE_SALE_H
#define TEST_INVOICE_SALE_H

static const char sale_json[] =
    "{\"txn_no\":\"T0001-20261123-000042\",\"station\":\"ST001\",\"paid_unix\":1795401600,"
    "\"lines\":[{\"kind\":\"goods\",\"name\":\"*汽油*92号车用汽油\",\"unit\":\"升\","
    "\"qty_ml\":38500,\"price_fen\":781,\"rate_pct\":13,\"amount_fen\":26610,\"tax_fen\":3459},"
    "{\"kind\":\"goods\",\"name\":\"*饮料*农夫山泉 550ml\",\"unit\":\"瓶\",\"qty\":2,"
    "\"price_fen\":200,\"rate_pct\":13,\"amount_fen\":354,\"tax_fen\":46},"
    "{\"kind\":\"discount\",\"name\":\"*汽油*92号车用汽油\",\"rate_pct\":13,"
    "\"amount_fen\":-681,\"tax_fen\":-89}],"
    "\"excluded\":[{\"reason\":\"POINTS\",\"label_zh\":\"积分抵扣\",\"label_en\":\"Paid with "
    "points\",\"amount_fen\":15300}],"
    "\"amount_fen\":26283,\"tax_fen\":3416,\"total_fen\":29699,\"invoice\":null,"
    "\"rules\":{\"max_merge\":5,\"window_days\":30,\"fuel_same_month\":true,"
    "\"counter_over_fen\":1000000,\"reissue_limit\":1}}";

#endif
