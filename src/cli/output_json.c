/*
 * output_json.c: the --json output. Each result is rebuilt from the
 * library's result structs with the server's member names (camelCase), so
 * scripts can parse one JSON object per run. Absent strings become null.
 */
#include <stdio.h>

#include <jansson.h>

#include "cli.h"

static json_t *string_or_null(const char *text)
{
    return text != NULL ? json_string(text) : json_null();
}

static json_t *limit_or_null(long limit)
{
    return limit >= 0 ? json_integer(limit) : json_null();
}

static json_t *string_array(char *const *items, size_t count)
{
    json_t *array = json_array();
    size_t i;

    if (array == NULL)
        return NULL;
    for (i = 0; i < count; i++) {
        if (json_array_append_new(array, string_or_null(items[i])) != 0) {
            json_decref(array);
            return NULL;
        }
    }
    return array;
}

static json_t *webhook_object(const stayhooks_webhook *webhook)
{
    return json_pack("{s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "id", string_or_null(webhook->id),
                     "label", string_or_null(webhook->label),
                     "permissions", string_array(webhook->permissions, webhook->permission_count),
                     "paused", webhook->paused,
                     "createdAt", string_or_null(webhook->created_at),
                     "createdBy", string_or_null(webhook->created_by),
                     "lastUsedAt", string_or_null(webhook->last_used_at),
                     "secretPreview", string_or_null(webhook->secret_preview),
                     "invokeUrl", string_or_null(webhook->invoke_url),
                     "exampleCurl", string_or_null(webhook->example_curl));
}

/* Prints `value` as one compact line and releases it. NULL means a build
 * step ran out of memory (json_pack returns NULL when any member is NULL).
 * Server text can echo a credential that the CLI has read, so every string
 * is redacted. The exception is a top-level "secret" member when
 * `new_secret` is true, because create and rotate print it on purpose. */
static int emit_object(json_t *value, int new_secret)
{
    json_t *clean = NULL;
    int rc = -1;

    if (value == NULL) {
        cli_fail("out of memory while building the JSON output");
        goto done;
    }
    clean = cli_redact_json(value);
    if (clean == NULL
        || (new_secret && json_object_set(clean, "secret", json_object_get(value, "secret")) != 0)) {
        cli_fail("out of memory while redacting the JSON output");
        goto done;
    }
    if (json_dumpf(clean, stdout, JSON_COMPACT) != 0) {
        cli_fail("cannot write the JSON output");
        goto done;
    }
    fputc('\n', stdout);
    rc = 0;

done:
    json_decref(value);
    json_decref(clean);
    return rc;
}

static int emit(json_t *value)
{
    return emit_object(value, 0);
}

int cli_json_webhook_list(const stayhooks_webhook_list *list)
{
    json_t *webhooks = json_array();
    size_t i;

    for (i = 0; webhooks != NULL && i < list->count; i++) {
        if (json_array_append_new(webhooks, webhook_object(&list->webhooks[i])) != 0) {
            json_decref(webhooks);
            webhooks = NULL;
        }
    }
    return emit(json_pack("{s:o, s:o, s:o}",
                          "roomId", string_or_null(list->room_id),
                          "limit", limit_or_null(list->limit),
                          "webhooks", webhooks));
}

int cli_json_secret_bundle(const stayhooks_secret_bundle *bundle)
{
    return emit_object(json_pack("{s:o, s:o, s:o, s:o}",
                                 "webhook", webhook_object(&bundle->webhook),
                                 "secret", string_or_null(bundle->secret),
                                 "invokeUrl", string_or_null(bundle->invoke_url),
                                 "exampleCurl", string_or_null(bundle->example_curl)),
                       1);
}

int cli_json_webhook(const stayhooks_webhook *webhook)
{
    return emit(json_pack("{s:o}", "webhook", webhook_object(webhook)));
}

int cli_json_deleted(int ok)
{
    return emit(json_pack("{s:b}", "ok", ok));
}

int cli_json_actions(const stayhooks_permitted_actions *actions)
{
    return emit(json_pack("{s:o, s:o}",
                          "actions", string_array(actions->actions, actions->count),
                          "limit", limit_or_null(actions->limit)));
}

int cli_json_invoke_result(const stayhooks_invoke_result *result)
{
    json_t *object = NULL;

    /* Extra members first, so the four known members cannot be shadowed. */
    if (result->extra_json != NULL)
        object = json_loads(result->extra_json, 0, NULL);
    if (!json_is_object(object)) {
        json_decref(object);
        object = json_object();
    }
    if (object == NULL)
        return emit(NULL);

    if (json_object_set_new(object, "ok", json_boolean(result->ok)) != 0
        || json_object_set_new(object, "kind", string_or_null(result->kind)) != 0
        || json_object_set_new(object, "messageId", string_or_null(result->message_id)) != 0
        || json_object_set_new(object, "pollId", string_or_null(result->poll_id)) != 0) {
        json_decref(object);
        object = NULL;
    }
    return emit(object);
}
