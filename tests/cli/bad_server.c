/*
 * bad_server.c: a misbehaving HTTP server for the CLI's exit-status tests.
 *
 * Usage: bad_server MODE [MAX_SECONDS]
 *   MODE text-ok  replies to every request with 200 and the body "OK", which is
 *                 not JSON (the CLI must exit 5, invalid response).
 *   MODE close    reads each whole request, then closes the connection
 *                 without a reply (the CLI must exit 7, delivery unknown).
 *   MODE hang     reads each whole request and never replies, until
 *                 MAX_SECONDS have passed (for --timeout tests).
 *   MODE redirect replies 302 with an empty body and the Location
 *                 http://127.0.0.1:9/elsewhere, which the CLI must not follow
 *                 or connect to.
 *   MODE slow     waits 2 s, then replies 200 with a valid invoke reply
 *                 (for --timeout tests that must succeed).
 *   MODE rate-limit-once
 *                 replies 429 with Retry-After: 1 to the first request and
 *                 200 with a valid invoke reply to every later one.
 *
 * Binds 127.0.0.1 on a free port, prints "listening on 127.0.0.1:PORT" on
 * stdout, and exits after MAX_SECONDS (default 60) or on SIGTERM/SIGINT.
 * Each whole request received is logged as "received METHOD URL" on stderr,
 * so tests can count attempts.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>
#include <stdatomic.h>

enum mode { MODE_TEXT_OK, MODE_CLOSE, MODE_HANG, MODE_REDIRECT, MODE_SLOW, MODE_RATE_LIMIT_ONCE };

static volatile sig_atomic_t stop_requested;
static long max_seconds = 60;
static const struct timespec tick = { 0, 100 * 1000 * 1000 };

static void on_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
}

/* Marks a connection whose request headers have been seen. */
static int connection_marker;

/* Whole requests seen so far, across the per-connection threads. */
static atomic_long request_count;

static const char invoke_ok_body[] = "{\"ok\":true,\"kind\":\"message\",\"messageId\":\"m1\"}";

static enum MHD_Result reply_json(struct MHD_Connection *connection, unsigned int status,
                                  const char *body, const char *retry_after)
{
    struct MHD_Response *response;
    enum MHD_Result result;

    response = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                               MHD_RESPMEM_PERSISTENT);
    if (response == NULL)
        return MHD_NO;
    MHD_add_response_header(response, "Content-Type", "application/json");
    if (retry_after != NULL)
        MHD_add_response_header(response, "Retry-After", retry_after);
    result = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result handle_request(void *cls, struct MHD_Connection *connection,
                                      const char *url, const char *method,
                                      const char *version, const char *upload_data,
                                      size_t *upload_data_size, void **con_cls)
{
    const enum mode *mode = cls;
    static const char body[] = "OK";
    struct MHD_Response *response;
    enum MHD_Result result;

    (void)version;
    (void)upload_data;

    /* libmicrohttpd calls once for the headers, then once per body chunk,
     * then once with no data when the whole request has arrived. */
    if (*con_cls == NULL) {
        *con_cls = &connection_marker;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }

    fprintf(stderr, "received %s %s\n", method, url);
    long request_number = atomic_fetch_add(&request_count, 1) + 1;

    if (*mode == MODE_SLOW) {
        for (int ticks = 0; ticks < 20 && !stop_requested; ticks++)
            nanosleep(&tick, NULL);
        return reply_json(connection, MHD_HTTP_OK, invoke_ok_body, NULL);
    }
    if (*mode == MODE_RATE_LIMIT_ONCE) {
        if (request_number == 1)
            return reply_json(connection, MHD_HTTP_TOO_MANY_REQUESTS,
                              "{\"error\":\"rate limited\"}", "1");
        return reply_json(connection, MHD_HTTP_OK, invoke_ok_body, NULL);
    }

    /* Each connection has its own thread, so this wait blocks no other. */
    if (*mode == MODE_HANG) {
        for (long ticks = 0; ticks < max_seconds * 10 && !stop_requested; ticks++)
            nanosleep(&tick, NULL);
    }

    /* Returning MHD_NO makes libmicrohttpd close the connection at once. */
    if (*mode == MODE_CLOSE || *mode == MODE_HANG)
        return MHD_NO;

    if (*mode == MODE_REDIRECT) {
        response = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (response == NULL)
            return MHD_NO;
        MHD_add_response_header(response, "Location", "http://127.0.0.1:9/elsewhere");
        result = MHD_queue_response(connection, MHD_HTTP_FOUND, response);
        MHD_destroy_response(response);
        return result;
    }

    response = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
                                               MHD_RESPMEM_PERSISTENT);
    if (response == NULL)
        return MHD_NO;
    MHD_add_response_header(response, "Content-Type", "text/plain");
    result = MHD_queue_response(connection, MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return result;
}

int main(int argc, char **argv)
{
    struct sockaddr_in address;
    struct MHD_Daemon *daemon = NULL;
    const union MHD_DaemonInfo *info;
    enum mode mode;
    long ticks;
    int status = 1;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bad_server text-ok|close|hang|redirect|slow|rate-limit-once "
                        "[MAX_SECONDS]\n");
        return 2;
    }
    if (strcmp(argv[1], "text-ok") == 0) {
        mode = MODE_TEXT_OK;
    } else if (strcmp(argv[1], "close") == 0) {
        mode = MODE_CLOSE;
    } else if (strcmp(argv[1], "hang") == 0) {
        mode = MODE_HANG;
    } else if (strcmp(argv[1], "redirect") == 0) {
        mode = MODE_REDIRECT;
    } else if (strcmp(argv[1], "slow") == 0) {
        mode = MODE_SLOW;
    } else if (strcmp(argv[1], "rate-limit-once") == 0) {
        mode = MODE_RATE_LIMIT_ONCE;
    } else {
        fprintf(stderr, "bad_server: unknown mode '%s': expected text-ok, close, hang, redirect, "
                        "slow or rate-limit-once\n",
                argv[1]);
        return 2;
    }
    if (argc == 3) {
        max_seconds = strtol(argv[2], NULL, 10);
        if (max_seconds <= 0 || max_seconds > 3600) {
            fprintf(stderr, "bad_server: MAX_SECONDS must be 1 to 3600\n");
            return 2;
        }
    }

    /* stderr is a file in the tests, and line buffering keeps counts current. */
    setvbuf(stderr, NULL, _IOLBF, 0);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);

    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = 0;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                              NULL, NULL, handle_request, &mode,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
                              MHD_OPTION_END);
    if (daemon == NULL) {
        fprintf(stderr, "bad_server: cannot start the HTTP daemon on 127.0.0.1\n");
        goto done;
    }
    info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (info == NULL || info->port == 0) {
        fprintf(stderr, "bad_server: cannot read the bound port\n");
        goto done;
    }
    printf("listening on 127.0.0.1:%u\n", (unsigned int)info->port);
    fflush(stdout);

    for (ticks = 0; ticks < max_seconds * 10 && !stop_requested; ticks++)
        nanosleep(&tick, NULL);
    status = 0;

done:
    if (daemon != NULL)
        MHD_stop_daemon(daemon);
    return status;
}
