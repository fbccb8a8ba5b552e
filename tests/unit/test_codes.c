#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/codes.h"

static void ean(void **state)
{
    (void)state;
    assert_true(code_ean_valid("6901234567892"));
    assert_true(code_ean_valid("4006381333931"));
    assert_true(code_ean_valid("96385074"));
    assert_false(code_ean_valid("6901234567893")); /* wrong check digit */
    assert_false(code_ean_valid("96385075"));
    assert_false(code_ean_valid("690123456789"));  /* 12 digits */
    assert_false(code_ean_valid("69012345678a2"));
    assert_false(code_ean_valid(""));
    assert_false(code_ean_valid(NULL));
}

static void paycodes(void **state)
{
    (void)state;
    assert_int_equal(code_paycode_kind("134567890123456789"), PAYCODE_WECHAT);
    assert_int_equal(code_paycode_kind("104567890123456789"), PAYCODE_WECHAT);
    assert_int_equal(code_paycode_kind("164567890123456789"), PAYCODE_INVALID);
    assert_int_equal(code_paycode_kind("13456789012345678"), PAYCODE_INVALID);  /* 17 */
    assert_int_equal(code_paycode_kind("2845678901234567"), PAYCODE_ALIPAY);    /* 16 */
    assert_int_equal(code_paycode_kind("284567890123456789012345"), PAYCODE_ALIPAY); /* 24 */
    assert_int_equal(code_paycode_kind("2845678901234567890123456"), PAYCODE_INVALID);
    assert_int_equal(code_paycode_kind("314567890123456789"), PAYCODE_INVALID);
    assert_int_equal(code_paycode_kind("13456789012345678x"), PAYCODE_INVALID);
    assert_int_equal(code_paycode_kind("https://weixin.qq.com/x"), PAYCODE_INVALID);
    assert_int_equal(code_paycode_kind(NULL), PAYCODE_INVALID);
}

static void phones_ids_taxids(void **state)
{
    (void)state;
    assert_true(code_phone_valid("13800138000"));
    assert_true(code_phone_valid("19912345678"));
    assert_false(code_phone_valid("12800138000"));
    assert_false(code_phone_valid("1380013800"));
    assert_false(code_phone_valid("1380013800a"));
    assert_true(code_id_valid("11010519491231002X"));
    assert_true(code_id_valid("11010519491231002x"));
    assert_false(code_id_valid("110105194912310021"));
    assert_false(code_id_valid("11010519491231002"));
    /* a right check digit on a birth date that does not exist is still wrong */
    assert_false(code_id_valid("110105194913310021")); /* month 13 */
    assert_false(code_id_valid("110105194802300023")); /* 30 February */
    assert_true(code_id_valid("110105200002290021"));  /* 29 February 2000: a leap year */
    assert_false(code_id_valid("110105190002290025")); /* 1900 was not */
    assert_false(code_id_valid("010105194912310026")); /* no region starts with 0 */
    assert_true(code_taxid_valid("91350100M000100Y43"));
    assert_false(code_taxid_valid("91350100M000100Y44"));
    assert_false(code_taxid_valid("91350100M000100I43")); /* I is not in the charset */
    assert_true(code_taxid_valid("110105123456789"));     /* old 15-character id */
    assert_false(code_taxid_valid("1101051234"));
    assert_false(code_taxid_valid("91350100m000100Y43"));
}

/* Scanned text is data: refused whole when it holds what no code can contain. */
static void scans(void **state)
{
    (void)state;
    char big[CODE_SCAN_MAX + 2];
    assert_true(code_scan_ok("134567890123451234"));
    assert_true(code_scan_ok("https://mp.weixin.qq.com/intp/invoice/usertitlewxa?a=1&b=2"));
    assert_true(code_scan_ok("1345 6789"));      /* a space is text: the classifier decides */
    assert_true(code_scan_ok("发票抬头"));         /* UTF-8 */
    assert_false(code_scan_ok(""));
    assert_false(code_scan_ok("1345 6789\xff 0123\x01 4512 34")); /* the keyboard-mode case */
    assert_false(code_scan_ok("134567890123451234\r"));
    assert_false(code_scan_ok("12\x7f"));
    assert_false(code_scan_ok("\xc2\x85"));      /* a C1 control character */
    assert_false(code_scan_ok("\xc0\xaf"));      /* overlong '/' */
    assert_false(code_scan_ok("\xed\xa0\x80"));  /* a surrogate */
    assert_false(code_scan_ok("\xe5\x8f"));      /* cut short */
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_false(code_scan_ok(big));
    big[CODE_SCAN_MAX] = '\0';
    assert_true(code_scan_ok(big));
}

static void masks(void **state)
{
    (void)state;
    char b[64];
    mask_phone("13800138000", b, sizeof b);
    assert_string_equal(b, "138****8000");
    mask_id("11010519491231002X", b, sizeof b);
    assert_string_equal(b, "110***********002X");
    mask_code("134567890123456789", b, sizeof b);
    assert_string_equal(b, "1345**********6789");
    mask_email("zhang.san@qq.com", b, sizeof b);
    assert_string_equal(b, "z***@qq.com");
    mask_email("a@b.cn", b, sizeof b);
    assert_string_equal(b, "a***@b.cn");
    mask_email("13800138000@139.com", b, sizeof b); /* the local part is a phone number */
    assert_string_equal(b, "1***@139.com");
    mask_email("li@1380013800.cn", b, sizeof b); /* a domain that is a number */
    assert_string_equal(b, "l***@***");
    mask_email("@qq.com", b, sizeof b);
    assert_string_equal(b, "***");
    mask_email("no-at-all", b, sizeof b);
    assert_string_equal(b, "***");
    mask_email("张@qq.com", b, sizeof b); /* never half a character */
    assert_string_equal(b, "***");
    mask_email("zhang.san@example.com", b, 8);
    assert_string_equal(b, "z***@ex");
    mask_name("张三丰", b, sizeof b);
    assert_string_equal(b, "张**");
    mask_name("Smith", b, sizeof b);
    assert_string_equal(b, "S****");
    mask_phone("123", b, sizeof b);
    assert_string_equal(b, "***");
    char small[4];
    mask_id("11010519491231002X", small, sizeof small);
    assert_string_equal(small, "110");
}

/* What a scan is, for where it goes and the log line (which never carries the text). */
static void classify(void **state)
{
    (void)state;
    assert_int_equal(code_classify("134567890123456789"), CODE_PAYMENT);
    assert_int_equal(code_classify("2845678901234567"), CODE_PAYMENT);
    assert_int_equal(code_classify("6901234567892"), CODE_PRODUCT);
    assert_int_equal(code_classify("96385074"), CODE_PRODUCT);
    assert_int_equal(code_classify("6901234567893"), CODE_OTHER); /* check digit wrong */
    assert_int_equal(code_classify("13800138000"), CODE_PHONE);
    assert_int_equal(code_classify("11010519491231002X"), CODE_ID_NUMBER);
    assert_int_equal(code_classify("https://weixin.qq.com/x"), CODE_URL);
    assert_int_equal(code_classify("MQR-88001234"), CODE_OTHER);
    assert_int_equal(code_classify("13\x01" "45"), CODE_NOT_A_CODE);
    assert_int_equal(code_classify(""), CODE_NOT_A_CODE);
    assert_int_equal(code_classify(NULL), CODE_NOT_A_CODE);
    assert_string_equal(code_kind_name(CODE_PAYMENT), "payment code");
    assert_string_equal(code_kind_name(CODE_NOT_A_CODE), "not a code");
}

/* ---- ID numbers and masks, as the ID card reader's cards need them ---- */

/* base (17 digits) with its right check character. */
static void with_check(const char *base, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (base[i] - '0') * w[i];
    memcpy(out, base, 17);
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

static void id_numbers_more(void **state)
{
    (void)state;
    assert_true(code_id_valid("11010519491231002X"));
    assert_true(code_id_valid("110105198203154413"));
    assert_false(code_id_valid("110105198203154414"));
    assert_false(code_id_valid("110105198303154413")); /* one digit changed */
    assert_false(code_id_valid("11010519491231002"));
    assert_false(code_id_valid("11010519491231002X1"));
    assert_false(code_id_valid(""));
    assert_false(code_id_valid(NULL));
    assert_false(code_id_valid("1101051949123100AX"));
    char id[19];
    with_check("11010519820230441", id); /* 30 February */
    assert_false(code_id_valid(id));
    with_check("11010519000229441", id); /* 1900 is no leap year */
    assert_false(code_id_valid(id));
    with_check("11010520000229441", id); /* 2000 is */
    assert_true(code_id_valid(id));
    with_check("11010519961301441", id); /* month 13 */
    assert_false(code_id_valid(id));
    with_check("11010519960400441", id); /* day 0 */
    assert_false(code_id_valid(id));
    with_check("11010519960431441", id); /* 31 April */
    assert_false(code_id_valid(id));
    with_check("11010519960430441", id);
    assert_true(code_id_valid(id));
}

static void masks_more(void **state)
{
    (void)state;
    char out[64];
    mask_name("王建国", out, sizeof out);
    assert_string_equal(out, "王**");
    mask_name("欧阳娜娜", out, sizeof out);
    assert_string_equal(out, "欧***");
    mask_name("李", out, sizeof out);
    assert_string_equal(out, "李");
    mask_name("Mary Ann", out, sizeof out);
    assert_string_equal(out, "M*******");
    mask_name("", out, sizeof out);
    assert_string_equal(out, "");
    mask_name(NULL, out, sizeof out);
    assert_string_equal(out, "");
    mask_name("王建国", out, 5); /* the first character and one star */
    assert_string_equal(out, "王*");
    mask_name("王建国", out, 3); /* not even the first character */
    assert_string_equal(out, "");
    mask_name("\x80王", out, sizeof out); /* not UTF-8: a star, never the byte */
    assert_string_equal(out, "**");

    mask_id("11010519491231002X", out, sizeof out);
    assert_string_equal(out, "110***********002X");
    mask_id("110105198203154413", out, sizeof out);
    assert_string_equal(out, "110***********4413");
    mask_id("1101051949123100", out, sizeof out); /* not an ID number: nothing shown */
    assert_string_equal(out, "******************");
    mask_id(NULL, out, sizeof out);
    assert_string_equal(out, "******************");
    mask_id("110105198203154413", out, 8);
    assert_string_equal(out, "110****");
}

static void digit_runs(void **state)
{
    (void)state;
    assert_int_equal(code_digit_run(NULL, CODE_PRIVATE_RUN), 0);
    assert_int_equal(code_digit_run("", CODE_PRIVATE_RUN), 0);
    assert_int_equal(code_digit_run("123456789012345", CODE_PRIVATE_RUN), 0);
    assert_int_equal(code_digit_run("x1234567890123456", CODE_PRIVATE_RUN), 1);
    assert_int_equal(code_digit_run("12345678 90123456", CODE_PRIVATE_RUN), 0);
    assert_int_equal(code_digit_run("a1b2", 1), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classify),
        cmocka_unit_test(ean),
        cmocka_unit_test(paycodes),
        cmocka_unit_test(phones_ids_taxids),
        cmocka_unit_test(masks),
        cmocka_unit_test(id_numbers_more),
        cmocka_unit_test(masks_more),
        cmocka_unit_test(scans),
        cmocka_unit_test(digit_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
