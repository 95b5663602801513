/* redact.c: secret-free copies of text for logs, errors and dry runs. */
#include "redact.h"

#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *stayhooks__redact_header(const char *name, const char *value)
{
    if (strcasecmp(name, "Authorization") == 0)
        return "Bearer " STAYHOOKS_REDACTED;
    if (strcasecmp(name, "x-stay-webhook-secret") == 0)
        return STAYHOOKS_REDACTED;
    return value;
}

/* Finds the earliest match of any secret at or after `from`. Returns its
 * position and stores its length in `*match_len`, or returns NULL. */
static const char *find_first_secret(const char *from, const char *const *secrets,
                                     size_t secret_count, size_t *match_len)
{
    const char *best = NULL;
    *match_len = 0;
    for (size_t i = 0; i < secret_count; i++) {
        const char *secret = secrets[i];
        if (secret == NULL || *secret == '\0')
            continue;

        const char *hit = strstr(from, secret);
        if (hit == NULL)
            continue;
        /* On a tie the longer secret wins, so a secret that contains
         * another is hidden whole. */
        if (best == NULL || hit < best || (hit == best && strlen(secret) > *match_len)) {
            best = hit;
            *match_len = strlen(secret);
        }
    }
    return best;
}

char *stayhooks__redact_text(const char *text, const char *const *secrets,
                             size_t secret_count)
{
    /* First pass measures, second pass writes. */
    size_t out_len = 0;
    const char *p = text;
    size_t match_len = 0;
    const char *hit;
    while ((hit = find_first_secret(p, secrets, secret_count, &match_len)) != NULL) {
        out_len += (size_t)(hit - p) + strlen(STAYHOOKS_REDACTED);
        p = hit + match_len;
    }
    out_len += strlen(p);

    char *out = malloc(out_len + 1);
    if (out == NULL)
        return NULL;

    char *w = out;
    p = text;
    while ((hit = find_first_secret(p, secrets, secret_count, &match_len)) != NULL) {
        memcpy(w, p, (size_t)(hit - p));
        w += hit - p;
        memcpy(w, STAYHOOKS_REDACTED, strlen(STAYHOOKS_REDACTED));
        w += strlen(STAYHOOKS_REDACTED);
        p = hit + match_len;
    }
    strcpy(w, p);
    return out;
}
