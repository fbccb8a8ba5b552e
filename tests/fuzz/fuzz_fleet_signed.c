/* The fleet agent's signed envelope (fleet/api.h fl_signed_check, docs/fleet.md "Signing"):
 * no change to a signed command makes it say something else and still pass. From the input:
 * byte 0 picks the kind (config, prices, playlist) and the audience (this kiosk, its
 * station, every kiosk, another kiosk), bytes 1-2 the version, the rest up to a NUL is the
 * body. The command is signed with the operator's test key and must then pass exactly when
 * it is addressed to this kiosk and its version is newer than the one in force, and never
 * with another key. Then the input's bytes, as a script, change the command's text (bytes
 * replaced, added, removed; fields retyped) several times: whatever still passes must be the
 * same kind, version, audience and body that were signed. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/log.h"
#include "core/sign.h"
#include "flow.h"
#include "fuzz.h"

#define ROUNDS 8

static uint8_t sk[SIGN_ED_SK_LEN];
static char pk[65], other[65];

static void hexify(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void keys(void)
{
    uint8_t seed[32], p[SIGN_ED_PK_LEN], s2[SIGN_ED_SK_LEN];
    sign_init();
    memset(seed, 7, sizeof seed);
    sign_ed25519_seed_keypair(seed, p, sk);
    hexify(p, sizeof p, pk);
    memset(seed, 9, sizeof seed);
    sign_ed25519_seed_keypair(seed, p, s2);
    hexify(p, sizeof p, other);
}

/* parses and checks: 0 when it passes, with the command in *c (freed by the caller). */
static int check(const char *text, size_t len, const char *key, int64_t in_force,
                 struct fl_command *c)
{
    char why[FL_DETAIL_MAX];
    int rc = fl_command_parse(text, len, c, why, sizeof why);
    if (rc == 0 && !fl_cmds[c->cmd].is_signed)
        return -1;
    return rc == 0 ? fl_signed_check(c, key, "S001", "T0001", in_force, why, sizeof why) : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        log_set_quiet(1);
        keys();
        ready = 1;
    }
    if (size < 3)
        return 0;
    static const int kinds[] = {FL_CONFIG, FL_PRICES, FL_PLAYLIST};
    static const char *const audiences[] = {"S001/T0001", "S001/all", "all/all", "S001/T0002",
                                            "S002/all"};
    int kind = kinds[data[0] % 3];
    const char *to = audiences[(data[0] / 3) % 5];
    int mine = (data[0] / 3) % 5 < 3;
    int64_t version = 1 + (data[1] | data[2] << 8);
    size_t n = strnlen((const char *)data + 3, size - 3);
    if (n > FL_BODY_MAX)
        n = FL_BODY_MAX;
    char *body = malloc(n + 1);
    memcpy(body, data + 3, n);
    body[n] = '\0';

    size_t len;
    char *bytes = fl_signed_bytes(fl_cmds[kind].name, version, to, body, &len);
    uint8_t sig[SIGN_ED_SIG_LEN];
    char sig_hex[129];
    sign_ed25519_sign(sk, bytes, len, sig);
    hexify(sig, sizeof sig, sig_hex);
    free(bytes);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", "f-1");
    cJSON_AddStringToObject(o, "cmd", fl_cmds[kind].name);
    cJSON_AddNumberToObject(o, "version", (double)version);
    cJSON_AddStringToObject(o, "to", to);
    cJSON_AddStringToObject(o, "body", body);
    cJSON_AddStringToObject(o, "sig", sig_hex);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);

    struct fl_command c;
    /* as signed: passes exactly when it is for this kiosk and newer; never with another key */
    if ((check(text, strlen(text), pk, version - 1, &c) == 0) != mine)
        abort();
    fl_command_free(&c);
    if (check(text, strlen(text), pk, version, &c) == 0)
        abort();
    fl_command_free(&c);
    if (check(text, strlen(text), other, 0, &c) == 0)
        abort();
    fl_command_free(&c);

    /* changed by the script: what passes says what was signed */
    struct fuzz_script sc = {data, size, (uint32_t)size * 2654435761u, 64};
    size_t cap = strlen(text) + 64;
    char *t = malloc(cap + 1);
    for (int round = 0; round < ROUNDS; round++) {
        size_t tn = strlen(text);
        memcpy(t, text, tn + 1);
        int edits = 1 + fuzz_next(&sc) % 4;
        for (int e = 0; e < edits && tn; e++) {
            size_t at = ((size_t)fuzz_next(&sc) << 8 | fuzz_next(&sc)) % tn;
            uint8_t op = fuzz_next(&sc) % 4, b = fuzz_next(&sc);
            if (op == 0) {
                t[at] = (char)b;
            } else if (op == 1 && tn < cap) {
                memmove(t + at + 1, t + at, tn - at + 1);
                t[at] = (char)b;
                tn++;
            } else if (op == 2) {
                memmove(t + at, t + at + 1, tn - at);
                tn--;
            } else {
                t[at] = "0123456789\"\\{}[],:afnu"[b % 23]; /* what JSON reads differently */
            }
        }
        if (check(t, tn, pk, 0, &c) == 0 &&
            (c.cmd != kind || c.version != version || strcmp(c.to, to) || strcmp(c.body, body)))
            abort(); /* a forgery */
        fl_command_free(&c);
    }
    free(t);
    free(text);
    free(body);
    return 0;
}
