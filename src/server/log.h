/* Server log lines on stderr: one line per request plus start and stop. */
#ifndef STAYHOOKS_SERVER_LOG_H
#define STAYHOOKS_SERVER_LOG_H

#include <stdarg.h>

#if defined(__GNUC__)
#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_PRINTF(a, b)
#endif

/* Writes one line "<UTC time> <message>" to stderr with a single write, so
 * lines from different threads do not interleave. Callers must never pass a
 * token or a secret. */
void log_line(const char *fmt, ...) LOG_PRINTF(1, 2);

/* Writes one line "<UTC time> <source>: <message>" like log_line(), but
 * only counts a message that repeats the previous one within a second.
 * The next line written after such repeats is preceded by a line with the
 * count. Trailing newlines of the message are dropped. Used for
 * libmicrohttpd's own messages, which a client can trigger in bulk (one
 * per aborted connection). */
void log_limited(const char *source, const char *fmt, va_list ap) LOG_PRINTF(2, 0);

/* Writes the request line: method, route pattern, status and duration. */
void log_request(const char *method, const char *route, unsigned int status,
                 double duration_ms);

#endif
