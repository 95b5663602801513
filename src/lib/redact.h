/* redact.h: hiding the token and secrets in log lines, messages and the
 * dry-run request (private). */
#ifndef STAYHOOKS_LIB_REDACT_H
#define STAYHOOKS_LIB_REDACT_H

#include <jansson.h>
#include <stddef.h>

#define STAYHOOKS_REDACTED "<redacted>"

/* Returns the value to show for header `name`: "Bearer <redacted>" for
 * Authorization, "<redacted>" for x-stay-webhook-secret (names compared
 * without case), else `value` itself. Never allocates. */
const char *stayhooks__redact_header(const char *name, const char *value);

/* Runs of this many characters or more taken from within a secret are
 * hidden, not only the whole secret, because a server may echo a cut copy
 * ("secret whk_3f9a2c81... is wrong"). Eight base64url characters carry 48
 * bits, and the public "whk_" prefix alone (four) is never hidden. */
#define STAYHOOKS_REDACT_MIN_RUN 8

/* Copies `text` with each non-empty, non-NULL string in `secrets`
 * replaced by "<redacted>", and also every run of at least
 * STAYHOOKS_REDACT_MIN_RUN characters that occurs inside one of them, so
 * the copy contains no such run. At each position the longest match found
 * is hidden, widened to whole UTF-8 characters. A secret shorter than
 * STAYHOOKS_REDACT_MIN_RUN is replaced only where no ASCII letter, digit
 * or '_' touches it on either side. Returns NULL when out of memory. */
char *stayhooks__redact_text(const char *text, const char *const *secrets,
                             size_t secret_count);

/* Returns a deep copy of `value` in which every string, and every object
 * key, has passed through stayhooks__redact_text(). Redacting the values
 * rather than the encoded JSON text keeps escapes intact. A string ends at
 * its first NUL, which request bodies never contain because payload JSON
 * is parsed without JSON_ALLOW_NUL. Returns NULL when out of memory. */
json_t *stayhooks__redact_json(const json_t *value, const char *const *secrets,
                               size_t secret_count);

#endif
