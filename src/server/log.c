#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

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
