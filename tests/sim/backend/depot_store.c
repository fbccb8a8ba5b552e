/* The depot tables and their seed (docs/backend-api.md, "Depot pickups (提油)", test data):
 * nine pickup orders, each made for one case, their authorised drivers (the only place an ID
 * number is kept), and what the routes share: finding an order, times in China time, driver
 * refs. Validity and issue times are placed relative to the simulator clock when seeding. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/sign.h"
#include "depot.h"
#include "sim.h"

const char *const sim_depot_schema =
    /* status OPEN, ISSUED or USED (loaded, or cancelled); valid_*_ms, issued_ms: simulator
     * clock; id_salt: 64 hex, the HMAC key of the drivers' id_proof; the counters are what
     * GET /v1/admin/depot reports */
    "CREATE TABLE IF NOT EXISTS depot_orders (order_id TEXT PRIMARY KEY, code TEXT UNIQUE,"
    "  product TEXT, unit TEXT, quantity_milli INTEGER, plate TEXT, valid_from_ms INTEGER,"
    "  valid_to_ms INTEGER, depot TEXT, depot_name TEXT, bay TEXT, status TEXT, id_salt TEXT,"
    "  ticket_no TEXT DEFAULT '', issued_ms INTEGER DEFAULT 0, terminal TEXT DEFAULT '',"
    "  tickets_issued INTEGER DEFAULT 0, ticket_calls INTEGER DEFAULT 0,"
    "  driver_checks INTEGER DEFAULT 0, face_checks INTEGER DEFAULT 0,"
    "  face_matches INTEGER DEFAULT 0);"
    /* the drivers an order authorises, idx 0.. in the order's list: the only place full ID
     * numbers and names live; face_score: what the face service says of this person */
    "CREATE TABLE IF NOT EXISTS depot_drivers (order_id TEXT, idx INTEGER, id_no TEXT,"
    "  name TEXT, face_score INTEGER, PRIMARY KEY (order_id, idx));"
    /* driver refs given by a driver check that matched: what face checks must name */
    "CREATE TABLE IF NOT EXISTS depot_driver_refs (driver_ref TEXT PRIMARY KEY,"
    "  order_id TEXT, idx INTEGER, checked_ms INTEGER);"
    /* face checks that got a verdict (never the images) */
    "CREATE TABLE IF NOT EXISTS depot_face_checks (seq INTEGER PRIMARY KEY, check_id TEXT"
    "  UNIQUE, order_id TEXT, driver_ref TEXT, verdict TEXT, score INTEGER, at_ms INTEGER);"
    /* face_busy: how many face checks still answer 503 FACE_BUSY (POST
     * /v1/admin/depot/face) */
    "CREATE TABLE IF NOT EXISTS depot_settings (id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  face_busy INTEGER);";

/* The people of the test data (made up, with good GB 11643 check characters; the ID card
 * reader's simulator has the same ones). 李娜 (310104199302146625) is on no order, so the
 * backend does not know her. */
static const struct {
    const char *id_no, *name;
    int face_score; /* 刘洋's face never matches */
} people[] = {
    {"110105198203154413", "王建国", 93},
    {"810000199007080026", "陈美玲", 93}, /* a Hong Kong resident's residence permit */
    {"320102197505201233", "赵刚", 93},
    {"440106198811023153", "刘洋", 31},
};
enum { WANG, CHEN, ZHAO, LIU, NOBODY = -1 };

/* What an order is for, which says its validity, status and ticket. */
enum seed_case {
    SEED_OPEN,    /* valid from yesterday 00:00 to the end of the day after tomorrow */
    SEED_ISSUED,  /* OPEN's validity; issued at 10:42 (the last one by now) by T0002 */
    SEED_USED,    /* OPEN's validity; issued yesterday 16:05 by T0002, loaded since */
    SEED_EXPIRED, /* valid for three days until the end of yesterday */
};

static const struct order_seed {
    const char *order_id, *code, *product, *unit;
    int64_t quantity_milli;
    const char *plate, *depot, *depot_name, *bay;
    enum seed_case kind;
    int drivers[3]; /* indexes into people[], NOBODY ends */
} orders[] = {
    /* clang-format off */
    {"PO2611300001", "PK2611300001", "0号柴油", "L", 30000000, "京A·12345", "D01", "北郊油库",
     "3", SEED_OPEN, {WANG, NOBODY}},
    {"PO2611300002", "PK2611300002", "92号汽油", "t", 25500, "京B·67890", "D01", "北郊油库", "5",
     SEED_OPEN, {WANG, CHEN, NOBODY}},
    {"PO2611300003", "PK2611300003", "0号柴油", "L", 20000000, "冀C·24680", "D01", "北郊油库",
     "2", SEED_OPEN, {ZHAO, NOBODY}},
    {"PO2611300004", "PK2611300004", "0号柴油", "L", 15000000, "津D·13579", "D01", "北郊油库",
     "4", SEED_OPEN, {LIU, NOBODY}},
    {"PO2611300005", "PK2611300005", "0号柴油", "L", 10000000, "京A·12345", "D01", "北郊油库",
     "1", SEED_ISSUED, {WANG, NOBODY}},
    {"PO2611300006", "PK2611300006", "0号柴油", "L", 8000000, "京A·12345", "D01", "北郊油库",
     "1", SEED_USED, {WANG, NOBODY}},
    {"PO2611300007", "PK2611300007", "0号柴油", "L", 8000000, "京A·12345", "D01", "北郊油库",
     "1", SEED_EXPIRED, {WANG, NOBODY}},
    {"PO2611300008", "PK2611300008", "0号柴油", "L", 8000000, "京A·12345", "D02", "南港油库",
     "2", SEED_OPEN, {WANG, NOBODY}},
    {"PO2611300009", "PK2611300009", "0号柴油", "L", 12000000, "京A·12345", "D01", "北郊油库",
     "3", SEED_OPEN, {WANG, NOBODY}},
    /* clang-format on */
};

void depot_iso(int64_t ms, char out[DEPOT_ISO_LEN])
{
    time_t t = (time_t)((ms + DEPOT_TZ_MS) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    /* "" for a year past 9999, which does not fit */
    if (!strftime(out, DEPOT_ISO_LEN, "%Y-%m-%dT%H:%M:%S+08:00", &tm))
        out[0] = '\0';
}

int depot_order_find(sqlite3 *db, const char *column, const char *value, struct depot_order *o)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT order_id, code, product, unit, quantity_milli, plate, valid_from_ms,"
             " valid_to_ms, depot, depot_name, bay, status, id_salt, ticket_no, issued_ms,"
             " terminal FROM depot_orders WHERE %s = ?",
             strcmp(column, "code") ? "order_id" : "code");
    sqlite3_stmt *st = sim_q(db, sql);
    sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        memset(o, 0, sizeof *o);
        snprintf(o->order_id, sizeof o->order_id, "%s", sim_col(st, 0));
        snprintf(o->code, sizeof o->code, "%s", sim_col(st, 1));
        snprintf(o->product, sizeof o->product, "%s", sim_col(st, 2));
        snprintf(o->unit, sizeof o->unit, "%s", sim_col(st, 3));
        o->quantity_milli = sqlite3_column_int64(st, 4);
        snprintf(o->plate, sizeof o->plate, "%s", sim_col(st, 5));
        o->valid_from_ms = sqlite3_column_int64(st, 6);
        o->valid_to_ms = sqlite3_column_int64(st, 7);
        snprintf(o->depot, sizeof o->depot, "%s", sim_col(st, 8));
        snprintf(o->depot_name, sizeof o->depot_name, "%s", sim_col(st, 9));
        snprintf(o->bay, sizeof o->bay, "%s", sim_col(st, 10));
        snprintf(o->status, sizeof o->status, "%s", sim_col(st, 11));
        snprintf(o->id_salt, sizeof o->id_salt, "%s", sim_col(st, 12));
        snprintf(o->ticket_no, sizeof o->ticket_no, "%s", sim_col(st, 13));
        o->issued_ms = sqlite3_column_int64(st, 14);
        snprintf(o->terminal, sizeof o->terminal, "%s", sim_col(st, 15));
    }
    sqlite3_finalize(st);
    return found;
}

void depot_driver_ref(const char *order_id, int idx, char out[19])
{
    char msg[64], hash[SIGN_HEX_LEN];
    int n = snprintf(msg, sizeof msg, "driver:%s:%d", order_id, idx);
    sign_sha256_hex(msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : 0, hash);
    snprintf(out, 19, "DR%.16s", hash);
}

void depot_ticket_no(const char *order_id, char *out, size_t cap)
{
    snprintf(out, cap, "TK%s", order_id + strcspn(order_id, "0123456789"));
}

/* One seeded order with its drivers, placed around China-time midnight `day0`. */
static int seed_order(sqlite3 *db, const struct order_seed *s, int64_t day0, int64_t now_ms)
{
    int64_t from = day0 - DEPOT_DAY_MS, to = day0 + 3 * DEPOT_DAY_MS - 1, issued = 0;
    const char *status = "OPEN", *terminal = "";
    char salt[SIGN_HEX_LEN], ticket[40] = "";
    switch (s->kind) {
    case SEED_OPEN:
        break;
    case SEED_ISSUED:
        status = "ISSUED";
        issued = day0 + (10 * 60 + 42) * INT64_C(60000);
        if (issued > now_ms) /* not 10:42 yet today: yesterday's, never one to come */
            issued -= DEPOT_DAY_MS;
        break;
    case SEED_USED:
        status = "USED";
        issued = day0 - DEPOT_DAY_MS + (16 * 60 + 5) * INT64_C(60000);
        break;
    case SEED_EXPIRED:
        from = day0 - 3 * DEPOT_DAY_MS;
        to = day0 - 1;
        break;
    }
    if (issued) {
        terminal = "T0002";
        depot_ticket_no(s->order_id, ticket, sizeof ticket);
    }
    /* the salt: SHA-256 of the order id, the same on every seed */
    sign_sha256_hex(s->order_id, strlen(s->order_id), salt);
    sqlite3_stmt *st = sim_q(db, "INSERT INTO depot_orders (order_id, code, product, unit,"
                                 " quantity_milli, plate, valid_from_ms, valid_to_ms, depot,"
                                 " depot_name, bay, status, id_salt, ticket_no, issued_ms,"
                                 " terminal, tickets_issued)"
                                 " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    const char *text[] = {s->order_id, s->code, s->product, s->unit};
    for (int i = 0; i < 4; i++)
        sqlite3_bind_text(st, i + 1, text[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, s->quantity_milli);
    sqlite3_bind_text(st, 6, s->plate, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, from);
    sqlite3_bind_int64(st, 8, to);
    const char *more[] = {s->depot, s->depot_name, s->bay, status, salt, ticket};
    for (int i = 0; i < 6; i++)
        sqlite3_bind_text(st, i + 9, more[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 15, issued);
    sqlite3_bind_text(st, 16, terminal, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 17, issued ? 1 : 0);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    for (int i = 0; ok && i < 3 && s->drivers[i] != NOBODY; i++) {
        st = sim_q(db, "INSERT INTO depot_drivers VALUES (?,?,?,?,?)");
        sqlite3_bind_text(st, 1, s->order_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, i);
        sqlite3_bind_text(st, 3, people[s->drivers[i]].id_no, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, people[s->drivers[i]].name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, people[s->drivers[i]].face_score);
        ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_finalize(st);
    }
    return ok ? 0 : -1;
}

int sim_depot_seed(sqlite3 *db, int64_t now_ms)
{
    if (sqlite3_exec(db,
                     "DELETE FROM depot_orders; DELETE FROM depot_drivers;"
                     "DELETE FROM depot_driver_refs; DELETE FROM depot_face_checks;"
                     "INSERT OR REPLACE INTO depot_settings VALUES (1, 0);",
                     NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    /* China-time midnight of today: the days of the test data count from it */
    int64_t day0 = (now_ms + DEPOT_TZ_MS) / DEPOT_DAY_MS * DEPOT_DAY_MS - DEPOT_TZ_MS;
    for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++)
        if (seed_order(db, &orders[i], day0, now_ms) != 0)
            return -1;
    return 0;
}
