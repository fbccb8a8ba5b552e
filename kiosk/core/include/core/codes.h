/* Codes customers bring to the kiosk, checked locally before anything is sent:
 * product barcodes (EAN-13/EAN-8 check digit), customer payment codes (WeChat/Alipay
 * ranges), mobile numbers, national ID numbers (GB 11643 check digit) and buyer tax IDs
 * (unified social credit code, GB 32100 check digit). Plus masking for screens, receipts
 * and logs. Pure functions; no allocation. */
#ifndef KIOSK_CORE_CODES_H
#define KIOSK_CORE_CODES_H

#include <stddef.h>

/* 1 if `s` is an EAN-13 or EAN-8 with a correct check digit. */
int code_ean_valid(const char *s);

enum paycode_kind { PAYCODE_INVALID, PAYCODE_WECHAT, PAYCODE_ALIPAY };
/* WeChat: 18 digits starting 10-15; Alipay: 16-24 digits starting 25-30. */
enum paycode_kind code_paycode_kind(const char *s);

/* 1 if `s` is a mainland mobile number: 11 digits, 1[3-9]... */
int code_phone_valid(const char *s);

/* 1 if `s` is an 18-character ID number whose birth date (characters 7-14) exists and whose
 * ISO 7064 MOD 11-2 check digit is right. */
int code_id_valid(const char *s);
/* 1 if `s` is 8 digits YYYYMMDD of a date that exists, in 1900..2099. */
int code_date_valid(const char *s);

/* Scanned text is data from outside: 1 if it can be a code at all, i.e. 1..CODE_SCAN_MAX
 * bytes of valid UTF-8 without control characters. A scan that fails is refused whole,
 * never cleaned into something else. */
#define CODE_SCAN_MAX 200
int code_scan_ok(const char *s);

/* 1 when s (NULL: none) holds a run of n or more digits: the shape of a full payment code,
 * card number or ID number (CODE_PRIVATE_RUN), which the journal refuses to keep. */
#define CODE_PRIVATE_RUN 16
int code_digit_run(const char *s, int n);

/* What a scanned text is (a code_scan_ok() text; anything else is CODE_NOT_A_CODE), for
 * where it goes and for the log line, which never carries the text itself. Tried in this
 * order: a payment code, a product barcode (EAN with its check digit), a mobile number, an
 * ID number, a web address (http:// or https://), anything else. */
enum code_kind {
    CODE_NOT_A_CODE,
    CODE_PAYMENT,
    CODE_PRODUCT,
    CODE_PHONE,
    CODE_ID_NUMBER,
    CODE_URL,
    CODE_OTHER,
};
enum code_kind code_classify(const char *s);
/* "payment code", "product barcode", ... */
const char *code_kind_name(enum code_kind k);

/* Buyer tax ID: 15-20 letters/digits; an 18-character unified social credit code must
 * have its GB 32100 check character right. 1 if acceptable. */
int code_taxid_valid(const char *s);

/* Masks for display, receipts and logs; each writes a NUL-terminated string into out.
 *   phone 13800138000        -> 138****8000
 *   ID number (18 characters) -> 110***********002X (not one: 18 stars)
 *   payment code (18 digits) -> 1345**********1234
 *   name 张三丰 / Smith        -> 张** / S****  (first character kept; a byte that is not
 *                                UTF-8 text, or a control character, is a star)
 *   email zhao.lei@qq.com     -> z***@qq.com   (a domain with a run of 4 digits: z***@***) */
void mask_phone(const char *s, char *out, size_t cap);
void mask_id(const char *s, char *out, size_t cap);
void mask_code(const char *s, char *out, size_t cap);
void mask_name(const char *s, char *out, size_t cap);
void mask_email(const char *s, char *out, size_t cap);

#endif
