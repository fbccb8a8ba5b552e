/* The scripted-session parser takes any text. */
#include <string.h>

#include "fuzz.h"
#include "kiosk/app/script.h"

const char *const fuzz_seeds[] = {
    "size 1080 1920\nwait home 5s\ntap home.fuel\ntype hello\nkey Tab\n",
    "scan 6901234567892\ncard insert r0\ncard remove\nexpect home.title Choose\n",
    "absent dialog.ok\nunavailable home.card\nadvance 61s\npause 250ms\nshot x-1\n",
    "# comment\n\n\r\nwait attract 2m\n",
    NULL,
};

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
