/* The e-invoice tables and their seed (docs/backend-api.md, "E-invoices"): default settings
 * and refined-oil stock, the taxpayer directory, invoice-title QRs, and past sales of this
 * station and another to invoice, each made for one rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/codes.h"
#include "invoice.h"
#include "sim.h"

const char *const sim_invoice_schema =
    "CREATE TABLE IF NOT EXISTS inv_settings (id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  tax_delay_ms INTEGER, max_merge INTEGER, window_days INTEGER, counter_over_fen INTEGER,"
    "  reissue_limit INTEGER);"
    /* refined-oil stock per grade, in ml; invoicing fuel takes from it */
    "CREATE TABLE IF NOT EXISTS inv_stock (grade TEXT PRIMARY KEY, stock_ml INTEGER);"
    "CREATE TABLE IF NOT EXISTS inv_counter (id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  next INTEGER);"
    /* invoice_no: '' while PENDING; status PENDING, ISSUED or RED (cancelled by the red-letter
     * invoice red_invoice_no); red_of: the invoice this one corrects; sales_key: its sorted
     * txn_nos; delivery: masked phone and/or email; sends: times it was sent */
    "CREATE TABLE IF NOT EXISTS inv_invoices (id INTEGER PRIMARY KEY, invoice_no TEXT,"
    "  req_key TEXT, terminal TEXT, status TEXT, by_channel TEXT, sales_key TEXT,"
    "  buyer_type TEXT, buyer_name TEXT, tax_id TEXT, address TEXT, phone TEXT, bank TEXT,"
    "  account TEXT, delivery TEXT, amount_fen INTEGER, tax_fen INTEGER, total_fen INTEGER,"
    "  created_ms INTEGER, ready_ms INTEGER, issued_ms INTEGER, red_of TEXT DEFAULT '',"
    "  red_invoice_no TEXT DEFAULT '', sends INTEGER DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS inv_sales (invoice_id INTEGER, txn_no TEXT,"
    "  PRIMARY KEY (invoice_id, txn_no));"
    /* what became of each request, by the terminal's Idempotency-Key */
    "CREATE TABLE IF NOT EXISTS inv_requests (id INTEGER PRIMARY KEY, terminal TEXT, key TEXT,"
    "  status TEXT, code TEXT, invoice_id INTEGER, UNIQUE (terminal, key));"
    "CREATE TABLE IF NOT EXISTS companies (tax_id TEXT PRIMARY KEY, name TEXT, address TEXT,"
    "  phone TEXT, bank TEXT, account TEXT);"
    "CREATE TABLE IF NOT EXISTS inv_titles (id TEXT PRIMARY KEY, buyer_type TEXT, name TEXT,"
    "  tax_id TEXT, address TEXT, phone TEXT, bank TEXT, account TEXT);";

/* The taxpayer directory: unified social credit codes with their GB 32100 check character
 * (and the GB 11714 one of the organisation code inside), and one old 15-digit number. */
static const struct {
    const char *tax_id, *name, *address, *phone, *bank, *account;
} companies[] = {
    {"91350100MA2Y7K3B3K", "福建闽运物流有限公司", "福建省福州市鼓楼区五四路158号环球广场18层",
     "0591-87654321", "中国建设银行福州五四支行", "35050187001234567890"},
    {"91110105MA01B6F42H", "北京京华运输有限公司", "北京市朝阳区建国路88号SOHO现代城A座1206室",
     "010-85123456", "中国工商银行北京朝阳支行", "0200001509200123456"},
    {"91310115MA1H8Q2W3T", "上海浦江建设工程有限公司", "上海市浦东新区张江路665号3幢501室",
     "021-50801234", "交通银行上海张江支行", "310066726018800012345"},
    {"91440300MA5F9D7C7L", "深圳市鹏城智联科技有限公司",
     "深圳市南山区粤海街道科技南十二路2号金蝶软件园B座8楼", "0755-26781234",
     "招商银行深圳科技园支行", "755912345610801"},
    {"91330106MA27X8LN04", "杭州西湖龙井茶业有限公司", "浙江省杭州市西湖区龙井路1号",
     "0571-87961234", "中国农业银行杭州西湖支行", "19030101040012345"},
    /* 41 characters: names this long must fit screens and invoices */
    {"91510100MA6C4R9T93",
     "四川省成都天府国际空港新城现代综合物流与智慧供应链管理服务产业发展集团有限责任公司",
     "四川省成都市简阳市天府国际机场空港大道1号", "028-85551234",
     "中国银行成都高新技术产业开发区支行", "128812345678"},
    {"110105700123456", "北京市朝阳区老字号食品厂", "北京市朝阳区朝阳门外大街6号", "010-65001234",
     "北京银行朝阳门支行", "01090334500120105012345"},
};

/* Past sales to invoice. Terminal T0002 is at this station (ST001), T0901 at ST002. Each is
 * a completed order as the simulator would have priced it; see docs/backend-api.md for what
 * each one tests. */
struct past_sale {
    const char *txn, *token, *station;
    const char *grade;   /* fuel, or NULL */
    int64_t ml, price;   /* ml and fen per litre */
    const char *barcode; /* a shop item (as db.c seeds it), or NULL */
    const char *name_zh, *name_en;
    int64_t unit_fen;
    int qty;
    int64_t member_off; /* gold member discount, fen */
    const char *coupon_zh, *coupon_en;
    int64_t coupon_off, points; /* points used (1 point = 100 fen) */
    int prepaid;                /* paid with a fuel card whose recharge was invoiced */
    int old;                    /* paid 40 days ago */
    int phone_page;             /* invoiced already by the phone page */
};

/* One sale a row or two. */
/* clang-format off */
static const struct past_sale past[] = {
    /* three plain 92# sales to merge: one with water and a member discount, one with points */
    {.txn = "T0002-20261101-000101", .token = "2fhCdXcdUruyjkFN888JfjSa", .station = "ST001",
     .grade = "92#", .ml = 30000, .price = 734},
    {.txn = "T0002-20261101-000102", .token = "zbJBgJanW5gTy9snwx4bm3sD", .station = "ST001",
     .grade = "92#", .ml = 25000, .price = 734, .member_off = 500,
     .barcode = "6920000010004", .name_zh = "农夫山泉 550ml",
     .name_en = "Nongfu Spring water 550ml", .unit_fen = 200, .qty = 2},
    {.txn = "T0002-20261101-000103", .token = "wysGDLdRdFFmyUJ6nJYGgB9k", .station = "ST001",
     .grade = "92#", .ml = 40000, .price = 734, .points = 50},
    /* paid in full with a fuel card whose recharge was invoiced: RECHARGE_INVOICED */
    {.txn = "T0002-20261101-000104", .token = "VN75JJQTZY9aXhWk73MkQHqH", .station = "ST001",
     .grade = "92#", .ml = 20000, .price = 734, .prepaid = 1},
    /* invoiced by the phone page already: ALREADY_INVOICED */
    {.txn = "T0002-20261101-000105", .token = "Gnq5LcmUvCLYDX4UydhntwXx", .station = "ST001",
     .grade = "95#", .ml = 30000, .price = 781, .phone_page = 1},
    /* 95#: the 95# stock */
    {.txn = "T0002-20261101-000106", .token = "aPwz5zHEm9cBWzp33MMEjFUh", .station = "ST001",
     .grade = "95#", .ml = 35000, .price = 781},
    /* 1,500 L of diesel, ¥10,515.00: over the counter limit, COUNTER_ONLY */
    {.txn = "T0002-20261101-000107", .token = "KL8K2LcmL7WfTTHXKmTeSvuy", .station = "ST001",
     .grade = "0#", .ml = 1500000, .price = 701},
    /* paid 40 days ago: OUT_OF_WINDOW */
    {.txn = "T0002-20261101-000108", .token = "hHPYnQnSa4CxmcQK6ZN6GRJX", .station = "ST001",
     .grade = "92#", .ml = 10000, .price = 734, .old = 1},
    /* engine oil only, with a coupon: a shop line and a COUPON exclusion */
    {.txn = "T0002-20261101-000109", .token = "tEGGJKkkeUcbBpcCcaLX62Ge", .station = "ST001",
     .barcode = "6920000018888", .name_zh = "机油 5W-30 4L", .name_en = "Engine oil 5W-30 4L",
     .unit_fen = 32800, .qty = 1,
     .coupon_zh = "满300减20", .coupon_en = "¥20 off ¥300", .coupon_off = 2000},
    /* another station's sale: OTHER_STATION */
    {.txn = "T0901-20261101-000201", .token = "kU7HM8zTUMU5YuhMh2Bre5rw", .station = "ST002",
     .grade = "92#", .ml = 30000, .price = 734},
};
/* clang-format on */

static void add_discount(cJSON *arr, const char *kind, const char *zh, const char *en, int64_t off)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "kind", kind);
    cJSON_AddStringToObject(d, "label_zh", zh);
    cJSON_AddStringToObject(d, "label_en", en);
    cJSON_AddNumberToObject(d, "amount_fen", (double)-off);
    cJSON_AddItemToArray(arr, d);
}

/* The priced order of a past sale, as POST /v1/orders would have answered it. */
static cJSON *past_order(const struct past_sale *p, const char *order_id)
{
    cJSON *o = cJSON_CreateObject(), *lines = cJSON_CreateArray(), *ds = cJSON_CreateArray();
    int64_t subtotal = 0;
    cJSON_AddStringToObject(o, "order_id", order_id);
    if (p->member_off || p->points)
        cJSON_AddStringToObject(o, "member_id", "M001");
    else
        cJSON_AddNullToObject(o, "member_id");
    cJSON_AddItemToObject(o, "coupon_ids", cJSON_CreateArray());
    cJSON_AddItemToObject(o, "lines", lines);
    cJSON_AddItemToObject(o, "discounts", ds);
    if (p->grade) {
        cJSON *l = cJSON_CreateObject();
        char sale[16];
        snprintf(sale, sizeof sale, "SP%s", p->txn + strlen(p->txn) - 6);
        int64_t amount = (p->price * p->ml + 500) / 1000;
        cJSON_AddStringToObject(l, "kind", "fuel");
        cJSON_AddStringToObject(l, "sale_id", sale);
        cJSON_AddStringToObject(l, "grade", p->grade);
        cJSON_AddNumberToObject(l, "volume_ml", (double)p->ml);
        cJSON_AddNumberToObject(l, "price_fen_per_l", (double)p->price);
        cJSON_AddNumberToObject(l, "amount_fen", (double)amount);
        cJSON_AddItemToArray(lines, l);
        subtotal += amount;
    }
    if (p->barcode) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "kind", "item");
        cJSON_AddStringToObject(l, "barcode", p->barcode);
        cJSON_AddStringToObject(l, "name_zh", p->name_zh);
        cJSON_AddStringToObject(l, "name_en", p->name_en);
        cJSON_AddNumberToObject(l, "qty", p->qty);
        cJSON_AddNumberToObject(l, "unit_fen", (double)p->unit_fen);
        cJSON_AddNumberToObject(l, "amount_fen", (double)(p->unit_fen * p->qty));
        cJSON_AddItemToArray(lines, l);
        subtotal += p->unit_fen * p->qty;
    }
    if (p->member_off)
        add_discount(ds, "member", "会员优惠", "Member discount", p->member_off);
    if (p->coupon_off)
        add_discount(ds, "coupon", p->coupon_zh, p->coupon_en, p->coupon_off);
    if (p->points)
        add_discount(ds, "points", "积分抵扣", "Points", p->points * 100);
    int64_t total = subtotal - p->member_off - p->coupon_off - p->points * 100;
    cJSON_AddNumberToObject(o, "subtotal_fen", (double)subtotal);
    cJSON_AddNumberToObject(o, "points_available", 0);
    cJSON_AddNumberToObject(o, "points_used", (double)p->points);
    cJSON_AddNumberToObject(o, "points_earned",
                            (double)(p->member_off || p->points ? total / 100 : 0));
    cJSON_AddNumberToObject(o, "total_fen", (double)total);
    return o;
}

/* When past sales were paid: from max(start of this month in UTC+8, an hour ago), 10 s
 * apart, so that they are recent and never across a month. */
static int64_t seed_base_s(int64_t now_ms)
{
    int64_t now_s = now_ms / 1000;
    time_t local = (time_t)(now_s + INV_TZ_S);
    struct tm tm;
    gmtime_r(&local, &tm);
    int64_t month_start = now_s - ((int64_t)(tm.tm_mday - 1) * 86400 + tm.tm_hour * 3600 +
                                   tm.tm_min * 60 + tm.tm_sec);
    return month_start > now_s - 3600 ? month_start : now_s - 3600;
}

static int seed_past_sales(sqlite3 *db, int64_t now_ms)
{
    int64_t base = seed_base_s(now_ms);
    for (size_t i = 0; i < sizeof past / sizeof past[0]; i++) {
        const struct past_sale *p = &past[i];
        char order_id[40], terminal[8];
        snprintf(order_id, sizeof order_id, "SEED-%s", p->txn);
        snprintf(terminal, sizeof terminal, "%.5s", p->txn);
        cJSON *body = past_order(p, order_id);
        char *text = body ? cJSON_PrintUnformatted(body) : NULL;
        int64_t total =
            body ? (int64_t)cJSON_GetObjectItemCaseSensitive(body, "total_fen")->valuedouble : 0;
        cJSON_Delete(body);
        if (!text)
            return -1;
        sqlite3_stmt *st =
            sim_q(db, "INSERT OR REPLACE INTO orders (id, terminal, body, total_fen, status,"
                      " txn_no, invoice_token, completed_ms, station,"
                      " prepaid_invoiced_fen) VALUES (?,?,?,?,'COMPLETED',?,?,?,?,?)");
        sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, terminal, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, total);
        sqlite3_bind_text(st, 5, p->txn, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, p->token, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7,
                           p->old ? now_ms - 40 * INV_DAY_MS : (base + 10 * (int64_t)i) * 1000);
        sqlite3_bind_text(st, 8, p->station, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, p->prepaid ? total : 0);
        int ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_finalize(st);
        free(text);
        if (!ok)
            return -1;
    }
    return 0;
}

/* The sale the phone page invoiced: an individual, sent to a (masked) mobile number. */
static int seed_phone_page(sqlite3 *db, int64_t now_ms)
{
    for (size_t i = 0; i < sizeof past / sizeof past[0]; i++) {
        if (!past[i].phone_page)
            continue;
        struct inv_ask ask = {.by = "phone", .terminal = "", .key = "", .now_ms = now_ms};
        struct inv_buyer buyer = {"individual", "李娜", "", "", "", "", ""};
        struct sim_resp r = {0};
        char delivery[32];
        mask_phone("13912345678", delivery, sizeof delivery);
        int64_t id = inv_issue(db, &ask, &past[i].txn, 1, &buyer, delivery, &r);
        cJSON_Delete(r.body);
        if (!id)
            return -1;
    }
    return 0;
}

int sim_invoice_seed(sqlite3 *db, int64_t now_ms)
{
    static const char *const grades[] = {"92#", "95#", "98#", "0#"};
    sqlite3_stmt *st;
    if (sqlite3_exec(db,
                     "INSERT OR REPLACE INTO inv_settings VALUES (1, 0, 5, 30, 1000000, 1);"
                     "DELETE FROM inv_stock; DELETE FROM inv_counter;",
                     NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < sizeof grades / sizeof grades[0]; i++) {
        /* plenty: 100,000 L of each grade */
        st = sim_q(db, "INSERT INTO inv_stock VALUES (?, 100000000)");
        sqlite3_bind_text(st, 1, grades[i], -1, SQLITE_STATIC);
        int ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_finalize(st);
        if (!ok)
            return -1;
    }
    for (size_t i = 0; i < sizeof companies / sizeof companies[0]; i++) {
        /* a directory entry the kiosk would refuse is a bug in this list */
        if (!inv_taxid_ok(companies[i].tax_id))
            return -1;
        st = sim_q(db, "INSERT OR REPLACE INTO companies VALUES (?,?,?,?,?,?)");
        const char *v[] = {companies[i].tax_id, companies[i].name, companies[i].address,
                           companies[i].phone,  companies[i].bank, companies[i].account};
        for (int k = 0; k < 6; k++)
            sqlite3_bind_text(st, k + 1, v[k], -1, SQLITE_STATIC);
        int ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_finalize(st);
        if (!ok)
            return -1;
    }
    /* the title QRs: ORG1 is a directory company with all its details, IND1 a person */
    if (sqlite3_exec(db,
                     "INSERT OR REPLACE INTO inv_titles SELECT 'ORG1', 'organization', name,"
                     " tax_id, address, phone, bank, account FROM companies"
                     " WHERE tax_id = '91110105MA01B6F42H';"
                     "INSERT OR REPLACE INTO inv_titles VALUES "
                     "('IND1', 'individual', '张伟', '', '', '', '', '');",
                     NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    return seed_past_sales(db, now_ms) == 0 && seed_phone_page(db, now_ms) == 0 ? 0 : -1;
}
