/* log.c: every log line passes through here, so redaction happens in one
 * place before the callback receives anything. */
#include "log.h"

#include "redact.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_SECRETS 4

void stayhooks__log(const stayhooks_client *client, stayhooks_log_level level,
                    const char *const *secrets, size_t secret_count,
                    const char *fmt, ...)
{
    char *raw = NULL;
    char *clean = NULL;

    if (client == NULL || client->log == NULL)
        return;

    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        goto done;
    raw = malloc((size_t)len + 1);
    if (raw == NULL)
        goto done;
    va_start(ap, fmt);
    vsnprintf(raw, (size_t)len + 1, fmt, ap);
    va_end(ap);

    const char *hidden[MAX_SECRETS + 1];
    size_t hidden_count = 0;
    hidden[hidden_count++] = client->token;
    for (size_t i = 0; i < secret_count && hidden_count < MAX_SECRETS + 1; i++)
        hidden[hidden_count++] = secrets[i];

    clean = stayhooks__redact_text(raw, hidden, hidden_count);
    if (clean == NULL)
        goto done;
    client->log(client->log_userdata, level, clean);

done:
    free(raw);
    free(clean);
}
