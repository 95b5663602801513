/*
 * fault_replies.c: the replies of the fault-injection server, one per mode.
 * Each broken reply is written by hand on purpose, because a real HTTP
 * library would reject most of them.
 */
#define _POSIX_C_SOURCE 200809L

#include "fault_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char invoke_ok_body[] = "{\"ok\":true,\"kind\":\"message\",\"messageId\":\"m1\"}";
static const char list_ok_body[] = "{\"roomId\":\"R1\",\"limit\":10,\"webhooks\":[]}";

/* The valid 200 body for the request: a webhook list for GET, an invoke
 * reply otherwise. */
static const char *ok_body(const struct fault_request *request)
{
    return request->is_get ? list_ok_body : invoke_ok_body;
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 302: return "Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

static int send_text(struct fault_conn *conn, const char *text)
{
    return fault_conn_write(conn, text, strlen(text));
}

/* Sends a complete reply. `extra_headers` is "" or CRLF-terminated lines. */
static void send_json_reply(struct fault_conn *conn, int status, const char *extra_headers,
                            const char *body)
{
    char head[2048];

    snprintf(head, sizeof head,
             "HTTP/1.1 %d %s\r\n"
             "Content-Type: application/json\r\n"
             "Content-Length: %zu\r\n"
             "Connection: close\r\n"
             "%s"
             "\r\n",
             status, reason_phrase(status), strlen(body), extra_headers);
    if (send_text(conn, head) == 0)
        send_text(conn, body);
}

/* Formats the configured Retry-After header line into `out`, or "" when
 * none is configured. */
static void format_retry_after(const struct fault_config *config, char *out, size_t size)
{
    out[0] = '\0';
    if (config->retry_after_date_s > 0) {
        time_t when = time(NULL) + config->retry_after_date_s;
        struct tm tm_utc;
        char date[64];

        /* IMF-fixdate, as RFC 9110 section 5.6.7 defines it. The C locale
         * gives the English day and month names that the format requires. */
        gmtime_r(&when, &tm_utc);
        strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm_utc);
        snprintf(out, size, "Retry-After: %s\r\n", date);
    } else if (config->retry_after != NULL) {
        snprintf(out, size, "Retry-After: %s\r\n", config->retry_after);
    }
}

static void send_chunk(struct fault_conn *conn, const char *data, size_t len)
{
    char size_line[32];

    snprintf(size_line, sizeof size_line, "%zx\r\n", len);
    if (send_text(conn, size_line) == 0 && fault_conn_write(conn, data, len) == 0)
        send_text(conn, "\r\n");
}

static void send_chunked_ok(struct fault_conn *conn, const struct fault_request *request)
{
    const char *body = ok_body(request);
    size_t len = strlen(body);
    size_t third = len / 3;

    send_text(conn, "HTTP/1.1 200 OK\r\n"
                    "Content-Type: application/json\r\n"
                    "Transfer-Encoding: chunked\r\n"
                    "Connection: close\r\n"
                    "\r\n");
    send_chunk(conn, body, third);
    send_chunk(conn, body + third, third);
    send_chunk(conn, body + 2 * third, len - 2 * third);
    send_text(conn, "0\r\n\r\n");
}

/* Returns a valid invoke reply padded to exactly `size` bytes (at least the
 * unpadded reply), so a client that ignored its size cap would succeed. */
static char *make_padded_body(size_t size)
{
    static const char prefix[] = "{\"ok\":true,\"kind\":\"message\",\"messageId\":\"m1\",\"pad\":\"";
    static const char suffix[] = "\"}";
    size_t minimum = sizeof prefix - 1 + sizeof suffix - 1;
    char *body;

    if (size < minimum)
        size = minimum;
    body = malloc(size + 1);
    if (body == NULL)
        return NULL;
    memcpy(body, prefix, sizeof prefix - 1);
    memset(body + sizeof prefix - 1, 'x', size - minimum);
    memcpy(body + size - (sizeof suffix - 1), suffix, sizeof suffix);
    return body;
}

static void send_big_body(const struct fault_config *config, struct fault_conn *conn, int chunked)
{
    char head[256];
    char *body = make_padded_body(config->body_bytes);
    size_t len;
    size_t sent;

    if (body == NULL)
        return;
    len = strlen(body);
    if (chunked)
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                    "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    else
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                    "Content-Length: %zu\r\nConnection: close\r\n\r\n", len);
    if (send_text(conn, head) != 0)
        goto done;

    /* A client that stops reading at its cap closes the connection, so a
     * failed write is expected and ends the reply early. */
    for (sent = 0; sent < len;) {
        size_t piece = len - sent < 16384 ? len - sent : 16384;

        if (chunked)
            send_chunk(conn, body + sent, piece);
        else if (fault_conn_write(conn, body + sent, piece) != 0)
            goto done;
        sent += piece;
    }
    if (chunked)
        send_text(conn, "0\r\n\r\n");

done:
    free(body);
}

static void sleep_ms(long ms)
{
    struct timespec delay = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&delay, &delay) != 0)
        ;
}

/* Sends a valid reply whose body arrives one byte every 100 ms, so that
 * only a timeout on the whole transfer, not one on idle time, stops it. */
static void send_trickle(struct fault_conn *conn, const struct fault_request *request)
{
    char head[256];
    const char *body = ok_body(request);
    size_t len = strlen(body);
    size_t i;

    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n", len);
    if (send_text(conn, head) != 0)
        return;
    for (i = 0; i < len; i++) {
        if (fault_conn_write(conn, body + i, 1) != 0)
            return;
        sleep_ms(100);
    }
}

void fault_send_keepalive_ok(struct fault_conn *conn, const struct fault_request *request)
{
    char head[256];
    const char *body = ok_body(request);

    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\n"
             "Content-Type: application/json\r\n"
             "Content-Length: %zu\r\n"
             "\r\n",
             strlen(body));
    if (send_text(conn, head) == 0)
        send_text(conn, body);
}

void fault_send_reply(const struct fault_config *config, struct fault_conn *conn,
                      const struct fault_request *request, int faulty)
{
    char headers[512];
    const char *body = ok_body(request);
    size_t len = strlen(body);

    if (!faulty || config->mode == FAULT_OK) {
        send_json_reply(conn, 200, "", body);
        return;
    }

    switch (config->mode) {
    case FAULT_OK:
    case FAULT_ACCEPT_CLOSE: /* handled before any read */
        break;
    case FAULT_CLOSE_MID_HEADERS:
        send_text(conn, "HTTP/1.1 200 OK\r\nContent-Type: applic");
        break;
    case FAULT_CLOSE_MID_BODY:
        send_text(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        /* Half of the body in a chunk that announces all of it. */
        snprintf(headers, sizeof headers, "%zx\r\n", len);
        send_text(conn, headers);
        fault_conn_write(conn, body, len / 2);
        break;
    case FAULT_SHORT_BODY:
        snprintf(headers, sizeof headers,
                 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\n\r\n", len + 40);
        send_text(conn, headers);
        send_text(conn, body);
        break;
    case FAULT_STALL:
        sleep_ms(config->stall_ms);
        break;
    case FAULT_BIG_BODY:
        send_big_body(config, conn, 0);
        break;
    case FAULT_BIG_CHUNKED:
        send_big_body(config, conn, 1);
        break;
    case FAULT_CHUNKED:
        send_chunked_ok(conn, request);
        break;
    case FAULT_BAD_JSON:
        send_json_reply(conn, 200, "", config->body != NULL ? config->body : "{\"ok\":true,\"kind\":");
        break;
    case FAULT_STATUS: {
        char error_body[128];

        format_retry_after(config, headers, sizeof headers);
        snprintf(error_body, sizeof error_body, "{\"error\":\"injected status %d\"}",
                 config->status);
        send_json_reply(conn, config->status, headers, error_body);
        break;
    }
    case FAULT_READ_DROP:
        break;
    case FAULT_REDIRECT:
        snprintf(headers, sizeof headers, "Location: %s\r\n", config->location);
        send_json_reply(conn, 302, headers, "{\"error\":\"moved\"}");
        break;
    case FAULT_KEEPALIVE_DROP: /* handled by the connection loop */
        break;
    case FAULT_TRICKLE:
        send_trickle(conn, request);
        break;
    }
}
