/* payload.c: the message, embed, poll, image and permission rules. */
#define _POSIX_C_SOURCE 200809L

#include "payload.h"

#include "error.h"
#include "text.h"
#include "url.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define POLL_MIN_OPTIONS 2
#define POLL_MAX_OPTIONS 8
#define BULLET "\xE2\x80\xA2 " /* U+2022 and a space */

static const char *const known_permissions[] = { "message", "embed", "poll", "image" };
#define KNOWN_PERMISSION_COUNT (sizeof(known_permissions) / sizeof(known_permissions[0]))

static int out_of_memory(stayhooks_error **err)
{
    return stayhooks__fail(err, STAYHOOKS_ERR_INTERNAL, "out of memory");
}

int stayhooks__check_utf8(const char *value, const char *field, stayhooks_error **err)
{
    if (value != NULL && !stayhooks__utf8_valid(value))
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "%s is not valid UTF-8", field);
    return STAYHOOKS_OK;
}

/* Sets `key` to a copy of the string, failing on allocation or encoding
 * errors (json_string rejects invalid UTF-8). */
static int set_string(json_t *obj, const char *key, const char *value, stayhooks_error **err)
{
    if (json_object_set_new(obj, key, json_string(value)) != 0)
        return out_of_memory(err);
    return STAYHOOKS_OK;
}

int stayhooks__merge_object(json_t *target, const char *json_text, const char *field,
                            stayhooks_error **err)
{
    if (json_text == NULL)
        return STAYHOOKS_OK;

    json_error_t jerr;
    json_t *extra = json_loads(json_text, JSON_DECODE_ANY, &jerr);
    /* jansson's own text for this case names its JSON_ALLOW_NUL flag. */
    if (extra == NULL && json_error_code(&jerr) == json_error_null_character)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "%s is not valid JSON: strings must not contain \\u0000 "
                               "(line %d, column %d)", field, jerr.line, jerr.column);
    if (extra == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "%s is not valid JSON: %s (line %d, column %d)", field,
                               jerr.text, jerr.line, jerr.column);
    if (!json_is_object(extra)) {
        json_decref(extra);
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "%s must be a JSON object",
                               field);
    }

    int failed = json_object_update(target, extra) != 0;
    json_decref(extra);
    return failed ? out_of_memory(err) : STAYHOOKS_OK;
}

int stayhooks__build_notes(const char *const *notes, size_t note_count, char **out,
                           stayhooks_error **err)
{
    *out = NULL;
    if (notes == NULL && note_count > 0)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                               "embed.notes is NULL but note_count is %zu", note_count);

    size_t size = 1;
    for (size_t i = 0; i < note_count; i++) {
        if (notes[i] == NULL)
            return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "embed.notes[%zu] is NULL",
                                   i);
        if (!stayhooks__utf8_valid(notes[i]))
            return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                                   "embed.notes[%zu] is not valid UTF-8", i);
        size += strlen(notes[i]) + strlen(BULLET) + 1;
    }

    char *text = malloc(size);
    if (text == NULL)
        return out_of_memory(err);
    text[0] = '\0';

    size_t used = 0;
    for (size_t i = 0; i < note_count; i++) {
        char *note = stayhooks__trim(notes[i]);
        if (note == NULL) {
            free(text);
            return out_of_memory(err);
        }
        if (note[0] != '\0') {
            if (used > 0)
                text[used++] = '\n';
            memcpy(text + used, BULLET, strlen(BULLET));
            used += strlen(BULLET);
            memcpy(text + used, note, strlen(note));
            used += strlen(note);
            text[used] = '\0';
        }
        free(note);
    }

    if (used == 0) {
        free(text);
        return STAYHOOKS_OK;
    }
    *out = text;
    return STAYHOOKS_OK;
}

static int find_known_permission(const char *name)
{
    for (size_t i = 0; i < KNOWN_PERMISSION_COUNT; i++) {
        if (strcmp(name, known_permissions[i]) == 0)
            return (int)i;
    }
    return -1;
}

static int array_has_string(const json_t *array, const char *value)
{
    size_t i;
    json_t *item;
    json_array_foreach(array, i, item)
    {
        if (strcmp(json_string_value(item), value) == 0)
            return 1;
    }
    return 0;
}

int stayhooks__build_permissions(const char *const *permissions, size_t count, json_t **out,
                                 stayhooks_error **err)
{
    char *name = NULL;
    json_t *array = json_array();
    int rc = STAYHOOKS_OK;

    *out = NULL;
    if (array == NULL)
        return out_of_memory(err);

    if (permissions == NULL) {
        for (size_t i = 0; i < KNOWN_PERMISSION_COUNT; i++) {
            if (json_array_append_new(array, json_string(known_permissions[i])) != 0) {
                rc = out_of_memory(err);
                goto done;
            }
        }
        goto done;
    }

    /* Asking for no permissions must not silently give all of them. */
    if (count == 0) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                             "permissions must not be an empty list; pass NULL for the "
                             "default set (message, embed, poll, image)");
        goto done;
    }

    for (size_t i = 0; i < count; i++) {
        if (permissions[i] == NULL || !stayhooks__utf8_valid(permissions[i])) {
            rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                                 "permissions[%zu] is %s", i,
                                 permissions[i] == NULL ? "NULL" : "not valid UTF-8");
            goto done;
        }
        name = stayhooks__trim(permissions[i]);
        if (name == NULL) {
            rc = out_of_memory(err);
            goto done;
        }
        for (char *p = name; *p != '\0'; p++)
            *p = (char)tolower((unsigned char)*p);

        if (find_known_permission(name) < 0) {
            rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                                 "permissions[%zu] \"%s\" is not a known permission; use "
                                 "message, embed, poll or image",
                                 i, permissions[i]);
            goto done;
        }
        if (!array_has_string(array, name) &&
            json_array_append_new(array, json_string(name)) != 0) {
            rc = out_of_memory(err);
            goto done;
        }
        free(name);
        name = NULL;
    }

done:
    free(name);
    if (rc == STAYHOOKS_OK)
        *out = array;
    else
        json_decref(array);
    return rc;
}

/* Sets "alias" from the caller's alias, else the default alias. Leaves it
 * out when both are NULL or empty. */
static int set_alias(json_t *payload, const char *alias, const char *default_alias,
                     const char *field, stayhooks_error **err)
{
    int rc = stayhooks__check_utf8(alias, field, err);
    if (rc != STAYHOOKS_OK)
        return rc;

    const char *chosen = (alias != NULL && alias[0] != '\0') ? alias : default_alias;
    if (chosen == NULL || chosen[0] == '\0')
        return STAYHOOKS_OK;
    return set_string(payload, "alias", chosen, err);
}

int stayhooks__build_message(const stayhooks_message *message, const char *default_alias,
                             json_t **out, stayhooks_error **err)
{
    char *text = NULL;
    json_t *payload = NULL;
    int rc;

    *out = NULL;
    if (message == NULL || message->text == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "message.text is missing");
    rc = stayhooks__check_utf8(message->text, "message.text", err);
    if (rc != STAYHOOKS_OK)
        return rc;

    text = stayhooks__trim(message->text);
    payload = json_object();
    if (text == NULL || payload == NULL) {
        rc = out_of_memory(err);
        goto done;
    }
    if (text[0] == '\0') {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                             "message.text is empty after trimming white space");
        goto done;
    }

    if ((rc = set_string(payload, "text", text, err)) != STAYHOOKS_OK ||
        (rc = set_alias(payload, message->alias, default_alias, "message.alias", err)) !=
            STAYHOOKS_OK ||
        (rc = stayhooks__merge_object(payload, message->extra_json, "message.extra_json",
                                      err)) != STAYHOOKS_OK)
        goto done;

    *out = payload;
    payload = NULL;

done:
    free(text);
    json_decref(payload);
    return rc;
}

/* Sets `key` to `value` when it is non-NULL and non-empty. */
static int set_optional(json_t *obj, const char *key, const char *value, const char *field,
                        stayhooks_error **err)
{
    if (value == NULL || value[0] == '\0')
        return STAYHOOKS_OK;
    int rc = stayhooks__check_utf8(value, field, err);
    if (rc != STAYHOOKS_OK)
        return rc;
    return set_string(obj, key, value, err);
}

/* Joins the description and note bullets as the embed rules require: the
 * description trimmed, a blank line, then the bullets. */
static int set_description(json_t *card, const stayhooks_embed *embed, stayhooks_error **err)
{
    char *bullets = NULL;
    char *description = NULL;
    char *joined = NULL;
    int rc = stayhooks__check_utf8(embed->description, "embed.description", err);
    if (rc != STAYHOOKS_OK)
        return rc;

    rc = stayhooks__build_notes(embed->notes, embed->note_count, &bullets, err);
    if (rc != STAYHOOKS_OK)
        return rc;

    /* Without notes the description is sent exactly as given. */
    if (bullets == NULL)
        return set_optional(card, "description", embed->description, "embed.description", err);

    if (embed->description != NULL) {
        description = stayhooks__trim(embed->description);
        if (description == NULL) {
            rc = out_of_memory(err);
            goto done;
        }
    }
    if (description == NULL || description[0] == '\0') {
        rc = set_string(card, "description", bullets, err);
        goto done;
    }

    size_t size = strlen(description) + 2 + strlen(bullets) + 1;
    joined = malloc(size);
    if (joined == NULL) {
        rc = out_of_memory(err);
        goto done;
    }
    strcpy(joined, description);
    strcat(joined, "\n\n");
    strcat(joined, bullets);
    rc = set_string(card, "description", joined, err);

done:
    free(bullets);
    free(description);
    free(joined);
    return rc;
}

int stayhooks__build_embed(const stayhooks_embed *embed, const char *default_alias,
                           json_t **out, stayhooks_error **err)
{
    json_t *payload = NULL;
    json_t *card = NULL;
    char *text = NULL;
    int rc;

    *out = NULL;
    if (embed == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "embed is missing");

    payload = json_object();
    card = json_object();
    if (payload == NULL || card == NULL) {
        rc = out_of_memory(err);
        goto done;
    }

    if ((rc = set_optional(card, "title", embed->title, "embed.title", err)) != STAYHOOKS_OK ||
        (rc = set_description(card, embed, err)) != STAYHOOKS_OK ||
        (rc = set_optional(card, "color", embed->color, "embed.color", err)) != STAYHOOKS_OK ||
        (rc = set_optional(card, "url", embed->url, "embed.url", err)) != STAYHOOKS_OK ||
        (rc = set_optional(card, "image", embed->image, "embed.image", err)) != STAYHOOKS_OK ||
        (rc = set_optional(card, "footer", embed->footer, "embed.footer", err)) !=
            STAYHOOKS_OK ||
        (rc = stayhooks__merge_object(card, embed->extra_embed_json, "embed.extra_embed_json",
                                      err)) != STAYHOOKS_OK)
        goto done;

    if (json_object_size(card) == 0) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                             "embed has no field: give at least one of title, description, "
                             "notes, color, url, image or footer");
        goto done;
    }
    if (json_object_set(payload, "embed", card) != 0) {
        rc = out_of_memory(err);
        goto done;
    }

    if (embed->text != NULL) {
        if ((rc = stayhooks__check_utf8(embed->text, "embed.text", err)) != STAYHOOKS_OK)
            goto done;
        text = stayhooks__trim(embed->text);
        if (text == NULL) {
            rc = out_of_memory(err);
            goto done;
        }
        if ((rc = set_optional(payload, "text", text, "embed.text", err)) != STAYHOOKS_OK)
            goto done;
    }
    if ((rc = set_alias(payload, embed->alias, default_alias, "embed.alias", err)) !=
        STAYHOOKS_OK)
        goto done;

    *out = payload;
    payload = NULL;

done:
    free(text);
    json_decref(card);
    json_decref(payload);
    return rc;
}

static int build_poll_options(const stayhooks_poll *poll, json_t **out, stayhooks_error **err)
{
    json_t *options = json_array();
    int rc = STAYHOOKS_OK;

    *out = NULL;
    if (options == NULL)
        return out_of_memory(err);
    if (poll->options == NULL && poll->option_count > 0) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                             "poll.options is NULL but option_count is %zu", poll->option_count);
        goto done;
    }

    for (size_t i = 0; i < poll->option_count; i++) {
        const char *option = poll->options[i];
        if (option == NULL || !stayhooks__utf8_valid(option)) {
            rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "poll.options[%zu] is %s", i,
                                 option == NULL ? "NULL" : "not valid UTF-8");
            goto done;
        }
        char *trimmed = stayhooks__trim(option);
        if (trimmed == NULL) {
            rc = out_of_memory(err);
            goto done;
        }
        int failed = trimmed[0] != '\0' && json_array_append_new(options, json_string(trimmed)) != 0;
        free(trimmed);
        if (failed) {
            rc = out_of_memory(err);
            goto done;
        }
    }

    size_t usable = json_array_size(options);
    if (usable < POLL_MIN_OPTIONS || usable > POLL_MAX_OPTIONS) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                             "a poll needs %d to %d non-empty options; got %zu",
                             POLL_MIN_OPTIONS, POLL_MAX_OPTIONS, usable);
        goto done;
    }

done:
    if (rc == STAYHOOKS_OK)
        *out = options;
    else
        json_decref(options);
    return rc;
}

int stayhooks__build_poll(const stayhooks_poll *poll, json_t **out, stayhooks_error **err)
{
    json_t *payload = NULL;
    json_t *options = NULL;
    char *question = NULL;
    int rc;

    *out = NULL;
    if (poll == NULL || poll->question == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "poll.question is missing");
    if ((rc = stayhooks__check_utf8(poll->question, "poll.question", err)) != STAYHOOKS_OK)
        return rc;

    question = stayhooks__trim(poll->question);
    if (question == NULL) {
        rc = out_of_memory(err);
        goto done;
    }
    if (question[0] == '\0') {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                             "poll.question is empty after trimming white space");
        goto done;
    }
    if ((rc = build_poll_options(poll, &options, err)) != STAYHOOKS_OK)
        goto done;

    payload = json_object();
    if (payload == NULL || json_object_set_new(payload, "question", json_string(question)) != 0 ||
        json_object_set(payload, "options", options) != 0 ||
        json_object_set_new(payload, "multipleChoice",
                            json_boolean(poll->multiple_choice != 0)) != 0 ||
        (poll->ends_in_minutes > 0 &&
         json_object_set_new(payload, "endsInMinutes",
                             json_integer(poll->ends_in_minutes)) != 0)) {
        rc = out_of_memory(err);
        goto done;
    }

    *out = payload;
    payload = NULL;

done:
    free(question);
    json_decref(options);
    json_decref(payload);
    return rc;
}

int stayhooks__build_image(const stayhooks_image *image, json_t **out, stayhooks_error **err)
{
    json_t *payload = NULL;
    char *url = NULL;
    int rc;

    *out = NULL;
    if (image == NULL || image->url == NULL)
        return stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION, "image.url is missing");
    if ((rc = stayhooks__check_utf8(image->url, "image.url", err)) != STAYHOOKS_OK)
        return rc;

    url = stayhooks__trim(image->url);
    if (url == NULL) {
        rc = out_of_memory(err);
        goto done;
    }
    if (!stayhooks__is_http_url(url)) {
        rc = stayhooks__fail(err, STAYHOOKS_ERR_VALIDATION,
                             "image.url \"%s\" must be an absolute http:// or https:// URL",
                             url);
        goto done;
    }

    payload = json_object();
    if (payload == NULL || json_object_set_new(payload, "url", json_string(url)) != 0 ||
        (image->has_size && (json_object_set_new(payload, "w", json_integer(image->w)) != 0 ||
                             json_object_set_new(payload, "h", json_integer(image->h)) != 0)) ||
        (image->has_position &&
         (json_object_set_new(payload, "x", json_integer(image->x)) != 0 ||
          json_object_set_new(payload, "y", json_integer(image->y)) != 0))) {
        rc = out_of_memory(err);
        goto done;
    }

    *out = payload;
    payload = NULL;

done:
    free(url);
    json_decref(payload);
    return rc;
}
