/* manage.c: the management calls, authorised by the bearer token. */
#include "error.h"
#include "payload.h"
#include "reply.h"
#include "request.h"
#include "url.h"

#include <stdlib.h>

/* Checks the arguments every management call shares. */
static int check_ids(stayhooks_client *client, const char *room_id, const char *webhook_id,
                     int needs_webhook, stayhooks_error **err)
{
    if (client == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "client must not be NULL");
    if (room_id == NULL || room_id[0] == '\0')
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "room ID is missing");
    if (needs_webhook && (webhook_id == NULL || webhook_id[0] == '\0'))
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "webhook ID is missing");

    int rc = stayhooks__check_utf8(room_id, "room ID", err);
    if (rc == STAYHOOKS_OK)
        rc = stayhooks__check_utf8(webhook_id, "webhook ID", err);
    return rc;
}

static int set_url(stayhooks_client *client, stayhooks__request *req, const char *room_id,
                   const char *webhook_id, const char *suffix, stayhooks_error **err)
{
    req->url = stayhooks__webhooks_url(client->base_url, client->prefix, room_id, webhook_id,
                                       suffix);
    if (req->url == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
    return STAYHOOKS_OK;
}

int stayhooks_list_webhooks(stayhooks_client *client, const char *room_id,
                            stayhooks_webhook_list **out, stayhooks_error **err)
{
    stayhooks__request req = { "GET", NULL, NULL, NULL };
    json_t *reply = NULL;
    int rc;

    if (out != NULL)
        *out = NULL;
    if ((rc = check_ids(client, room_id, NULL, 0, err)) != STAYHOOKS_OK ||
        (rc = set_url(client, &req, room_id, NULL, NULL, err)) != STAYHOOKS_OK ||
        (rc = stayhooks__perform(client, &req, &reply, err)) != STAYHOOKS_OK)
        goto done;

    if (reply != NULL && out != NULL)
        rc = stayhooks__parse_webhook_list(reply, out, err);

done:
    json_decref(reply);
    stayhooks__request_clear(&req);
    return rc;
}

int stayhooks_create_webhook(stayhooks_client *client, const char *room_id, const char *label,
                             const char *const *permissions, size_t permission_count,
                             stayhooks_secret_bundle **out, stayhooks_error **err)
{
    stayhooks__request req = { "POST", NULL, NULL, NULL };
    json_t *names = NULL;
    json_t *reply = NULL;
    int rc;

    if (out != NULL)
        *out = NULL;
    if ((rc = check_ids(client, room_id, NULL, 0, err)) != STAYHOOKS_OK)
        goto done;
    /* The server judges the label's length and content. */
    if (label == NULL) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "label is required");
        goto done;
    }
    if ((rc = stayhooks__check_utf8(label, "label", err)) != STAYHOOKS_OK ||
        (rc = stayhooks__build_permissions(permissions, permission_count, &names, err)) !=
            STAYHOOKS_OK ||
        (rc = set_url(client, &req, room_id, NULL, NULL, err)) != STAYHOOKS_OK)
        goto done;

    req.body = json_object();
    if (req.body == NULL || json_object_set_new(req.body, "label", json_string(label)) != 0 ||
        json_object_set(req.body, "permissions", names) != 0) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
        goto done;
    }

    if ((rc = stayhooks__perform(client, &req, &reply, err)) != STAYHOOKS_OK)
        goto done;
    if (reply != NULL && out != NULL)
        rc = stayhooks__parse_secret_bundle(reply, out, err);

done:
    json_decref(names);
    json_decref(reply);
    stayhooks__request_clear(&req);
    return rc;
}

static int build_update_body(const stayhooks_webhook_update *update, json_t **out,
                             stayhooks_error **err)
{
    json_t *body = json_object();
    json_t *names = NULL;
    int rc = STAYHOOKS_OK;

    *out = NULL;
    if (body == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
    if (update == NULL)
        goto done;

    if (update->paused < -1 || update->paused > 1) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                             "update.paused is %d; use -1 (unchanged), 0 (resume) or 1 (pause)",
                             update->paused);
        goto done;
    }
    if ((rc = stayhooks__check_utf8(update->label, "update.label", err)) != STAYHOOKS_OK)
        goto done;
    if (update->permissions != NULL &&
        (rc = stayhooks__build_permissions(update->permissions, update->permission_count, &names,
                                           err)) != STAYHOOKS_OK)
        goto done;

    if ((update->label != NULL &&
         json_object_set_new(body, "label", json_string(update->label)) != 0) ||
        (names != NULL && json_object_set(body, "permissions", names) != 0) ||
        (update->paused != -1 &&
         json_object_set_new(body, "paused", json_boolean(update->paused == 1)) != 0))
        rc = stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");

done:
    json_decref(names);
    if (rc == STAYHOOKS_OK)
        *out = body;
    else
        json_decref(body);
    return rc;
}

int stayhooks_update_webhook(stayhooks_client *client, const char *room_id,
                             const char *webhook_id, const stayhooks_webhook_update *update,
                             stayhooks_webhook **out, stayhooks_error **err)
{
    stayhooks__request req = { "PATCH", NULL, NULL, NULL };
    json_t *reply = NULL;
    int rc;

    if (out != NULL)
        *out = NULL;
    if ((rc = check_ids(client, room_id, webhook_id, 1, err)) != STAYHOOKS_OK ||
        (rc = build_update_body(update, &req.body, err)) != STAYHOOKS_OK ||
        (rc = set_url(client, &req, room_id, webhook_id, NULL, err)) != STAYHOOKS_OK ||
        (rc = stayhooks__perform(client, &req, &reply, err)) != STAYHOOKS_OK)
        goto done;

    if (reply != NULL && out != NULL)
        rc = stayhooks__parse_updated_webhook(reply, out, err);

done:
    json_decref(reply);
    stayhooks__request_clear(&req);
    return rc;
}

int stayhooks_rotate_secret(stayhooks_client *client, const char *room_id,
                            const char *webhook_id, stayhooks_secret_bundle **out,
                            stayhooks_error **err)
{
    stayhooks__request req = { "POST", NULL, NULL, NULL };
    json_t *reply = NULL;
    int rc;

    if (out != NULL)
        *out = NULL;
    if ((rc = check_ids(client, room_id, webhook_id, 1, err)) != STAYHOOKS_OK ||
        (rc = set_url(client, &req, room_id, webhook_id, "/rotate", err)) != STAYHOOKS_OK ||
        (rc = stayhooks__perform(client, &req, &reply, err)) != STAYHOOKS_OK)
        goto done;

    if (reply != NULL && out != NULL)
        rc = stayhooks__parse_secret_bundle(reply, out, err);

done:
    json_decref(reply);
    stayhooks__request_clear(&req);
    return rc;
}

int stayhooks_delete_webhook(stayhooks_client *client, const char *room_id,
                             const char *webhook_id, int *ok_out, stayhooks_error **err)
{
    stayhooks__request req = { "DELETE", NULL, NULL, NULL };
    json_t *reply = NULL;
    int ok = 1;
    int rc;

    if ((rc = check_ids(client, room_id, webhook_id, 1, err)) != STAYHOOKS_OK ||
        (rc = set_url(client, &req, room_id, webhook_id, NULL, err)) != STAYHOOKS_OK ||
        (rc = stayhooks__perform(client, &req, &reply, err)) != STAYHOOKS_OK)
        goto done;

    if (reply != NULL)
        rc = stayhooks__parse_delete(reply, &ok, err);
    if (rc == STAYHOOKS_OK && ok_out != NULL)
        *ok_out = ok;

done:
    json_decref(reply);
    stayhooks__request_clear(&req);
    return rc;
}

int stayhooks_get_permitted_actions(stayhooks_client *client, const char *room_id,
                                    stayhooks_permitted_actions **out, stayhooks_error **err)
{
    stayhooks__request req = { "GET", NULL, NULL, NULL };
    json_t *reply = NULL;
    int rc;

    if (out != NULL)
        *out = NULL;
    if ((rc = check_ids(client, room_id, NULL, 0, err)) != STAYHOOKS_OK ||
        (rc = set_url(client, &req, room_id, NULL, "/meta/permitted-actions", err)) !=
            STAYHOOKS_OK ||
        (rc = stayhooks__perform(client, &req, &reply, err)) != STAYHOOKS_OK)
        goto done;

    if (reply != NULL && out != NULL)
        rc = stayhooks__parse_permitted_actions(reply, out, err);

done:
    json_decref(reply);
    stayhooks__request_clear(&req);
    return rc;
}
