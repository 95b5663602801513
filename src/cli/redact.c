/*
 * redact.c: hides the token and the webhook secret in the CLI's own error
 * lines.
 *
 * The library redacts what it logs and what its errors contain, but it
 * learns the invoke secret only at the invoke, and it never sees the
 * command line. A usage error can echo an argument ("unknown command
 * 'whk_...'"), and a base URL error is raised before any invoke, so every
 * error line the CLI prints passes through cli_redact() first. The
 * library's own redaction is private to it, hence this short copy of the
 * rule.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define REDACTED "<redacted>"

/* Shorter runs taken from a credential are left alone, as in the library:
 * eight base64url characters carry 48 bits, and the public "whk_" prefix
 * (four characters) is never hidden on its own. */
#define MIN_RUN 8

/* The token and secret from the environment, and the token and secret
 * read from files. */
#define MAX_CREDENTIALS 4

static const char *credentials[MAX_CREDENTIALS];

void cli_redact_add(const char *credential)
{
    if (credential == NULL || credential[0] == '\0')
        return;
    for (size_t i = 0; i < MAX_CREDENTIALS; i++) {
        if (credentials[i] == credential)
            return;
        if (credentials[i] == NULL) {
            credentials[i] = credential;
            return;
        }
    }
}

void cli_redact_clear(void)
{
    memset(credentials, 0, sizeof credentials);
}

/* Returns the length of the longest prefix of `text` that occurs inside
 * `credential` and is hidden: the whole credential, or a run of at least
 * MIN_RUN characters. Returns 0 when there is none. */
static size_t hidden_length(const char *text, const char *credential)
{
    size_t credential_length = strlen(credential);
    size_t longest = 0;

    for (size_t start = 0; start < credential_length; start++) {
        size_t n = 0;

        while (credential[start + n] != '\0' && text[n] == credential[start + n])
            n++;
        if (n > longest)
            longest = n;
    }
    if (longest == credential_length || longest >= MIN_RUN)
        return longest;
    return 0;
}

char *cli_redact(const char *text)
{
    size_t length = strlen(text);
    /* Each hidden run is at least one character and becomes the marker, so
     * this bounds the output. */
    size_t capacity = length * sizeof REDACTED + 1;
    char *out = malloc(capacity);
    size_t used = 0;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < length;) {
        size_t hide = 0;

        for (size_t c = 0; c < MAX_CREDENTIALS && credentials[c] != NULL; c++) {
            size_t n = hidden_length(text + i, credentials[c]);
            if (n > hide)
                hide = n;
        }
        if (hide > 0) {
            memcpy(out + used, REDACTED, sizeof REDACTED - 1);
            used += sizeof REDACTED - 1;
            i += hide;
        } else {
            out[used++] = text[i++];
        }
    }
    out[used] = '\0';
    return out;
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
