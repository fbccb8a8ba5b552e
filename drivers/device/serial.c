/* Serial lines (device/serial.h). */
#include "device/serial.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

const char *serial_errno_words(int e, char *buf, size_t cap)
{
    switch (e) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
        return "no such device";
    case EACCES:
    case EPERM:
        return "permission denied (is the kiosk's user in the tty's group?)";
    case EBUSY:
        return "in use by another program";
    case EIO:
        return "I/O error (unplugged?)";
    default:
        if (strerror_r(e, buf, cap) != 0)
            snprintf(buf, cap, "error %d", e);
        return buf;
    }
}

static int speed_of(const char *baud, speed_t *out)
{
    static const struct {
        const char *name;
        speed_t speed;
    } speeds[] = {{"9600", B9600},     {"19200", B19200},   {"38400", B38400},
                  {"57600", B57600},   {"115200", B115200}, {"230400", B230400},
                  {"460800", B460800}, {"921600", B921600}};
    for (size_t i = 0; i < sizeof speeds / sizeof speeds[0]; i++) {
        if (!strcmp(baud, speeds[i].name)) {
            *out = speeds[i].speed;
            return 0;
        }
    }
    return -1;
}

/* Raw 8-bit mode at `speed` with `parity`; 0, or -1 with errno. */
static int set_line(int fd, speed_t speed, int parity)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return -1;
    cfmakeraw(&t);
    /* A byte with a parity error or a break reads as a NUL (no IGNPAR, PARMRK, IGNBRK,
     * BRKINT): a framer refuses what holds it rather than skipping the byte. */
    t.c_iflag &= ~(IGNPAR | PARMRK | IGNBRK | BRKINT | INPCK | IXON | IXOFF | IXANY);
    t.c_cflag &= ~(CSIZE | CSTOPB | PARENB | PARODD | CRTSCTS | HUPCL);
    t.c_cflag |= CS8 | CREAD | CLOCAL;
    if (parity) {
        t.c_iflag |= INPCK;
        t.c_cflag |= PARENB | (parity == 2 ? PARODD : 0);
    }
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (cfsetispeed(&t, speed) != 0 || cfsetospeed(&t, speed) != 0 ||
        tcsetattr(fd, TCSANOW, &t) != 0)
        return -1;
    /* tcsetattr() succeeds when any change took: check that the speed and the 8 bits did.
     * (Parity is not checked: a pty or a USB virtual COM port has none and says so.) */
    struct termios now;
    if (tcgetattr(fd, &now) != 0)
        return -1;
    if (cfgetispeed(&now) != speed || (now.c_cflag & CSIZE) != CS8) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

int serial_line_open(const char *device, const char *baud, int parity, char *err,
                     size_t errcap)
{
    char buf[128];
    speed_t speed;
    if (!device[0]) {
        snprintf(err, errcap, "no device set");
        return -1;
    }
    if (speed_of(baud, &speed) != 0 || parity < 0 || parity > 2) {
        snprintf(err, errcap, "%s: bad baud or parity", device);
        return -1;
    }
    int fd = open(device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errcap, "%s: %s", device, serial_errno_words(errno, buf, sizeof buf));
        return -1;
    }
    if (!isatty(fd)) {
        snprintf(err, errcap, "%s: not a serial device", device);
        close(fd);
        return -1;
    }
    if (set_line(fd, speed, parity) != 0) {
        int e = errno;
        snprintf(err, errcap, "%s: cannot set %s baud 8%c1: %s", device, baud, "NEO"[parity],
                 serial_errno_words(e, buf, sizeof buf));
        close(fd);
        return -1;
    }
    /* Whatever came while nobody listened (half an answer from before a replug) is stale. */
    tcflush(fd, TCIOFLUSH);
    /* Keep other programs (a modem manager probing new ttys) off the line; best effort. */
    ioctl(fd, TIOCEXCL);
    return fd;
}

void serial_line_close(int fd)
{
    if (fd < 0)
        return;
    ioctl(fd, TIOCNXCL);
    close(fd);
}
