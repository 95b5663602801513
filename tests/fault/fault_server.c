/*
 * fault_server: a deliberately broken HTTP/1.1 server for the reliability
 * tests. It binds to 127.0.0.1 on a free port, prints the port as the first
 * line of standard output, and replies to every request according to its
 * mode.
 *
 * Usage: fault_server MODE --stats FILE [options]
 *
 * After each accepted connection and each request whose headers were fully
 * read, it rewrites the stats file with the counts and the request bodies
 * it received. The tests read that file, which the server replaces by
 * rename so that no reader sees half of it.
 *
 * Replies carry "Connection: close", so every attempt of a client arrives
 * on a new connection. The exception is mode keepalive-drop, which tests
 * connection reuse.
 */
#define _POSIX_C_SOURCE 200809L

#include "fault_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#define MAX_HEADER_BYTES 65536
#define MAX_BODY_BYTES (1024 * 1024)
#define MAX_RECORDED_REQUESTS 64
#define MAX_RECORDED_BODY_BYTES 4096
#define SOCKET_TIMEOUT_S 10

struct recorded_request {
    long at_ms; /* since the server started */
    char method[16];
    char target[1024];
    size_t body_bytes;
    int body_complete;
    char *body; /* first MAX_RECORDED_BODY_BYTES bytes, NUL-terminated */
};

struct server_stats {
    long connections;
    long requests;
    long complete_bodies;
    long invoke_bodies;
    struct recorded_request recorded[MAX_RECORDED_REQUESTS];
};

static struct fault_config config;
static struct server_stats stats;
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static struct timespec started_at;
static SSL_CTX *tls_context;

static long ms_since_start(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - started_at.tv_sec) * 1000L +
           (now.tv_nsec - started_at.tv_nsec) / 1000000L;
}

/* Rewrites the stats file: the counts, one line per request and one line
 * per recorded body. The caller holds stats_lock. */
static void write_stats_locked(void)
{
    char tmp_path[4096];
    FILE *file;
    long i;
    long recorded_count;

    snprintf(tmp_path, sizeof tmp_path, "%s.tmp", config.stats_path);
    file = fopen(tmp_path, "w");
    if (file == NULL)
        return;

    fprintf(file, "connections %ld\n", stats.connections);
    fprintf(file, "requests %ld\n", stats.requests);
    fprintf(file, "complete_bodies %ld\n", stats.complete_bodies);
    fprintf(file, "invoke_bodies %ld\n", stats.invoke_bodies);

    recorded_count = stats.requests < MAX_RECORDED_REQUESTS ? stats.requests
                                                            : MAX_RECORDED_REQUESTS;
    for (i = 0; i < recorded_count; i++) {
        const struct recorded_request *r = &stats.recorded[i];

        fprintf(file, "request %ld at_ms %ld method %s target %s body_bytes %zu complete %d\n",
                i, r->at_ms, r->method, r->target, r->body_bytes, r->body_complete);
    }
    for (i = 0; i < recorded_count; i++) {
        const struct recorded_request *r = &stats.recorded[i];

        if (r->body != NULL)
            fprintf(file, "body %ld %s\n", i, r->body);
    }

    if (fclose(file) != 0)
        return;
    rename(tmp_path, config.stats_path);
}

int fault_conn_write(struct fault_conn *conn, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        long n;

        if (conn->ssl != NULL) {
            int chunk = len > 16384 ? 16384 : (int)len;

            n = SSL_write(conn->ssl, p, chunk);
            if (n <= 0)
                return -1;
        } else {
            n = send(conn->fd, p, len, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

long fault_conn_read(struct fault_conn *conn, void *buf, size_t len)
{
    long n;

    if (conn->ssl != NULL) {
        int chunk = len > 16384 ? 16384 : (int)len;

        n = SSL_read(conn->ssl, buf, chunk);
        if (n > 0)
            return n;
        return SSL_get_error(conn->ssl, (int)n) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
    }
    do {
        n = recv(conn->fd, buf, len, 0);
    } while (n < 0 && errno == EINTR);
    return n;
}

/* Copies the value of header `name` in `headers` (a NUL-terminated header
 * block) into `value`. Returns 1, or 0 when the header is absent. */
static int find_header(const char *headers, const char *name, char *value, size_t value_size)
{
    size_t name_len = strlen(name);
    const char *line = strstr(headers, "\r\n");

    while (line != NULL && line[2] != '\0') {
        const char *start = line + 2;
        const char *end = strstr(start, "\r\n");

        if (end == NULL)
            break;
        if ((size_t)(end - start) > name_len && start[name_len] == ':' &&
            strncasecmp(start, name, name_len) == 0) {
            const char *v = start + name_len + 1;
            size_t v_len;

            while (*v == ' ' || *v == '\t')
                v++;
            v_len = (size_t)(end - v);
            if (v_len >= value_size)
                v_len = value_size - 1;
            memcpy(value, v, v_len);
            value[v_len] = '\0';
            return 1;
        }
        line = end;
    }
    return 0;
}

/* Reads until the end of the header block and returns its length, blank
 * line included. Body bytes read with it stay in `buf` after the headers,
 * and `*filled` receives the total bytes read. Returns -1 when the peer
 * closed or sent more than MAX_HEADER_BYTES. */
static long read_headers(struct fault_conn *conn, char *buf, size_t size, size_t *filled)
{
    *filled = 0;
    while (*filled + 1 < size) {
        long n = fault_conn_read(conn, buf + *filled, size - 1 - *filled);
        char *end;

        if (n <= 0)
            return -1;
        *filled += (size_t)n;
        buf[*filled] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (end != NULL)
            return (long)(end - buf) + 4;
    }
    return -1;
}

static int ends_with(const char *text, const char *suffix)
{
    size_t text_len = strlen(text);
    size_t suffix_len = strlen(suffix);

    return text_len >= suffix_len && strcmp(text + text_len - suffix_len, suffix) == 0;
}

/* Stores the request in the stats and returns its index. */
static long record_request(const struct fault_request *request, const char *body,
                           size_t body_bytes, int body_complete)
{
    long index;

    pthread_mutex_lock(&stats_lock);
    index = stats.requests++;
    if (body_complete && body_bytes > 0) {
        stats.complete_bodies++;
        if (strcmp(request->method, "POST") == 0 && ends_with(request->target, "/invoke"))
            stats.invoke_bodies++;
    }
    if (index < MAX_RECORDED_REQUESTS) {
        struct recorded_request *r = &stats.recorded[index];
        size_t stored_bytes =
            body_bytes < MAX_RECORDED_BODY_BYTES ? body_bytes : MAX_RECORDED_BODY_BYTES;

        r->at_ms = ms_since_start();
        snprintf(r->method, sizeof r->method, "%s", request->method);
        snprintf(r->target, sizeof r->target, "%s", request->target);
        r->body_bytes = body_bytes;
        r->body_complete = body_complete;
        if (body_bytes > 0) {
            r->body = malloc(stored_bytes + 1);
            if (r->body != NULL) {
                size_t i;

                memcpy(r->body, body, stored_bytes);
                r->body[stored_bytes] = '\0';
                /* A body line must stay one line in the stats file. */
                for (i = 0; i < stored_bytes; i++)
                    if (r->body[i] == '\n' || r->body[i] == '\r')
                        r->body[i] = ' ';
            }
        }
    }
    write_stats_locked();
    pthread_mutex_unlock(&stats_lock);
    return index;
}

/* Sends nothing more and waits briefly for the peer to close, so that the
 * kernel does not reset the connection and discard a reply in flight. */
static void close_gracefully(struct fault_conn *conn)
{
    struct timeval drain_timeout = { 1, 0 };
    char scratch[1024];
    int i;

    if (conn->ssl != NULL)
        SSL_shutdown(conn->ssl);
    shutdown(conn->fd, SHUT_WR);
    setsockopt(conn->fd, SOL_SOCKET, SO_RCVTIMEO, &drain_timeout, sizeof drain_timeout);
    for (i = 0; i < 64; i++)
        if (recv(conn->fd, scratch, sizeof scratch, 0) <= 0)
            break;
}

/* Returns 1 for modes whose fault is the close itself. A graceful close
 * would hold the connection open until the client gives up, turning a
 * dropped connection into a stall. */
static int closes_abruptly(enum fault_mode mode)
{
    return mode == FAULT_READ_DROP || mode == FAULT_STALL || mode == FAULT_CLOSE_MID_HEADERS ||
           mode == FAULT_CLOSE_MID_BODY || mode == FAULT_SHORT_BODY;
}

/*
 * Reads one request into `request` and its body into `buf`, which has room
 * for MAX_HEADER_BYTES + MAX_BODY_BYTES + 1 bytes, records it in the stats
 * and returns its index. Returns -1 when the peer closed or sent no valid
 * request line.
 */
static long read_request(struct fault_conn *conn, char *buf, struct fault_request *request)
{
    static char expect_reply[] = "HTTP/1.1 100 Continue\r\n\r\n";
    char value[256];
    size_t filled = 0;
    size_t content_length = 0;
    size_t body_bytes;
    long header_len;

    header_len = read_headers(conn, buf, MAX_HEADER_BYTES, &filled);
    if (header_len < 0)
        return -1;

    memset(request, 0, sizeof *request);
    if (sscanf(buf, "%15s %1023s", request->method, request->target) != 2)
        return -1;
    request->is_get = strcmp(request->method, "GET") == 0;
    buf[header_len - 2] = '\0'; /* ends the block for find_header */
    if (find_header(buf, "Content-Length", value, sizeof value))
        content_length = strtoul(value, NULL, 10);
    if (content_length > MAX_BODY_BYTES)
        content_length = MAX_BODY_BYTES;
    if (find_header(buf, "Expect", value, sizeof value) &&
        strcasecmp(value, "100-continue") == 0)
        fault_conn_write(conn, expect_reply, sizeof expect_reply - 1);

    /* Move the body bytes that came with the headers to the buffer start. */
    body_bytes = filled - (size_t)header_len;
    memmove(buf, buf + header_len, body_bytes);
    while (body_bytes < content_length) {
        long n = fault_conn_read(conn, buf + body_bytes, content_length - body_bytes);

        if (n <= 0)
            break;
        body_bytes += (size_t)n;
    }
    buf[body_bytes] = '\0';

    return record_request(request, buf, body_bytes, body_bytes == content_length);
}

static void serve_connection(struct fault_conn *conn)
{
    struct fault_request request;
    char *buf = NULL;
    long index;
    int faulty;

    if (conn->ssl != NULL && SSL_accept(conn->ssl) != 1)
        goto done;
    buf = malloc(MAX_HEADER_BYTES + MAX_BODY_BYTES + 1);
    if (buf == NULL)
        goto done;

    /* Only this mode keeps a connection open for a second request, and
     * drops that request once it has been read. */
    if (config.mode == FAULT_KEEPALIVE_DROP) {
        if (read_request(conn, buf, &request) < 0)
            goto done;
        fault_send_keepalive_ok(conn, &request);
        read_request(conn, buf, &request);
        goto done;
    }

    index = read_request(conn, buf, &request);
    if (index < 0)
        goto done;
    faulty = config.fault_count < 0 || index < config.fault_count;

    fault_send_reply(&config, conn, &request, faulty);
    if (!(faulty && closes_abruptly(config.mode)))
        close_gracefully(conn);

done:
    free(buf);
    if (conn->ssl != NULL)
        SSL_free(conn->ssl);
    close(conn->fd);
    free(conn);
}

static void *connection_thread(void *arg)
{
    serve_connection(arg);
    return NULL;
}

static void count_connection(void)
{
    pthread_mutex_lock(&stats_lock);
    stats.connections++;
    write_stats_locked();
    pthread_mutex_unlock(&stats_lock);
}

static const struct {
    const char *name;
    enum fault_mode mode;
} mode_names[] = {
    { "ok", FAULT_OK },
    { "accept-close", FAULT_ACCEPT_CLOSE },
    { "close-mid-headers", FAULT_CLOSE_MID_HEADERS },
    { "close-mid-body", FAULT_CLOSE_MID_BODY },
    { "short-body", FAULT_SHORT_BODY },
    { "stall", FAULT_STALL },
    { "big-body", FAULT_BIG_BODY },
    { "big-chunked", FAULT_BIG_CHUNKED },
    { "chunked", FAULT_CHUNKED },
    { "bad-json", FAULT_BAD_JSON },
    { "status", FAULT_STATUS },
    { "read-drop", FAULT_READ_DROP },
    { "redirect", FAULT_REDIRECT },
    { "keepalive-drop", FAULT_KEEPALIVE_DROP },
    { "trickle", FAULT_TRICKLE },
};

static void print_usage(FILE *out)
{
    size_t i;

    fprintf(out,
            "usage: fault_server MODE --stats FILE [options]\n"
            "modes:");
    for (i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++)
        fprintf(out, " %s", mode_names[i].name);
    fprintf(out,
            "\noptions:\n"
            "  --stats FILE          file rewritten with counts after each event (required)\n"
            "  --count N             requests that get the fault before replies turn valid\n"
            "                        (default: all)\n"
            "  --status CODE         status for mode 'status' (default 503)\n"
            "  --retry-after VALUE   send Retry-After: VALUE with fault replies\n"
            "  --retry-after-date S  send Retry-After as an HTTP date S seconds ahead\n"
            "  --location URL        Location for mode 'redirect'\n"
            "  --stall-ms MS         how long mode 'stall' holds a request (default 5000)\n"
            "  --body-bytes N        body size for the big-body modes (default 2097152)\n"
            "  --body TEXT           body of the bad-json reply, sent as is\n"
            "  --tls CERT_OUT        serve TLS with a fresh self-signed cert for 127.0.0.1,\n"
            "                        written to CERT_OUT as PEM before the port is printed\n"
            "  --tls-san VALUE       subjectAltName of that cert (default IP:127.0.0.1)\n"
            "  --lifetime-s S        exit after S seconds (default 60)\n");
}

static int parse_args(int argc, char **argv)
{
    size_t m;
    int i;

    if (argc < 2)
        return -1;
    for (m = 0; m < sizeof mode_names / sizeof mode_names[0]; m++)
        if (strcmp(argv[1], mode_names[m].name) == 0)
            break;
    if (m == sizeof mode_names / sizeof mode_names[0]) {
        fprintf(stderr, "fault_server: unknown mode '%s'\n", argv[1]);
        return -1;
    }

    config.mode = mode_names[m].mode;
    config.fault_count = -1;
    config.status = 503;
    config.stall_ms = 5000;
    config.body_bytes = 2 * 1024 * 1024;
    config.lifetime_s = 60;
    config.tls_subject_alt_name = "IP:127.0.0.1";

    for (i = 2; i < argc; i += 2) {
        const char *option = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;

        if (value == NULL) {
            fprintf(stderr, "fault_server: missing value for option %s\n", option);
            return -1;
        }
        if (strcmp(option, "--stats") == 0)
            config.stats_path = value;
        else if (strcmp(option, "--count") == 0)
            config.fault_count = strtol(value, NULL, 10);
        else if (strcmp(option, "--status") == 0)
            config.status = (int)strtol(value, NULL, 10);
        else if (strcmp(option, "--retry-after") == 0)
            config.retry_after = value;
        else if (strcmp(option, "--retry-after-date") == 0)
            config.retry_after_date_s = strtol(value, NULL, 10);
        else if (strcmp(option, "--location") == 0)
            config.location = value;
        else if (strcmp(option, "--stall-ms") == 0)
            config.stall_ms = strtol(value, NULL, 10);
        else if (strcmp(option, "--body-bytes") == 0)
            config.body_bytes = strtoul(value, NULL, 10);
        else if (strcmp(option, "--body") == 0)
            config.body = value;
        else if (strcmp(option, "--tls") == 0)
            config.tls_cert_out = value;
        else if (strcmp(option, "--tls-san") == 0)
            config.tls_subject_alt_name = value;
        else if (strcmp(option, "--lifetime-s") == 0)
            config.lifetime_s = strtol(value, NULL, 10);
        else {
            fprintf(stderr, "fault_server: unknown option '%s'\n", option);
            return -1;
        }
    }
    if (config.stats_path == NULL) {
        fprintf(stderr, "fault_server: missing --stats FILE\n");
        return -1;
    }
    if (config.mode == FAULT_REDIRECT && config.location == NULL) {
        fprintf(stderr, "fault_server: missing --location URL, which mode 'redirect' requires\n");
        return -1;
    }
    if (config.lifetime_s <= 0 || config.lifetime_s > 600) {
        fprintf(stderr, "fault_server: invalid --lifetime-s %ld: use 1 to 600 seconds\n",
                config.lifetime_s);
        return -1;
    }
    return 0;
}

/* Binds a listening socket to 127.0.0.1 on a free port, never to any other
 * address. Returns the socket, or -1. */
static int listen_on_loopback(int *port)
{
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &addr_len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

int main(int argc, char **argv)
{
    struct timeval io_timeout = { SOCKET_TIMEOUT_S, 0 };
    pthread_attr_t attr;
    int listen_fd;
    int port = 0;

    if (parse_args(argc, argv) != 0) {
        print_usage(stderr);
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &started_at);
    signal(SIGPIPE, SIG_IGN);
    /* A test that crashes must not leave this server running. */
    alarm((unsigned int)config.lifetime_s);

    if (config.tls_cert_out != NULL) {
        tls_context = fault_tls_context_new(config.tls_cert_out, config.tls_subject_alt_name);
        if (tls_context == NULL) {
            fprintf(stderr, "fault_server: TLS set-up failed\n");
            ERR_print_errors_fp(stderr);
            return 1;
        }
    }

    listen_fd = listen_on_loopback(&port);
    if (listen_fd < 0) {
        perror("fault_server: listen on 127.0.0.1");
        return 1;
    }
    pthread_mutex_lock(&stats_lock);
    write_stats_locked();
    pthread_mutex_unlock(&stats_lock);
    printf("%d\n", port);
    fflush(stdout);

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (;;) {
        struct fault_conn *conn;
        pthread_t thread;
        int fd = accept(listen_fd, NULL, NULL);

        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("fault_server: accept");
            return 1;
        }
        count_connection();
        if (config.mode == FAULT_ACCEPT_CLOSE) {
            close(fd);
            continue;
        }

        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &io_timeout, sizeof io_timeout);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &io_timeout, sizeof io_timeout);
        conn = calloc(1, sizeof *conn);
        if (conn == NULL) {
            close(fd);
            continue;
        }
        conn->fd = fd;
        if (tls_context != NULL) {
            conn->ssl = SSL_new(tls_context);
            if (conn->ssl == NULL || SSL_set_fd(conn->ssl, fd) != 1) {
                if (conn->ssl != NULL)
                    SSL_free(conn->ssl);
                free(conn);
                close(fd);
                continue;
            }
        }
        if (pthread_create(&thread, &attr, connection_thread, conn) != 0) {
            if (conn->ssl != NULL)
                SSL_free(conn->ssl);
            free(conn);
            close(fd);
        }
    }
}
