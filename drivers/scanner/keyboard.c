/* A scanner in keyboard ("wedge") mode types into the kiosk like a keyboard: the host frames
 * what is typed (scanner/wedge.h), so this driver has no worker and no options. It cannot
 * tell whether the scanner is plugged in (a keyboard is a keyboard): its health is OK. */
#include "scanner/scanner.h"

static const struct cfg_option keyboard_options[] = {{0}};

static int keyboard_open(void *priv, const void *opts, char *err, size_t errcap)
{
    (void)priv, (void)opts, (void)err, (void)errcap;
    return 0;
}

static void keyboard_close(void *priv)
{
    (void)priv;
}

static const struct scanner_ops keyboard_ops = {
    .open = keyboard_open,
    .read = NULL,
    .preview = NULL,
    .close = keyboard_close,
};

const struct dev_driver scanner_keyboard = {
    .name = "keyboard",
    .options = keyboard_options,
    .opts_size = 0,
    .priv_size = 0,
    .ops = &keyboard_ops,
};
