/* HTTP glue: requests as routes see them, replies they fill in, and the
 * libmicrohttpd daemon that carries them. */
#ifndef STAYHOOKS_SERVER_HTTP_H
#define STAYHOOKS_SERVER_HTTP_H

#include <jansson.h>
#include <stddef.h>

#include "server.h"

/* Request bodies above this size get 413. */
#define HTTP_MAX_BODY (256 * 1024)
#define HTTP_MAX_SEGMENTS 8

struct request {
    void *connection;            /* struct MHD_Connection */
    const char *method;
    char *segments[HTTP_MAX_SEGMENTS]; /* percent-decoded, after "/api" */
    size_t segment_count;
    const char *body;            /* not NUL-terminated; NULL when empty */
    size_t body_len;
};

struct reply {
    unsigned int status;
    json_t *body;                /* owned; sent compact */
    long retry_after;            /* seconds; sent when positive */
    const char *allow;           /* Allow header for 405 */
    const char *route;           /* route pattern for the request log */
};

/* Returns the value of request header `name`, or NULL. */
const char *request_header(const struct request *req, const char *name);

/* Parses the body as a JSON object into *out (a new reference). An empty
 * body gives an empty object unless `required`. On failure sets a 400
 * reply naming the problem and returns -1. */
int request_json(const struct request *req, struct reply *rep, int required, json_t **out);

/* Sets the reply to `status` with body `body` (reference taken). */
void reply_json(struct reply *rep, unsigned int status, json_t *body);

/* Sets the reply to `status` with {"error": message}. */
void reply_error(struct reply *rep, unsigned int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Starts the daemon on the configured address with a thread pool, and sets
 * *port to the bound port. Returns the daemon (struct MHD_Daemon) or NULL. */
void *http_start(struct server *srv, int *port);
void http_stop(void *daemon);

#endif
