#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "routes.h"
#include "secret.h"
#include "text.h"
#include "validate.h"

static const char *const all_actions[] = { "message", "embed", "poll", "image" };

/* Builds the create/rotate reply around a stored webhook. */
static json_t *secret_bundle(struct server *srv, const char *room, json_t *webhook, const char *secret)
{
    json_t *bundle;

    if (routes_decorate_webhook(srv, room, webhook) != 0) {
        json_decref(webhook);
        return NULL;
    }
    bundle = json_pack("{s:o, s:s, s:O, s:O}", "webhook", webhook, "secret", secret,
                       "invokeUrl", json_object_get(webhook, "invokeUrl"),
                       "exampleCurl", json_object_get(webhook, "exampleCurl"));
    return bundle;
}

void routes_list(struct server *srv, struct request *req, struct reply *rep)
{
    const char *room = req->segments[1];
    sqlite3 *db = server_db(srv);
    json_t *hooks = NULL;
    size_t index;
    json_t *hook;

    if (db == NULL) {
        reply_error(rep, 500, "database unavailable");
        return;
    }
    if (routes_authorize(srv, db, req, rep, room, ROLE_ADMIN, NULL) != 0)
        return;
    if (store_webhook_list(db, room, &hooks) != STORE_OK) {
        reply_error(rep, 500, "database error: %s", sqlite3_errmsg(db));
        return;
    }
    json_array_foreach(hooks, index, hook) {
        if (routes_decorate_webhook(srv, room, hook) != 0) {
            json_decref(hooks);
            reply_error(rep, 500, "out of memory");
            return;
        }
    }
    reply_json(rep, 200, json_pack("{s:s, s:I, s:o}", "roomId", room,
                                   "limit", (json_int_t)srv->config.webhook_limit, "webhooks", hooks));
}

void routes_create(struct server *srv, struct request *req, struct reply *rep)
{
    const char *room = req->segments[1];
    sqlite3 *db = server_db(srv);
    char message[VALIDATE_MESSAGE_SIZE];
    char *user = NULL;
    char *permissions_text = NULL;
    json_t *body = NULL;
    json_t *permissions = NULL;
    json_t *webhook = NULL;
    const json_t *given;
    char id[64];
    char secret[SECRET_TEXT_SIZE];
    char preview[SECRET_PREVIEW_SIZE];
    char created_at[32];
    unsigned char hash[SECRET_HASH_SIZE];
    struct timespec now;
    struct store_new_webhook hook;
    int status;

    secret[0] = '\0';
    if (db == NULL) {
        reply_error(rep, 500, "database unavailable");
        goto done;
    }
    if (routes_authorize(srv, db, req, rep, room, ROLE_ADMIN, &user) != 0)
        goto done;
    if (request_json(req, rep, 1, &body) != 0)
        goto done;

    if (validate_label(json_object_get(body, "label"), message, sizeof message) != 0) {
        reply_error(rep, 400, "%s", message);
        goto done;
    }
    given = json_object_get(body, "permissions");
    permissions = given == NULL || json_is_null(given)
                      ? validate_default_permissions()
                      : validate_permissions(given, message, sizeof message);
    if (permissions == NULL) {
        reply_error(rep, 400, "%s", message);
        goto done;
    }

    permissions_text = json_dumps(permissions, JSON_COMPACT);
    if (permissions_text == NULL || text_random_id("wh_", id, sizeof id) != 0 ||
        secret_generate(secret) != 0 || secret_hash(secret, hash) != 0) {
        reply_error(rep, 500, "cannot create webhook");
        goto done;
    }
    secret_preview(secret, preview);
    clock_gettime(CLOCK_REALTIME, &now);
    text_iso8601(&now, created_at, sizeof created_at);

    hook.room_id = room;
    hook.id = id;
    hook.label = json_string_value(json_object_get(body, "label"));
    hook.permissions_json = permissions_text;
    hook.created_by = user;
    hook.created_at = created_at;
    hook.secret_hash = hash;
    hook.secret_preview = preview;
    status = store_webhook_create(db, &hook, srv->config.webhook_limit);
    if (status == STORE_LIMIT) {
        reply_error(rep, 409, "room already has the maximum of %ld webhooks", srv->config.webhook_limit);
        goto done;
    }
    if (status != STORE_OK || store_webhook_get(db, room, id, &webhook, NULL) != STORE_OK) {
        reply_error(rep, 500, "database error: %s", sqlite3_errmsg(db));
        goto done;
    }
    reply_json(rep, 201, secret_bundle(srv, room, webhook, secret));

done:
    OPENSSL_cleanse(secret, sizeof secret);
    free(permissions_text);
    json_decref(permissions);
    json_decref(body);
    free(user);
}

void routes_update(struct server *srv, struct request *req, struct reply *rep)
{
    const char *room = req->segments[1];
    const char *id = req->segments[2];
    sqlite3 *db = server_db(srv);
    char message[VALIDATE_MESSAGE_SIZE];
    json_t *body = NULL;
    json_t *permissions = NULL;
    json_t *webhook = NULL;
    char *permissions_text = NULL;
    const json_t *label;
    const json_t *given;
    const json_t *paused;
    int status;

    if (db == NULL) {
        reply_error(rep, 500, "database unavailable");
        goto done;
    }
    if (routes_authorize(srv, db, req, rep, room, ROLE_ADMIN, NULL) != 0)
        goto done;
    if (request_json(req, rep, 0, &body) != 0)
        goto done;

    /* Every member is optional here, and null means "unchanged" as for
     * any optional field. */
    label = json_object_get(body, "label");
    if (json_is_null(label))
        label = NULL;
    if (label != NULL && validate_label(label, message, sizeof message) != 0) {
        reply_error(rep, 400, "%s", message);
        goto done;
    }
    given = json_object_get(body, "permissions");
    if (given != NULL && !json_is_null(given)) {
        permissions = validate_permissions(given, message, sizeof message);
        if (permissions == NULL) {
            reply_error(rep, 400, "%s", message);
            goto done;
        }
        permissions_text = json_dumps(permissions, JSON_COMPACT);
        if (permissions_text == NULL) {
            reply_error(rep, 500, "out of memory");
            goto done;
        }
    }
    paused = json_object_get(body, "paused");
    if (json_is_null(paused))
        paused = NULL;
    if (paused != NULL && !json_is_boolean(paused)) {
        reply_error(rep, 400, "paused must be a boolean");
        goto done;
    }

    status = store_webhook_update(db, room, id, json_string_value(label), permissions_text,
                                  paused == NULL ? -1 : json_is_true(paused));
    if (status == STORE_OK)
        status = store_webhook_get(db, room, id, &webhook, NULL);
    if (status == STORE_NOT_FOUND) {
        reply_error(rep, 404, "webhook not found");
        goto done;
    }
    if (status != STORE_OK || routes_decorate_webhook(srv, room, webhook) != 0) {
        json_decref(webhook);
        reply_error(rep, 500, "database error: %s", sqlite3_errmsg(db));
        goto done;
    }
    reply_json(rep, 200, json_pack("{s:o}", "webhook", webhook));

done:
    free(permissions_text);
    json_decref(permissions);
    json_decref(body);
}

void routes_rotate(struct server *srv, struct request *req, struct reply *rep)
{
    const char *room = req->segments[1];
    const char *id = req->segments[2];
    sqlite3 *db = server_db(srv);
    char secret[SECRET_TEXT_SIZE];
    char preview[SECRET_PREVIEW_SIZE];
    unsigned char hash[SECRET_HASH_SIZE];
    json_t *webhook = NULL;
    int status;

    secret[0] = '\0';
    if (db == NULL) {
        reply_error(rep, 500, "database unavailable");
        goto done;
    }
    if (routes_authorize(srv, db, req, rep, room, ROLE_ADMIN, NULL) != 0)
        goto done;
    if (secret_generate(secret) != 0 || secret_hash(secret, hash) != 0) {
        reply_error(rep, 500, "cannot create secret");
        goto done;
    }
    secret_preview(secret, preview);

    status = store_webhook_rotate(db, room, id, hash, preview);
    if (status == STORE_OK)
        status = store_webhook_get(db, room, id, &webhook, NULL);
    if (status == STORE_NOT_FOUND) {
        reply_error(rep, 404, "webhook not found");
        goto done;
    }
    if (status != STORE_OK) {
        reply_error(rep, 500, "database error: %s", sqlite3_errmsg(db));
        goto done;
    }
    reply_json(rep, 200, secret_bundle(srv, room, webhook, secret));

done:
    OPENSSL_cleanse(secret, sizeof secret);
}

void routes_delete(struct server *srv, struct request *req, struct reply *rep)
{
    const char *room = req->segments[1];
    sqlite3 *db = server_db(srv);
    int status;

    if (db == NULL) {
        reply_error(rep, 500, "database unavailable");
        return;
    }
    if (routes_authorize(srv, db, req, rep, room, ROLE_ADMIN, NULL) != 0)
        return;
    status = store_webhook_delete(db, room, req->segments[2]);
    if (status == STORE_NOT_FOUND) {
        reply_error(rep, 404, "webhook not found");
        return;
    }
    if (status != STORE_OK) {
        reply_error(rep, 500, "database error: %s", sqlite3_errmsg(db));
        return;
    }
    ratelimit_forget(srv->limiter, req->segments[2]);
    reply_json(rep, 200, json_pack("{s:b}", "ok", 1));
}

void routes_permitted_actions(struct server *srv, struct request *req, struct reply *rep)
{
    sqlite3 *db = server_db(srv);
    json_t *actions;

    if (db == NULL) {
        reply_error(rep, 500, "database unavailable");
        return;
    }
    if (routes_authorize(srv, db, req, rep, req->segments[1], ROLE_ADMIN, NULL) != 0)
        return;
    actions = json_array();
    for (size_t i = 0; actions != NULL && i < sizeof all_actions / sizeof all_actions[0]; i++)
        json_array_append_new(actions, json_string(all_actions[i]));
    reply_json(rep, 200, json_pack("{s:o, s:I}", "actions", actions,
                                   "limit", (json_int_t)srv->config.webhook_limit));
}
