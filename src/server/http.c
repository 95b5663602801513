#define _POSIX_C_SOURCE 200809L
#include "http.h"

#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dispatch.h"
#include "log.h"
#include "preview.h"

#define HTTP_THREAD_POOL_SIZE 4

/* Idle connections are closed after this many seconds. libmicrohttpd
 * 0.9.75 has no shorter timeout for a request whose headers are still
 * incomplete, so this one value bounds how long idle clients hold slots. */
#define HTTP_CONNECTION_TIMEOUT_S 10

/* Connections open at once, and from one client address. With
 * libmicrohttpd's default total and no per-address limit, about 1,020 idle
 * connections from one address locked out every other client. Loopback
 * clients all share 127.0.0.1, so the per-address limit leaves room for
 * benchmarks with 64 connections and more. */
#define HTTP_CONNECTION_LIMIT 1024
#define HTTP_PER_IP_CONNECTION_LIMIT 256

/* Per-request state kept by libmicrohttpd between calls of on_request(). */
struct exchange {
    struct timespec started;
    char *body;
    size_t body_len;
    int too_large;
    unsigned int status;
    const char *route;
    char method[16];
};

static double elapsed_ms(const struct timespec *since)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) * 1000.0 +
           (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

static enum MHD_Result send_reply(struct MHD_Connection *connection, struct exchange *ex,
                                  struct reply *rep)
{
    struct MHD_Response *response;
    char *text;
    enum MHD_Result result;
    char retry[32];

    if (rep->body == NULL) {
        rep->status = 500;
        rep->body = json_pack("{s:s}", "error", "internal error");
    }
    text = json_dumps(rep->body, JSON_COMPACT);
    if (text == NULL)
        return MHD_NO;
    response = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_COPY);
    free(text);
    if (response == NULL)
        return MHD_NO;

    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (rep->retry_after > 0) {
        snprintf(retry, sizeof retry, "%ld", rep->retry_after);
        MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, retry);
    }
    if (rep->allow != NULL)
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, rep->allow);

    /* Server-side failures get their own line, because the request line
     * shows only the status. */
    if (rep->status >= 500) {
        const char *error = json_string_value(json_object_get(rep->body, "error"));
        log_line("%s %s failed: %s", ex->method, rep->route, error != NULL ? error : "(no message)");
    }

    ex->status = rep->status;
    ex->route = rep->route;
    result = MHD_queue_response(connection, rep->status, response);
    MHD_destroy_response(response);
    return result;
}

/* Routes a complete request. The body is already collected and capped. */
static enum MHD_Result handle(struct server *srv, struct MHD_Connection *connection,
                              const char *url, struct exchange *ex)
{
    struct request req;
    struct reply rep;
    enum MHD_Result result;

    memset(&req, 0, sizeof req);
    memset(&rep, 0, sizeof rep);
    req.connection = connection;
    req.method = ex->method;
    req.body = ex->body;
    req.body_len = ex->body_len;
    rep.route = "(unknown route)";

    if (ex->too_large) {
        reply_error(&rep, 413, "request body is larger than %d bytes", HTTP_MAX_BODY);
        goto send;
    }
    if (preview_owns_path(url)) {
        const struct preview_asset *asset = preview_find(url, ex->method, &rep);
        if (asset == NULL)
            goto send;
        ex->status = MHD_HTTP_OK;
        ex->route = rep.route;
        return preview_queue(connection, asset);
    }
    dispatch_request(srv, url, &req, &rep);

send:
    result = send_reply(connection, ex, &rep);
    json_decref(rep.body);
    dispatch_clear(&req);
    return result;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct exchange *ex = *con_cls;
    (void)version;

    /* First call: only the headers have arrived. */
    if (ex == NULL) {
        const char *length;
        ex = calloc(1, sizeof *ex);
        if (ex == NULL)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &ex->started);
        snprintf(ex->method, sizeof ex->method, "%s", method);
        *con_cls = ex;

        /* A declared length over the cap is rejected before the body is
         * read, and libmicrohttpd then closes the connection. */
        length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length != NULL && strtoull(length, NULL, 10) > HTTP_MAX_BODY) {
            ex->too_large = 1;
            return handle(cls, connection, url, ex);
        }
        return MHD_YES;
    }

    /* Body chunks: keep them up to the cap, then discard them and mark the
     * request as too large. */
    if (*upload_data_size > 0) {
        size_t size = *upload_data_size;
        *upload_data_size = 0;
        if (ex->too_large)
            return MHD_YES;
        if (ex->body_len + size > HTTP_MAX_BODY) {
            ex->too_large = 1;
            free(ex->body);
            ex->body = NULL;
            ex->body_len = 0;
            return MHD_YES;
        }
        char *grown = realloc(ex->body, ex->body_len + size);
        if (grown == NULL)
            return MHD_NO;
        memcpy(grown + ex->body_len, upload_data, size);
        ex->body = grown;
        ex->body_len += size;
        return MHD_YES;
    }

    if (ex->status != 0)
        return MHD_YES;
    return handle(cls, connection, url, ex);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    struct exchange *ex = *con_cls;
    (void)cls;
    (void)connection;
    (void)code;

    if (ex == NULL)
        return;
    log_request(ex->method, ex->route != NULL ? ex->route : "(no reply)", ex->status,
                elapsed_ms(&ex->started));
    free(ex->body);
    free(ex);
    *con_cls = NULL;
}

/* Routes libmicrohttpd's own messages (such as "Connection was closed by
 * remote side with incomplete request.") into the server log, with a time
 * stamp and repeats counted rather than written. */
static void log_from_mhd(void *cls, const char *fmt, va_list ap) LOG_PRINTF(2, 0);

static void log_from_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    log_limited("libmicrohttpd", fmt, ap);
}

/* Keeps the path exactly as received so that %2F inside an ID does not
 * turn into a path separator before routing. */
static size_t keep_escapes(void *cls, struct MHD_Connection *connection, char *s)
{
    (void)cls;
    (void)connection;
    return strlen(s);
}

void *http_start(struct server *srv, int *port)
{
    struct addrinfo hints;
    struct addrinfo *addr = NULL;
    struct MHD_Daemon *daemon = NULL;
    const union MHD_DaemonInfo *info;
    char service[16];
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    snprintf(service, sizeof service, "%d", srv->config.listen_port);
    if (getaddrinfo(srv->config.listen_host, service, &hints, &addr) != 0 || addr == NULL) {
        log_line("failed to resolve listen address %s; check --listen", srv->config.listen_host);
        goto done;
    }
    if (addr->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;

    /* The port is passed although MHD_OPTION_SOCK_ADDR sets the address,
     * so that libmicrohttpd's bind error names the port that was asked
     * for rather than 0. */
    daemon = MHD_start_daemon(flags, (uint16_t)srv->config.listen_port, NULL, NULL, on_request, srv,
                              MHD_OPTION_EXTERNAL_LOGGER, log_from_mhd, NULL,
                              MHD_OPTION_SOCK_ADDR, addr->ai_addr,
                              MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)HTTP_THREAD_POOL_SIZE,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_CONNECTION_TIMEOUT_S,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONNECTION_LIMIT,
                              MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP_PER_IP_CONNECTION_LIMIT,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                              MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, NULL,
                              MHD_OPTION_END);
    if (daemon == NULL) {
        log_line("failed to listen on %s port %d (see the libmicrohttpd line above); the port may "
                 "be in use or the address not local", srv->config.listen_host, srv->config.listen_port);
        goto done;
    }
    info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = info != NULL ? (int)info->port : srv->config.listen_port;

done:
    if (addr != NULL)
        freeaddrinfo(addr);
    return daemon;
}

void http_stop(void *daemon)
{
    if (daemon != NULL)
        MHD_stop_daemon(daemon);
}
