/* Products (docs/backend-api.md): the shop's goods by barcode. */
#include <string.h>

#include "core/codes.h"
#include "json.h"
#include "sim.h"

/* GET /v1/products/{barcode}: a valid EAN-13/EAN-8 code only. */
static void get_product(sqlite3 *db, const char *code, struct sim_resp *r)
{
    if (!code_ean_valid(code)) {
        sim_error(r, 400, "INVALID_BARCODE", "not an EAN-13/EAN-8 code with a valid check digit");
        return;
    }
    sqlite3_stmt *st = sim_q(db, "SELECT barcode, name_zh, name_en, price_fen FROM products "
                             "WHERE barcode = ?");
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "PRODUCT_NOT_FOUND", "no product with this barcode");
        return;
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "barcode", sim_col(st, 0));
    cJSON_AddStringToObject(p, "name_zh", sim_col(st, 1));
    cJSON_AddStringToObject(p, "name_en", sim_col(st, 2));
    cJSON_AddNumberToObject(p, "price_fen", (double)sqlite3_column_int64(st, 3));
    sqlite3_finalize(st);
    sim_ok(r, p);
}

int sim_route_products(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    char code[72] = "";
    if (strcmp(rq->method, "GET") || sim_path_depth(rq->path) != 3 ||
        !sim_path_is(rq->path, 1, "products") || sim_path_segment(rq->path, 2, code, sizeof code))
        return 0;
    get_product(db, code, r);
    return 1;
}
