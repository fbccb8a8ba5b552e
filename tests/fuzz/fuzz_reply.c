/* The backend client reading an answer: any body with any status. A body that is not JSON
 * is a bad response (never used), and an error always has a code to act on. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "backend/backend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    struct backend_result *r = calloc(1, sizeof *r);
    if (!r)
        return 0;
    r->outcome = BE_OK;
    r->status = 100 + (data[0] | data[1] << 8) % 500;
    backend_read_reply(r, (const char *)data + 2, size - 2);
    if (r->outcome == BE_BAD_RESPONSE && r->json)
        abort();
    if (r->outcome == BE_OK && r->status >= 300 && !r->err_code[0])
        abort(); /* an error nobody can act on */
    if (strnlen(r->err_code, sizeof r->err_code) == sizeof r->err_code ||
        strnlen(r->err_msg, sizeof r->err_msg) == sizeof r->err_msg)
        abort();
    backend_result_free(r);
    return 0;
}
