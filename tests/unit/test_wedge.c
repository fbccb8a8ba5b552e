/* The keyboard scanner's framing (scanner/wedge.h): what is typed, then Return, is a scan;
 * a touch between keys, or a scan that no code can be, gives nothing but a refusal; the
 * buffer is wiped every time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "scanner/wedge.h"

static void assert_wiped(const struct wedge *w)
{
    for (size_t i = 0; i < sizeof w->buf; i++)
        assert_int_equal(w->buf[i], 0);
    assert_int_equal(w->n, 0);
    assert_int_equal(w->overflow, 0);
}

/* Typed in pieces, as key events come: one scan, exactly as typed. */
static void typed_then_return(void **state)
{
    (void)state;
    struct wedge w = {0};
    char out[CODE_SCAN_MAX + 1];
    int refused = -1;
    wedge_text(&w, "1345");
    wedge_text(&w, "67890123");
    wedge_text(&w, "451234");
    assert_int_equal(wedge_enter(&w, out, sizeof out, &refused), 1);
    assert_int_equal(refused, 0);
    assert_string_equal(out, "134567890123451234");
    assert_wiped(&w);
    /* Return with nothing typed is a key, not a scan */
    assert_int_equal(wedge_enter(&w, out, sizeof out, &refused), 0);
    /* UTF-8 typed through an input method is kept */
    wedge_text(&w, "MQR-会员");
    assert_int_equal(wedge_enter(&w, out, sizeof out, &refused), 1);
    assert_int_equal(refused, 0);
    assert_string_equal(out, "MQR-会员");
}

/* What no code can be is refused whole, never cleaned into another code. */
static void refused_whole(void **state)
{
    (void)state;
    struct wedge w = {0};
    char out[CODE_SCAN_MAX + 1];
    int refused = 0;
    wedge_text(&w, "13456\t7890");
    assert_int_equal(wedge_enter(&w, out, sizeof out, &refused), 1);
    assert_int_equal(refused, 1);
    assert_wiped(&w);
    wedge_text(&w, "\xc3\x28");
    assert_int_equal(wedge_enter(&w, out, sizeof out, &refused), 1);
    assert_int_equal(refused, 1);
    char big[CODE_SCAN_MAX + 50];
    memset(big, '7', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    wedge_text(&w, big); /* longer than any code */
    assert_int_equal(wedge_enter(&w, out, sizeof out, &refused), 1);
    assert_int_equal(refused, 1);
    assert_wiped(&w);
}

/* A touch between keys: what was typed is not a scan. */
static void touch_between(void **state)
{
    (void)state;
    struct wedge w = {0};
    char out[CODE_SCAN_MAX + 1];
    int refused = -1;
    wedge_text(&w, "134567");
    wedge_clear(&w);
    assert_wiped(&w);
    assert_int_equal(wedge_enter(&w, out, sizeof out, &refused), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(typed_then_return),
        cmocka_unit_test(refused_whole),
        cmocka_unit_test(touch_between),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
