/* The staff tables and their seed (docs/backend-api.md, "Staff and refunds", test staff):
 * the station's three people with their staff cards and PIN verifiers, the login attempts
 * and refunds the admin route reports, and the login service's down switch. Only the seed
 * knows the PINs: it keeps their Argon2id verifiers. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "staff.h"

/* The verifiers' cost: small, so that a kiosk checks a PIN in about 20 ms. */
#define PIN_OPSLIMIT 2
#define PIN_MEMLIMIT (8u * 1024 * 1024)

const char *const sim_staff_schema =
    /* role attendant or supervisor; verifier: the PIN's Argon2id verifier
     * (crypto_pwhash_str), never the PIN */
    "CREATE TABLE IF NOT EXISTS staff (staff_no TEXT PRIMARY KEY, card_no TEXT UNIQUE,"
    "  name TEXT, role TEXT, verifier TEXT);"
    /* every login whose PIN was checked: purpose login or approval, ok 0 or 1 */
    "CREATE TABLE IF NOT EXISTS staff_logins (seq INTEGER PRIMARY KEY, staff_no TEXT,"
    "  purpose TEXT, ok INTEGER, terminal TEXT, at_ms INTEGER);"
    /* refunds made (refusals are not kept): idem_key the Idempotency-Key that made it,
     * channel the sale's payment channel, lines the request's lines (JSON, "[]" when none) */
    "CREATE TABLE IF NOT EXISTS refunds (refund_no TEXT PRIMARY KEY, txn_no TEXT,"
    "  order_id TEXT, amount_fen INTEGER, whole INTEGER, reason TEXT, attendant TEXT,"
    "  approver TEXT, idem_key TEXT, terminal TEXT, channel TEXT, lines TEXT, at_ms INTEGER);"
    /* login_down: POST /v1/staff/login answers 503 UNAVAILABLE (POST /v1/admin/staff) */
    "CREATE TABLE IF NOT EXISTS staff_settings (id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  login_down INTEGER);";

/* The test staff (made up). */
static const struct {
    const char *staff_no, *name, *role, *pin, *card_no;
} people[] = {
    {"1001", "王芳", "attendant", "246810", "1000113300009001"},
    {"1002", "赵磊", "attendant", "112233", "1000113300009003"},
    {"2001", "李强", "supervisor", "135790", "1000113300009002"},
};

int sim_staff_seed(sqlite3 *db)
{
    if (sodium_init() < 0 ||
        sqlite3_exec(db,
                     "DELETE FROM staff; DELETE FROM staff_logins; DELETE FROM refunds;"
                     "INSERT OR REPLACE INTO staff_settings VALUES (1, 0);",
                     NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
        char verifier[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str_alg(verifier, people[i].pin, strlen(people[i].pin), PIN_OPSLIMIT,
                                  PIN_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0)
            return -1;
        sqlite3_stmt *st = sim_q(db, "INSERT INTO staff VALUES (?,?,?,?,?)");
        const char *v[] = {people[i].staff_no, people[i].card_no, people[i].name, people[i].role,
                           verifier};
        for (int k = 0; k < 5; k++)
            sqlite3_bind_text(st, k + 1, v[k], -1, SQLITE_STATIC);
        int ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_finalize(st);
        if (!ok)
            return -1;
    }
    return 0;
}

int staff_find(sqlite3 *db, const char *staff_no, struct staff *s)
{
    sqlite3_stmt *st =
        sim_q(db, "SELECT staff_no, card_no, name, role FROM staff WHERE staff_no = ?");
    sqlite3_bind_text(st, 1, staff_no, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        memset(s, 0, sizeof *s);
        snprintf(s->staff_no, sizeof s->staff_no, "%s", sim_col(st, 0));
        snprintf(s->card_no, sizeof s->card_no, "%s", sim_col(st, 1));
        snprintf(s->name, sizeof s->name, "%s", sim_col(st, 2));
        snprintf(s->role, sizeof s->role, "%s", sim_col(st, 3));
    }
    sqlite3_finalize(st);
    return found;
}

int staff_check(sqlite3 *db, const char *staff_no, const char *pin, struct staff *s)
{
    /* someone's verifier: the person's, or for nobody the first one's, checked all the same
     * (its answer then counts for nothing) */
    sqlite3_stmt *st = sim_q(db, "SELECT verifier, staff_no = ?1 FROM staff"
                                 " ORDER BY staff_no = ?1 DESC, staff_no LIMIT 1");
    sqlite3_bind_text(st, 1, staff_no, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return 0;
    }
    int known = sqlite3_column_int(st, 1);
    int match = crypto_pwhash_str_verify(sim_col(st, 0), pin, strlen(pin)) == 0;
    sqlite3_finalize(st);
    return known && match && staff_find(db, staff_no, s);
}

int staff_login_down(sqlite3 *db)
{
    sqlite3_stmt *st = sim_q(db, "SELECT login_down FROM staff_settings WHERE id = 1");
    int down = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return down;
}
