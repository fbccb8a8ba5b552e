/* What attendant mode journals and uploads (docs/backend-api.md, "Journal records"): the
 * refund transaction, the shift and day reports, the audit lines. Nothing private: staff
 * numbers are not, a staff card's number is masked, a PIN never comes here. */
#ifndef ATTENDANT_RECORD_H
#define ATTENDANT_RECORD_H

#include <stdint.h>

#include "api.h"
#include "flow.h"
#include "totals.h"

/* The "refund" transaction's payload (totals.h reads it). malloc'd JSON or NULL. */
char *at_record_refund(const char *refund_no, const struct at_sale *s,
                       const struct at_refund *r, const char *attendant, int64_t at_ms);
/* A shift's or day's report ("shift_report" / "day_report" records): the terminal, the
 * reference, who closed it, who approved carrying items over, from and to, how many shifts
 * and whether they add up (a day), the items carried over, and the totals. */
char *at_record_report(const char *terminal, const char *ref, int day, const char *attendant,
                       const char *approver, int64_t opened_ms, int64_t closed_ms, int shifts,
                       int matches, int carried, const struct totals *t);
/* An audit line ("audit" record): what (login, logout, login_failed, locked, shift_close,
 * day_close, reprint, refund, out_of_service, in_service, paper_changed, test_slip,
 * outbox_retry, outbox_handled), who, the approver or "", a detail (a transaction number,
 * why), when, where. */
char *at_record_audit(const char *terminal, const char *action, const char *who,
                      const char *approver, const char *detail, int64_t at_ms);

#endif
