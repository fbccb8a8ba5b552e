/* The fuel card service (加油卡): balance, recharge and load (圈存), loads left unfinished,
 * company allocation (预分配) and history, in one insertion of the card. */
#ifndef CARD_SERVICE_H
#define CARD_SERVICE_H

#include "host/service.h"

extern const struct service_def card_service;

#endif
