/* The printer emulator's ESC/POS decoder and the status parser take any bytes. */
#include "printer/escpos.h"
#include "fuzz.h"


static void page(const struct bitmap *p, int torn, void *user)
{
    (void)p, (void)torn, (void)user;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct escpos_decoder *d = escpos_decoder_create(384, page, NULL, NULL);
    uint8_t reply[32];
    size_t nreply;
    escpos_decoder_paper_limit(d, size % 3 ? -1 : (long)size);
    escpos_decoder_feed(d, data, size / 2, reply, sizeof reply, &nreply);
    escpos_decoder_feed(d, data + size / 2, size - size / 2, reply, sizeof reply, &nreply);
    escpos_decoder_finish(d);
    escpos_decoder_destroy(d);
    (void)escpos_parse_status(data, size);
    return 0;
}
