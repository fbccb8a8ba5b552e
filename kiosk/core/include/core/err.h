/* One error enum for the whole kiosk. Values are fixed: never renumber, only append. */
#ifndef KIOSK_CORE_ERR_H
#define KIOSK_CORE_ERR_H

enum kerr {
    KERR_OK = 0,
    KERR_NOMEM = 1,       /* allocation failed */
    KERR_INVALID = 2,     /* bad argument or malformed input */
    KERR_IO = 3,          /* read/write failed */
    KERR_NOT_FOUND = 4,   /* file, key or record missing */
    KERR_TIMEOUT = 5,     /* a wait ran out */
    KERR_RANGE = 6,       /* value out of the allowed range */
    KERR_UNSUPPORTED = 7, /* operation not supported by this driver */
    KERR_BUSY = 8,        /* resource in use */
    KERR_DEVICE = 9,      /* device reported an error */
    KERR_NETWORK = 10,    /* network unreachable or connection lost */
    KERR_PROTOCOL = 11,   /* peer spoke something we cannot parse */
    KERR_CONFLICT = 12,   /* state conflict (already paid, locked, idempotency mismatch) */
    KERR_DENIED = 13,     /* refused: auth, signature, permission */
    KERR_LAST
};

/* Short English description of an error code; never NULL. */
const char *kerr_str(enum kerr e);

#endif
