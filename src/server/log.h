/* Server log lines on stderr: one line per request plus start and stop. */
#ifndef STAYHOOKS_SERVER_LOG_H
#define STAYHOOKS_SERVER_LOG_H

#if defined(__GNUC__)
#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_PRINTF(a, b)
#endif

/* Writes one line "<UTC time> <message>" to stderr with a single write, so
 * lines from different threads do not interleave. Callers must never pass a
 * token or a secret. */
void log_line(const char *fmt, ...) LOG_PRINTF(1, 2);

/* Writes the request line: method, route pattern, status and duration. */
void log_request(const char *method, const char *route, unsigned int status,
                 double duration_ms);

#endif
