/* Why a service cannot be offered, from the health of what it needs (core/health.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/health.h"
#include "core/log.h"

#define FUEL (NEEDS(COMP_BACKEND) | NEEDS(COMP_JOURNAL))
#define SHOP (NEEDS(COMP_BACKEND) | NEEDS(COMP_SCANNER) | NEEDS(COMP_JOURNAL))

static void reasons_follow_health(void **state)
{
    (void)state;
    struct health h;
    memset(&h, 0, sizeof h);
    /* nothing configured: not offered here */
    assert_int_equal(health_reason(FUEL, 1, &h), REASON_NOT_OFFERED);
    /* switched off */
    h.c[COMP_JOURNAL] = h.c[COMP_BACKEND] = HEALTH_OK;
    assert_int_equal(health_reason(FUEL, 0, &h), REASON_NOT_OFFERED);
    assert_int_equal(health_reason(FUEL, 1, &h), REASON_NONE);
    /* configured but down, or not checked yet: the tile says what is wrong */
    h.c[COMP_BACKEND] = HEALTH_DOWN;
    assert_int_equal(health_reason(FUEL, 1, &h), REASON_BACKEND);
    h.c[COMP_BACKEND] = HEALTH_UNKNOWN;
    assert_int_equal(health_reason(FUEL, 1, &h), REASON_BACKEND);
    /* it refuses this kiosk: only the staff can help */
    h.c[COMP_BACKEND] = HEALTH_FAULT;
    assert_int_equal(health_reason(FUEL, 1, &h), REASON_KIOSK_FAULT);
    /* degraded still works (paper near its end) */
    h.c[COMP_BACKEND] = HEALTH_DEGRADED;
    assert_int_equal(health_reason(FUEL, 1, &h), REASON_NONE);
    /* without its journal the kiosk sells nothing */
    h.c[COMP_BACKEND] = HEALTH_OK;
    h.c[COMP_JOURNAL] = HEALTH_DOWN;
    assert_int_equal(health_reason(FUEL, 1, &h), REASON_JOURNAL);
    h.c[COMP_SCANNER] = HEALTH_OK;
    assert_int_equal(health_reason(SHOP, 1, &h), REASON_JOURNAL);
    /* a device this kiosk does not have */
    h.c[COMP_JOURNAL] = HEALTH_OK;
    assert_int_equal(health_reason(NEEDS(COMP_CARD_READER), 1, &h), REASON_NOT_OFFERED);
    h.c[COMP_CARD_READER] = HEALTH_DOWN;
    assert_int_equal(health_reason(NEEDS(COMP_CARD_READER), 1, &h), REASON_CARD_READER);
}

static void every_reason_is_told(void **state)
{
    (void)state;
    assert_string_equal(health_reason_text(REASON_NONE), "");
    for (int r = REASON_NOT_OFFERED; r < REASON_LAST; r++) {
        assert_true(health_reason_text((enum svc_reason)r)[0] != '\0');
        assert_true(health_reason_advice((enum svc_reason)r)[0] != '\0');
    }
    assert_string_equal(health_reason_text(REASON_BACKEND),
                        "Offline: the station system cannot be reached");
}

/* The names the heartbeat and the logs use. */
static void state_names(void **state)
{
    (void)state;
    assert_string_equal(health_state_name(HEALTH_OK), "ok");
    assert_string_equal(health_state_name(HEALTH_DEGRADED), "degraded");
    assert_string_equal(health_state_name(HEALTH_DOWN), "down");
    assert_string_equal(health_state_name(HEALTH_ABSENT), "absent");
    assert_string_equal(health_state_name(HEALTH_FAULT), "fault");
    assert_string_equal(health_state_name((enum health_state)99), "unknown");
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_names),
        cmocka_unit_test(reasons_follow_health),
        cmocka_unit_test(every_reason_is_told),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
