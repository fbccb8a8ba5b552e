/* Pay for fuel and shop goods. Registered in kiosk/services/registry.c. */
#ifndef CHECKOUT_SERVICE_H
#define CHECKOUT_SERVICE_H

#include "host/service.h"

extern const struct service_def checkout_service;

#endif
