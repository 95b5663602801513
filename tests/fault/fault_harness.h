/*
 * fault_harness.h: starts fault_server as a child process and reads back
 * what it saw, for the reliability tests.
 */
#ifndef FAULT_HARNESS_H
#define FAULT_HARNESS_H

#include <sys/types.h>
#include <time.h>

#define FAULT_MAX_RECORDED 16

struct fault_server {
    pid_t pid; /* 0 when not running */
    int port;
    char dir[64];        /* private temporary folder of this instance */
    char stats_path[128];
    char cert_path[128]; /* PEM of the TLS certificate, when started with TLS */
};

/* What the server recorded; see fault_server.c for the file format. */
struct fault_stats {
    long connections;     /* accepted TCP connections */
    long requests;        /* requests whose headers were fully read */
    long complete_bodies; /* requests whose whole body arrived */
    long invoke_bodies;   /* complete bodies POSTed to .../invoke */
    long request_count;   /* entries filled in `at_ms` and `target` */
    long at_ms[FAULT_MAX_RECORDED];
    char target[FAULT_MAX_RECORDED][256];
    char first_body[1024];
};

/*
 * Starts fault_server in `mode` with the NULL-terminated `options`, which
 * may be NULL. `tls` 1 adds --tls with cert_path. Returns the server once it has
 * printed its port, or NULL on failure. Servers live in a static pool, so
 * fault_stop_all() can stop them after a failed assertion has left the
 * test function.
 */
struct fault_server *fault_server_start(const char *mode, int tls,
                                        const char *const *options);

/* Stops the server, reaps it and removes its folder. Calling it twice is
 * safe. */
void fault_server_stop(struct fault_server *server);

/* Stops every server still running. This is the cmocka teardown. */
int fault_stop_all(void **state);

/* Fills `stats` from the server's stats file. Returns 0, or -1 when the
 * file cannot be read. */
int fault_stats_read(const struct fault_server *server, struct fault_stats *stats);

/* Returns a 127.0.0.1 port that nothing listens on (bound, then closed). */
int fault_closed_port(void);

/* Returns milliseconds elapsed on CLOCK_MONOTONIC since `start`. */
long fault_elapsed_ms(const struct timespec *start);

#endif /* FAULT_HARNESS_H */
