/*
 * commands_batch.c: `stayhooks batch FILE`, many invokes from JSON lines.
 *
 * Each non-blank input line is one invoke: {"action", "payload", "room",
 * "webhook", "secret", "invokeUrl"}. Missing room, webhook and secret fall
 * back to --room, --webhook and the default secret. Every line gets one
 * JSON result line on stdout, in input order, whether it was delivered,
 * failed on the server, or could not be read.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"

/* A line longer than this is reported as invalid. The local server accepts
 * request bodies of at most 256 KiB, so such a line could not succeed. */
#define BATCH_LINE_MAX_BYTES (1024u * 1024u)
#define PROGRESS_BAR_WIDTH 30

/* One input line and its outcome when it never reached the batch. */
struct batch_line {
    unsigned long number;        /* 1-based line number in the input */
    size_t batch_index;          /* index in the library batch, when queued */
    int queued;
    int code;                    /* the line's own error, when not queued */
    char *message;
};

struct batch_lines {
    struct batch_line *items;
    size_t count;
    size_t capacity;
};

struct progress_state {
    int last_filled;
};

static void lines_free(struct batch_lines *lines)
{
    for (size_t i = 0; i < lines->count; i++)
        free(lines->items[i].message);
    free(lines->items);
}

static struct batch_line *lines_push(struct batch_lines *lines, unsigned long number)
{
    if (lines->count == lines->capacity) {
        size_t capacity = lines->capacity > 0 ? lines->capacity * 2 : 64;
        struct batch_line *grown = realloc(lines->items, capacity * sizeof *grown);
        if (grown == NULL)
            return NULL;
        lines->items = grown;
        lines->capacity = capacity;
    }
    struct batch_line *line = &lines->items[lines->count++];
    memset(line, 0, sizeof *line);
    line->number = number;
    return line;
}

static int is_blank(const char *text)
{
    return text[strspn(text, " \t\r\n")] == '\0';
}

/* Returns the string member `name`, NULL when absent or null. Sets
 * `*wrong_type` when the member has another type. */
static const char *string_member(const json_t *object, const char *name, int *wrong_type)
{
    const json_t *value = json_object_get(object, name);

    if (value == NULL || json_is_null(value))
        return NULL;
    if (!json_is_string(value)) {
        *wrong_type = 1;
        return NULL;
    }
    return json_string_value(value);
}

static const char *const known_members[] = { "action", "payload", "room", "webhook",
                                             "secret", "invokeUrl" };
#define KNOWN_MEMBER_COUNT (sizeof known_members / sizeof known_members[0])

static int is_known_member(const char *key, size_t length)
{
    for (size_t i = 0; i < KNOWN_MEMBER_COUNT; i++) {
        if (strlen(known_members[i]) == length && strncmp(key, known_members[i], length) == 0)
            return 1;
    }
    return 0;
}

/* Returns the 1-based position of the first member the line format does
 * not know, or 0. Unknown members are rejected so that a typo such as
 * "secrte" is not silently sent with the default secret. */
static int unknown_member_position(const json_t *object)
{
    const char *key;
    json_t *value;
    int position = 0;

    json_object_foreach((json_t *)object, key, value) {
        (void)value;
        position++;
        if (!is_known_member(key, strlen(key)))
            return position;
    }
    return 0;
}

/* Writes into `message` why a line did not parse. Only a known member name is quoted
 * from the line, because any other text near the error may be a secret. */
static void describe_parse_error(const json_error_t *parse_error, char *message, size_t size)
{
    static const char near_quote[] = "near '\"";
    const char *key = strstr(parse_error->text, near_quote);
    size_t key_length = 0;

    switch (json_error_code(parse_error)) {
    case json_error_invalid_utf8:
        snprintf(message, size, "line is not valid UTF-8 (error at column %d)",
                 parse_error->column);
        return;
    case json_error_duplicate_key:
        if (key != NULL) {
            key += strlen(near_quote);
            key_length = strcspn(key, "\"");
        }
        if (key != NULL && is_known_member(key, key_length))
            snprintf(message, size, "duplicate member \"%.*s\" (error at column %d)",
                     (int)key_length, key, parse_error->column);
        else
            snprintf(message, size, "duplicate member (error at column %d)",
                     parse_error->column);
        return;
    case json_error_premature_end_of_input:
        /* jansson 2.14 places this error at column 0 of the line after the
         * newline, or just past the last character, so a column would
         * point at nothing in the line. */
        snprintf(message, size, "line ends before the JSON value is complete");
        return;
    default:
        snprintf(message, size, "line is not valid JSON (error at column %d)",
                 parse_error->column);
        return;
    }
}

/*
 * Parses one line and queues it. On failure `line` gets the code and a
 * message. Messages never quote the line itself, because it may hold a
 * secret: jansson's own messages quote the text near the error, so only
 * the column is reported.
 */
static void queue_line(stayhooks_batch *batch, const struct cli_args *args,
                       const struct cli_inputs *inputs, const char *text,
                       struct batch_line *line)
{
    json_error_t parse_error;
    json_t *object = NULL;
    stayhooks_error *err = NULL;
    char *payload_text = NULL;
    char message[256];
    int wrong_type = 0;

    line->code = STAYHOOKS_ERR_VALIDATION;
    if (strncmp(text, "\xEF\xBB\xBF", 3) == 0) {
        line->message = strdup("line starts with a byte order mark (BOM); remove it");
        goto done;
    }
    /* JSON_DECODE_ANY lets a string or number parse, so that every
     * non-object line gets the same message. */
    object = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &parse_error);
    if (object == NULL) {
        describe_parse_error(&parse_error, message, sizeof message);
        line->message = strdup(message);
        goto done;
    }
    if (!json_is_object(object)) {
        line->message = strdup("line must be a JSON object");
        goto done;
    }

    /* The name is not quoted because it could be a secret. */
    int unknown = unknown_member_position(object);
    if (unknown != 0) {
        snprintf(message, sizeof message,
                 "unknown member at position %d (allowed: action, payload, room, webhook, "
                 "secret, invokeUrl)",
                 unknown);
        line->message = strdup(message);
        goto done;
    }

    stayhooks_target target = { 0 };
    const char *action = string_member(object, "action", &wrong_type);
    target.room_id = string_member(object, "room", &wrong_type);
    target.webhook_id = string_member(object, "webhook", &wrong_type);
    target.invoke_url = string_member(object, "invokeUrl", &wrong_type);
    target.secret = string_member(object, "secret", &wrong_type);
    if (wrong_type) {
        line->message = strdup(
            "action, room, webhook, secret and invokeUrl must be strings");
        goto done;
    }

    const json_t *payload = json_object_get(object, "payload");
    if (payload != NULL && !json_is_null(payload)) {
        if (!json_is_object(payload)) {
            line->message = strdup("payload must be a JSON object");
            goto done;
        }
        payload_text = json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (payload_text == NULL) {
            line->code = STAYHOOKS_ERR_INTERNAL;
            line->message = strdup("out of memory");
            goto done;
        }
    }

    /* Defaults apply member by member; an invoke URL replaces the IDs. */
    if (target.invoke_url == NULL) {
        if (target.room_id == NULL)
            target.room_id = args->room;
        if (target.webhook_id == NULL)
            target.webhook_id = args->webhook;
    }
    if (target.secret == NULL)
        target.secret = inputs->secret;
    if (target.secret == NULL) {
        line->message = strdup("missing secret: add \"secret\" to the line, or set "
                                     "STAYHERE_SECRET or --secret-file");
        goto done;
    }

    line->code = stayhooks_batch_add_invoke(batch, &target, action, payload_text, &err);
    if (line->code == STAYHOOKS_OK) {
        line->queued = 1;
        line->batch_index = stayhooks_batch_count(batch) - 1;
    } else {
        line->message = strdup(stayhooks_error_message(err));
    }

done:
    stayhooks_error_free(err);
    free(payload_text);
    json_decref(object);
}

/* Reads every line of `path` ("-": standard input) into the batch. Returns
 * 0, or -1 after printing why the input could not be read. */
static int read_lines(const char *path, stayhooks_batch *batch, const struct cli_args *args,
                      const struct cli_inputs *inputs, struct batch_lines *lines)
{
    int from_stdin = strcmp(path, "-") == 0;
    FILE *file = from_stdin ? stdin : fopen(path, "r");
    char *text = NULL;
    size_t capacity = 0;
    unsigned long number = 0;
    ssize_t length;
    int rc = -1;

    if (file == NULL) {
        cli_fail("cannot open batch file '%s': %s", path, strerror(errno));
        return -1;
    }

    while ((length = getline(&text, &capacity, file)) >= 0) {
        number++;
        if (is_blank(text))
            continue;

        struct batch_line *line = lines_push(lines, number);
        if (line == NULL) {
            cli_fail("out of memory while reading the batch file");
            goto done;
        }
        if ((size_t)length > BATCH_LINE_MAX_BYTES || strlen(text) != (size_t)length) {
            line->code = STAYHOOKS_ERR_VALIDATION;
            line->message = strdup((size_t)length > BATCH_LINE_MAX_BYTES
                                             ? "line is longer than 1 MiB"
                                             : "line contains a NUL byte");
        } else {
            queue_line(batch, args, inputs, text, line);
        }

        /* The line may hold a secret. */
        explicit_bzero(text, (size_t)length);
    }
    if (ferror(file)) {
        cli_fail("cannot read batch file '%s': %s", path, strerror(errno));
        goto done;
    }
    rc = 0;

done:
    if (text != NULL)
        explicit_bzero(text, capacity);
    free(text);
    if (!from_stdin)
        fclose(file);
    return rc;
}

/* Draws "[#####.....] done/total" over itself on the terminal. */
static void draw_progress(void *userdata, size_t done, size_t total)
{
    struct progress_state *state = userdata;
    int filled = total > 0 ? (int)(done * PROGRESS_BAR_WIDTH / total) : PROGRESS_BAR_WIDTH;

    if (filled == state->last_filled && done != total)
        return;
    state->last_filled = filled;
    fprintf(stderr, "\r[%.*s%.*s] %zu/%zu", filled,
            "##############################", PROGRESS_BAR_WIDTH - filled,
            "..............................", done, total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static json_t *string_or_null(const char *text)
{
    return text != NULL ? json_string(text) : json_null();
}

static json_t *success_line(unsigned long number, const stayhooks_invoke_result *result)
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

static json_t *failure_line(unsigned long number, const char *class_name, long status,
                            const char *message, int delivery_unknown)
{
    return json_pack("{s:I, s:b, s:{s:s, s:I, s:s, s:b}}", "line", (json_int_t)number, "ok", 0,
                     "error", "class", class_name, "status", (json_int_t)status, "message",
                     message != NULL ? message : "", "deliveryUnknown", delivery_unknown);
}

/* Prints results in input order while the batch runs, and gathers what the
 * exit status needs. */
struct result_printer {
    const stayhooks_batch *batch;
    const struct batch_lines *lines;
    unsigned char *ended;        /* per batch index: the item has ended */
    size_t next;                 /* first line not printed yet */
    size_t delivered;
    size_t failed;
    size_t not_sent;             /* queued lines the interruption left unsent */
    int any_sent;                /* some line reached the server or the network */
    int any_delivery_unknown;
    int first_failure_status;    /* of the first failure other than an invalid line */
    int any_invalid_line;
    int write_failed;
};

/* Set by the SIGINT and SIGTERM handler; read after the run. */
static volatile sig_atomic_t caught_signal;
static stayhooks_batch *running_batch;

static void stop_batch(int signal_number)
{
    caught_signal = signal_number;
    stayhooks_batch_cancel(running_batch);
}

/* Builds the result line of a line that has ended and counts it. */
static json_t *result_line(struct result_printer *printer, const struct batch_line *line)
{
    const stayhooks_invoke_result *result = NULL;
    const stayhooks_error *err = NULL;
    int code = line->code;

    if (line->queued)
        code = stayhooks_batch_result(printer->batch, line->batch_index, &result, &err);

    if (code == STAYHOOKS_OK && result != NULL && result->ok) {
        printer->delivered++;
        printer->any_sent = 1;
        return success_line(line->number, result);
    }

    json_t *output;
    int status;
    printer->failed++;
    if (code == STAYHOOKS_OK) {
        /* NOTE: the protocol does not describe a 2xx reply with
         * "ok": false; it counts as a failure, like `send`. */
        code = STAYHOOKS_ERR_INVALID_RESPONSE;
        output = failure_line(line->number, stayhooks_code_name((stayhooks_code)code), 200,
                              "the server replied ok: false", 0);
    } else if (err != NULL) {
        output = failure_line(line->number, stayhooks_code_name((stayhooks_code)code),
                              stayhooks_error_status(err), stayhooks_error_message(err),
                              stayhooks_error_delivery_unknown(err));
    } else {
        output = failure_line(line->number, stayhooks_code_name((stayhooks_code)code), 0,
                              line->message, 0);
    }

    status = cli_exit_status(code, err);
    if (status == CLI_EXIT_DELIVERY_UNKNOWN)
        printer->any_delivery_unknown = 1;
    if (status == CLI_EXIT_USAGE) {
        printer->any_invalid_line = 1;
    } else {
        printer->any_sent = 1;
        if (printer->first_failure_status == CLI_EXIT_OK)
            printer->first_failure_status = status;
    }
    return output;
}

/* Builds the result line of a queued line that never started because the
 * batch was interrupted. */
static json_t *not_sent_line(struct result_printer *printer, const struct batch_line *line)
{
    printer->not_sent++;
    return failure_line(line->number, "cancelled", 0,
                        "not sent because the batch was interrupted", 0);
}

static void write_line(struct result_printer *printer, json_t *output, unsigned long number)
{
    if (printer->write_failed)
        goto done;
    if (output == NULL || json_dumpf(output, stdout, JSON_COMPACT) != 0 ||
        fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
        printer->write_failed = 1;
        cli_fail("cannot write the result of line %lu", number);
    }

done:
    json_decref(output);
}

/* Returns 1 when item `index` has a result or an error, even one that
 * ended without the item callback (a run that failed as a whole). */
static int has_outcome(const stayhooks_batch *batch, size_t index)
{
    const stayhooks_invoke_result *result = NULL;
    const stayhooks_error *err = NULL;

    stayhooks_batch_result(batch, index, &result, &err);
    return result != NULL || err != NULL;
}

/* Prints every line from `printer->next` on whose item has ended, and
 * stops at the first that has not. With `final` set, a queued line that
 * has not ended was left unsent by an interruption. */
static void print_ready(struct result_printer *printer, int final)
{
    const struct batch_lines *lines = printer->lines;

    while (printer->next < lines->count) {
        const struct batch_line *line = &lines->items[printer->next];
        json_t *output;

        if (line->queued && !printer->ended[line->batch_index]) {
            if (!final)
                return;
            output = has_outcome(printer->batch, line->batch_index)
                         ? result_line(printer, line)
                         : not_sent_line(printer, line);
        } else {
            output = result_line(printer, line);
        }
        write_line(printer, output, line->number);
        printer->next++;
    }
}

static void item_ended(void *userdata, size_t index)
{
    struct result_printer *printer = userdata;

    printer->ended[index] = 1;
    print_ready(printer, 0);
}

/*
 * Returns the batch's exit status: the signal's 128 + number after an
 * interruption, else 7 when any line's delivery is unknown, else the
 * status of the first failure that was not an invalid line. Invalid lines
 * alone give 2 only when nothing was sent, and 1 otherwise.
 */
static int batch_exit_status(const struct result_printer *printer)
{
    if (caught_signal != 0)
        return 128 + caught_signal;
    if (printer->any_delivery_unknown)
        return CLI_EXIT_DELIVERY_UNKNOWN;
    if (printer->first_failure_status != CLI_EXIT_OK)
        return printer->first_failure_status;
    if (printer->any_invalid_line)
        return printer->any_sent ? CLI_EXIT_OTHER : CLI_EXIT_USAGE;
    return CLI_EXIT_OK;
}

/* Routes SIGINT and SIGTERM to stop_batch(), saving the old actions. */
static void catch_stop_signals(struct sigaction *old_int, struct sigaction *old_term)
{
    struct sigaction action;

    memset(&action, 0, sizeof action);
    action.sa_handler = stop_batch;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, old_int);
    sigaction(SIGTERM, &action, old_term);
}

int cli_run_batch(stayhooks_client *client, const struct cli_args *args,
                  const struct cli_inputs *inputs, int *exit_status, stayhooks_error **err)
{
    struct batch_lines lines = { NULL, 0, 0 };
    struct progress_state progress = { -1 };
    struct result_printer printer;
    struct sigaction old_int;
    struct sigaction old_term;
    stayhooks_batch *batch = NULL;
    int rc;

    memset(&printer, 0, sizeof printer);
    rc = stayhooks_batch_new(client, &batch, err);
    if (rc != STAYHOOKS_OK)
        return rc;

    /* A signal while the lines are read cancels the run before it sends. */
    caught_signal = 0;
    running_batch = batch;
    catch_stop_signals(&old_int, &old_term);

    if (read_lines(args->batch_file, batch, args, inputs, &lines) != 0) {
        rc = STAYHOOKS_ERR_INTERNAL;
        goto done;
    }
    printer.batch = batch;
    printer.lines = &lines;
    printer.ended = calloc(stayhooks_batch_count(batch) + 1, 1);
    if (printer.ended == NULL) {
        cli_fail("out of memory while reading the batch file");
        rc = STAYHOOKS_ERR_INTERNAL;
        goto done;
    }
    stayhooks_batch_set_item_callback(batch, item_ended, &printer);

    /* Lines that could not be queued before the first queued one print
     * right away. */
    print_ready(&printer, 0);
    /* Result lines on the same terminal would land inside the bar, and
     * they show the progress themselves. */
    int show_progress = isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO) &&
                        stayhooks_batch_count(batch) > 0;
    rc = stayhooks_batch_run(batch, args->parallel, show_progress ? draw_progress : NULL,
                             &progress, err);
    if (rc != STAYHOOKS_OK)
        goto done;

    print_ready(&printer, 1);
    if (printer.write_failed) {
        rc = STAYHOOKS_ERR_INTERNAL;
        goto done;
    }
    if (caught_signal != 0)
        cli_fail("%zu delivered, %zu failed, %zu not sent: interrupted by signal %d",
                 printer.delivered, printer.failed, printer.not_sent, (int)caught_signal);
    else
        cli_fail("%zu delivered, %zu failed", printer.delivered, printer.failed);
    *exit_status = batch_exit_status(&printer);

done:
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    running_batch = NULL;
    stayhooks_batch_free(batch);
    free(printer.ended);
    lines_free(&lines);
    return rc;
}
