/* Whole files: read one into memory, and replace one so that a power cut leaves either the
 * old file or the new one, never a mix. */
#ifndef KIOSK_CORE_FILE_H
#define KIOSK_CORE_FILE_H

#include <stddef.h>

/* The file at `path`, NUL-terminated (malloc'd; *len without the NUL, len may be NULL), or
 * NULL with errno set (EFBIG: longer than max bytes). */
char *file_slurp(const char *path, size_t max, size_t *len);
/* Syncs the folder `dir` itself (its entries: a rename, a link made). 0 or -1 (errno). */
int file_sync_dir(const char *dir);
/* Writes data to "<path>.tmp", syncs it, renames it over `path` and syncs the folder.
 * 0, or -1 with errno set (the old file, if any, is left as it was). */
int file_replace(const char *path, const void *data, size_t len);

#endif
