/* Versions of the kiosk's software: "x.y.z", three whole numbers compared as numbers
 * (0.10.0 is newer than 0.9.3). Nothing else is a version: no "v", no suffix, no spaces,
 * no leading zeros, at most 9 digits a part. */
#ifndef KIOSK_UPDATE_VERSION_H
#define KIOSK_UPDATE_VERSION_H

#define VERSION_MAX 32 /* a version's text, NUL included, is shorter */

/* 1 when `s` is a version, else 0. */
int version_valid(const char *s);
/* <0, 0, >0 as a is older than, the same as, newer than b; -2 when either is not a version
 * (callers refuse it: nothing is "older" than garbage). */
int version_cmp(const char *a, const char *b);

#endif
