/* The device hub: instances from config on worker threads, their events and health. A fake
 * receipt printer in process, a serial scanner on a real pty that is unplugged and plugged
 * again, and the fault wrapper around it; the fake card reader's card put on, APDUs sent to
 * it and answered, and taken off. Every wait is bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "devices/hub.h"

static struct hub_config cfg;
static struct evq *q;
static char link_path[64];

/* Reads `text` as the kiosk's config file would give it. */
static void configure(const char *text)
{
    struct kiosk_config k;
    struct config_tables t;
    char err[256];
    hub_config_clear(&cfg);
    hub_config_init(&cfg);
    config_tables_init(&t, &k);
    hub_config_tables(&cfg, &t);
    if (config_tables_parse(&t, text, "test.ini", err, sizeof err) != 0)
        fail_msg("config: %s", err);
}

/* A hub for the config `text`; fails the test when it cannot open. */
static struct hub *open_with(const char *text)
{
    char err[256];
    configure(text);
    struct hub *h = hub_open(&cfg, q, err, sizeof err);
    if (!h)
        fail_msg("hub_open: %s", err);
    return h;
}

/* The next event for the hub, a scan or a card, within ms; EV_NONE when none came. Hub
 * events (and card events, which the hub notes) are handed to the hub. */
static struct ev next_event(struct hub *h, int ms)
{
    int64_t until = clock_real_ms() + ms;
    struct ev e;
    while (clock_real_ms() < until) {
        if (evq_pop(q, &e)) {
            if (e.kind == EV_SCAN || e.kind == EV_CARD_APDU)
                return e;
            if (e.kind == EV_CARD) {
                assert_false(hub_event(h, &e)); /* left for the services */
                return e;
            }
            assert_true(hub_event(h, &e));
            return e;
        }
        struct timespec d = {0, 5 * 1000000L};
        nanosleep(&d, NULL);
    }
    return (struct ev){.kind = EV_NONE};
}

/* Waits until the component's health is `want` (events are taken meanwhile). */
static void await_health(struct hub *h, enum component c, enum health_state want, int ms)
{
    int64_t until = clock_real_ms() + ms;
    struct health hl = {0};
    for (;;) {
        hub_health(h, &hl);
        if (hl.c[c] == want)
            return;
        if (clock_real_ms() >= until)
            fail_msg("component %d: health %d, not %d", c, hl.c[c], want);
        struct ev e = next_event(h, 50);
        assert_true(e.kind != EV_SCAN);
    }
}

static int setup(void **state)
{
    (void)state;
    q = evq_create(256);
    snprintf(link_path, sizeof link_path, "/tmp/kiosk-devices-%d.tty", (int)getpid());
    return q ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hub_config_clear(&cfg);
    evq_destroy(q);
    unlink(link_path);
    return 0;
}

/* No scanner in the file: the keyboard one; no printer: none. */
static void defaults(void **state)
{
    (void)state;
    struct hub *h = open_with("");
    assert_int_equal(hub_keyboard(h), 0);
    assert_string_equal(hub_instance_name(h, 0), "scanner.keyboard");
    assert_string_equal(hub_instance_name(h, -1), "script");
    struct health hl = {0};
    hub_health(h, &hl);
    assert_int_equal(hl.c[COMP_SCANNER], HEALTH_OK);
    assert_int_equal(hl.c[COMP_PRINTER], HEALTH_ABSENT);
    assert_int_equal(hub_print(h, NULL, "x"), -1);
    assert_int_equal(hub_printer_check(h), -1);
    assert_int_equal(hub_printer_state(h), PRINTER_ABSENT);
    assert_string_not_equal(hub_printer_problem(h), "");
    assert_false(hub_has_preview(h));
    hub_close(h);
    assert_int_equal(hub_config_paper_width(&cfg), 576);
}

/* The receipt printer on the fake: its state arrives, a check is answered, a job prints. */
static void fake_printer(void **state)
{
    (void)state;
    struct hub *h = open_with("[printer.receipt]\ndriver = fake\njob_ms = 0\nwidth_dots = 384\n"
                              "[scanner.front]\ndriver = keyboard\n");
    assert_int_equal(hub_config_paper_width(&cfg), 384);
    await_health(h, COMP_PRINTER, HEALTH_OK, 3000);
    int check = hub_printer_check(h);
    assert_true(check > 0);
    int can = 0, answered = 0;
    for (int i = 0; i < 100 && !answered; i++) {
        next_event(h, 30);
        answered = hub_printer_answer(h, check, &can);
    }
    assert_true(answered);
    assert_true(can);
    struct bitmap *b = bitmap_create(384, 16);
    int no = hub_print(h, b, "test");
    bitmap_destroy(b);
    assert_true(no > 0);
    int ok = 0;
    enum hub_job j = HUB_JOB_PENDING;
    for (int i = 0; i < 200 && j == HUB_JOB_PENDING; i++) {
        next_event(h, 30);
        j = hub_job_result(h, no, &ok);
    }
    assert_int_equal(j, HUB_JOB_FINAL);
    assert_true(ok);
    assert_string_equal(hub_printer_problem(h), "");
    hub_close(h);
}

/* A fake printer out of paper: the printer is down and says why. */
static void printer_out_of_paper(void **state)
{
    (void)state;
    struct hub *h = open_with("[printer.receipt]\ndriver = fake\nstate = paper_out\n");
    await_health(h, COMP_PRINTER, HEALTH_DOWN, 3000);
    assert_string_equal(hub_printer_problem(h), "The receipt printer is out of paper.");
    hub_close(h);
}

/* A pty whose slave is at link_path; returns the master. */
static int plug(void)
{
    int master, slave;
    char name[64];
    assert_int_equal(openpty(&master, &slave, name, NULL, NULL), 0);
    close(slave);
    unlink(link_path);
    assert_int_equal(symlink(name, link_path), 0);
    return master;
}

static void unplug(int master)
{
    close(master);
    unlink(link_path);
}

/* A serial scanner: a code arrives as a scan from its instance; unplugged, the scanner is
 * down (and the home menu can say so); plugged again, it is back without a restart. */
static void serial_scanner_unplug_replug(void **state)
{
    (void)state;
    char text[256];
    int master = plug();
    snprintf(text, sizeof text, "[scanner.pump]\ndriver = serial\ndevice = %s\nsuffix = cr\n",
             link_path);
    struct hub *h = open_with(text);
    assert_int_equal(hub_keyboard(h), -1); /* a scanner is named: no keyboard one */
    await_health(h, COMP_SCANNER, HEALTH_OK, 3000);
    assert_int_equal(write(master, "134567890123456789\r", 19), 19);
    struct ev e = next_event(h, 3000);
    assert_int_equal(e.kind, EV_SCAN);
    assert_int_equal(e.i, 0);
    assert_int_equal(e.j, 0);
    assert_string_equal(e.text, "134567890123456789");
    assert_string_equal(hub_instance_name(h, (int)e.j), "scanner.pump");
    /* garbage is refused whole, never a code */
    assert_int_equal(write(master, "13\x01\x02" "4567\r", 9), 9);
    e = next_event(h, 3000);
    assert_int_equal(e.kind, EV_SCAN);
    assert_int_equal(e.i, 1);
    assert_string_equal(e.text, "");
    unplug(master);
    await_health(h, COMP_SCANNER, HEALTH_DOWN, 3000);
    assert_string_not_equal(hub_scanner_problem(h), "");
    master = plug();
    await_health(h, COMP_SCANNER, HEALTH_OK, 8000);
    assert_int_equal(write(master, "6901234567892\r", 14), 14);
    e = next_event(h, 3000);
    assert_int_equal(e.kind, EV_SCAN);
    assert_string_equal(e.text, "6901234567892");
    hub_close(h);
    unplug(master);
}

/* Two scanners, one of them gone: the scanners still work (degraded), not down. */
static void one_of_two_scanners_gone(void **state)
{
    (void)state;
    char text[256];
    unlink(link_path);
    snprintf(text, sizeof text, "[scanner.pump]\ndriver = serial\ndevice = %s\n"
             "[scanner.keys]\ndriver = keyboard\n", link_path);
    struct hub *h = open_with(text);
    await_health(h, COMP_SCANNER, HEALTH_DEGRADED, 3000);
    assert_string_equal(hub_scanner_problem(h), "");
    hub_close(h);
}

/* The fault wrapper around the serial scanner: garbage instead of every 2nd read, and a
 * disconnect, from config. */
static void fault_wrapper(void **state)
{
    (void)state;
    char text[320];
    int master = plug();
    snprintf(text, sizeof text, "[scanner.pump]\ndriver = serial\ndevice = %s\n"
             "fault_garbage_every = 2\n", link_path);
    struct hub *h = open_with(text);
    await_health(h, COMP_SCANNER, HEALTH_OK, 3000);
    struct ev e = next_event(h, 3000); /* the 2nd read is garbage: a refused scan */
    assert_int_equal(e.kind, EV_SCAN);
    assert_int_equal(e.i, 1);
    hub_close(h);
    snprintf(text, sizeof text, "[scanner.pump]\ndriver = serial\ndevice = %s\n"
             "fault_disconnect_every = 3\nfault_disconnect_ms = 500\n", link_path);
    h = open_with(text);
    await_health(h, COMP_SCANNER, HEALTH_OK, 3000);
    await_health(h, COMP_SCANNER, HEALTH_DOWN, 3000);
    await_health(h, COMP_SCANNER, HEALTH_OK, 5000); /* back by itself */
    hub_close(h);
    unplug(master);
}

/* The next card event (EV_CARD or EV_CARD_APDU) within ms; fails the test when none came. */
static struct ev next_card(struct hub *h, int ms)
{
    int64_t until = clock_real_ms() + ms;
    for (;;) {
        struct ev e = next_event(h, (int)(until - clock_real_ms()));
        if (e.kind == EV_CARD || e.kind == EV_CARD_APDU)
            return e;
        if (e.kind == EV_NONE)
            fail_msg("no card event within %d ms", ms);
    }
}

/* Drops what closed hubs left in the queue; returns 1 if a card was reported taken off. */
static int drain(void)
{
    struct ev e;
    int off = 0;
    while (evq_pop(q, &e))
        off |= e.kind == EV_CARD && e.i == 0;
    return off;
}

static const uint8_t select_aid[] = {0x00, 0xA4, 0x04, 0x00, 0x07, 0xA0, 0x00,
                                     0x00, 0x03, 0x33, 0x01, 0x01};

/* No [card.*]: no card reader. */
static void no_card_reader(void **state)
{
    (void)state;
    struct hub *h = open_with("");
    struct health hl = {0};
    hub_health(h, &hl);
    assert_int_equal(hl.c[COMP_CARD_READER], HEALTH_ABSENT);
    assert_int_equal(hub_card_send(h, select_aid, sizeof select_aid), -1);
    assert_false(hub_card_present(h));
    assert_string_equal(hub_card_problem(h), "This kiosk has no card reader.");
    hub_close(h);
}

/* The fake reader: its card is reported put on with its ATR, and each APDU is answered
 * with its number, at once (the worker is woken: its waits are 200 ms slices). */
static void card_reader(void **state)
{
    (void)state;
    drain();
    struct hub *h = open_with("[card.reader]\ndriver = fake\natr = 3B8F8001\n");
    assert_string_equal(hub_instance_name(h, 1), "card.reader"); /* after the keyboard */
    await_health(h, COMP_CARD_READER, HEALTH_OK, 3000);
    assert_string_equal(hub_card_problem(h), "");
    struct ev e = next_card(h, 3000);
    assert_int_equal(e.kind, EV_CARD);
    assert_int_equal(e.i, 1);
    assert_int_equal(e.j, 1);
    assert_string_equal(e.text, "3B8F8001");
    assert_true(hub_card_present(h));
    int64_t t0 = clock_real_ms();
    for (int k = 0; k < 10; k++) {
        int no = hub_card_send(h, select_aid, sizeof select_aid);
        assert_true(no > 0);
        e = next_card(h, 3000);
        assert_int_equal(e.kind, EV_CARD_APDU);
        assert_int_equal(e.i, no);
        assert_int_equal(e.j, 2);
        assert_memory_equal(e.text, "\x90\x00", 2);
    }
    /* ten 200 ms slices without the wake */
    assert_true(clock_real_ms() - t0 < 1000);
    int no = hub_card_send(h, select_aid, 3); /* not an APDU: answered -1 at once */
    e = next_card(h, 3000);
    assert_int_equal(e.kind, EV_CARD_APDU);
    assert_int_equal(e.i, no);
    assert_int_equal(e.j, -1);
    hub_close(h);
    assert_true(drain()); /* a reader closed with its card on says it is gone */
}

/* The card is taken off after its first answer: reported, and what is sent after is
 * answered -1 at once. */
static void card_taken_off(void **state)
{
    (void)state;
    drain();
    struct hub *h = open_with("[card.reader]\ndriver = fake\nremove_after = 1\n");
    struct ev e = next_card(h, 3000);
    assert_int_equal(e.kind, EV_CARD);
    assert_int_equal(e.i, 1);
    assert_string_equal(e.text, "3B021450");
    int no = hub_card_send(h, select_aid, sizeof select_aid);
    e = next_card(h, 3000);
    assert_int_equal(e.kind, EV_CARD_APDU);
    assert_int_equal(e.i, no);
    assert_int_equal(e.j, 2);
    e = next_card(h, 3000);
    assert_int_equal(e.kind, EV_CARD);
    assert_int_equal(e.i, 0);
    assert_false(hub_card_present(h));
    no = hub_card_send(h, select_aid, sizeof select_aid);
    assert_true(no > 0);
    e = next_card(h, 100);
    assert_int_equal(e.kind, EV_CARD_APDU);
    assert_int_equal(e.i, no);
    assert_int_equal(e.j, -1);
    hub_close(h);
}

/* The fault wrapper does not wrap card readers: asking for it stops the start. */
static void card_reader_refuses_faults(void **state)
{
    (void)state;
    char err[256] = "";
    configure("[card.reader]\ndriver = fake\nfault_error_every = 2\n");
    assert_null(hub_open(&cfg, q, err, sizeof err));
    assert_non_null(strstr(err, "card.reader"));
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(fake_printer),
        cmocka_unit_test(printer_out_of_paper),
        cmocka_unit_test(serial_scanner_unplug_replug),
        cmocka_unit_test(one_of_two_scanners_gone),
        cmocka_unit_test(fault_wrapper),
        cmocka_unit_test(no_card_reader),
        cmocka_unit_test(card_reader),
        cmocka_unit_test(card_taken_off),
        cmocka_unit_test(card_reader_refuses_faults),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
