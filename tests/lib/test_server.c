/* test_server.c: libmicrohttpd behind the test_server.h interface. */
#define _POSIX_C_SOURCE 200809L

#include "test_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_REQUESTS 64
#define MAX_SCRIPT 16
#define DEFAULT_REPLY_BODY                                                                     \
    "{\"ok\":true,\"kind\":\"message\",\"secret\":\"whk_reply\",\"webhook\":{\"id\":\"w\"}," \
    "\"actions\":[],\"webhooks\":[]}"

typedef struct stored_reply {
    test_action action;
    int status;
    char *header_names[TEST_SERVER_MAX_REPLY_HEADERS];
    char *header_values[TEST_SERVER_MAX_REPLY_HEADERS];
    char *body;
} stored_reply;

struct test_server {
    struct MHD_Daemon *daemon;
    char base_url[64];
    pthread_mutex_t lock;
    test_request requests[MAX_REQUESTS];
    size_t request_count;
    stored_reply script[MAX_SCRIPT];
    size_t script_count;
    unsigned connections;
};

/* Per-request state while the body arrives. */
typedef struct upload {
    char *body;
    size_t len;
} upload;

static char *copy_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void clear_records(test_server *s)
{
    for (size_t i = 0; i < s->request_count; i++) {
        test_request *r = &s->requests[i];
        free(r->url);
        free(r->body);
        for (size_t h = 0; h < r->header_count; h++) {
            free(r->header_names[h]);
            free(r->header_values[h]);
        }
        memset(r, 0, sizeof(*r));
    }
    s->request_count = 0;
}

static void clear_script(test_server *s)
{
    for (size_t i = 0; i < s->script_count; i++) {
        stored_reply *r = &s->script[i];
        for (size_t h = 0; h < TEST_SERVER_MAX_REPLY_HEADERS; h++) {
            free(r->header_names[h]);
            free(r->header_values[h]);
        }
        free(r->body);
        memset(r, 0, sizeof(*r));
    }
    s->script_count = 0;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    test_request *r = cls;
    (void)kind;
    if (r->header_count < TEST_SERVER_MAX_HEADERS) {
        r->header_names[r->header_count] = strdup(key);
        r->header_values[r->header_count] = strdup(value != NULL ? value : "");
        r->header_count++;
    }
    return MHD_YES;
}

/* Appends "?k=v&..." in arrival order; values are kept raw because the
 * unescape callback below does nothing. */
static enum MHD_Result collect_argument(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    char **url = cls;
    (void)kind;
    size_t size = strlen(*url) + strlen(key) + (value != NULL ? strlen(value) : 0) + 3;
    char *grown = realloc(*url, size);
    if (grown == NULL)
        return MHD_NO;
    strcat(grown, strchr(grown, '?') == NULL ? "?" : "&");
    strcat(grown, key);
    if (value != NULL) {
        strcat(grown, "=");
        strcat(grown, value);
    }
    *url = grown;
    return MHD_YES;
}

static void record_request(test_server *s, struct MHD_Connection *connection, const char *url,
                           const char *method, upload *up)
{
    if (s->request_count >= MAX_REQUESTS)
        return;
    test_request *r = &s->requests[s->request_count++];
    snprintf(r->method, sizeof(r->method), "%s", method);
    r->url = strdup(url);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, collect_argument, &r->url);
    MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_header, r);
    r->body = up->body != NULL ? up->body : strdup("");
    r->body_len = up->len;
    up->body = NULL;
}

static enum MHD_Result send_reply(struct MHD_Connection *connection, const stored_reply *reply)
{
    const char *body = reply != NULL ? reply->body : DEFAULT_REPLY_BODY;
    if (body == NULL)
        body = "";
    struct MHD_Response *response = MHD_create_response_from_buffer(
        strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (response == NULL)
        return MHD_NO;

    if (reply != NULL) {
        for (size_t h = 0; h < TEST_SERVER_MAX_REPLY_HEADERS; h++) {
            if (reply->header_names[h] != NULL)
                MHD_add_response_header(response, reply->header_names[h],
                                        reply->header_values[h]);
        }
    }
    int status = reply != NULL ? reply->status : 200;
    enum MHD_Result rc = MHD_queue_response(connection, (unsigned)status, response);
    MHD_destroy_response(response);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    test_server *s = cls;
    upload *up = *con_cls;
    (void)version;

    if (up == NULL) {
        up = calloc(1, sizeof(*up));
        if (up == NULL)
            return MHD_NO;
        *con_cls = up;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        char *grown = realloc(up->body, up->len + *upload_data_size + 1);
        if (grown == NULL)
            return MHD_NO;
        memcpy(grown + up->len, upload_data, *upload_data_size);
        up->len += *upload_data_size;
        grown[up->len] = '\0';
        up->body = grown;
        *upload_data_size = 0;
        return MHD_YES;
    }

    /* The whole request is in: record it and pick the scripted reply. */
    pthread_mutex_lock(&s->lock);
    size_t index = s->request_count;
    record_request(s, connection, url, method, up);
    stored_reply reply_copy;
    const stored_reply *reply = NULL;
    if (s->script_count > 0) {
        reply_copy = s->script[index < s->script_count ? index : s->script_count - 1];
        reply = &reply_copy;
    }
    enum MHD_Result rc = (reply != NULL && reply->action == TEST_DROP) ? MHD_NO
                                                                       : send_reply(connection, reply);
    pthread_mutex_unlock(&s->lock);

    free(up->body);
    free(up);
    *con_cls = NULL;
    return rc;
}

static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    test_server *s = cls;
    (void)connection;
    (void)socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&s->lock);
        s->connections++;
        pthread_mutex_unlock(&s->lock);
    }
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)connection;
    (void)toe;
    upload *up = *con_cls;
    if (up != NULL) {
        free(up->body);
        free(up);
        *con_cls = NULL;
    }
}

/* Keeps the path exactly as the client sent it, so percent-encoding can be
 * compared byte for byte. */
static size_t keep_escaped(void *cls, struct MHD_Connection *connection, char *uri)
{
    (void)cls;
    (void)connection;
    return strlen(uri);
}

test_server *test_server_start(void)
{
    test_server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    pthread_mutex_init(&s->lock, NULL);

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
        on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, s,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    if (s->daemon == NULL) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }

    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(s->base_url, sizeof(s->base_url), "http://127.0.0.1:%u",
             info != NULL ? (unsigned)info->port : 0U);
    return s;
}

void test_server_stop(test_server *server)
{
    if (server == NULL)
        return;
    MHD_stop_daemon(server->daemon);
    clear_records(server);
    clear_script(server);
    pthread_mutex_destroy(&server->lock);
    free(server);
}

const char *test_server_base_url(const test_server *server)
{
    return server->base_url;
}

void test_server_script(test_server *server, const test_reply *replies, size_t count)
{
    pthread_mutex_lock(&server->lock);
    clear_records(server);
    clear_script(server);
    for (size_t i = 0; i < count && i < MAX_SCRIPT; i++) {
        stored_reply *r = &server->script[i];
        r->action = replies[i].action;
        r->status = replies[i].status;
        r->body = copy_or_null(replies[i].body);
        for (size_t h = 0; h < TEST_SERVER_MAX_REPLY_HEADERS; h++) {
            r->header_names[h] = copy_or_null(replies[i].header_names[h]);
            r->header_values[h] = copy_or_null(replies[i].header_values[h]);
        }
        server->script_count++;
    }
    pthread_mutex_unlock(&server->lock);
}

void test_server_reset(test_server *server)
{
    test_server_script(server, NULL, 0);
}

size_t test_server_request_count(test_server *server)
{
    pthread_mutex_lock(&server->lock);
    size_t count = server->request_count;
    pthread_mutex_unlock(&server->lock);
    return count;
}

const test_request *test_server_request(test_server *server, size_t index)
{
    pthread_mutex_lock(&server->lock);
    const test_request *r = index < server->request_count ? &server->requests[index] : NULL;
    pthread_mutex_unlock(&server->lock);
    return r;
}

const char *test_request_header(const test_request *request, const char *name)
{
    for (size_t i = 0; i < request->header_count; i++) {
        if (strcasecmp(request->header_names[i], name) == 0)
            return request->header_values[i];
    }
    return NULL;
}

unsigned test_server_connection_count(test_server *server)
{
    pthread_mutex_lock(&server->lock);
    unsigned count = server->connections;
    pthread_mutex_unlock(&server->lock);
    return count;
}

int test_refused_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;

    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int port = -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        port = ntohs(addr.sin_port);
    close(fd);
    return port;
}

test_reply test_reply_with(int status, const char *body)
{
    test_reply reply;

    memset(&reply, 0, sizeof(reply));
    reply.status = status;
    reply.body = body;
    return reply;
}
