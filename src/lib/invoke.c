/* invoke.c: invoking a webhook with its secret. */
#include "invoke.h"

#include "error.h"
#include "payload.h"
#include "redact.h"
#include "reply.h"
#include "text.h"
#include "url.h"

#include <stdlib.h>

static int check_target(const stayhooks_client *client, const stayhooks_target *target,
                        stayhooks_error **err)
{
    if (client == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "client must not be NULL");
    if (target == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "target must not be NULL");
    if (target->secret == NULL || target->secret[0] == '\0')
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "webhook secret is missing; invokes need the secret shown at "
                               "create or rotate");

    int rc;
    if ((rc = stayhooks__check_utf8(target->secret, "webhook secret", err)) != STAYHOOKS_OK ||
        (rc = stayhooks__check_header_value(target->secret, "webhook secret", err)) !=
            STAYHOOKS_OK ||
        (rc = stayhooks__check_utf8(target->invoke_url, "invoke URL", err)) != STAYHOOKS_OK ||
        (rc = stayhooks__check_utf8(target->room_id, "room ID", err)) != STAYHOOKS_OK ||
        (rc = stayhooks__check_utf8(target->webhook_id, "webhook ID", err)) != STAYHOOKS_OK)
        return rc;

    if (target->invoke_url != NULL && target->invoke_url[0] != '\0') {
        /* The message quotes the URL, which may carry the secret. */
        const char *hidden[2] = { client->token, target->secret };
        char *shown = stayhooks__redact_text(target->invoke_url, hidden, 2);
        if (shown == NULL)
            return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
        rc = stayhooks__check_endpoint_url(target->invoke_url, "invoke URL", shown, err);
        free(shown);
        return rc;
    }
    if (target->room_id == NULL || target->room_id[0] == '\0' || target->webhook_id == NULL ||
        target->webhook_id[0] == '\0')
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "invoke needs an invoke URL, or both a room ID and a webhook ID");
    return STAYHOOKS_OK;
}

static char *target_url(const stayhooks_client *client, const stayhooks_target *target)
{
    if (target->invoke_url != NULL && target->invoke_url[0] != '\0')
        return stayhooks__strdup(target->invoke_url);
    return stayhooks__webhooks_url(client->base_url, client->prefix, target->room_id,
                                   target->webhook_id, "/invoke");
}

int stayhooks__invoke_request(stayhooks_client *client, const stayhooks_target *target,
                              const char *action, json_t *payload, stayhooks__request *req,
                              stayhooks_error **err)
{
    int rc = STAYHOOKS_OK;

    req->method = "POST";
    req->secret = target->secret;
    req->url = target_url(client, target);
    req->body = json_object();
    if (req->url == NULL || req->body == NULL ||
        json_object_set_new(req->body, "action", json_string(action)) != 0 ||
        json_object_set(req->body, "payload", payload) != 0) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
        stayhooks__request_clear(req);
    }
    json_decref(payload);
    return rc;
}

int stayhooks__message_request(stayhooks_client *client, const stayhooks_target *target,
                               const stayhooks_message *message, stayhooks__request *req,
                               stayhooks_error **err)
{
    json_t *payload = NULL;
    int rc;

    if ((rc = check_target(client, target, err)) != STAYHOOKS_OK ||
        (rc = stayhooks__build_message(message, client->default_alias, &payload, err)) !=
            STAYHOOKS_OK)
        return rc;
    return stayhooks__invoke_request(client, target, "message", payload, req, err);
}

int stayhooks__embed_request(stayhooks_client *client, const stayhooks_target *target,
                             const stayhooks_embed *embed, stayhooks__request *req,
                             stayhooks_error **err)
{
    json_t *payload = NULL;
    int rc;

    if ((rc = check_target(client, target, err)) != STAYHOOKS_OK ||
        (rc = stayhooks__build_embed(embed, client->default_alias, &payload, err)) !=
            STAYHOOKS_OK)
        return rc;
    return stayhooks__invoke_request(client, target, "embed", payload, req, err);
}

int stayhooks__poll_request(stayhooks_client *client, const stayhooks_target *target,
                            const stayhooks_poll *poll, stayhooks__request *req,
                            stayhooks_error **err)
{
    json_t *payload = NULL;
    int rc;

    if ((rc = check_target(client, target, err)) != STAYHOOKS_OK ||
        (rc = stayhooks__build_poll(poll, &payload, err)) != STAYHOOKS_OK)
        return rc;
    return stayhooks__invoke_request(client, target, "poll", payload, req, err);
}

int stayhooks__image_request(stayhooks_client *client, const stayhooks_target *target,
                             const stayhooks_image *image, stayhooks__request *req,
                             stayhooks_error **err)
{
    json_t *payload = NULL;
    int rc;

    if ((rc = check_target(client, target, err)) != STAYHOOKS_OK ||
        (rc = stayhooks__build_image(image, &payload, err)) != STAYHOOKS_OK)
        return rc;
    return stayhooks__invoke_request(client, target, "image", payload, req, err);
}

int stayhooks__action_request(stayhooks_client *client, const stayhooks_target *target,
                              const char *action, const char *payload_json,
                              stayhooks__request *req, stayhooks_error **err)
{
    json_t *payload = NULL;
    int rc;

    if ((rc = check_target(client, target, err)) != STAYHOOKS_OK)
        return rc;
    if (action == NULL || action[0] == '\0')
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "action is missing");
    if ((rc = stayhooks__check_utf8(action, "action", err)) != STAYHOOKS_OK ||
        (rc = stayhooks__check_utf8(payload_json, "payload", err)) != STAYHOOKS_OK)
        return rc;

    payload = json_object();
    if (payload == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
    if ((rc = stayhooks__merge_object(payload, payload_json, "payload", err)) != STAYHOOKS_OK) {
        json_decref(payload);
        return rc;
    }
    return stayhooks__invoke_request(client, target, action, payload, req, err);
}

/* Sends a built invoke request (cleared here) and parses its reply. */
static int send_invoke(stayhooks_client *client, int rc, stayhooks__request *req,
                       stayhooks_invoke_result **out, stayhooks_error **err)
{
    json_t *reply = NULL;

    if (rc != STAYHOOKS_OK)
        goto done;
    if ((rc = stayhooks__perform(client, req, &reply, err)) != STAYHOOKS_OK)
        goto done;
    if (reply != NULL && out != NULL)
        rc = stayhooks__parse_invoke_result(reply, out, err);

done:
    json_decref(reply);
    stayhooks__request_clear(req);
    return rc;
}

int stayhooks_send_message(stayhooks_client *client, const stayhooks_target *target,
                           const stayhooks_message *message, stayhooks_invoke_result **out,
                           stayhooks_error **err)
{
    stayhooks__request req = { NULL, NULL, NULL, NULL };

    if (out != NULL)
        *out = NULL;
    int rc = stayhooks__message_request(client, target, message, &req, err);
    return send_invoke(client, rc, &req, out, err);
}

int stayhooks_send_embed(stayhooks_client *client, const stayhooks_target *target,
                         const stayhooks_embed *embed, stayhooks_invoke_result **out,
                         stayhooks_error **err)
{
    stayhooks__request req = { NULL, NULL, NULL, NULL };

    if (out != NULL)
        *out = NULL;
    int rc = stayhooks__embed_request(client, target, embed, &req, err);
    return send_invoke(client, rc, &req, out, err);
}

int stayhooks_send_poll(stayhooks_client *client, const stayhooks_target *target,
                        const stayhooks_poll *poll, stayhooks_invoke_result **out,
                        stayhooks_error **err)
{
    stayhooks__request req = { NULL, NULL, NULL, NULL };

    if (out != NULL)
        *out = NULL;
    int rc = stayhooks__poll_request(client, target, poll, &req, err);
    return send_invoke(client, rc, &req, out, err);
}

int stayhooks_send_image(stayhooks_client *client, const stayhooks_target *target,
                         const stayhooks_image *image, stayhooks_invoke_result **out,
                         stayhooks_error **err)
{
    stayhooks__request req = { NULL, NULL, NULL, NULL };

    if (out != NULL)
        *out = NULL;
    int rc = stayhooks__image_request(client, target, image, &req, err);
    return send_invoke(client, rc, &req, out, err);
}

int stayhooks_invoke(stayhooks_client *client, const stayhooks_target *target,
                     const char *action, const char *payload_json,
                     stayhooks_invoke_result **out, stayhooks_error **err)
{
    stayhooks__request req = { NULL, NULL, NULL, NULL };

    if (out != NULL)
        *out = NULL;
    int rc = stayhooks__action_request(client, target, action, payload_json, &req, err);
    return send_invoke(client, rc, &req, out, err);
}
