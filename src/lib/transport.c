/* transport.c: one HTTP exchange with libcurl. Redirects are never
 * followed, replies are size-capped, and the byte counts of what was sent
 * tell a failed connect apart from a reply that never came. */
#include "transport.h"

#include "log.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* The callbacks below receive the transfer as their userdata. */
typedef stayhooks__transfer exchange_context;

static const char *non_empty_env(const char *name)
{
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? value : NULL;
}

const char *stayhooks__proxy_from_env(const char *url)
{
    const char *proxy = NULL;

    /* Unlike libcurl, uppercase HTTP_PROXY is honoured too, because the
     * library documents the HTTP_PROXY/HTTPS_PROXY/NO_PROXY convention. A
     * CGI program receives a request's "Proxy:" header as HTTP_PROXY
     * ("httpoxy"), so such a program must clear it before using the
     * library. */
    if (stayhooks__has_prefix_nocase(url, "https://")) {
        proxy = non_empty_env("https_proxy");
        if (proxy == NULL)
            proxy = non_empty_env("HTTPS_PROXY");
    } else {
        proxy = non_empty_env("http_proxy");
        if (proxy == NULL)
            proxy = non_empty_env("HTTP_PROXY");
    }
    if (proxy == NULL)
        proxy = non_empty_env("all_proxy");
    if (proxy == NULL)
        proxy = non_empty_env("ALL_PROXY");
    return proxy;
}

const char *stayhooks__noproxy_from_env(void)
{
    const char *value = non_empty_env("no_proxy");
    return value != NULL ? value : non_empty_env("NO_PROXY");
}

static size_t on_body(char *data, size_t size, size_t count, void *userdata)
{
    exchange_context *ctx = userdata;
    stayhooks__exchange *x = ctx->x;
    size_t len = size * count;

    if (x->reply_len + len > ctx->client->max_response_bytes) {
        x->too_large = 1;
        return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
    }

    if (x->reply_len + len + 1 > ctx->reply_capacity) {
        size_t capacity = ctx->reply_capacity > 0 ? ctx->reply_capacity : 1024;
        while (capacity < x->reply_len + len + 1)
            capacity *= 2;
        char *grown = realloc(x->reply, capacity);
        if (grown == NULL)
            return 0;
        x->reply = grown;
        ctx->reply_capacity = capacity;
    }
    memcpy(x->reply + x->reply_len, data, len);
    x->reply_len += len;
    x->reply[x->reply_len] = '\0';
    return len;
}

/* Copies a header value without surrounding white space or CR/LF. */
static char *header_value(const char *start, size_t len)
{
    while (len > 0 && (*start == ' ' || *start == '\t')) {
        start++;
        len--;
    }
    while (len > 0 && (start[len - 1] == '\r' || start[len - 1] == '\n' ||
                       start[len - 1] == ' ' || start[len - 1] == '\t'))
        len--;

    char *value = malloc(len + 1);
    if (value == NULL)
        return NULL;
    memcpy(value, start, len);
    value[len] = '\0';
    return value;
}

static size_t on_header(char *data, size_t size, size_t count, void *userdata)
{
    exchange_context *ctx = userdata;
    stayhooks__exchange *x = ctx->x;
    size_t len = size * count;

    /* A status line starts a new reply (after a 1xx, for example), so
     * headers kept from an earlier one no longer apply. */
    if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
        free(x->retry_after);
        free(x->location);
        x->retry_after = NULL;
        x->location = NULL;
        ctx->headers_complete = 0;

        const char *code = memchr(data, ' ', len);
        long status = code != NULL ? strtol(code + 1, NULL, 10) : 0;
        stayhooks__log(ctx->client, STAYHOOKS_LOG_DEBUG, x->secrets, x->secret_count,
                       "< HTTP %ld", status);
        return len;
    }

    if ((len == 2 && data[0] == '\r' && data[1] == '\n') || (len == 1 && data[0] == '\n')) {
        ctx->headers_complete = 1;
        return len;
    }

    const char *colon = memchr(data, ':', len);
    if (colon == NULL)
        return len;

    size_t name_len = (size_t)(colon - data);
    char *value = header_value(colon + 1, len - name_len - 1);
    if (value == NULL)
        return 0;

    stayhooks__log(ctx->client, STAYHOOKS_LOG_DEBUG, x->secrets, x->secret_count,
                   "< %.*s: %s", (int)name_len, data, value);

    if (name_len == strlen("Retry-After") && strncasecmp(data, "Retry-After", name_len) == 0) {
        free(x->retry_after);
        x->retry_after = value;
    } else if (name_len == strlen("Location") && strncasecmp(data, "Location", name_len) == 0) {
        free(x->location);
        x->location = value;
    } else {
        free(value);
    }
    return len;
}

/* libcurl's debug callback is used only to count the bytes that actually
 * left, never to print. */
static int on_debug(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata)
{
    exchange_context *ctx = userdata;
    (void)handle;
    (void)data;

    if (type == CURLINFO_HEADER_OUT)
        ctx->header_bytes_out += size;
    else if (type == CURLINFO_DATA_OUT)
        ctx->body_bytes_out += size;
    return 0;
}

static struct curl_slist *build_header_list(const stayhooks__exchange *x)
{
    struct curl_slist *list = NULL;

    for (size_t i = 0; i < x->header_count; i++) {
        size_t size = strlen(x->headers[i].name) + strlen(x->headers[i].value) + 3;
        char *line = malloc(size);
        if (line == NULL)
            goto fail;
        snprintf(line, size, "%s: %s", x->headers[i].name, x->headers[i].value);
        struct curl_slist *next = curl_slist_append(list, line);
        free(line);
        if (next == NULL)
            goto fail;
        list = next;
    }

    /* "Name:" with no value removes a header libcurl would add itself:
     * Expect: 100-continue would stall small bodies, and a POST without a
     * body must not claim a form-encoded Content-Type. */
    struct curl_slist *next = curl_slist_append(list, "Expect:");
    if (next == NULL)
        goto fail;
    list = next;
    if (x->body == NULL) {
        next = curl_slist_append(list, "Content-Type:");
        if (next == NULL)
            goto fail;
        list = next;
    }
    return list;

fail:
    curl_slist_free_all(list);
    return NULL;
}

/* Hands the POST body to libcurl once. There is deliberately no seek
 * callback: when a reused connection dies after the request went out,
 * libcurl would silently send the request again on a new connection, and
 * a POST such as an invoke must not be delivered twice. Without a way to
 * rewind, libcurl fails instead (CURLE_SEND_FAIL_REWIND), and the caller
 * sees a delivery-unknown error. */
static size_t on_read_body(char *buffer, size_t size, size_t count, void *userdata)
{
    exchange_context *ctx = userdata;
    const char *body = ctx->x->body;
    size_t left = strlen(body) - ctx->body_offset;
    size_t chunk = size * count < left ? size * count : left;

    memcpy(buffer, body + ctx->body_offset, chunk);
    ctx->body_offset += chunk;
    return chunk;
}

/* Opens sockets for libcurl, but blocks a second connection for a POST
 * whose request already went out in this exchange: libcurl's silent resend
 * on a fresh connection would otherwise deliver it twice (see
 * on_read_body). The blocked resend surfaces as a delivery-unknown error. */
static curl_socket_t on_open_socket(void *userdata, curlsocktype purpose,
                                    struct curl_sockaddr *address)
{
    exchange_context *ctx = userdata;
    (void)purpose;

    if (strcmp(ctx->x->method, "POST") == 0 && ctx->header_bytes_out > 0) {
        ctx->resend_blocked = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

static CURLcode set_method(CURL *curl, exchange_context *ctx)
{
    const stayhooks__exchange *x = ctx->x;
    CURLcode rc = CURLE_OK;
    if (strcmp(x->method, "GET") == 0)
        return curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);

    if (strcmp(x->method, "POST") == 0) {
        const char *body = x->body != NULL ? x->body : "";
        rc = curl_easy_setopt(curl, CURLOPT_POST, 1L);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
        if (rc == CURLE_OK && x->body == NULL)
            rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
        if (rc == CURLE_OK && x->body != NULL)
            rc = curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read_body);
        if (rc == CURLE_OK && x->body != NULL)
            rc = curl_easy_setopt(curl, CURLOPT_READDATA, ctx);
        return rc;
    }

    /* PATCH and DELETE are idempotent, so libcurl may resend them. */
    rc = curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, x->method);
    if (rc == CURLE_OK && x->body != NULL)
        rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(x->body));
    if (rc == CURLE_OK && x->body != NULL)
        rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, x->body);
    return rc;
}

static CURLcode configure(stayhooks_client *c, exchange_context *ctx, struct curl_slist *headers)
{
    CURL *curl = ctx->curl;
    stayhooks__exchange *x = ctx->x;
    CURLcode rc = CURLE_OK;

    /* curl_easy_reset keeps the live connections, so keep-alive survives
     * while options from the previous call are dropped. */
    curl_easy_reset(curl);

#define SET(option, value)                                   \
    do {                                                     \
        if (rc == CURLE_OK)                                  \
            rc = curl_easy_setopt(curl, option, value);      \
    } while (0)

    SET(CURLOPT_URL, x->url);
    /* Room and webhook IDs "." and ".." are path segments too, and libcurl
     * would otherwise remove them as dot segments. */
    SET(CURLOPT_PATH_AS_IS, 1L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_HTTPHEADER, headers);
    SET(CURLOPT_ERRORBUFFER, x->curl_error);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, ctx);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, ctx);
    SET(CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    SET(CURLOPT_OPENSOCKETDATA, ctx);
    SET(CURLOPT_DEBUGFUNCTION, on_debug);
    SET(CURLOPT_DEBUGDATA, ctx);
    SET(CURLOPT_VERBOSE, 1L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, x->timeout_ms > 0 ? x->timeout_ms : c->timeout_ms);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_response_bytes);
    SET(CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
    SET(CURLOPT_SSL_VERIFYHOST, c->insecure ? 0L : 2L);
    if (c->ca_file != NULL)
        SET(CURLOPT_CAINFO, c->ca_file);

    /* The proxy is chosen here so that the documented rules hold whichever
     * libcurl is linked. They differ from libcurl 7.88.1's own reading of
     * the environment only in honouring uppercase HTTP_PROXY. An explicit
     * "" makes libcurl use no proxy and skip the environment. */
    const char *proxy = stayhooks__proxy_from_env(x->url);
    const char *noproxy = stayhooks__noproxy_from_env();
    SET(CURLOPT_PROXY, proxy != NULL ? proxy : "");
    SET(CURLOPT_NOPROXY, noproxy != NULL ? noproxy : "");
#undef SET

    if (rc == CURLE_OK)
        rc = set_method(curl, ctx);
    return rc;
}

int stayhooks__transfer_begin(stayhooks_client *client, CURL *curl, stayhooks__exchange *x,
                              stayhooks__transfer *t)
{
    memset(t, 0, sizeof(*t));
    t->client = client;
    t->x = x;
    t->curl = curl;

    stayhooks__exchange_clear(x);
    t->headers = build_header_list(x);
    if (t->headers == NULL)
        return STAYHOOKS_ERR_INTERNAL;
    if (configure(client, t, t->headers) != CURLE_OK) {
        stayhooks__transfer_abandon(t);
        return STAYHOOKS_ERR_INTERNAL;
    }
    curl_easy_setopt(curl, CURLOPT_PRIVATE, t);

    stayhooks__log(client, STAYHOOKS_LOG_DEBUG, x->secrets, x->secret_count, "> %s %s",
                   x->method, x->url);
    for (size_t i = 0; i < x->header_count; i++) {
        stayhooks__log(client, STAYHOOKS_LOG_DEBUG, x->secrets, x->secret_count, "> %s: %s",
                       x->headers[i].name, x->headers[i].value);
    }
    if (x->body != NULL) {
        stayhooks__log(client, STAYHOOKS_LOG_DEBUG, x->secrets, x->secret_count, "> %s",
                       x->body);
    }
    return STAYHOOKS_OK;
}

int stayhooks__transfer_end(stayhooks__transfer *t, CURLcode result)
{
    stayhooks__exchange *x = t->x;
    int rc = STAYHOOKS_OK;

    x->result = result;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &x->status);
    if (x->result == CURLE_FILESIZE_EXCEEDED)
        x->too_large = 1;

    if (x->result != CURLE_OK && (t->resend_blocked || x->result == CURLE_SEND_FAIL_REWIND)) {
        snprintf(x->curl_error, sizeof(x->curl_error),
                 "the kept-alive connection closed without a reply, and a POST is not "
                 "resent on a new connection");
    }

    /* libcurl 7.88 reports success when the server closes the connection
     * in the middle of the headers, but such a reply is a dropped
     * connection. */
    if (x->result == CURLE_OK && !t->headers_complete) {
        x->result = CURLE_RECV_ERROR;
        snprintf(x->curl_error, sizeof(x->curl_error),
                 "connection closed before the reply headers ended");
    }

    size_t body_len = x->body != NULL ? strlen(x->body) : 0;
    x->nothing_sent = t->header_bytes_out == 0;
    x->fully_sent = t->header_bytes_out > 0 && t->body_bytes_out >= body_len;

    if (x->reply == NULL && x->result == CURLE_OK) {
        x->reply = calloc(1, 1);
        if (x->reply == NULL)
            rc = STAYHOOKS_ERR_INTERNAL;
    }

    stayhooks__transfer_abandon(t);
    return rc;
}

void stayhooks__transfer_abandon(stayhooks__transfer *t)
{
    /* The handle points at the header list and at `t` until the next
     * reset, so detach both before the list is freed. */
    curl_easy_setopt(t->curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(t->curl, CURLOPT_PRIVATE, NULL);
    curl_slist_free_all(t->headers);
    t->headers = NULL;
}

int stayhooks__transport_send(stayhooks_client *client, stayhooks__exchange *x)
{
    stayhooks__transfer t;

    if (stayhooks__transfer_begin(client, client->curl, x, &t) != STAYHOOKS_OK)
        return STAYHOOKS_ERR_INTERNAL;
    return stayhooks__transfer_end(&t, curl_easy_perform(client->curl));
}

void stayhooks__exchange_clear(stayhooks__exchange *x)
{
    free(x->reply);
    free(x->retry_after);
    free(x->location);
    x->result = CURLE_OK;
    x->curl_error[0] = '\0';
    x->status = 0;
    x->reply = NULL;
    x->reply_len = 0;
    x->too_large = 0;
    x->retry_after = NULL;
    x->location = NULL;
    x->nothing_sent = 0;
    x->fully_sent = 0;
}
