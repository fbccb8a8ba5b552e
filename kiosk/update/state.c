/* update.json: the state as JSON and back (slots.h). */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "update/slots.h"

static const char *const phase_names[SLOTS_PHASE_LAST] = {
    "idle", "downloading", "staged", "trial", "committed", "failed"};

const char *slots_phase_name(enum slots_phase p)
{
    return p < SLOTS_PHASE_LAST ? phase_names[p] : "?";
}

char *slots_state_json(const struct slots_state *st)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "phase", slots_phase_name(st->phase));
    cJSON_AddStringToObject(o, "action", st->action);
    cJSON_AddStringToObject(o, "version", st->version);
    cJSON_AddStringToObject(o, "sha256", st->sha256);
    json_add_int(o, "tries", st->tries);
    cJSON_AddStringToObject(o, "slot", st->slot);
    cJSON_AddStringToObject(o, "current", st->current);
    cJSON_AddStringToObject(o, "previous", st->previous);
    cJSON_AddStringToObject(o, "previous_version", st->previous_version);
    cJSON_AddBoolToObject(o, "rolled_back", st->rolled_back);
    json_add_int(o, "switched_at", st->switched_at);
    json_add_int(o, "deadline", st->deadline);
    cJSON *starts = cJSON_AddArrayToObject(o, "starts");
    for (int i = 0; starts && i < st->nstarts && i < SLOTS_STARTS; i++)
        cJSON_AddItemToArray(starts, cJSON_CreateNumber((double)st->starts[i]));
    cJSON_AddStringToObject(o, "reason", st->reason);
    cJSON_AddStringToObject(o, "done", st->done);
    return json_print_free(o);
}

/* "", "a", "b" (slots), or also "factory" (links). */
static int slot_name_ok(const char *s, int factory_ok)
{
    return !s[0] || !strcmp(s, "a") || !strcmp(s, "b") || (factory_ok && !strcmp(s, "factory"));
}

/* "" or 1..20 digits. */
static int action_ok(const char *s)
{
    size_t n = strlen(s);
    if (n > 20)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* 0 at the wall clock's start; JSON carries times exactly below 2^53. */
#define TIME_MAX INT64_C(9007199254740991)

int slots_state_parse(const char *text, size_t len, struct slots_state *st)
{
    memset(st, 0, sizeof *st);
    cJSON *o = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return -1;
    }
    int bad = 0;
    const char *phase = json_str(o, "phase");
    st->phase = SLOTS_PHASE_LAST;
    for (int i = 0; i < SLOTS_PHASE_LAST; i++)
        if (!strcmp(phase, phase_names[i]))
            st->phase = (enum slots_phase)i;
    bad |= st->phase == SLOTS_PHASE_LAST;
    json_copy(o, "action", st->action, sizeof st->action, 1, &bad);
    json_copy(o, "version", st->version, sizeof st->version, 1, &bad);
    json_copy(o, "sha256", st->sha256, sizeof st->sha256, 1, &bad);
    st->tries = (int)json_int(o, "tries", 0, 1000, &bad);
    json_copy(o, "slot", st->slot, sizeof st->slot, 1, &bad);
    json_copy(o, "current", st->current, sizeof st->current, 1, &bad);
    json_copy(o, "previous", st->previous, sizeof st->previous, 1, &bad);
    json_copy(o, "previous_version", st->previous_version, sizeof st->previous_version, 1,
              &bad);
    const cJSON *rb = cJSON_GetObjectItemCaseSensitive(o, "rolled_back");
    bad |= !cJSON_IsBool(rb);
    st->rolled_back = cJSON_IsTrue(rb);
    st->switched_at = json_int(o, "switched_at", 0, TIME_MAX, &bad);
    st->deadline = json_int(o, "deadline", 0, TIME_MAX, &bad);
    const cJSON *starts = cJSON_GetObjectItemCaseSensitive(o, "starts");
    bad |= !cJSON_IsArray(starts) || cJSON_GetArraySize(starts) > SLOTS_STARTS;
    const cJSON *t;
    cJSON_ArrayForEach(t, starts)
    {
        if (bad || !cJSON_IsNumber(t) || t->valuedouble < 0 || t->valuedouble > (double)TIME_MAX ||
            t->valuedouble != (double)(int64_t)t->valuedouble) {
            bad = 1;
            break;
        }
        st->starts[st->nstarts++] = (int64_t)t->valuedouble;
    }
    json_copy(o, "reason", st->reason, sizeof st->reason, 1, &bad);
    json_copy(o, "done", st->done, sizeof st->done, 1, &bad);
    cJSON_Delete(o);
    bad |= !action_ok(st->action) || !action_ok(st->done) || !slot_name_ok(st->slot, 0) ||
           !slot_name_ok(st->current, 1) || !slot_name_ok(st->previous, 1) ||
           (st->version[0] && !version_valid(st->version)) ||
           (st->previous_version[0] && !version_valid(st->previous_version));
    /* what each phase needs */
    bad |= st->phase != SLOTS_IDLE && !st->action[0];
    bad |= (st->phase == SLOTS_STAGED || st->phase == SLOTS_TRIAL) && !st->slot[0];
    bad |= st->phase == SLOTS_TRIAL && (!st->previous[0] || !st->current[0]);
    if (bad) {
        memset(st, 0, sizeof *st);
        return -1;
    }
    return 0;
}
