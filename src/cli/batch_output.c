/*
 * batch_output.c: the JSON result lines of `stayhooks batch` on stdout and
 * its progress bar on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "batch.h"

#define PROGRESS_BAR_WIDTH 30
#define PROGRESS_REDRAW_MS 100L

static json_t *string_or_null(const char *text)
{
    return text != NULL ? json_string(text) : json_null();
}

json_t *batch_success_line(unsigned long number, const stayhooks_invoke_result *result)
{
    json_t *object = json_pack("{s:I, s:b, s:o, s:o, s:o}", "line", (json_int_t)number, "ok",
                               result->ok, "kind", string_or_null(result->kind), "messageId",
                               string_or_null(result->message_id), "pollId",
                               string_or_null(result->poll_id));
    json_t *extra = result->extra_json != NULL ? json_loads(result->extra_json, 0, NULL) : NULL;

    /* Other members of the reply follow, unless they would replace ours. */
    if (object != NULL && json_is_object(extra)) {
        const char *key;
        json_t *value;
        json_object_foreach(extra, key, value) {
            if (json_object_get(object, key) == NULL)
                json_object_set(object, key, value);
        }
    }
    json_decref(extra);
    return object;
}

json_t *batch_failure_line(unsigned long number, const char *class_name, long status,
                           const char *message, int delivery_unknown)
{
    return json_pack("{s:I, s:b, s:{s:s, s:I, s:s, s:b}}", "line", (json_int_t)number, "ok", 0,
                     "error", "class", class_name, "status", (json_int_t)status, "message",
                     message != NULL ? message : "", "deliveryUnknown", delivery_unknown);
}

json_t *batch_dry_run_line(unsigned long number, const char *request_json)
{
    json_t *request = json_loads(request_json, 0, NULL);
    json_t *object = json_pack("{s:I}", "line", (json_int_t)number);

    /* jansson 2.8 and later keep members in insertion order, so "line"
     * comes first. */
    if (object != NULL && json_is_object(request)) {
        if (json_object_update(object, request) != 0) {
            json_decref(object);
            object = NULL;
        }
    } else {
        json_decref(object);
        object = NULL;
    }
    json_decref(request);
    return object;
}

/* Every string and object key of an output line, each followed by "\n". */
struct joined_strings {
    char *text;
    size_t length;
    size_t capacity;
    int out_of_memory;
};

static void join_string(struct joined_strings *joined, const char *text)
{
    size_t text_length = strlen(text);
    size_t needed = joined->length + text_length + 2;

    if (joined->out_of_memory)
        return;
    if (needed > joined->capacity) {
        size_t grown_capacity = joined->capacity == 0 ? 256 : joined->capacity;
        char *grown;

        while (grown_capacity < needed)
            grown_capacity *= 2;
        grown = realloc(joined->text, grown_capacity);
        if (grown == NULL) {
            joined->out_of_memory = 1;
            return;
        }
        joined->text = grown;
        joined->capacity = grown_capacity;
    }
    memcpy(joined->text + joined->length, text, text_length);
    joined->length += text_length;
    joined->text[joined->length++] = '\n';
    joined->text[joined->length] = '\0';
}

static void join_strings(const json_t *value, struct joined_strings *joined)
{
    if (json_is_string(value)) {
        join_string(joined, json_string_value(value));
    } else if (json_is_array(value)) {
        for (size_t i = 0; i < json_array_size(value); i++)
            join_strings(json_array_get(value, i), joined);
    } else if (json_is_object(value)) {
        const char *key;
        json_t *member;

        json_object_foreach((json_t *)value, key, member) {
            join_string(joined, key);
            join_strings(member, joined);
        }
    }
}

/* Returns `output`, or a redacted copy of it after releasing it, with the
 * token, the default secret and every line secret seen so far hidden in
 * each string and key. Returns NULL when out of memory.
 * One redaction of all strings joined together finds out whether anything
 * needs hiding, because each call of cli_redact() indexes every secret
 * again, and most output lines contain none. */
static json_t *redact_output(json_t *output)
{
    struct joined_strings joined = { NULL, 0, 0, 0 };
    char *redacted = NULL;
    json_t *copy = NULL;

    join_strings(output, &joined);
    if (joined.out_of_memory)
        goto done;
    if (joined.text == NULL)
        return output;
    redacted = cli_redact(joined.text);
    if (redacted == NULL)
        goto done;
    if (strcmp(redacted, joined.text) == 0) {
        copy = output;
        output = NULL;
        goto done;
    }
    copy = cli_redact_json(output);

done:
    /* The joined strings may contain a secret. */
    if (joined.text != NULL)
        explicit_bzero(joined.text, joined.capacity);
    free(joined.text);
    free(redacted);
    json_decref(output);
    return copy;
}

int batch_write_line(json_t *output, unsigned long number)
{
    int rc = 0;

    if (output != NULL)
        output = redact_output(output);
    if (output == NULL) {
        cli_fail("out of memory while building the result of line %lu", number);
        return -1;
    }
    errno = 0;
    if (json_dumpf(output, stdout, JSON_COMPACT) != 0 || fputc('\n', stdout) == EOF ||
        fflush(stdout) != 0) {
        cli_fail("cannot write the result of line %lu to standard output: %s", number,
                 errno != 0 ? strerror(errno) : "write failed");
        rc = -1;
    }
    json_decref(output);
    return rc;
}

static long monotonic_ms(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)now.tv_sec * 1000L + now.tv_nsec / 1000000L;
}

void batch_progress_update(struct batch_progress *progress, size_t done, size_t failed,
                           int final)
{
    long now;
    int filled = -1;

    if (!progress->enabled)
        return;

    /* A file that grew after it was counted must not overflow the bar. */
    if (progress->total > 0 && done > progress->total)
        progress->total = done;
    if (progress->total > 0)
        filled = (int)(done * PROGRESS_BAR_WIDTH / progress->total);

    now = monotonic_ms();
    if (!final && filled == progress->last_filled &&
        now - progress->last_draw_ms < PROGRESS_REDRAW_MS)
        return;
    if (final && !progress->drawn && done == 0)
        return;
    progress->last_filled = filled;
    progress->last_draw_ms = now;
    progress->drawn = 1;

    if (progress->total > 0)
        fprintf(stderr, "\r[%.*s%.*s] %zu/%zu, %zu failed", filled,
                "##############################", PROGRESS_BAR_WIDTH - filled,
                "..............................", done, progress->total, failed);
    else
        fprintf(stderr, "\r%zu done, %zu failed", done, failed);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}
