#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "text.h"

static int segment_is(const struct request *req, size_t index, const char *word)
{
    return index < req->segment_count && strcmp(req->segments[index], word) == 0;
}

static int method_is(const struct request *req, const char *method)
{
    return strcmp(req->method, method) == 0;
}

/* HEAD is answered like GET; libmicrohttpd sends the headers, including
 * the Content-Length of the body, and leaves the body out. */
static int method_is_get(const struct request *req)
{
    return method_is(req, "GET") || method_is(req, "HEAD");
}

/* Sets a 405 reply listing the methods the path allows, and returns NULL. */
static route_handler wrong_method(struct reply *rep, const char *allow)
{
    rep->allow = allow;
    reply_error(rep, 405, "method not allowed; use %s", allow);
    return NULL;
}

static route_handler find_webhooks_route(struct request *req, struct reply *rep)
{
    size_t n = req->segment_count;

    if (n == 2) {
        rep->route = "/api/webhooks/{room}";
        if (method_is_get(req))
            return routes_list;
        if (method_is(req, "POST"))
            return routes_create;
        return wrong_method(rep, "GET, HEAD, POST");
    }
    if (n == 4 && segment_is(req, 2, "meta") && segment_is(req, 3, "permitted-actions")) {
        rep->route = "/api/webhooks/{room}/meta/permitted-actions";
        if (method_is_get(req))
            return routes_permitted_actions;
        return wrong_method(rep, "GET, HEAD");
    }
    if (n == 3) {
        rep->route = "/api/webhooks/{room}/{webhook}";
        if (method_is(req, "PATCH"))
            return routes_update;
        if (method_is(req, "DELETE"))
            return routes_delete;
        return wrong_method(rep, "PATCH, DELETE");
    }
    if (n == 4 && segment_is(req, 3, "rotate")) {
        rep->route = "/api/webhooks/{room}/{webhook}/rotate";
        if (method_is(req, "POST"))
            return routes_rotate;
        return wrong_method(rep, "POST");
    }
    if (n == 4 && segment_is(req, 3, "invoke")) {
        rep->route = "/api/webhooks/{room}/{webhook}/invoke";
        if (method_is(req, "POST"))
            return routes_invoke;
        return wrong_method(rep, "POST");
    }
    reply_error(rep, 404, "no such endpoint");
    return NULL;
}

static route_handler find_rooms_route(struct request *req, struct reply *rep)
{
    route_handler handler;

    if (req->segment_count != 3) {
        reply_error(rep, 404, "no such endpoint");
        return NULL;
    }
    if (segment_is(req, 2, "messages")) {
        rep->route = "/api/rooms/{room}/messages";
        handler = routes_messages;
    } else if (segment_is(req, 2, "polls")) {
        rep->route = "/api/rooms/{room}/polls";
        handler = routes_polls;
    } else if (segment_is(req, 2, "board")) {
        rep->route = "/api/rooms/{room}/board";
        handler = routes_board;
    } else {
        reply_error(rep, 404, "no such endpoint");
        return NULL;
    }
    if (!method_is_get(req))
        return wrong_method(rep, "GET, HEAD");
    return handler;
}

route_handler routes_find(struct request *req, struct reply *rep)
{
    /* IDs become JSON strings in replies, so they must be valid UTF-8. */
    for (size_t i = 1; i < req->segment_count; i++) {
        json_t *probe = json_string(req->segments[i]);
        if (probe == NULL) {
            reply_error(rep, 400, "path segment %zu is not valid UTF-8", i + 1);
            return NULL;
        }
        json_decref(probe);
    }

    if (segment_is(req, 0, "webhooks") && req->segment_count >= 2)
        return find_webhooks_route(req, rep);
    if (segment_is(req, 0, "rooms") && req->segment_count >= 2)
        return find_rooms_route(req, rep);
    reply_error(rep, 404, "no such endpoint");
    return NULL;
}

int routes_authorize(struct server *srv, sqlite3 *db, const struct request *req,
                     struct reply *rep, const char *room, enum store_role min_role,
                     char **user_out)
{
    const char *why = NULL;
    char *user = NULL;
    enum store_role role = ROLE_NONE;
    int status;
    int rc = -1;

    if (user_out != NULL)
        *user_out = NULL;
    if (auth_verify(srv->jwt_key, sizeof srv->jwt_key, request_header(req, "Authorization"),
                    &user, &why) != 0) {
        reply_error(rep, 401, "%s", why);
        goto done;
    }

    status = store_room_role(db, room, user, &role);
    if (status == STORE_NOT_FOUND) {
        reply_error(rep, 404, "room not found");
        goto done;
    }
    if (status != STORE_OK) {
        reply_error(rep, 500, "database error: %s", sqlite3_errmsg(db));
        goto done;
    }
    if (role < min_role) {
        reply_error(rep, 403, min_role >= ROLE_ADMIN
                                  ? "only the room's owner or an admin may do this"
                                  : "only members of the room may do this");
        goto done;
    }
    rc = 0;
    if (user_out != NULL) {
        *user_out = user;
        user = NULL;
    }

done:
    free(user);
    return rc;
}

static int is_dot_segment(const char *s)
{
    return strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
}

/* Quotes `s` for a POSIX shell inside single quotes. New string or NULL. */
static char *shell_quote(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(len * 4 + 3);
    size_t o = 0;

    if (out == NULL)
        return NULL;
    out[o++] = '\'';
    for (; *s != '\0'; s++) {
        if (*s == '\'') {
            memcpy(out + o, "'\\''", 4);
            o += 4;
        } else {
            out[o++] = *s;
        }
    }
    out[o++] = '\'';
    out[o] = '\0';
    return out;
}

int routes_decorate_webhook(struct server *srv, const char *room, json_t *webhook)
{
    const char *id = json_string_value(json_object_get(webhook, "id"));
    char *room_enc = NULL;
    char *id_enc = NULL;
    char *url = NULL;
    char *quoted = NULL;
    int rc = -1;

    if (id == NULL)
        goto done;
    room_enc = text_percent_encode(room);
    id_enc = text_percent_encode(id);
    if (room_enc == NULL || id_enc == NULL)
        goto done;

    size_t size = strlen(srv->public_url) + strlen(room_enc) + strlen(id_enc) + 64;
    url = malloc(size);
    if (url == NULL)
        goto done;
    snprintf(url, size, "%s/api/webhooks/%s/%s/invoke", srv->public_url, room_enc, id_enc);
    quoted = shell_quote(url);
    if (quoted == NULL)
        goto done;

    /* The command reads the secret from the environment, so the reply and
     * anything that logs it never hold the secret itself. The URL escapes
     * dot segments as %2E, which curl 7.88 keeps. Later curl releases remove
     * %2E segments like plain dots, and --path-as-is stops that. */
    json_t *curl = json_sprintf("curl%s -X POST %s -H 'Content-Type: application/json' "
                                "-H \"x-stay-webhook-secret: $STAYHERE_SECRET\" "
                                "-d '{\"action\":\"message\",\"payload\":{\"text\":\"Hello\"}}'",
                                is_dot_segment(room) || is_dot_segment(id) ? " --path-as-is" : "",
                                quoted);
    if (json_object_set_new(webhook, "invokeUrl", json_string(url)) != 0 ||
        json_object_set_new(webhook, "exampleCurl", curl) != 0)
        goto done;
    rc = 0;

done:
    free(room_enc);
    free(id_enc);
    free(url);
    free(quoted);
    return rc;
}
