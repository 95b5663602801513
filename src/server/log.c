#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_REPEAT_WINDOW_MS 1000

/* The last message log_limited() wrote, and how many copies of it were
 * suppressed since. */
static struct {
    pthread_mutex_t lock;
    char message[512];
    struct timespec written;
    unsigned long suppressed;
} last_limited = { PTHREAD_MUTEX_INITIALIZER, "", { 0, 0 }, 0 };

void log_line(const char *fmt, ...)
{
    char line[1024];
    char stamp[32];
    struct timespec now;
    struct tm tm;
    va_list ap;
    int head;
    int body;

    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    head = snprintf(line, sizeof line, "%s.%03ldZ ", stamp, now.tv_nsec / 1000000L);
    if (head < 0)
        return;

    va_start(ap, fmt);
    body = vsnprintf(line + head, sizeof line - (size_t)head - 1, fmt, ap);
    va_end(ap);
    if (body < 0)
        return;

    /* A message longer than the buffer is cut, keeping room for the newline. */
    size_t len = (size_t)head + (size_t)body;
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';

    /* One write(2) per line keeps lines from pool threads whole. */
    ssize_t ignored = write(STDERR_FILENO, line, len);
    (void)ignored;
}

void log_request(const char *method, const char *route, unsigned int status,
                 double duration_ms)
{
    log_line("%s %s %u %.1fms", method, route, status, duration_ms);
}

void log_limited(const char *source, const char *fmt, va_list ap)
{
    char message[sizeof last_limited.message];
    char previous[sizeof last_limited.message];
    unsigned long suppressed;
    struct timespec now;
    long long elapsed_ms;
    size_t len;

    vsnprintf(message, sizeof message, fmt, ap);
    len = strlen(message);
    while (len > 0 && (message[len - 1] == '\n' || message[len - 1] == '\r'))
        message[--len] = '\0';
    clock_gettime(CLOCK_MONOTONIC, &now);

    pthread_mutex_lock(&last_limited.lock);
    elapsed_ms = (long long)(now.tv_sec - last_limited.written.tv_sec) * 1000 +
                 (now.tv_nsec - last_limited.written.tv_nsec) / 1000000;
    if (strcmp(message, last_limited.message) == 0 && elapsed_ms < LOG_REPEAT_WINDOW_MS) {
        last_limited.suppressed++;
        pthread_mutex_unlock(&last_limited.lock);
        return;
    }
    suppressed = last_limited.suppressed;
    memcpy(previous, last_limited.message, sizeof previous);
    memcpy(last_limited.message, message, sizeof message);
    last_limited.written = now;
    last_limited.suppressed = 0;
    pthread_mutex_unlock(&last_limited.lock);

    if (suppressed > 0)
        log_line("%s: suppressed %lu repeats of \"%s\"", source, suppressed, previous);
    log_line("%s: %s", source, message);
}
