/* The services this kiosk runs, in the order of the home menu's tiles. A new service is a
 * folder under kiosk/services/ and one line here (and its target in CMakeLists.txt). The
 * session comes first: it is the frame the others run in. */
#include "attendant/service.h"
#include "card/service.h"
#include "checkout/service.h"
#include "depot/service.h"
#include "fleet/service.h"
#include "invoice/service.h"
#include "services/registry.h"
#include "session/service.h"
#include "update/service.h"

const struct service_def *const service_registry[] = {
    &session_service,
    &checkout_service,
    &invoice_service,
    &card_service,
    &depot_service,
    &attendant_service,
    &fleet_service,
    &update_service,
    NULL,
};
