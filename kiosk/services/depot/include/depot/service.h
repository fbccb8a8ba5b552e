/* Depot pickup (提油) as a service: its one public header (kiosk/services/registry.c). */
#ifndef DEPOT_SERVICE_H
#define DEPOT_SERVICE_H

#include "host/service.h"

extern const struct service_def depot_service;

#endif
