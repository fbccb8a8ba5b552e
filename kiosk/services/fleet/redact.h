/* Log lines as the kiosk lets them leave for the operations team (the collect_logs
 * command): the kiosk never logs a code, a phone number or an ID number in full, and this
 * is the second line of defence, for what slipped through. Pure. What is masked:
 *   - an ID number (17 digits and an X, or 18 digits with a right check digit): core's
 *     mask_id (110***********4413);
 *   - a mobile number (11 digits, 1[3-9]...): mask_phone (138****8000);
 *   - any other run of 16 digits or more (payment codes, card numbers): mask_code
 *     (1345**********1234);
 *   - any other run of 11..15 digits: all stars;
 *   - a run of 4..10 digits within 24 bytes after "code", "pin", "otp", "token", "passw"
 *     or "member" (any case): all stars (a pickup code, a coupon, a PIN);
 *   - an email address: mask_email (z***@qq.com);
 *   - a byte that is not part of valid UTF-8, or a control character: '?'.
 * Transaction numbers (T0001-20261123-000042), times and amounts stay as they are. */
#ifndef FLEET_REDACT_H
#define FLEET_REDACT_H

#include <stddef.h>

/* `line` masked into out (cap bytes, always terminated; a line too long is cut between
 * characters). Returns how many things were masked. */
int fl_redact(const char *line, char *out, size_t cap);

#endif
