/* Logging: levelled lines tagged with module and instance ("[printer:cups.0]").
 * Lines go to stderr and, when set, to a sink callback (tests read it).
 * Never pass an ID number, face image, payment code or PIN: mask first (see mask.h). */
#ifndef KIOSK_CORE_LOG_H
#define KIOSK_CORE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

typedef void (*log_sink_fn)(enum log_level level, const char *line, void *user);

/* Lines below `level` are dropped. Default LOG_INFO, or KIOSK_LOG=debug|info|warn|error. */
void log_set_level(enum log_level level);
/* Also send every line to `sink` (NULL removes it). Not thread-safe to change while logging. */
void log_set_sink(log_sink_fn sink, void *user);
/* Silence stderr (the sink still receives lines). */
void log_set_quiet(int quiet);

/* The last lines logged, kept in memory (LOG_TAIL_LINES of them, each cut to LOG_TAIL_LINE
 * bytes; 64 KiB): what the fleet's collect_logs sends, redacted, when stderr went to the
 * journal. */
#define LOG_TAIL_LINES 256
#define LOG_TAIL_LINE 256
/* The last `max` lines, oldest first, into lines (max rows): their count. Thread-safe. */
int log_tail(char (*lines)[LOG_TAIL_LINE], int max);

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(mod, ...) log_msg(LOG_DEBUG, mod, __VA_ARGS__)
#define log_info(mod, ...) log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...) log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)

#endif
