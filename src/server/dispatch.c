/* dispatch.c: routing of one complete request and the request and reply
 * helpers that routes use. Nothing here runs the libmicrohttpd daemon, so
 * the fuzz tests drive the same code with requests built in memory. */
#define _POSIX_C_SOURCE 200809L
#include "dispatch.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "routes.h"
#include "text.h"

const char *request_header(const struct request *req, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)req->connection, MHD_HEADER_KIND, name);
}

void reply_json(struct reply *rep, unsigned int status, json_t *body)
{
    json_decref(rep->body);
    rep->status = status;
    rep->body = body;
}

void reply_error(struct reply *rep, unsigned int status, const char *fmt, ...)
{
    char message[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    /* The message may quote request bytes (jansson's error text for a bad
     * body does) or be cut inside a character, and a JSON string must be
     * valid UTF-8: json_pack() would fail and the reply become a 500. */
    text_replace_invalid_utf8(message);
    reply_json(rep, status, json_pack("{s:s}", "error", message));
}

int request_json(const struct request *req, struct reply *rep, int required, json_t **out)
{
    json_error_t error;
    json_t *root;
    const char *nul;

    *out = NULL;
    if (req->body_len == 0) {
        if (required) {
            reply_error(rep, 400, "request body must be a JSON object");
            return -1;
        }
        *out = json_object();
        return 0;
    }

    /* jansson 2.14 reports a raw NUL byte as "end of file expected near
     * end of file", which hides the cause, so it is named here. */
    nul = memchr(req->body, '\0', req->body_len);
    if (nul != NULL) {
        reply_error(rep, 400, "request body is not valid JSON: it contains a NUL byte at offset %zu",
                    (size_t)(nul - req->body));
        return -1;
    }
    root = json_loadb(req->body, req->body_len, 0, &error);
    if (root == NULL && json_error_code(&error) == json_error_null_character) {
        reply_error(rep, 400, "request body is not valid JSON: strings must not contain \\u0000 "
                              "(line %d, column %d)", error.line, error.column);
        return -1;
    }
    if (root == NULL) {
        reply_error(rep, 400, "request body is not valid JSON: %s (line %d, column %d)",
                    error.text, error.line, error.column);
        return -1;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        reply_error(rep, 400, "request body must be a JSON object");
        return -1;
    }
    *out = root;
    return 0;
}

/* Returns 1 when the Content-Type names JSON (parameters such as charset
 * are allowed), else 0. */
static int is_json_type(const char *type)
{
    size_t len;

    if (type == NULL)
        return 0;
    while (*type == ' ')
        type++;
    len = strcspn(type, "; ");
    return len == strlen("application/json") && strncasecmp(type, "application/json", len) == 0;
}

/* Splits the raw path (still percent-encoded, because the unescape
 * callback is the identity) into decoded segments after "/api". Returns 0,
 * or -1 when the path is not under /api, has too many segments, an empty
 * segment or a malformed escape. */
static int split_path(const char *url, struct request *req)
{
    const char *p = url;

    if (strncmp(p, "/api/", 5) != 0)
        return -1;
    p += 5;
    while (req->segment_count < HTTP_MAX_SEGMENTS) {
        size_t len = strcspn(p, "/");
        if (len == 0)
            return -1;
        req->segments[req->segment_count] = text_percent_decode(p, len);
        if (req->segments[req->segment_count] == NULL)
            return -1;
        req->segment_count++;
        p += len;
        if (*p == '\0')
            return 0;
        p++;
    }
    return -1;
}

void dispatch_request(struct server *srv, const char *url, struct request *req,
                      struct reply *rep)
{
    route_handler handler;

    if (split_path(url, req) != 0) {
        reply_error(rep, 404, "no such endpoint");
        return;
    }
    handler = routes_find(req, rep);
    if (handler == NULL)
        return;
    if (req->body_len > 0 && !is_json_type(request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE))) {
        reply_error(rep, 415, "request body must be JSON with Content-Type: application/json");
        return;
    }
    handler(srv, req, rep);
}

void dispatch_clear(struct request *req)
{
    for (size_t i = 0; i < req->segment_count; i++)
        free(req->segments[i]);
    req->segment_count = 0;
}
