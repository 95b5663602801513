/* Connection handling in the libmicrohttpd glue: HEAD on GET routes, the
 * per-address connection limit, libmicrohttpd's own log lines, and the
 * bind error. Raw sockets are used where libcurl would complete or retry
 * the request on its own. Every socket connects to the test server on
 * 127.0.0.1; the idle connections come from 127.0.0.2, which is also a
 * loopback address on Linux. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#define IDLE_CONNECTIONS 300
/* The server's limit of connections from one client address. */
#define PER_IP_LIMIT 256
#define INCOMPLETE_REQUEST "GET /api/rooms/x/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"

static struct fixture fx;

static int group_setup(void **state)
{
    (void)state;
    return fixture_setup(&fx, NULL);
}

static int group_teardown(void **state)
{
    (void)state;
    return fixture_teardown(&fx);
}

static int server_port(void)
{
    const char *colon = strrchr(fx.server.base_url, ':');

    assert_non_null(colon);
    return atoi(colon + 1);
}

/* Connects to the server from `source` (an IPv4 loopback address) and
 * returns the socket, or -1 when the connection failed. */
static int connect_from(const char *source)
{
    struct sockaddr_in local;
    struct sockaddr_in remote;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&local, 0, sizeof local);
    local.sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, source, &local.sin_addr), 1);
    memset(&remote, 0, sizeof remote);
    remote.sin_family = AF_INET;
    remote.sin_port = htons((uint16_t)server_port());
    assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr), 1);
    if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0 ||
        connect(fd, (struct sockaddr *)&remote, sizeof remote) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void send_all(int fd, const char *text)
{
    size_t len = strlen(text);

    while (len > 0) {
        ssize_t n = write(fd, text, len);
        assert_true(n > 0);
        text += n;
        len -= (size_t)n;
    }
}

/* Reads until the server closes the connection or 5 seconds pass. */
static size_t read_to_close(int fd, char *out, size_t size)
{
    size_t used = 0;

    while (used + 1 < size) {
        struct pollfd p = { fd, POLLIN, 0 };
        ssize_t n;
        if (poll(&p, 1, 5000) <= 0)
            break;
        n = read(fd, out + used, size - used - 1);
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    out[used] = '\0';
    return used;
}

/* Returns 1 when the server has closed `fd` within `wait_ms`. */
static int closed_by_server(int fd, int wait_ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    char byte;

    if (poll(&p, 1, wait_ms) <= 0)
        return 0;
    return read(fd, &byte, 1) <= 0;
}

/* Sends a HEAD request for `path` and returns the raw reply in `out`. */
static void head_request(const char *path, const char *token, char *out, size_t size)
{
    char request[2048];
    int fd = connect_from("127.0.0.1");

    assert_true(fd >= 0);
    snprintf(request, sizeof request,
             "HEAD %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
             "Connection: close\r\n\r\n", path, token);
    send_all(fd, request);
    read_to_close(fd, out, size);
    close(fd);
}

static void head_is_answered_like_get(void **state)
{
    char *encoded = test_percent_encode(ROOM);
    char path[512];
    char reply[8192];
    const char *end;
    (void)state;

    snprintf(path, sizeof path, "/api/rooms/%s/messages", encoded);
    head_request(path, fx.member_token, reply, sizeof reply);
    assert_non_null(strstr(reply, "HTTP/1.1 200"));
    assert_non_null(strstr(reply, "Content-Type: application/json"));
    end = strstr(reply, "\r\n\r\n");
    assert_non_null(end);
    assert_string_equal(end, "\r\n\r\n");

    /* HEAD runs the same checks as GET. */
    snprintf(path, sizeof path, "/api/webhooks/%s", encoded);
    head_request(path, fx.member_token, reply, sizeof reply);
    assert_non_null(strstr(reply, "HTTP/1.1 403"));
    free(encoded);
}

static void idle_connections_leave_room_for_others(void **state)
{
    int fds[IDLE_CONNECTIONS];
    int closed = 0;
    struct timespec settle = { 0, 300 * 1000000L };
    char *url = fixture_url(&fx, "rooms/%R/messages", ROOM, NULL);
    struct reply reply;
    struct timespec start;
    struct timespec end;
    double seconds;
    (void)state;

    /* Each connection sends half a request and then waits, as a slow or
     * hostile client does. */
    for (int i = 0; i < IDLE_CONNECTIONS; i++) {
        fds[i] = connect_from("127.0.0.2");
        if (fds[i] < 0)
            print_error("connection %d from 127.0.0.2 failed: %s\n", i, strerror(errno));
        assert_true(fds[i] >= 0);
        send_all(fds[i], INCOMPLETE_REQUEST);
    }

    /* The connections above the per-address limit are closed at once. */
    nanosleep(&settle, NULL);
    for (int i = 0; i < IDLE_CONNECTIONS; i++)
        closed += closed_by_server(fds[i], 0);
    if (closed < IDLE_CONNECTIONS - PER_IP_LIMIT)
        print_error("server closed %d of %d idle connections\n", closed, IDLE_CONNECTIONS);
    assert_true(closed >= IDLE_CONNECTIONS - PER_IP_LIMIT);

    clock_gettime(CLOCK_MONOTONIC, &start);
    fixture_request(&fx, "GET", url, fx.member_token, NULL, NULL, &reply);
    clock_gettime(CLOCK_MONOTONIC, &end);
    seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    assert_int_equal(reply.status, 200);
    assert_true(seconds < 2.0);
    reply_free(&reply);

    for (int i = 0; i < IDLE_CONNECTIONS; i++)
        close(fds[i]);
    free(url);
}

/* Opens a connection, sends half a request and closes it, which makes
 * libmicrohttpd log "Connection was closed by remote side with incomplete
 * request." */
static void abort_one_request(void)
{
    int fd = connect_from("127.0.0.1");
    struct timespec pause = { 0, 20 * 1000000L };

    assert_true(fd >= 0);
    send_all(fd, INCOMPLETE_REQUEST);
    nanosleep(&pause, NULL);
    close(fd);
}

static size_t count_lines_with(const char *text, const char *needle, int *all_stamped)
{
    size_t count = 0;
    const char *line = text;

    while (line != NULL && *line != '\0') {
        const char *next = strchr(line, '\n');
        size_t len = next != NULL ? (size_t)(next - line) : strlen(line);
        char copy[1024];
        snprintf(copy, sizeof copy, "%.*s", (int)len, line);
        if (strstr(copy, needle) != NULL) {
            count++;
            /* "2026-12-04T19:55:12.362Z libmicrohttpd: ..." */
            if (len < 25 || copy[4] != '-' || copy[10] != 'T' || copy[23] != 'Z')
                *all_stamped = 0;
        }
        line = next != NULL ? next + 1 : NULL;
    }
    return count;
}

static char *read_log(void)
{
    FILE *log = fopen(fx.server.log_path, "r");
    char *text = calloc(1, 1 << 20);
    size_t n;

    assert_non_null(log);
    assert_non_null(text);
    n = fread(text, 1, (1 << 20) - 1, log);
    text[n] = '\0';
    fclose(log);
    return text;
}

static void library_log_is_stamped_and_limited(void **state)
{
    struct timespec window = { 1, 200 * 1000000L };
    char *log;
    int all_stamped = 1;
    size_t written;
    (void)state;

    for (int i = 0; i < 40; i++)
        abort_one_request();
    nanosleep(&window, NULL);
    /* A repeat after the window is written, with the count before it. */
    abort_one_request();
    nanosleep(&window, NULL);

    log = read_log();
    written = count_lines_with(log, "libmicrohttpd: Connection was closed by remote side", &all_stamped);
    if (written == 0 || written > 5)
        print_error("log:\n%s\n", log);
    assert_true(written >= 2);
    assert_true(written <= 5);
    assert_true(count_lines_with(log, "libmicrohttpd: suppressed ", &all_stamped) >= 1);
    assert_true(all_stamped);
    free(log);
}

static void bind_error_names_the_address(void **state)
{
    char command[2048];
    char out[4096];
    char expected[64];
    FILE *pipe;
    size_t used;
    int status;
    (void)state;

    snprintf(command, sizeof command, "'%s' serve --listen 127.0.0.1:%d --db '%s/second.db' 2>&1",
             STAYHOOKS_SERVER_PATH, server_port(), fx.dir);
    pipe = popen(command, "r");
    assert_non_null(pipe);
    used = fread(out, 1, sizeof out - 1, pipe);
    out[used] = '\0';
    status = pclose(pipe);

    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    snprintf(expected, sizeof expected, "failed to listen on 127.0.0.1 port %d", server_port());
    assert_non_null(strstr(out, expected));
    snprintf(expected, sizeof expected, "bind to port %d", server_port());
    assert_non_null(strstr(out, expected));
    assert_null(strstr(out, "port 0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(head_is_answered_like_get),
        cmocka_unit_test(idle_connections_leave_room_for_others),
        cmocka_unit_test(library_log_is_stamped_and_limited),
        cmocka_unit_test(bind_error_names_the_address),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
