/* redact.c: secret-free copies of text for logs, errors and dry runs. */
#include "redact.h"

#include <stdint.h>
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

/* Returns 1 when `text` starts with the `len` bytes of `prefix`; `text`
 * may be shorter, since it ends at its NUL. */
static int starts_with(const unsigned char *text, const unsigned char *prefix, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (text[i] != prefix[i])
            return 0;
    }
    return 1;
}

/* One secret with its STAYHOOKS_REDACT_MIN_RUN-byte windows in a hash
 * table. Every hidden run starts with one of them, so a run is tried only
 * where a window hashes like the text, and a 64 KiB secret stays cheap
 * against a 1 MiB reply body. */
typedef struct secret_index {
    const unsigned char *secret; /* NULL for a NULL or empty secret */
    size_t len;
    size_t bucket_mask;          /* bucket count - 1, a power of two */
    size_t *first;               /* first window position per bucket, else len */
    size_t *next;                /* next window position in the bucket, else len */
} secret_index;

/* Candidates tried after the first match at one position of the text. */
#define REDACT_MAX_EXTRA_CANDIDATES 32

/* FNV-1a over one window. */
static size_t window_hash(const unsigned char *window)
{
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < STAYHOOKS_REDACT_MIN_RUN; i++) {
        hash ^= window[i];
        hash *= 16777619u;
    }
    return hash;
}

static void free_indexes(secret_index *indexes, size_t count)
{
    if (indexes == NULL)
        return;
    for (size_t i = 0; i < count; i++) {
        free(indexes[i].first);
        free(indexes[i].next);
    }
    free(indexes);
}

/* Fills the window table of a secret of at least STAYHOOKS_REDACT_MIN_RUN
 * bytes. Returns -1 when out of memory. */
static int index_windows(secret_index *index)
{
    size_t windows = index->len - STAYHOOKS_REDACT_MIN_RUN + 1;
    size_t buckets = 16;

    while (buckets < 2 * windows)
        buckets *= 2;
    index->bucket_mask = buckets - 1;
    index->first = malloc(buckets * sizeof(*index->first));
    index->next = malloc(windows * sizeof(*index->next));
    if (index->first == NULL || index->next == NULL)
        return -1;
    for (size_t b = 0; b < buckets; b++)
        index->first[b] = index->len;
    /* Walking backwards leaves each bucket's first position in `first`. */
    for (size_t j = windows; j-- > 0;) {
        size_t bucket = window_hash(index->secret + j) & index->bucket_mask;
        index->next[j] = index->first[bucket];
        index->first[bucket] = j;
    }
    return 0;
}

/* Returns NULL when out of memory. */
static secret_index *build_indexes(const char *const *secrets, size_t count)
{
    secret_index *indexes = calloc(count > 0 ? count : 1, sizeof(*indexes));
    if (indexes == NULL)
        return NULL;

    for (size_t i = 0; i < count; i++) {
        secret_index *index = &indexes[i];
        if (secrets[i] == NULL || secrets[i][0] == '\0')
            continue;
        index->secret = (const unsigned char *)secrets[i];
        index->len = strlen(secrets[i]);
        if (index->len >= STAYHOOKS_REDACT_MIN_RUN && index_windows(index) != 0) {
            free_indexes(indexes, count);
            return NULL;
        }
    }
    return indexes;
}

/* Returns the length of the longest prefix of `text` that occurs in the
 * indexed secret, or 0 when it is shorter than STAYHOOKS_REDACT_MIN_RUN.
 * `text` must have at least STAYHOOKS_REDACT_MIN_RUN bytes before its NUL. */
static size_t longest_run_in(const unsigned char *text, const secret_index *index)
{
    size_t best = 0;
    size_t tried_after_match = 0;
    size_t bucket = window_hash(text) & index->bucket_mask;

    /* A repetitive secret ("aaaa...") puts every window in one bucket, so
     * the walk stops a few candidates after the first match. A shorter
     * run may then be hidden, and the rest of the text is still checked. */
    for (size_t j = index->first[bucket];
         j < index->len && index->len - j > best && tried_after_match < REDACT_MAX_EXTRA_CANDIDATES;
         j = index->next[j]) {
        if (best > 0)
            tried_after_match++;
        size_t n = 0;
        while (j + n < index->len && text[n] != '\0' && text[n] == index->secret[j + n])
            n++;
        if (n >= STAYHOOKS_REDACT_MIN_RUN && n > best)
            best = n;
    }
    return best;
}

/* Returns 1 when `text` has at least `len` bytes before its NUL. */
static int has_bytes(const unsigned char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\0')
            return 0;
    }
    return 1;
}

/* ASCII letters, digits and '_'. Bytes of other characters count as
 * separators, so a short secret next to "«" or "é" is hidden too: telling
 * letters from punctuation beyond ASCII would need Unicode tables. */
static int is_word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           c == '_';
}

static int is_continuation_byte(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Returns 1 when a secret shorter than STAYHOOKS_REDACT_MIN_RUN occurs at
 * `text` as a word of its own. Hiding it inside longer words as well would
 * rewrite ordinary text, IDs and JSON member names ("messageId" for a
 * token "Id"). `before` is the byte in front of `text`, or 0. */
static int short_secret_at(const unsigned char *text, unsigned char before,
                           const secret_index *index)
{
    if (!starts_with(text, index->secret, index->len))
        return 0;
    if (is_word_byte(index->secret[0]) && before != 0 && is_word_byte(before))
        return 0;
    if (is_word_byte(index->secret[index->len - 1]) && is_word_byte(text[index->len]))
        return 0;
    return 1;
}

/* Returns how many characters at the start of `text` must be hidden: the
 * longest run there that is a whole secret, or a run of at least
 * STAYHOOKS_REDACT_MIN_RUN characters from within a longer secret (the
 * longest found among a bounded number of candidates). A
 * secret shorter than that is hidden only where it is a word of
 * its own. Returns 0 when nothing at `text` needs hiding. `before` is the
 * byte in front of `text`, or 0 at the start. */
static size_t hidden_length_at(const unsigned char *text, unsigned char before,
                               const secret_index *indexes, size_t count)
{
    int long_enough = has_bytes(text, STAYHOOKS_REDACT_MIN_RUN);
    size_t best = 0;

    /* Hidden runs start and end on character boundaries, so the copy of
     * valid UTF-8 stays valid. */
    if (is_continuation_byte(text[0]))
        return 0;
    for (size_t i = 0; i < count; i++) {
        const secret_index *index = &indexes[i];
        if (index->secret == NULL)
            continue;

        size_t run;
        if (index->len < STAYHOOKS_REDACT_MIN_RUN)
            run = short_secret_at(text, before, index) ? index->len : 0;
        else if (long_enough)
            run = longest_run_in(text, index);
        else
            run = 0;
        if ((run >= index->len || run >= STAYHOOKS_REDACT_MIN_RUN) && run > best)
            best = run;
    }
    while (best > 0 && is_continuation_byte(text[best]))
        best++;
    return best;
}

char *stayhooks__redact_text(const char *text, const char *const *secrets,
                             size_t secret_count)
{
    const size_t marker_len = strlen(STAYHOOKS_REDACTED);
    secret_index *indexes = build_indexes(secrets, secret_count);
    char *out = NULL;

    if (indexes == NULL)
        return NULL;

    /* First pass measures, second pass writes. */
    const unsigned char *start = (const unsigned char *)text;
    size_t out_len = 0;
    for (const unsigned char *p = start; *p != '\0';) {
        size_t hidden = hidden_length_at(p, p > start ? p[-1] : 0, indexes, secret_count);
        out_len += hidden > 0 ? marker_len : 1;
        p += hidden > 0 ? hidden : 1;
    }

    out = malloc(out_len + 1);
    if (out == NULL)
        goto done;

    char *w = out;
    for (const unsigned char *p = start; *p != '\0';) {
        size_t hidden = hidden_length_at(p, p > start ? p[-1] : 0, indexes, secret_count);
        if (hidden > 0) {
            memcpy(w, STAYHOOKS_REDACTED, marker_len);
            w += marker_len;
            p += hidden;
        } else {
            *w++ = (char)*p++;
        }
    }
    *w = '\0';

done:
    free_indexes(indexes, secret_count);
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
