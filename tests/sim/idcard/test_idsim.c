/* idcard-sim as a process, through its link as a serial port: every command's answer byte
 * for byte, the cards' text blocks decoded here (not with the kiosk's codec), the faults,
 * unplug and plug, the state file, a clean stop, and that its log holds no name, ID number
 * or address. IDCARD_SIM (the program) and IDENTITIES (its identities.ini) come from CMake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define READ_LEN 1295
#define TEXT_AT 14   /* the text block in the read's answer */
#define PHOTO_AT 270 /* the photo */
#define IDLE_MS 200  /* no more bytes for this long: the answer is all there is */

/* The frames the kiosk sends. */
#define SAM_STATUS "AAAAAA9669000311FFED"
#define SAM_ID "AAAAAA9669000312FFEE"
#define FIND "AAAAAA96690003200122"
#define SELECT "AAAAAA96690003200221"
#define READ "AAAAAA96690003300132"
#define READ_ADDR2 "AAAAAA96690003300330"

/* Answers. */
#define SAM_OK "AAAAAA9669000400009094"
#define NO_CARD "AAAAAA9669000400008084"
#define FOUND "AAAAAA9669000800009F0000000097"
#define READ_FAILED "AAAAAA9669000400004145"

static pid_t pid = -1;
static char dir[] = "/tmp/idsim-XXXXXX";
static char link_path[300], fifo[300], state_path[300], log_path[300];
static int port = -1;
static const uint8_t preamble[5] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec d = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
}

/* The link opened as a serial port: raw, flushed. The fd, or -1. */
static int open_port(void)
{
    int fd = open(link_path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    struct termios t;
    if (fd < 0)
        return -1;
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(fd, TCSANOW, &t);
    }
    tcflush(fd, TCIOFLUSH);
    return fd;
}

/* One control command on the FIFO. */
static void ctl(const char *cmd)
{
    char line[128];
    int n = snprintf(line, sizeof line, "%s\n", cmd);
    int f = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    assert_true(f >= 0);
    assert_int_equal(write(f, line, (size_t)n), n);
    close(f);
}

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        char pair[3] = {hex[0], hex[1], 0};
        assert_int_equal(sscanf(pair, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
    }
    return n;
}

static void to_hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02X", p[i]);
    out[2 * n] = '\0';
}

static void send_hex(const char *hex)
{
    uint8_t b[300];
    size_t n = unhex(hex, b);
    assert_int_equal(write(port, b, n), (ssize_t)n);
}

/* Reads an answer: until a whole frame (by its LEN) is in, or no byte came for `idle_ms`,
 * or 2 s passed. The number of bytes. */
static size_t recv_answer(uint8_t *buf, size_t max, int idle_ms)
{
    size_t n = 0;
    int64_t end = now_ms() + 2000;
    for (;;) {
        if (n >= 7 && memcmp(buf, preamble, 5) == 0 && n >= 7 + (size_t)(buf[5] << 8 | buf[6]))
            return n;
        int64_t left = end - now_ms();
        if (left <= 0 || n == max)
            return n;
        struct pollfd pf = {.fd = port, .events = POLLIN};
        if (poll(&pf, 1, left < idle_ms ? (int)left : idle_ms) <= 0)
            return n;
        ssize_t k = read(port, buf + n, max - n);
        if (k > 0)
            n += (size_t)k;
        else if (k == 0 || errno != EAGAIN)
            return n;
    }
}

/* Sends `cmd` (hex), returns the answer's length in buf. */
static size_t xfer(const char *cmd, uint8_t *buf, size_t max)
{
    send_hex(cmd);
    return recv_answer(buf, max, IDLE_MS);
}

/* Sends `cmd` and checks the answer is exactly `want` (hex). */
static void expect(const char *cmd, const char *want)
{
    uint8_t b[READ_LEN + 64];
    char hex[2 * sizeof b + 1];
    size_t n = xfer(cmd, b, sizeof b);
    to_hex(b, n, hex);
    assert_string_equal(hex, want);
}

static int frame_ok(const uint8_t *b, size_t n)
{
    if (n < 11 || memcmp(b, preamble, 5) != 0 || (size_t)(b[5] << 8 | b[6]) + 7 != n)
        return 0;
    uint8_t x = 0;
    for (size_t i = 5; i < n - 1; i++)
        x ^= b[i];
    return x == b[n - 1] && b[7] == 0 && b[8] == 0;
}

/* UCS-2LE to UTF-8, trailing spaces dropped. */
static void ucs2(const uint8_t *p, int chars, char *out, size_t cap)
{
    size_t n = 0;
    for (int i = 0; i < chars; i++) {
        unsigned c = p[2 * i] | (unsigned)p[2 * i + 1] << 8;
        assert_true(n + 4 < cap);
        if (c < 0x80) {
            out[n++] = (char)c;
        } else if (c < 0x800) {
            out[n++] = (char)(0xC0 | c >> 6);
            out[n++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[n++] = (char)(0xE0 | c >> 12);
            out[n++] = (char)(0x80 | (c >> 6 & 0x3F));
            out[n++] = (char)(0x80 | (c & 0x3F));
        }
    }
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

/* Text field `chars` characters wide at text offset `at` of a read's answer. */
static void field(const uint8_t *answer, int at, int chars, char *out, size_t cap)
{
    ucs2(answer + TEXT_AT + at, chars, out, cap);
}

/* Places `key`, reads it whole and checks the frame. */
static void read_card(const char *key, uint8_t *b)
{
    char cmd[64];
    snprintf(cmd, sizeof cmd, "place %s", key);
    ctl(cmd);
    size_t n = xfer(READ, b, READ_LEN + 16);
    assert_int_equal(n, READ_LEN);
    assert_true(frame_ok(b, n));
    assert_int_equal(b[5], 0x05);
    assert_int_equal(b[6], 0x08);
    assert_int_equal(b[9], 0x90);
    assert_memory_equal(b + 10, "\x01\x00\x04\x00", 4);
}

static int wait_link(int present)
{
    struct stat st;
    for (int i = 0; i < 200; i++) {
        if ((lstat(link_path, &st) == 0) == present)
            return 0;
        sleep_ms(10);
    }
    return -1;
}

static int setup(void **state)
{
    (void)state;
    const char *sim = getenv("IDCARD_SIM"), *ids = getenv("IDENTITIES");
    int p[2];
    if (!sim || !ids || !mkdtemp(dir) || pipe(p) != 0)
        return -1;
    snprintf(link_path, sizeof link_path, "%s/ttyID", dir);
    snprintf(fifo, sizeof fifo, "%s/ctl", dir);
    snprintf(state_path, sizeof state_path, "%s/state", dir);
    snprintf(log_path, sizeof log_path, "%s/log", dir);
    pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        if (!freopen(log_path, "w", stderr))
            _exit(126);
        execl(sim, "idcard-sim", "--link", link_path, "--control", fifo, "--identities", ids,
              "--state", state_path, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char buf[16] = {0};
    size_t n = 0;
    struct pollfd pf = {.fd = p[0], .events = POLLIN};
    while (n < 6 && poll(&pf, 1, 3000) > 0) {
        ssize_t k = read(p[0], buf + n, sizeof buf - 1 - n);
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    close(p[0]);
    if (strcmp(buf, "ready\n") != 0)
        return -1;
    port = open_port();
    return port < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    if (port >= 0)
        close(port);
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    const char *names[] = {"ttyID", "ctl", "state", "state.tmp", "log"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[400];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    return 0;
}

static void test_sam(void **state)
{
    (void)state;
    uint8_t b[64];
    expect(SAM_STATUS, SAM_OK);
    size_t n = xfer(SAM_ID, b, sizeof b);
    assert_int_equal(n, 7 + 3 + 16 + 1);
    assert_true(frame_ok(b, n));
    assert_int_equal(b[9], 0x90);
    ctl("sam-fail");
    expect(SAM_STATUS, "AAAAAA9669000400006064");
    ctl("sam-ok");
    expect(SAM_STATUS, SAM_OK);
}

static void test_no_card(void **state)
{
    (void)state;
    ctl("lift");
    expect(FIND, NO_CARD);
    expect(SELECT, "AAAAAA9669000400008185");
    expect(READ, READ_FAILED);
    expect(READ_ADDR2, READ_FAILED);
}

static void test_find_select(void **state)
{
    (void)state;
    ctl("place wang");
    expect(FIND, FOUND);
    expect(SELECT, "AAAAAA9669000C00009000000000000000009C");
}

static void test_read_wang(void **state)
{
    (void)state;
    static uint8_t b[READ_LEN + 16], again[READ_LEN + 16];
    char s[128];
    read_card("wang", b);
    field(b, 0, 15, s, sizeof s);
    assert_string_equal(s, "王建国");
    field(b, 30, 1, s, sizeof s);
    assert_string_equal(s, "1");
    field(b, 32, 2, s, sizeof s);
    assert_string_equal(s, "01");
    field(b, 36, 8, s, sizeof s);
    assert_string_equal(s, "19820315");
    field(b, 52, 35, s, sizeof s);
    assert_string_equal(s, "北京市朝阳区建国路88号");
    field(b, 122, 18, s, sizeof s);
    assert_string_equal(s, "110105198203154413");
    field(b, 158, 15, s, sizeof s);
    assert_string_equal(s, "北京市公安局朝阳分局");
    field(b, 188, 8, s, sizeof s);
    assert_string_equal(s, "20160401");
    field(b, 204, 8, s, sizeof s);
    assert_string_equal(s, "20360401");
    for (int i = 220; i < 256; i += 2) { /* reserved: spaces */
        assert_int_equal(b[TEXT_AT + i], ' ');
        assert_int_equal(b[TEXT_AT + i + 1], 0);
    }
    assert_int_equal(b[PHOTO_AT], 'W');
    assert_int_equal(b[PHOTO_AT + 1], 'L');
    /* The same photo every time; another card's differs. */
    read_card("wang", again);
    assert_memory_equal(b, again, READ_LEN);
    read_card("liu", again);
    assert_int_equal(again[PHOTO_AT], 'W');
    assert_memory_not_equal(b + PHOTO_AT, again + PHOTO_AT, 1024);
}

static void test_read_chen(void **state)
{
    (void)state;
    static uint8_t b[READ_LEN + 16];
    char s[128];
    read_card("chen", b);
    field(b, 0, 15, s, sizeof s);
    assert_string_equal(s, "陈美玲");
    field(b, 30, 1, s, sizeof s);
    assert_string_equal(s, "2");
    field(b, 32, 2, s, sizeof s);
    assert_string_equal(s, ""); /* no nation code */
    assert_int_equal(b[TEXT_AT + 248], 'J');
    assert_int_equal(b[TEXT_AT + 249], 0);
    assert_int_equal(b[TEXT_AT + 246], ' ');
    assert_int_equal(b[TEXT_AT + 250], ' ');
}

/* Every card: a valid check digit, its birth date and sex in its number, its dates. */
static void test_identities(void **state)
{
    (void)state;
    static const char *keys[] = {"wang", "chen", "zhao", "liu", "li", "old"};
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static uint8_t b[READ_LEN + 16];
    char id[64], birth[32], sex[8], to[32];
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        read_card(keys[k], b);
        field(b, 122, 18, id, sizeof id);
        field(b, 36, 8, birth, sizeof birth);
        field(b, 30, 1, sex, sizeof sex);
        field(b, 204, 8, to, sizeof to);
        assert_int_equal(strlen(id), 18);
        int sum = 0;
        for (int i = 0; i < 17; i++)
            sum += (id[i] - '0') * w[i];
        assert_int_equal(id[17], "10X98765432"[sum % 11]);
        assert_memory_equal(id + 6, birth, 8);
        assert_int_equal((id[16] - '0') % 2 ? '1' : '2', sex[0]);
        if (strcmp(keys[k], "old") == 0)
            assert_string_equal(to, "长期");
        else
            assert_int_equal(strlen(to), 8);
    }
}

static void test_appended_address(void **state)
{
    (void)state;
    uint8_t b[128];
    char s[128];
    ctl("place wang");
    size_t n = xfer(READ_ADDR2, b, sizeof b);
    assert_int_equal(n, 7 + 3 + 70 + 1);
    assert_true(frame_ok(b, n));
    assert_int_equal(b[9], 0x90);
    ucs2(b + 10, 35, s, sizeof s);
    assert_string_equal(s, "北京市朝阳区东三环中路1号");
    ctl("place liu");
    expect(READ_ADDR2, "AAAAAA9669000400009195");
}

static void test_bad_frames(void **state)
{
    (void)state;
    uint8_t b[64];
    char hex[2 * sizeof b + 1];
    size_t n;
    expect("AAAAAA96690003200123", "AAAAAA9669000400001014");   /* checksum */
    expect("AAAAAA96690003999903", "AAAAAA9669000400002125");   /* unknown command */
    expect("AAAAAA96690003301023", "AAAAAA9669000400002125");   /* 30 10: not supported */
    expect("AAAAAA966900012021", "AAAAAA9669000400001115");     /* LEN under 3 */
    expect("AAAAAA9669000420010025", "AAAAAA9669000400001115"); /* data after 20 01 */
    /* Bytes stopping short of LEN: answered once the line has been quiet for 200 ms. */
    send_hex("AAAAAA966900032001");
    n = recv_answer(b, sizeof b, 600);
    to_hex(b, n, hex);
    assert_string_equal(hex, "AAAAAA9669000400001115");
    expect("0102AA" SAM_STATUS, SAM_OK); /* junk before a frame */
}

static void test_line_faults(void **state)
{
    (void)state;
    uint8_t b[128];
    ctl("garbage");
    size_t n = xfer(SAM_STATUS, b, sizeof b);
    assert_int_equal(n, 40);
    assert_memory_not_equal(b, preamble, 5);
    expect(SAM_STATUS, SAM_OK);
    ctl("badsum");
    expect(SAM_STATUS, "AAAAAA966900040000906B");
    ctl("truncated");
    expect(SAM_STATUS, "AAAAAA9669");
    expect(SAM_STATUS, SAM_OK);
}

static void test_sw3(void **state)
{
    (void)state;
    static uint8_t b[READ_LEN + 16];
    ctl("place wang");
    ctl("sw3 41");
    expect(READ, READ_FAILED);
    ctl("sw3 33");
    expect(READ, "AAAAAA9669000400003337");
    assert_int_equal(xfer(READ, b, sizeof b), READ_LEN); /* spent: a whole read again */
}

static void test_lift_during_read(void **state)
{
    (void)state;
    static uint8_t b[READ_LEN + 16];
    ctl("place wang");
    ctl("lift-during-read");
    size_t n = xfer(READ, b, sizeof b);
    assert_int_equal(n, 400);
    assert_memory_equal(b, preamble, 5);
    expect(FIND, NO_CARD);
}

static void test_silent(void **state)
{
    (void)state;
    uint8_t b[64];
    ctl("silent");
    assert_int_equal(xfer(SAM_STATUS, b, sizeof b), 0);
    ctl("talk");
    expect(SAM_STATUS, SAM_OK);
}

static void test_state_file(void **state)
{
    (void)state;
    static uint8_t b[READ_LEN + 16];
    char line[256] = {0};
    read_card("li", b);
    FILE *f = fopen(state_path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_memory_equal(line, "placed=li reads=", 16);
    assert_non_null(strstr(line, " last_cmd=3001 last_sw3=90 "));
    assert_non_null(strstr(line, " plugged=1 "));
}

static void test_unplug_plug(void **state)
{
    (void)state;
    uint8_t b[64];
    ctl("unplug");
    assert_int_equal(wait_link(0), 0);
    /* The kiosk's side is hung up. */
    struct pollfd pf = {.fd = port, .events = POLLIN};
    assert_int_equal(poll(&pf, 1, 1000), 1);
    assert_true(pf.revents & (POLLHUP | POLLERR));
    ssize_t k = read(port, b, sizeof b);
    assert_true(k == 0 || (k < 0 && errno == EIO));
    close(port);
    port = -1;
    ctl("plug");
    assert_int_equal(wait_link(1), 0);
    port = open_port();
    assert_true(port >= 0);
    expect(SAM_STATUS, SAM_OK);
    /* Closing and opening the port again is no hang-up. */
    close(port);
    port = open_port();
    assert_true(port >= 0);
    expect(SAM_STATUS, SAM_OK);
}

/* SIGTERM: exit 0, the link gone; the log never held a name, an ID number or an address. */
static void test_stop(void **state)
{
    (void)state;
    int st = 0;
    pid_t r = 0;
    kill(pid, SIGTERM);
    for (int i = 0; i < 200 && (r = waitpid(pid, &st, WNOHANG)) == 0; i++)
        sleep_ms(10);
    assert_int_equal(r, pid);
    pid = -1;
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    struct stat sb;
    assert_int_not_equal(lstat(link_path, &sb), 0);

    static char log[1 << 16];
    FILE *f = fopen(log_path, "r");
    assert_non_null(f);
    size_t n = fread(log, 1, sizeof log - 1, f);
    fclose(f);
    log[n] = '\0';
    assert_non_null(strstr(log, "SW3 90"));
    static const char *secrets[] = {"王建国",
                                    "陈美玲",
                                    "孙长青",
                                    "110105198203154413",
                                    "810000199007080026",
                                    "310104199302146625",
                                    "建国路",
                                    "东三环"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        assert_null(strstr(log, secrets[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sam),
        cmocka_unit_test(test_no_card),
        cmocka_unit_test(test_find_select),
        cmocka_unit_test(test_read_wang),
        cmocka_unit_test(test_read_chen),
        cmocka_unit_test(test_identities),
        cmocka_unit_test(test_appended_address),
        cmocka_unit_test(test_bad_frames),
        cmocka_unit_test(test_line_faults),
        cmocka_unit_test(test_sw3),
        cmocka_unit_test(test_lift_during_read),
        cmocka_unit_test(test_silent),
        cmocka_unit_test(test_state_file),
        cmocka_unit_test(test_unplug_plug),
        cmocka_unit_test(test_stop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
