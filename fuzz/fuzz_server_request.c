/* fuzz_server_request.c: libFuzzer harness for stayhooks-server's request
 * handling: path splitting and decoding, routing, the body type check,
 * bearer-token and secret checks, JSON bodies, field rules and the store,
 * through dispatch_request() as the daemon calls it.
 *
 * Input:
 *   METHOD PATH[?QUERY]  e.g. "POST /api/webhooks/ROOM123/wh1/invoke"
 *   Name: value          zero or more header lines
 *   (empty line)
 *   body                 the rest of the input
 *
 * In header values, "$TOKEN" and "$MEMBER_TOKEN" stand for valid tokens of
 * the room owner and of a member. Each input starts from a fresh in-memory
 * database. The harness aborts when a reply breaks the server's contract.
 * A reply must have a status from 200 to 599 other than 500, a JSON object
 * body, and an "error" string when it is an error. It must never show the
 * webhook's secret or a token. */
/* memmem() */
#define _GNU_SOURCE
#include <jansson.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dispatch.h"
#include "fuzz_server_common.h"

#define MAX_HEADERS 16
#define MAX_ARGUMENTS 8

struct fake_header {
    char *name;
    char *value;
};

/* Stands in for the libmicrohttpd connection that request_header() and
 * the read-back paging code read. */
struct fake_connection {
    struct fake_header headers[MAX_HEADERS];
    size_t count;
    /* Query arguments. A value is NULL for a bare "?name", as in
     * libmicrohttpd. */
    struct fake_header arguments[MAX_ARGUMENTS];
    size_t argument_count;
};

/* Linked with -Wl,--wrap=MHD_lookup_connection_value, so request_header()
 * reads the fake connection. Names match without regard to case, as in
 * libmicrohttpd. */
const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *connection,
                                               enum MHD_ValueKind kind, const char *key);

const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *connection,
                                               enum MHD_ValueKind kind, const char *key)
{
    const struct fake_connection *fake = (const struct fake_connection *)connection;

    if (kind != MHD_HEADER_KIND || key == NULL)
        return NULL;
    for (size_t i = 0; i < fake->count; i++) {
        if (strcasecmp(fake->headers[i].name, key) == 0)
            return fake->headers[i].value;
    }
    return NULL;
}

/* Linked with -Wl,--wrap=MHD_get_connection_values, so the read-back
 * routes read the query arguments of the fake connection. */
int __wrap_MHD_get_connection_values(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                     MHD_KeyValueIterator iterator, void *iterator_cls);

int __wrap_MHD_get_connection_values(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                     MHD_KeyValueIterator iterator, void *iterator_cls)
{
    const struct fake_connection *fake = (const struct fake_connection *)connection;
    int visited = 0;

    if (kind != MHD_GET_ARGUMENT_KIND)
        return 0;
    for (size_t i = 0; i < fake->argument_count; i++) {
        visited++;
        if (iterator != NULL && iterator(iterator_cls, MHD_GET_ARGUMENT_KIND,
                                         fake->arguments[i].name,
                                         fake->arguments[i].value) != MHD_YES)
            break;
    }
    return visited;
}

static char *copy_range(const char *start, size_t len)
{
    char *s = malloc(len + 1);

    FUZZ_CHECK(s != NULL);
    memcpy(s, start, len);
    s[len] = '\0';
    return s;
}

/* Returns the header value with a token placeholder replaced, as a new
 * string. */
static char *expand_value(const char *start, size_t len)
{
    char *raw = copy_range(start, len);
    const char *token = NULL;
    const char *placeholder = NULL;
    char *at;
    char *out;
    size_t size;

    if ((at = strstr(raw, FUZZ_MEMBER_PLACEHOLDER)) != NULL) {
        placeholder = FUZZ_MEMBER_PLACEHOLDER;
        token = fuzz_member_token();
    } else if ((at = strstr(raw, FUZZ_OWNER_PLACEHOLDER)) != NULL) {
        placeholder = FUZZ_OWNER_PLACEHOLDER;
        token = fuzz_owner_token();
    } else {
        return raw;
    }
    size = strlen(raw) - strlen(placeholder) + strlen(token) + 1;
    out = malloc(size);
    FUZZ_CHECK(out != NULL);
    snprintf(out, size, "%.*s%s%s", (int)(at - raw), raw, token, at + strlen(placeholder));
    free(raw);
    return out;
}

/* Reads "Name: value" lines up to an empty line. Returns the position
 * after the empty line (the body), or `end`. */
static const char *read_headers(const char *p, const char *end, struct fake_connection *fake)
{
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl != NULL ? nl : end;
        const char *colon = memchr(p, ':', (size_t)(stop - p));

        if (stop == p)
            return nl != NULL ? nl + 1 : end;
        if (colon != NULL && fake->count < MAX_HEADERS) {
            const char *value = colon + 1;
            while (value < stop && *value == ' ')
                value++;
            fake->headers[fake->count].name = copy_range(p, (size_t)(colon - p));
            fake->headers[fake->count].value = expand_value(value, (size_t)(stop - value));
            fake->count++;
        }
        p = nl != NULL ? nl + 1 : end;
    }
    return end;
}

/* Splits "a=1&b&c=" into arguments as libmicrohttpd does: a name without
 * "=" has a NULL value, and "+" becomes a space. Empty pieces are skipped. */
static void read_query(const char *query, struct fake_connection *fake)
{
    const char *p = query;

    while (*p != '\0' && fake->argument_count < MAX_ARGUMENTS) {
        const char *ampersand = strchr(p, '&');
        const char *stop = ampersand != NULL ? ampersand : p + strlen(p);
        const char *equals = memchr(p, '=', (size_t)(stop - p));
        struct fake_header *arg = &fake->arguments[fake->argument_count];

        if (stop > p) {
            const char *name_end = equals != NULL ? equals : stop;
            arg->name = copy_range(p, (size_t)(name_end - p));
            arg->value = equals != NULL ? copy_range(equals + 1, (size_t)(stop - equals - 1)) : NULL;
            for (char *c = arg->value; c != NULL && *c != '\0'; c++) {
                if (*c == '+')
                    *c = ' ';
            }
            fake->argument_count++;
        }
        if (ampersand == NULL)
            break;
        p = ampersand + 1;
    }
}

/* `echoed` is 1 when the input itself carries the secret outside the
 * secret header, where a reply may legitimately repeat it (in a label,
 * say). */
static void check_reply(const struct reply *rep, int echoed)
{
    char *text;

    FUZZ_CHECK(rep->status >= 200 && rep->status <= 599);
    FUZZ_CHECK(rep->status != 500);
    FUZZ_CHECK(json_is_object(rep->body));
    if (rep->status >= 400)
        FUZZ_CHECK(json_is_string(json_object_get(rep->body, "error")));

    text = json_dumps(rep->body, JSON_COMPACT);
    FUZZ_CHECK(text != NULL);
    if (!echoed)
        FUZZ_CHECK(strstr(text, FUZZ_SECRET) == NULL);
    FUZZ_CHECK(strstr(text, fuzz_owner_token()) == NULL);
    FUZZ_CHECK(strstr(text, fuzz_member_token()) == NULL);
    free(text);
}

/* Returns 1 when the decoded path, the query or the body (raw or
 * JSON-decoded) contains the secret. */
static int request_mentions_secret(const struct request *req, const char *query)
{
    json_t *body;
    char *text;
    int found = 0;

    found |= query != NULL && strstr(query, FUZZ_SECRET) != NULL;
    for (size_t i = 0; i < req->segment_count; i++)
        found |= strstr(req->segments[i], FUZZ_SECRET) != NULL;
    if (req->body == NULL)
        return found;
    found |= memmem(req->body, req->body_len, FUZZ_SECRET, strlen(FUZZ_SECRET)) != NULL;

    body = json_loadb(req->body, req->body_len, JSON_DECODE_ANY, NULL);
    text = body != NULL ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    found |= text != NULL && strstr(text, FUZZ_SECRET) != NULL;
    free(text);
    json_decref(body);
    return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *end = p + size;
    const char *nl = memchr(p, '\n', size);
    const char *line_end = nl != NULL ? nl : end;
    const char *space = memchr(p, ' ', (size_t)(line_end - p));
    struct fake_connection fake;
    struct request req;
    struct reply rep;
    char method[16];
    char *url;
    char *query;

    /* libmicrohttpd hands on a method token and a path without NUL bytes
     * or spaces. */
    if (space == NULL || space - p >= (long)sizeof method || space == p)
        return 0;
    memcpy(method, p, (size_t)(space - p));
    method[space - p] = '\0';
    url = copy_range(space + 1, (size_t)(line_end - space - 1));
    if (strlen(url) != (size_t)(line_end - space - 1) || strchr(url, ' ') != NULL ||
        strlen(method) != (size_t)(space - p)) {
        free(url);
        return 0;
    }

    /* The reset also mints the tokens that read_headers() puts in. */
    fuzz_server_state_reset();
    memset(&fake, 0, sizeof fake);
    p = read_headers(nl != NULL ? nl + 1 : end, end, &fake);
    query = strchr(url, '?');
    if (query != NULL) {
        *query = '\0';
        read_query(query + 1, &fake);
    }

    memset(&req, 0, sizeof req);
    memset(&rep, 0, sizeof rep);
    req.connection = &fake;
    req.method = method;
    req.body = p < end ? p : NULL;
    req.body_len = (size_t)(end - p);
    rep.route = "(unknown route)";

    dispatch_request(fuzz_server(), url, &req, &rep);
    check_reply(&rep, request_mentions_secret(&req, query != NULL ? query + 1 : NULL));

    json_decref(rep.body);
    dispatch_clear(&req);
    for (size_t i = 0; i < fake.count; i++) {
        free(fake.headers[i].name);
        free(fake.headers[i].value);
    }
    for (size_t i = 0; i < fake.argument_count; i++) {
        free(fake.arguments[i].name);
        free(fake.arguments[i].value);
    }
    free(url);
    return 0;
}
