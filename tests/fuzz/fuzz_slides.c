/* The attract slideshow's manifest (INI, pushed by operations): any text either stops with
 * a reason, or gives at most SLIDES_MAX slides whose image paths never leave assets/. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "slides.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    static struct slides s;
    char err[512];
    if (slides_parse(&s, text, "fuzz.ini", err, sizeof err) == 0) {
        if (s.n < 0 || s.n > SLIDES_MAX)
            abort();
        for (int i = 0; i < s.n; i++)
            if (strstr(s.v[i].image, "..") || strnlen(s.v[i].image, sizeof s.v[i].image) ==
                                                  sizeof s.v[i].image)
                abort(); /* a path out of assets/, or not terminated */
    } else if (!err[0]) {
        abort();
    }
    free(text);
    return 0;
}
