/* The update service: switches to a staged version at a quiet moment and judges the trial
 * of a new one (docs/updates.md). Its one public header (kiosk/services/registry.c). */
#ifndef UPDATE_SERVICE_H
#define UPDATE_SERVICE_H

#include "host/service.h"

extern const struct service_def update_service;

#endif
