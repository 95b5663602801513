/*
 * batch_input.c: reads the lines of a batch file and parses each into an
 * invoke. Lines are read one at a time and wiped after use, because any of
 * them may hold a secret.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "batch.h"

static int is_blank(const char *text)
{
    return text[strspn(text, " \t\r\n")] == '\0';
}

int batch_reader_open(struct batch_reader *reader, const char *path)
{
    memset(reader, 0, sizeof *reader);
    reader->path = path;
    reader->from_stdin = strcmp(path, "-") == 0;
    reader->file = reader->from_stdin ? stdin : fopen(path, "r");
    if (reader->file == NULL) {
        cli_fail("cannot open batch file '%s': %s", path, strerror(errno));
        return -1;
    }
    /* fopen() opens a directory for reading, and only the first read fails,
     * after the batch has started. */
    struct stat status;
    if (!reader->from_stdin && fstat(fileno(reader->file), &status) == 0 &&
        S_ISDIR(status.st_mode)) {
        cli_fail("cannot open batch file '%s': %s", path, strerror(EISDIR));
        fclose(reader->file);
        reader->file = NULL;
        return -1;
    }
    return 0;
}

enum batch_read_status batch_reader_next(struct batch_reader *reader, size_t *length)
{
    ssize_t read_length;

    errno = 0;
    while ((read_length = getline(&reader->text, &reader->capacity, reader->file)) >= 0) {
        size_t content_length = (size_t)read_length;

        reader->number++;
        if (is_blank(reader->text))
            continue;

        /* The line ending is not part of the line, so "\n" and "\r\n"
         * do not count towards the length limit. */
        if (content_length > 0 && reader->text[content_length - 1] == '\n')
            content_length--;
        if (content_length > 0 && reader->text[content_length - 1] == '\r')
            content_length--;
        reader->text[content_length] = '\0';
        *length = content_length;
        return BATCH_READ_LINE;
    }
    if (!ferror(reader->file))
        return BATCH_READ_END;

    /* The signal handlers are installed without SA_RESTART, so that a
     * signal ends a read from a pipe that may never send another line. */
    if (errno == EINTR) {
        clearerr(reader->file);
        return BATCH_READ_INTERRUPTED;
    }
    cli_fail("cannot read batch file '%s': %s", reader->path, strerror(errno));
    return BATCH_READ_FAILED;
}

void batch_reader_wipe_line(struct batch_reader *reader)
{
    if (reader->text != NULL)
        explicit_bzero(reader->text, reader->capacity);
}

int batch_reader_count_remaining(struct batch_reader *reader, size_t *count)
{
    struct stat status;
    off_t start = ftello(reader->file);
    char *text = NULL;
    size_t capacity = 0;
    size_t lines = 0;
    int rc = 1;

    if (start < 0 || fstat(fileno(reader->file), &status) != 0 || !S_ISREG(status.st_mode))
        return 0;

    while (getline(&text, &capacity, reader->file) >= 0) {
        if (!is_blank(text))
            lines++;
    }
    if (ferror(reader->file))
        rc = 0;
    clearerr(reader->file);

    /* Without the old position the batch would find no lines to send. */
    if (fseeko(reader->file, start, SEEK_SET) != 0) {
        cli_fail("cannot go back to the start of batch file '%s': %s", reader->path,
                 strerror(errno));
        rc = -1;
    }

    if (text != NULL)
        explicit_bzero(text, capacity);
    free(text);
    *count = lines;
    return rc;
}

void batch_reader_close(struct batch_reader *reader)
{
    batch_reader_wipe_line(reader);
    free(reader->text);
    reader->text = NULL;
    if (reader->file != NULL && !reader->from_stdin)
        fclose(reader->file);
    reader->file = NULL;
}

/* The distinct secrets that lines of this batch brought, other than the
 * default secret. Each is added to the CLI's redaction, which borrows it
 * until cli_redact_clear() at the end of main(), so the copies are wiped
 * and freed only at exit. The cap bounds memory, and it bounds the time
 * that each output line's redaction takes, which grows with the number of
 * secrets. */
static char *line_secrets[BATCH_MAX_LINE_SECRETS];
static size_t line_secret_count;

static void forget_line_secrets(void)
{
    for (size_t i = 0; i < line_secret_count; i++) {
        explicit_bzero(line_secrets[i], strlen(line_secrets[i]));
        free(line_secrets[i]);
        line_secrets[i] = NULL;
    }
    line_secret_count = 0;
}

enum remember_status { SECRET_KNOWN, SECRET_LIMIT_REACHED, SECRET_OUT_OF_MEMORY };

/* Adds a line's secret to those hidden in every output line, once. */
static enum remember_status remember_line_secret(const char *secret, const char *default_secret)
{
    char *copy;

    if (secret[0] == '\0' || (default_secret != NULL && strcmp(secret, default_secret) == 0))
        return SECRET_KNOWN;
    for (size_t i = 0; i < line_secret_count; i++) {
        if (strcmp(line_secrets[i], secret) == 0)
            return SECRET_KNOWN;
    }
    if (line_secret_count == BATCH_MAX_LINE_SECRETS)
        return SECRET_LIMIT_REACHED;

    copy = strdup(secret);
    if (copy == NULL)
        return SECRET_OUT_OF_MEMORY;
    if (line_secret_count == 0 && atexit(forget_line_secrets) != 0) {
        explicit_bzero(copy, strlen(copy));
        free(copy);
        return SECRET_OUT_OF_MEMORY;
    }
    line_secrets[line_secret_count++] = copy;
    cli_redact_add(copy);
    return SECRET_KNOWN;
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
 * Messages never quote the line itself, because it may hold a secret.
 * jansson's own messages quote the text near the error, so only the column
 * is reported.
 */
int batch_parse_line(const char *text, size_t length, const struct cli_args *args,
                     const struct cli_inputs *inputs, struct batch_request *request,
                     char **message)
{
    json_error_t parse_error;
    char buffer[256];
    const char *fixed_message = NULL;
    int wrong_type = 0;
    int code = STAYHOOKS_ERR_VALIDATION;

    memset(request, 0, sizeof *request);
    *message = NULL;

    if (length > BATCH_LINE_MAX_BYTES) {
        fixed_message = "line is longer than 1 MiB";
        goto done;
    }
    if (strlen(text) != length) {
        fixed_message = "line contains a NUL byte";
        goto done;
    }
    if (strncmp(text, "\xEF\xBB\xBF", 3) == 0) {
        fixed_message = "line starts with a byte order mark (BOM); remove it";
        goto done;
    }

    /* JSON_DECODE_ANY lets a string or number parse, so that every
     * non-object line gets the same message. */
    request->object = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &parse_error);
    if (request->object == NULL) {
        describe_parse_error(&parse_error, buffer, sizeof buffer);
        fixed_message = buffer;
        goto done;
    }
    if (!json_is_object(request->object)) {
        fixed_message = "line must be a JSON object";
        goto done;
    }

    /* The name is not quoted because it could be a secret. */
    int unknown = unknown_member_position(request->object);
    if (unknown != 0) {
        snprintf(buffer, sizeof buffer,
                 "unknown member at position %d (allowed: action, payload, room, webhook, "
                 "secret, invokeUrl)",
                 unknown);
        fixed_message = buffer;
        goto done;
    }

    stayhooks_target *target = &request->target;
    request->action = string_member(request->object, "action", &wrong_type);
    target->room_id = string_member(request->object, "room", &wrong_type);
    target->webhook_id = string_member(request->object, "webhook", &wrong_type);
    target->invoke_url = string_member(request->object, "invokeUrl", &wrong_type);
    target->secret = string_member(request->object, "secret", &wrong_type);
    if (wrong_type) {
        fixed_message = "action, room, webhook, secret and invokeUrl must be strings";
        goto done;
    }

    /* Known to the redaction before anything about this line is printed. */
    if (target->secret != NULL) {
        enum remember_status remembered = remember_line_secret(target->secret, inputs->secret);

        if (remembered == SECRET_OUT_OF_MEMORY) {
            code = STAYHOOKS_ERR_INTERNAL;
            fixed_message = "out of memory";
            goto done;
        }
    }

    const json_t *payload = json_object_get(request->object, "payload");
    if (payload != NULL && !json_is_null(payload)) {
        if (!json_is_object(payload)) {
            fixed_message = "payload must be a JSON object";
            goto done;
        }
        request->payload_text = json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (request->payload_text == NULL) {
            code = STAYHOOKS_ERR_INTERNAL;
            fixed_message = "out of memory";
            goto done;
        }
    }

    /* Defaults apply member by member; an invoke URL replaces the IDs. */
    if (target->invoke_url == NULL) {
        if (target->room_id == NULL)
            target->room_id = args->room;
        if (target->webhook_id == NULL)
            target->webhook_id = args->webhook;
    }
    if (target->secret == NULL)
        target->secret = inputs->secret;
    if (target->secret == NULL) {
        fixed_message = "missing secret: add \"secret\" to the line, or set STAYHERE_SECRET "
                        "or --secret-file";
        goto done;
    }
    code = STAYHOOKS_OK;

done:
    if (fixed_message != NULL) {
        *message = strdup(fixed_message);
        if (*message == NULL)
            code = STAYHOOKS_ERR_INTERNAL;
    }
    return code;
}

void batch_request_clear(struct batch_request *request)
{
    json_t *secret = json_object_get(request->object, "secret");

    /* jansson gives each string value a buffer of its own, allocated when
     * the line was parsed and freed with the value. This object holds the
     * only reference to it, so writing through the cast changes nothing
     * that jansson or another owner still reads.
     * NOTE: jansson 2.14's parser also copies each token into a buffer that
     * it reuses and then frees without wiping, so part of a secret may stay
     * in freed memory. */
    if (json_is_string(secret))
        explicit_bzero((char *)json_string_value(secret), json_string_length(secret));

    json_decref(request->object);
    free(request->payload_text);
    memset(request, 0, sizeof *request);
}
