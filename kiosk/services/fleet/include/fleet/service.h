/* The fleet agent as a service: its one public header (kiosk/services/registry.c). */
#ifndef FLEET_SERVICE_H
#define FLEET_SERVICE_H

#include "host/service.h"

extern const struct service_def fleet_service;

#endif
