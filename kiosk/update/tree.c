/* Whole trees: a slot wiped before a bundle goes in, and synced after. */
#define _XOPEN_SOURCE 700 /* nftw() */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"
#include "internal.h"

static int remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb, (void)type;
    if (ftw->level == 0)
        return 0; /* the folder itself stays */
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int update_wipe_tree(const char *dir)
{
    if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return -1;
    return file_sync_dir(dir);
}

static int sync_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb, (void)ftw;
    if (type != FTW_F && type != FTW_DP)
        return 0; /* links have nothing of their own to sync; their folder holds them */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (type == FTW_DP ? O_DIRECTORY : 0));
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int update_sync_tree(const char *dir)
{
    return nftw(dir, sync_one, 16, FTW_DEPTH | FTW_PHYS);
}
