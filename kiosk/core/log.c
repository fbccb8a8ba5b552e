#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static int level_from_env_done;
static log_sink_fn sink_fn;
static void *sink_user;
static int quiet;
static int to_journal; /* stderr is journald's (JOURNAL_STREAM): each line says its priority */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char tail[LOG_TAIL_LINES][LOG_TAIL_LINE]; /* a ring: the next is tail_next */
static int tail_next, tail_n;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
    min_level = level;
    level_from_env_done = 1;
}

void log_set_sink(log_sink_fn sink, void *user)
{
    sink_fn = sink;
    sink_user = user;
}

void log_set_quiet(int q)
{
    quiet = q;
}

static void level_from_env(void)
{
    const char *e = getenv("KIOSK_LOG");
    level_from_env_done = 1;
    to_journal = getenv("JOURNAL_STREAM") != NULL;
    if (!e)
        return;
    for (int i = 0; i <= LOG_ERROR; i++)
        if (strcmp(e, level_names[i]) == 0)
            min_level = (enum log_level)i;
}

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
    if (!level_from_env_done)
        level_from_env();
    if (level < min_level)
        return;

    char line[1024];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03ld %-5s [%s] ", tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, level_names[level], module);
    if (n < 0)
        return;
    if ((size_t)n < sizeof line) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
        va_end(ap);
    }

    pthread_mutex_lock(&log_lock);
    if (!quiet && to_journal) /* sd-daemon.h's <7> debug, <6> info, <4> warning, <3> error */
        fprintf(stderr, "<%c>%s\n", "7643"[level], line);
    else if (!quiet)
        fprintf(stderr, "%s\n", line);
    if (sink_fn)
        sink_fn(level, line, sink_user);
    snprintf(tail[tail_next], LOG_TAIL_LINE, "%.*s", LOG_TAIL_LINE - 1, line);
    tail_next = (tail_next + 1) % LOG_TAIL_LINES;
    if (tail_n < LOG_TAIL_LINES)
        tail_n++;
    pthread_mutex_unlock(&log_lock);
}

int log_tail(char (*lines)[LOG_TAIL_LINE], int max)
{
    pthread_mutex_lock(&log_lock);
    int n = tail_n < max ? tail_n : max;
    for (int i = 0; i < n; i++)
        memcpy(lines[i], tail[(tail_next - n + i + LOG_TAIL_LINES) % LOG_TAIL_LINES],
               LOG_TAIL_LINE);
    pthread_mutex_unlock(&log_lock);
    return n;
}
