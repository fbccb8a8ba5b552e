/* The virtual card's application without a reader (vcard_apdu.c, vcard_store.c): the
 * fixture, every command's answers, a whole load checked the backend's way, the state file.
 * CARDS_INI is the fixture's path (set by CMake). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pboc.h"
#include "vcard.h"

static struct vc_fixture fx;

struct rsp {
    uint8_t b[VC_RESP_MAX];
    size_t n;
    int changed;
};

static unsigned sw_of(const struct rsp *r)
{
    return (unsigned)r->b[r->n - 2] << 8 | r->b[r->n - 1];
}

static uint32_t u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Sends the APDU given in hex (spaces allowed). */
static struct rsp tx(struct vc_card *c, const char *hex)
{
    uint8_t cmd[300];
    size_t n = 0;
    char pair[3] = {0};
    for (const char *p = hex; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        pair[0] = p[0];
        pair[1] = p[1];
        assert_int_equal(vc_unhex(pair, cmd + n, 1), 0);
        n++;
        p += 2;
    }
    struct rsp r;
    r.n = vc_apdu(c, cmd, n, r.b, &r.changed);
    assert_true(r.n >= 2 && r.n <= VC_RESP_MAX);
    return r;
}

static struct rsp txb(struct vc_card *c, const uint8_t *cmd, size_t n)
{
    struct rsp r;
    r.n = vc_apdu(c, cmd, n, r.b, &r.changed);
    return r;
}

static void insert(struct vc_card *c, const char *no)
{
    const struct vc_def *d = vc_fixture_find(&fx, no);
    assert_non_null(d);
    memset(c, 0, sizeof *c);
    c->def = d;
    c->aid_n = 10;
    assert_int_equal(vc_unhex(VC_DEFAULT_AID, c->aid, c->aid_n), 0);
    vc_state_fresh(d, &c->st);
}

#define SELECT "00A404000A F046554C434152443031 00"
#define PIN_OK "0020000003 123456"

static int setup(void **state)
{
    (void)state;
    char err[256];
    const char *path = getenv("CARDS_INI");
    assert_non_null(path);
    if (vc_fixture_load(path, &fx, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static void test_fixture(void **state)
{
    (void)state;
    assert_int_equal(fx.n, 13);
    const struct vc_def *d = vc_fixture_find(&fx, "1000113300001234");
    assert_non_null(d);
    assert_string_equal(d->holder, "北京京华运输有限公司");
    assert_int_equal(d->kind, VC_MAIN);
    d = vc_fixture_find(&fx, "1000113300002003");
    assert_int_equal(d->tries, 1);
    assert_int_equal(d->balance, 500);
    d = vc_fixture_find(&fx, "1000113300002004");
    assert_int_equal(d->expiry, 20251231);
    assert_true(vc_fixture_find(&fx, "1000113300007777")->other_app);
    assert_null(vc_fixture_find(&fx, "1000113300000000"));
    uint8_t mlk[16], dlk[16];
    pboc_key_hex(PBOC_TEST_MLK, mlk);
    pboc_diversify(mlk, "1000113300002001", dlk);
    assert_memory_equal(vc_fixture_find(&fx, "1000113300002001")->dlk, dlk, 16);
}

static void test_select_and_files(void **state)
{
    (void)state;
    struct vc_card c;
    insert(&c, "1000113300002001");
    struct rsp r = tx(&c, "00B0950020");
    assert_int_equal(sw_of(&r), 0x6985); /* before SELECT */
    r = tx(&c, "00A4040005 A000000003 00");
    assert_int_equal(sw_of(&r), 0x6A82);
    r = tx(&c, "00A40000021001");
    assert_int_equal(sw_of(&r), 0x9000);
    r = tx(&c, SELECT);
    assert_int_equal(r.n, 2);
    assert_int_equal(sw_of(&r), 0x9000);

    r = tx(&c, "00B0950020");
    assert_int_equal(r.n, 34);
    assert_int_equal(sw_of(&r), 0x9000);
    uint8_t no[8] = {0x10, 0x00, 0x11, 0x33, 0x00, 0x00, 0x20, 0x01};
    assert_memory_equal(r.b + 10, no, 8);
    uint8_t dates[8] = {0x20, 0x24, 0x01, 0x01, 0x20, 0x30, 0x12, 0x31};
    assert_memory_equal(r.b + 18, dates, 8);
    assert_int_equal(r.b[26], 1); /* personal */
    assert_int_equal(r.b[27], 0); /* active */

    r = tx(&c, "00B0960020");
    assert_int_equal(r.n, 34);
    assert_memory_equal(r.b, "刘洋", strlen("刘洋"));
    assert_int_equal(r.b[strlen("刘洋")], 0);
    r = tx(&c, "00B0970020");
    assert_int_equal(sw_of(&r), 0x6A82);

    r = tx(&c, "805C000204");
    assert_int_equal(r.n, 6);
    assert_int_equal(u32(r.b), 8800);

    r = tx(&c, "00CA000000");
    assert_int_equal(sw_of(&r), 0x6D00);
    r = tx(&c, "A0A4040005A000000003");
    assert_int_equal(sw_of(&r), 0x6E00);
    r = tx(&c, "80B0950020"); /* a known instruction in the wrong class */
    assert_int_equal(sw_of(&r), 0x6E00);

    insert(&c, "1000113300007777"); /* not ours */
    r = tx(&c, SELECT);
    assert_int_equal(sw_of(&r), 0x6A82);
    r = tx(&c, "805C000204");
    assert_int_equal(sw_of(&r), 0x6985);
}

static void test_verify(void **state)
{
    (void)state;
    struct vc_card c;
    insert(&c, "1000113300002001");
    tx(&c, SELECT);
    struct rsp r = tx(&c, "0020000003 654321");
    assert_int_equal(sw_of(&r), 0x63C2);
    assert_true(r.changed);
    assert_int_equal(c.st.tries, 2);
    r = tx(&c, "0020000003 12345F"); /* 5 digits, F-padded: wrong */
    assert_int_equal(sw_of(&r), 0x63C1);
    r = tx(&c, "0020000000");
    assert_int_equal(sw_of(&r), 0x63C1); /* no PIN: the tries left */
    r = tx(&c, PIN_OK);
    assert_int_equal(sw_of(&r), 0x9000);
    assert_true(r.changed);
    assert_int_equal(c.st.tries, 3);
    r = tx(&c, PIN_OK);
    assert_int_equal(sw_of(&r), 0x9000);
    assert_false(r.changed); /* already 3 */
    r = tx(&c, "0020000003 12A456");
    assert_int_equal(sw_of(&r), 0x6A80);
    assert_int_equal(c.st.tries, 3);

    insert(&c, "1000113300002003"); /* one try left */
    tx(&c, SELECT);
    r = tx(&c, "0020000003 111111");
    assert_int_equal(sw_of(&r), 0x6983);
    assert_int_equal(c.st.tries, 0);
    r = tx(&c, PIN_OK);
    assert_int_equal(sw_of(&r), 0x6983);
    r = tx(&c, "805000020B 01 00004E20 000000000001 10");
    assert_int_equal(sw_of(&r), 0x6982);
}

/* The host's side of a load: checks MAC1, gives MAC2. */
static void host_mac2(const char *card_no, const uint8_t init[16], uint32_t amount,
                      const uint8_t term[6], const uint8_t date[4], const uint8_t time[3],
                      uint8_t mac2[4])
{
    uint8_t mlk[16], dlk[16], sk[8], mac1[4];
    pboc_key_hex(PBOC_TEST_MLK, mlk);
    pboc_diversify(mlk, card_no, dlk);
    pboc_session_key(dlk, init + 8, (uint16_t)(init[4] << 8 | init[5]), sk);
    pboc_mac1(sk, u32(init), amount, 0x02, term, mac1);
    assert_memory_equal(mac1, init + 12, 4);
    pboc_mac2(sk, amount, 0x02, term, date, time, mac2);
}

static void test_load(void **state)
{
    (void)state;
    const char *no = "1000113300002001";
    const uint8_t term[6] = {0, 0, 0, 0, 0, 1}, date[4] = {0x20, 0x26, 0x11, 0x30};
    const uint8_t time[3] = {0x14, 0x15, 0x03};
    struct vc_card c;
    insert(&c, no);
    tx(&c, SELECT);
    struct rsp r = tx(&c, "805000020B 01 00004E20 000000000001 10");
    assert_int_equal(sw_of(&r), 0x6982); /* no PIN yet */
    r = tx(&c, "805200000B 20261130 141503 00000000 04");
    assert_int_equal(sw_of(&r), 0x6985); /* no INITIALIZE */
    tx(&c, PIN_OK);
    r = tx(&c, "805000020B 01 00000000 000000000001 10");
    assert_int_equal(sw_of(&r), 0x6A80); /* amount 0 */
    r = tx(&c, "805000020B 02 00004E20 000000000001 10");
    assert_int_equal(sw_of(&r), 0x9403); /* key index */
    r = tx(&c, "805000020B 01 7FFFFFFF 000000000001 10");
    assert_int_equal(sw_of(&r), 0x6A80); /* over 0x7FFFFFFF */

    r = tx(&c, "805000020B 01 00004E20 000000000001 10");
    assert_int_equal(r.n, 18);
    assert_int_equal(sw_of(&r), 0x9000);
    assert_false(r.changed);
    assert_int_equal(u32(r.b), 8800);
    assert_int_equal(r.b[4] << 8 | r.b[5], 0);
    assert_int_equal(r.b[6], 1);
    assert_int_equal(r.b[7], 0);
    uint8_t init[16], mac2[4];
    memcpy(init, r.b, 16);
    host_mac2(no, init, 20000, term, date, time, mac2);

    /* a wrong MAC2: refused, the pending load dropped */
    uint8_t cmd[17] = {0x80, 0x52, 0x00, 0x00, 0x0B};
    memcpy(cmd + 5, date, 4);
    memcpy(cmd + 9, time, 3);
    memcpy(cmd + 12, mac2, 4);
    cmd[16] = 0x04;
    cmd[12] ^= 1;
    r = txb(&c, cmd, sizeof cmd);
    assert_int_equal(sw_of(&r), 0x9302);
    cmd[12] ^= 1;
    r = txb(&c, cmd, sizeof cmd);
    assert_int_equal(sw_of(&r), 0x6985);

    /* again, a new random */
    r = tx(&c, "805000020B 01 00004E20 000000000001 10");
    assert_int_equal(sw_of(&r), 0x9000);
    assert_memory_not_equal(r.b + 8, init + 8, 4);
    memcpy(init, r.b, 16);
    host_mac2(no, init, 20000, term, date, time, mac2);
    memcpy(cmd + 12, mac2, 4);
    r = txb(&c, cmd, sizeof cmd);
    assert_int_equal(r.n, 6);
    assert_int_equal(sw_of(&r), 0x9000);
    assert_true(r.changed);
    uint8_t tac[4], mtk[16], dtk[16], want[4];
    memcpy(tac, r.b, 4);
    pboc_key_hex(PBOC_TEST_MTK, mtk);
    pboc_diversify(mtk, no, dtk);
    pboc_tac(dtk, 28800, 0, 20000, 0x02, term, date, time, want);
    assert_memory_equal(tac, want, 4);
    assert_int_equal(c.st.balance, 28800);
    assert_int_equal(c.st.serial, 1);
    r = txb(&c, cmd, sizeof cmd);
    assert_int_equal(sw_of(&r), 0x6985); /* spent */

    r = tx(&c, "805A000202 0001 08");
    assert_int_equal(r.n, 10);
    assert_memory_equal(r.b, mac2, 4);
    assert_memory_equal(r.b + 4, tac, 4);
    r = tx(&c, "805A000202 0000 08");
    assert_int_equal(sw_of(&r), 0x9406);
    r = tx(&c, "805A000202 0002 08");
    assert_int_equal(sw_of(&r), 0x9406);

    /* the log: the load first, then the 3 purchases of the fixture */
    r = tx(&c, "00B201C417");
    assert_int_equal(r.n, 25);
    assert_int_equal(r.b[0] << 8 | r.b[1], 0); /* the serial of the load */
    assert_int_equal(u32(r.b + 5), 20000);
    assert_int_equal(r.b[9], 0x02);
    assert_memory_equal(r.b + 10, term, 6);
    assert_memory_equal(r.b + 16, date, 4);
    assert_memory_equal(r.b + 20, time, 3);
    r = tx(&c, "00B202C417");
    assert_int_equal(r.b[9], 0x06);
    assert_int_equal(r.b[16], 0x20);
    assert_int_equal(r.b[17], 0x26);
    assert_int_equal(r.b[18], 0x11);
    r = tx(&c, "00B204C417");
    assert_int_equal(sw_of(&r), 0x9000);
    r = tx(&c, "00B205C417");
    assert_int_equal(sw_of(&r), 0x6A83);
    r = tx(&c, "00B201BC17"); /* another SFI */
    assert_int_equal(sw_of(&r), 0x6A82);

    r = tx(&c, "805C000204");
    assert_int_equal(u32(r.b), 28800);

    /* blocked by the issuer: no load (the fixture has no such card: a copy of this one) */
    struct vc_def blocked = *c.def;
    blocked.blocked = 1;
    struct vc_card b = c;
    b.def = &blocked;
    tx(&b, SELECT);
    tx(&b, PIN_OK);
    r = tx(&b, "00B0950020");
    assert_int_equal(r.b[27], 1);
    r = tx(&b, "805000020B 01 00004E20 000000000001 10");
    assert_int_equal(sw_of(&r), 0x6A81);

    /* a SELECT forgets the PIN */
    tx(&c, SELECT);
    r = tx(&c, "805000020B 01 00004E20 000000000001 10");
    assert_int_equal(sw_of(&r), 0x6982);
}

static void test_log_keeps_10(void **state)
{
    (void)state;
    struct vc_card c;
    const uint8_t term[6] = {0, 0, 0, 0, 0, 1}, date[4] = {0x20, 0x26, 0x12, 0x01};
    const uint8_t time[3] = {0x09, 0x00, 0x00};
    insert(&c, "1000113300005678");
    tx(&c, SELECT);
    tx(&c, PIN_OK);
    for (int i = 0; i < 12; i++) {
        struct rsp r = tx(&c, "805000020B 01 00000064 000000000001 10");
        assert_int_equal(sw_of(&r), 0x9000);
        uint8_t cmd[17] = {0x80, 0x52, 0x00, 0x00, 0x0B};
        memcpy(cmd + 5, date, 4);
        memcpy(cmd + 9, time, 3);
        host_mac2(c.def->card_no, r.b, 100, term, date, time, cmd + 12);
        cmd[16] = 0x04;
        r = txb(&c, cmd, sizeof cmd);
        assert_int_equal(sw_of(&r), 0x9000);
    }
    assert_int_equal(c.st.nlog, 10);
    assert_int_equal(c.st.serial, 12);
    assert_int_equal(c.st.balance, 2000 + 1200);
    struct rsp r = tx(&c, "00B20AC417");
    assert_int_equal(r.b[1], 2); /* the 10th newest: the load at serial 2 */
    r = tx(&c, "00B20BC417");
    assert_int_equal(sw_of(&r), 0x6A83);
}

static void test_state_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/vcard-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    const struct vc_def *d = vc_fixture_find(&fx, "1000113300002001");
    struct vc_state a, b;
    assert_int_equal(vc_state_load(dir, d, &a), 1); /* none yet */
    vc_state_fresh(d, &a);
    a.balance = 123456;
    a.serial = 7;
    a.tries = 2;
    a.nproof = 2;
    a.proof[0] = (struct vc_proof){.serial = 6, .mac2 = {1, 2, 3, 4}, .tac = {5, 6, 7, 8}};
    a.proof[1] = (struct vc_proof){.serial = 7, .mac2 = {9, 10, 11, 12}, .tac = {0xFF, 0, 1, 2}};
    assert_int_equal(vc_state_save(dir, d, &a), 0);
    memset(&b, 0x55, sizeof b);
    assert_int_equal(vc_state_load(dir, d, &b), 0);
    assert_int_equal(b.balance, 123456);
    assert_int_equal(b.serial, 7);
    assert_int_equal(b.tries, 2);
    assert_true(b.rng == a.rng);
    assert_int_equal(b.nlog, 3);
    assert_memory_equal(b.log, a.log, sizeof a.log[0] * 3);
    assert_int_equal(b.nproof, 2);
    assert_memory_equal(b.proof, a.proof, sizeof a.proof[0] * 2);

    char path[512], tmp[600];
    snprintf(path, sizeof path, "%s/%s.state", dir, d->card_no);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs("balance x\n", f);
    fclose(f);
    assert_int_equal(vc_state_load(dir, d, &b), -1);
    unlink(path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    unlink(tmp);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture),      cmocka_unit_test(test_select_and_files),
        cmocka_unit_test(test_verify),       cmocka_unit_test(test_load),
        cmocka_unit_test(test_log_keeps_10), cmocka_unit_test(test_state_file),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
