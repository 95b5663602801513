/*
 * redact.c: hides the token and the webhook secret in the CLI's own error
 * lines.
 *
 * The library redacts what it logs and what its errors contain, but it
 * learns the invoke secret only at the invoke, and it never sees the
 * command line. A usage error can echo an argument ("unknown command
 * 'whk_...'"), and a base URL error is raised before any invoke, so every
 * error line the CLI prints passes through cli_redact() first. The rule
 * itself is the library's stayhooks__redact_text(), whose object file is
 * linked into the CLI as well.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "redact.h"

/* The credentials to hide, borrowed. The list grows because
 * cli_redact_add_arguments() may add every long argument. */
static const char **credentials;
static size_t credential_count;
static size_t credential_capacity;

/* Set when a credential could not be added, so that cli_redact() fails
 * instead of returning text that may still contain it. */
static int add_failed;

void cli_redact_add(const char *credential)
{
    if (credential == NULL || credential[0] == '\0')
        return;
    for (size_t i = 0; i < credential_count; i++) {
        if (credentials[i] == credential)
            return;
    }

    if (credential_count == credential_capacity) {
        size_t grown_capacity = credential_capacity == 0 ? 8 : credential_capacity * 2;
        const char **grown = realloc(credentials, grown_capacity * sizeof *grown);

        if (grown == NULL) {
            add_failed = 1;
            return;
        }
        credentials = grown;
        credential_capacity = grown_capacity;
    }
    credentials[credential_count++] = credential;
}

void cli_redact_add_arguments(int argc, char **argv)
{
    int options_ended = 0;

    for (int i = 1; i < argc; i++) {
        const char *word = argv[i];

        /* A known long option's name is not user text, but its "=VALUE"
         * part is, and after "--" every word is an operand. An unknown
         * option name is user text ("--whk_..." typed for the secret), so
         * one of eight or more characters is hidden like any argument. The
         * word is added from its name on, so every long run in it is hidden. */
        if (!options_ended && strcmp(word, "--") == 0) {
            options_ended = 1;
            continue;
        }
        if (!options_ended && strncmp(word, "--", 2) == 0) {
            const char *name = word + 2;
            size_t name_length = strcspn(name, "=");
            const char *equals = strchr(word, '=');

            if (!cli_is_option_name(name, name_length) && name_length >= STAYHOOKS_REDACT_MIN_RUN)
                cli_redact_add(name);
            word = equals != NULL ? equals + 1 : "";
        }
        if (strlen(word) >= STAYHOOKS_REDACT_MIN_RUN)
            cli_redact_add(word);
    }
}

void cli_redact_clear(void)
{
    free(credentials);
    credentials = NULL;
    credential_count = 0;
    credential_capacity = 0;
    add_failed = 0;
}

char *cli_redact(const char *text)
{
    if (add_failed)
        return NULL;
    return stayhooks__redact_text(text, credentials, credential_count);
}

char *cli_vformat(const char *format, va_list ap)
{
    va_list again;
    char *text;
    int length;

    va_copy(again, ap);
    length = vsnprintf(NULL, 0, format, ap);
    if (length < 0) {
        va_end(again);
        return NULL;
    }
    text = malloc((size_t)length + 1);
    if (text != NULL)
        vsnprintf(text, (size_t)length + 1, format, again);
    va_end(again);
    return text;
}

void cli_put_error_line(const char *line)
{
    char *shown = cli_redact(line);

    /* Printing the line unredacted is never a fallback. */
    if (shown == NULL) {
        fputs("stayhooks: out of memory while reporting an error\n", stderr);
        return;
    }
    fprintf(stderr, "stayhooks: %s\n", shown);
    free(shown);
}

json_t *cli_redact_json(const json_t *value)
{
    if (add_failed)
        return NULL;
    return stayhooks__redact_json(value, credentials, credential_count);
}

char *cli_redact_json_text(const char *json_text)
{
    json_t *parsed = json_loads(json_text, JSON_DECODE_ANY, NULL);
    json_t *clean = NULL;
    char *text = NULL;

    if (parsed == NULL)
        goto done;
    clean = cli_redact_json(parsed);
    if (clean == NULL)
        goto done;
    /* The flags that the library's dry-run record uses, so that only the
     * hidden strings change. */
    text = json_dumps(clean, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

done:
    json_decref(parsed);
    json_decref(clean);
    return text;
}
