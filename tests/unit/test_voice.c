/* Sound on SDL's dummy audio driver (it plays into nothing at real speed, so what is queued
 * can be measured): a prompt is queued from its clip, a new one cuts the one playing, volume
 * 0 and sound switched off queue nothing, a missing clip is logged and skipped, a recording
 * in assets replaces the generated clip (and is converted to the device's format), the
 * cache lets go of clips beyond its budget. Then the screens: each one names the prompt of
 * its step, every prompt a screen names is in the table, and the build made a clip of
 * every prompt in both languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/voice.h"
#include "core/i18n.h"
#include "core/log.h"
#include "screens.h"

#define RATE 22050

static char dir[64];      /* the test's own folder */
static char clips[128];   /* <dir>/clips: "generated" clips */
static char assets[128];  /* <dir>/assets: recordings go in voice/<lang>/ */
static char logged[8192]; /* what the voice module said in the log */

static void sink(enum log_level level, const char *line, void *user)
{
    (void)level, (void)user;
    size_t n = strlen(logged);
    snprintf(logged + n, sizeof logged - n, "%s\n", line);
}

static void put16(FILE *f, unsigned v)
{
    fputc((int)(v & 0xFF), f);
    fputc((int)((v >> 8) & 0xFF), f);
}

static void put32(FILE *f, unsigned v)
{
    put16(f, v & 0xFFFF);
    put16(f, v >> 16);
}

/* A 16-bit PCM WAV of `ms` milliseconds of a 440 Hz square wave. */
static void write_wav(const char *path, int rate, int channels, int ms)
{
    unsigned frames = (unsigned)rate * (unsigned)ms / 1000,
             bytes = frames * 2u * (unsigned)channels;
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("RIFF", 1, 4, f);
    put32(f, 36 + bytes);
    fwrite("WAVEfmt ", 1, 8, f);
    put32(f, 16);
    put16(f, 1);
    put16(f, (unsigned)channels);
    put32(f, (unsigned)rate);
    put32(f, (unsigned)rate * 2u * (unsigned)channels);
    put16(f, 2u * (unsigned)channels);
    put16(f, 16);
    fwrite("data", 1, 4, f);
    put32(f, bytes);
    for (unsigned i = 0; i < frames; i++)
        for (int c = 0; c < channels; c++)
            put16(f, (i / 25) % 2 ? 8000u : (unsigned)(uint16_t)-8000);
    fclose(f);
}

/* mkdir <a>/<b> (b "" for a itself) */
static void make_dir(const char *a, const char *b)
{
    char p[256];
    snprintf(p, sizeof p, "%s%s%s", a, b[0] ? "/" : "", b);
    assert_int_equal(mkdir(p, 0755), 0);
}

/* A generated clip <clips>/<lang>/<id>.wav of `ms` milliseconds. */
static void clip(const char *lang, const char *id, int ms)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s/%s.wav", clips, lang, id);
    write_wav(p, RATE, 1, ms);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/kiosk-voice-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(clips, sizeof clips, "%s/clips", dir);
    snprintf(assets, sizeof assets, "%s/assets", dir);
    make_dir(clips, "");
    make_dir(clips, "zh_CN");
    make_dir(clips, "en_US");
    make_dir(assets, "");
    make_dir(assets, "voice");
    make_dir(assets, "voice/zh_CN");
    clip("zh_CN", "pick_pump", 1000);
    clip("zh_CN", "show_code", 200);
    clip("en_US", "pick_pump", 600);
    log_set_sink(sink, NULL);
    log_set_quiet(1);
    log_set_level(LOG_INFO); /* ctest runs unit tests with KIOSK_LOG=error */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    log_set_sink(NULL, NULL);
    return 0;
}

static struct voice_config config(void)
{
    struct voice_config c = {.enabled = 1, .volume = 80, .key_clicks = 0};
    snprintf(c.clips_dir, sizeof c.clips_dir, "%s", clips);
    return c;
}

static struct voice *open_voice(const struct voice_config *c)
{
    logged[0] = '\0';
    struct voice *v = voice_open(c, assets, 1);
    assert_non_null(v);
    return v;
}

/* Bytes of `ms` milliseconds in the device's format. */
static unsigned bytes_of(int ms)
{
    return (unsigned)(RATE * ms / 1000) * 2u;
}

static void says_a_prompt(void **state)
{
    (void)state;
    struct voice_config c = config();
    struct voice *v = open_voice(&c);
    assert_true(voice_available(v));
    assert_true(voice_on(v));
    assert_null(voice_last(v));
    assert_int_equal(voice_queued(v), 0);
    voice_say(v, "pick_pump", "zh_CN");
    assert_string_equal(voice_last(v), "pick_pump");
    /* the dummy device plays it at real speed: some may be gone already (a slow machine) */
    unsigned q = voice_queued(v);
    assert_true(q > bytes_of(500) && q <= bytes_of(1000));
    assert_non_null(strstr(logged, "[voice] say pick_pump (zh_CN)"));
    /* the same prompt in the other language: its own clip */
    voice_say(v, "pick_pump", "en_US");
    q = voice_queued(v);
    assert_true(q > bytes_of(300) && q <= bytes_of(600));
    voice_stop(v);
    assert_int_equal(voice_queued(v), 0);
    assert_null(voice_last(v));
    voice_close(v);
}

static void a_new_prompt_cuts_the_old(void **state)
{
    (void)state;
    struct voice_config c = config();
    struct voice *v = open_voice(&c);
    voice_say(v, "pick_pump", "zh_CN"); /* one second */
    voice_say(v, "show_code", "zh_CN"); /* 0.2 s: all that is left */
    assert_string_equal(voice_last(v), "show_code");
    assert_true(voice_queued(v) <= bytes_of(200));
    /* NULL only cuts */
    voice_say(v, NULL, "zh_CN");
    assert_int_equal(voice_queued(v), 0);
    assert_null(voice_last(v));
    voice_close(v);
}

static void silent_when_it_should_be(void **state)
{
    (void)state;
    struct voice_config c = config();
    /* volume 0: the prompt is said (the log, voice_last) but nothing is queued */
    c.volume = 0;
    struct voice *v = open_voice(&c);
    voice_say(v, "pick_pump", "zh_CN");
    assert_string_equal(voice_last(v), "pick_pump");
    assert_int_equal(voice_queued(v), 0);
    voice_close(v);
    /* sound off in config: no device, no button, nothing said */
    c = config();
    c.enabled = 0;
    v = open_voice(&c);
    assert_false(voice_available(v));
    voice_say(v, "pick_pump", "zh_CN");
    assert_null(voice_last(v));
    assert_int_equal(voice_queued(v), 0);
    assert_non_null(strstr(logged, "sound off"));
    voice_close(v);
    /* the customer's switch: off cuts and keeps quiet, on speaks again */
    c = config();
    v = open_voice(&c);
    voice_say(v, "pick_pump", "zh_CN");
    voice_set_on(v, 0);
    assert_false(voice_on(v));
    assert_true(voice_available(v)); /* the button stays, saying "off" */
    assert_int_equal(voice_queued(v), 0);
    voice_say(v, "show_code", "zh_CN");
    assert_int_equal(voice_queued(v), 0);
    assert_null(voice_last(v));
    voice_set_on(v, 1);
    voice_say(v, "show_code", "zh_CN");
    assert_true(voice_queued(v) > 0);
    voice_close(v);
    /* NULL is "no sound" everywhere */
    voice_say(NULL, "pick_pump", "zh_CN");
    voice_click(NULL);
    voice_set_on(NULL, 1);
    assert_false(voice_available(NULL));
    assert_int_equal(voice_queued(NULL), 0);
    voice_close(NULL);
}

static void missing_clips_and_bad_names(void **state)
{
    (void)state;
    struct voice_config c = config();
    struct voice *v = open_voice(&c);
    voice_say(v, "pick_pump", "zh_CN");
    voice_say(v, "pick_sale", "zh_CN"); /* no file: cuts, says so once, queues nothing */
    assert_string_equal(voice_last(v), "pick_sale");
    assert_int_equal(voice_queued(v), 0);
    assert_non_null(strstr(logged, "no clip for pick_sale (zh_CN)"));
    char *first = strstr(logged, "no clip for pick_sale");
    voice_say(v, "pick_sale", "zh_CN");
    assert_null(strstr(first + 1, "no clip for pick_sale")); /* once */
    /* not a prompt, not a language: nothing, no file looked for */
    voice_say(v, "../../etc/passwd", "zh_CN");
    assert_null(voice_last(v));
    voice_say(v, "pick_pump", "../zh_CN");
    voice_say(v, "pick_pump", NULL);
    assert_int_equal(voice_queued(v), 0);
    voice_close(v);
    /* a file that is no WAV: logged, silent */
    char p[256];
    snprintf(p, sizeof p, "%s/zh_CN/scan_qr.wav", clips);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("not a wav", f);
    fclose(f);
    v = open_voice(&c);
    voice_say(v, "scan_qr", "zh_CN");
    assert_int_equal(voice_queued(v), 0);
    assert_non_null(strstr(logged, "scan_qr.wav"));
    voice_close(v);
    unlink(p);
    /* no clips folder at all (no espeak-ng at build time): one line at start */
    snprintf(c.clips_dir, sizeof c.clips_dir, "%s/none", dir);
    v = open_voice(&c);
    assert_non_null(strstr(logged, "no generated clips"));
    voice_say(v, "pick_pump", "zh_CN");
    assert_null(strstr(logged, "no clip for"));
    voice_close(v);
}

static void a_recording_replaces_the_generated_clip(void **state)
{
    (void)state;
    char p[256];
    snprintf(p, sizeof p, "%s/voice/zh_CN/pick_pump.wav", assets);
    write_wav(p, 44100, 2, 300); /* CD format: converted to the device's */
    struct voice_config c = config();
    struct voice *v = open_voice(&c);
    voice_say(v, "pick_pump", "zh_CN");
    unsigned q = voice_queued(v);
    assert_true(q > 0 && q <= bytes_of(320)); /* not the generated second, nor unconverted */
    voice_close(v);
    unlink(p);
}

static void clicks(void **state)
{
    (void)state;
    struct voice_config c = config();
    struct voice *v = open_voice(&c);
    voice_click(v); /* key clicks off */
    assert_int_equal(voice_queued(v), 0);
    voice_close(v);
    c.key_clicks = 1;
    v = open_voice(&c);
    /* 12 ms: the device may take it at once, so a few tries */
    unsigned q = 0;
    for (int k = 0; k < 3 && !q; k++) {
        voice_click(v);
        q = voice_queued(v);
    }
    assert_true(q > 0 && q <= bytes_of(12));
    voice_say(v, "pick_pump", "zh_CN");
    q = voice_queued(v);
    voice_click(v); /* never over a prompt */
    assert_true(voice_queued(v) <= q);
    voice_close(v);
}

/* More clips than the cache holds, said twice over: each is queued whole every time, and
 * nothing is lost (ASan builds check the memory). */
static void the_cache_lets_go(void **state)
{
    (void)state;
    const char *langs[] = {"zh_CN", "en_US"};
    for (int l = 0; l < 2; l++)
        for (const struct voice_prompt *p = voice_prompts; p->id; p++)
            clip(langs[l], p->id, 1500);
    struct voice_config c = config();
    struct voice *v = open_voice(&c);
    for (int round = 0; round < 2; round++)
        for (int l = 0; l < 2; l++)
            for (const struct voice_prompt *p = voice_prompts; p->id; p++) {
                voice_say(v, p->id, langs[l]);
                unsigned q = voice_queued(v);
                assert_true(q > bytes_of(800) && q <= bytes_of(1500));
            }
    assert_null(strstr(logged, "warn"));
    voice_close(v);
}

static void the_table(void **state)
{
    (void)state;
    int n = 0;
    for (const struct voice_prompt *p = voice_prompts; p->id; p++, n++) {
        assert_true(strlen(p->id) > 0 && strlen(p->id) < VOICE_ID_LEN);
        assert_int_equal(strspn(p->id, "abcdefghijklmnopqrstuvwxyz_"), strlen(p->id));
        assert_true(p->msgid && p->msgid[0]);
        assert_ptr_equal(voice_prompt_find(p->id), p); /* ids are unique */
    }
    assert_true(n > 10);
    assert_null(voice_prompt_find("nope"));
    assert_null(voice_prompt_find(NULL));
}

/* ---- the screens' prompts -------------------------------------------------------------- */

static struct ui_tree tree;

static const char *prompt_of(struct fixture *f)
{
    struct theme th;
    theme_make(&th, "default", 0, 1080);
    tree.w = 1080;
    tree.h = 1920;
    fixture_build(f, &tree, &th);
    if (tree.prompt)
        assert_non_null(voice_prompt_find(tree.prompt));
    return tree.prompt ? tree.prompt : "(none)";
}

static void each_screen_names_its_prompt(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, "zh_CN");
    assert_string_equal(prompt_of(&f), "(none)"); /* attract */
    f.sess.state = SESS_HOME;
    assert_string_equal(prompt_of(&f), "choose_service");
    f.sess.explain = 0; /* "why is this unavailable" keeps the menu's */
    f.sess.explain_reason = REASON_PRINTER;
    assert_string_equal(prompt_of(&f), "choose_service");
    f.sess.explain = -1;
    f.sess.state = SESS_ASK_MORE;
    f.sess.resume = SESS_HOME;
    assert_string_equal(prompt_of(&f), "more_time");
    /* the restart notice over attract and home */
    f.sess.state = SESS_ATTRACT;
    f.notice.state = NOTICE_CHECKING;
    assert_string_equal(prompt_of(&f), "notice_checking");
    f.sess.state = SESS_HOME;
    f.notice.state = NOTICE_PAID;
    assert_string_equal(prompt_of(&f), "notice_paid");
    f.notice.state = NOTICE_NOT_PAID;
    assert_string_equal(prompt_of(&f), "notice_not_paid");
    f.notice.state = NOTICE_NONE;

    /* pay for fuel and shop */
    static const struct {
        enum co_state state;
        int shop, member, printed;
        enum co_error error;
        const char *prompt;
    } steps[] = {
        {CO_LOADING, 0, 0, 0, CO_OK, "(none)"},
        {CO_PUMPS, 0, 0, 0, CO_OK, "pick_pump"},
        {CO_SALES, 0, 0, 0, CO_OK, "pick_sale"},
        {CO_LOCKING, 0, 0, 0, CO_OK, "(none)"},
        {CO_REVIEW, 0, 0, 0, CO_OK, "check_bill"},
        {CO_REVIEW, 1, 0, 0, CO_OK, "scan_items"},
        {CO_PRINTER_CHECK, 0, 0, 0, CO_OK, "check_bill"},
        {CO_NO_PRINTER, 0, 0, 0, CO_OK, "no_printer"},
        {CO_MEMBER, 0, 0, 0, CO_OK, "member_sign_in"},
        {CO_MEMBER, 0, 1, 0, CO_OK, "member_offers"},
        {CO_CODE, 0, 0, 0, CO_OK, "show_code"},
        {CO_QR_WAIT, 0, 0, 0, CO_OK, "(none)"},
        {CO_QR, 0, 0, 0, CO_OK, "scan_qr"},
        {CO_PAYING, 0, 0, 0, CO_OK, "(none)"},
        {CO_USERPAYING, 0, 0, 0, CO_OK, "confirm_on_phone"},
        {CO_CHECKING, 0, 0, 0, CO_OK, "(none)"},
        {CO_COMPLETING, 0, 0, 0, CO_OK, "(none)"},
        {CO_DONE, 0, 0, 0, CO_OK, "paid_take_receipt"},
        {CO_DONE, 0, 0, 1, CO_OK, "paid_take_receipt"},
        {CO_DONE, 0, 0, -1, CO_OK, "paid_e_receipt"},
        {CO_FAILED, 0, 0, 0, CO_ERR_DECLINED, "not_charged"},
        {CO_FAILED, 0, 0, 0, CO_ERR_OFFLINE, "not_charged"},
        {CO_FAILED, 0, 0, 0, CO_ERR_REVERSED, "refunded"},
        {CO_FAILED, 0, 0, 0, CO_ERR_UNSETTLED, "ask_counter"},
        {CO_FAILED, 0, 0, 0, CO_ERR_UNKNOWN, "ask_counter"},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        fixture_init(&f, i % 2 ? "en_US" : "zh_CN");
        f.sess.state = SESS_SERVICE;
        f.co.npumps = 1;
        f.co.pumps[0].pump = 1;
        f.co.pumps[0].nsales = 2;
        f.co.pump_idx = 0;
        f.co.state = steps[i].state;
        f.co.page = steps[i].state == CO_MEMBER ? CO_MEMBER : CO_REVIEW;
        f.co.shop = steps[i].shop;
        f.co.has_sale = !steps[i].shop;
        f.co.priced = 1;
        f.co.has_member = steps[i].member;
        f.co.printed = steps[i].printed;
        f.co.error = steps[i].error;
        const char *got = prompt_of(&f);
        if (strcmp(got, steps[i].prompt))
            fail_msg("%s: prompt %s, not %s", co_state_name(steps[i].state), got, steps[i].prompt);
    }
    /* while the journal writes, the screen it writes for (and its prompt) stays */
    fixture_init(&f, "zh_CN");
    f.sess.state = SESS_SERVICE;
    f.co.state = CO_JOURNALING;
    f.co.after = CO_QR;
    assert_string_equal(prompt_of(&f), "scan_qr");
}

/* The build made a clip of every prompt in both languages (when espeak-ng was there). */
static void every_prompt_has_a_generated_clip(void **state)
{
    (void)state;
    const char *build = getenv("KIOSK_BUILD");
    char p[512];
    snprintf(p, sizeof p, "%s/voice/.generated", build ? build : ".");
    if (access(p, F_OK) != 0) {
        print_message("no clips generated in this build (no espeak-ng): not checked\n");
        return;
    }
    const char *langs[] = {"zh_CN", "en_US"};
    for (int l = 0; l < 2; l++)
        for (const struct voice_prompt *v = voice_prompts; v->id; v++) {
            snprintf(p, sizeof p, "%s/voice/%s/%s.wav", build, langs[l], v->id);
            if (access(p, R_OK) != 0)
                fail_msg("no clip %s", p);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(says_a_prompt),
        cmocka_unit_test(a_new_prompt_cuts_the_old),
        cmocka_unit_test(silent_when_it_should_be),
        cmocka_unit_test(missing_clips_and_bad_names),
        cmocka_unit_test(a_recording_replaces_the_generated_clip),
        cmocka_unit_test(clicks),
        cmocka_unit_test(the_table),
        cmocka_unit_test(the_cache_lets_go), /* last of those: it rewrites every clip */
        cmocka_unit_test(each_screen_names_its_prompt),
        cmocka_unit_test(every_prompt_has_a_generated_clip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
