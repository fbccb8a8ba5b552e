/* What the update module's files share (not public). */
#ifndef KIOSK_UPDATE_INTERNAL_H
#define KIOSK_UPDATE_INTERNAL_H

#include <stddef.h>

/* "<a>/<b>" into out; -1 when it does not fit. */
int update_path(char *out, size_t cap, const char *a, const char *b);

/* Removes everything under dir (not dir itself), syncing dir after. 0 or -1 (errno). */
int update_wipe_tree(const char *dir);
/* fsyncs every file and folder under dir, and dir. 0 or -1 (errno). */
int update_sync_tree(const char *dir);

/* hex(SHA-256) of the whole file at path into out (65 bytes). 0 or -1 (errno). */
int update_file_sha256(const char *path, char *out);

#endif
