/* E-invoices (docs/backend-api.md): one invoice per transaction, buyer tax IDs checked. */
#include <stdio.h>
#include <string.h>

#include "core/codes.h"
#include "json.h"
#include "sim.h"

/* POST /v1/invoices: an e-invoice for a transaction; buyer tax IDs are checked. */
static void issue_invoice(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const cJSON *b = rq->body;
    const char *txn = sim_jstr(b, "txn_no"), *type = sim_jstr(b, "buyer_type");
    const char *name = sim_jstr(b, "buyer_name"), *tax = sim_jstr(b, "tax_id");
    const char *email = sim_jstr(b, "email"), *phone = sim_jstr(b, "phone");
    if (!txn || !type || !name || !*name ||
        (strcmp(type, "individual") && strcmp(type, "organization"))) {
        sim_error(r, 400, "INVALID_ARGUMENT",
                  "txn_no, buyer_type (individual|organization) and buyer_name are required");
        return;
    }
    if (!strcmp(type, "organization") && (!tax || !code_taxid_valid(tax))) {
        sim_error(r, 400, "INVALID_TAX_ID", "an organisation needs a valid taxpayer ID");
        return;
    }
    char id[40], url[160];
    snprintf(id, sizeof id, "INV-%s", txn);
    snprintf(url, sizeof url, "https://inv.example/d/%s", id);
    sqlite3_stmt *st = sim_q(db, "INSERT OR IGNORE INTO invoices VALUES (?,?,?,?,?,?,?, 'ISSUED')");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, txn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, tax ? tax : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, email ? email : phone ? phone : "", -1, SQLITE_STATIC);
    sqlite3_step(st);
    int fresh = sqlite3_changes(db);
    sqlite3_finalize(st);
    if (!fresh) {
        sim_error(r, 409, "ALREADY_INVOICED", "this transaction has an invoice already");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "invoice_id", id);
    cJSON_AddStringToObject(o, "status", "ISSUED");
    cJSON_AddStringToObject(o, "download_url", url);
    sim_ok(r, o);
}

int sim_route_invoices(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    if (strcmp(rq->method, "POST") || strcmp(rq->path, "/v1/invoices"))
        return 0;
    issue_invoice(db, rq, r);
    return 1;
}
