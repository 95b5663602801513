/* redact.h: hiding the token and secrets in log lines, messages and the
 * dry-run request (private). */
#ifndef STAYHOOKS_LIB_REDACT_H
#define STAYHOOKS_LIB_REDACT_H

#include <stddef.h>

#define STAYHOOKS_REDACTED "<redacted>"

/* Returns the value to show for header `name`: "Bearer <redacted>" for
 * Authorization, "<redacted>" for x-stay-webhook-secret (names compared
 * without case), else `value` itself. Never allocates. */
const char *stayhooks__redact_header(const char *name, const char *value);

/* Copies `text` with every occurrence of each non-empty, non-NULL string in
 * `secrets` replaced by "<redacted>". Returns NULL when out of memory. */
char *stayhooks__redact_text(const char *text, const char *const *secrets,
                             size_t secret_count);

#endif
