/* The e-invoice service's side of the wire: requests built from the flow, answers read
 * strictly, journal payloads that keep nothing private in full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/json.h"
#include "core/log.h"
#include "core/sign.h"
#include "record.h"

#define TXN42 "T0001-20261123-000042"
#define TXN43 "T0001-20261123-000043"
#define NUMBER "26110000000000000012"
#define SINOPEC "91110000710926094P" /* 17 digits in a row, check character right */

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    return j;
}

/* The longest run of digits in s (the journal refuses 16 or more). */
static int digit_run(const char *s)
{
    int run = 0, longest = 0;
    for (; *s; s++) {
        run = *s >= '0' && *s <= '9' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    return longest;
}

#include "invoice_sale.h"

/* The example with its first `from` replaced by `to` (asserted to be there). Static. */
static const char *with(const char *from, const char *to)
{
    static char out[8192];
    const char *at = strstr(sale_json, from);
    assert_non_null(at);
    int n = snprintf(out, sizeof out, "%.*s%s%s", (int)(at - sale_json), sale_json, to,
                     at + strlen(from));
    assert_true(n > 0 && (size_t)n < sizeof out);
    return out;
}

static int sale_reads(const char *text)
{
    static struct inv_sale s;
    cJSON *j = parse(text);
    int rc = inv_api_sale(j, &s);
    cJSON_Delete(j);
    return rc;
}

static void sale_answer(void **state)
{
    (void)state;
    static struct inv_sale s;
    static struct inv_answer a;
    cJSON *j = parse(sale_json);
    assert_int_equal(inv_api_sale(j, &s), 0);
    assert_string_equal(s.txn_no, TXN42);
    assert_string_equal(s.station, "ST001");
    assert_int_equal(s.paid_unix, 1795401600);
    assert_int_equal(s.nlines, 3);
    assert_true(s.has_fuel);
    assert_string_equal(s.lines[0].unit, "升");
    assert_int_equal(s.lines[0].qty_ml, 38500);
    assert_int_equal(s.lines[0].price_fen, 781);
    assert_int_equal(s.lines[1].qty, 2);
    assert_int_equal(s.lines[1].qty_ml, 0);
    assert_true(s.lines[2].discount);
    assert_int_equal(s.lines[2].amount_fen, -681);
    assert_string_equal(s.lines[2].unit, "");
    assert_int_equal(s.nexcluded, 1);
    assert_string_equal(s.excluded[0].reason, "POINTS");
    assert_string_equal(s.excluded[0].label_zh, "积分抵扣");
    assert_int_equal(s.excluded[0].amount_fen, 15300);
    assert_int_equal(s.amount_fen, 26283);
    assert_int_equal(s.tax_fen, 3416);
    assert_int_equal(s.total_fen, 29699);
    assert_int_equal(s.max_merge, 5);
    assert_int_equal(s.window_days, 30);
    assert_true(s.fuel_same_month);
    assert_int_equal(s.counter_over_fen, 1000000);
    assert_int_equal(s.reissue_limit, 1);
    assert_false(s.invoiced);
    assert_true(inv_sale_adds_up(&s));
    inv_api_answer(INV_CALL_SALE, 200, j, NULL, &a);
    assert_true(a.ok);
    assert_false(a.transport);
    assert_string_equal(a.code, "");
    assert_int_equal(a.sale.total_fen, 29699);
    cJSON_Delete(j);

    /* goods only, paid partly with a coupon, invoiced already by the phone page */
    j = parse("{\"txn_no\":\"" TXN43 "\",\"station\":\"ST001\",\"paid_unix\":1795420800,"
              "\"lines\":[{\"kind\":\"goods\",\"name\":\"*润滑油*机油 4L\",\"unit\":\"桶\","
              "\"qty\":1,\"price_fen\":19800,\"rate_pct\":13,\"amount_fen\":17522,"
              "\"tax_fen\":2278}],"
              "\"excluded\":[{\"reason\":\"COUPON\",\"label_zh\":\"优惠券\",\"label_en\":"
              "\"Coupon\",\"amount_fen\":1000}],"
              "\"amount_fen\":17522,\"tax_fen\":2278,\"total_fen\":19800,"
              "\"invoice\":{\"invoice_no\":\"" NUMBER "\",\"status\":\"ISSUED\","
              "\"issued_unix\":1795421000,\"buyer_name\":\"个人\",\"delivery\":\"z***@qq.com\","
              "\"download_url\":\"https://inv.example/d/12\",\"by\":\"phone\","
              "\"reissues_left\":1},"
              "\"rules\":{\"max_merge\":5,\"window_days\":30,\"fuel_same_month\":false,"
              "\"counter_over_fen\":1000000,\"reissue_limit\":1}}");
    assert_int_equal(inv_api_sale(j, &s), 0);
    cJSON_Delete(j);
    assert_false(s.has_fuel);
    assert_false(s.fuel_same_month);
    assert_true(inv_sale_adds_up(&s));
    assert_true(s.invoiced);
    assert_string_equal(s.invoice.number, NUMBER);
    assert_string_equal(s.invoice.by, "phone");
    assert_string_equal(s.invoice.delivery, "z***@qq.com");
    assert_int_equal(s.invoice.reissues_left, 1);
}

/* Not exactly as the API says: refused whole, never guessed around. */
static void sale_refusals(void **state)
{
    (void)state;
    static struct inv_answer a;
    static const struct {
        const char *from, *to;
    } bad[] = {
        /* missing or mistyped fields */
        {"\"station\":\"ST001\",", ""},
        {"\"txn_no\":\"T0001-20261123-000042\"", "\"txn_no\":\"\""},
        {"\"paid_unix\":1795401600,", ""},
        {"\"paid_unix\":1795401600", "\"paid_unix\":-1"},
        {"\"amount_fen\":26283,", ""},
        {"\"total_fen\":29699", "\"total_fen\":\"29699\""},
        {"\"total_fen\":29699", "\"total_fen\":0"},
        {",\"rules\":{\"max_merge\":5,\"window_days\":30,\"fuel_same_month\":true,"
         "\"counter_over_fen\":1000000,\"reissue_limit\":1}",
         ""},
        {"\"fuel_same_month\":true,", ""},
        {"\"fuel_same_month\":true", "\"fuel_same_month\":1"},
        {"\"max_merge\":5", "\"max_merge\":0"},
        {"\"window_days\":30,", ""},
        {"\"excluded\":[", "\"excludes\":["},
        {"\"lines\":[", "\"line\":["},
        {"\"kind\":\"goods\",\"name\":\"*汽油", "\"kind\":\"service\",\"name\":\"*汽油"},
        {"\"kind\":\"goods\",\"name\":\"*汽油", "\"name\":\"*汽油"},
        {"\"rate_pct\":13,\"amount_fen\":26610", "\"rate_pct\":113,\"amount_fen\":26610"},
        {"\"price_fen\":781,", ""},
        {"\"reason\":\"POINTS\",", ""},
        /* fractional money, money out of range */
        {"\"amount_fen\":26283", "\"amount_fen\":26283.5"},
        {"\"tax_fen\":3459", "\"tax_fen\":3459.01"},
        {"\"amount_fen\":-681", "\"amount_fen\":-681.5"},
        {"\"amount_fen\":15300", "\"amount_fen\":1.5e-1"},
        {"\"total_fen\":29699", "\"total_fen\":100000000001"},
        {"\"amount_fen\":15300", "\"amount_fen\":-1"},
        /* a fuel line without its unit 升, or without a quantity */
        {"\"unit\":\"升\"", "\"unit\":\"L\""},
        {"\"unit\":\"升\"", "\"unit\":\"\""},
        {"\"unit\":\"升\",", ""},
        {"\"qty_ml\":38500", "\"qty_ml\":0"},
        {"\"qty\":2,", ""},
        /* the invoice it is on, not as an invoice reads */
        {"\"invoice\":null", "\"invoice\":\"26110000000000000012\""},
        {"\"invoice\":null", "\"invoice\":{\"invoice_no\":\"2611000000000000001\","
                             "\"status\":\"ISSUED\",\"download_url\":\"https://d/1\"}"},
        {"\"invoice\":null", "\"invoice\":{\"invoice_no\":\"\",\"status\":\"ISSUED\","
                             "\"download_url\":\"https://d/1\"}"},
        {"\"invoice\":null", "\"invoice\":{\"invoice_no\":\"" NUMBER "\",\"status\":\"VOID\","
                             "\"download_url\":\"https://d/1\"}"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *text = with(bad[i].from, bad[i].to);
        if (sale_reads(text) != -1)
            fail_msg("read: %s", text);
        cJSON *j = parse(text);
        inv_api_answer(INV_CALL_SALE, 200, j, NULL, &a);
        cJSON_Delete(j);
        assert_false(a.ok);
        assert_string_equal(a.code, "UNUSABLE");
    }
    assert_int_equal(sale_reads(sale_json), 0);
    /* INV_MAX_LINES lines read; one more is refused */
    static const char line[] = "{\"kind\":\"goods\",\"name\":\"g\",\"unit\":\"瓶\",\"qty\":1,"
                               "\"price_fen\":200,\"rate_pct\":13,\"amount_fen\":177,"
                               "\"tax_fen\":23}";
    for (int n = INV_MAX_LINES; n <= INV_MAX_LINES + 1; n++) {
        char lines[4096] = "", text[8192];
        size_t at = 0;
        for (int i = 0; i < n; i++)
            at += (size_t)snprintf(lines + at, sizeof lines - at, "%s%s", i ? "," : "", line);
        assert_true(at < sizeof lines);
        snprintf(text, sizeof text,
                 "{\"txn_no\":\"%s\",\"station\":\"ST001\",\"paid_unix\":1,\"lines\":[%s],"
                 "\"excluded\":[],\"amount_fen\":%d,\"tax_fen\":%d,\"total_fen\":%d,"
                 "\"invoice\":null,\"rules\":{\"max_merge\":5,\"window_days\":30,"
                 "\"fuel_same_month\":true,\"counter_over_fen\":0,\"reissue_limit\":0}}",
                 TXN42, lines, 177 * n, 23 * n, 200 * n);
        assert_int_equal(sale_reads(text), n <= INV_MAX_LINES ? 0 : -1);
    }
    /* as many exclusions as the kiosk holds, and no more */
    static const char x[] = "{\"reason\":\"COUPON\",\"label_zh\":\"券\",\"label_en\":\"C\","
                            "\"amount_fen\":1}";
    for (int n = INV_MAX_EXCLUDED; n <= INV_MAX_EXCLUDED + 1; n++) {
        char list[2048] = "[";
        for (int i = 0; i < n; i++) {
            strcat(list, i ? "," : "");
            strcat(list, x);
        }
        strcat(list, "]");
        const char *from = "[{\"reason\":\"POINTS\",\"label_zh\":\"积分抵扣\",\"label_en\":"
                           "\"Paid with points\",\"amount_fen\":15300}]";
        assert_int_equal(sale_reads(with(from, list)), n <= INV_MAX_EXCLUDED ? 0 : -1);
    }
    /* not an object at all */
    assert_int_equal(sale_reads("[]"), -1);
    assert_int_equal(inv_api_sale(NULL, &a.sale), -1);
}

/* A fuel card's recharge (充值开票) as the backend answers it: one prepaid-card line, not
 * taxable (不征税): no quantity, unit or price, rate 0 with its reason, tax 0. */
static const char recharge_json[] =
    "{\"txn_no\":\"T0001-20261130-000001\",\"station\":\"ST001\",\"paid_unix\":1795996800,"
    "\"lines\":[{\"kind\":\"goods\",\"name\":\"*预付卡销售*加油卡充值\",\"unit\":\"\","
    "\"rate_pct\":0,\"zero_rate\":\"NOT_TAXABLE\",\"amount_fen\":20000,\"tax_fen\":0}],"
    "\"excluded\":[],\"amount_fen\":20000,\"tax_fen\":0,\"total_fen\":20000,"
    "\"invoice\":null,\"rules\":{\"max_merge\":5,\"window_days\":30,"
    "\"fuel_same_month\":true,\"counter_over_fen\":1000000,\"reissue_limit\":1}}";

/* The recharge's line reads, and only as the API says it: a line without a quantity is the
 * not-taxable one, with no unit or price; NOT_TAXABLE goes with rate 0 and tax 0. */
static void recharge_answer(void **state)
{
    (void)state;
    static struct inv_sale s;
    cJSON *j = parse(recharge_json);
    assert_int_equal(inv_api_sale(j, &s), 0);
    cJSON_Delete(j);
    assert_int_equal(s.nlines, 1);
    assert_string_equal(s.lines[0].name, "*预付卡销售*加油卡充值");
    assert_string_equal(s.lines[0].unit, "");
    assert_int_equal(s.lines[0].qty, 0);
    assert_int_equal(s.lines[0].qty_ml, 0);
    assert_int_equal(s.lines[0].price_fen, 0);
    assert_int_equal(s.lines[0].rate_pct, 0);
    assert_true(s.lines[0].not_taxable);
    assert_int_equal(s.lines[0].amount_fen, 20000);
    assert_int_equal(s.lines[0].tax_fen, 0);
    assert_false(s.has_fuel);
    assert_true(inv_sale_adds_up(&s));
    /* taxed lines say nothing of it */
    j = parse(sale_json);
    assert_int_equal(inv_api_sale(j, &s), 0);
    cJSON_Delete(j);
    assert_false(s.lines[0].not_taxable);
    static const struct {
        const char *from, *to;
    } bad[] = {
        {",\"zero_rate\":\"NOT_TAXABLE\"", ""},
        {"\"zero_rate\":\"NOT_TAXABLE\"", "\"zero_rate\":\"EXEMPT\""},
        {"\"zero_rate\":\"NOT_TAXABLE\"", "\"zero_rate\":true"},
        {"\"rate_pct\":0", "\"rate_pct\":13"},
        {"\"amount_fen\":20000,\"tax_fen\":0}", "\"amount_fen\":19999,\"tax_fen\":1}"},
        {"\"unit\":\"\"", "\"unit\":\"次\""},
        {"\"unit\":\"\",", ""},
        {"\"unit\":\"\"", "\"unit\":\"\",\"price_fen\":20000"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[2048];
        const char *at = strstr(recharge_json, bad[i].from);
        assert_non_null(at);
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - recharge_json), recharge_json, bad[i].to,
                 at + strlen(bad[i].from));
        if (sale_reads(text) != -1)
            fail_msg("read: %s", text);
    }
    /* nor is a taxed line not taxable */
    assert_int_equal(sale_reads(with("\"rate_pct\":13,\"amount_fen\":354",
                                     "\"rate_pct\":13,\"zero_rate\":\"NOT_TAXABLE\","
                                     "\"amount_fen\":354")),
                     -1);
}

static int invoice_reads(const char *text, struct inv_invoice *iv)
{
    cJSON *j = parse(text);
    int rc = inv_api_invoice(j, iv);
    cJSON_Delete(j);
    return rc;
}

/* What issuing answers: ISSUED with its number, PENDING without, REFUSED with a code. */
static void issue_answers(void **state)
{
    (void)state;
    static struct inv_answer a;
    struct inv_invoice iv;
    assert_int_equal(invoice_reads("{\"invoice_no\":\"" NUMBER "\",\"status\":\"ISSUED\","
                                   "\"download_url\":\"https://inv.example/d/12\"}",
                                   &iv),
                     0);
    assert_string_equal(iv.number, NUMBER);
    assert_string_equal(iv.url, "https://inv.example/d/12");
    assert_int_equal(iv.reissues_left, 0);
    assert_int_equal(invoice_reads("{\"invoice_no\":\"\",\"status\":\"PENDING\","
                                   "\"download_url\":\"\"}",
                                   &iv),
                     0);
    static const char *const bad[] = {
        "{\"invoice_no\":\"2611000000000000001\",\"status\":\"ISSUED\",\"download_url\":\"u\"}",
        "{\"invoice_no\":\"261100000000000000123\",\"status\":\"ISSUED\",\"download_url\":\"u\"}",
        "{\"invoice_no\":\"2611000000000000001A\",\"status\":\"ISSUED\",\"download_url\":\"u\"}",
        "{\"invoice_no\":\"\",\"status\":\"ISSUED\",\"download_url\":\"u\"}",
        "{\"status\":\"ISSUED\",\"download_url\":\"u\"}",
        "{\"invoice_no\":\"" NUMBER "\",\"status\":\"ISSUED\",\"download_url\":\"\"}",
        "{\"invoice_no\":\"" NUMBER "\",\"status\":\"ISSUED\"}",
        "{\"invoice_no\":\"" NUMBER "\",\"status\":\"REFUSED\",\"download_url\":\"u\"}",
        "{\"invoice_no\":\"" NUMBER "\",\"download_url\":\"u\"}",
        "{\"invoice_no\":20,\"status\":\"PENDING\",\"download_url\":\"\"}",
        "{\"invoice_no\":\"\",\"status\":\"PENDING\",\"download_url\":\"\",\"reissues_left\":-1}",
        "{\"invoice_no\":\"\",\"status\":\"PENDING\",\"download_url\":\"\",\"reissues_left\":0.5}",
        "[]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (invoice_reads(bad[i], &iv) != -1)
            fail_msg("read: %s", bad[i]);

    static const enum inv_call calls[] = {INV_CALL_ISSUE, INV_CALL_STATUS};
    for (size_t k = 0; k < 2; k++) {
        cJSON *j = parse("{\"request_id\":\"r1\",\"status\":\"ISSUED\",\"invoice_no\":\"" NUMBER
                         "\",\"download_url\":\"https://inv.example/d/12\",\"amount_fen\":26283,"
                         "\"tax_fen\":3416,\"total_fen\":29699}");
        inv_api_answer(calls[k], 201, j, NULL, &a);
        cJSON_Delete(j);
        assert_true(a.ok);
        assert_string_equal(a.issue_status, "ISSUED");
        assert_string_equal(a.invoice.number, NUMBER);
        j = parse("{\"request_id\":\"r1\",\"status\":\"PENDING\",\"invoice_no\":\"\","
                  "\"download_url\":\"\"}");
        inv_api_answer(calls[k], 200, j, NULL, &a);
        cJSON_Delete(j);
        assert_true(a.ok);
        assert_string_equal(a.issue_status, "PENDING");
        j = parse("{\"request_id\":\"r1\",\"status\":\"REFUSED\",\"invoice_no\":\"\","
                  "\"download_url\":\"\",\"code\":\"COUNTER_ONLY\"}");
        inv_api_answer(calls[k], 200, j, NULL, &a);
        cJSON_Delete(j);
        assert_true(a.ok);
        assert_string_equal(a.issue_status, "REFUSED");
        assert_string_equal(a.code, "COUNTER_ONLY");
        static const char *const unusable[] = {
            "{\"status\":\"REFUSED\"}", /* refused, but why? */
            "{\"status\":\"ISSUED\",\"invoice_no\":\"\",\"download_url\":\"u\"}", /* no number */
            "{\"status\":\"ISSUED\",\"invoice_no\":\"2611000000000000001\","
            "\"download_url\":\"u\"}", /* 19 digits */
            "{\"status\":\"DONE\",\"invoice_no\":\"\",\"download_url\":\"\"}",
            "{\"invoice_no\":\"" NUMBER "\",\"download_url\":\"u\"}",
            "{\"status\":7}",
            "{}",
        };
        for (size_t i = 0; i < sizeof unusable / sizeof unusable[0]; i++) {
            j = parse(unusable[i]);
            inv_api_answer(calls[k], 200, j, NULL, &a);
            cJSON_Delete(j);
            if (a.ok)
                fail_msg("usable: %s", unusable[i]);
            assert_string_equal(a.code, "UNUSABLE");
            assert_int_equal(a.status, 200);
            assert_false(a.transport);
        }
        inv_api_answer(calls[k], 200, NULL, NULL, &a); /* a 2xx that is no JSON */
        assert_false(a.ok);
        assert_string_equal(a.code, "UNUSABLE");
    }
    /* resend */
    cJSON *j = parse("{\"sent\":true}");
    inv_api_answer(INV_CALL_RESEND, 200, j, NULL, &a);
    cJSON_Delete(j);
    assert_true(a.ok);
    static const char *const not_sent[] = {"{\"sent\":false}", "{\"sent\":1}", "{}"};
    for (size_t i = 0; i < 3; i++) {
        j = parse(not_sent[i]);
        inv_api_answer(INV_CALL_RESEND, 200, j, NULL, &a);
        cJSON_Delete(j);
        assert_false(a.ok);
    }
    /* a call the kiosk does not make */
    inv_api_answer(INV_CALL_NONE, 200, NULL, NULL, &a);
    assert_false(a.ok);
}

static int buyer_reads(const char *text, struct inv_buyer *b)
{
    cJSON *j = parse(text);
    int rc = inv_api_buyer(j, b);
    cJSON_Delete(j);
    return rc;
}

/* The taxpayer directory and the title QRs. */
static void buyer_answers(void **state)
{
    (void)state;
    static struct inv_answer a;
    struct inv_buyer b;
    assert_int_equal(buyer_reads("{\"tax_id\":\"" SINOPEC
                                 "\",\"name\":\"中国石油化工股份有限公司\","
                                 "\"address\":\"北京市朝阳区朝阳门北大街22号\",\"phone\":"
                                 "\"010-59960114\",\"bank\":\"中国工商银行\",\"account\":"
                                 "\"0200 0000 0000\"}",
                                 &b),
                     0);
    assert_true(b.organisation); /* the directory knows organisations only */
    assert_string_equal(b.tax_id, SINOPEC);
    assert_string_equal(b.phone, "010-59960114");
    assert_int_equal(buyer_reads("{\"buyer_type\":\"individual\",\"name\":\"张三\",\"tax_id\":\"\","
                                 "\"address\":\"\",\"phone\":\"\",\"bank\":\"\",\"account\":\"\"}",
                                 &b),
                     0);
    assert_false(b.organisation);
    assert_string_equal(b.name, "张三");
    assert_int_equal(buyer_reads("{\"buyer_type\":\"organization\",\"name\":\"x\",\"tax_id\":\""
                                 "110108123456789\",\"address\":\"\",\"phone\":\"\",\"bank\":"
                                 "\"\",\"account\":\"\"}",
                                 &b),
                     0);
    assert_true(b.organisation);
    char longname[INV_NAME_LEN + 64];
    memset(longname, 'x', sizeof longname);
    longname[INV_NAME_LEN] = '\0'; /* one more than the field holds */
    char text[512];
    snprintf(text, sizeof text,
             "{\"tax_id\":\"" SINOPEC "\",\"name\":\"%s\",\"address\":\"\","
             "\"phone\":\"\",\"bank\":\"\",\"account\":\"\"}",
             longname);
    const char *const bad[] = {
        "{\"tax_id\":\"91110000710926094Q\",\"name\":\"x\",\"address\":\"\",\"phone\":\"\","
        "\"bank\":\"\",\"account\":\"\"}", /* check character wrong */
        "{\"tax_id\":\"\",\"name\":\"x\",\"address\":\"\",\"phone\":\"\",\"bank\":\"\","
        "\"account\":\"\"}",
        "{\"name\":\"x\",\"address\":\"\",\"phone\":\"\",\"bank\":\"\",\"account\":\"\"}",
        "{\"tax_id\":\"" SINOPEC "\",\"name\":\"\",\"address\":\"\",\"phone\":\"\",\"bank\":\"\","
        "\"account\":\"\"}",
        "{\"tax_id\":\"" SINOPEC "\",\"name\":\"x\",\"phone\":\"\",\"bank\":\"\","
        "\"account\":\"\"}",
        "{\"buyer_type\":\"person\",\"name\":\"x\",\"tax_id\":\"\",\"address\":\"\","
        "\"phone\":\"\",\"bank\":\"\",\"account\":\"\"}",
        "{\"buyer_type\":\"organization\",\"name\":\"x\",\"tax_id\":\"\",\"address\":\"\","
        "\"phone\":\"\",\"bank\":\"\",\"account\":\"\"}",
        text,
        "\"x\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (buyer_reads(bad[i], &b) != -1)
            fail_msg("read: %s", bad[i]);
    cJSON *j = parse(bad[0]);
    inv_api_answer(INV_CALL_COMPANY, 200, j, NULL, &a);
    cJSON_Delete(j);
    assert_false(a.ok);
    assert_string_equal(a.code, "UNUSABLE");
    j = parse("{\"buyer_type\":\"individual\",\"name\":\"张三\",\"tax_id\":\"\",\"address\":\"\","
              "\"phone\":\"\",\"bank\":\"\",\"account\":\"\"}");
    inv_api_answer(INV_CALL_TITLE, 200, j, NULL, &a);
    cJSON_Delete(j);
    assert_true(a.ok);
    assert_string_equal(a.buyer.name, "张三");
}

/* Errors: the code as the client found it, and what details say. */
static void error_answers(void **state)
{
    (void)state;
    static struct inv_answer a;
    cJSON *j =
        parse("{\"error\":{\"code\":\"ALREADY_INVOICED\",\"message\":\"m\",\"retryable\":"
              "false,\"details\":{\"txn_no\":\"" TXN42 "\",\"invoice\":{\"invoice_no\":\"" NUMBER
              "\",\"status\":\"ISSUED\",\"issued_unix\":1795421000,\"buyer_name\":"
              "\"北京京华运输有限公司\",\"delivery\":\"138****8000\",\"download_url\":"
              "\"https://inv.example/d/12\",\"by\":\"counter\",\"reissues_left\":0}}}}");
    inv_api_answer(INV_CALL_ISSUE, 409, j, "ALREADY_INVOICED", &a);
    cJSON_Delete(j);
    assert_false(a.ok);
    assert_false(a.transport);
    assert_int_equal(a.status, 409);
    assert_string_equal(a.code, "ALREADY_INVOICED");
    assert_string_equal(a.invoice.number, NUMBER);
    assert_string_equal(a.invoice.buyer_name, "北京京华运输有限公司");
    assert_string_equal(a.invoice.delivery, "138****8000");
    assert_string_equal(a.invoice.by, "counter");
    assert_int_equal(a.invoice.reissues_left, 0);
    /* an invoice in the details that does not read: none */
    j = parse("{\"error\":{\"code\":\"ALREADY_INVOICED\",\"message\":\"m\",\"details\":{"
              "\"invoice\":{\"invoice_no\":\"123\",\"status\":\"ISSUED\"}}}}");
    inv_api_answer(INV_CALL_ISSUE, 409, j, "ALREADY_INVOICED", &a);
    cJSON_Delete(j);
    assert_string_equal(a.invoice.number, "");
    assert_string_equal(a.invoice.status, "");
    /* the product short of stock */
    j = parse("{\"error\":{\"code\":\"REFINED_OIL_STOCK\",\"message\":\"m\",\"details\":{"
              "\"name\":\"*柴油*0号车用柴油\"}}}");
    inv_api_answer(INV_CALL_ISSUE, 422, j, "REFINED_OIL_STOCK", &a);
    cJSON_Delete(j);
    assert_string_equal(a.code, "REFINED_OIL_STOCK");
    assert_string_equal(a.detail, "*柴油*0号车用柴油");
    /* no details, no body, no answer */
    j = parse("{\"error\":{\"code\":\"COUNTER_ONLY\",\"message\":\"m\"}}");
    inv_api_answer(INV_CALL_ISSUE, 422, j, "COUNTER_ONLY", &a);
    cJSON_Delete(j);
    assert_string_equal(a.detail, "");
    assert_string_equal(a.code, "COUNTER_ONLY");
    inv_api_answer(INV_CALL_SALE, 502, NULL, "BAD_GATEWAY", &a);
    assert_false(a.ok);
    assert_false(a.transport);
    assert_string_equal(a.code, "BAD_GATEWAY");
    inv_api_answer(INV_CALL_SALE, 0, NULL, NULL, &a);
    assert_false(a.ok);
    assert_true(a.transport);
    assert_string_equal(a.code, "");
    /* a code too long for the field is cut, terminated */
    char code[128];
    memset(code, 'E', sizeof code - 1);
    code[sizeof code - 1] = '\0';
    inv_api_answer(INV_CALL_SALE, 400, NULL, code, &a);
    assert_int_equal(strlen(a.code), sizeof a.code - 1);
}

/* A flow ready to issue: two sales, an individual, a phone and an email. */
static void ready(struct inv_flow *f)
{
    inv_init(f);
    f->state = INV_PREVIEW;
    f->nsales = 2;
    snprintf(f->sales[0].txn_no, sizeof f->sales[0].txn_no, TXN43);
    snprintf(f->sales[1].txn_no, sizeof f->sales[1].txn_no, TXN42);
    for (int i = 0; i < 2; i++) {
        f->sales[i].amount_fen = 26283;
        f->sales[i].tax_fen = 3416;
        f->sales[i].total_fen = 29699;
    }
    snprintf(f->buyer.name, sizeof f->buyer.name, "个人");
    snprintf(f->phone, sizeof f->phone, "13800138000");
    snprintf(f->email, sizeof f->email, "zhang.san@qq.com");
    snprintf(f->idem_key, sizeof f->idem_key, "inv-0123456789abcdef0123456789abcdef01234567");
}

static void organisation_buyer(struct inv_flow *f, int extras)
{
    f->buyer = (struct inv_buyer){.organisation = 1,
                                  .name = "中国石油化工股份有限公司",
                                  .tax_id = SINOPEC,
                                  .address = "北京市朝阳区朝阳门北大街22号",
                                  .phone = "010-59960114",
                                  .bank = "中国工商银行",
                                  .account = "0200000000000000000",
                                  .extras = extras};
}

static struct inv_request request(enum inv_call k, const char *subject, int reissue)
{
    struct inv_request rq = {.call = k, .reissue = reissue};
    snprintf(rq.subject, sizeof rq.subject, "%s", subject);
    return rq;
}

static void requests(void **state)
{
    (void)state;
    static struct inv_flow f;
    struct inv_http h;
    struct inv_request rq;
    char hex[SIGN_HEX_LEN], want[112];
    ready(&f);
    /* the lookups: GET, no body, no key */
    static const struct {
        enum inv_call call;
        const char *subject, *path;
    } gets[] = {
        {INV_CALL_SALE, TXN42, "/v1/invoices/sales/" TXN42},
        {INV_CALL_SALE, "AbCdEfGhIjKlMnOpQrSt", "/v1/invoices/sales/AbCdEfGhIjKlMnOpQrSt"},
        {INV_CALL_COMPANY, SINOPEC, "/v1/companies/" SINOPEC},
        {INV_CALL_STATUS, "inv-0123456789abcdef0123456789abcdef01234567",
         "/v1/invoices/requests/inv-0123456789abcdef0123456789abcdef01234567"},
        {INV_CALL_STATUS, "rei-" NUMBER, "/v1/invoices/requests/rei-" NUMBER},
    };
    for (size_t i = 0; i < sizeof gets / sizeof gets[0]; i++) {
        rq = request(gets[i].call, gets[i].subject, 0);
        assert_int_equal(inv_api_http(&f, &rq, &h), 0);
        assert_string_equal(h.method, "GET");
        assert_string_equal(h.path, gets[i].path);
        assert_null(h.body);
        assert_string_equal(h.key, "");
        inv_api_http_free(&h);
    }
    /* nothing that is not a plain path part goes into a path */
    static const char *const unsafe[] = {"", "../admin", "a/b", "a?b=1", "a b", "a%2f", "张"};
    static const enum inv_call pathed[] = {INV_CALL_SALE, INV_CALL_COMPANY, INV_CALL_STATUS,
                                           INV_CALL_RESEND};
    for (size_t k = 0; k < sizeof pathed / sizeof pathed[0]; k++)
        for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
            rq = request(pathed[k], unsafe[i], 0);
            assert_int_equal(inv_api_http(&f, &rq, &h), -1);
            assert_null(h.body);
        }
    rq = request(INV_CALL_ISSUE, "../x", 1);
    assert_int_equal(inv_api_http(&f, &rq, &h), -1);
    assert_null(h.body);
    rq = request(INV_CALL_NONE, TXN42, 0);
    assert_int_equal(inv_api_http(&f, &rq, &h), -1);
    rq = request(INV_CALL_LAST, TXN42, 0);
    assert_int_equal(inv_api_http(&f, &rq, &h), -1);

    /* a title QR: its text in the body, a key of its own */
    static const char qr[] = "https://wx.example/invoice-title/T100?a=1&b=2";
    rq = request(INV_CALL_TITLE, qr, 0);
    assert_int_equal(inv_api_http(&f, &rq, &h), 0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.path, "/v1/invoices/titles");
    cJSON *j = parse(h.body);
    assert_string_equal(json_str(j, "qr"), qr);
    cJSON_Delete(j);
    sign_sha256_hex(qr, strlen(qr), hex);
    snprintf(want, sizeof want, "title-%.40s", hex);
    assert_string_equal(h.key, want);
    inv_api_http_free(&h);
    assert_null(h.body);
    inv_api_http_free(&h); /* twice is harmless */

    /* the issue: the sales, the buyer, the delivery, the flow's key */
    rq = request(INV_CALL_ISSUE, f.idem_key, 0);
    assert_int_equal(inv_api_http(&f, &rq, &h), 0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.path, "/v1/invoices");
    assert_string_equal(h.key, f.idem_key);
    assert_non_null(h.body);
    j = parse(h.body);
    const cJSON *sales = cJSON_GetObjectItemCaseSensitive(j, "sales");
    assert_int_equal(cJSON_GetArraySize(sales), 2);
    assert_string_equal(cJSON_GetArrayItem(sales, 0)->valuestring, TXN43);
    assert_string_equal(cJSON_GetArrayItem(sales, 1)->valuestring, TXN42);
    const cJSON *buyer = cJSON_GetObjectItemCaseSensitive(j, "buyer");
    assert_string_equal(json_str(buyer, "type"), "individual");
    assert_string_equal(json_str(buyer, "name"), "个人");
    static const char *const parts[] = {"tax_id", "address", "phone", "bank", "account"};
    for (size_t i = 0; i < 5; i++) {
        assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(buyer, parts[i])));
        assert_string_equal(json_str(buyer, parts[i]), "");
    }
    const cJSON *delivery = cJSON_GetObjectItemCaseSensitive(j, "delivery");
    assert_string_equal(json_str(delivery, "phone"), "13800138000");
    assert_string_equal(json_str(delivery, "email"), "zhang.san@qq.com");
    cJSON_Delete(j);
    inv_api_http_free(&h);
    assert_null(h.body);
    /* an organisation, with and without its extras */
    for (int extras = 0; extras <= 1; extras++) {
        organisation_buyer(&f, extras);
        f.email[0] = '\0';
        assert_int_equal(inv_api_http(&f, &rq, &h), 0);
        j = parse(h.body);
        buyer = cJSON_GetObjectItemCaseSensitive(j, "buyer");
        assert_string_equal(json_str(buyer, "type"), "organization");
        assert_string_equal(json_str(buyer, "name"), "中国石油化工股份有限公司");
        assert_string_equal(json_str(buyer, "tax_id"), SINOPEC);
        assert_string_equal(json_str(buyer, "address"),
                            extras ? "北京市朝阳区朝阳门北大街22号" : "");
        assert_string_equal(json_str(buyer, "phone"), extras ? "010-59960114" : "");
        assert_string_equal(json_str(buyer, "bank"), extras ? "中国工商银行" : "");
        assert_string_equal(json_str(buyer, "account"), extras ? "0200000000000000000" : "");
        delivery = cJSON_GetObjectItemCaseSensitive(j, "delivery");
        assert_string_equal(json_str(delivery, "email"), "");
        cJSON_Delete(j);
        inv_api_http_free(&h);
        assert_null(h.body);
    }
    /* a correction: the invoice in the path, its own key, no sales */
    snprintf(f.idem_key, sizeof f.idem_key, "rei-%s", NUMBER);
    rq = request(INV_CALL_ISSUE, NUMBER, 1);
    assert_int_equal(inv_api_http(&f, &rq, &h), 0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.path, "/v1/invoices/" NUMBER "/reissue");
    assert_string_equal(h.key, "rei-" NUMBER);
    j = parse(h.body);
    assert_null(cJSON_GetObjectItemCaseSensitive(j, "sales"));
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "buyer")));
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "delivery")));
    cJSON_Delete(j);
    inv_api_http_free(&h);

    /* a resend: the delivery typed; one key per invoice and delivery */
    ready(&f);
    char k1[112], k2[112];
    rq = request(INV_CALL_RESEND, NUMBER, 0);
    assert_int_equal(inv_api_http(&f, &rq, &h), 0);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.path, "/v1/invoices/" NUMBER "/resend");
    j = parse(h.body);
    assert_string_equal(json_str(j, "phone"), "13800138000");
    assert_string_equal(json_str(j, "email"), "zhang.san@qq.com");
    cJSON_Delete(j);
    assert_int_equal(strlen(h.key), strlen("resend-") + 40);
    assert_memory_equal(h.key, "resend-", 7);
    snprintf(k1, sizeof k1, "%s", h.key);
    inv_api_http_free(&h);
    assert_int_equal(inv_api_http(&f, &rq, &h), 0); /* asked again: the same request */
    assert_string_equal(h.key, k1);
    inv_api_http_free(&h);
    rq = request(INV_CALL_RESEND, "26110000000000000099", 0); /* another invoice */
    assert_int_equal(inv_api_http(&f, &rq, &h), 0);
    snprintf(k2, sizeof k2, "%s", h.key);
    inv_api_http_free(&h);
    assert_string_not_equal(k1, k2);
    rq = request(INV_CALL_RESEND, NUMBER, 0);
    snprintf(f.phone, sizeof f.phone, "13900139000"); /* another delivery */
    assert_int_equal(inv_api_http(&f, &rq, &h), 0);
    assert_string_not_equal(h.key, k1);
    inv_api_http_free(&h);
}

/* What the journal keeps of an issue: nothing private in full. */
static void records(void **state)
{
    (void)state;
    static struct inv_flow f;
    int64_t total = -1;
    /* an individual, by name (from a title QR) */
    ready(&f);
    snprintf(f.buyer.name, sizeof f.buyer.name, "张三丰");
    char *p = inv_record_intent(&f);
    assert_non_null(p);
    assert_null(strstr(p, "13800138000"));
    assert_null(strstr(p, "zhang.san"));
    assert_null(strstr(p, "张三丰"));
    assert_true(digit_run(p) < 16);
    cJSON *j = parse(p);
    assert_string_equal(json_str(j, "buyer_type"), "individual");
    assert_string_equal(json_str(j, "buyer_name"), "张**");
    assert_string_equal(json_str(j, "tax_id"), "");
    assert_string_equal(json_str(j, "phone"), "138****8000");
    assert_string_equal(json_str(j, "email"), "z***@qq.com");
    assert_string_equal(json_str(j, "reissue_of"), "");
    const cJSON *sales = cJSON_GetObjectItemCaseSensitive(j, "sales");
    assert_int_equal(cJSON_GetArraySize(sales), 2);
    assert_string_equal(cJSON_GetArrayItem(sales, 0)->valuestring, TXN43);
    int bad = 0;
    assert_int_equal(json_int(j, "total_fen", 0, JSON_MAX_FEN, &bad), 2 * 29699);
    assert_int_equal(json_int(j, "tax_fen", 0, JSON_MAX_FEN, &bad), 2 * 3416);
    assert_false(bad);
    cJSON_Delete(j);

    /* its invoice's record: the intent with the request, the status, the number grouped */
    char *r = inv_record_txn(p, f.idem_key, "ISSUED", NUMBER, &total);
    assert_non_null(r);
    assert_int_equal(total, 2 * 29699);
    assert_true(digit_run(r) < 16);
    assert_null(strstr(r, NUMBER));
    j = parse(r);
    assert_string_equal(json_str(j, "invoice_no"), "2611 0000 0000 0000 0012");
    assert_string_equal(json_str(j, "status"), "ISSUED");
    assert_string_equal(json_str(j, "phone"), "138****8000");
    const char *req = json_str(j, "request");
    assert_true(req[0] != '\0');
    char compact[112] = "";
    for (size_t i = 0, n = 0; req[i] && n + 1 < sizeof compact; i++)
        if (req[i] != ' ')
            compact[n++] = req[i], compact[n] = '\0';
    assert_string_equal(compact, f.idem_key); /* the key, grouped as the number is */
    cJSON_Delete(j);
    free(r);
    /* PENDING: no number yet */
    r = inv_record_txn(p, f.idem_key, "PENDING", "", &total);
    assert_non_null(r);
    j = parse(r);
    assert_string_equal(json_str(j, "invoice_no"), "");
    assert_string_equal(json_str(j, "status"), "PENDING");
    cJSON_Delete(j);
    free(r);
    /* a key that is mostly digits is no run of 16 in the record either */
    r = inv_record_txn(p, "inv-0123456789012345678901234567890123456789", "ISSUED", NUMBER, &total);
    assert_non_null(r);
    assert_true(digit_run(r) < 16);
    free(r);
    free(p);

    /* an organisation: its name and tax ID kept (public), no run of 16 digits even so */
    organisation_buyer(&f, 1);
    f.correcting = 1;
    snprintf(f.existing.number, sizeof f.existing.number, "%s", NUMBER);
    snprintf(f.idem_key, sizeof f.idem_key, "rei-%s", NUMBER);
    p = inv_record_intent(&f);
    assert_non_null(p);
    assert_true(digit_run(p) < 16);
    assert_null(strstr(p, "0200000000000000000")); /* the account is on the invoice, not here */
    j = parse(p);
    assert_string_equal(json_str(j, "buyer_type"), "organization");
    assert_string_equal(json_str(j, "buyer_name"), "中国石油化工股份有限公司");
    assert_string_equal(json_str(j, "tax_id"), "9111 0000 7109 2609 4P");
    assert_string_equal(json_str(j, "reissue_of"), "2611 0000 0000 0000 0012");
    cJSON_Delete(j);
    r = inv_record_txn(p, f.idem_key, "ISSUED", "26110000000000000013", &total);
    assert_non_null(r);
    assert_true(digit_run(r) < 16);
    free(r);
    free(p);
    /* a mailbox whose domain is a number: masked too, no run for the journal to refuse */
    ready(&f);
    snprintf(f.email, sizeof f.email, "li@13800138000138000.cn");
    p = inv_record_intent(&f);
    assert_non_null(p);
    assert_null(strstr(p, "13800138000138000"));
    assert_true(digit_run(p) < 16);
    j = parse(p);
    assert_string_equal(json_str(j, "email"), "l***@***");
    cJSON_Delete(j);
    r = inv_record_txn(p, f.idem_key, "ISSUED", NUMBER, &total);
    assert_non_null(r);
    assert_true(digit_run(r) < 16);
    free(r);
    free(p);
    /* no phone, no email typed: nothing masked, nothing kept */
    ready(&f);
    f.phone[0] = f.email[0] = '\0';
    p = inv_record_intent(&f);
    j = parse(p);
    assert_string_equal(json_str(j, "phone"), "");
    assert_string_equal(json_str(j, "email"), "");
    assert_string_equal(json_str(j, "buyer_name"), "个*");
    cJSON_Delete(j);
    free(p);

    /* a payload that does not read: no record */
    static const char *const broken[] = {
        "",
        "not json",
        "[]",
        "{}",
        "{\"sales\":[],\"total_fen\":1}",
        "{\"sales\":[],\"total_fen\":1.5,\"tax_fen\":0}",
        "{\"sales\":[],\"total_fen\":-1,\"tax_fen\":0}",
        "{\"sales\":{},\"total_fen\":1,\"tax_fen\":0}",
        "{\"total_fen\":1,\"tax_fen\":0}",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        r = inv_record_txn(broken[i], "inv-x", "ISSUED", NUMBER, &total);
        if (r)
            fail_msg("recorded from \"%s\": %s", broken[i], r);
    }
    r = inv_record_txn("{\"sales\":[],\"total_fen\":1,\"tax_fen\":0}", "inv-x", "ISSUED", NUMBER,
                       &total);
    assert_non_null(r);
    assert_int_equal(total, 1);
    free(r);
}

static void number_grouped(void **state)
{
    (void)state;
    char out[64];
    inv_grouped(NUMBER, 4, out, sizeof out);
    assert_string_equal(out, "2611 0000 0000 0000 0012");
    inv_grouped("1234", 4, out, sizeof out);
    assert_string_equal(out, "1234");
    inv_grouped("12345", 4, out, sizeof out);
    assert_string_equal(out, "1234 5");
    inv_grouped("", 4, out, sizeof out);
    assert_string_equal(out, "");
    /* cut short, never past its room, always terminated */
    for (size_t cap = 1; cap <= 26; cap++) {
        memset(out, '#', sizeof out);
        inv_grouped(NUMBER, 4, out, cap);
        assert_true(strlen(out) < cap);
        assert_memory_equal(out, "2611 0000 0000 0000 0012", strlen(out));
        assert_int_equal(out[cap], '#');
    }
    out[0] = '#';
    inv_grouped(NUMBER, 4, out, 0);
    assert_int_equal(out[0], '#');
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sale_answer),     cmocka_unit_test(sale_refusals),
        cmocka_unit_test(recharge_answer), cmocka_unit_test(issue_answers),
        cmocka_unit_test(buyer_answers),   cmocka_unit_test(error_answers),
        cmocka_unit_test(requests),        cmocka_unit_test(records),
        cmocka_unit_test(number_grouped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
