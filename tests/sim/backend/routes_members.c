/* Members and coupons (docs/backend-api.md): a member by phone or QR with the member's unused
 * coupons, and bearer coupons by the code their QR carries. */
#include <stdio.h>
#include <string.h>

#include "core/codes.h"
#include "json.h"
#include "sim.h"

/* A coupon as the kiosk sees it, from a row of (id, title_zh, title_en, off_fen,
 * min_spend_fen). */
static cJSON *coupon_json(sqlite3_stmt *st)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "coupon_id", sim_col(st, 0));
    cJSON_AddStringToObject(c, "title_zh", sim_col(st, 1));
    cJSON_AddStringToObject(c, "title_en", sim_col(st, 2));
    cJSON_AddNumberToObject(c, "off_fen", (double)sqlite3_column_int64(st, 3));
    cJSON_AddNumberToObject(c, "min_spend_fen", (double)sqlite3_column_int64(st, 4));
    return c;
}

/* GET /v1/members/by-phone/{phone} and /by-qr/{token}: names and phones leave masked. */
static void get_member(sqlite3 *db, int by_phone, const char *key, struct sim_resp *r)
{
    sqlite3_stmt *st =
        sim_q(db, by_phone ? "SELECT id, name, level, points, phone FROM members WHERE phone = ?"
                           : "SELECT id, name, level, points, phone FROM members WHERE qr = ?");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "MEMBER_NOT_FOUND", "no member found");
        return;
    }
    char name[64], phone[32];
    mask_name(sim_col(st, 1), name, sizeof name);
    mask_phone(sim_col(st, 4), phone, sizeof phone);
    cJSON *m = cJSON_CreateObject();
    char id[32];
    snprintf(id, sizeof id, "%s", sim_col(st, 0));
    cJSON_AddStringToObject(m, "member_id", id);
    cJSON_AddStringToObject(m, "name_masked", name);
    cJSON_AddStringToObject(m, "phone_masked", phone);
    cJSON_AddStringToObject(m, "level", sim_col(st, 2));
    cJSON_AddNumberToObject(m, "points", (double)sqlite3_column_int64(st, 3));
    sqlite3_finalize(st);
    /* the points rule, so the kiosk can say what the points are worth */
    cJSON_AddNumberToObject(m, "point_value_fen", (double)sim_point_value_fen);
    cJSON_AddNumberToObject(m, "points_max_share_pct", sim_points_max_share);
    cJSON *cs = cJSON_AddArrayToObject(m, "coupons");
    st = sim_q(db, "SELECT id, title_zh, title_en, off_fen, min_spend_fen FROM coupons "
               "WHERE member_id = ? AND used = 0 ORDER BY id");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddItemToArray(cs, coupon_json(st));
    sqlite3_finalize(st);
    sim_ok(r, m);
}

/* GET /v1/coupons/{qr}: a bearer coupon scanned from its QR code. */
static void get_coupon(sqlite3 *db, const char *qr, struct sim_resp *r)
{
    sqlite3_stmt *st = sim_q(db, "SELECT id, title_zh, title_en, off_fen, min_spend_fen, used "
                             "FROM coupons WHERE qr = ?");
    sqlite3_bind_text(st, 1, qr, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "COUPON_NOT_FOUND", "no coupon with this code");
        return;
    }
    if (sqlite3_column_int(st, 5)) {
        sqlite3_finalize(st);
        sim_error(r, 409, "COUPON_USED", "this coupon has been used");
        return;
    }
    cJSON *c = coupon_json(st);
    sqlite3_finalize(st);
    sim_ok(r, c);
}

int sim_route_members(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *p = rq->path;
    if (strcmp(rq->method, "GET"))
        return 0;
    int depth = sim_path_depth(p);
    char qr[72] = "";
    if (depth == 4 && sim_path_is(p, 1, "members") &&
        (sim_path_is(p, 2, "by-phone") || sim_path_is(p, 2, "by-qr"))) {
        /* a key that is empty or too long for any member is looked up as "": not found */
        char key[40] = "";
        sim_path_segment(p, 3, key, sizeof key);
        get_member(db, sim_path_is(p, 2, "by-phone"), key, r);
    } else if (depth == 3 && sim_path_is(p, 1, "coupons") &&
               !sim_path_segment(p, 2, qr, sizeof qr)) {
        get_coupon(db, qr, r);
    } else {
        return 0;
    }
    return 1;
}
