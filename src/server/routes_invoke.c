#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "routes.h"
#include "secret.h"
#include "text.h"
#include "validate.h"

#define SECRET_HEADER "x-stay-webhook-secret"

/* Returns 1 when the webhook's permissions array contains `action`. */
static int has_permission(const json_t *webhook, const char *action)
{
    const json_t *permissions = json_object_get(webhook, "permissions");
    size_t index;
    const json_t *name;

    json_array_foreach(permissions, index, name) {
        if (json_is_string(name) && strcmp(json_string_value(name), action) == 0)
            return 1;
    }
    return 0;
}

/* IDs of the rows one invoke creates; empty strings when not created. */
struct new_ids {
    char message[64];
    char poll[64];
    char image[64];
};

/* Fills the delivery from the checked payload and creates its row IDs.
 * `embed_text` and `options_text` receive JSON texts that the caller frees. */
static int build_delivery(const struct invoke_payload *p, const char *created_at,
                          const struct timespec *now, struct store_delivery *d,
                          struct new_ids *ids, char **embed_text, char **options_text,
                          char *ends_at, size_t ends_at_size)
{
    d->kind = p->action;
    d->created_at = created_at;
    d->ends_in_minutes = -1;
    d->w = p->w;
    d->h = p->h;
    d->x = p->x;
    d->y = p->y;

    if (strcmp(p->action, "image") == 0) {
        if (text_random_id("img_", ids->image, sizeof ids->image) != 0)
            return -1;
        d->image_id = ids->image;
        d->url = p->url;
        return 0;
    }

    if (text_random_id("msg_", ids->message, sizeof ids->message) != 0)
        return -1;
    d->message_id = ids->message;
    d->alias = p->alias;
    d->text = p->text;

    if (p->embed != NULL) {
        /* Members keep their order and strings and integers are unchanged.
         * NOTE: real numbers are re-printed by jansson (0.1 comes back as
         * 0.10000000000000001), because jansson gives no access to the
         * original text of a value. */
        *embed_text = json_dumps(p->embed, JSON_COMPACT);
        if (*embed_text == NULL)
            return -1;
        d->embed_json = *embed_text;
    }

    if (strcmp(p->action, "poll") == 0) {
        if (text_random_id("poll_", ids->poll, sizeof ids->poll) != 0)
            return -1;
        *options_text = json_dumps(p->options, JSON_COMPACT);
        if (*options_text == NULL)
            return -1;
        d->poll_id = ids->poll;
        d->question = p->question;
        d->options_json = *options_text;
        d->multiple_choice = p->multiple_choice;
        if (p->ends_in_minutes > 0) {
            struct timespec end = *now;
            end.tv_sec += (time_t)p->ends_in_minutes * 60;
            text_iso8601(&end, ends_at, ends_at_size);
            d->ends_in_minutes = p->ends_in_minutes;
            d->ends_at = ends_at;
        }
    }
    return 0;
}

/* Sets `*out` to the message payload's members other than text and alias,
 * as compact JSON in their order, or to NULL when there are none. Real
 * numbers are re-printed as in the embed. Returns 0, or -1 when out of
 * memory. */
static int message_extra_text(json_t *payload, char **out)
{
    json_t *extra = json_copy(payload);
    int rc = -1;

    *out = NULL;
    if (extra == NULL)
        goto done;
    json_object_del(extra, "text");
    json_object_del(extra, "alias");
    if (json_object_size(extra) > 0) {
        *out = json_dumps(extra, JSON_COMPACT);
        if (*out == NULL)
            goto done;
    }
    rc = 0;

done:
    json_decref(extra);
    return rc;
}

static json_t *invoke_reply(const char *kind, const struct new_ids *ids)
{
    json_t *reply = json_pack("{s:b, s:s}", "ok", 1, "kind", kind);

    if (reply == NULL)
        return NULL;
    if (ids->message[0] != '\0')
        json_object_set_new(reply, "messageId", json_string(ids->message));
    if (ids->poll[0] != '\0')
        json_object_set_new(reply, "pollId", json_string(ids->poll));
    if (ids->image[0] != '\0')
        json_object_set_new(reply, "imageId", json_string(ids->image));
    return reply;
}

void routes_invoke(struct server *srv, struct request *req, struct reply *rep)
{
    const char *room = req->segments[1];
    const char *id = req->segments[2];
    sqlite3 *db = server_db(srv);
    unsigned char hash[SECRET_HASH_SIZE];
    char message[VALIDATE_MESSAGE_SIZE];
    char created_at[32];
    char ends_at[32];
    char *embed_text = NULL;
    char *options_text = NULL;
    char *extra_text = NULL;
    json_t *webhook = NULL;
    json_t *body = NULL;
    struct invoke_payload payload;
    struct store_delivery delivery;
    struct new_ids ids;
    struct timespec now;
    const char *action;
    long wait;
    int status;

    memset(&delivery, 0, sizeof delivery);
    memset(&ids, 0, sizeof ids);
    if (db == NULL) {
        reply_error(rep, 500, "database unavailable");
        goto done;
    }

    status = store_webhook_get(db, room, id, &webhook, hash);
    if (status == STORE_NOT_FOUND) {
        reply_error(rep, 404, "webhook not found");
        goto done;
    }
    if (status != STORE_OK) {
        reply_error(rep, 500, "database error: %s", sqlite3_errmsg(db));
        goto done;
    }
    if (!secret_matches(request_header(req, SECRET_HEADER), hash)) {
        reply_error(rep, 401, "missing or wrong webhook secret in " SECRET_HEADER);
        goto done;
    }
    if (json_is_true(json_object_get(webhook, "paused"))) {
        reply_error(rep, 403, "webhook is paused");
        goto done;
    }

    /* Every authenticated attempt counts, valid or not, so a client stuck
     * in a loop of bad payloads is slowed down too. */
    wait = ratelimit_take(srv->limiter, id);
    if (wait < 0) {
        reply_error(rep, 500, "out of memory");
        goto done;
    }
    if (wait > 0) {
        rep->retry_after = wait;
        reply_error(rep, 429, "rate limit of %ld invokes per %ld seconds reached; retry in %ld seconds",
                    srv->config.rate_count, srv->config.rate_seconds, wait);
        goto done;
    }

    if (request_json(req, rep, 1, &body) != 0)
        goto done;
    /* Permission comes before the payload rules: a webhook without the
     * action gets 403 whatever the payload contains. */
    action = json_string_value(json_object_get(body, "action"));
    if (action != NULL && validate_is_action(action) && !has_permission(webhook, action)) {
        reply_error(rep, 403, "webhook lacks the %s permission", action);
        goto done;
    }
    if (validate_invoke(body, &payload, message, sizeof message) != 0) {
        reply_error(rep, 400, "%s", message);
        goto done;
    }

    clock_gettime(CLOCK_REALTIME, &now);
    text_iso8601(&now, created_at, sizeof created_at);
    delivery.room_id = room;
    delivery.webhook_id = id;
    if (build_delivery(&payload, created_at, &now, &delivery, &ids, &embed_text, &options_text,
                       ends_at, sizeof ends_at) != 0) {
        reply_error(rep, 500, "out of memory");
        goto done;
    }
    if (strcmp(payload.action, "message") == 0) {
        if (message_extra_text(json_object_get(body, "payload"), &extra_text) != 0) {
            reply_error(rep, 500, "out of memory");
            goto done;
        }
        delivery.extra_json = extra_text;
    }

    /* The reply is built only after COMMIT returned: a 2xx means the row
     * is on disk. */
    if (store_delivery_insert(db, &delivery) != STORE_OK) {
        reply_error(rep, 500, "database error, so the invoke was not stored: %s", sqlite3_errmsg(db));
        goto done;
    }
    reply_json(rep, 200, invoke_reply(payload.action, &ids));

done:
    free(embed_text);
    free(options_text);
    free(extra_text);
    json_decref(body);
    json_decref(webhook);
}
