/* reply.c: result structs from reply JSON, and their free functions. */
#include "reply.h"

#include "error.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int out_of_memory(stayhooks_error **err)
{
    return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
}

static int wrong_type(stayhooks_error **err, const char *member, const char *expected)
{
    return stayhooks__fail(err, STAYHOOKS_ERR_INVALID_RESPONSE,
                           "reply member \"%s\" is not %s", member, expected);
}

/* Copies an optional string member. Absent or null gives NULL. */
static int get_string(const json_t *obj, const char *key, char **out, stayhooks_error **err)
{
    *out = NULL;
    const json_t *value = json_object_get(obj, key);
    if (value == NULL || json_is_null(value))
        return STAYHOOKS_OK;
    if (!json_is_string(value))
        return wrong_type(err, key, "a string");

    *out = stayhooks__strdup(json_string_value(value));
    return *out != NULL ? STAYHOOKS_OK : out_of_memory(err);
}

/* Reads an optional integer member. Absent or null gives -1. */
static int get_limit(const json_t *obj, const char *key, long *out, stayhooks_error **err)
{
    *out = -1;
    const json_t *value = json_object_get(obj, key);
    if (value == NULL || json_is_null(value))
        return STAYHOOKS_OK;
    if (!json_is_integer(value))
        return wrong_type(err, key, "an integer");
    *out = (long)json_integer_value(value);
    return STAYHOOKS_OK;
}

/* Copies an optional array of strings. Absent or null gives none. */
static int get_string_array(const json_t *obj, const char *key, char ***out, size_t *count,
                            stayhooks_error **err)
{
    *out = NULL;
    *count = 0;
    const json_t *array = json_object_get(obj, key);
    if (array == NULL || json_is_null(array))
        return STAYHOOKS_OK;
    if (!json_is_array(array))
        return wrong_type(err, key, "an array");

    size_t size = json_array_size(array);
    if (size == 0)
        return STAYHOOKS_OK;
    char **items = calloc(size, sizeof(*items));
    if (items == NULL)
        return out_of_memory(err);

    for (size_t i = 0; i < size; i++) {
        const json_t *item = json_array_get(array, i);
        if (!json_is_string(item) || (items[i] = stayhooks__strdup(json_string_value(item))) == NULL) {
            for (size_t j = 0; j < i; j++)
                free(items[j]);
            free(items);
            return json_is_string(item) ? out_of_memory(err)
                                        : wrong_type(err, key, "an array of strings");
        }
    }
    *out = items;
    *count = size;
    return STAYHOOKS_OK;
}

static void free_string_array(char **items, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

static void webhook_clear(stayhooks_webhook *w)
{
    free(w->id);
    free(w->label);
    free_string_array(w->permissions, w->permission_count);
    free(w->created_at);
    free(w->created_by);
    free(w->last_used_at);
    free(w->secret_preview);
    free(w->invoke_url);
    free(w->example_curl);
    memset(w, 0, sizeof(*w));
}

static int require_object(const json_t *value, const char *what, stayhooks_error **err)
{
    if (!json_is_object(value))
        return stayhooks__fail(err, STAYHOOKS_ERR_INVALID_RESPONSE, "%s is not a JSON object",
                               what);
    return STAYHOOKS_OK;
}

/* Fails when member `key` of `obj` is absent or null. `path` names the
 * member in the message, e.g. "webhooks[2].id". */
static int require_member(const json_t *obj, const char *key, const char *path,
                          stayhooks_error **err)
{
    const json_t *value = json_object_get(obj, key);
    if (value == NULL || json_is_null(value))
        return stayhooks__fail(err, STAYHOOKS_ERR_INVALID_RESPONSE,
                               "reply has no \"%s\" member", path);
    return STAYHOOKS_OK;
}

/* Parses a webhook object, which must have a string `id`. `path` names the
 * object in messages, e.g. "webhook" or "webhooks[2]". */
static int parse_webhook_at(const json_t *obj, const char *path, stayhooks_webhook *out,
                            stayhooks_error **err)
{
    char id_path[64];
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = require_object(obj, path, err)) != STAYHOOKS_OK)
        return rc;
    snprintf(id_path, sizeof(id_path), "%s.id", path);
    if ((rc = require_member(obj, "id", id_path, err)) != STAYHOOKS_OK)
        return rc;

    const json_t *paused = json_object_get(obj, "paused");
    if (paused != NULL && !json_is_null(paused) && !json_is_boolean(paused))
        return wrong_type(err, "paused", "a boolean");
    out->paused = json_is_true(paused);

    if ((rc = get_string(obj, "id", &out->id, err)) != STAYHOOKS_OK ||
        (rc = get_string(obj, "label", &out->label, err)) != STAYHOOKS_OK ||
        (rc = get_string_array(obj, "permissions", &out->permissions, &out->permission_count,
                               err)) != STAYHOOKS_OK ||
        (rc = get_string(obj, "createdAt", &out->created_at, err)) != STAYHOOKS_OK ||
        (rc = get_string(obj, "createdBy", &out->created_by, err)) != STAYHOOKS_OK ||
        (rc = get_string(obj, "lastUsedAt", &out->last_used_at, err)) != STAYHOOKS_OK ||
        (rc = get_string(obj, "secretPreview", &out->secret_preview, err)) != STAYHOOKS_OK ||
        (rc = get_string(obj, "invokeUrl", &out->invoke_url, err)) != STAYHOOKS_OK ||
        (rc = get_string(obj, "exampleCurl", &out->example_curl, err)) != STAYHOOKS_OK)
        webhook_clear(out);
    return rc;
}

int stayhooks__parse_webhook(const json_t *obj, stayhooks_webhook *out, stayhooks_error **err)
{
    return parse_webhook_at(obj, "webhook", out, err);
}

int stayhooks__parse_webhook_list(const json_t *reply, stayhooks_webhook_list **out,
                                  stayhooks_error **err)
{
    stayhooks_webhook_list *list = calloc(1, sizeof(*list));
    int rc;

    if (list == NULL)
        return out_of_memory(err);
    if ((rc = get_string(reply, "roomId", &list->room_id, err)) != STAYHOOKS_OK ||
        (rc = get_limit(reply, "limit", &list->limit, err)) != STAYHOOKS_OK)
        goto done;

    const json_t *hooks = json_object_get(reply, "webhooks");
    if ((rc = require_member(reply, "webhooks", "webhooks", err)) != STAYHOOKS_OK)
        goto done;
    if (!json_is_array(hooks)) {
        rc = wrong_type(err, "webhooks", "an array");
        goto done;
    }
    size_t size = json_array_size(hooks);
    if (size > 0) {
        list->webhooks = calloc(size, sizeof(*list->webhooks));
        if (list->webhooks == NULL) {
            rc = out_of_memory(err);
            goto done;
        }
    }
    for (size_t i = 0; i < size; i++) {
        char path[32];
        snprintf(path, sizeof(path), "webhooks[%zu]", i);
        rc = parse_webhook_at(json_array_get(hooks, i), path, &list->webhooks[i], err);
        if (rc != STAYHOOKS_OK)
            goto done;
        list->count = i + 1;
    }

    *out = list;
    list = NULL;
    rc = STAYHOOKS_OK;

done:
    stayhooks_webhook_list_free(list);
    return rc;
}

/* Takes `key` from the top level, else from the webhook object. */
static int get_top_or_nested(const json_t *reply, const json_t *hook, const char *key,
                             char **out, stayhooks_error **err)
{
    int rc = get_string(reply, key, out, err);
    if (rc != STAYHOOKS_OK || *out != NULL || hook == NULL)
        return rc;
    return get_string(hook, key, out, err);
}

int stayhooks__parse_secret_bundle(const json_t *reply, stayhooks_secret_bundle **out,
                                   stayhooks_error **err)
{
    stayhooks_secret_bundle *bundle = calloc(1, sizeof(*bundle));
    int rc;

    if (bundle == NULL)
        return out_of_memory(err);

    /* The server shows the secret only once, so a reply without it is
     * useless. The webhook object may be absent; its fields then stay
     * NULL. */
    if ((rc = require_member(reply, "secret", "secret", err)) != STAYHOOKS_OK)
        goto done;
    const json_t *hook = json_object_get(reply, "webhook");
    if (json_is_null(hook))
        hook = NULL;
    if (hook != NULL &&
        (rc = stayhooks__parse_webhook(hook, &bundle->webhook, err)) != STAYHOOKS_OK)
        goto done;

    if ((rc = get_string(reply, "secret", &bundle->secret, err)) != STAYHOOKS_OK ||
        (rc = get_top_or_nested(reply, hook, "invokeUrl", &bundle->invoke_url, err)) !=
            STAYHOOKS_OK ||
        (rc = get_top_or_nested(reply, hook, "exampleCurl", &bundle->example_curl, err)) !=
            STAYHOOKS_OK)
        goto done;

    *out = bundle;
    bundle = NULL;

done:
    stayhooks_secret_bundle_free(bundle);
    return rc;
}

int stayhooks__parse_updated_webhook(const json_t *reply, stayhooks_webhook **out,
                                     stayhooks_error **err)
{
    stayhooks_webhook *hook = calloc(1, sizeof(*hook));
    if (hook == NULL)
        return out_of_memory(err);

    const json_t *nested = json_object_get(reply, "webhook");
    int rc = stayhooks__parse_webhook(json_is_object(nested) ? nested : reply, hook, err);
    if (rc != STAYHOOKS_OK) {
        free(hook);
        return rc;
    }
    *out = hook;
    return STAYHOOKS_OK;
}

int stayhooks__parse_permitted_actions(const json_t *reply, stayhooks_permitted_actions **out,
                                       stayhooks_error **err)
{
    stayhooks_permitted_actions *actions = calloc(1, sizeof(*actions));
    int rc;

    if (actions == NULL)
        return out_of_memory(err);
    if ((rc = require_member(reply, "actions", "actions", err)) != STAYHOOKS_OK ||
        (rc = get_string_array(reply, "actions", &actions->actions, &actions->count, err)) !=
            STAYHOOKS_OK ||
        (rc = get_limit(reply, "limit", &actions->limit, err)) != STAYHOOKS_OK) {
        stayhooks_permitted_actions_free(actions);
        return rc;
    }
    *out = actions;
    return STAYHOOKS_OK;
}

static int get_ok(const json_t *reply, int *ok, stayhooks_error **err)
{
    const json_t *value = json_object_get(reply, "ok");
    *ok = 1;
    if (value == NULL || json_is_null(value))
        return STAYHOOKS_OK;
    if (!json_is_boolean(value))
        return wrong_type(err, "ok", "a boolean");
    *ok = json_is_true(value);
    return STAYHOOKS_OK;
}

int stayhooks__parse_invoke_result(const json_t *reply, stayhooks_invoke_result **out,
                                   stayhooks_error **err)
{
    stayhooks_invoke_result *result = calloc(1, sizeof(*result));
    json_t *extra = NULL;
    int rc;

    if (result == NULL)
        return out_of_memory(err);
    if ((rc = get_ok(reply, &result->ok, err)) != STAYHOOKS_OK ||
        (rc = get_string(reply, "kind", &result->kind, err)) != STAYHOOKS_OK ||
        (rc = get_string(reply, "messageId", &result->message_id, err)) != STAYHOOKS_OK ||
        (rc = get_string(reply, "pollId", &result->poll_id, err)) != STAYHOOKS_OK)
        goto done;

    /* Members the library does not model go back to the caller as JSON. */
    extra = json_deep_copy(reply);
    if (extra == NULL) {
        rc = out_of_memory(err);
        goto done;
    }
    json_object_del(extra, "ok");
    json_object_del(extra, "kind");
    json_object_del(extra, "messageId");
    json_object_del(extra, "pollId");
    result->extra_json = json_dumps(extra, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (result->extra_json == NULL) {
        rc = out_of_memory(err);
        goto done;
    }

    *out = result;
    result = NULL;

done:
    json_decref(extra);
    stayhooks_invoke_result_free(result);
    return rc;
}

int stayhooks__parse_delete(const json_t *reply, int *ok, stayhooks_error **err)
{
    return get_ok(reply, ok, err);
}

void stayhooks_webhook_free(stayhooks_webhook *webhook)
{
    if (webhook == NULL)
        return;
    webhook_clear(webhook);
    free(webhook);
}

void stayhooks_webhook_list_free(stayhooks_webhook_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++)
        webhook_clear(&list->webhooks[i]);
    free(list->webhooks);
    free(list->room_id);
    free(list);
}

void stayhooks_secret_bundle_free(stayhooks_secret_bundle *bundle)
{
    if (bundle == NULL)
        return;
    webhook_clear(&bundle->webhook);
    if (bundle->secret != NULL) {
        volatile char *p = bundle->secret;
        while (*p != '\0')
            *p++ = '\0';
    }
    free(bundle->secret);
    free(bundle->invoke_url);
    free(bundle->example_curl);
    free(bundle);
}

void stayhooks_permitted_actions_free(stayhooks_permitted_actions *actions)
{
    if (actions == NULL)
        return;
    free_string_array(actions->actions, actions->count);
    free(actions);
}

void stayhooks_invoke_result_free(stayhooks_invoke_result *result)
{
    if (result == NULL)
        return;
    free(result->kind);
    free(result->message_id);
    free(result->poll_id);
    free(result->extra_json);
    free(result);
}
