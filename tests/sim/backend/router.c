/* The simulator's router: what must happen before every route, then each resource's routes
 * (one file per section of docs/backend-api.md) until one takes the request. */
#include "sim.h"

/* The resources, tried in this order until one answers that the request was its own. No two
 * take the same path, so the order is the API document's. A new resource is a new
 * routes_<resource>.c (in CMakeLists.txt), its declaration in sim.h and one line here. */
static sim_route_fn *const routes[] = {
    sim_route_pumps,     /* GET /v1/pumps, POST /v1/sales/{id}/lock|unlock */
    sim_route_products,  /* GET /v1/products/{barcode} */
    sim_route_members,   /* GET /v1/members/by-phone|by-qr/{key}, GET /v1/coupons/{qr} */
    sim_route_payments,  /* /v1/payments, /v1/payments/{otn}, /v1/payments/{otn}/cancel */
    sim_route_journal,   /* POST /v1/journal/records */
    sim_route_terminals, /* POST /v1/terminals/heartbeat */
    sim_route_orders,    /* POST /v1/orders, POST /v1/orders/{id}/complete */
    sim_route_invoices,  /* /v1/invoices/..., /v1/companies/{tax_id} */
    sim_route_cards,     /* /v1/cards/{card_no}, /loads, /loads/{id}/confirm, /subcards,
                          * /allocations, /history */
    sim_route_depot,     /* GET /v1/depots/{depot}/pickups/{code},
                          * POST /v1/depot/orders/{id}/driver|face|ticket */
    sim_route_shifts,    /* POST /v1/shifts/close */
    sim_route_staff,     /* POST /v1/staff/login, GET /v1/staff/verifiers, POST /v1/refunds */
    sim_route_invoice_admin, /* /v1/admin/invoices, /settings, /phone-page */
    sim_route_card_admin, /* GET /v1/admin/cards */
    sim_route_depot_admin, /* GET /v1/admin/depot, POST /v1/admin/depot/face */
    sim_route_staff_admin, /* GET|POST /v1/admin/staff */
    sim_route_admin,     /* /v1/admin/ journal, payments, orders, sales, members, ... */
};

void sim_route(sqlite3 *db, const struct sim_req *rq, struct sim_resp *resp)
{
    /* Before every route: a sale lock past its lease is no lock anywhere (pumps, locking,
     * pricing, payments, admin records), so lapsed leases are released first. */
    sim_expire_locks(db, rq->now_ms);
    /* Likewise the invoices the slow tax system has finished by now are issued. */
    sim_invoices_tick(db, rq->now_ms);

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (routes[i](db, rq, resp))
            return;
    sim_error(resp, 404, "NOT_FOUND", "no such route");
}
