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

/* Returns the length of the longest prefix of `text` that is a substring of
 * `secret`. */
static size_t longest_run_in(const char *text, const char *secret, size_t secret_len)
{
    size_t best = 0;
    for (size_t j = 0; j < secret_len && secret_len - j > best; j++) {
        size_t n = 0;
        while (j + n < secret_len && text[n] != '\0' && text[n] == secret[j + n])
            n++;
        if (n > best)
            best = n;
    }
    return best;
}

/* Returns how many characters at the start of `text` must be hidden: the
 * longest run there that is a whole secret, or a run of at least
 * STAYHOOKS_REDACT_MIN_RUN characters from within a longer secret. Returns
 * 0 when nothing at `text` needs hiding. */
static size_t hidden_length_at(const char *text, const char *const *secrets,
                               size_t secret_count)
{
    size_t best = 0;
    for (size_t i = 0; i < secret_count; i++) {
        const char *secret = secrets[i];
        /* A character that occurs nowhere in the secret cannot start a run. */
        if (secret == NULL || *secret == '\0' || strchr(secret, *text) == NULL)
            continue;

        size_t secret_len = strlen(secret);
        size_t run;
        if (secret_len < STAYHOOKS_REDACT_MIN_RUN)
            run = strncmp(text, secret, secret_len) == 0 ? secret_len : 0;
        else
            run = longest_run_in(text, secret, secret_len);
        if (run >= secret_len || run >= STAYHOOKS_REDACT_MIN_RUN) {
            if (run > best)
                best = run;
        }
    }
    return best;
}

char *stayhooks__redact_text(const char *text, const char *const *secrets,
                             size_t secret_count)
{
    const size_t marker_len = strlen(STAYHOOKS_REDACTED);

    /* First pass measures, second pass writes. */
    size_t out_len = 0;
    for (const char *p = text; *p != '\0';) {
        size_t hidden = hidden_length_at(p, secrets, secret_count);
        out_len += hidden > 0 ? marker_len : 1;
        p += hidden > 0 ? hidden : 1;
    }

    char *out = malloc(out_len + 1);
    if (out == NULL)
        return NULL;

    char *w = out;
    for (const char *p = text; *p != '\0';) {
        size_t hidden = hidden_length_at(p, secrets, secret_count);
        if (hidden > 0) {
            memcpy(w, STAYHOOKS_REDACTED, marker_len);
            w += marker_len;
            p += hidden;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
    return out;
}

json_t *stayhooks__redact_json(const json_t *value, const char *const *secrets,
                               size_t secret_count)
{
    json_t *copy = NULL;

    if (json_is_string(value)) {
        char *clean = stayhooks__redact_text(json_string_value(value), secrets, secret_count);
        if (clean != NULL)
            copy = json_string(clean);
        free(clean);
        return copy;
    }

    if (json_is_array(value)) {
        copy = json_array();
        for (size_t i = 0; copy != NULL && i < json_array_size(value); i++) {
            json_t *item = stayhooks__redact_json(json_array_get(value, i), secrets, secret_count);
            if (item == NULL || json_array_append_new(copy, item) != 0) {
                json_decref(copy);
                copy = NULL;
            }
        }
        return copy;
    }

    if (json_is_object(value)) {
        const char *key;
        json_t *member;
        copy = json_object();
        if (copy == NULL)
            return NULL;
        json_object_foreach((json_t *)value, key, member)
        {
            char *clean_key = stayhooks__redact_text(key, secrets, secret_count);
            json_t *clean = stayhooks__redact_json(member, secrets, secret_count);
            int rc = -1;
            if (clean_key != NULL && clean != NULL) {
                /* json_object_set_new() takes `clean`, even when it fails. */
                rc = json_object_set_new(copy, clean_key, clean);
                clean = NULL;
            }
            json_decref(clean);
            free(clean_key);
            if (rc != 0) {
                json_decref(copy);
                return NULL;
            }
        }
        return copy;
    }

    /* Numbers, booleans and null hold no text. */
    return json_deep_copy(value);
}
