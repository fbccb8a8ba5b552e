/* A scanner in keyboard mode: the bytes choose text typed in pieces, Return and touches.
 * A scan is exactly what was typed since the last Return or touch, or refused whole when it
 * cannot be a code; nothing is ever dropped from the middle (which would make another code
 * of it), and the buffer is wiped after each scan. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scanner/wedge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct wedge w;
    static char model[4 * CODE_SCAN_MAX];
    size_t nmodel = 0;
    int overflow = 0;
    memset(&w, 0, sizeof w);
    for (size_t i = 0; i < size;) {
        uint8_t op = data[i++];
        if (op < 0x10) { /* Return */
            char out[CODE_SCAN_MAX + 1];
            int refused = -1;
            int got = wedge_enter(&w, out, sizeof out, &refused);
            model[nmodel] = '\0';
            if (got != (nmodel > 0 || overflow))
                abort();
            if (got) {
                int should = overflow || !code_scan_ok(model);
                if (refused != should)
                    abort();
                if (!refused && strcmp(out, model))
                    abort(); /* another code than the one typed */
            }
            for (size_t k = 0; k < sizeof w.buf; k++)
                if (w.buf[k])
                    abort(); /* not wiped */
            nmodel = 0, overflow = 0;
        } else if (op < 0x18) { /* a touch */
            wedge_clear(&w);
            nmodel = 0, overflow = 0;
        } else { /* text: the next (op & 7) + 1 bytes, up to a NUL */
            char text[9];
            size_t len = (op & 7) + 1, k = 0;
            while (k < len && i < size && data[i])
                text[k++] = (char)data[i++];
            if (i < size && !data[i])
                i++;
            text[k] = '\0';
            wedge_text(&w, text);
            for (size_t t = 0; t < k; t++) {
                if (nmodel < CODE_SCAN_MAX)
                    model[nmodel++] = text[t];
                else
                    overflow = 1;
            }
        }
    }
    return 0;
}
