/* The scripted-session parser takes any text. */
#include <string.h>

#include "fuzz.h"
#include "host/script.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[8192];
    if (size >= sizeof text)
        size = sizeof text - 1;
    memcpy(text, data, size);
    text[size] = '\0';
    struct script s;
    char err[256];
    if (script_parse(&s, "fuzz", text, err, sizeof err) == 0)
        script_free(&s);
    return 0;
}
