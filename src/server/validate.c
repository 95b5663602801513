#include "validate.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

#define LABEL_MAX 100
#define ALIAS_MAX 80
#define TEXT_MAX 4000
#define EMBED_TITLE_MAX 256
#define EMBED_DESCRIPTION_MAX 4096
#define EMBED_FOOTER_MAX 2048
#define URL_MAX 2048
#define QUESTION_MAX 300
#define OPTION_MAX 100
#define OPTIONS_MIN 2
#define OPTIONS_MAX 8
#define ENDS_IN_MINUTES_MAX 10080
#define IMAGE_SIZE_MAX 4096
#define IMAGE_POSITION_MAX 100000

static const char *const known_permissions[] = { "message", "embed", "poll", "image" };
#define KNOWN_PERMISSION_COUNT (sizeof known_permissions / sizeof known_permissions[0])

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(char *message, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* Checks an optional string: absent or null leaves *out NULL. `required`
 * makes absence an error and `min` 1 rejects blank text. */
static int check_string(const json_t *parent, const char *key, const char *path,
                        int required, size_t min, size_t max, const char **out,
                        char *message, size_t size)
{
    const json_t *value = json_object_get(parent, key);
    const char *text;
    size_t len;

    *out = NULL;
    if (value == NULL || json_is_null(value)) {
        if (required)
            return fail(message, size, "%s is required", path);
        return 0;
    }
    if (!json_is_string(value))
        return fail(message, size, "%s must be a string", path);
    text = json_string_value(value);
    if (strlen(text) != json_string_length(value))
        return fail(message, size, "%s must not contain NUL characters", path);
    if (min > 0 && !text_has_content(text))
        return fail(message, size, "%s must not be empty", path);
    len = text_codepoints(text);
    if (len > max)
        return fail(message, size, "%s must be at most %zu characters", path, max);
    *out = text;
    return 0;
}

/* Checks an optional integer in [min, max]; absent or null gives -1. */
static int check_integer(const json_t *parent, const char *key, const char *path,
                         long min, long max, long *out, char *message, size_t size)
{
    const json_t *value = json_object_get(parent, key);
    json_int_t n;

    *out = -1;
    if (value == NULL || json_is_null(value))
        return 0;
    if (!json_is_integer(value))
        return fail(message, size, "%s must be an integer", path);
    n = json_integer_value(value);
    if (n < min || n > max)
        return fail(message, size, "%s must be between %ld and %ld", path, min, max);
    *out = (long)n;
    return 0;
}

static int check_url(const json_t *parent, const char *key, const char *path, int required,
                     const char **out, char *message, size_t size)
{
    if (check_string(parent, key, path, required, 0, URL_MAX, out, message, size) != 0)
        return -1;
    if (*out != NULL && !text_is_http_url(*out))
        return fail(message, size, "%s must be an absolute http:// or https:// URL", path);
    return 0;
}

static int is_color(const char *s)
{
    size_t len = strlen(s);

    if (s[0] != '#' || (len != 4 && len != 7))
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

int validate_label(const json_t *value, char *message, size_t size)
{
    const char *text;

    if (value == NULL || json_is_null(value))
        return fail(message, size, "label is required");
    if (!json_is_string(value))
        return fail(message, size, "label must be a string");
    text = json_string_value(value);
    if (strlen(text) != json_string_length(value))
        return fail(message, size, "label must not contain NUL characters");
    if (!text_has_content(text))
        return fail(message, size, "label must not be empty");
    if (text_codepoints(text) > LABEL_MAX)
        return fail(message, size, "label must be at most %d characters", LABEL_MAX);
    return 0;
}

json_t *validate_default_permissions(void)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < KNOWN_PERMISSION_COUNT; i++)
        json_array_append_new(list, json_string(known_permissions[i]));
    return list;
}

/* Returns the known permission that `text` names after trimming and
 * lower-casing, or NULL. */
static const char *permission_name(const char *text)
{
    char word[16];
    size_t len;

    while (isspace((unsigned char)*text))
        text++;
    len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    if (len == 0 || len >= sizeof word)
        return NULL;
    for (size_t i = 0; i < len; i++)
        word[i] = (char)tolower((unsigned char)text[i]);
    word[len] = '\0';
    for (size_t i = 0; i < KNOWN_PERMISSION_COUNT; i++) {
        if (strcmp(word, known_permissions[i]) == 0)
            return known_permissions[i];
    }
    return NULL;
}

json_t *validate_permissions(const json_t *value, char *message, size_t size)
{
    json_t *list = NULL;
    size_t index;
    const json_t *item;

    if (!json_is_array(value)) {
        fail(message, size, "permissions must be an array of strings");
        return NULL;
    }
    if (json_array_size(value) == 0) {
        fail(message, size, "permissions must not be empty");
        return NULL;
    }
    list = json_array();
    if (list == NULL) {
        fail(message, size, "out of memory");
        return NULL;
    }
    json_array_foreach(value, index, item) {
        const char *name;
        int seen = 0;
        size_t j;
        const json_t *kept;

        if (!json_is_string(item)) {
            fail(message, size, "permissions[%zu] must be a string", index);
            goto fail;
        }
        name = permission_name(json_string_value(item));
        if (name == NULL) {
            fail(message, size, "permissions[%zu] must be one of message, embed, poll, image", index);
            goto fail;
        }
        json_array_foreach(list, j, kept) {
            if (strcmp(json_string_value(kept), name) == 0)
                seen = 1;
        }
        if (!seen)
            json_array_append_new(list, json_string(name));
    }
    return list;

fail:
    json_decref(list);
    return NULL;
}

static int check_message(const json_t *payload, struct invoke_payload *out, char *message, size_t size)
{
    if (check_string(payload, "text", "payload.text", 1, 1, TEXT_MAX, &out->text, message, size) != 0)
        return -1;
    return check_string(payload, "alias", "payload.alias", 0, 0, ALIAS_MAX, &out->alias, message, size);
}

/* Members of an embed that the room shows. An embed is stored as sent, so
 * a null member would be stored too, and one of them must have content. */
static const char *const embed_fields[] = { "title", "description", "footer", "url", "image", "color" };
#define EMBED_FIELD_COUNT (sizeof embed_fields / sizeof embed_fields[0])

/* Rejects null embed members and an embed with no non-empty member. */
static int check_embed_fields(const json_t *embed, char *message, size_t size)
{
    int non_empty = 0;

    for (size_t i = 0; i < EMBED_FIELD_COUNT; i++) {
        const json_t *value = json_object_get(embed, embed_fields[i]);
        if (json_is_null(value))
            return fail(message, size, "payload.embed.%s must be a string", embed_fields[i]);
        if (json_is_string(value) && json_string_length(value) > 0)
            non_empty = 1;
    }
    if (!non_empty)
        return fail(message, size, "payload.embed must have at least one field");
    return 0;
}

static int check_embed(const json_t *payload, struct invoke_payload *out, char *message, size_t size)
{
    const json_t *embed = json_object_get(payload, "embed");
    const char *ignored;

    if (embed == NULL || json_is_null(embed))
        return fail(message, size, "payload.embed is required");
    if (!json_is_object(embed))
        return fail(message, size, "payload.embed must be an object");
    if (json_object_size(embed) == 0)
        return fail(message, size, "payload.embed must have at least one field");

    if (check_string(embed, "title", "payload.embed.title", 0, 0, EMBED_TITLE_MAX, &ignored, message, size) != 0 ||
        check_string(embed, "description", "payload.embed.description", 0, 0, EMBED_DESCRIPTION_MAX,
                     &ignored, message, size) != 0 ||
        check_string(embed, "footer", "payload.embed.footer", 0, 0, EMBED_FOOTER_MAX, &ignored, message, size) != 0 ||
        check_url(embed, "url", "payload.embed.url", 0, &ignored, message, size) != 0 ||
        check_url(embed, "image", "payload.embed.image", 0, &ignored, message, size) != 0)
        return -1;

    if (check_string(embed, "color", "payload.embed.color", 0, 0, 7, &ignored, message, size) != 0 ||
        (ignored != NULL && !is_color(ignored)))
        return fail(message, size, "payload.embed.color must be #RGB or #RRGGBB");
    if (check_embed_fields(embed, message, size) != 0)
        return -1;

    out->embed = embed;
    if (check_string(payload, "text", "payload.text", 0, 0, TEXT_MAX, &out->text, message, size) != 0)
        return -1;
    return check_string(payload, "alias", "payload.alias", 0, 0, ALIAS_MAX, &out->alias, message, size);
}

static int check_poll(const json_t *payload, struct invoke_payload *out, char *message, size_t size)
{
    const json_t *options = json_object_get(payload, "options");
    const json_t *multiple = json_object_get(payload, "multipleChoice");
    const json_t *item;
    size_t index;

    if (check_string(payload, "question", "payload.question", 1, 1, QUESTION_MAX, &out->question,
                     message, size) != 0)
        return -1;

    if (options == NULL || json_is_null(options))
        return fail(message, size, "payload.options is required");
    if (!json_is_array(options))
        return fail(message, size, "payload.options must be an array of strings");
    if (json_array_size(options) < OPTIONS_MIN || json_array_size(options) > OPTIONS_MAX)
        return fail(message, size, "payload.options must have %d to %d options", OPTIONS_MIN, OPTIONS_MAX);
    json_array_foreach(options, index, item) {
        const char *text;
        if (!json_is_string(item))
            return fail(message, size, "payload.options[%zu] must be a string", index);
        text = json_string_value(item);
        if (strlen(text) != json_string_length(item))
            return fail(message, size, "payload.options[%zu] must not contain NUL characters", index);
        if (!text_has_content(text))
            return fail(message, size, "payload.options[%zu] must not be empty", index);
        if (text_codepoints(text) > OPTION_MAX)
            return fail(message, size, "payload.options[%zu] must be at most %d characters", index, OPTION_MAX);
    }
    out->options = options;

    if (multiple != NULL && !json_is_null(multiple) && !json_is_boolean(multiple))
        return fail(message, size, "payload.multipleChoice must be a boolean");
    out->multiple_choice = json_is_true(multiple);

    return check_integer(payload, "endsInMinutes", "payload.endsInMinutes", 1, ENDS_IN_MINUTES_MAX,
                         &out->ends_in_minutes, message, size);
}

static int check_image(const json_t *payload, struct invoke_payload *out, char *message, size_t size)
{
    if (check_url(payload, "url", "payload.url", 1, &out->url, message, size) != 0)
        return -1;
    if (check_integer(payload, "w", "payload.w", 1, IMAGE_SIZE_MAX, &out->w, message, size) != 0 ||
        check_integer(payload, "h", "payload.h", 1, IMAGE_SIZE_MAX, &out->h, message, size) != 0 ||
        check_integer(payload, "x", "payload.x", 0, IMAGE_POSITION_MAX, &out->x, message, size) != 0 ||
        check_integer(payload, "y", "payload.y", 0, IMAGE_POSITION_MAX, &out->y, message, size) != 0)
        return -1;

    /* Half a size or half a position cannot be placed on the board. */
    if ((out->w < 0) != (out->h < 0))
        return fail(message, size, "payload.w and payload.h must be given together");
    if ((out->x < 0) != (out->y < 0))
        return fail(message, size, "payload.x and payload.y must be given together");
    return 0;
}

int validate_invoke(const json_t *body, struct invoke_payload *out, char *message, size_t size)
{
    const json_t *action = json_object_get(body, "action");
    const json_t *payload = json_object_get(body, "payload");
    const char *name;

    memset(out, 0, sizeof *out);
    out->ends_in_minutes = out->w = out->h = out->x = out->y = -1;

    if (!json_is_string(action))
        return fail(message, size, "action must be one of message, embed, poll, image");
    name = json_string_value(action);
    if (!validate_is_action(name))
        return fail(message, size, "action must be one of message, embed, poll, image");
    if (payload == NULL || !json_is_object(payload))
        return fail(message, size, "payload must be an object");

    out->action = name;
    if (strcmp(name, "message") == 0)
        return check_message(payload, out, message, size);
    if (strcmp(name, "embed") == 0)
        return check_embed(payload, out, message, size);
    if (strcmp(name, "poll") == 0)
        return check_poll(payload, out, message, size);
    if (strcmp(name, "image") == 0)
        return check_image(payload, out, message, size);
    return fail(message, size, "action must be one of message, embed, poll, image");
}

int validate_is_action(const char *name)
{
    for (size_t i = 0; i < KNOWN_PERMISSION_COUNT; i++) {
        if (strcmp(name, known_permissions[i]) == 0)
            return 1;
    }
    return 0;
}
