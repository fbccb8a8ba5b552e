#include "core/err.h"

static const char *const names[KERR_LAST] = {
    [KERR_OK] = "ok",
    [KERR_NOMEM] = "out of memory",
    [KERR_INVALID] = "invalid input",
    [KERR_IO] = "input/output error",
    [KERR_NOT_FOUND] = "not found",
    [KERR_TIMEOUT] = "timed out",
    [KERR_RANGE] = "out of range",
    [KERR_UNSUPPORTED] = "not supported",
    [KERR_BUSY] = "busy",
    [KERR_DEVICE] = "device error",
    [KERR_NETWORK] = "network error",
    [KERR_PROTOCOL] = "protocol error",
    [KERR_CONFLICT] = "conflict",
    [KERR_DENIED] = "denied",
};

const char *kerr_str(enum kerr e)
{
    if ((int)e < 0 || e >= KERR_LAST || !names[e])
        return "unknown error";
    return names[e];
}
