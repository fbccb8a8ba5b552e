/* Schema and seed data of the backend simulator: a station with 8 pumps and unpaid sales,
 * 50 shop products with valid EAN-13 codes and tax classes, members with points and coupons,
 * fuel cards with their loads, allocations and movements; the e-invoice tables and seeds are
 * invoice_seed.c's, the depot pickups' depot_store.c's, the staff's and refunds'
 * staff_store.c's. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim.h"

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS idem (terminal TEXT, key TEXT, method TEXT, path TEXT,"
    "  body_hash TEXT, status INTEGER, response TEXT, PRIMARY KEY (terminal, key));"
    "CREATE TABLE IF NOT EXISTS sales (id TEXT PRIMARY KEY, pump INTEGER, grade TEXT,"
    "  volume_ml INTEGER, price_fen INTEGER, amount_fen INTEGER, status TEXT,"
    "  locked_by TEXT, paid_by TEXT, locked_until_ms INTEGER DEFAULT 0);"
    /* tax_class: the invoice's short name (*饮料*...); unit: the invoice's unit, NULL = 件 */
    "CREATE TABLE IF NOT EXISTS products (barcode TEXT PRIMARY KEY, name_zh TEXT, name_en TEXT,"
    "  price_fen INTEGER, tax_class TEXT, unit TEXT);"
    "CREATE TABLE IF NOT EXISTS members (id TEXT PRIMARY KEY, phone TEXT UNIQUE, qr TEXT UNIQUE,"
    "  name TEXT, level TEXT, points INTEGER);"
    /* member_id NULL: a bearer coupon, scanned from its QR code `qr` (NULL for members') */
    "CREATE TABLE IF NOT EXISTS coupons (id TEXT PRIMARY KEY, member_id TEXT, title_zh TEXT,"
    "  title_en TEXT, off_fen INTEGER, min_spend_fen INTEGER, used INTEGER DEFAULT 0,"
    "  qr TEXT UNIQUE);"
    /* txn_no, invoice_token: how the sale is known for invoicing (completion or its journal
     * record); completed_ms: when it was paid (simulator clock); station: where it was sold
     * (every terminal of the simulator is at ST001; seeds have others); prepaid_invoiced_fen:
     * paid with a fuel card whose recharge was invoiced (seeds) */
    "CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, terminal TEXT, body TEXT,"
    "  total_fen INTEGER, status TEXT, txn_no TEXT, invoice_token TEXT, completed_ms INTEGER,"
    "  station TEXT DEFAULT 'ST001', prepaid_invoiced_fen INTEGER DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS payments (out_trade_no TEXT PRIMARY KEY, terminal TEXT,"
    "  order_id TEXT, amount_fen INTEGER, channel TEXT, mode TEXT, status TEXT,"
    "  code_masked TEXT, reason TEXT, created_ms INTEGER, confirm_at_ms INTEGER,"
    "  params_hash TEXT);"
    "CREATE TABLE IF NOT EXISTS journal (terminal TEXT, record_id TEXT, kind TEXT, body TEXT,"
    "  received_ms INTEGER, PRIMARY KEY (terminal, record_id));"
    "CREATE TABLE IF NOT EXISTS heartbeats (terminal TEXT PRIMARY KEY, at_ms INTEGER,"
    "  status TEXT);"
    /* fuel cards (card.h): kind personal, main or sub (main_card: a sub-card's); status
     * active, lost or blocked; account_fen: recharged, not loaded; allocation_fen: a
     * sub-card's, allocated by its main card, not loaded; invoice_mode recharge or sale;
     * expiry: YYYYMMDD in China time, the last day the card works */
    "CREATE TABLE IF NOT EXISTS cards (card_no TEXT PRIMARY KEY, holder TEXT, kind TEXT,"
    "  main_card TEXT, account_fen INTEGER, allocation_fen INTEGER DEFAULT 0, status TEXT,"
    "  invoice_mode TEXT, balance_cap_fen INTEGER, daily_recharge_cap_fen INTEGER,"
    "  expiry INTEGER);"
    /* loads onto the chip: state PENDING (MAC2 given, money out of its source) or LOADED
     * (the TAC verified); mac2, date, time, terminal_id and balance_before_fen: what the last
     * MAC2 was computed with, which the TAC must match; terminal: the kiosk that began it;
     * flagged: a TAC that did not verify came for it */
    "CREATE TABLE IF NOT EXISTS card_loads (load_id TEXT PRIMARY KEY, card_no TEXT,"
    "  amount_fen INTEGER, source TEXT, online_serial INTEGER, terminal TEXT,"
    "  terminal_id TEXT, balance_before_fen INTEGER, state TEXT, flagged INTEGER DEFAULT 0,"
    "  mac2 TEXT, date TEXT, time TEXT, created_ms INTEGER, loaded_ms INTEGER DEFAULT 0);"
    /* allocations from a main card, a row per line; account_after_fen: the main card's
     * account once it was made (the answer) */
    "CREATE TABLE IF NOT EXISTS card_allocations (allocation_id TEXT, line INTEGER,"
    "  main_card TEXT, to_card TEXT, amount_fen INTEGER, account_after_fen INTEGER,"
    "  terminal TEXT, at_ms INTEGER, PRIMARY KEY (allocation_id, line));"
    /* every movement of a card's money (history): kind recharge, load, allocation_in or
     * allocation_out (the direction), amount_fen what moved (> 0) */
    "CREATE TABLE IF NOT EXISTS card_moves (id INTEGER PRIMARY KEY, at_ms INTEGER,"
    "  card_no TEXT, kind TEXT, amount_fen INTEGER, terminal TEXT);"
    /* the recharge a priced order makes; credited once it completed */
    "CREATE TABLE IF NOT EXISTS card_recharges (order_id TEXT PRIMARY KEY, card_no TEXT,"
    "  amount_fen INTEGER, credited INTEGER DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS shifts (shift_id TEXT PRIMARY KEY, terminal TEXT, attendant TEXT,"
    "  totals TEXT, closed_ms INTEGER);";

/* Every table, for --reset and POST /v1/admin/reset. */
static const char *const drop_all =
    "DROP TABLE IF EXISTS idem; DROP TABLE IF EXISTS sales; DROP TABLE IF EXISTS products;"
    "DROP TABLE IF EXISTS members; DROP TABLE IF EXISTS coupons; DROP TABLE IF EXISTS orders;"
    "DROP TABLE IF EXISTS payments; DROP TABLE IF EXISTS journal;"
    "DROP TABLE IF EXISTS heartbeats; DROP TABLE IF EXISTS invoices; DROP TABLE IF EXISTS cards;"
    "DROP TABLE IF EXISTS card_ops; DROP TABLE IF EXISTS card_loads;"
    "DROP TABLE IF EXISTS card_allocations; DROP TABLE IF EXISTS card_moves;"
    "DROP TABLE IF EXISTS card_recharges;"
    /* pickups: the old depot orders, in a database from before depot_orders */
    "DROP TABLE IF EXISTS pickups; DROP TABLE IF EXISTS shifts;"
    "DROP TABLE IF EXISTS depot_orders; DROP TABLE IF EXISTS depot_drivers;"
    "DROP TABLE IF EXISTS depot_driver_refs; DROP TABLE IF EXISTS depot_face_checks;"
    "DROP TABLE IF EXISTS depot_settings;"
    "DROP TABLE IF EXISTS staff; DROP TABLE IF EXISTS staff_logins;"
    "DROP TABLE IF EXISTS refunds; DROP TABLE IF EXISTS staff_settings;"
    "DROP TABLE IF EXISTS inv_settings; DROP TABLE IF EXISTS inv_stock;"
    "DROP TABLE IF EXISTS inv_counter; DROP TABLE IF EXISTS inv_invoices;"
    "DROP TABLE IF EXISTS inv_sales; DROP TABLE IF EXISTS inv_requests;"
    "DROP TABLE IF EXISTS companies; DROP TABLE IF EXISTS inv_titles;";

/* Bearer coupons: anyone who scans the code may use them, once. */
static const char *const bearer_coupons =
    "INSERT OR IGNORE INTO coupons (id, member_id, qr, title_zh, title_en, off_fen,"
    "  min_spend_fen) VALUES "
    "('C900',NULL,'CPN-5OFF-0001','立减5元','¥5 off',500,0),"
    "('C901',NULL,'CPN-20OFF-0002','满300减20','¥20 off ¥300',2000,30000);";

/* The test cards (docs/backend-api.md, "Simulator: test cards"; the virtual card reads their
 * chips from tests/sim/card/cards.ini). 1000113300008888 is a card the backend does not
 * know. Caps ¥5,000 (a main card recharges up to ¥50,000 a day); expiry as on the chips
 * (1000113300002004 expired at the end of 2025, the others work until 2030-12-31);
 * 1000113300002002 invoices its fuel sales, the others their recharges. */
static const char *const card_seed =
    "INSERT INTO cards (card_no, holder, kind, main_card, account_fen, allocation_fen, status,"
    "  invoice_mode, balance_cap_fen, daily_recharge_cap_fen, expiry) VALUES "
    "('1000113300002001','刘洋','personal',NULL,0,0,'active','recharge',500000,500000,"
    "20301231),"
    "('1000113300002002','陈静','personal',NULL,30000,0,'active','sale',500000,500000,"
    "20301231),"
    "('1000113300002003','孙磊','personal',NULL,0,0,'active','recharge',500000,500000,"
    "20301231),"
    "('1000113300002004','周敏','personal',NULL,0,0,'active','recharge',500000,500000,"
    "20251231),"
    "('1000113300001234','北京京华运输有限公司','main',NULL,500000,0,'active','recharge',"
    "500000,5000000,20301231),"
    "('1000113300005678','王师傅','sub','1000113300001234',0,0,'active','recharge',500000,"
    "500000,20301231),"
    "('1000113300005679','赵师傅','sub','1000113300001234',0,0,'active','recharge',500000,"
    "500000,20301231),"
    "('1000113300005680','钱师傅','sub','1000113300001234',0,0,'active','recharge',500000,"
    "500000,20301231),"
    "('1000113300009999','李师傅','personal',NULL,12345,0,'lost','recharge',500000,500000,"
    "20301231);";

/* The lease of a seed sale "being paid at another terminal": 9999-12-31, so that it never
 * passes, however far tests move the simulator clock. */
#define SEED_LEASE_END_MS 253402300799000LL

sqlite3_stmt *sim_q(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    return st;
}

const char *sim_col(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

int sim_ean_check(const char *d)
{
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (d[i] - '0') * (i % 2 ? 3 : 1);
    return (10 - sum % 10) % 10;
}

/* A shop product; `tax_class` is its invoice line's short name (*饮料*农夫山泉 550ml) and
 * `unit` its unit on the invoice (twin packs have none: 件). */
struct product_seed {
    const char *zh, *en;
    int price_fen;
    const char *tax_class, *unit;
};

static const struct product_seed products[] = {
    {"农夫山泉 550ml", "Nongfu Spring water 550ml", 200, "饮料", "瓶"},
    {"农夫山泉 1.5L", "Nongfu Spring water 1.5L", 450, "饮料", "瓶"},
    {"可口可乐 330ml", "Coca-Cola 330ml", 350, "饮料", "罐"},
    {"可口可乐 1.25L", "Coca-Cola 1.25L", 650, "饮料", "瓶"},
    {"红牛 250ml", "Red Bull 250ml", 600, "饮料", "罐"},
    {"东方树叶 500ml", "Oriental Leaf tea 500ml", 500, "饮料", "瓶"},
    {"康师傅冰红茶 500ml", "Master Kong iced tea 500ml", 350, "饮料", "瓶"},
    {"脉动 600ml", "Mizone 600ml", 500, "饮料", "瓶"},
    {"雀巢咖啡 268ml", "Nescafe coffee 268ml", 650, "饮料", "瓶"},
    {"蒙牛纯牛奶 250ml", "Mengniu milk 250ml", 350, "乳制品", "盒"},
    {"奥利奥饼干 116g", "Oreo cookies 116g", 890, "食品", "盒"},
    {"乐事薯片 70g", "Lay's chips 70g", 750, "食品", "袋"},
    {"士力架 51g", "Snickers 51g", 550, "食品", "条"},
    {"德芙巧克力 43g", "Dove chocolate 43g", 890, "食品", "块"},
    {"绿箭口香糖", "Doublemint gum", 1000, "食品", "盒"},
    {"康师傅红烧牛肉面", "Master Kong beef noodles", 550, "食品", "桶"},
    {"统一老坛酸菜面", "Uni-President pickled noodles", 550, "食品", "桶"},
    {"双汇火腿肠 10支", "Shuanghui sausages x10", 1290, "食品", "袋"},
    {"面包 早餐装", "Breakfast bread", 680, "食品", "袋"},
    {"卤蛋 2枚", "Braised eggs x2", 500, "食品", "袋"},
    {"纸巾 10包", "Tissues x10", 990, "日用品", "提"},
    {"湿巾 80抽", "Wet wipes 80", 1590, "日用品", "包"},
    {"玻璃水 2L", "Screen wash 2L", 1500, "汽车用品", "桶"},
    {"玻璃水 -25℃ 2L", "Screen wash -25C 2L", 2500, "汽车用品", "桶"},
    {"机油 5W-30 4L", "Engine oil 5W-30 4L", 32800, "汽车用品", "桶"},
};

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int seed(sqlite3 *db, int64_t now_ms)
{
    sqlite3_stmt *st;
    /* 8 pumps: grade, price (fen/L) and the unpaid sales waiting on each. */
    static const struct {
        const char *id;
        int pump;
        const char *grade;
        int ml, price;
        const char *status, *locked_by;
    } sales[] = {
        {"S1001", 1, "92#", 45120, 734, "unpaid", NULL},
        {"S1002", 2, "95#", 38500, 781, "unpaid", NULL},
        {"S1003", 3, "92#", 45120, 734, "unpaid", NULL},
        {"S1004", 3, "95#", 20000, 781, "unpaid", NULL},
        {"S1005", 4, "0#", 120350, 701, "unpaid", NULL},
        {"S1006", 5, "98#", 30000, 862, "locked", "T0009"}, /* the other terminal's tile */
        {"S1007", 6, "92#", 12340, 734, "unpaid", NULL},
        {"S1008", 7, "95#", 51000, 781, "unpaid", NULL},
        {"S1009", 7, "92#", 8800, 734, "unpaid", NULL},
        {"S1010", 8, "0#", 200000, 701, "paid", NULL},
    };
    if (sqlite3_prepare_v2(db, "INSERT INTO sales VALUES (?,?,?,?,?,?,?,?,NULL,?)", -1, &st, NULL))
        return -1;
    for (size_t i = 0; i < sizeof sales / sizeof sales[0]; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, sales[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, sales[i].pump);
        sqlite3_bind_text(st, 3, sales[i].grade, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, sales[i].ml);
        sqlite3_bind_int(st, 5, sales[i].price);
        /* amount = round half up (price * ml / 1000), the rule in docs/backend-api.md */
        sqlite3_bind_int64(st, 6, ((int64_t)sales[i].price * sales[i].ml + 500) / 1000);
        sqlite3_bind_text(st, 7, sales[i].status, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, sales[i].locked_by, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, sales[i].locked_by ? SEED_LEASE_END_MS : 0);
        if (sqlite3_step(st) != SQLITE_DONE)
            return -1;
    }
    sqlite3_finalize(st);

    /* 50 products: 25 items in two package sizes, EAN-13 codes 69xxxxxxxxxx + check. */
    if (sqlite3_prepare_v2(db, "INSERT INTO products VALUES (?,?,?,?,?,?)", -1, &st, NULL))
        return -1;
    for (int i = 0; i < 50; i++) {
        const struct product_seed *p = &products[i % 25];
        char code[14], zh[96], en[96];
        snprintf(code, sizeof code, "6920%08d", 1000 + i * 37);
        code[12] = (char)('0' + sim_ean_check(code));
        code[13] = '\0';
        snprintf(zh, sizeof zh, "%s%s", p->zh, i >= 25 ? " 两件装" : "");
        snprintf(en, sizeof en, "%s%s", p->en, i >= 25 ? " twin pack" : "");
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, zh, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, en, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 4, i >= 25 ? p->price_fen * 19 / 10 : p->price_fen);
        sqlite3_bind_text(st, 5, p->tax_class, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, i >= 25 ? NULL : p->unit, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return -1;
    }
    sqlite3_finalize(st);

    if (exec(db, bearer_coupons) != 0 || exec(db, card_seed) != 0 ||
        sim_invoice_seed(db, now_ms) != 0 || sim_depot_seed(db, now_ms) != 0 ||
        sim_staff_seed(db) != 0)
        return -1;
    return exec(db,
                "INSERT INTO members VALUES "
                "('M001','13800138000','MQR-7F3A91','张三丰','gold',2380),"
                "('M002','13912345678','MQR-22B0C4','李四','silver',150),"
                "('M003','18600001111','MQR-9D1E07','Wang Wu','standard',0);"
                "INSERT INTO coupons (id, member_id, title_zh, title_en, off_fen, min_spend_fen)"
                " VALUES "
                "('C100','M001','满200减10','¥10 off ¥200',1000,20000),"
                "('C101','M001','便利店立减5元','¥5 off shop goods',500,0),"
                "('C200','M002','满100减5','¥5 off ¥100',500,10000);");
}

/* A database from before lock leases: add sales.locked_until_ms. Its locks were held for
 * good; they get one lease from now (an orphaned lock then frees itself like any other). */
static int add_lock_leases(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('sales') "
                               "WHERE name = 'locked_until_ms'", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int have = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (have)
        return 0;
    if (exec(db, "ALTER TABLE sales ADD COLUMN locked_until_ms INTEGER DEFAULT 0") != 0 ||
        sqlite3_prepare_v2(db, "UPDATE sales SET locked_until_ms = ? WHERE status = 'locked'", -1,
                           &st, NULL) != SQLITE_OK)
        return -1;
    /* the simulator clock starts at wall time: no admin advance has happened yet */
    sqlite3_bind_int64(st, 1, (int64_t)time(NULL) * 1000 + sim_lock_lease_ms);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

/* 1 if `table` has the column `col`, 0 if not, -1 on error. */
static int has_column(sqlite3 *db, const char *table, const char *col)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
    int have = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return have;
}

/* A database from before e-invoices: the orders' and products' new columns, the products'
 * tax classes and units from the seed list, and the e-invoice seeds (the old invoices table
 * goes). */
static int add_invoicing(sqlite3 *db, int64_t now_ms)
{
    static const char *const cols[][3] = {
        {"orders", "txn_no", "TEXT"},
        {"orders", "invoice_token", "TEXT"},
        {"orders", "completed_ms", "INTEGER"},
        {"orders", "station", "TEXT DEFAULT 'ST001'"},
        {"orders", "prepaid_invoiced_fen", "INTEGER DEFAULT 0"},
        {"products", "tax_class", "TEXT"},
        {"products", "unit", "TEXT"},
    };
    char sql[160];
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        int have = has_column(db, cols[i][0], cols[i][1]);
        if (have < 0)
            return -1;
        if (have)
            continue;
        snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", cols[i][0], cols[i][1],
                 cols[i][2]);
        if (exec(db, sql) != 0)
            return -1;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "UPDATE products SET tax_class = ?1, unit = "
                               "CASE WHEN name_zh = ?2 THEN ?3 ELSE NULL END "
                               "WHERE tax_class IS NULL "
                               "AND (name_zh = ?2 OR name_zh = ?2 || ' 两件装')",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < sizeof products / sizeof products[0]; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, products[i].tax_class, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, products[i].zh, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, products[i].unit, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    if (exec(db, "DROP TABLE IF EXISTS invoices") != 0 ||
        sqlite3_prepare_v2(db, "SELECT count(*) FROM inv_settings", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int seeded = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return seeded ? 0 : sim_invoice_seed(db, now_ms);
}

/* A database from before card loads: its cards and their once-per-operation records go,
 * and the test cards are seeded afresh (the card tables are new: the schema made them). */
static int add_card_loads(sqlite3 *db)
{
    int have = has_column(db, "cards", "balance_cap_fen");
    if (have != 0)
        return have < 0 ? -1 : 0;
    return exec(db, "DROP TABLE IF EXISTS cards; DROP TABLE IF EXISTS card_ops;") != 0 ||
                   exec(db, schema) != 0 || exec(db, card_seed) != 0
               ? -1
               : 0;
}

/* A database from before depot orders: the old pickups go, the test orders are seeded (the
 * depot tables are new: the schema made them). */
static int add_depot(sqlite3 *db, int64_t now_ms)
{
    sqlite3_stmt *st;
    if (exec(db, "DROP TABLE IF EXISTS pickups") != 0 ||
        sqlite3_prepare_v2(db, "SELECT count(*) FROM depot_orders", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int seeded = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return seeded ? 0 : sim_depot_seed(db, now_ms);
}

/* A database from before staff: the test staff are seeded (the staff tables are new: the
 * schema made them). */
static int add_staff(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM staff", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int seeded = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return seeded ? 0 : sim_staff_seed(db);
}

int sim_db_reset(sqlite3 *db, int64_t now_ms)
{
    return exec(db, drop_all) != 0 || exec(db, schema) != 0 ||
                   exec(db, sim_invoice_schema) != 0 || exec(db, sim_depot_schema) != 0 ||
                   exec(db, sim_staff_schema) != 0 || exec(db, "BEGIN") != 0 ||
                   seed(db, now_ms) != 0 || exec(db, "COMMIT") != 0
               ? -1
               : 0;
}

int sim_db_open(sqlite3 **db, const char *path, int reset, int64_t now_ms, char *err,
                size_t errcap)
{
    if (sqlite3_open(path, db) != SQLITE_OK) {
        snprintf(err, errcap, "%s: %s", path, sqlite3_errmsg(*db));
        return -1;
    }
    sqlite3_busy_timeout(*db, 5000);
    if (exec(*db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;") != 0)
        goto fail;
    if (reset) {
        if (sim_db_reset(*db, now_ms) != 0)
            goto fail;
        return 0;
    }
    if (exec(*db, schema) != 0 || add_lock_leases(*db) != 0 ||
        exec(*db, sim_invoice_schema) != 0 || exec(*db, sim_depot_schema) != 0 ||
        exec(*db, sim_staff_schema) != 0)
        goto fail;
    sqlite3_stmt *st;
    int empty = 1;
    if (sqlite3_prepare_v2(*db, "SELECT count(*) FROM sales", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        empty = sqlite3_column_int(st, 0) == 0;
    sqlite3_finalize(st);
    if (empty && (exec(*db, "BEGIN") != 0 || seed(*db, now_ms) != 0 || exec(*db, "COMMIT") != 0))
        goto fail;
    if (!empty && (exec(*db, "BEGIN") != 0 || add_invoicing(*db, now_ms) != 0 ||
                   add_card_loads(*db) != 0 || add_depot(*db, now_ms) != 0 ||
                   add_staff(*db) != 0 || exec(*db, "COMMIT") != 0))
        goto fail;
    return 0;
fail:
    snprintf(err, errcap, "%s: %s", path, sqlite3_errmsg(*db));
    return -1;
}
