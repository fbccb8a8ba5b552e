/* A fault-injecting SQLite VFS (as SQLite's own tests wrap the real one): every file it opens
 * behaves as the default VFS's, except that each xSync takes KIOSK_JOURNAL_SLOW_SYNC_MS more.
 * A kiosk's flash card can take that long to sync; the tests use it to show the screen keeps
 * moving while the journal writes. Nothing registers it unless the variable is set. */
#include "slowsync.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slow_file {
    sqlite3_file base;  /* first: SQLite sees this */
    sqlite3_file *real; /* the default VFS's file, right after this struct */
};

static sqlite3_vfs slow_vfs;
static sqlite3_vfs *real_vfs;
static long slow_ms;

#define REAL(f) (((struct slow_file *)(f))->real)

static int s_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
    return rc;
}
static int s_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
    return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}
static int s_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int s_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int s_sync(sqlite3_file *f, int flags)
{
    struct timespec d = {slow_ms / 1000, (slow_ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int s_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int s_lock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int s_unlock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int s_check(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int s_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int s_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int s_chars(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int s_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, pp);
}
static int s_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void s_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int s_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static const sqlite3_io_methods slow_io = {
    .iVersion = 2, .xClose = s_close, .xRead = s_read, .xWrite = s_write,
    .xTruncate = s_truncate, .xSync = s_sync, .xFileSize = s_size, .xLock = s_lock,
    .xUnlock = s_unlock, .xCheckReservedLock = s_check, .xFileControl = s_control,
    .xSectorSize = s_sector, .xDeviceCharacteristics = s_chars, .xShmMap = s_shm_map,
    .xShmLock = s_shm_lock, .xShmBarrier = s_shm_barrier, .xShmUnmap = s_shm_unmap};

static int s_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)vfs;
    struct slow_file *sf = (struct slow_file *)f;
    sf->real = (sqlite3_file *)(sf + 1);
    int rc = real_vfs->xOpen(real_vfs, name, sf->real, flags, out);
    /* only a file the real VFS opened gets methods: SQLite closes only those */
    sf->base.pMethods = sf->real->pMethods ? &slow_io : NULL;
    return rc;
}

const char *journal_slowsync_vfs(void)
{
    const char *env = getenv("KIOSK_JOURNAL_SLOW_SYNC_MS");
    char *end;
    long ms = env ? strtol(env, &end, 10) : 0;
    if (!env || *end || ms <= 0 || ms > 10000)
        return NULL;
    slow_ms = ms;
    if (slow_vfs.zName)
        return slow_vfs.zName;
    if (!(real_vfs = sqlite3_vfs_find(NULL)))
        return NULL;
    slow_vfs = *real_vfs;
    slow_vfs.zName = "kiosk-slow-sync";
    slow_vfs.szOsFile = (int)sizeof(struct slow_file) + real_vfs->szOsFile;
    slow_vfs.xOpen = s_open;
    slow_vfs.pNext = NULL;
    if (sqlite3_vfs_register(&slow_vfs, 0) != SQLITE_OK) {
        slow_vfs.zName = NULL;
        return NULL;
    }
    return slow_vfs.zName;
}
