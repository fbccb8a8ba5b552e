/* Serial lines, for the drivers of devices on one (a payment-code imager, an ID card reader):
 * termios lives here and nowhere else. */
#ifndef DRIVERS_DEVICE_SERIAL_H
#define DRIVERS_DEVICE_SERIAL_H

#include <stddef.h>

/* The speeds a driver may offer, as its `baud` option's choices. */
#define SERIAL_BAUDS "9600|19200|38400|57600|115200|230400|460800|921600"

/* Opens `device` raw at `baud` (one of SERIAL_BAUDS), 8 data bits, 1 stop bit, `parity`
 * (0 none, 1 even, 2 odd; a byte with a parity error or a break reads as a NUL), no flow
 * control, non-blocking, what was waiting on the line flushed, kept from other programs
 * (TIOCEXCL, best effort). The descriptor, or -1 with the reason in err in words fit for the
 * home menu's log ("/dev/ttyUSB0: no such device", "... permission denied (is the kiosk's
 * user in the tty's group?)", "... not a serial device"). */
int serial_line_open(const char *device, const char *baud, int parity, char *err,
                     size_t errcap);
/* Closes what serial_line_open() gave (TIOCNXCL first). */
void serial_line_close(int fd);
/* errno `e` in those words (buf may be used; strerror_r: one thread per instance). */
const char *serial_errno_words(int e, char *buf, size_t cap);

#endif
