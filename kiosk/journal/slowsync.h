/* The slow-sync fault VFS (slowsync.c). Private to the journal module. */
#ifndef KIOSK_JOURNAL_SLOWSYNC_H
#define KIOSK_JOURNAL_SLOWSYNC_H

/* The VFS name to open the journal with when KIOSK_JOURNAL_SLOW_SYNC_MS is set (registered
 * on first use), else NULL (the default VFS). Not thread-safe: called at open. */
const char *journal_slowsync_vfs(void);

#endif
