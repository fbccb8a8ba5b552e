/* The registry of services (kiosk/services/registry.c), ended by NULL. */
#ifndef SERVICES_REGISTRY_H
#define SERVICES_REGISTRY_H

#include "host/service.h"

extern const struct service_def *const service_registry[];

#endif
