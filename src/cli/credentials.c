/*
 * credentials.c: reads the bearer token, the webhook secret and the invoke
 * payload from a file, standard input ("-") or the environment.
 *
 * Tokens and secrets never come from argv, where other local users could
 * read them in the process list.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Upper bounds on what is read, so that a wrong path (a device, a huge log)
 * fails fast instead of filling memory. */
#define CREDENTIAL_MAX_BYTES (64u * 1024u)
#define PAYLOAD_MAX_BYTES (4u * 1024u * 1024u)

int cli_command_is_invoke(enum cli_command command)
{
    switch (command) {
    case CLI_CMD_SEND_MESSAGE:
    case CLI_CMD_SEND_EMBED:
    case CLI_CMD_SEND_POLL:
    case CLI_CMD_SEND_IMAGE:
    case CLI_CMD_INVOKE:
        return 1;
    default:
        return 0;
    }
}

/*
 * Reads all of `path` ("-" is standard input) into a new NUL-terminated
 * string. `label` names the input in error messages. Returns NULL after
 * printing the reason.
 */
static char *read_whole(const char *path, const char *label, size_t max_bytes, size_t *length_out)
{
    FILE *file = NULL;
    char *data = NULL;
    size_t length = 0;
    size_t capacity = 0;
    int from_stdin = strcmp(path, "-") == 0;
    int ok = 0;

    file = from_stdin ? stdin : fopen(path, "rb");
    if (file == NULL) {
        cli_fail("cannot open %s: %s", label, strerror(errno));
        goto done;
    }

    for (;;) {
        size_t got;

        if (capacity - length < 4096) {
            size_t grown_capacity = capacity == 0 ? 8192 : capacity * 2;
            char *grown = realloc(data, grown_capacity + 1);

            if (grown == NULL) {
                cli_fail("out of memory while reading %s", label);
                goto done;
            }
            data = grown;
            capacity = grown_capacity;
        }
        got = fread(data + length, 1, capacity - length, file);
        length += got;
        if (length > max_bytes) {
            cli_fail("%s is larger than %zu bytes", label, max_bytes);
            goto done;
        }
        if (got == 0)
            break;
    }
    if (ferror(file)) {
        cli_fail("cannot read %s: %s", label, strerror(errno));
        goto done;
    }

    data[length] = '\0';
    *length_out = length;
    ok = 1;

done:
    if (file != NULL && !from_stdin)
        fclose(file);
    if (!ok) {
        free(data);
        data = NULL;
    }
    return data;
}

/*
 * Reads a token or secret file and strips one trailing newline ("\n" or
 * "\r\n"). Rejects NUL bytes and any other line break, because the value
 * becomes an HTTP header. Messages name the option, not the path, in case
 * the credential itself was passed where the path belongs.
 */
static char *read_credential_file(const char *path, const char *option)
{
    char label[64];
    size_t length = 0;
    char *value;

    snprintf(label, sizeof label, "the %s file", option);
    value = read_whole(path, label, CREDENTIAL_MAX_BYTES, &length);

    if (value == NULL)
        return NULL;

    if (length > 0 && value[length - 1] == '\n') {
        length--;
        if (length > 0 && value[length - 1] == '\r')
            length--;
        value[length] = '\0';
    }
    if (strlen(value) != length || strpbrk(value, "\r\n") != NULL) {
        cli_fail("%s must contain one line without NUL bytes", label);
        free(value);
        return NULL;
    }
    if (length == 0) {
        cli_fail("%s is empty", label);
        free(value);
        return NULL;
    }
    return value;
}

/* Copies an environment variable and returns 0, or -1 when out of memory. */
static int copy_env(const char *name, char **out)
{
    const char *value = getenv(name);

    *out = NULL;
    if (value == NULL || value[0] == '\0')
        return 0;
    *out = strdup(value);
    return *out == NULL ? -1 : 0;
}

static int is_stdin(const char *path)
{
    return path != NULL && strcmp(path, "-") == 0;
}

int cli_read_inputs(const struct cli_args *args, struct cli_inputs *inputs)
{
    /* A batch reads the default secret like an invoke, but its lines may
     * carry their own, so the default may be missing. */
    int batch = args->command == CLI_CMD_BATCH;
    int invoke = cli_command_is_invoke(args->command) || batch;
    const char *payload_file = args->command == CLI_CMD_INVOKE ? args->payload_file : NULL;
    size_t length = 0;
    int rc = CLI_EXIT_USAGE;

    memset(inputs, 0, sizeof *inputs);

    /* Standard input can be read once, so at most one input may use it.
     * A credential option counts even where the command does not use the
     * credential, because it is read all the same (see below). */
    if (is_stdin(args->token_file) + is_stdin(args->secret_file) + is_stdin(payload_file) > 1) {
        cli_fail("only one of --secret-file, --token-file and --payload-file may read standard input");
        goto done;
    }
    /* The batch never sends the token, but a token file is read all the
     * same, and standard input cannot feed both. */
    if (batch && is_stdin(args->batch_file)
        && (is_stdin(args->secret_file) || is_stdin(args->token_file))) {
        cli_fail("batch reads its lines from standard input, so %s cannot also read it",
                 is_stdin(args->secret_file) ? "--secret-file" : "--token-file");
        goto done;
    }

    /* Both credentials are read and hidden before any message that can
     * echo user text, whichever of them the command uses, because a payload
     * path or a base URL may be the other credential typed by mistake. */
    if (args->token_file != NULL) {
        inputs->token = read_credential_file(args->token_file, "--token-file");
        if (inputs->token == NULL)
            goto done;
    } else if (copy_env("STAYHERE_TOKEN", &inputs->token) != 0) {
        cli_fail("out of memory while reading STAYHERE_TOKEN");
        goto done;
    }
    cli_redact_add(inputs->token);

    if (args->secret_file != NULL) {
        inputs->secret = read_credential_file(args->secret_file, "--secret-file");
        if (inputs->secret == NULL)
            goto done;
    } else if (copy_env("STAYHERE_SECRET", &inputs->secret) != 0) {
        cli_fail("out of memory while reading STAYHERE_SECRET");
        goto done;
    }
    cli_redact_add(inputs->secret);

    if (invoke && !batch && inputs->secret == NULL) {
        cli_fail("missing webhook secret: set STAYHERE_SECRET or pass --secret-file PATH ('-' reads standard input)");
        goto done;
    }

    if (payload_file != NULL) {
        char label[600];

        snprintf(label, sizeof label, "payload file '%.500s'", payload_file);
        inputs->payload = read_whole(payload_file, label, PAYLOAD_MAX_BYTES, &length);
        if (inputs->payload == NULL)
            goto done;
        if (strlen(inputs->payload) != length) {
            cli_fail("payload file '%s' contains a NUL byte", payload_file);
            goto done;
        }
    }
    rc = CLI_EXIT_OK;

done:
    return rc;
}

void cli_inputs_free(struct cli_inputs *inputs)
{
    if (inputs == NULL)
        return;
    /* Clear the secrets before the memory goes back to the allocator.
     * explicit_bzero is not optimised away like a memset before free. */
    if (inputs->token != NULL)
        explicit_bzero(inputs->token, strlen(inputs->token));
    if (inputs->secret != NULL)
        explicit_bzero(inputs->secret, strlen(inputs->secret));
    free(inputs->token);
    free(inputs->secret);
    free(inputs->payload);
    inputs->token = NULL;
    inputs->secret = NULL;
    inputs->payload = NULL;
}

/* Reads one credential file for redaction only: no messages, and NULL for
 * a file that cannot be read, is empty or is too large. */
static char *read_credential_quietly(const char *path)
{
    FILE *file;
    char *value;
    size_t length;

    if (path == NULL || is_stdin(path))
        return NULL;
    file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    value = malloc(CREDENTIAL_MAX_BYTES + 1);
    if (value == NULL) {
        fclose(file);
        return NULL;
    }
    length = fread(value, 1, CREDENTIAL_MAX_BYTES + 1, file);
    fclose(file);
    if (length == 0 || length > CREDENTIAL_MAX_BYTES) {
        free(value);
        return NULL;
    }
    value[length] = '\0';
    /* The same trailing newline that read_credential_file() strips. */
    if (value[length - 1] == '\n') {
        value[--length] = '\0';
        if (length > 0 && value[length - 1] == '\r')
            value[--length] = '\0';
    }
    if (length == 0) {
        free(value);
        return NULL;
    }
    return value;
}

void cli_read_credentials_quietly(const struct cli_args *args,
                                  struct cli_usage_credentials *credentials)
{
    size_t count = args->credential_files.count;

    credentials->values = count > 0 ? calloc(count, sizeof *credentials->values) : NULL;
    credentials->count = 0;
    if (credentials->values == NULL)
        return;
    for (size_t i = 0; i < count; i++) {
        char *value = read_credential_quietly(args->credential_files.items[i]);

        if (value == NULL)
            continue;
        credentials->values[credentials->count++] = value;
        cli_redact_add(value);
    }
}

void cli_usage_credentials_free(struct cli_usage_credentials *credentials)
{
    for (size_t i = 0; i < credentials->count; i++) {
        explicit_bzero(credentials->values[i], strlen(credentials->values[i]));
        free(credentials->values[i]);
    }
    free(credentials->values);
    credentials->values = NULL;
    credentials->count = 0;
}
