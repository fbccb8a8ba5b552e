/* The session: the frame every customer goes through (attract, home, the inactivity
 * prompt). Registered in kiosk/services/registry.c. */
#ifndef SESSION_SERVICE_H
#define SESSION_SERVICE_H

#include "host/service.h"

extern const struct service_def session_service;

#endif
