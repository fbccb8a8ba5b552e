/* E-invoices (数电发票) for sales paid at this station. Registered in
 * kiosk/services/registry.c. */
#ifndef INVOICE_SERVICE_H
#define INVOICE_SERVICE_H

#include "host/service.h"

extern const struct service_def invoice_service;

#endif
