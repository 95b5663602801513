#include "routes.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Maximum `limit` of a read-back request. */
#define READBACK_MAX_LIMIT 1000

/* Maximum number of bytes of a bad parameter value quoted in the error. */
#define READBACK_QUOTE_MAX 40

typedef int (*readback_query)(sqlite3 *, const char *, const struct store_page *,
                              json_t **, sqlite3_int64 *);

/* One query parameter as libmicrohttpd parsed it. `value` is borrowed
 * from the connection and NULL for a bare name without "=". */
struct query_parameter {
    const char *name;
    const char *value;
    unsigned int count;
};

struct paging_parameters {
    struct query_parameter after;
    struct query_parameter limit;
};

/* Counts each paging parameter and keeps its value. Other names are
 * ignored, as every other route ignores its query string. */
static enum MHD_Result collect_parameter(void *cls, enum MHD_ValueKind kind,
                                         const char *key, const char *value)
{
    struct paging_parameters *params = cls;
    struct query_parameter *wanted[] = { &params->after, &params->limit };
    (void)kind;

    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        if (key != NULL && strcmp(key, wanted[i]->name) == 0) {
            wanted[i]->value = value;
            wanted[i]->count++;
        }
    }
    return MHD_YES;
}

/* Parses a decimal integer from `min` to `max` made of digits only, so
 * signs, spaces and hexadecimal are rejected. Returns 0 or -1. */
static int parse_decimal(const char *text, long long min, long long max, long long *out)
{
    char *end = NULL;
    long long value;

    if (text == NULL || text[0] == '\0' || strspn(text, "0123456789") != strlen(text))
        return -1;
    errno = 0;
    value = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0' || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

/* Parses one paging parameter that appeared once. Returns 0, or -1 with
 * a 400 reply that names the parameter, the accepted range and the value. */
static int parse_parameter(const struct query_parameter *param, long long min, long long max,
                           const char *meaning, struct reply *rep, long long *out)
{
    if (param->value == NULL) {
        reply_error(rep, 400, "query parameter %s has no value; give %s, a decimal integer "
                              "from %lld to %lld", param->name, meaning, min, max);
        return -1;
    }
    if (parse_decimal(param->value, min, max, out) != 0) {
        reply_error(rep, 400, "query parameter %s must be %s, a decimal integer from %lld to %lld, "
                              "got \"%.*s\"", param->name, meaning, min, max, READBACK_QUOTE_MAX,
                    param->value);
        return -1;
    }
    return 0;
}

/* Reads `after` and `limit` from the query string into *page. Returns 0,
 * or -1 with a 400 reply that names the parameter. libmicrohttpd hands
 * over names and values without percent-decoding them, because the
 * server's unescape callback keeps escapes for the path, but it does
 * turn "+" into a space. */
static int read_paging(const struct request *req, struct reply *rep, struct store_page *page)
{
    struct paging_parameters params = { { "after", NULL, 0 }, { "limit", NULL, 0 } };
    long long value;

    page->after = 0;
    page->limit = 0;
    MHD_get_connection_values((struct MHD_Connection *)req->connection, MHD_GET_ARGUMENT_KIND,
                              collect_parameter, &params);

    if (params.after.count > 1 || params.limit.count > 1) {
        reply_error(rep, 400, "query parameter %s must be given at most once",
                    params.after.count > 1 ? "after" : "limit");
        return -1;
    }
    if (params.after.count == 1) {
        if (parse_parameter(&params.after, 0, INT64_MAX, "the cursor of an earlier reply",
                            rep, &value) != 0)
            return -1;
        page->after = value;
    }
    if (params.limit.count == 1) {
        if (parse_parameter(&params.limit, 1, READBACK_MAX_LIMIT, "the maximum number of items",
                            rep, &value) != 0)
            return -1;
        page->limit = value;
    }
    return 0;
}

/* Shared body of the three read-back endpoints: any member of the room
 * may read what it received, all of it or the page that `after` and
 * `limit` select. */
static void read_back(struct server *srv, struct request *req, struct reply *rep,
                      const char *key, readback_query query)
{
    const char *room = req->segments[1];
    sqlite3 *db = server_db(srv);
    struct store_page page;
    json_t *rows = NULL;
    sqlite3_int64 cursor = 0;

    if (db == NULL) {
        reply_error(rep, 500, "database unavailable");
        return;
    }
    if (routes_authorize(srv, db, req, rep, room, ROLE_MEMBER, NULL) != 0)
        return;
    if (read_paging(req, rep, &page) != 0)
        return;
    if (query(db, room, &page, &rows, &cursor) != STORE_OK) {
        reply_error(rep, 500, "database error: %s", sqlite3_errmsg(db));
        return;
    }
    reply_json(rep, 200, json_pack("{s:s, s:o, s:I}", "roomId", room, key, rows,
                                   "cursor", (json_int_t)cursor));
}

void routes_messages(struct server *srv, struct request *req, struct reply *rep)
{
    read_back(srv, req, rep, "messages", store_messages);
}

void routes_polls(struct server *srv, struct request *req, struct reply *rep)
{
    read_back(srv, req, rep, "polls", store_polls);
}

void routes_board(struct server *srv, struct request *req, struct reply *rep)
{
    read_back(srv, req, rep, "images", store_images);
}
