/* A grey frame as a baseline JPEG with libturbojpeg: the only file that includes it.
 *
 * libturbojpeg writes into a buffer as large as the worst case (tjBufSize()) that it is told
 * not to reallocate, so no copy of the picture is freed unwiped behind the caller's back; the
 * JPEG is then copied into a buffer of its own size and the large one wiped. */
#include "face/face.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

int face_jpeg(const uint8_t *grey, int w, int h, int stride, int quality, uint8_t **out,
              size_t *len, char *err, size_t errcap)
{
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!grey || !out || !len || w < 1 || w > 4096 || h < 1 || h > 4096 || stride < w ||
        quality < 1 || quality > 100) {
        snprintf(err, errcap, "face jpeg: bad frame (%dx%d, stride %d) or quality %d", w, h, stride,
                 quality);
        return -1;
    }
    unsigned long cap = tjBufSize(w, h, TJSAMP_GRAY);
    if (cap == (unsigned long)-1) {
        snprintf(err, errcap, "face jpeg: %s", tjGetErrorStr2(NULL));
        return -1;
    }
    int rc = -1;
    unsigned char *big = malloc(cap);
    tjhandle tj = tjInitCompress();
    if (!big || !tj) {
        snprintf(err, errcap, "face jpeg: %s", big ? tjGetErrorStr2(NULL) : "out of memory");
        goto end;
    }
    unsigned long size = cap;
    if (tjCompress2(tj, grey, w, stride, h, TJPF_GRAY, &big, &size, TJSAMP_GRAY, quality,
                    TJFLAG_NOREALLOC) != 0) {
        snprintf(err, errcap, "face jpeg: %s", tjGetErrorStr2(tj));
        goto end;
    }
    *out = malloc(size);
    if (!*out) {
        snprintf(err, errcap, "face jpeg: out of memory");
        goto end;
    }
    memcpy(*out, big, size);
    *len = size;
    rc = 0;
end:
    if (tj)
        tjDestroy(tj);
    if (big) {
        explicit_bzero(big, cap);
        free(big);
    }
    return rc;
}
