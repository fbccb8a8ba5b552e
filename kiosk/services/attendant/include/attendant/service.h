/* Attendant mode (站务) as a service: its one public header (kiosk/services/registry.c). */
#ifndef ATTENDANT_SERVICE_H
#define ATTENDANT_SERVICE_H

#include "host/service.h"

extern const struct service_def attendant_service;

#endif
