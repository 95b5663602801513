/*
 * output.c: short human-readable results on stdout and one-line errors on
 * stderr.
 *
 * Text that comes from the server (labels, messages, error bodies) is
 * printed with control characters replaced by spaces, so a reply cannot
 * move the cursor or forge extra output lines in the terminal.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Maximum bytes of server text in an error line, because an HTML error
 * page from a proxy would otherwise fill the terminal. */
#define ERROR_TEXT_MAX_BYTES 400

/* Writes `text` with control characters replaced, at most `max_bytes`
 * bytes, cut at a UTF-8 character boundary with "..." when cut. */
static void put_clean(FILE *stream, const char *text, size_t max_bytes)
{
    size_t length;
    size_t i;

    if (text == NULL) {
        fputs("-", stream);
        return;
    }
    length = strlen(text);
    if (length > max_bytes) {
        length = max_bytes;
        /* Step back over UTF-8 continuation bytes (10xxxxxx). */
        while (length > 0 && ((unsigned char)text[length] & 0xC0) == 0x80)
            length--;
    }
    for (i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];

        fputc(c < 0x20 || c == 0x7F ? ' ' : c, stream);
    }
    if (length < strlen(text))
        fputs("...", stream);
}

/* Writes `text` like put_clean() after hiding the credentials that the CLI
 * has read, because server text can echo them (a label that contains the
 * token). Without memory for the copy, "<redacted>" stands for the text. */
static void put_shown(FILE *stream, const char *text, size_t max_bytes)
{
    char *redacted;

    if (text == NULL) {
        put_clean(stream, text, max_bytes);
        return;
    }
    redacted = cli_redact(text);
    put_clean(stream, redacted != NULL ? redacted : "<redacted>", max_bytes);
    free(redacted);
}

static void put_out(const char *text)
{
    put_shown(stdout, text, (size_t)-1);
}

static void put_permissions(char *const *permissions, size_t count)
{
    size_t i;

    if (count == 0) {
        fputs("none", stdout);
        return;
    }
    for (i = 0; i < count; i++) {
        if (i > 0)
            fputs(",", stdout);
        put_out(permissions[i]);
    }
}

void cli_fail(const char *format, ...)
{
    va_list ap;
    char *line;

    va_start(ap, format);
    line = cli_vformat(format, ap);
    va_end(ap);
    if (line == NULL) {
        fputs("stayhooks: out of memory while reporting an error\n", stderr);
        return;
    }
    cli_put_error_line(line);
    free(line);
}

void cli_print_webhook_list(const stayhooks_webhook_list *list)
{
    size_t i;

    fputs("Room ", stdout);
    put_out(list->room_id);
    printf(": %zu webhook%s", list->count, list->count == 1 ? "" : "s");
    if (list->limit >= 0)
        printf(" (limit %ld)", list->limit);
    fputc('\n', stdout);

    for (i = 0; i < list->count; i++) {
        const stayhooks_webhook *webhook = &list->webhooks[i];

        fputs("  ", stdout);
        put_out(webhook->id);
        fputs("  \"", stdout);
        put_out(webhook->label);
        fputs("\"  ", stdout);
        put_permissions(webhook->permissions, webhook->permission_count);
        fputs(webhook->paused ? "  paused" : "  active", stdout);
        fputs("  last used ", stdout);
        put_out(webhook->last_used_at != NULL ? webhook->last_used_at : "never");
        fputc('\n', stdout);
    }
}

void cli_print_webhook(const char *verb, const stayhooks_webhook *webhook)
{
    printf("%s webhook ", verb);
    put_out(webhook->id);
    fputs(" \"", stdout);
    put_out(webhook->label);
    fputs("\": ", stdout);
    fputs(webhook->paused ? "paused" : "active", stdout);
    fputs(", permissions ", stdout);
    put_permissions(webhook->permissions, webhook->permission_count);
    fputc('\n', stdout);
}

void cli_print_secret_bundle(const char *verb, const stayhooks_secret_bundle *bundle)
{
    cli_print_webhook(verb, &bundle->webhook);
    fputs("Invoke URL: ", stdout);
    put_out(bundle->invoke_url);
    /* The new secret is printed on purpose and is not one the CLI hides. */
    fputs("\nSecret: ", stdout);
    put_clean(stdout, bundle->secret, (size_t)-1);
    fputc('\n', stdout);
}

int cli_flush_stdout(int *error_number)
{
    *error_number = 0;
    if (fflush(stdout) != 0)
        *error_number = errno;
    return ferror(stdout) ? -1 : 0;
}

void cli_print_write_error(int error_number)
{
    fputs("stayhooks: cannot write to standard output", stderr);
    if (error_number != 0)
        fprintf(stderr, ": %s", strerror(error_number));
    fputc('\n', stderr);
}

void cli_print_secret_lost(int rotated, const char *room, const stayhooks_secret_bundle *bundle)
{
    const char *id = bundle->webhook.id;

    fputs(rotated ? "stayhooks: the secret of webhook " : "stayhooks: webhook ", stderr);
    put_shown(stderr, id, ERROR_TEXT_MAX_BYTES);
    fputs(rotated ? " was rotated, so the old secret no longer works, but the new secret"
                  : " was created, but its secret",
          stderr);
    fputs(" could not be written; run 'stayhooks rotate --room ", stderr);
    put_shown(stderr, room, ERROR_TEXT_MAX_BYTES);
    fputs(" --webhook ", stderr);
    put_shown(stderr, id != NULL ? id : "ID", ERROR_TEXT_MAX_BYTES);
    fputs("' to get a new secret\n", stderr);
}

void cli_print_deleted(const char *webhook_id)
{
    fputs("Deleted webhook ", stdout);
    put_out(webhook_id);
    fputc('\n', stdout);
}

void cli_print_actions(const stayhooks_permitted_actions *actions)
{
    fputs("Permitted actions: ", stdout);
    put_permissions(actions->actions, actions->count);
    if (actions->limit >= 0)
        printf(" (webhook limit %ld)", actions->limit);
    fputc('\n', stdout);
}

/* An image drop makes no message, and the library passes its imageId on
 * among the other reply members. */
static void put_image_id(const char *extra_json)
{
    json_t *extra = extra_json != NULL ? json_loads(extra_json, 0, NULL) : NULL;
    const char *image_id = json_string_value(json_object_get(extra, "imageId"));

    if (image_id != NULL) {
        fputs(", image ID ", stdout);
        put_out(image_id);
    }
    json_decref(extra);
}

void cli_print_invoke_result(const stayhooks_invoke_result *result)
{
    fputs("Sent ", stdout);
    put_out(result->kind != NULL ? result->kind : "invoke");
    if (!result->ok)
        fputs(" (the server replied ok: false)", stdout);
    if (result->message_id != NULL) {
        fputs(", message ID ", stdout);
        put_out(result->message_id);
    }
    if (result->poll_id != NULL) {
        fputs(", poll ID ", stdout);
        put_out(result->poll_id);
    }
    put_image_id(result->extra_json);
    fputc('\n', stdout);
}

static const char *error_class_name(stayhooks_code code)
{
    switch (code) {
    case STAYHOOKS_ERR_VALIDATION: return "validation error";
    case STAYHOOKS_ERR_AUTH: return "auth error";
    case STAYHOOKS_ERR_HTTP: return "HTTP error";
    case STAYHOOKS_ERR_INVALID_RESPONSE: return "invalid response";
    case STAYHOOKS_ERR_NETWORK: return "network error";
    default: return "internal error";
    }
}

void cli_print_error(const stayhooks_error *err)
{
    stayhooks_code code;
    long status;
    char *message = NULL;
    char *location = NULL;
    double retry_after;

    if (err == NULL) {
        cli_fail("internal error: the library reported a failure without details");
        return;
    }
    code = stayhooks_error_code(err);
    status = stayhooks_error_status(err);
    retry_after = stayhooks_error_retry_after(err);

    /* The library hides the token and the secret of the call that failed,
     * but a base URL error comes before it receives the invoke secret. */
    message = cli_redact(stayhooks_error_message(err));
    if (stayhooks_error_location(err) != NULL)
        location = cli_redact(stayhooks_error_location(err));
    if (message == NULL || (location == NULL && stayhooks_error_location(err) != NULL)) {
        fputs("stayhooks: out of memory while reporting an error\n", stderr);
        goto done;
    }

    fprintf(stderr, "stayhooks: %s", error_class_name(code));
    if (status > 0)
        fprintf(stderr, " (HTTP %ld)", status);
    fputs(": ", stderr);
    put_clean(stderr, message, ERROR_TEXT_MAX_BYTES);
    /* The library's own message for an empty 3xx reply already names the
     * Location; a server's message or body usually does not. */
    if (location != NULL && strstr(message, location) == NULL) {
        fputs(" (redirect to ", stderr);
        put_clean(stderr, location, ERROR_TEXT_MAX_BYTES);
        fputs(", not followed)", stderr);
    }
    if (retry_after >= 0)
        fprintf(stderr, " (retry after %.0f s)", retry_after);
    if (code == STAYHOOKS_ERR_NETWORK && stayhooks_error_delivery_unknown(err))
        fputs(" (delivery unknown: the server may have acted on the request)", stderr);
    fputc('\n', stderr);

done:
    free(message);
    free(location);
}
